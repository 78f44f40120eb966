//! The pause annotation (`onair.dev/paused: "true"`): while it is set, the
//! object's reconciler makes no AWS call at all, for a new object, a spec
//! change or a deletion, and says so; removing it resumes where things stand.

mod support;

use kube::api::Api;
use kube::ResourceExt;
use onair::api::harvest_job::HarvestJob;
use onair::api::ConditionStatus;
use support::operator::{condition, none_of_each, on_air, one_of_each, Operator};

const PAUSED: &str = "onair.dev/paused";

async fn set_paused<K>(api: &Api<K>, name: &str, on: bool)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    support::set_flag(api, name, PAUSED, on).await
}

#[tokio::test]
async fn a_paused_channel_makes_no_aws_call_until_resumed() {
    let op = Operator::start().await;

    // Created paused: nothing in AWS, no finalizer, and the status says why.
    let mut channel = support::example_channel("held");
    channel.metadata.annotations = Some([(PAUSED.to_string(), "true".to_string())].into());
    op.apply(&channel).await;
    let calls = op.sim.faults().all_calls();
    op.reconcile("held").await.unwrap().unwrap();
    op.reconcile("held").await.unwrap().unwrap();
    assert_eq!(op.sim.faults().all_calls(), calls, "no AWS call at all");
    let lc = op.get("held").await.unwrap();
    let paused = condition(Some(&lc), "Paused").cloned().expect("Paused");
    assert_eq!(paused.status, ConditionStatus::True);
    assert!(
        paused.message.contains("no AWS call for this LiveChannel"),
        "{}",
        paused.message
    );
    assert!(lc.finalizers().is_empty());
    assert_eq!(op.inventory().await, none_of_each());

    // Resumed: it goes on air, and the condition goes.
    set_paused(&op.api(), "held", false).await;
    let lc = op.settle("held", on_air).await.unwrap();
    assert!(condition(Some(&lc), "Paused").is_none());
    let reasons = op.event_reasons("held").await;
    let at = |r: &str| reasons.iter().position(|x| x == r);
    assert!(
        at("Paused") < at("Resumed") && at("Paused").is_some(),
        "{reasons:?}"
    );
    assert_eq!(op.inventory().await, one_of_each());

    // Paused on air: a spec change waits, not a single AWS call, and a
    // resync does not look for drift either.
    set_paused(&op.api(), "held", true).await;
    op.patch_spec(
        "held",
        serde_json::json!({"packaging": {"hls": {"segmentSeconds": 4}}}),
    )
    .await;
    let calls = op.sim.faults().all_calls();
    for _ in 0..3 {
        op.reconcile("held").await.unwrap().unwrap();
    }
    assert_eq!(op.sim.faults().all_calls(), calls);

    // Deleted while paused: held by its finalizer, AWS untouched.
    op.delete("held").await;
    op.reconcile("held").await.unwrap().unwrap();
    assert!(op.get("held").await.is_some(), "the finalizer holds it");
    assert_eq!(op.sim.faults().all_calls(), calls);
    assert_eq!(op.inventory().await, one_of_each());

    // Resumed: the deletion happens, nothing left behind.
    set_paused(&op.api(), "held", false).await;
    op.settle("held", |lc| lc.is_none()).await;
    assert_eq!(op.inventory().await, none_of_each());
}

/// `object` with the pause annotation.
fn paused<K: kube::Resource>(mut object: K) -> K {
    object
        .meta_mut()
        .annotations
        .get_or_insert_with(Default::default)
        .insert(PAUSED.into(), "true".into());
    object
}

/// The Paused condition's message among `conditions`.
fn paused_message(conditions: &[onair::api::Condition]) -> String {
    conditions
        .iter()
        .find(|c| c.type_ == "Paused" && c.status == ConditionStatus::True)
        .map(|c| c.message.clone())
        .expect("a Paused condition")
}

#[tokio::test]
async fn the_other_kinds_honour_the_pause_too() {
    let op = Operator::start().await;
    // Their channel is on air, so each would have AWS work to do.
    op.start_channel("news").await;
    op.create(&paused(support::token_policy(
        "held-tokens",
        "held-keys",
        serde_json::json!({}),
    )))
    .await;
    op.create(&paused(support::example_ads())).await;
    let mut job: HarvestJob = support::example("harvest-job.yaml");
    job.spec.channel_ref.name = "news".into();
    op.create(&paused(job)).await;
    let calls = op.sim.faults().all_calls();

    let tp = op.reconcile_policy("held-tokens").await.unwrap();
    assert!(paused_message(&tp.status.unwrap().conditions).contains("this TokenPolicy"));
    let adi = op.reconcile_ads("sports-1-ads").await.unwrap();
    assert!(paused_message(&adi.status.unwrap().conditions).contains("this AdInsertion"));
    let jobs: Api<HarvestJob> = op.api_of();
    let name = jobs.list(&Default::default()).await.unwrap().items[0].name_any();
    let hj = jobs.get(&name).await.unwrap();
    onair::controller::harvest_job::reconcile(std::sync::Arc::new(hj), op.ctx.clone())
        .await
        .unwrap();
    let hj = jobs.get(&name).await.unwrap();
    assert!(paused_message(&hj.status.unwrap().conditions).contains("this HarvestJob"));

    assert_eq!(
        op.sim.faults().all_calls(),
        calls,
        "no AWS call for any of them"
    );
}
