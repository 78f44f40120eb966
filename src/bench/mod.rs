//! `onair bench`: the figures the design targets, measured on the local API
//! server and the AWS simulation with the real controller.
//!
//! - steady state: AWS calls per channel per resync (target: no writes, at
//!   most one read per resource);
//! - scale: N channels applied at once converge (Ready and RUNNING) under
//!   simulated AWS rate limits; the time as a ratio to two lower bounds those
//!   limits set, of the calls onair made and of the necessary calls
//!   (`bound`; target <= 1.3);
//! - peak memory of the operator process. The local API server and the AWS
//!   simulation run in a process of their own (`--serve-world`), and the
//!   operator reaches the simulation over loopback (`aws::remote`), so the
//!   figure holds the operator's memory only.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::api::{Api, PostParams};

use crate::api::live_channel::LiveChannel;
use crate::api::AwsProvider;
use crate::aws::remote::RemoteSim;
use crate::aws::sim::{Sim, SimTimings};
use crate::aws::Service;
use crate::controller::context::Context;

mod bound;
mod calls;
mod cold_start;
mod operator;
mod process;
use bound::{seconds_at, Bound, Necessary};
use calls::print_by_operation;
use operator::Operator;
use process::{cpu_seconds, peak_memory};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// LiveChannels applied at once.
    #[arg(long, default_value_t = 200)]
    pub channels: usize,
    /// Multiplies every AWS rate limit (the defaults follow AWS's quotas;
    /// 10 keeps the run near a minute; the ratio does not depend on it).
    #[arg(long, default_value_t = 10)]
    pub rate_scale: u32,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 900)]
    pub timeout_seconds: u64,
    /// Give every channel an AdInsertion and a TokenPolicy too (the
    /// MediaTailor, CloudFront Function and key value store work joins in).
    #[arg(long)]
    pub ads_and_tokens: bool,
    /// Objects of each kind reconciled at the same time (`onair run`'s flag).
    #[arg(long, default_value_t = crate::run::MAX_CONCURRENT_RECONCILES)]
    pub max_concurrent_reconciles: u16,
    /// Run against the cluster of this kubeconfig (a real kube-apiserver,
    /// such as the one the real-cluster tests start) instead of the local
    /// API server. It takes the CRDs if they are missing and objects in its
    /// `default` namespace: give it an empty, disposable cluster.
    #[arg(long)]
    pub kubeconfig: Option<std::path::PathBuf>,
    /// Also print every operation's calls per channel to converge, busiest
    /// first: where the calls beyond the necessary ones go.
    #[arg(long)]
    pub by_operation: bool,
    /// Internal: serve the local API server and the AWS simulation, writing
    /// `kubeconfig` and `simulation-url` into this directory (the process the
    /// benchmark starts beside itself).
    #[arg(long, hide = true)]
    pub serve_world: Option<std::path::PathBuf>,
}

/// The services the objects call, with their simulated (and budgeted) rates.
const SERVICES: [Service; 6] = [
    Service::MediaLive,
    Service::MediaPackage,
    Service::SecretsManager,
    Service::CloudFront,
    Service::MediaTailor,
    Service::CloudFrontKeyValueStore,
];

pub fn main(args: BenchArgs) -> Result<(), String> {
    crate::run::init_logging(crate::run::LogFormat::Text);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    match args.serve_world.clone() {
        Some(dir) => runtime.block_on(serve_world(&dir)),
        None => runtime.block_on(bench(args)),
    }
}

fn channel(i: usize) -> LiveChannel {
    let mut lc: LiveChannel =
        serde_yaml::from_str(include_str!("../../examples/live-channel.yaml"))
            .expect("the example parses");
    lc.metadata.name = Some(format!("channel-{i:04}"));
    lc.spec.cdn.telemetry = None;
    lc
}

fn ads(i: usize) -> crate::api::AdInsertion {
    let mut adi: crate::api::AdInsertion =
        serde_yaml::from_str(include_str!("../../examples/ad-insertion.yaml"))
            .expect("the example parses");
    adi.metadata.name = Some(format!("ads-{i:04}"));
    adi.spec.channel_ref.name = format!("channel-{i:04}");
    adi.spec.ad_breaks = None;
    adi
}

fn tokens(i: usize) -> crate::api::TokenPolicy {
    let mut tp: crate::api::TokenPolicy =
        serde_yaml::from_str(include_str!("../../examples/token-policy.yaml"))
            .expect("the example parses");
    tp.metadata.name = Some(format!("tokens-{i:04}"));
    tp.spec.channel_refs = vec![crate::api::common::LocalObjectRef {
        name: format!("channel-{i:04}"),
    }];
    tp
}

fn ready<'a>(conditions: impl IntoIterator<Item = &'a crate::api::Condition>) -> bool {
    conditions
        .into_iter()
        .any(|c| c.type_ == "Ready" && c.status == crate::api::ConditionStatus::True)
}

fn converged(lc: &LiveChannel) -> bool {
    lc.status.as_ref().is_some_and(|status| {
        status.channel_state.as_deref() == Some("RUNNING") && ready(&status.conditions)
    })
}

async fn bench(args: BenchArgs) -> Result<(), String> {
    // The API server and the simulation run in a process of their own, so
    // the memory and CPU figures are the operator's.
    let world = WorldProcess::start().await?;
    let kubeconfig = match &args.kubeconfig {
        Some(kubeconfig) => {
            println!("Kubernetes: the cluster of {}", kubeconfig.display());
            kubeconfig.clone()
        }
        None => world.dir.join("kubeconfig"),
    };
    let client = client_for(&kubeconfig).await?;
    let sim = RemoteSim::connect(&world.simulation_url()?).await?;
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(client.clone());
    for crd in crate::crd::all() {
        match crds.create(&PostParams::default(), &crd).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let provider: AwsProvider =
        serde_yaml::from_str(include_str!("../../examples/aws-provider.yaml"))
            .map_err(|e| e.to_string())?;
    // A real API server serves a new CRD's objects once it is Established,
    // a moment after the create.
    let providers_api = Api::<AwsProvider>::all(client.clone());
    let mut attempts = 0;
    while let Err(error) = providers_api
        .create(&PostParams::default(), &provider)
        .await
    {
        attempts += 1;
        match error {
            kube::Error::Api(e) if e.code == 404 && attempts < 100 => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return Err(other.to_string()),
        }
    }

    let mut rates = BTreeMap::new();
    for service in SERVICES {
        let rate = service.default_rate() * args.rate_scale.max(1);
        sim.throttle(service, rate).await?;
        rates.insert(service, rate);
    }
    if args.ads_and_tokens {
        let keys: k8s_openapi::api::core::v1::Secret =
            serde_yaml::from_str(include_str!("../../examples/token-signing-keys.yaml"))
                .map_err(|e| e.to_string())?;
        Api::<k8s_openapi::api::core::v1::Secret>::namespaced(client.clone(), "default")
            .create(&PostParams::default(), &keys)
            .await
            .map_err(|e| e.to_string())?;
    }
    let operator = Operator::start(
        &client,
        &sim,
        &rates,
        args.ads_and_tokens,
        args.max_concurrent_reconciles,
    );
    let ctx = operator.ctx.clone();
    let ads_api: Api<crate::api::AdInsertion> = Api::namespaced(client.clone(), "default");
    let tokens_api: Api<crate::api::TokenPolicy> = Api::namespaced(client.clone(), "default");

    let api: Api<LiveChannel> = Api::namespaced(client.clone(), "default");
    println!(
        "applying {} LiveChannels{} at once; AWS rate limits (requests/s): {}",
        args.channels,
        if args.ads_and_tokens {
            ", each with an AdInsertion and a TokenPolicy,"
        } else {
            ""
        },
        rates
            .iter()
            .map(|(s, r)| format!("{}={r}", s.name()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let start = Instant::now();
    for i in 0..args.channels {
        api.create(&PostParams::default(), &channel(i))
            .await
            .map_err(|e| e.to_string())?;
        if args.ads_and_tokens {
            ads_api
                .create(&PostParams::default(), &ads(i))
                .await
                .map_err(|e| e.to_string())?;
            tokens_api
                .create(&PostParams::default(), &tokens(i))
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    // Progress comes from the operator's own object-state metrics (what a
    // dashboard shows), so the benchmark does not list thousands of objects
    // every few hundred milliseconds: that would load the API server and
    // inflate this process's memory. One list confirms the end.
    let kinds: &[&str] = if args.ads_and_tokens {
        &["LiveChannel", "AdInsertion", "TokenPolicy"]
    } else {
        &["LiveChannel"]
    };
    let metrics = crate::metrics::global();
    loop {
        let ready = kinds
            .iter()
            .map(|kind| metrics.objects_in_state(kind, "Ready"))
            .min()
            .unwrap_or(0);
        let done = if ready == args.channels {
            all_converged(&ctx, args.channels, args.ads_and_tokens)
        } else {
            false
        };
        if done {
            break;
        }
        if start.elapsed() > Duration::from_secs(args.timeout_seconds) {
            return Err(format!(
                "only {ready} of {} channels converged within {} s",
                args.channels, args.timeout_seconds
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let elapsed = start.elapsed();
    operator.stop();

    let stats = sim.stats().await?;
    println!(
        "\nconverged: {} channels Ready and RUNNING{} in {:.1} s",
        args.channels,
        if args.ads_and_tokens {
            ", their AdInsertions and TokenPolicies Ready and folded in,"
        } else {
            ""
        },
        elapsed.as_secs_f64()
    );
    let made_calls = stats.calls_per_service(&SERVICES);
    println!("calls per channel to converge, and the time each service needs at its limit:");
    for &(service, n) in &made_calls {
        println!(
            "  {:<16} {:>6.1} calls/channel  {:>7.1} s at {} req/s  (throttled answers: {})",
            service.name(),
            n as f64 / args.channels as f64,
            seconds_at(n, rates[&service]),
            rates[&service],
            stats.throttled.get(&service).copied().unwrap_or(0)
        );
    }
    if args.by_operation {
        print_by_operation("to converge", &stats, args.channels);
    }
    let made = Bound::busiest(made_calls, &rates);
    println!(
        "bound of the calls made (the busiest service, {}, serving every call onair sent at its limit): {:.1} s",
        made.bottleneck_name(),
        made.seconds
    );
    println!(
        "ratio to the bound of the calls made: {:.2} (target <= 1.3)",
        made.ratio(elapsed.as_secs_f64())
    );

    // The first resync after converging still verifies what the last rounds
    // wrote (a function's LIVE code just published is read once at its new
    // ETag): said apart, and steady state is the resync after it.
    let first = sim.stats().await?;
    resync_everything(&ctx, args.ads_and_tokens).await?;
    let before = sim.stats().await?;
    println!(
        "\nfirst resync after converging: {}",
        calls::writes_and_reads(&before.since(&first), args.channels)
    );
    // One resync of every object, by hand: what steady state costs.
    let cpu_before = cpu_seconds();
    let reconciles = resync_everything(&ctx, args.ads_and_tokens).await?;
    // Resources per channel: security group, input, secret, MediaPackage
    // channel, two endpoints, distribution, MediaLive channel; with ads and
    // tokens a playback configuration, a key value store and a function.
    let resources = if args.ads_and_tokens { 11.0 } else { 8.0 };
    let cpu = cpu_before.zip(cpu_seconds()).map(|(a, b)| b - a);
    let after = sim.stats().await?;
    let resync = after.since(&before);
    println!(
        "steady state, one resync: {} ({:.2} reads per resource; target 0 writes, <= 1 read per resource)",
        calls::writes_and_reads(&resync, args.channels),
        resync.reads() as f64 / args.channels as f64 / resources
    );
    println!(
        "steady-state AWS calls per channel per hour, at `onair run`'s resync of {} s: {:.1}",
        crate::run::DEFAULT_RESYNC_SECONDS,
        resync.total() as f64 / args.channels as f64 * 3600.0
            / crate::run::DEFAULT_RESYNC_SECONDS as f64
    );
    necessary_calls_bound(
        &args,
        &rates,
        elapsed,
        bound::necessary(&SERVICES, &stats, &before, &after),
    );
    if let Some(cpu) = cpu {
        println!(
            "CPU per no-op reconcile (the operator's side of its API and AWS calls included): {:.2} ms over {reconciles} reconciles",
            cpu * 1000.0 / reconciles.max(1) as f64
        );
    }
    println!(
        "peak memory of the operator process (the API server and the AWS simulation run apart): {}",
        peak_memory()
    );

    // The converging operator goes (its stores, caches and watches with
    // it) before the fresh one starts, as in a pod's restart.
    drop(ctx);
    drop(operator);
    // A client of its own too: a new process has no pooled connections.
    let restarted_client = client_for(&kubeconfig).await?;
    let restart = cold_start::Restart {
        client: &restarted_client,
        sim: &sim,
        rates: &rates,
        services: &SERVICES,
        kinds,
        channels: args.channels,
        ads_and_tokens: args.ads_and_tokens,
        max_concurrent_reconciles: args.max_concurrent_reconciles,
        timeout: Duration::from_secs(args.timeout_seconds),
    };
    let figures = restart.measure().await?;
    restart.print(&figures, &resync);
    if args.by_operation {
        print_by_operation("at the cold start", &figures.calls, args.channels);
    }
    Ok(())
}

/// Prints the necessary calls per service and convergence's ratio to the
/// bound they set: the figure polling moves (docs/figures.md).
fn necessary_calls_bound(
    args: &BenchArgs,
    rates: &BTreeMap<Service, u32>,
    elapsed: Duration,
    necessary: BTreeMap<Service, Necessary>,
) {
    let per_channel = |n: u64| n as f64 / args.channels as f64;
    println!(
        "\nnecessary calls per channel (the writes while converging, and one read per resource: a no-op resync's reads):"
    );
    for (service, calls) in &necessary {
        println!(
            "  {:<16} {:>6.1} writes + {:>4.1} reads  {:>7.1} s at {} req/s",
            service.name(),
            per_channel(calls.writes),
            per_channel(calls.reads),
            seconds_at(calls.calls(), rates[service]),
            rates[service]
        );
    }
    let bound = Bound::busiest(
        necessary
            .iter()
            .map(|(&service, calls)| (service, calls.calls())),
        rates,
    );
    println!(
        "necessary-calls bound (the busiest service, {}): {:.1} s",
        bound.bottleneck_name(),
        bound.seconds
    );
    println!(
        "ratio to the necessary-calls bound: {:.2} (target <= 1.3)",
        bound.ratio(elapsed.as_secs_f64())
    );
}

/// One resync of every object the bench applied, by hand; how many.
async fn resync_everything(ctx: &Arc<Context>, ads_and_tokens: bool) -> Result<usize, String> {
    let mut reconciles =
        resync_all::<LiveChannel, _, _>(crate::controller::live_channel::reconcile, ctx).await?;
    if ads_and_tokens {
        reconciles += resync_all::<crate::api::AdInsertion, _, _>(
            crate::controller::ad_insertion::reconcile,
            ctx,
        )
        .await?;
        reconciles += resync_all::<crate::api::TokenPolicy, _, _>(
            crate::controller::token_policy::reconcile,
            ctx,
        )
        .await?;
    }
    Ok(reconciles)
}

/// Reconciles every object of `K` once, by hand: one resync. The objects
/// come from the operator's own store, as the controllers see them: a list
/// of thousands of objects here would weigh in the memory figure.
async fn resync_all<K, Fut, E>(
    reconcile: impl Fn(Arc<K>, Arc<Context>) -> Fut,
    ctx: &Arc<Context>,
) -> Result<usize, String>
where
    K: crate::k8s::Watched + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Eq + std::hash::Hash + Clone + Default,
    Fut: std::future::Future<Output = Result<kube::runtime::controller::Action, E>>,
    E: std::fmt::Display,
{
    let objects = ctx.catalog.store::<K>(None).state();
    for object in &objects {
        reconcile(object.clone(), ctx.clone())
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(objects.len())
}

/// Every channel Ready and RUNNING (and, with ads and tokens, its policy's
/// check folded in), as the operator's store has them.
fn all_converged(ctx: &Context, channels: usize, ads_and_tokens: bool) -> bool {
    let seen = ctx.catalog.store::<LiveChannel>(None).state();
    seen.len() == channels
        && seen.iter().all(|lc| {
            converged(lc)
                && (!ads_and_tokens || lc.status.as_ref().is_some_and(|s| s.token_policy.is_some()))
        })
}

/// What the operator works against, in a process of its own: the local API
/// server and the AWS simulation, with AWS's transitions short next to the
/// rate-limited work, so the limits are what the run measures. Serves until
/// the benchmark stops it.
async fn serve_world(dir: &std::path::Path) -> Result<(), String> {
    let server = crate::apiserver::LocalApiServer::start()
        .await
        .map_err(|e| format!("cannot start the local API server: {e}"))?;
    let sim = Sim::new(SimTimings {
        channel_create: Duration::from_secs(2),
        channel_start: Duration::from_secs(5),
        channel_stop: Duration::from_secs(2),
        channel_delete: Duration::from_secs(2),
        input_create: Duration::from_secs(1),
        distribution_deploy: Duration::from_secs(10),
        ..SimTimings::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen for the simulation: {e}"))?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    // The benchmark waits for both files; each appears whole (written, then renamed).
    let publish = |name: &str, write: &dyn Fn(&std::path::Path) -> std::io::Result<()>| {
        let partial = dir.join(format!(".{name}"));
        write(&partial)
            .and_then(|()| std::fs::rename(&partial, dir.join(name)))
            .map_err(|e| format!("cannot write {name} in {}: {e}", dir.display()))
    };
    publish("simulation-url", &|path| std::fs::write(path, &url))?;
    publish("kubeconfig", &|path| server.write_kubeconfig(path))?;
    tokio::select! {
        served = crate::aws::remote::serve(sim, listener) => served.map_err(|e| e.to_string()),
        () = crate::run::shutdown_signal() => Ok(()),
    }
}

/// `onair bench --serve-world` as a child process, stopped when dropped.
struct WorldProcess {
    child: tokio::process::Child,
    dir: std::path::PathBuf,
}

impl WorldProcess {
    async fn start() -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("onair-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let child = tokio::process::Command::new(exe)
            .arg("bench")
            .arg("--serve-world")
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start the API server and simulation process: {e}"))?;
        let world = Self { child, dir };
        for _ in 0..200 {
            if world.dir.join("kubeconfig").exists() {
                return Ok(world);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("the API server and simulation process did not start within 10 s".into())
    }

    fn simulation_url(&self) -> Result<String, String> {
        std::fs::read_to_string(self.dir.join("simulation-url")).map_err(|e| e.to_string())
    }
}

async fn client_for(kubeconfig: &std::path::Path) -> Result<kube::Client, String> {
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(kubeconfig)
            .map_err(|e| format!("{}: {e}", kubeconfig.display()))?,
        &Default::default(),
    )
    .await
    .map_err(|e| format!("{}: {e}", kubeconfig.display()))?;
    kube::Client::try_from(config).map_err(|e| e.to_string())
}

impl Drop for WorldProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
