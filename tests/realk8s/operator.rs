//! `onair run` as a process against a real kube-apiserver, authenticated as
//! the chart's ServiceAccount (a `kubectl create token` token, as a pod's
//! projected token would be), with the chart's RBAC and nothing more. AWS is
//! the simulation, served over HTTP by the test (`aws::remote`) so several
//! operator processes share one simulated account as replicas share one AWS
//! account.
//!
//! - cluster-wide: every example converges (kstatus Current, Argo CD
//!   Healthy) with no RBAC denial, a bad spec turns Failed/Degraded, and
//!   deleting the examples leaves nothing in AWS; Secrets are read (and
//!   watched) only in `secretNamespaces`, and a TokenPolicy elsewhere is
//!   `SecretsNotReadable` without a refused request;
//! - `--watch-namespaces`: objects elsewhere are left alone, and
//!   `kubectl auth can-i` shows the ServiceAccount can do what the operator
//!   needs and nothing more (no Secret read outside the watched namespace);
//! - two replicas: one holds the real Lease; after kill -9 of the holder the
//!   other takes over and carries on, without a duplicate AWS resource.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use onair::aws::sim::Sim;

use super::control_plane::{dies_with_parent, ControlPlane};
use super::support;
use super::support::kubectl::Kubectl;
use super::tools::{admin_kubectl, get_json, health_of, Helm, OPERATOR_NAMESPACE, SERVICE_ACCOUNT};

/// How many times faster than the clock simulated AWS runs (MediaLive takes
/// a minute to start a channel, CloudFront minutes to deploy).
const AWS_SPEED: u64 = 60;
/// The kinds the examples create in a namespace, as kubectl names them.
const KINDS: &str = "livechannels,adinsertions,tokenpolicies,harvestjobs";

/// The simulated AWS account, served on a free loopback port, its clock
/// running [`AWS_SPEED`] times faster, with the bucket the example
/// HarvestJob writes to.
struct SimulatedAws {
    sim: Sim,
    url: String,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl SimulatedAws {
    async fn start() -> Self {
        let sim = Sim::default();
        sim.create_bucket("example-media-vod");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let served = sim.clone();
        let server = tokio::spawn(async move {
            onair::aws::remote::serve(served, listener).await.unwrap();
        });
        let clock = sim.clone();
        let advancer = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                clock.advance(Duration::from_millis(250 * (AWS_SPEED - 1)));
            }
        });
        Self {
            sim,
            url,
            tasks: vec![server, advancer],
        }
    }
}

impl Drop for SimulatedAws {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// One `onair run` process; killed (SIGKILL) when dropped.
struct OperatorProcess {
    identity: String,
    log: PathBuf,
    child: Child,
}

impl OperatorProcess {
    fn spawn(
        plane: &ControlPlane,
        kubeconfig: &Path,
        aws: &SimulatedAws,
        identity: &str,
        extra: &[&str],
    ) -> Self {
        let log = plane.dir.join(format!("operator-{identity}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = dies_with_parent(&mut Command::new(env!("CARGO_BIN_EXE_onair")))
            .args(["run", "--simulation-url", &aws.url])
            .args(["--health-addr", "127.0.0.1:0"])
            .args(["--poll-seconds", "1", "--retry-seconds", "2"])
            .args([
                "--lease-namespace",
                OPERATOR_NAMESPACE,
                "--identity",
                identity,
            ])
            .args([
                "--lease-duration-seconds",
                "6",
                "--lease-grace-seconds",
                "2",
            ])
            .args(extra)
            .env("KUBECONFIG", kubeconfig)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("ONAIR_WATCH_NAMESPACES")
            .env_remove("ONAIR_SECRET_NAMESPACES")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("onair starts");
        Self {
            identity: identity.to_string(),
            log,
            child,
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// What the API server refused it, if anything: the chart's RBAC must
    /// cover everything the operator does, and every Event it records must
    /// be one kube-apiserver accepts.
    fn assert_never_denied(&self) {
        let log = self.log_text();
        let denied: Vec<&str> = log
            .lines()
            .filter(|l| {
                let l = l.to_ascii_lowercase();
                l.contains("forbidden")
                    || l.contains("unauthorized")
                    || l.contains("cannot record an event")
            })
            .collect();
        assert!(
            denied.is_empty(),
            "operator {} was refused by the API server:\n{}",
            self.identity,
            denied.join("\n")
        );
    }

    fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for OperatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log_text();
            let lines: Vec<&str> = log.lines().collect();
            eprintln!(
                "operator {} last lines:\n{}",
                self.identity,
                lines[lines.len().saturating_sub(60)..].join("\n")
            );
        }
    }
}

/// A control plane with the chart installed (`helm_flags` added) and the
/// chart's ServiceAccount's kubeconfig.
async fn installed(
    tag: &str,
    namespaces: &[&str],
    helm_flags: &[&str],
) -> (ControlPlane, Kubectl, PathBuf) {
    let plane = ControlPlane::start(tag);
    let kubectl = admin_kubectl(&plane);
    for namespace in namespaces {
        kubectl.ok(&["create", "namespace", namespace]).await;
    }
    Helm::new(&plane).install(helm_flags);
    kubectl.wait_for_crds().await;
    let kubeconfig = plane.service_account_kubeconfig(OPERATOR_NAMESPACE, SERVICE_ACCOUNT);
    (plane, kubectl, kubeconfig)
}

/// kstatus's and Argo CD's verdict on every onair object in `namespace`,
/// keyed `Kind/name`.
async fn health_in(kubectl: &Kubectl, namespace: &str) -> BTreeMap<String, (String, String)> {
    let list = get_json(kubectl, &["get", KINDS, "-n", namespace]).await;
    let objects = list["items"].as_array().cloned().unwrap_or_default();
    health_of(&objects)
        .into_iter()
        .map(|h| {
            (
                format!(
                    "{}/{}",
                    h["kind"].as_str().unwrap(),
                    h["name"].as_str().unwrap()
                ),
                (
                    h["kstatus"]["status"].as_str().unwrap().to_string(),
                    h["argocd"]["status"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

/// Polls until every onair object in `namespace` is kstatus Current and Argo
/// CD Healthy; returns every verdict seen on the way.
async fn wait_all_current(
    kubectl: &Kubectl,
    namespace: &str,
    count: usize,
    operators: &[&OperatorProcess],
) -> Vec<BTreeMap<String, (String, String)>> {
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut seen = Vec::new();
    loop {
        let health = health_in(kubectl, namespace).await;
        let done = health.len() == count
            && health
                .values()
                .all(|(kstatus, argocd)| kstatus == "Current" && argocd == "Healthy");
        seen.push(health);
        if done {
            return seen;
        }
        if Instant::now() > deadline {
            let status = kubectl
                .ok(&["get", KINDS, "-n", namespace, "-o", "yaml"])
                .await;
            for operator in operators {
                eprintln!("operator {}:\n{}", operator.identity, operator.log_text());
            }
            panic!(
                "not every object in {namespace} became Current/Healthy: {:?}\n{status}",
                seen.last()
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn apply_examples(kubectl: &Kubectl, namespace: &str) {
    kubectl
        .ok(&["apply", "-k", "examples/", "-n", namespace])
        .await;
}

/// Every kind of AWS resource is gone (harvest jobs are records MediaPackage
/// keeps; onair cannot delete them).
fn assert_nothing_left(inventory: &BTreeMap<&'static str, usize>) {
    let left: BTreeMap<_, _> = inventory
        .iter()
        .filter(|(kind, count)| **count > 0 && **kind != "harvest jobs")
        .collect();
    assert!(left.is_empty(), "left in AWS after delete: {left:?}");
}

async fn wait_nothing_left(aws: &SimulatedAws) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let inventory = aws.sim.full_inventory().await;
        if inventory
            .iter()
            .all(|(kind, count)| *count == 0 || *kind == "harvest jobs")
            || Instant::now() > deadline
        {
            return assert_nothing_left(&inventory);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `kubectl auth can-i` as the chart's ServiceAccount.
async fn can_i(kubectl: &Kubectl, args: &[&str]) -> bool {
    let subject = format!("--as=system:serviceaccount:{OPERATOR_NAMESPACE}:{SERVICE_ACCOUNT}");
    let mut all = vec!["auth", "can-i", subject.as_str()];
    all.extend_from_slice(args);
    let out = kubectl.run(&all).await;
    let answer = String::from_utf8_lossy(&out.stdout).trim().to_string();
    match answer.as_str() {
        "yes" => true,
        "no" => false,
        other => panic!(
            "kubectl auth can-i {args:?}: {other} {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// The RBAC checks that hold in both install modes: the operator can do
/// what it does and not what it doesn't.
async fn assert_rbac_bounds(kubectl: &Kubectl, watched: &str) {
    for (allowed, args) in [
        (true, vec!["watch", "livechannels.onair.dev", "-n", watched]),
        (
            true,
            vec!["patch", "livechannels.onair.dev/status", "-n", watched],
        ),
        (
            true,
            vec![
                "update",
                "tokenpolicies.onair.dev/finalizers",
                "-n",
                watched,
            ],
        ),
        (true, vec!["delete", "harvestjobs.onair.dev", "-n", watched]),
        (true, vec!["get", "secrets", "-n", watched]),
        (true, vec!["create", "events.events.k8s.io", "-n", watched]),
        (true, vec!["patch", "awsproviders.onair.dev/status"]),
        // The AwsProviders' events: kube-apiserver keeps those of
        // cluster-scoped objects in `default`.
        (
            true,
            vec!["create", "events.events.k8s.io", "-n", "default"],
        ),
        (
            true,
            vec![
                "update",
                "leases.coordination.k8s.io",
                "-n",
                OPERATOR_NAMESPACE,
            ],
        ),
        // Users own their objects and Secrets: the operator only reads
        // Secrets and only deletes finished HarvestJobs.
        (
            false,
            vec!["delete", "livechannels.onair.dev", "-n", watched],
        ),
        (
            false,
            vec!["create", "livechannels.onair.dev", "-n", watched],
        ),
        (false, vec!["create", "secrets", "-n", watched]),
        (false, vec!["update", "secrets", "-n", watched]),
        (false, vec!["delete", "awsproviders.onair.dev"]),
        (false, vec!["create", "pods", "-n", watched]),
        (
            false,
            vec!["get", "customresourcedefinitions.apiextensions.k8s.io"],
        ),
        (
            false,
            vec!["create", "clusterroles.rbac.authorization.k8s.io"],
        ),
        (
            false,
            vec!["update", "leases.coordination.k8s.io", "-n", "kube-system"],
        ),
        (
            false,
            vec!["create", "serviceaccounts/token", "-n", OPERATOR_NAMESPACE],
        ),
    ] {
        assert_eq!(
            can_i(kubectl, &args).await,
            allowed,
            "kubectl auth can-i {args:?} should say {}",
            if allowed { "yes" } else { "no" }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cluster_wide_the_examples_converge_fail_and_clean_up_with_the_charts_rbac() {
    // Cluster-wide, Secrets only where listed (as the chart's Deployment
    // passes secretNamespaces on).
    let (plane, kubectl, kubeconfig) = installed(
        "op-cluster",
        &["media", "other"],
        &["--set", "secretNamespaces={media}"],
    )
    .await;
    let aws = SimulatedAws::start().await;
    apply_examples(&kubectl, "media").await;
    kubectl
        .ok(&[
            "apply",
            "-n",
            "other",
            "-f",
            "examples/token-signing-keys.yaml",
            "-f",
            "examples/token-policy.yaml",
        ])
        .await;
    let operator = OperatorProcess::spawn(
        &plane,
        &kubeconfig,
        &aws,
        "solo",
        &["--secret-namespaces", "media"],
    );

    let seen = wait_all_current(&kubectl, "media", 4, &[&operator]).await;
    // kstatus and Argo CD saw the work happen, not only its end.
    assert!(
        seen.iter().any(|h| h
            .values()
            .any(|(k, a)| k == "InProgress" && a == "Progressing")),
        "never InProgress/Progressing on the way: {seen:?}"
    );
    let inventory = aws.sim.full_inventory().await;
    for kind in [
        "channels",
        "inputs",
        "packaging channels",
        "distributions",
        "playback configurations",
    ] {
        assert_eq!(inventory[kind], 1, "{kind}: {inventory:?}");
    }
    // Every Event the operator recorded went through the events.k8s.io API.
    let events = kubectl
        .ok(&[
            "get",
            "events",
            "-n",
            "media",
            "--field-selector",
            "reportingComponent=onair",
            "-o",
            "name",
        ])
        .await;
    assert!(!events.trim().is_empty(), "no Events recorded");
    let table = kubectl.ok(&["get", "livechannels", "-n", "media"]).await;
    assert!(
        table.contains("sports-1") && table.contains("RUNNING"),
        "{table}"
    );
    // `kubectl get onair`: every kind in the category, each saying whether
    // it is Ready and why.
    let story = kubectl.ok(&["get", "onair", "-n", "media"]).await;
    let headers: Vec<&str> = story.lines().filter(|l| l.starts_with("NAME")).collect();
    assert!(headers.len() >= 2, "several kinds: {story}");
    assert!(
        headers
            .iter()
            .all(|h| h.contains("READY") && h.contains("REASON")),
        "{story}"
    );
    assert!(
        story
            .lines()
            .any(|l| l.starts_with("livechannel.onair.dev/sports-1") && l.contains("True")),
        "{story}"
    );
    // The AwsProvider says its credentials work and in which account: its
    // status and its event (in `default`) went through the chart's RBAC.
    let deadline = Instant::now() + Duration::from_secs(60);
    let providers = loop {
        let table = kubectl.ok(&["get", "awsproviders"]).await;
        if table.contains(aws.sim.account()) || Instant::now() > deadline {
            break table;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(
        providers.contains("media-prod")
            && providers.contains(aws.sim.account())
            && providers.contains("True"),
        "{providers}"
    );
    let provider_events = kubectl
        .ok(&[
            "get",
            "events",
            "-n",
            "default",
            "--field-selector",
            "involvedObject.kind=AwsProvider",
            "-o",
            "jsonpath={.items[*].reason}",
        ])
        .await;
    assert!(
        provider_events.contains("CredentialsVerified"),
        "{provider_events}"
    );
    // The policy whose Secret onair may not read says what to change.
    let ready = "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}: {.status.conditions[?(@.type==\"Ready\")].message}";
    let deadline = Instant::now() + Duration::from_secs(60);
    let refused = loop {
        let said = kubectl
            .ok(&[
                "get",
                "tokenpolicy",
                "sports-1-tokens",
                "-n",
                "other",
                "-o",
                ready,
            ])
            .await;
        if said.starts_with("SecretsNotReadable") || Instant::now() > deadline {
            break said;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(
        refused.starts_with("SecretsNotReadable")
            && refused.contains("namespace other")
            && refused.contains("secretNamespaces"),
        "{refused}"
    );

    // A spec the schema allows and onair cannot build: Stalled, so kstatus
    // says Failed and Argo CD Degraded, with AWS left as it was.
    set_hls_segment_seconds(&kubectl, 5).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let health = health_in(&kubectl, "media").await;
        if health["LiveChannel/sports-1"] == ("Failed".into(), "Degraded".into()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the bad spec never showed as Failed: {health:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let message = kubectl
        .ok(&[
            "get",
            "lc",
            "sports-1",
            "-n",
            "media",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}",
        ])
        .await;
    assert!(message.contains("segmentSeconds"), "{message}");
    set_hls_segment_seconds(&kubectl, 6).await;
    wait_all_current(&kubectl, "media", 4, &[&operator]).await;

    // Deleting the objects deletes what they made in AWS; the finalizers
    // hold each object until then. The AwsProvider goes last: cleanup needs
    // it (README, "Deleting").
    kubectl
        .ok(&["delete", KINDS, "--all", "-n", "media", "--timeout=180s"])
        .await;
    kubectl
        .ok(&[
            "delete",
            "-k",
            "examples/",
            "-n",
            "media",
            "--ignore-not-found",
            "--timeout=60s",
        ])
        .await;
    wait_nothing_left(&aws).await;
    let left = kubectl
        .ok(&["get", KINDS, "-n", "media", "-o", "name"])
        .await;
    assert!(left.trim().is_empty(), "left in Kubernetes: {left}");
    operator.assert_never_denied();

    // Cluster-wide, the operator reads every namespace's onair objects but
    // Secrets only in secretNamespaces, and writes none.
    assert_rbac_bounds(&kubectl, "media").await;
    for args in [
        vec!["list", "secrets", "--all-namespaces"],
        vec!["get", "secrets", "-n", "other"],
        vec!["get", "secrets", "-n", "kube-system"],
    ] {
        assert!(
            !can_i(&kubectl, &args).await,
            "kubectl auth can-i {args:?} should say no"
        );
    }
    assert!(
        can_i(
            &kubectl,
            &["list", "livechannels.onair.dev", "--all-namespaces"]
        )
        .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn watching_one_namespace_leaves_the_others_alone_and_cannot_read_their_secrets() {
    let (plane, kubectl, kubeconfig) = installed(
        "op-namespaced",
        &["media", "other"],
        &["--set", "watchNamespaces={media}"],
    )
    .await;
    let aws = SimulatedAws::start().await;
    apply_examples(&kubectl, "media").await;
    kubectl
        .ok(&["apply", "-n", "other", "-f", "examples/live-channel.yaml"])
        .await;
    let operator = OperatorProcess::spawn(
        &plane,
        &kubeconfig,
        &aws,
        "solo",
        &["--watch-namespaces", "media"],
    );

    wait_all_current(&kubectl, "media", 4, &[&operator]).await;
    let other = get_json(&kubectl, &["get", "lc", "sports-1", "-n", "other"]).await;
    assert!(
        other.get("status").is_none(),
        "the unwatched channel got a status: {other}"
    );
    assert!(
        other["metadata"].get("finalizers").is_none(),
        "the unwatched channel got a finalizer: {other}"
    );
    assert_eq!(aws.sim.full_inventory().await["channels"], 1);
    operator.assert_never_denied();

    assert_rbac_bounds(&kubectl, "media").await;
    for args in [
        vec!["get", "secrets", "-n", "other"],
        vec!["list", "secrets", "--all-namespaces"],
        vec!["get", "secrets", "-n", "kube-system"],
        vec!["get", "configmaps", "-n", "other"],
        vec!["watch", "livechannels.onair.dev", "-n", "other"],
        vec!["patch", "livechannels.onair.dev", "-n", "other"],
        vec!["list", "livechannels.onair.dev", "--all-namespaces"],
    ] {
        assert!(
            !can_i(&kubectl, &args).await,
            "kubectl auth can-i {args:?} should say no"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_share_the_lease_and_the_survivor_takes_over_after_kill_9() {
    let (plane, kubectl, kubeconfig) =
        installed("op-ha", &["media"], &["--set", "secretNamespaces={media}"]).await;
    let aws = SimulatedAws::start().await;
    apply_examples(&kubectl, "media").await;
    let secrets = ["--secret-namespaces", "media"];
    let mut replicas = vec![
        OperatorProcess::spawn(&plane, &kubeconfig, &aws, "replica-a", &secrets),
        OperatorProcess::spawn(&plane, &kubeconfig, &aws, "replica-b", &secrets),
    ];
    wait_all_current(&kubectl, "media", 4, &replicas.iter().collect::<Vec<_>>()).await;
    let holder = lease_holder(&kubectl).await;
    let leader = replicas
        .iter()
        .position(|r| r.identity == holder)
        .unwrap_or_else(|| panic!("the Lease is held by {holder:?}, not a replica"));
    replicas[leader].kill_9();
    let survivor = &replicas[1 - leader];

    // The survivor takes the Lease once it expires, and does the work that
    // arrives meanwhile: a second channel.
    let second = support::repo().join("examples/live-channel.yaml");
    let text = std::fs::read_to_string(second)
        .unwrap()
        .replace("name: sports-1", "name: sports-2");
    let path = plane.dir.join("sports-2.yaml");
    std::fs::write(&path, text).unwrap();
    kubectl
        .ok(&["apply", "-n", "media", "-f", path.to_str().unwrap()])
        .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while lease_holder(&kubectl).await != survivor.identity {
        assert!(
            Instant::now() < deadline,
            "{} never took the Lease",
            survivor.identity
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    wait_all_current(&kubectl, "media", 5, &[survivor]).await;
    let inventory = aws.sim.full_inventory().await;
    for kind in ["channels", "inputs", "packaging channels", "distributions"] {
        assert_eq!(
            inventory[kind], 2,
            "{kind} (one per channel, no duplicate): {inventory:?}"
        );
    }
    for replica in &replicas {
        replica.assert_never_denied();
    }
}

async fn set_hls_segment_seconds(kubectl: &Kubectl, seconds: u32) {
    let patch = format!(r#"{{"spec":{{"packaging":{{"hls":{{"segmentSeconds":{seconds}}}}}}}}}"#);
    kubectl
        .ok(&[
            "patch", "lc", "sports-1", "-n", "media", "--type", "merge", "-p", &patch,
        ])
        .await;
}

async fn lease_holder(kubectl: &Kubectl) -> String {
    kubectl
        .ok(&[
            "get",
            "lease",
            "onair-leader",
            "-n",
            OPERATOR_NAMESPACE,
            "-o",
            "jsonpath={.spec.holderIdentity}",
        ])
        .await
}
