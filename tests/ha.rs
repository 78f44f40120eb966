//! High availability end to end (issue 10): two `onair run` processes share
//! one cluster (the local API server) and one AWS (moto for MediaLive,
//! MediaPackage, Secrets Manager and STS; onair's CloudFront emulator over
//! the simulation, as in `tests/aws/live_channel.rs`), reached the way a user
//! points onair at an emulator: the SDK's `AWS_ENDPOINT_URL*` variables and
//! credentials from the environment.
//!
//! Exactly one process reconciles (the Lease holder: only it starts the
//! controllers, and every Event names it as the reporting instance). It is
//! killed with SIGKILL in the middle of a LiveChannel's creation (every AWS
//! resource exists, the distribution is still deploying, the channel is not
//! started); the other takes over once the lease expires, adopts what the
//! first one made and brings the channel on air, with exactly one of each
//! AWS resource; deleting the LiveChannel then leaves nothing in AWS.

#[path = "emu/mod.rs"]
mod emu;

#[allow(dead_code)]
#[path = "aws/moto.rs"]
mod moto;
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, DeleteParams, PostParams};
use onair::api::LiveChannel;
use onair::aws::medialive::{ChannelState, InputState, MediaLiveApi};
use onair::aws::mediapackage::MediaPackageApi;
use onair::aws::sim::{Sim, SimTimings};
use onair::aws::Service;
use support::operator::{channel_state, ready};
use tokio::process::{Child, Command};

use moto::Moto;

const NS: &str = "default";
const LEASE: &str = "onair-leader";
/// The lease duration the processes run with: a killed leader is replaced
/// after at most this long plus a renewal attempt.
const LEASE_SECONDS: u64 = 3;
const CHANNEL: &str = "news";
const MEDIALIVE_ROLE: &str = "arn:aws:iam::123456789012:role/MediaLiveAccessRole";
const SECRETS_ROLE: &str = "arn:aws:iam::123456789012:role/MediaPackageSecretsRole";

/// The AWS both processes share.
struct SharedAws {
    moto: Moto,
    /// Behind the CloudFront emulator; its clock is moved by the test only
    /// (distributions deploy in an hour of it), which holds a new channel in
    /// the middle of its creation for as long as the test wants.
    sim: Sim,
    cloudfront: emu::Server,
}

impl SharedAws {
    async fn start() -> Self {
        let moto = Moto::start();
        let sim = Sim::new(SimTimings {
            distribution_deploy: Duration::from_secs(3600),
            ..SimTimings::default()
        });
        let cloudfront = emu::serve(emu::cloudfront::router(sim.cloudfront()))
            .await
            .unwrap();
        Self {
            moto,
            sim,
            cloudfront,
        }
    }

    /// What `onair run` needs to reach it: endpoints, fixed credentials, and
    /// nothing from the machine's own AWS configuration.
    fn env(&self, dir: &Path) -> Vec<(&'static str, String)> {
        let nowhere = dir.join("no-aws-config").to_string_lossy().into_owned();
        vec![
            ("AWS_ENDPOINT_URL", self.moto.url.clone()),
            ("AWS_ENDPOINT_URL_CLOUDFRONT", self.cloudfront.url.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_CONFIG_FILE", nowhere.clone()),
            ("AWS_SHARED_CREDENTIALS_FILE", nowhere),
        ]
    }

    /// Ids of every live resource, read through the SDK (moto) and the
    /// CloudFront API (the emulated part).
    async fn inventory(&self) -> Inventory {
        let clients = self.moto.clients().await;
        let medialive = onair::aws::sdk::medialive::SdkMediaLive::new(&clients);
        let mediapackage = onair::aws::sdk::mediapackage::SdkMediaPackage::new(&clients);
        let inputs = medialive
            .list_inputs()
            .await
            .unwrap()
            .into_iter()
            .filter(|i| !matches!(i.state, InputState::Deleted | InputState::Deleting))
            .map(|i| i.id)
            .collect();
        let channels = medialive
            .list_channels()
            .await
            .unwrap()
            .into_iter()
            .filter(|c| !matches!(c.state, ChannelState::Deleted | ChannelState::Deleting))
            .map(|c| c.id)
            .collect();
        let packaging: BTreeSet<String> = mediapackage
            .list_channels()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut endpoints = BTreeSet::new();
        for channel in &packaging {
            for e in mediapackage.list_origin_endpoints(channel).await.unwrap() {
                endpoints.insert(e.spec.id);
            }
        }
        // onair's Secrets Manager API has no listing: the SDK's own client.
        let (config, endpoint) = clients.for_service(Service::SecretsManager);
        let mut builder = aws_sdk_secretsmanager::config::Builder::from(&config);
        if let Some(url) = endpoint {
            builder = builder.endpoint_url(url);
        }
        let secrets = aws_sdk_secretsmanager::Client::from_conf(builder.build())
            .list_secrets()
            .max_results(100)
            .send()
            .await
            .unwrap()
            .secret_list()
            .iter()
            .filter_map(|s| s.arn().map(str::to_string))
            .collect();
        let distributions: BTreeSet<String> = self
            .sim
            .cloudfront()
            .list_distributions()
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(
            self.sim.inventory().await["distributions"],
            distributions.len(),
            "the listing and the simulation agree"
        );
        Inventory {
            inputs,
            channels,
            packaging,
            endpoints,
            secrets,
            distributions,
        }
    }
}

/// Live AWS resources by kind, as ids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inventory {
    inputs: BTreeSet<String>,
    channels: BTreeSet<String>,
    packaging: BTreeSet<String>,
    endpoints: BTreeSet<String>,
    secrets: BTreeSet<String>,
    distributions: BTreeSet<String>,
}

impl Inventory {
    /// How many of each: [inputs, channels, packaging channels, endpoints,
    /// secrets, distributions].
    fn counts(&self) -> [usize; 6] {
        let counts = self.raw_counts();
        // At no time more than one channel's worth: a second reconciler, or a
        // new leader that does not adopt, would show here.
        assert!(
            counts.iter().zip(ONE_CHANNEL).all(|(n, one)| *n <= one),
            "duplicate AWS resources: {self:#?}"
        );
        counts
    }

    fn raw_counts(&self) -> [usize; 6] {
        [
            self.inputs.len(),
            self.channels.len(),
            self.packaging.len(),
            self.endpoints.len(),
            self.secrets.len(),
            self.distributions.len(),
        ]
    }
}

/// What one channel owns: one input (a pull input: no security group), one
/// MediaLive channel, one MediaPackage channel with its HLS and DASH
/// endpoints, one CDN-authorization secret, one distribution.
const ONE_CHANNEL: [usize; 6] = [1, 1, 1, 2, 1, 1];
const NOTHING: [usize; 6] = [0; 6];

/// One `onair run` process, its log (JSON lines) in a file. Killed when
/// dropped; prints the end of its log when the test fails.
struct Replica {
    identity: String,
    child: Child,
    log: PathBuf,
}

impl Replica {
    fn start(identity: &str, dir: &Path, kubeconfig: &Path, aws: &SharedAws) -> Self {
        let log = dir.join(format!("{identity}.log"));
        let stderr = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_onair"))
            .arg("run")
            .args(["--health-addr", "127.0.0.1:0", "--log-format", "json"])
            .args(["--identity", identity])
            .args(["--lease-duration-seconds", &LEASE_SECONDS.to_string()])
            // Renewed every second, 2 s of slack: a busy machine does not
            // lose the lease of a live leader.
            .args(["--lease-grace-seconds", "2"])
            .args(["--poll-seconds", "1", "--retry-seconds", "1"])
            .args(["--region", "us-east-1"])
            .args(["--media-live-role-arn", MEDIALIVE_ROLE])
            .args(["--media-package-secrets-role-arn", SECRETS_ROLE])
            .env_clear()
            .env("KUBECONFIG", kubeconfig)
            // The Events' reporting instance.
            .env("POD_NAME", identity)
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
            )
            .envs(aws.env(dir))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .expect("start onair run");
        Self {
            identity: identity.into(),
            child,
            log,
        }
    }

    /// The messages it logged so far.
    fn messages(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|v| v["message"].as_str().map(str::to_string))
            .collect()
    }

    fn logged(&self, message: &str) -> bool {
        self.messages().iter().any(|m| m == message)
    }

    /// SIGKILL: no release of the lease, no clean-up of any kind.
    async fn kill(&mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            eprintln!(
                "--- last lines of {} ({}):",
                self.identity,
                self.log.display()
            );
            for line in &lines[lines.len().saturating_sub(40)..] {
                eprintln!("{line}");
            }
        }
    }
}

/// Moves the simulation's clock while it lives (distributions deploy).
struct ClockMover(tokio::task::JoinHandle<()>);

impl ClockMover {
    fn start(sim: &Sim) -> Self {
        let sim = sim.clone();
        Self(tokio::spawn(async move {
            loop {
                sim.advance(Duration::from_secs(600));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }))
    }
}

impl Drop for ClockMover {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Evaluates `$probe` (an `Option`) until it is `Some`, at most `$timeout`;
/// on a timeout, says what `$seen` (a `Debug` expression) last was.
macro_rules! eventually {
    ($what:expr, $timeout:expr, $probe:expr) => {
        eventually!($what, $timeout, $probe, "-")
    };
    ($what:expr, $timeout:expr, $probe:expr, $seen:expr) => {{
        let timeout: Duration = $timeout;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(value) = $probe {
                break value;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting until {}; last seen: {:#?}",
                    $what, $seen
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }};
}

async fn holder(leases: &Api<Lease>) -> Option<String> {
    leases
        .get_opt(LEASE)
        .await
        .unwrap()
        .and_then(|l| l.spec)
        .and_then(|s| s.holder_identity)
}

/// (reporting instance, reason) of every Event about the channel.
async fn events(client: &kube::Client) -> Vec<(String, String)> {
    Api::<Event>::namespaced(client.clone(), NS)
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(CHANNEL))
        .map(|e| {
            (
                e.reporting_instance.unwrap_or_default(),
                e.reason.unwrap_or_default(),
            )
        })
        .collect()
}

fn status_of(lc: Option<&LiveChannel>) -> String {
    serde_json::to_string_pretty(&lc.and_then(|l| l.status.as_ref())).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_replica_reconciles_and_another_takes_over_without_duplicates() {
    let aws = SharedAws::start().await;
    let server = support::server_with_crds().await;
    let client = server.client();
    let dir = support::scratch_dir("ha");
    let kubeconfig = dir.join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();

    // Both at once: they race for the Lease.
    let mut replicas = [
        Replica::start("replica-a", &dir, &kubeconfig, &aws),
        Replica::start("replica-b", &dir, &kubeconfig, &aws),
    ];
    let leases: Api<Lease> = Api::namespaced(client.clone(), NS);
    let leader_id = eventually!(
        "one replica holds the Lease",
        Duration::from_secs(60),
        holder(&leases).await
    );
    let leader = replicas
        .iter()
        .position(|r| r.identity == leader_id)
        .unwrap_or_else(|| panic!("the Lease holder {leader_id} is neither replica"));
    let follower = 1 - leader;
    let follower_id = replicas[follower].identity.clone();
    eventually!(
        "both replicas reach the Kubernetes API",
        Duration::from_secs(60),
        replicas
            .iter()
            .all(|r| r.logged("connected to the Kubernetes API"))
            .then_some(())
    );

    // The shipped example, as tests/aws/live_channel.rs runs it on moto: no
    // providerRef (the processes' own credentials and region), a pull input
    // (moto has no input security groups), no real-time logs.
    let channel = support::pull_input_channel(CHANNEL);
    let channels: Api<LiveChannel> = Api::namespaced(client.clone(), NS);
    channels
        .create(&PostParams::default(), &channel)
        .await
        .unwrap();

    // The leader creates everything up to the MediaLive channel (the last
    // child) and then waits for the distribution, which the frozen clock
    // keeps deploying.
    let mut seen;
    let before = eventually!(
        "the leader created every AWS resource of the channel",
        Duration::from_secs(120),
        {
            let inventory = aws.inventory().await;
            seen = Some(inventory.clone());
            (inventory.counts() == ONE_CHANNEL).then_some(inventory)
        },
        (
            &seen,
            status_of(channels.get_opt(CHANNEL).await.unwrap().as_ref())
        )
    );
    // Give a second reconciler every chance to show up: a few lease periods
    // with the leader polling every second.
    tokio::time::sleep(Duration::from_secs(2 * LEASE_SECONDS)).await;
    let lc = channels.get(CHANNEL).await.unwrap();
    assert!(
        !ready(Some(&lc)),
        "not Ready while the distribution deploys: {}",
        status_of(Some(&lc))
    );
    assert_eq!(holder(&leases).await.as_deref(), Some(leader_id.as_str()));
    assert!(replicas[leader].logged("LiveChannel controller started"));
    for message in [
        "became the leader; reconciling",
        "LiveChannel controller started",
    ] {
        assert!(
            !replicas[follower].logged(message),
            "the follower logged {message:?} while the other replica leads"
        );
    }
    let early = events(&client).await;
    assert!(
        early.iter().any(|(_, reason)| reason == "Created"),
        "the leader recorded its creations: {early:?}"
    );
    assert!(
        early.iter().all(|(instance, _)| *instance == leader_id),
        "only the leader reconciles: {early:?}"
    );
    assert_eq!(aws.inventory().await, before, "nothing more was created");

    // Kill -9 the leader while the channel waits for its distribution.
    replicas[leader].kill().await;
    let killed_at = Instant::now();
    eventually!(
        "the follower holds the Lease",
        Duration::from_secs(60),
        (holder(&leases).await.as_deref() == Some(follower_id.as_str())).then_some(())
    );
    let took_over = killed_at.elapsed();
    eprintln!("{follower_id} took over {took_over:?} after {leader_id} was killed");
    assert!(
        took_over < Duration::from_secs(LEASE_SECONDS + 7),
        "the follower took over {took_over:?} after the kill; the lease lasts {LEASE_SECONDS} s"
    );
    eventually!(
        "the follower starts its reconcilers",
        Duration::from_secs(30),
        replicas[follower]
            .logged("LiveChannel controller started")
            .then_some(())
    );

    // Now the distribution deploys, and the new leader finishes the job.
    let clock = ClockMover::start(&aws.sim);
    let mut seen;
    let lc = eventually!(
        "the channel is on air under the new leader",
        Duration::from_secs(180),
        {
            let lc = channels.get_opt(CHANNEL).await.unwrap();
            // No duplicate on the way either.
            aws.inventory().await.counts();
            seen = Some(status_of(lc.as_ref()));
            (ready(lc.as_ref()) && channel_state(lc.as_ref()).as_deref() == Some("RUNNING"))
                .then_some(lc)
                .flatten()
        },
        seen
    );
    let after = aws.inventory().await;
    assert_eq!(
        after.counts(),
        ONE_CHANNEL,
        "one of each AWS resource: {after:?}"
    );
    assert_eq!(
        after, before,
        "the new leader adopted what the killed one created"
    );
    let resources = lc.status.as_ref().unwrap().resources.clone().unwrap();
    let set = |ids: &[&Option<String>]| ids.iter().filter_map(|id| (*id).clone()).collect();
    assert_eq!(
        after,
        Inventory {
            inputs: set(&[&resources.input_id]),
            channels: set(&[&resources.channel_id]),
            packaging: set(&[&resources.media_package_channel_id]),
            endpoints: set(&[&resources.hls_endpoint_id, &resources.dash_endpoint_id]),
            secrets: set(&[&resources.cdn_auth_secret_arn]),
            distributions: set(&[&resources.distribution_id]),
        },
        "the status names what exists"
    );
    let all = events(&client).await;
    assert!(
        all.contains(&(follower_id.clone(), "Starting".into())),
        "the new leader started the channel: {all:?}"
    );
    assert!(
        all.iter().all(|(instance, reason)| *instance == follower_id
            || (*instance == leader_id && reason != "Starting")),
        "events come from the two replicas, the channel start from the new leader: {all:?}"
    );

    // Deletion under the new leader leaves nothing behind.
    channels
        .delete(CHANNEL, &DeleteParams::default())
        .await
        .unwrap();
    eventually!(
        "the LiveChannel is gone",
        Duration::from_secs(180),
        channels
            .get_opt(CHANNEL)
            .await
            .unwrap()
            .is_none()
            .then_some(()),
        (
            status_of(channels.get_opt(CHANNEL).await.unwrap().as_ref()),
            aws.inventory().await
        )
    );
    assert_eq!(
        aws.inventory().await.counts(),
        NOTHING,
        "no AWS resource left"
    );
    drop(clock);

    replicas[follower].kill().await;
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
