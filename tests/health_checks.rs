//! GitOps health of onair objects: the Argo CD health checks (Lua, in
//! `docs/argocd/`) and the kstatus rules Flux and `kubectl wait`-style tools
//! apply, both run against status objects the operator really writes.
//!
//! The statuses come from the reconcilers on the local API server and the AWS
//! simulation (`support::operator`), trimmed to the fields health reads and
//! kept in `tests/fixtures/status/` so that the Lua scripts can be tried
//! without a cluster. This test captures them afresh and fails when the
//! fixtures are stale; `ONAIR_UPDATE_STATUS_FIXTURES=1 cargo test --test
//! health_checks` rewrites them. `health_checks.py` runs the Lua under Lua 5.1
//! (Argo CD's gopher-lua speaks 5.1) through `lupa` from `.venv`
//! (`bash .ci/setup`).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams, PostParams};
use onair::api::harvest_job::{HarvestJob, HarvestPhase};
use onair::api::ConditionStatus;
use onair::api::{AdInsertion, TokenPolicy};
use onair::aws::children::medialive::ChannelProgress;
use onair::aws::medialive::ChannelState;
use onair::controller::live_channel::status::{self, Observed};
use onair::plan::medialive::ChannelStep;
use serde_json::{json, Value};
use support::operator::{on_air, unlimited, Operator, NS};

/// Every condition's `lastTransitionTime` in the fixtures (the real ones are
/// wall-clock times).
const TRANSITION_TIME: &str = "2026-01-01T00:00:00Z";

/// One captured status and the health both tools must give it.
struct Case {
    file: String,
    description: String,
    /// How the status was obtained.
    source: &'static str,
    argocd: &'static str,
    kstatus: &'static str,
    object: Value,
}

const FROM_OPERATOR: &str =
    "written by the operator (local API server + AWS simulation) in tests/health_checks.rs";

fn case(
    file: &str,
    description: &str,
    source: &'static str,
    argocd: &'static str,
    kstatus: &'static str,
    object: &impl serde::Serialize,
) -> Case {
    Case {
        file: format!("{file}.json"),
        description: description.into(),
        source,
        argocd,
        kstatus,
        object: trimmed(&serde_json::to_value(object).unwrap()),
    }
}

/// The fields health reads, with the volatile ones (transition times, uids)
/// fixed.
fn trimmed(object: &Value) -> Value {
    let status = &object["status"];
    let conditions: Vec<Value> = status["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut c| {
            c["lastTransitionTime"] = json!(TRANSITION_TIME);
            c
        })
        .collect();
    let mut kept = json!({"conditions": conditions});
    for key in ["observedGeneration", "phase", "channelState"] {
        if let Some(value) = status.get(key) {
            kept[key] = value.clone();
        }
    }
    let metadata = &object["metadata"];
    let trimmed = json!({
        "apiVersion": object["apiVersion"],
        "kind": object["kind"],
        "metadata": {
            "name": metadata["name"],
            "namespace": metadata["namespace"],
            "generation": metadata["generation"],
        },
        "status": kept,
    });
    // Object uids (in names onair gives AWS resources) differ on every run.
    let uid =
        regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let text = trimmed.to_string();
    let text = uid.replace_all(&text, "00000000-0000-0000-0000-000000000000");
    serde_json::from_str(&text).unwrap()
}

fn ready_reason(status: &Value) -> String {
    status["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .map(|c| c["reason"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

async fn live_channels(cases: &mut Vec<Case>) {
    // The first status of a new channel: everything is being created. AWS's
    // slow steps are made slower than any machine's reconcile, so what the
    // first reconcile finds does not depend on how busy the machine is.
    let slow = onair::aws::sim::SimTimings {
        input_create: Duration::from_secs(3600),
        channel_propagation: Duration::from_secs(3600),
        ..Default::default()
    };
    let first = Operator::start_with(onair::aws::sim::Sim::new(slow), unlimited()).await;
    first.apply(&support::example_channel("news")).await;
    first.reconcile("news").await.unwrap().unwrap();
    let lc = first.get("news").await.unwrap();
    cases.push(case(
        "livechannel-creating",
        "the first reconcile: AWS resources are being created",
        FROM_OPERATOR,
        "Progressing",
        "InProgress",
        &lc,
    ));
    let op = Operator::start().await;
    op.apply(&support::example_channel("news")).await;
    let lc = op.settle("news", on_air).await.unwrap();
    cases.push(case(
        "livechannel-on-air",
        "every resource ready and MediaLive RUNNING",
        FROM_OPERATOR,
        "Healthy",
        "Current",
        &lc,
    ));
    // A spec change the operator has not seen yet: the Ready=True above is
    // about the previous generation.
    op.patch_spec("news", json!({"state": "Idle"})).await;
    let lc = op.get("news").await.unwrap();
    assert_eq!(lc.metadata.generation, Some(2));
    cases.push(case(
        "livechannel-spec-changed",
        "spec changed, not yet observed (generation 2, observedGeneration 1)",
        FROM_OPERATOR,
        "Progressing",
        "InProgress",
        &lc,
    ));
    // MediaLive reports the channel CREATE_FAILED (the simulation never does):
    // the status the reconciler builds from what it observes in AWS then.
    let resources = lc.status.as_ref().unwrap().resources.clone().unwrap();
    let medialive = op.sim.medialive();
    let mediapackage = op.sim.mediapackage();
    let mut channel = medialive
        .describe_channel(resources.channel_id.as_deref().unwrap())
        .await
        .unwrap();
    channel.state = ChannelState::CreateFailed;
    let endpoint = |id: Option<String>| {
        let mediapackage = mediapackage.clone();
        async move {
            match id {
                Some(id) => Some(mediapackage.describe_origin_endpoint(&id).await.unwrap()),
                None => None,
            }
        }
    };
    let observed = Observed {
        input: Some(
            medialive
                .describe_input(resources.input_id.as_deref().unwrap())
                .await
                .unwrap(),
        ),
        packaging_channel: Some(
            mediapackage
                .describe_channel(resources.media_package_channel_id.as_deref().unwrap())
                .await
                .unwrap(),
        ),
        hls: endpoint(resources.hls_endpoint_id.clone()).await,
        dash: endpoint(resources.dash_endpoint_id.clone()).await,
        distribution: Some(
            op.sim
                .cloudfront()
                .get_distribution(resources.distribution_id.as_deref().unwrap())
                .await
                .unwrap(),
        ),
        channel: Some(ChannelProgress {
            step: ChannelStep::Failed {
                reason: "ChannelCreateFailed",
            },
            channel,
        }),
        ..Observed::default()
    };
    let (built, _) = status::build(
        &lc.spec,
        lc.status.as_ref(),
        lc.metadata.generation,
        TRANSITION_TIME,
        &observed,
        None,
    );
    let mut failed = lc.clone();
    failed.status = Some(built);
    let object = serde_json::to_value(&failed).unwrap();
    assert_eq!(ready_reason(&object["status"]), "ChannelCreateFailed");
    cases.push(case(
        "livechannel-medialive-create-failed",
        "MediaLive reports CREATE_FAILED: Stalled, which Argo CD shows Degraded and kstatus Failed",
        "built by the LiveChannel status code (controller::live_channel::status::build) from the channel's AWS resources in the simulation, with MediaLive's state set to CREATE_FAILED",
        "Degraded",
        "Failed",
        &failed,
    ));

    // An invalid spec stalls before any AWS call.
    let mut bad = support::example_channel("bad");
    bad.spec.packaging.hls.segment_seconds = 5;
    op.apply(&bad).await;
    op.reconcile("bad").await.unwrap().unwrap();
    let lc = op.get("bad").await.unwrap();
    assert_eq!(
        ready_reason(&serde_json::to_value(&lc).unwrap()["status"]),
        "InvalidSpec"
    );
    cases.push(case(
        "livechannel-invalid-spec",
        "a spec onair cannot build (HLS segments not a multiple of the GOP): Stalled",
        FROM_OPERATOR,
        "Degraded",
        "Failed",
        &lc,
    ));
}

fn example_ads(name: &str) -> AdInsertion {
    let mut adi = support::example_ads();
    adi.metadata.name = Some(name.into());
    adi
}

/// Creates the example AdInsertion as `name` and reconciles it once.
async fn create_and_reconcile_ads(op: &Operator, name: &str) -> AdInsertion {
    op.create(&example_ads(name)).await;
    reconcile_ads(op, name).await
}

async fn reconcile_ads(op: &Operator, name: &str) -> AdInsertion {
    op.reconcile_ads(name)
        .await
        .expect("the AdInsertion exists")
}

async fn ad_insertions(cases: &mut Vec<Case>) {
    let op = Operator::start().await;
    let adi = create_and_reconcile_ads(&op, "news-ads").await;
    cases.push(case(
        "adinsertion-waiting-for-channel",
        "the LiveChannel does not exist yet: waiting for it",
        FROM_OPERATOR,
        "Progressing",
        "InProgress",
        &adi,
    ));
    op.start_channel("news").await;
    let adi = reconcile_ads(&op, "news-ads").await;
    assert_eq!(
        ready_reason(&serde_json::to_value(&adi).unwrap()["status"]),
        "Ready"
    );
    cases.push(case(
        "adinsertion-ready",
        "MediaTailor serves the channel with ads",
        FROM_OPERATOR,
        "Healthy",
        "Current",
        &adi,
    ));
    op.api_of::<AdInsertion>()
        .patch(
            "news-ads",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"personalizationThresholdSeconds": 3}})),
        )
        .await
        .unwrap();
    let adi = op.api_of::<AdInsertion>().get("news-ads").await.unwrap();
    assert_eq!(adi.metadata.generation, Some(2));
    cases.push(case(
        "adinsertion-spec-changed",
        "spec changed, not yet observed",
        FROM_OPERATOR,
        "Progressing",
        "InProgress",
        &adi,
    ));
    op.refuse_next(
        onair::aws::Service::MediaTailor,
        "put_playback_configuration",
        "Invalid transcode profile name",
    );
    let adi = create_and_reconcile_ads(&op, "rejected-ads").await;
    cases.push(case(
        "adinsertion-aws-rejected",
        "AWS refuses the playback configuration: Stalled with AWS's message",
        FROM_OPERATOR,
        "Degraded",
        "Failed",
        &adi,
    ));
}

const BUCKET: &str = "example-media-vod";

fn harvest_job(name: &str) -> HarvestJob {
    serde_json::from_value(json!({
        "apiVersion": "onair.dev/v1alpha1", "kind": "HarvestJob",
        "metadata": {"name": name},
        "spec": {
            "channelRef": {"name": "news"},
            "lastMinutes": 1,
            "destination": {"bucket": BUCKET, "keyPrefix": "harvest/news", "roleArn": "arn:aws:iam::123456789012:role/Harvest"}
        }
    }))
    .unwrap()
}

fn phase(hj: &HarvestJob) -> Option<HarvestPhase> {
    hj.status.as_ref()?.phase
}

/// Reconciles the job (which must exist), moving simulated time, until
/// `done` holds.
async fn settle_job(op: &Operator, name: &str, done: impl Fn(&HarvestJob) -> bool) -> HarvestJob {
    op.settle_job(name, |hj| done(hj.expect("the HarvestJob exists")))
        .await
        .unwrap()
}

async fn harvest_jobs(cases: &mut Vec<Case>) {
    let op = Operator::start().await;
    op.create(&harvest_job("clip")).await;
    let hj = settle_job(&op, "clip", |h| {
        ready_reason(&serde_json::to_value(h).unwrap()["status"]) == "ChannelNotFound"
    })
    .await;
    cases.push(case(
        "harvestjob-waiting-for-channel",
        "Pending: the LiveChannel does not exist yet",
        FROM_OPERATOR,
        "Progressing",
        "InProgress",
        &hj,
    ));
    op.start_channel("news").await;
    // No bucket: refused before any harvest is started.
    op.create(&harvest_job("no-bucket")).await;
    let hj = settle_job(&op, "no-bucket", |h| phase(h) == Some(HarvestPhase::Failed)).await;
    cases.push(case(
        "harvestjob-failed",
        "Failed: the destination bucket does not exist",
        FROM_OPERATOR,
        "Degraded",
        "Failed",
        &hj,
    ));
    op.sim.create_bucket(BUCKET);
    let hj = settle_job(&op, "clip", |h| phase(h) == Some(HarvestPhase::Running)).await;
    cases.push(case(
        "harvestjob-running",
        "Running: MediaPackage is harvesting",
        FROM_OPERATOR,
        "Progressing",
        "InProgress",
        &hj,
    ));
    let hj = settle_job(&op, "clip", |h| phase(h) == Some(HarvestPhase::Succeeded)).await;
    let complete = hj
        .status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == "Complete")
        .unwrap();
    assert_eq!(complete.status, ConditionStatus::True);
    cases.push(case(
        "harvestjob-succeeded",
        "Succeeded: the clip is in S3",
        FROM_OPERATOR,
        "Healthy",
        "Current",
        &hj,
    ));
}

fn token_policies_api(op: &Operator) -> Api<TokenPolicy> {
    op.api_of()
}

async fn reconcile_policy(op: &Operator, name: &str) -> TokenPolicy {
    op.reconcile_policy(name)
        .await
        .expect("the TokenPolicy exists")
}

async fn token_policies(cases: &mut Vec<Case>) {
    let op = Operator::start().await;
    op.start_channel("news").await;
    // No signing-key Secret: refused before any AWS call.
    op.create(&support::token_policy("tokens", "keys", json!({})))
        .await;
    let tp = reconcile_policy(&op, "tokens").await;
    assert_eq!(
        ready_reason(&serde_json::to_value(&tp).unwrap()["status"]),
        "SigningKeysNotFound"
    );
    cases.push(case(
        "tokenpolicy-keys-missing",
        "the signing-key Secret does not exist: Stalled",
        FROM_OPERATOR,
        "Degraded",
        "Failed",
        &tp,
    ));
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": "keys", "namespace": NS},
        "stringData": {"k1": "0123456789abcdef0123456789abcdef"}
    }))
    .unwrap();
    Api::<Secret>::namespaced(op.client.clone(), NS)
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    let mut tp = reconcile_policy(&op, "tokens").await;
    let reconciling = |tp: &TokenPolicy| {
        tp.status
            .as_ref()
            .is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Reconciling"))
    };
    assert!(reconciling(&tp), "{:?}", tp.status);
    cases.push(case(
        "tokenpolicy-provisioning",
        "the key value store is being provisioned",
        FROM_OPERATOR,
        "Progressing",
        "InProgress",
        &tp,
    ));
    for _ in 0..20 {
        if !reconciling(&tp) {
            break;
        }
        op.sim.advance(Duration::from_secs(30));
        tp = reconcile_policy(&op, "tokens").await;
    }
    assert_eq!(
        ready_reason(&serde_json::to_value(&tp).unwrap()["status"]),
        "Ready",
        "{:?}",
        tp.status
    );
    cases.push(case(
        "tokenpolicy-ready",
        "function, keys and revocation in place",
        FROM_OPERATOR,
        "Healthy",
        "Current",
        &tp,
    ));
    token_policies_api(&op)
        .patch(
            "tokens",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"failureStatusCode": 403}})),
        )
        .await
        .unwrap();
    let tp = token_policies_api(&op).get("tokens").await.unwrap();
    assert_eq!(tp.metadata.generation, Some(2));
    cases.push(case(
        "tokenpolicy-spec-changed",
        "spec changed, not yet observed",
        FROM_OPERATOR,
        "Progressing",
        "InProgress",
        &tp,
    ));
}

async fn capture() -> Vec<Case> {
    let mut cases = Vec::new();
    live_channels(&mut cases).await;
    ad_insertions(&mut cases).await;
    harvest_jobs(&mut cases).await;
    token_policies(&mut cases).await;
    cases
}

fn fixture_dir() -> PathBuf {
    support::repo().join("tests/fixtures/status")
}

fn fixture_text(case: &Case) -> String {
    let fixture = json!({
        "description": case.description,
        "source": case.source,
        "expect": {"argocd": case.argocd, "kstatus": case.kstatus},
        "object": case.object,
    });
    serde_json::to_string_pretty(&fixture).unwrap() + "\n"
}

fn run_checks(dir: &Path) -> String {
    let python = support::python();
    let script = support::repo().join("tests/health_checks.py");
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}; run `bash .ci/setup` first"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "health checks failed (packages: `bash .ci/setup`):\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixtures_are_what_the_operator_writes() {
    let cases = capture().await;
    let dir = fixture_dir();
    let update = std::env::var_os("ONAIR_UPDATE_STATUS_FIXTURES").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for case in &cases {
        let text = fixture_text(case);
        let path = dir.join(&case.file);
        if update {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(case.file.clone());
        }
        expected.insert(case.file.clone(), text);
    }
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !expected.contains_key(name))
        .collect();
    if update {
        for name in present.drain(..) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
    }
    assert!(
        stale.is_empty() && present.is_empty(),
        "tests/fixtures/status is out of date (changed: {stale:?}, extra: {present:?}): \
         the operator writes other statuses now; check the health checks still hold and \
         rewrite them with ONAIR_UPDATE_STATUS_FIXTURES=1 cargo test --test health_checks"
    );
    // And the same statuses, fresh, through the checks (also what the
    // checked-in copies hold).
    let scratch = support::scratch_dir("status-fixtures");
    for (file, text) in &expected {
        std::fs::write(scratch.join(file), text).unwrap();
    }
    let out = run_checks(&scratch);
    assert!(out.contains(&format!("{} statuses", cases.len())), "{out}");
    std::fs::remove_dir_all(scratch).ok();
}

#[test]
fn argo_cd_and_kstatus_read_the_fixtures_as_expected() {
    let out = run_checks(&fixture_dir());
    assert!(out.contains("health checks hold"), "{out}");
}
