//! Observe-only (`onair.dev/observe-only: "true"`): onair reads the object's
//! AWS resources and reports how they differ from the spec, and writes
//! nothing to AWS (the sim's write count stays still), deletion included;
//! removing the annotation lets it restore the spec.

mod support;

use kube::api::Api;
use onair::api::{AdInsertion, ConditionStatus};
use onair::aws::sim::Sim;
use support::operator::{condition, none_of_each, on_air, one_of_each, Operator};

const OBSERVE_ONLY: &str = "onair.dev/observe-only";

async fn set_observe_only<K>(api: &Api<K>, name: &str, on: bool)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    support::set_flag(api, name, OBSERVE_ONLY, on).await
}

fn writes(sim: &Sim) -> u64 {
    sim.faults().writes()
}

#[tokio::test]
async fn an_observed_channel_reports_drift_and_changes_nothing() {
    let op = Operator::start().await;
    let lc = op.start_channel("news").await;
    let resources = lc.status.unwrap().resources.unwrap();
    let group = resources.input_security_group_id.unwrap();
    let channel_id = resources.channel_id.unwrap();
    set_observe_only(&op.api(), "news", true).await;

    // In sync: reads only, and Ready.
    let before = writes(&op.sim);
    let reads = op.sim.faults().all_calls().values().sum::<u64>();
    op.reconcile("news").await.unwrap().unwrap();
    assert_eq!(writes(&op.sim), before, "no AWS write");
    assert!(
        op.sim.faults().all_calls().values().sum::<u64>() > reads,
        "it does read"
    );
    let lc = op.get("news").await;
    assert_eq!(
        condition(lc.as_ref(), "Ready").unwrap().status,
        ConditionStatus::True
    );

    // Someone opens the input to the world and stops the channel: both
    // reported, neither undone.
    let medialive = op.sim.medialive();
    medialive
        .update_input_security_group(&group, vec!["0.0.0.0/0".into()])
        .await
        .unwrap();
    medialive.stop_channel(&channel_id).await.unwrap();
    op.sim.advance(std::time::Duration::from_secs(120));
    let before = writes(&op.sim);
    for _ in 0..2 {
        op.reconcile("news").await.unwrap().unwrap();
    }
    assert_eq!(writes(&op.sim), before, "no AWS write");
    let open = medialive
        .describe_input_security_group(&group)
        .await
        .unwrap();
    assert_eq!(open.cidrs, ["0.0.0.0/0"], "left as it is");
    let lc = op.get("news").await;
    let ready = condition(lc.as_ref(), "Ready").cloned().unwrap();
    assert_eq!(ready.status, ConditionStatus::False);
    assert_eq!(ready.reason, "Drifted");
    assert!(
        ready.message.contains(&format!(
            "input security group {group}: [\"0.0.0.0/0\"] -> [\"203.0.113.0/24\"]"
        )),
        "{}",
        ready.message
    );
    assert!(
        ready.message.contains(&format!(
            "MediaLive channel {channel_id}: onair would start it"
        )),
        "{}",
        ready.message
    );
    assert!(ready.message.contains("Remove the annotation"));
    assert_eq!(
        medialive.describe_channel(&channel_id).await.unwrap().state,
        onair::aws::medialive::ChannelState::Idle,
        "not started"
    );
    assert!(condition(lc.as_ref(), "Stalled").is_some());
    let reasons = op.event_reasons("news").await;
    assert!(reasons.iter().any(|r| r == "Drifted"), "{reasons:?}");
    assert!(
        !reasons.iter().any(|r| r == "DriftCorrected"),
        "{reasons:?}"
    );

    // The annotation goes: onair restores the spec.
    set_observe_only(&op.api(), "news", false).await;
    op.reconcile("news").await.unwrap().unwrap();
    assert!(writes(&op.sim) > before);
    let restored = medialive
        .describe_input_security_group(&group)
        .await
        .unwrap();
    assert_eq!(restored.cidrs, ["203.0.113.0/24"]);
    let reasons = op.event_reasons("news").await;
    assert!(reasons.iter().any(|r| r == "DriftCorrected"), "{reasons:?}");
    op.settle("news", on_air).await;

    // Deleted while observe-only: the object goes, its AWS resources stay.
    set_observe_only(&op.api(), "news", true).await;
    let before = writes(&op.sim);
    op.delete("news").await;
    op.settle("news", |lc| lc.is_none()).await;
    assert_eq!(writes(&op.sim), before, "no AWS write");
    assert_eq!(op.inventory().await, one_of_each(), "everything stays");
}

#[tokio::test]
async fn an_observed_channel_with_nothing_recorded_creates_nothing_and_says_what_to_record() {
    let op = Operator::start().await;
    let mut channel = support::example_channel("watched");
    channel.metadata.annotations = Some([(OBSERVE_ONLY.to_string(), "true".to_string())].into());
    op.apply(&channel).await;
    for _ in 0..2 {
        op.reconcile("watched").await.unwrap().unwrap();
    }
    assert_eq!(writes(&op.sim), 0, "no AWS write");
    assert_eq!(op.inventory().await, none_of_each());
    let lc = op.get("watched").await;
    let ready = condition(lc.as_ref(), "Ready").cloned().unwrap();
    assert_eq!(ready.status, ConditionStatus::False);
    assert_eq!(ready.reason, "NotRecorded");
    assert!(
        ready.message.contains("set the onair.dev/") && ready.message.contains("-id annotation"),
        "{}",
        ready.message
    );
}

#[tokio::test]
async fn an_observed_ad_insertion_reports_a_changed_configuration() {
    let op = Operator::start().await;
    op.start_channel("news").await;
    op.create(&support::example_ads()).await;
    let adi = op.reconcile_ads("sports-1-ads").await.unwrap();
    let name = adi
        .status
        .unwrap()
        .media_tailor
        .unwrap()
        .playback_configuration_name
        .unwrap();
    let ads: Api<AdInsertion> = op.api_of();
    set_observe_only(&ads, "sports-1-ads", true).await;
    let tailor = op.sim.mediatailor();
    let mut changed = tailor
        .get_playback_configuration(&name)
        .await
        .unwrap()
        .config;
    changed.ad_decision_server_url = "https://rogue.example.com/vast".into();
    tailor.put_playback_configuration(changed).await.unwrap();

    let before = writes(&op.sim);
    let adi = op.reconcile_ads("sports-1-ads").await.unwrap();
    assert_eq!(writes(&op.sim), before, "no AWS write");
    let left = tailor
        .get_playback_configuration(&name)
        .await
        .unwrap()
        .config;
    assert_eq!(
        left.ad_decision_server_url,
        "https://rogue.example.com/vast"
    );
    let conditions = adi.status.unwrap().conditions;
    let ready = conditions.iter().find(|c| c.type_ == "Ready").unwrap();
    assert_eq!(ready.status, ConditionStatus::False);
    assert_eq!(ready.reason, "Drifted");
    assert!(
        ready.message.contains("MediaTailor playback configuration"),
        "{}",
        ready.message
    );
}

#[tokio::test]
async fn an_observed_harvest_job_starts_no_harvest() {
    let op = Operator::start().await;
    op.start_channel("news").await;
    op.sim.create_bucket("example-media-vod");
    let mut job: onair::api::harvest_job::HarvestJob = support::example("harvest-job.yaml");
    job.spec.channel_ref.name = "news".into();
    job.metadata.annotations = Some([(OBSERVE_ONLY.to_string(), "true".to_string())].into());
    op.create(&job).await;
    let jobs: Api<onair::api::harvest_job::HarvestJob> = op.api_of();
    let name = job.metadata.name.clone().unwrap();
    let before = writes(&op.sim);
    for _ in 0..2 {
        let hj = jobs.get(&name).await.unwrap();
        onair::controller::harvest_job::reconcile(std::sync::Arc::new(hj), op.ctx.clone())
            .await
            .unwrap();
    }
    assert_eq!(writes(&op.sim), before, "no AWS write");
    let hj = jobs.get(&name).await.unwrap();
    let ready = hj
        .status
        .unwrap()
        .conditions
        .into_iter()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    assert_eq!(ready.status, ConditionStatus::False);
    assert!(
        ready
            .message
            .contains("onair.dev/harvest-job-id annotation"),
        "{}",
        ready.message
    );
}

#[tokio::test]
async fn an_ad_insertion_writes_no_break_into_an_observed_channel() {
    let op = Operator::start().await;
    op.start_channel("news").await;
    set_observe_only(&op.api(), "news", true).await;
    let schedules = op
        .sim
        .faults()
        .calls(onair::aws::Service::MediaLive, "batch_update_schedule");
    op.create(&support::example_ads()).await;
    let adi = op.reconcile_ads("sports-1-ads").await.unwrap();
    assert_eq!(
        op.sim
            .faults()
            .calls(onair::aws::Service::MediaLive, "batch_update_schedule"),
        schedules,
        "no break written into the channel's schedule"
    );
    let conditions = adi.status.unwrap().conditions;
    let ready = conditions.iter().find(|c| c.type_ == "Ready").unwrap();
    assert_eq!(ready.reason, "ChannelObserveOnly");
    assert!(ready.message.contains("observe-only"), "{}", ready.message);
}
