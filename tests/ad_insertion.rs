//! The AdInsertion reconciler end to end with the LiveChannel reconciler: the
//! local API server and the AWS simulation.

mod support;

use std::time::Duration;

use onair::api::AdInsertion;
use onair::aws::Service;
use support::operator::{on_air, ready_reason, Operator};

const ADS: &str = "sports-1-ads";

/// Creates the example and reconciles it once: the object after that.
async fn create_and_reconcile(op: &Operator) -> AdInsertion {
    op.create(&support::example_ads()).await;
    op.reconcile_ads(ADS).await.unwrap()
}

fn reason(adi: &AdInsertion) -> String {
    adi.status
        .as_ref()
        .map(|s| ready_reason(&s.conditions))
        .unwrap_or_default()
}

/// The actions in the MediaLive schedule of channel `channel_id`.
async fn schedule(op: &Operator, channel_id: &str) -> Vec<onair::aws::medialive::ScheduleAction> {
    op.sim
        .medialive()
        .describe_schedule(channel_id)
        .await
        .unwrap()
}

#[tokio::test]
async fn ads_are_inserted_through_the_channels_cdn_and_removed_cleanly() {
    let op = Operator::start().await;
    // Before the channel exists: waits, says why, touches nothing.
    let adi = create_and_reconcile(&op).await;
    assert_eq!(reason(&adi), "ChannelNotReady");
    assert_eq!(op.sim.faults().writes(), 0);

    let lc = op.start_channel("news").await;
    let adi = op.reconcile_ads(ADS).await.unwrap();
    assert_eq!(reason(&adi), "Ready", "{:?}", adi.status);
    let status = adi.status.clone().unwrap();
    let resources = lc.status.clone().unwrap().resources.unwrap();
    let domain = resources.distribution_domain.clone().unwrap();
    let hls = status.playback.as_ref().unwrap().hls.clone().unwrap();
    assert!(
        hls.starts_with(&format!("https://{domain}/v1/master/")),
        "{hls}"
    );
    assert!(hls.ends_with("/index.m3u8"), "{hls}");
    let config_name = status
        .media_tailor
        .as_ref()
        .unwrap()
        .playback_configuration_name
        .clone()
        .unwrap();
    let config = op
        .sim
        .mediatailor()
        .get_playback_configuration(&config_name)
        .await
        .unwrap();
    assert_eq!(
        config.config.video_content_source_url,
        format!("https://{domain}/out/v1"),
        "MediaTailor reads through CloudFront"
    );
    assert_eq!(
        config.config.ad_segment_url_prefix,
        Some(format!("https://{domain}"))
    );
    assert_eq!(
        config.config.slate_ad_url.as_deref(),
        Some("https://cdn.example.com/slate/slate-1080p.mp4")
    );

    // Three breaks ahead in the channel's schedule, and the next one in status.
    let channel_id = resources.channel_id.clone().unwrap();
    let schedule = schedule(&op, &channel_id).await;
    assert_eq!(schedule.len(), 3, "{schedule:?}");
    assert!(status.next_break.is_some());
    // Steady: the same breaks, nothing written again.
    let writes = op.sim.faults().writes();
    op.reconcile_ads(ADS).await;
    assert_eq!(op.sim.faults().writes(), writes);

    // The channel's distribution gains exactly MediaTailor's behaviours.
    let distribution_id = resources.distribution_id.clone().unwrap();
    let behaviours = |op: &Operator| {
        let cf = op.sim.cloudfront();
        let id = distribution_id.clone();
        async move {
            cf.get_distribution(&id)
                .await
                .unwrap()
                .config
                .behaviors
                .iter()
                .map(|b| b.path_pattern.clone())
                .collect::<Vec<_>>()
        }
    };
    assert!(behaviours(&op).await.is_empty());
    op.reconcile("news").await.unwrap().unwrap();
    assert_eq!(behaviours(&op).await, ["/v1/*", "/tm/*"]);

    // Delete: configuration and future breaks gone, behaviours dropped, the
    // channel's viewers undisturbed.
    let stops = op.sim.faults().calls(Service::MediaLive, "stop_channel");
    op.api_of::<AdInsertion>()
        .delete(ADS, &Default::default())
        .await
        .unwrap();
    assert!(op.reconcile_ads(ADS).await.is_none());
    assert!(op
        .sim
        .mediatailor()
        .get_playback_configuration(&config_name)
        .await
        .unwrap_err()
        .is_not_found());
    assert!(op
        .sim
        .medialive()
        .describe_schedule(&channel_id)
        .await
        .unwrap()
        .is_empty());
    op.reconcile("news").await.unwrap().unwrap();
    assert!(behaviours(&op).await.is_empty());
    op.sim.advance(Duration::from_secs(300));
    let lc = op.settle("news", on_air).await;
    assert!(on_air(lc.as_ref()));
    assert_eq!(
        op.sim.faults().calls(Service::MediaLive, "stop_channel"),
        stops
    );
}

#[tokio::test]
async fn a_one_off_break_goes_into_the_schedule_at_once() {
    let op = Operator::start().await;
    let lc = op.start_channel("news").await;
    let channel_id = lc.status.unwrap().resources.unwrap().channel_id.unwrap();
    let name = onair::controller::ad_insertion::breaks::insert_now(
        op.sim.medialive().as_ref(),
        &channel_id,
        30,
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    let schedule = schedule(&op, &channel_id).await;
    let action = schedule.iter().find(|a| a.name == name).unwrap();
    assert_eq!(
        action.start,
        onair::aws::medialive::ScheduleStart::Immediate
    );
    assert!(matches!(
        action.kind,
        onair::aws::medialive::ScheduleActionKind::SpliceInsert {
            duration_ms: 30_000,
            ..
        }
    ));
}

#[tokio::test]
async fn a_playback_configuration_changed_outside_onair_is_restored() {
    let op = Operator::start().await;
    op.start_channel("news").await;
    let status = create_and_reconcile(&op).await.status.unwrap();
    let name = status
        .media_tailor
        .unwrap()
        .playback_configuration_name
        .unwrap();
    let tailor = op.sim.mediatailor();
    let mut changed = tailor
        .get_playback_configuration(&name)
        .await
        .unwrap()
        .config;
    changed.ad_decision_server_url = "https://rogue.example.com/vast".into();
    tailor.put_playback_configuration(changed).await.unwrap();
    op.reconcile_ads(ADS).await;
    let restored = tailor
        .get_playback_configuration(&name)
        .await
        .unwrap()
        .config;
    assert!(restored
        .ad_decision_server_url
        .starts_with("https://ads.example.com/vast"));
    let reasons = op.event_reasons(ADS).await;
    assert!(reasons.iter().any(|r| r == "DriftCorrected"), "{reasons:?}");
}

#[tokio::test]
async fn a_configuration_aws_refuses_stalls_with_its_message() {
    let op = Operator::start().await;
    op.start_channel("news").await;
    op.refuse_next(
        Service::MediaTailor,
        "put_playback_configuration",
        "Invalid transcode profile name",
    );
    let adi = create_and_reconcile(&op).await;
    let conditions = adi.status.unwrap().conditions;
    let stalled = conditions.iter().find(|c| c.type_ == "Stalled").unwrap();
    assert_eq!(stalled.reason, "AwsRejected");
    assert!(
        stalled.message.contains("Invalid transcode profile name"),
        "{}",
        stalled.message
    );
    // Fixed on AWS's side: the next reconcile recovers.
    assert_eq!(reason(&op.reconcile_ads(ADS).await.unwrap()), "Ready");
}
