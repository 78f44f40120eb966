//! The fault suite: the whole workflow (a LiveChannel with telemetry, an
//! AdInsertion, a TokenPolicy and a HarvestJob) while AWS fails 20 % of all
//! calls at random (throttling, server errors, and time-outs after the change
//! was applied). Everything converges, and AWS then holds exactly one of each
//! resource; after deletion it holds none. Seeds make each run repeatable.
//! (Operator kills at every mutation point are in tests/live_channel.rs and
//! tests/token_policy.rs.)

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DeleteParams, PostParams};
use onair::api::harvest_job::HarvestPhase;
use onair::api::{AdInsertion, HarvestJob, LiveChannel, TokenPolicy};
use serde::de::DeserializeOwned;
use support::operator::{on_air, Operator, NS};

fn example<K: DeserializeOwned>(file: &str) -> K {
    let text = std::fs::read_to_string(support::repo().join("examples").join(file)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

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
    let ads: Api<AdInsertion> = Api::namespaced(op.client.clone(), NS);
    if let Some(adi) = ads.get_opt("sports-1-ads").await.unwrap() {
        let _ = onair::controller::ad_insertion::reconcile(Arc::new(adi), ctx.clone()).await;
    }
    let tokens: Api<TokenPolicy> = Api::namespaced(op.client.clone(), NS);
    if let Some(tp) = tokens.get_opt("sports-1-tokens").await.unwrap() {
        let _ = onair::controller::token_policy::reconcile(Arc::new(tp), ctx.clone()).await;
    }
    let jobs: Api<HarvestJob> = Api::namespaced(op.client.clone(), NS);
    if let Some(hj) = jobs.get_opt("sports-1-first-half").await.unwrap() {
        let _ = onair::controller::harvest_job::reconcile(Arc::new(hj), ctx).await;
    }
    op.sim.advance(Duration::from_secs(30));
}

async fn workflow_under_failures(seed: u64) {
    let op = Operator::start().await;
    op.sim.create_bucket("example-media-vod");
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(op.client.clone(), NS);
    secrets
        .create(&PostParams::default(), &example("token-signing-keys.yaml"))
        .await
        .unwrap();
    op.api()
        .create(
            &PostParams::default(),
            &example::<LiveChannel>("live-channel.yaml"),
        )
        .await
        .unwrap();
    let ads: Api<AdInsertion> = Api::namespaced(op.client.clone(), NS);
    ads.create(&PostParams::default(), &example("ad-insertion.yaml"))
        .await
        .unwrap();
    let tokens: Api<TokenPolicy> = Api::namespaced(op.client.clone(), NS);
    tokens
        .create(&PostParams::default(), &example("token-policy.yaml"))
        .await
        .unwrap();
    let jobs: Api<HarvestJob> = Api::namespaced(op.client.clone(), NS);
    jobs.create(&PostParams::default(), &example("harvest-job.yaml"))
        .await
        .unwrap();

    op.sim.faults().fail_randomly(20, seed);
    let mut converged = false;
    for _ in 0..150 {
        round(&op).await;
        let lc = op.get("sports-1").await;
        let adi = ads.get("sports-1-ads").await.unwrap();
        let tp = tokens.get("sports-1-tokens").await.unwrap();
        let hj = jobs.get("sports-1-first-half").await.unwrap();
        let folded = lc
            .as_ref()
            .and_then(|l| l.status.as_ref()?.token_policy.clone())
            .is_some();
        if on_air(lc.as_ref())
            && folded
            && ready(adi.status.as_ref().map(|s| &s.conditions))
            && ready(tp.status.as_ref().map(|s| &s.conditions))
            && hj.status.as_ref().and_then(|s| s.phase) == Some(HarvestPhase::Succeeded)
        {
            converged = true;
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
        converged,
        "seed {seed}: the workflow never converged under 20 % failures"
    );
    // Exactly one of everything.
    assert_eq!(
        op.inventory().await,
        support::operator::one_of_each(),
        "seed {seed}"
    );
    let edge = op.sim.edge_inventory().await;
    assert_eq!(
        (edge["functions"], edge["key value stores"]),
        (1, 1),
        "seed {seed}"
    );
    assert_eq!(op.sim.stream_count(), 1, "seed {seed}");
    let config = ads
        .get("sports-1-ads")
        .await
        .unwrap()
        .status
        .unwrap()
        .media_tailor
        .unwrap();
    let config = config.playback_configuration_name.unwrap();
    let asset = jobs
        .get("sports-1-first-half")
        .await
        .unwrap()
        .status
        .unwrap()
        .vod_asset_id
        .unwrap();

    // Delete everything, still under failures.
    for name in ["sports-1-first-half"] {
        jobs.delete(name, &DeleteParams::default()).await.unwrap();
    }
    tokens
        .delete("sports-1-tokens", &DeleteParams::default())
        .await
        .unwrap();
    ads.delete("sports-1-ads", &DeleteParams::default())
        .await
        .unwrap();
    op.delete("sports-1").await;
    let mut gone = false;
    for _ in 0..150 {
        round(&op).await;
        let left: BTreeMap<&str, bool> = BTreeMap::from([
            ("channel", op.get("sports-1").await.is_some()),
            ("ads", ads.get_opt("sports-1-ads").await.unwrap().is_some()),
            (
                "tokens",
                tokens.get_opt("sports-1-tokens").await.unwrap().is_some(),
            ),
            (
                "job",
                jobs.get_opt("sports-1-first-half").await.unwrap().is_some(),
            ),
        ]);
        if left.values().all(|present| !present) {
            gone = true;
            break;
        }
    }
    assert!(gone, "seed {seed}: the objects were never deleted");
    op.sim.faults().fail_randomly(0, 0);
    assert_eq!(
        op.inventory().await,
        support::operator::none_of_each(),
        "seed {seed}"
    );
    let edge = op.sim.edge_inventory().await;
    assert!(edge.values().all(|n| *n == 0), "seed {seed}: {edge:?}");
    assert_eq!(op.sim.stream_count(), 0, "seed {seed}");
    assert!(op
        .sim
        .mediatailor()
        .get_playback_configuration(&config)
        .await
        .unwrap_err()
        .is_not_found());
    assert!(op
        .sim
        .mediapackagevod()
        .describe_asset(&asset)
        .await
        .unwrap_err()
        .is_not_found());
    eprintln!(
        "seed {seed}: converged over {calls} AWS calls, {failed} of them failed, then cleaned up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflow_converges_and_leaves_nothing_under_twenty_percent_failures() {
    for seed in [1, 2, 3] {
        workflow_under_failures(seed).await;
    }
}
