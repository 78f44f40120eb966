//! The HarvestJob reconciler end to end: the local API server and the AWS
//! simulation, reconciles driven by hand with simulated time moving.

mod support;

use std::sync::Arc;
use std::time::Duration;

use kube::api::Api;
use onair::api::harvest_job::{HarvestJob, HarvestPhase};
use onair::api::ConditionStatus;
use support::operator::{ready_reason, Operator};

const BUCKET: &str = "example-media-vod";

fn jobs(op: &Operator) -> Api<HarvestJob> {
    op.api_of()
}

fn job(name: &str, spec: serde_json::Value) -> HarvestJob {
    let mut base = serde_json::json!({
        "channelRef": {"name": "news"},
        "lastMinutes": 1,
        "destination": {"bucket": BUCKET, "keyPrefix": "harvest/news", "roleArn": "arn:aws:iam::123456789012:role/Harvest"}
    });
    base.as_object_mut()
        .unwrap()
        .extend(spec.as_object().unwrap().clone());
    serde_json::from_value(serde_json::json!({
        "apiVersion": "onair.dev/v1alpha1", "kind": "HarvestJob",
        "metadata": {"name": name}, "spec": base
    }))
    .unwrap()
}

async fn get(op: &Operator, name: &str) -> Option<HarvestJob> {
    jobs(op).get_opt(name).await.unwrap()
}

fn phase(hj: Option<&HarvestJob>) -> Option<HarvestPhase> {
    hj?.status.as_ref()?.phase
}

fn reason(hj: Option<&HarvestJob>) -> String {
    hj.and_then(|h| h.status.as_ref())
        .map(|s| ready_reason(&s.conditions))
        .unwrap_or_default()
}

async fn channel_on_air(op: &Operator) {
    op.start_channel("news").await;
}

#[tokio::test]
async fn a_clip_is_harvested_published_and_cleaned_up_after_its_ttl() {
    let op = Operator::start().await;
    op.sim.create_bucket(BUCKET);
    // Before the channel: it waits, and says why, without touching AWS.
    let spec = serde_json::json!({
        "vod": {"hls": true, "dash": true, "roleArn": "arn:aws:iam::123456789012:role/Vod"},
        "ttlSecondsAfterFinished": 2
    });
    op.create(&job("clip", spec)).await;
    let writes = op.sim.faults().writes();
    let hj = op
        .settle_job("clip", |h| reason(h) == "ChannelNotFound")
        .await
        .unwrap();
    assert_eq!(op.sim.faults().writes(), writes);
    let status = hj.status.unwrap();
    let (start, end) = (
        status.window_start.clone().unwrap(),
        status.window_end.clone().unwrap(),
    );
    assert_eq!(
        phase(get(&op, "clip").await.as_ref()),
        Some(HarvestPhase::Pending)
    );

    channel_on_air(&op).await;
    let hj = op
        .settle_job("clip", |h| phase(h) == Some(HarvestPhase::Succeeded))
        .await
        .unwrap();
    let status = hj.status.clone().unwrap();
    assert_eq!(
        (status.window_start.unwrap(), status.window_end.unwrap()),
        (start, end),
        "resolved once"
    );
    assert_eq!(
        status.manifest_uri.as_deref(),
        Some("s3://example-media-vod/harvest/news/clip/index.m3u8")
    );
    assert!(
        op.sim
            .s3_object(BUCKET, "harvest/news/clip/index.m3u8")
            .is_some(),
        "the manifest is in S3"
    );
    assert!(
        status
            .vod_playback_url
            .as_deref()
            .unwrap()
            .starts_with("https://"),
        "{:?}",
        status.vod_playback_url
    );
    let complete = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Complete")
        .unwrap();
    assert_eq!(complete.status, ConditionStatus::True);
    assert!(status
        .conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == ConditionStatus::True));
    let asset = status.vod_asset_id.unwrap();

    // Finished: nothing is polled any more.
    let calls: u64 = op.sim.faults().all_calls().values().sum();
    onair::controller::harvest_job::reconcile(Arc::new(hj), op.ctx.clone())
        .await
        .unwrap();
    assert_eq!(op.sim.faults().all_calls().values().sum::<u64>(), calls);

    // The TTL deletes the object; deletion removes the VOD asset, not S3.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    op.settle_job("clip", |h| h.is_none()).await;
    assert!(op
        .sim
        .mediapackagevod()
        .describe_asset(&asset)
        .await
        .unwrap_err()
        .is_not_found());
    assert!(
        op.sim
            .s3_object(BUCKET, "harvest/news/clip/index.m3u8")
            .is_some(),
        "the clip stays"
    );
}

#[tokio::test]
async fn a_failure_in_aws_is_reported_as_failed() {
    let op = Operator::start().await;
    channel_on_air(&op).await;
    // No bucket at all: refused before a job is created.
    op.create(&job("no-bucket", serde_json::json!({}))).await;
    let hj = op
        .settle_job("no-bucket", |h| phase(h) == Some(HarvestPhase::Failed))
        .await;
    assert_eq!(reason(hj.as_ref()), "BucketNotFound");
    assert_eq!(
        op.sim
            .faults()
            .calls(onair::aws::Service::MediaPackage, "create_harvest_job"),
        0
    );
    // The bucket goes away while MediaPackage harvests: the job fails in AWS.
    op.sim.create_bucket(BUCKET);
    op.create(&job("nowhere", serde_json::json!({}))).await;
    op.settle_job("nowhere", |h| phase(h) == Some(HarvestPhase::Running))
        .await;
    op.sim.delete_bucket(BUCKET);
    let hj = op
        .settle_job("nowhere", |h| phase(h) == Some(HarvestPhase::Failed))
        .await
        .unwrap();
    let status = hj.status.unwrap();
    let failed = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Failed")
        .unwrap();
    assert_eq!(
        (failed.status, failed.reason.as_str()),
        (ConditionStatus::True, "HarvestFailed")
    );
    assert!(
        failed.message.contains("s3://example-media-vod"),
        "{}",
        failed.message
    );
    assert!(status.conditions.iter().any(|c| c.type_ == "Stalled"));
}

#[tokio::test]
async fn windows_the_channel_cannot_serve_are_refused_before_any_aws_call() {
    let op = Operator::start().await;
    channel_on_air(&op).await;
    let writes = op.sim.faults().writes();
    let now = jiff::Timestamp::now();
    let at = |minutes: i64| (now + jiff::SignedDuration::from_mins(minutes)).to_string();
    // Older than the channel's two-hour start-over window.
    op.create(&job(
        "too-old",
        serde_json::json!({"lastMinutes": null, "startTime": at(-300), "endTime": at(-290)}),
    ))
    .await;
    let hj = op
        .settle_job("too-old", |h| phase(h) == Some(HarvestPhase::Failed))
        .await;
    let message = hj
        .unwrap()
        .status
        .unwrap()
        .conditions
        .into_iter()
        .find(|c| c.type_ == "Ready")
        .unwrap()
        .message;
    assert!(message.contains("start-over window"), "{message}");
    // Ending in the future: waits for it.
    op.create(&job(
        "later",
        serde_json::json!({"lastMinutes": null, "startTime": at(-5), "endTime": at(30)}),
    ))
    .await;
    op.settle_job("later", |h| reason(h) == "WindowNotOver")
        .await;
    // DASH that cannot be harvested.
    op.create(&job("dash", serde_json::json!({"endpoint": "Dash"})))
        .await;
    op.patch_spec(
        "news",
        serde_json::json!({"packaging": {"dash": {"segmentTemplate": "NumberWithDuration"}}}),
    )
    .await;
    let hj = op
        .settle_job("dash", |h| phase(h) == Some(HarvestPhase::Failed))
        .await;
    assert_eq!(reason(hj.as_ref()), "InvalidWindow");
    assert_eq!(
        op.sim.faults().writes(),
        writes,
        "no AWS call for any of them"
    );
}

#[tokio::test]
async fn retain_keeps_the_published_clip_when_the_job_goes() {
    let op = Operator::start().await;
    op.sim.create_bucket(BUCKET);
    channel_on_air(&op).await;
    let spec = serde_json::json!({
        "vod": {"hls": true, "roleArn": "arn:aws:iam::123456789012:role/Vod"},
        "deletionPolicy": "Retain"
    });
    op.create(&job("keep", spec)).await;
    let hj = op
        .settle_job("keep", |h| phase(h) == Some(HarvestPhase::Succeeded))
        .await
        .unwrap();
    let asset = hj.status.unwrap().vod_asset_id.unwrap();
    let reasons = op.event_reasons("keep").await;
    assert!(reasons.iter().any(|r| r == "Created"), "{reasons:?}");
    jobs(&op).delete("keep", &Default::default()).await.unwrap();
    op.settle_job("keep", |h| h.is_none()).await;
    op.sim
        .mediapackagevod()
        .describe_asset(&asset)
        .await
        .unwrap();
}
