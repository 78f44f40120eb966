//! `onair run`: the operator process. Connects to Kubernetes, serves the health
//! endpoints and runs until SIGTERM / Ctrl-C, then stops cleanly.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::{extract::State, http::StatusCode, routing::get, Router};
use tokio::net::TcpListener;
use tracing::{info, warn};

/// Flags of `onair run`.
/// Objects of each kind reconciled at the same time, by default. AWS calls
/// are bounded per service anyway (`--aws-concurrency`, 16 in flight, and the
/// rate budgets), so a reconcile beyond that mostly waits in the guard while
/// holding its memory and an API server connection. Measured at 1,000
/// channels with ads and tokens (docs/figures.md): 16 converges at 1.22 times
/// the rate-limit bound with a 59.7 MiB peak; 64 at 1.08 with 68.7 MiB.
pub const MAX_CONCURRENT_RECONCILES: u16 = 16;

/// `--resync-seconds` unless set: what steady state costs per hour is
/// counted against it (`onair bench`).
pub const DEFAULT_RESYNC_SECONDS: u64 = 600;

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Address of the health server (`/healthz`, `/readyz`).
    #[arg(long, env = "ONAIR_HEALTH_ADDR", default_value = "0.0.0.0:8080")]
    pub health_addr: SocketAddr,
    /// Log format: `text` for people, `json` for log pipelines.
    #[arg(long, env = "ONAIR_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Take part in leader election: with several replicas, only the holder of
    /// the Lease reconciles. `--leader-election=false` for a single replica.
    #[arg(long, env = "ONAIR_LEADER_ELECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub leader_election: bool,
    /// Name of the Lease used for leader election.
    #[arg(long, env = "ONAIR_LEASE_NAME", default_value = "onair-leader")]
    pub lease_name: String,
    /// Namespace of the Lease (default: the pod's namespace, else the
    /// kubeconfig's namespace).
    #[arg(long, env = "POD_NAMESPACE")]
    pub lease_namespace: Option<String>,
    /// This replica's identity in the election (default: the pod name, else
    /// host name and process id).
    #[arg(long, env = "POD_NAME")]
    pub identity: Option<String>,
    /// Seconds a lease lasts without renewal: how long a crashed leader's
    /// replicas wait before taking over.
    #[arg(long, default_value_t = 15)]
    pub lease_duration_seconds: u64,
    /// Seconds before expiry at which the leader renews.
    #[arg(long, default_value_t = 5)]
    pub lease_grace_seconds: u64,
    /// Seconds between two looks at an object that is as desired (drift
    /// detection); every change to an object triggers one at once anyway.
    #[arg(long, env = "ONAIR_RESYNC_SECONDS", default_value_t = DEFAULT_RESYNC_SECONDS)]
    pub resync_seconds: u64,
    /// Seconds between two looks while AWS is moving (a channel starting, a
    /// distribution deploying).
    #[arg(long, env = "ONAIR_POLL_SECONDS", default_value_t = 15)]
    pub poll_seconds: u64,
    /// Seconds before retrying after an error.
    #[arg(long, env = "ONAIR_RETRY_SECONDS", default_value_t = 30)]
    pub retry_seconds: u64,
    /// Objects of each kind reconciled at the same time (AWS rate limits
    /// are shared anyway).
    #[arg(long, env = "ONAIR_MAX_CONCURRENT_RECONCILES", default_value_t = MAX_CONCURRENT_RECONCILES)]
    pub max_concurrent_reconciles: u16,
    /// AWS region for objects without a providerRef (default: the SDK's
    /// region chain: AWS_REGION, profile, instance metadata).
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
    /// Role MediaLive channels assume, for objects whose provider names none.
    #[arg(long, env = "ONAIR_MEDIALIVE_ROLE_ARN")]
    pub media_live_role_arn: Option<String>,
    /// Role MediaPackage reads CDN-authorization secrets with, for objects
    /// whose provider names none.
    #[arg(long, env = "ONAIR_MEDIAPACKAGE_SECRETS_ROLE_ARN")]
    pub media_package_secrets_role_arn: Option<String>,
    /// Requests per second per AWS service and account, as
    /// `service=n,...` (such as `medialive=5,cloudfront=2`); the defaults
    /// follow AWS's published quotas.
    #[arg(long, env = "ONAIR_AWS_BUDGETS")]
    pub aws_budgets: Option<String>,
    /// Requests in flight at once per AWS service and account, as
    /// `service=n,...` (default 16 each).
    #[arg(long, env = "ONAIR_AWS_CONCURRENCY")]
    pub aws_concurrency: Option<String>,
    /// Namespaces to watch, comma-separated (default: all). With a list, the
    /// operator reads and writes its kinds, Secrets and ConfigMaps only there
    /// (the Helm chart's RBAC follows `watchNamespaces`).
    #[arg(long, env = "ONAIR_WATCH_NAMESPACES", value_delimiter = ',')]
    pub watch_namespaces: Vec<String>,
    /// Namespaces whose Secrets the operator may read (signing keys, SRT
    /// passphrases), comma-separated; empty: none. Default: every watched
    /// namespace. The Helm chart sets it from `secretNamespaces`, since its
    /// RBAC grants Secrets only in a Role per listed namespace: objects
    /// elsewhere that name a Secret are reported as `SecretsNotReadable`.
    #[arg(long, env = "ONAIR_SECRET_NAMESPACES", value_delimiter = ',')]
    pub secret_namespaces: Option<Vec<String>>,
    /// Send every AWS call to this URL (an emulator such as moto); the
    /// SDK's `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` work too.
    #[arg(long, hide = true)]
    pub aws_endpoint_url: Option<String>,
    /// Work against an in-process simulation of AWS instead of AWS (the
    /// sandbox and tests; nothing is created anywhere).
    #[cfg(feature = "sandbox")]
    #[arg(long, hide = true)]
    pub simulate_aws: bool,
    /// Work against the AWS simulation another process serves at this URL
    /// (`aws::remote`): several operator processes then share one simulated
    /// account, as replicas share one AWS account (the real-cluster tests).
    #[cfg(feature = "sandbox")]
    #[arg(long, hide = true, conflicts_with = "simulate_aws")]
    pub simulation_url: Option<String>,
}

/// Log output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Why the operator could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot find Kubernetes credentials (set KUBECONFIG, or run in a cluster): {0}")]
    Kubeconfig(String),
    #[error("cannot serve health checks on {addr}: {source}")]
    HealthServer {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(String),
}

/// Starts the runtime and runs the operator until it is told to stop.
pub fn main(args: RunArgs) -> Result<(), Error> {
    init_logging(args.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(run(args))
}

pub(crate) fn init_logging(format: LogFormat) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // Colours only for a person at a terminal: a pod's log, a pipe or a file
    // gets plain text, and NO_COLOR (https://no-color.org) turns them off.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && colors_allowed();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    // A second init (tests calling main twice) is harmless: keep the first.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Whether colours are welcome: not when `NO_COLOR` is set to anything
/// but the empty string (<https://no-color.org>).
pub(crate) fn colors_allowed() -> bool {
    colors_allowed_by(std::env::var_os("NO_COLOR").as_deref())
}

fn colors_allowed_by(no_color: Option<&std::ffi::OsStr>) -> bool {
    no_color.is_none_or(|v| v.is_empty())
}

/// Prometheus text exposition of [`crate::metrics`].
async fn metrics() -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::global().encode(),
    )
}

/// Shared readiness: ready once the Kubernetes API answered.
#[derive(Clone, Default)]
struct Health {
    ready: Arc<AtomicBool>,
}

async fn run(args: RunArgs) -> Result<(), Error> {
    let health = Health::default();
    let listener = TcpListener::bind(args.health_addr)
        .await
        .map_err(|source| Error::HealthServer {
            addr: args.health_addr,
            source,
        })?;
    let local = listener
        .local_addr()
        .map_err(|source| Error::HealthServer {
            addr: args.health_addr,
            source,
        })?;
    info!(addr = %local, "serving /healthz, /readyz and /metrics");
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(health.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut server_stop = stop_rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = server_stop.wait_for(|stop| *stop).await;
            })
            .await
    });

    let client = kube::Client::try_default()
        .await
        .map_err(|e| Error::Kubeconfig(e.to_string()))?;
    let connect = tokio::spawn(wait_for_api(
        client.clone(),
        health.clone(),
        stop_rx.clone(),
    ));
    let mut reconciling = tokio::spawn(reconcile(client, args.clone(), stop_rx));

    // Stop on a signal, or when the reconcilers (or leader election) fail:
    // exiting lets Kubernetes restart the pod rather than keep a healthy idler.
    let failure = tokio::select! {
        _ = shutdown_signal() => None,
        ended = &mut reconciling => Some(match ended {
            Ok(Ok(())) => "the reconcilers stopped unexpectedly".to_string(),
            Ok(Err(e)) => e.to_string(),
            Err(e) => format!("the reconcilers failed: {e}"),
        }),
    };
    info!("shutting down");
    let _ = stop_tx.send(true);
    connect.abort();
    if failure.is_none() {
        // The leader releases its Lease on the way out, so a replica takes over now.
        match tokio::time::timeout(Duration::from_secs(10), reconciling).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => warn!(error = %e, "leader election stopped with an error"),
            Ok(Err(e)) => warn!(error = %e, "reconciler task failed"),
            Err(_) => warn!("reconcilers did not stop within 10 s"),
        }
    }
    match tokio::time::timeout(Duration::from_secs(10), server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => warn!(error = %e, "health server stopped with an error"),
        Ok(Err(e)) => warn!(error = %e, "health server task failed"),
        Err(_) => warn!("health server did not stop within 10 s"),
    }
    info!("stopped");
    match failure {
        Some(reason) => Err(Error::Io(reason)),
        None => Ok(()),
    }
}

/// Runs the reconcilers until shutdown: only while holding the Lease when
/// leader election is on.
async fn reconcile(
    client: kube::Client,
    args: RunArgs,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), crate::leader::LeaderError> {
    let stopped = async move {
        let _ = stop.wait_for(|stop| *stop).await;
    };
    let work = {
        let (client, args) = (client.clone(), args.clone());
        move || controllers(client.clone(), args.clone())
    };
    if !args.leader_election {
        tokio::select! {
            _ = stopped => {}
            _ = work() => {}
        }
        return Ok(());
    }
    let settings = crate::leader::LeaderSettings {
        lease_name: args.lease_name.clone(),
        namespace: args
            .lease_namespace
            .clone()
            .unwrap_or_else(|| client.default_namespace().to_string()),
        identity: args.identity.clone().unwrap_or_else(default_identity),
        duration_seconds: args.lease_duration_seconds,
        grace_seconds: args.lease_grace_seconds,
    };
    crate::leader::run_as_leader(client, &settings, stopped, work).await
}

/// The reconcilers, until they stop (they run until the process does).
async fn controllers(client: kube::Client, args: RunArgs) {
    let _leading = crate::metrics::Leading::start();
    let ctx = match context(client, &args, None).await {
        Ok(ctx) => std::sync::Arc::new(ctx),
        Err(e) => {
            tracing::error!(error = %e, "cannot start the reconcilers");
            return;
        }
    };
    run_controllers(ctx, &args).await;
}

/// Every controller, for each watched namespace (or all of them).
pub(crate) async fn run_controllers(
    ctx: std::sync::Arc<crate::controller::context::Context>,
    args: &RunArgs,
) {
    let concurrency = args.max_concurrent_reconciles;
    let namespaces: Vec<Option<String>> = {
        let listed: Vec<String> = args
            .watch_namespaces
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        if listed.is_empty() {
            vec![None]
        } else {
            listed.into_iter().map(Some).collect()
        }
    };
    info!(namespaces = ?namespaces, "watching (None: every namespace)");
    let sets = namespaces.into_iter().map(|namespace| {
        let ctx = ctx.clone();
        async move {
            tokio::join!(
                crate::controller::live_channel::run_in(
                    ctx.clone(),
                    concurrency,
                    namespace.clone()
                ),
                crate::controller::harvest_job::run_in(ctx.clone(), concurrency, namespace.clone()),
                crate::controller::ad_insertion::run_in(
                    ctx.clone(),
                    concurrency,
                    namespace.clone()
                ),
                crate::controller::token_policy::run_in(ctx, concurrency, namespace),
            );
        }
    });
    // AwsProviders are cluster scoped: one controller, whatever the namespaces.
    tokio::join!(
        crate::controller::aws_provider::run(ctx.clone(), concurrency),
        futures::future::join_all(sets),
    );
}

/// The reconcilers' shared context, from the flags; `sim` is the simulation
/// to work against with `--simulate-aws` (a fresh one if None).
pub(crate) async fn context(
    client: kube::Client,
    args: &RunArgs,
    sim: Option<Simulation>,
) -> Result<crate::controller::context::Context, String> {
    use crate::aws::guard::{Budgets, Limiters};
    use crate::controller::provider::{Connector, ProviderDefaults, Providers};
    let mut budgets = Budgets::default();
    if let Some(spec) = &args.aws_budgets {
        budgets
            .parse_overrides(spec)
            .map_err(|e| format!("--aws-budgets: {e}"))?;
    }
    if let Some(spec) = &args.aws_concurrency {
        budgets
            .parse_concurrency(spec)
            .map_err(|e| format!("--aws-concurrency: {e}"))?;
    }
    let limiters = Limiters::new(budgets);
    let region = match &args.region {
        Some(r) => r.clone(),
        None if simulated(args) => "eu-west-1".into(),
        // Without a region, objects with a providerRef still work; the
        // others say what to set.
        None => crate::aws::clients::default_region()
            .await
        .unwrap_or_else(|| {
            warn!("no AWS region (--region or AWS_REGION): only objects with a providerRef can be reconciled");
            String::new()
        }),
    };
    let connector = match simulation(args, sim, &limiters).await? {
        Some(connector) => connector,
        None => Connector::Sdk(crate::aws::accounts::ApisCache::new(limiters)),
    };
    let defaults = ProviderDefaults {
        media_live_role_arn: args.media_live_role_arn.clone(),
        media_package_secrets_role_arn: args.media_package_secrets_role_arn.clone(),
        tags: Default::default(),
    };
    let settings = crate::aws::clients::ClientSettings {
        region,
        endpoint_url: args.aws_endpoint_url.clone(),
        ..Default::default()
    };
    let timing = crate::controller::context::Timing {
        resync: Duration::from_secs(args.resync_seconds.max(1)),
        poll: Duration::from_secs(args.poll_seconds.max(1)),
        retry: Duration::from_secs(args.retry_seconds.max(1)),
        ..Default::default()
    };
    let mut ctx = crate::controller::context::Context::new(
        client.clone(),
        Providers::new(client, connector, settings, defaults),
        timing,
    );
    ctx.secret_access =
        crate::k8s::secret_access::SecretAccess::from_flag(args.secret_namespaces.as_deref());
    if let Some(listed) = ctx.secret_access.listed() {
        info!(namespaces = ?listed, "reading Secrets only in these namespaces");
    }
    Ok(ctx)
}

fn default_identity() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "onair".into());
    format!("{host}-{}", std::process::id())
}

/// Marks the process ready once the API server answers; retries with backoff
/// until then, so a slow API server delays readiness instead of crashing the pod.
async fn wait_for_api(
    client: kube::Client,
    health: Health,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut delay = Duration::from_millis(200);
    loop {
        match client.apiserver_version().await {
            Ok(version) => {
                info!(kubernetes = %version.git_version, "connected to the Kubernetes API");
                health.ready.store(true, Ordering::SeqCst);
                return;
            }
            Err(e) => warn!(error = %e, retry_in = ?delay, "Kubernetes API not reachable yet"),
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

async fn readyz(State(health): State<Health>) -> (StatusCode, &'static str) {
    if health.ready.load(Ordering::SeqCst) {
        (StatusCode::OK, "ok")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not connected to the Kubernetes API yet",
        )
    }
}

/// Resolves on SIGTERM (Kubernetes stopping the pod) or Ctrl-C.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// The in-process AWS simulation a caller may hand [`context`] (none exists
/// without the `sandbox` feature).
#[cfg(feature = "sandbox")]
pub type Simulation = crate::aws::sim::Sim;
#[cfg(not(feature = "sandbox"))]
pub type Simulation = std::convert::Infallible;

#[cfg(feature = "sandbox")]
fn simulated(args: &RunArgs) -> bool {
    args.simulate_aws || args.simulation_url.is_some()
}

#[cfg(not(feature = "sandbox"))]
fn simulated(_args: &RunArgs) -> bool {
    false
}

/// The AWS simulation `--simulate-aws` or `--simulation-url` asks for, if any.
#[cfg(feature = "sandbox")]
async fn simulation(
    args: &RunArgs,
    sim: Option<Simulation>,
    limiters: &std::sync::Arc<crate::aws::guard::Limiters>,
) -> Result<Option<crate::controller::provider::Connector>, String> {
    use crate::aws::apis::AwsApis;
    use crate::controller::provider::Connector;
    if let Some(url) = &args.simulation_url {
        info!(%url, "working against the AWS simulation of another process: nothing is created in AWS");
        let remote = crate::aws::remote::RemoteSim::connect(url).await?;
        let (account, region) = (remote.account().to_string(), remote.region().to_string());
        return Ok(Some(Connector::fixed(
            limiters,
            &account,
            &region,
            |guard| AwsApis::remote(&remote, guard),
        )));
    }
    if args.simulate_aws {
        info!("working against the AWS simulation: nothing is created in AWS");
        let sim = sim.unwrap_or_default();
        return Ok(Some(Connector::fixed(
            limiters,
            sim.account(),
            sim.region(),
            |guard| AwsApis::sim(&sim, guard),
        )));
    }
    Ok(None)
}

/// Without the `sandbox` feature (the operator image) there is no simulation.
#[cfg(not(feature = "sandbox"))]
async fn simulation(
    _args: &RunArgs,
    _sim: Option<Simulation>,
    _limiters: &std::sync::Arc<crate::aws::guard::Limiters>,
) -> Result<Option<crate::controller::provider::Connector>, String> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        run: super::RunArgs,
    }

    #[test]
    fn no_color_set_to_anything_but_empty_turns_colours_off() {
        use std::ffi::OsStr;
        assert!(super::colors_allowed_by(None));
        assert!(super::colors_allowed_by(Some(OsStr::new(""))));
        assert!(!super::colors_allowed_by(Some(OsStr::new("1"))));
        assert!(!super::colors_allowed_by(Some(OsStr::new("false"))));
    }

    fn secret_namespaces(args: &[&str]) -> Option<Vec<String>> {
        let args = std::iter::once("onair").chain(args.iter().copied());
        Cli::try_parse_from(args).unwrap().run.secret_namespaces
    }

    #[test]
    fn secret_namespaces_absent_listed_or_empty() {
        // Absent: wherever onair watches. Empty (the chart's cluster-wide
        // default): nowhere, which must not read as absent.
        if std::env::var_os("ONAIR_SECRET_NAMESPACES").is_none() {
            assert_eq!(secret_namespaces(&[]), None);
        }
        assert_eq!(
            secret_namespaces(&["--secret-namespaces", "a,b"]),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        let empty = secret_namespaces(&["--secret-namespaces="]);
        let access = crate::k8s::secret_access::SecretAccess::from_flag(empty.as_deref());
        assert_eq!(access.listed().map(|l| l.len()), Some(0), "{empty:?}");
    }
}
