//! MediaPackage v1 scenarios, run on the simulation and through the SDK over HTTP.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use onair::aws::mediapackage::*;
use onair::aws::ownership::{Owner, Tags};

use super::{owner, Backend};

pub fn new_channel(o: &Owner) -> NewChannel {
    NewChannel {
        id: o.resource_id("mp", MAX_ID_LEN),
        description: Some("onair media/news".into()),
        tags: o.tags("mp", &Tags::new()),
    }
}

pub fn hls_endpoint(o: &Owner, channel_id: &str) -> OriginEndpointSpec {
    OriginEndpointSpec {
        id: o.resource_id("hls", MAX_ID_LEN),
        channel_id: channel_id.into(),
        description: Some("HLS".into()),
        manifest_name: Some("index".into()),
        package: Package::Hls(HlsPackage {
            segment_duration_seconds: Some(6),
            playlist_window_seconds: Some(60),
            ad_markers: Some("PASSTHROUGH".into()),
            ad_triggers: vec!["SPLICE_INSERT".into(), "BREAK".into()],
        }),
        startover_window_seconds: Some(3600),
        time_delay_seconds: Some(10),
        authorization: Some(CdnAuthorization {
            cdn_identifier_secret_arn:
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:onair-cdn-AbCdEf".into(),
            secrets_role_arn: "arn:aws:iam::123456789012:role/MediaPackageSecrets".into(),
        }),
        tags: o.tags("hls", &Tags::new()),
    }
}

pub fn dash_endpoint(o: &Owner, channel_id: &str) -> OriginEndpointSpec {
    OriginEndpointSpec {
        id: o.resource_id("dash", MAX_ID_LEN),
        channel_id: channel_id.into(),
        description: Some("DASH".into()),
        manifest_name: Some("index".into()),
        package: Package::Dash(DashPackage {
            segment_duration_seconds: Some(2),
            manifest_window_seconds: Some(60),
            segment_template_format: Some("NUMBER_WITH_TIMELINE".into()),
            ad_triggers: vec!["SPLICE_INSERT".into()],
            period_triggers: vec!["ADS".into()],
        }),
        startover_window_seconds: None,
        time_delay_seconds: None,
        authorization: None,
        tags: o.tags("dash", &Tags::new()),
    }
}

/// Channel and endpoints: create with owner-derived ids, read back as written,
/// update, list by channel, delete endpoints then the channel.
pub async fn mediapackage_channel_and_endpoints(
    api: Arc<dyn MediaPackageApi>,
    b: &dyn Backend,
    has_ingest: bool,
) {
    let o = owner();
    let ch = api.create_channel(new_channel(&o)).await.unwrap();
    assert_eq!(ch.id, o.resource_id("mp", MAX_ID_LEN));
    assert!(o.owns("mp", &ch.tags), "{:?}", ch.tags);
    let described = api.describe_channel(&ch.id).await.unwrap();
    assert_eq!(described.description.as_deref(), Some("onair media/news"));
    if has_ingest {
        assert_eq!(described.ingest_endpoints.len(), 2);
        for e in &described.ingest_endpoints {
            assert!(e.url.starts_with("https://") && !e.username.is_empty());
            assert!(!e.password.is_empty());
            assert!(
                !format!("{described:?}").contains(e.password.expose()),
                "the ingest password never shows in Debug"
            );
        }
    }
    assert!(api
        .list_channels()
        .await
        .unwrap()
        .iter()
        .any(|c| c.id == ch.id && o.owns("mp", &c.tags)));

    b.settle().await;
    let hls = api
        .create_origin_endpoint(hls_endpoint(&o, &ch.id))
        .await
        .unwrap();
    assert_eq!(hls.spec, hls_endpoint(&o, &ch.id), "reads back as written");
    assert!(hls.url.starts_with("https://"), "{}", hls.url);
    let dash = api
        .create_origin_endpoint(dash_endpoint(&o, &ch.id))
        .await
        .unwrap();
    assert_eq!(
        api.describe_origin_endpoint(&dash.spec.id)
            .await
            .unwrap()
            .spec,
        dash_endpoint(&o, &ch.id)
    );

    let mut changed = hls_endpoint(&o, &ch.id);
    changed.package = Package::Hls(HlsPackage {
        segment_duration_seconds: Some(4),
        playlist_window_seconds: Some(120),
        ad_markers: Some("SCTE35_ENHANCED".into()),
        ad_triggers: vec![],
    });
    changed.startover_window_seconds = Some(7200);
    changed.authorization = None;
    let updated = api.update_origin_endpoint(changed.clone()).await.unwrap();
    assert_eq!(updated.spec, changed);
    assert_eq!(
        api.describe_origin_endpoint(&hls.spec.id)
            .await
            .unwrap()
            .spec,
        changed
    );

    let mut listed: Vec<String> = api
        .list_origin_endpoints(&ch.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.spec.id)
        .collect();
    listed.sort();
    let mut expected = vec![hls.spec.id.clone(), dash.spec.id.clone()];
    expected.sort();
    assert_eq!(listed, expected);
    assert!(api
        .list_origin_endpoints("some-other-channel")
        .await
        .unwrap()
        .is_empty());

    api.delete_origin_endpoint(&hls.spec.id).await.unwrap();
    api.delete_origin_endpoint(&dash.spec.id).await.unwrap();
    let err = api
        .describe_origin_endpoint(&hls.spec.id)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    api.delete_channel(&ch.id).await.unwrap();
    let err = api.describe_channel(&ch.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// A harvest window `from`..`to` minutes relative to `now`, whole seconds.
pub fn window(now: Timestamp, from: i64, to: i64) -> (Timestamp, Timestamp) {
    let now = Timestamp::from_second(now.as_second()).unwrap();
    (
        now + SignedDuration::from_mins(from),
        now + SignedDuration::from_mins(to),
    )
}

pub fn new_job(
    o: &Owner,
    endpoint_id: &str,
    (start, end): (Timestamp, Timestamp),
) -> NewHarvestJob {
    NewHarvestJob {
        id: o.resource_id("clip", MAX_ID_LEN),
        origin_endpoint_id: endpoint_id.into(),
        start_time: start,
        end_time: end,
        s3_destination: S3Destination {
            bucket_name: "onair-vod".into(),
            manifest_key: "clips/news/index.m3u8".into(),
            role_arn: "arn:aws:iam::123456789012:role/MediaPackageHarvest".into(),
        },
    }
}

/// Harvest jobs on an HLS endpoint with a one-hour startover window, given AWS's
/// current time `now`: windows AWS refuses, then a clip that goes IN_PROGRESS ->
/// SUCCEEDED; its id cannot be reused.
pub async fn mediapackage_harvest(
    api: Arc<dyn MediaPackageApi>,
    b: &dyn Backend,
    channel_id: &str,
    endpoint_id: &str,
    now: Timestamp,
) -> HarvestJob {
    let o = owner();
    for (bad, why) in [
        (window(now, -10, -20), "ends before it starts"),
        (window(now, -120, -100), "before the startover window"),
        (window(now, -50, 24 * 60 - 40), "longer than 24 h"),
    ] {
        let err = api
            .create_harvest_job(new_job(&o, endpoint_id, bad))
            .await
            .unwrap_err();
        assert!(
            matches!(err.kind, onair::aws::ErrorKind::InvalidRequest { .. }),
            "{why}: {err}"
        );
    }
    let job = new_job(&o, endpoint_id, window(now, -30, -5));
    let created = api.create_harvest_job(job.clone()).await.unwrap();
    assert_eq!(created.status, HarvestStatus::InProgress);
    assert_eq!(created.channel_id, channel_id);
    assert_eq!(
        (created.start_time, created.end_time),
        (job.start_time, job.end_time)
    );
    assert_eq!(created.s3_destination, job.s3_destination);

    b.settle().await;
    let done = api.describe_harvest_job(&job.id).await.unwrap();
    assert_eq!(done.status, HarvestStatus::Succeeded);
    let listed = api.list_harvest_jobs(channel_id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, job.id);
    assert!(api.list_harvest_jobs("another").await.unwrap().is_empty());

    let err = api.create_harvest_job(job).await.unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    let err = api.describe_harvest_job("nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    done
}
