//! The fault suite: the whole workflow (a LiveChannel with telemetry, an
//! AdInsertion, a TokenPolicy and a HarvestJob) while AWS fails 20 % of all
//! calls at random (throttling, server errors, and time-outs after the change
//! was applied). Everything converges, and AWS then holds exactly one of each
//! resource; after deletion it holds none. Seeds make each run repeatable.
//! And the same workflow with the operator killed right after each of its
//! AWS writes in turn (the finer-grained kill suites of one kind are in
//! tests/live_channel.rs and tests/token_policy.rs).

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DeleteParams};
use onair::api::harvest_job::HarvestPhase;
use onair::api::{AdInsertion, HarvestJob, LiveChannel, TokenPolicy};
use support::example;
use support::operator::{crash_at_every_write, on_air, Crash, Operator};

fn ready(conditions: Option<&Vec<onair::api::Condition>>) -> bool {
    conditions
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == onair::api::ConditionStatus::True)
}

/// One reconcile of each object that still exists; errors are retried by
/// the next round, as the controller would.
async fn round(op: &Operator) {
    let ctx = op.ctx.clone();
    if let Some(lc) = op.get("sports-1").await {
        let _ = onair::controller::live_channel::reconcile(Arc::new(lc), ctx.clone()).await;
    }
    if let Some(adi) = ads(op).get_opt("sports-1-ads").await.unwrap() {
        let _ = onair::controller::ad_insertion::reconcile(Arc::new(adi), ctx.clone()).await;
    }
    if let Some(tp) = tokens(op).get_opt("sports-1-tokens").await.unwrap() {
        let _ = onair::controller::token_policy::reconcile(Arc::new(tp), ctx.clone()).await;
    }
    if let Some(hj) = jobs(op).get_opt("sports-1-first-half").await.unwrap() {
        let _ = onair::controller::harvest_job::reconcile(Arc::new(hj), ctx).await;
    }
    op.sim.advance(Duration::from_secs(30));
}

/// The examples' four objects (and the Secret with their signing keys).
async fn create_workflow(op: &Operator) {
    op.sim.create_bucket("example-media-vod");
    op.create(&example::<k8s_openapi::api::core::v1::Secret>(
        "token-signing-keys.yaml",
    ))
    .await;
    op.create(&example::<LiveChannel>("live-channel.yaml"))
        .await;
    op.create(&example::<AdInsertion>("ad-insertion.yaml"))
        .await;
    op.create(&example::<TokenPolicy>("token-policy.yaml"))
        .await;
    op.create(&example::<HarvestJob>("harvest-job.yaml")).await;
}

fn ads(op: &Operator) -> Api<AdInsertion> {
    op.api_of()
}

fn tokens(op: &Operator) -> Api<TokenPolicy> {
    op.api_of()
}

fn jobs(op: &Operator) -> Api<HarvestJob> {
    op.api_of()
}

/// The channel on air with the policy's check folded in, the ads and the
/// policy Ready, the clip harvested.
async fn converged(op: &Operator) -> bool {
    let lc = op.get("sports-1").await;
    let adi = ads(op).get("sports-1-ads").await.unwrap();
    let tp = tokens(op).get("sports-1-tokens").await.unwrap();
    let hj = jobs(op).get("sports-1-first-half").await.unwrap();
    let folded = lc
        .as_ref()
        .and_then(|l| l.status.as_ref()?.token_policy.clone())
        .is_some();
    on_air(lc.as_ref())
        && folded
        && ready(adi.status.as_ref().map(|s| &s.conditions))
        && ready(tp.status.as_ref().map(|s| &s.conditions))
        && hj.status.as_ref().and_then(|s| s.phase) == Some(HarvestPhase::Succeeded)
}

async fn delete_workflow(op: &Operator) {
    jobs(op)
        .delete("sports-1-first-half", &DeleteParams::default())
        .await
        .unwrap();
    tokens(op)
        .delete("sports-1-tokens", &DeleteParams::default())
        .await
        .unwrap();
    ads(op)
        .delete("sports-1-ads", &DeleteParams::default())
        .await
        .unwrap();
    op.delete("sports-1").await;
}

/// Every object of the workflow is gone (their finalizers ran).
async fn gone(op: &Operator) -> bool {
    op.get("sports-1").await.is_none()
        && ads(op).get_opt("sports-1-ads").await.unwrap().is_none()
        && tokens(op)
            .get_opt("sports-1-tokens")
            .await
            .unwrap()
            .is_none()
        && jobs(op)
            .get_opt("sports-1-first-half")
            .await
            .unwrap()
            .is_none()
}

/// What AWS holds for the converged workflow: one of each (two origin
/// endpoints: HLS and DASH).
fn one_of_everything() -> BTreeMap<&'static str, usize> {
    let mut counts = support::operator::one_of_each();
    counts.extend([
        ("functions", 1),
        ("key value stores", 1),
        ("web ACLs", 0),
        ("regex pattern sets", 0),
        ("playback configurations", 1),
        ("harvest jobs", 1),
        ("VOD packaging groups", 1),
        ("VOD packaging configurations", 1),
        ("VOD assets", 1),
        ("Kinesis streams", 1),
        ("Firehose delivery streams", 0),
        ("real-time log configs", 1),
        // No LiveChannel packages with MediaPackage v2 yet.
        ("MediaPackage v2 channel groups", 0),
        ("MediaPackage v2 channels", 0),
        ("MediaPackage v2 origin endpoints", 0),
    ]);
    counts
}

/// What AWS holds after deletion: nothing but the finished harvest job,
/// which AWS keeps as a record (MediaPackage has no delete for jobs).
fn nothing_left() -> BTreeMap<&'static str, usize> {
    let mut counts: BTreeMap<_, _> = one_of_everything().into_keys().map(|k| (k, 0)).collect();
    counts.insert("harvest jobs", 1);
    counts
}

async fn workflow_under_failures(seed: u64) {
    let op = Operator::start().await;
    create_workflow(&op).await;
    op.sim.faults().fail_randomly(20, seed);
    let mut is_converged = false;
    for _ in 0..150 {
        round(&op).await;
        if converged(&op).await {
            is_converged = true;
            break;
        }
    }
    let calls = op.sim.faults().all_calls().values().sum::<u64>();
    let failed = op.sim.faults().random_failures();
    assert!(
        failed * 10 >= calls,
        "seed {seed}: only {failed} of {calls} calls failed"
    );
    assert!(
        is_converged,
        "seed {seed}: the workflow never converged under 20 % failures"
    );
    assert_eq!(
        op.sim.full_inventory().await,
        one_of_everything(),
        "seed {seed}"
    );

    // Delete everything, still under failures.
    delete_workflow(&op).await;
    let mut is_gone = false;
    for _ in 0..150 {
        round(&op).await;
        if gone(&op).await {
            is_gone = true;
            break;
        }
    }
    assert!(is_gone, "seed {seed}: the objects were never deleted");
    op.sim.faults().fail_randomly(0, 0);
    assert_eq!(op.sim.full_inventory().await, nothing_left(), "seed {seed}");
    eprintln!(
        "seed {seed}: converged over {calls} AWS calls, {failed} of them failed, then cleaned up"
    );
}

/// The whole workflow, created then deleted; at the `crash_at`-th AWS write
/// (if any) the operator "dies" right after AWS applied it, mid-round, and a
/// fresh process takes over. Returns the number of writes the run made.
async fn workflow_with_crash(crash_at: Option<u64>) -> u64 {
    let mut op = Operator::start().await;
    create_workflow(&op).await;
    let mut crash = Crash::arm(&op, crash_at);
    let mut deleting = false;
    for _ in 0..300 {
        if !deleting && converged(&op).await {
            assert_eq!(
                op.sim.full_inventory().await,
                one_of_everything(),
                "crash at write {crash_at:?}"
            );
            delete_workflow(&op).await;
            deleting = true;
            continue;
        }
        if deleting && gone(&op).await {
            break;
        }
        crash.step(&mut op, |op| Box::pin(round(op))).await;
    }
    assert!(deleting, "crash at write {crash_at:?}: never converged");
    assert!(
        gone(&op).await,
        "crash at write {crash_at:?}: never deleted"
    );
    assert_eq!(
        op.sim.full_inventory().await,
        nothing_left(),
        "crash at write {crash_at:?}"
    );
    let writes = op.sim.faults().writes();
    crash.check(writes);
    writes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_any_aws_write_of_the_workflow_neither_leaks_nor_duplicates() {
    let writes = crash_at_every_write(workflow_with_crash).await;
    assert!(writes >= 40, "the workflow makes {writes} writes");
    eprintln!("survived a crash after each of the {writes} AWS writes of the whole workflow (all four kinds)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflow_converges_and_leaves_nothing_under_twenty_percent_failures() {
    for seed in [1, 2, 3] {
        workflow_under_failures(seed).await;
    }
}
