//! `onair sandbox`: the whole workflow on a laptop, with no cluster and no AWS
//! account. It starts the local Kubernetes API server with onair's CRDs, the
//! AWS simulation (time running faster than the clock, so a channel goes on
//! air in seconds) or an external emulator, and the operator against both;
//! writes a kubeconfig, applies `examples/` and shows each object's progress
//! until all are Ready (or stalled, saying why), then keeps running for
//! `kubectl`. The operator's logs go to a file (or, with `--verbose`, to
//! stderr), so that what the user reads is the progress.

mod progress;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::discovery::{ApiCapabilities, ApiResource, Scope};

use crate::apiserver::{LocalApiServer, Options};
use crate::run::{shutdown_signal, Error, RunArgs};
use progress::{Lines, Live, Row, View};

/// Flags of `onair sandbox`.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Serve only the local Kubernetes API server (no AWS, no operator).
    #[arg(long)]
    pub api_only: bool,
    /// Where to write the kubeconfig (default: onair-sandbox.kubeconfig in the
    /// temporary directory).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Address of the API server (`IP:PORT` or `localhost:PORT`); port 0
    /// picks a free port. A loopback address unless `--insecure-allow-remote`.
    #[arg(long, default_value = "127.0.0.1:0", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// Allow a `--listen` address other machines can reach (such as
    /// 0.0.0.0). The API server has no authentication and no TLS: anyone who
    /// can reach the address reads and changes every object in it, Secrets
    /// included.
    #[arg(long)]
    pub insecure_allow_remote: bool,
    /// The objects to apply (every `*.yaml` in it but kustomization.yaml).
    #[arg(long, default_value = "examples")]
    pub examples: PathBuf,
    /// Apply nothing: start empty.
    #[arg(long)]
    pub no_examples: bool,
    /// How many times faster than the clock simulated AWS runs (MediaLive
    /// takes a minute to start a channel, CloudFront minutes to deploy).
    #[arg(long, default_value_t = 20)]
    pub aws_speed: u32,
    /// Work against this AWS endpoint (moto or another emulator) instead of
    /// the simulation.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub aws_endpoint_url: Option<String>,
    /// Show the operator's logs here (stderr) instead of writing them to
    /// `--log-file`; progress is then shown as plain lines.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Where the operator's logs go (default: onair-sandbox.log in the
    /// temporary directory).
    #[arg(long)]
    pub log_file: Option<PathBuf>,
}

/// Credentials an emulator accepts, for a sandbox started without any: the
/// newcomer's `--aws-endpoint-url` works with no AWS setup.
const EMULATOR_ACCESS_KEY: &str = "onair-sandbox";

/// `onair run`'s flags for the sandbox's operator.
#[derive(Parser)]
struct Operator {
    #[command(flatten)]
    run: RunArgs,
}

pub fn main(args: SandboxArgs) -> Result<(), Error> {
    let log_file = args
        .log_file
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("onair-sandbox.log"));
    let log_file = if args.verbose {
        crate::run::init_logging(crate::run::LogFormat::Text);
        None
    } else {
        log_to_file(&log_file)?;
        Some(log_file)
    };
    if args.aws_endpoint_url.is_some() && !args.api_only {
        default_emulator_environment();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(sandbox(args, log_file))
}

/// The operator's logs, plain text (no colours) into `path`.
fn log_to_file(path: &Path) -> Result<(), Error> {
    let file = std::fs::File::create(path)
        .map_err(|e| Error::Io(format!("cannot write the log file {}: {e}", path.display())))?;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    Ok(())
}

/// An emulator takes any credentials but the SDK needs some, and a region
/// for objects without a provider: on a machine with no AWS setup at all
/// (no credentials or region in the environment, no shared config or
/// credentials file, no web identity), set test ones. Anything the user has
/// set up is left to the SDK's default chain. Called before the runtime
/// starts, while this is the process's only thread.
fn default_emulator_environment() {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let file = |variable: &str, default: &str| {
        let path = std::env::var_os(variable)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(default)));
        path.is_some_and(|p| p.exists())
    };
    let configured = set("AWS_PROFILE")
        || set("AWS_WEB_IDENTITY_TOKEN_FILE")
        || set("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || file("AWS_CONFIG_FILE", ".aws/config")
        || file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    if !configured && !set("AWS_ACCESS_KEY_ID") {
        println!("AWS credentials: none set up; using test credentials, which emulators accept");
        std::env::set_var("AWS_ACCESS_KEY_ID", EMULATOR_ACCESS_KEY);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", EMULATOR_ACCESS_KEY);
    }
    if !configured && !set("AWS_REGION") && !set("AWS_DEFAULT_REGION") {
        println!("AWS region: none set up; using us-east-1 for objects without an AwsProvider");
        std::env::set_var("AWS_REGION", "us-east-1");
    }
}

/// `IP:PORT`, or `localhost:PORT` (the IPv4 loopback): no other name is
/// resolved, so what is checked is what is bound.
fn parse_listen(value: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = value.parse() {
        return Ok(addr);
    }
    match value.rsplit_once(':') {
        Some((host, port)) if host.eq_ignore_ascii_case("localhost") => port
            .parse::<u16>()
            .map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
            .map_err(|_| format!("{port:?} is not a port number")),
        _ => Err("use IP:PORT (such as 127.0.0.1:6443 or [::1]:6443) or localhost:PORT".into()),
    }
}

/// The API server serves anyone who connects (no authentication, no TLS):
/// only on loopback, unless `allow_remote` says the user knows; then warn.
pub fn check_listen(listen: SocketAddr, allow_remote: bool) -> Result<(), Error> {
    let ip = listen.ip().to_canonical();
    if ip.is_loopback() {
        return Ok(());
    }
    if !allow_remote {
        return Err(Error::Io(format!(
            "--listen {listen} is not a loopback address: the sandbox's API server has no authentication, so anyone who can reach it would control it; listen on 127.0.0.1, [::1] or localhost, or add --insecure-allow-remote to serve other machines anyway"
        )));
    }
    eprintln!(
        "WARNING: --insecure-allow-remote: the sandbox's Kubernetes API server listens on {listen} with no authentication and no TLS. Anyone who can reach this address controls it: they can read, change and delete every object in it, Secrets included."
    );
    Ok(())
}

async fn sandbox(args: SandboxArgs, log_file: Option<PathBuf>) -> Result<(), Error> {
    check_listen(args.listen, args.insecure_allow_remote)?;
    let server = LocalApiServer::start_with(Options {
        listen: args.listen,
        ..Options::default()
    })
    .await
    .map_err(|e| Error::Io(format!("cannot listen on {}: {e}", args.listen)))?;
    let kubeconfig = args
        .kubeconfig
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("onair-sandbox.kubeconfig"));
    server
        .write_kubeconfig(&kubeconfig)
        .map_err(|e| Error::Io(format!("cannot write {}: {e}", kubeconfig.display())))?;
    let client = server.client();
    if !args.api_only {
        install_crds(&client).await?;
    }
    println!("Local Kubernetes API server at {}", server.url());
    println!("  export KUBECONFIG={}", kubeconfig.display());
    if args.api_only {
        shutdown_signal().await;
        server.stop().await;
        return Ok(());
    }

    if let Some(path) = &log_file {
        println!(
            "Operator logs: {} (--verbose shows them here)",
            path.display()
        );
    }
    let operator = start_operator(&client, &args).await?;
    if !args.no_examples {
        apply_examples(&client, &args.examples).await?;
    }
    println!("Watching every onair object (Ctrl-C stops the sandbox):");
    let view: Box<dyn View> = if live_view_fits(&args) {
        Box::new(Live::new(crate::run::colors_allowed()))
    } else {
        Box::new(Lines::default())
    };
    tokio::select! {
        _ = shutdown_signal() => {}
        _ = show_progress(&client, view, args.aws_endpoint_url.as_deref()) => {}
    }
    operator.abort();
    server.stop().await;
    println!("stopped");
    Ok(())
}

async fn install_crds(client: &kube::Client) -> Result<(), Error> {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in crate::crd::all() {
        crds.create(&PostParams::default(), &crd)
            .await
            .map_err(|e| Error::Io(format!("cannot install the CRDs: {e}")))?;
    }
    Ok(())
}

/// The operator in this process, against the simulation (running `speed`
/// times faster than the clock) or an external endpoint.
async fn start_operator(
    client: &kube::Client,
    args: &SandboxArgs,
) -> Result<tokio::task::JoinHandle<()>, Error> {
    let mut flags = vec![
        "run",
        "--leader-election=false",
        "--poll-seconds",
        "1",
        "--retry-seconds",
        "2",
    ];
    let sim = match &args.aws_endpoint_url {
        Some(url) => {
            println!("AWS: the emulator at {url}");
            flags.extend(["--aws-endpoint-url", url.as_str()]);
            None
        }
        None => {
            flags.push("--simulate-aws");
            let sim = crate::aws::sim::Sim::default();
            let clock = sim.clone();
            let speed = u64::from(args.aws_speed.max(1));
            println!("AWS: the simulation, {speed}x faster than the clock");
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    clock.advance(Duration::from_millis(250 * (speed - 1)));
                }
            });
            Some(sim)
        }
    };
    let run = Operator::parse_from(flags).run;
    let ctx = crate::run::context(client.clone(), &run, sim.clone())
        .await
        .map_err(Error::Io)?;
    if let Some(sim) = &sim {
        // The simulation stands in for the user's account: buckets the
        // examples' HarvestJobs write to exist there.
        for bucket in harvest_buckets(&args.examples) {
            sim.create_bucket(&bucket);
        }
    }
    let ctx = Arc::new(ctx);
    Ok(tokio::spawn(async move {
        crate::run::run_controllers(ctx, &run).await;
    }))
}

/// The YAML documents of every `*.yaml` in `dir` (kustomization.yaml aside).
fn documents(dir: &Path) -> Result<Vec<(PathBuf, serde_json::Value)>, Error> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Io(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| p.file_name().is_some_and(|n| n != "kustomization.yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| Error::Io(format!("cannot read {}: {e}", file.display())))?;
        for document in serde_yaml::Deserializer::from_str(&text) {
            let value = serde_json::Value::deserialize(document)
                .map_err(|e| Error::Io(format!("{}: {e}", file.display())))?;
            if !value.is_null() {
                out.push((file.clone(), value));
            }
        }
    }
    Ok(out)
}

use serde::Deserialize as _;

fn harvest_buckets(dir: &Path) -> Vec<String> {
    documents(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| v["kind"] == "HarvestJob")
        .filter_map(|(_, v)| {
            v["spec"]["destination"]["bucket"]
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// Applies the examples with server-side apply, providers and Secrets first.
async fn apply_examples(client: &kube::Client, dir: &Path) -> Result<(), Error> {
    let mut documents = documents(dir)?;
    let order = |kind: &str| match kind {
        "AwsProvider" => 0,
        "Secret" | "ConfigMap" => 1,
        "LiveChannel" => 2,
        _ => 3,
    };
    documents.sort_by_key(|(_, v)| order(v["kind"].as_str().unwrap_or_default()));
    for (file, value) in documents {
        let object: DynamicObject = serde_json::from_value(value)
            .map_err(|e| Error::Io(format!("{}: {e}", file.display())))?;
        let (resource, caps) = resource_of(client, &object).await?;
        let api: Api<DynamicObject> = match caps.scope {
            Scope::Namespaced => Api::namespaced_with(client.clone(), "default", &resource),
            Scope::Cluster => Api::all_with(client.clone(), &resource),
        };
        let name = object.metadata.name.clone().unwrap_or_default();
        api.patch(
            &name,
            &PatchParams::apply("onair-sandbox").force(),
            &Patch::Apply(&object),
        )
        .await
        .map_err(|e| Error::Io(format!("cannot apply {} ({}): {e}", name, file.display())))?;
        println!("applied {} {name} ({})", resource.kind, file.display());
    }
    Ok(())
}

async fn resource_of(
    client: &kube::Client,
    object: &DynamicObject,
) -> Result<(ApiResource, ApiCapabilities), Error> {
    let types = object
        .types
        .as_ref()
        .ok_or_else(|| Error::Io("an example has no apiVersion/kind".into()))?;
    let gvk = kube::core::GroupVersionKind::try_from(types)
        .map_err(|e| Error::Io(format!("{}: {e}", types.kind)))?;
    kube::discovery::pinned_kind(client, &gvk)
        .await
        .map_err(|e| Error::Io(format!("the API server does not serve {}: {e}", types.kind)))
}

/// The live table on a terminal; plain lines in a pipe or a file, and when
/// `--verbose` logs share the terminal (they would tear the table).
fn live_view_fits(args: &SandboxArgs) -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && !(args.verbose && std::io::stderr().is_terminal())
}

/// Shows every onair object's standing, and a summary each time the set
/// settles (all Ready, or stalled with the reasons). Runs until stopped.
async fn show_progress(client: &kube::Client, mut view: Box<dyn View>, emulator: Option<&str>) {
    let kinds = [
        "AwsProvider",
        "LiveChannel",
        "AdInsertion",
        "TokenPolicy",
        "HarvestJob",
    ];
    let mut said: Option<Vec<String>> = None;
    loop {
        let mut rows = Vec::new();
        for kind in kinds {
            let gvk = kube::core::GroupVersionKind::gvk("onair.dev", "v1alpha1", kind);
            let Ok((resource, _)) = kube::discovery::pinned_kind(client, &gvk).await else {
                continue;
            };
            let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
            if let Ok(list) = api.list(&Default::default()).await {
                rows.extend(list.items.iter().map(|o| Row::of(kind, o)));
            }
        }
        view.show(&rows);
        let summary = progress::summary(&rows, emulator);
        if summary.is_some() && summary != said {
            for line in summary.iter().flatten() {
                view.say(line);
            }
        }
        if summary.is_some() {
            said = summary;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(listen: &str, allow_remote: bool) -> Result<(), String> {
        let addr = parse_listen(listen)?;
        check_listen(addr, allow_remote).map_err(|e| e.to_string())
    }

    #[test]
    fn loopback_addresses_are_served_without_a_flag() {
        for listen in [
            "127.0.0.1:0",
            "127.0.0.1:6443",
            "[::1]:0",
            "localhost:0",
            "LOCALHOST:8080",
        ] {
            assert_eq!(check(listen, false), Ok(()), "{listen}");
        }
        assert_eq!(
            parse_listen("localhost:6443"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 6443)))
        );
    }

    #[test]
    fn other_addresses_need_insecure_allow_remote() {
        for listen in [
            "0.0.0.0:0",
            "[::]:6443",
            "192.168.1.20:6443",
            "[::ffff:10.0.0.1]:0",
        ] {
            let refused = check(listen, false).unwrap_err();
            assert!(
                refused.contains("not a loopback address")
                    && refused.contains("--insecure-allow-remote"),
                "{listen}: {refused}"
            );
            assert_eq!(check(listen, true), Ok(()), "{listen}");
        }
        // The IPv4 loopback written as IPv6 is still loopback.
        assert_eq!(check("[::ffff:127.0.0.1]:0", false), Ok(()));
    }

    #[test]
    fn only_ips_and_localhost_parse() {
        assert!(parse_listen("example.com:80").is_err());
        assert!(parse_listen("localhost:http").is_err());
        assert!(parse_listen("127.0.0.1").is_err());
    }
}
