//! `onair bench`: the figures the design targets, measured on the local API
//! server and the AWS simulation with the real controller.
//!
//! - steady state: AWS calls per channel per resync (target: no writes, at
//!   most one read per resource);
//! - scale: N channels applied at once converge (Ready and RUNNING) under
//!   simulated AWS rate limits; the time as a ratio to the lower bound those
//!   limits set (target <= 1.3);
//! - peak memory of the operator process (with the simulation; the API
//!   server runs in a process of its own).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::api::{Api, ListParams, PostParams};

use crate::api::live_channel::LiveChannel;
use crate::api::AwsProvider;
use crate::aws::guard::{Budget, Budgets, Limiters};
use crate::aws::sim::{Sim, SimTimings};
use crate::aws::Service;
use crate::controller::context::{Context, Timing};
use crate::controller::provider::{Connector, ProviderDefaults, Providers};

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
}

/// The services a LiveChannel calls, with their simulated (and budgeted) rates.
const SERVICES: [Service; 4] = [
    Service::MediaLive,
    Service::MediaPackage,
    Service::SecretsManager,
    Service::CloudFront,
];

pub fn main(args: BenchArgs) -> Result<(), String> {
    crate::run::init_logging(crate::run::LogFormat::Text);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(bench(args))
}

fn channel(i: usize) -> LiveChannel {
    let mut lc: LiveChannel = serde_yaml::from_str(include_str!("../examples/live-channel.yaml"))
        .expect("the example parses");
    lc.metadata.name = Some(format!("channel-{i:04}"));
    lc.spec.cdn.telemetry = None;
    lc
}

fn converged(lc: &LiveChannel) -> bool {
    let Some(status) = &lc.status else {
        return false;
    };
    status.channel_state.as_deref() == Some("RUNNING")
        && status
            .conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == crate::api::ConditionStatus::True)
}

async fn bench(args: BenchArgs) -> Result<(), String> {
    // The API server runs in a process of its own, so the memory figure is
    // the operator's (with the in-process AWS simulation).
    let api_server = ApiServerProcess::start().await?;
    let client = api_server.client().await?;
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(client.clone());
    for crd in crate::crd::all() {
        crds.create(&PostParams::default(), &crd)
            .await
            .map_err(|e| e.to_string())?;
    }
    let provider: AwsProvider = serde_yaml::from_str(include_str!("../examples/aws-provider.yaml"))
        .map_err(|e| e.to_string())?;
    Api::<AwsProvider>::all(client.clone())
        .create(&PostParams::default(), &provider)
        .await
        .map_err(|e| e.to_string())?;

    // AWS transitions short next to the rate-limited work, so the limits
    // are what the run measures.
    let sim = Sim::new(SimTimings {
        channel_create: Duration::from_secs(2),
        channel_start: Duration::from_secs(5),
        channel_stop: Duration::from_secs(2),
        channel_delete: Duration::from_secs(2),
        input_create: Duration::from_secs(1),
        distribution_deploy: Duration::from_secs(10),
        ..SimTimings::default()
    });
    let mut budgets = Budgets::default();
    let mut rates = BTreeMap::new();
    for service in SERVICES {
        let rate = service.default_rate() * args.rate_scale.max(1);
        sim.faults().throttle(service, rate);
        budgets.overrides.insert(service, Budget::per_second(rate));
        rates.insert(service, rate);
    }
    let providers = Providers::new(
        client.clone(),
        Connector::Sim {
            sim: sim.clone(),
            limiters: Limiters::new(budgets),
        },
        Default::default(),
        ProviderDefaults::default(),
    );
    let timing = Timing {
        resync: Duration::from_secs(3600),
        poll: Duration::from_secs(2),
        retry: Duration::from_secs(2),
        ..Default::default()
    };
    let ctx = Arc::new(Context::new(client.clone(), providers, timing));
    let controller = tokio::spawn(crate::controller::live_channel::run(ctx.clone(), 64));

    let api: Api<LiveChannel> = Api::namespaced(client.clone(), "default");
    println!(
        "applying {} LiveChannels at once; AWS rate limits (requests/s): {}",
        args.channels,
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
    }
    loop {
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| e.to_string())?;
        let done = list.items.iter().filter(|lc| converged(lc)).count();
        if done == args.channels {
            break;
        }
        if start.elapsed() > Duration::from_secs(args.timeout_seconds) {
            controller.abort();
            return Err(format!(
                "only {done} of {} channels converged within {} s",
                args.channels, args.timeout_seconds
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let elapsed = start.elapsed();
    controller.abort();

    let calls = sim.faults().all_calls();
    let per_service = |service: Service| -> u64 {
        calls
            .iter()
            .filter(|((s, _), _)| *s == service)
            .map(|(_, n)| n)
            .sum()
    };
    println!(
        "\nconverged: {} channels Ready and RUNNING in {:.1} s",
        args.channels,
        elapsed.as_secs_f64()
    );
    let mut bound = 0.0f64;
    let mut bottleneck = Service::MediaLive;
    println!("calls per channel to converge, and the time each service needs at its limit:");
    for service in SERVICES {
        let n = per_service(service);
        let seconds = n as f64 / f64::from(rates[&service]);
        if seconds > bound {
            bound = seconds;
            bottleneck = service;
        }
        println!(
            "  {:<16} {:>6.1} calls/channel  {:>7.1} s at {} req/s  (throttled answers: {})",
            service.name(),
            n as f64 / args.channels as f64,
            seconds,
            rates[&service],
            sim.faults().throttled(service)
        );
    }
    println!(
        "lower bound (the busiest service, {}, serving its calls at its limit): {:.1} s",
        bottleneck.name(),
        bound
    );
    println!(
        "ratio to the lower bound: {:.2} (target <= 1.3)",
        elapsed.as_secs_f64() / bound.max(f64::EPSILON)
    );
    // The stricter bound: only the writes, as if reads were free. The gap
    // is what polling costs while AWS creates, starts and deploys.
    let writes_only = SERVICES
        .iter()
        .map(|service| {
            let writes: u64 = calls
                .iter()
                .filter(|((s, op), _)| s == service && !is_read(op))
                .map(|(_, n)| n)
                .sum();
            writes as f64 / f64::from(rates[service])
        })
        .fold(0.0, f64::max);
    println!(
        "(bound from the writes alone, as if reads were free: {:.1} s; ratio {:.2})",
        writes_only,
        elapsed.as_secs_f64() / writes_only.max(f64::EPSILON)
    );

    // One resync of every channel, by hand: what steady state costs.
    let before = sim.faults().all_calls();
    let writes_before = sim.faults().writes();
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| e.to_string())?;
    for lc in list.items {
        crate::controller::live_channel::reconcile(Arc::new(lc), ctx.clone())
            .await
            .map_err(|e| e.to_string())?;
    }
    let after = sim.faults().all_calls();
    let reads: u64 = after.values().sum::<u64>()
        - before.values().sum::<u64>()
        - (sim.faults().writes() - writes_before);
    let resources = 8.0;
    println!(
        "\nsteady state, one resync: {:.2} writes and {:.2} reads per channel ({:.2} reads per resource; target 0 writes, <= 1 read per resource)",
        (sim.faults().writes() - writes_before) as f64 / args.channels as f64,
        reads as f64 / args.channels as f64,
        reads as f64 / args.channels as f64 / resources
    );
    println!(
        "peak memory of the operator process (with the AWS simulation; the API server runs apart): {}",
        peak_memory()
    );
    Ok(())
}

/// `onair sandbox --api-only` as a child process, stopped when dropped.
struct ApiServerProcess {
    child: tokio::process::Child,
    kubeconfig: std::path::PathBuf,
}

impl ApiServerProcess {
    async fn start() -> Result<Self, String> {
        let kubeconfig =
            std::env::temp_dir().join(format!("onair-bench-{}.kubeconfig", std::process::id()));
        let _ = std::fs::remove_file(&kubeconfig);
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let child = tokio::process::Command::new(exe)
            .args(["sandbox", "--api-only", "--kubeconfig"])
            .arg(&kubeconfig)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start the local API server: {e}"))?;
        for _ in 0..200 {
            if kubeconfig.exists() {
                return Ok(Self { child, kubeconfig });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("the local API server did not start within 10 s".into())
    }

    async fn client(&self) -> Result<kube::Client, String> {
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&self.kubeconfig).map_err(|e| e.to_string())?,
            &Default::default(),
        )
        .await
        .map_err(|e| e.to_string())?;
        kube::Client::try_from(config).map_err(|e| e.to_string())
    }
}

impl Drop for ApiServerProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_file(&self.kubeconfig);
    }
}

fn is_read(operation: &str) -> bool {
    ["describe", "list", "get", "head"]
        .iter()
        .any(|r| operation.starts_with(r))
}

/// VmHWM from /proc (Linux), the process's peak resident set.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown (no /proc)".into())
}
