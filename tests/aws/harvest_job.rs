//! A HarvestJob once through the real AWS SDK clients over HTTP: harvest jobs
//! and MediaPackage VOD on onair's emulators (moto has neither), the bucket
//! check on moto's S3, STS on moto.

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, Patch, PatchParams, PostParams};
use onair::api::harvest_job::{HarvestJob, HarvestPhase};
use onair::aws::mediapackage::NewChannel;
use onair::aws::sim::Sim;
use onair::aws::Service;

use crate::moto::Moto;
use crate::support::operator::NS;

#[tokio::test]
async fn a_clip_is_harvested_and_published_through_the_real_sdk() {
    let moto = Moto::start();
    let sim = Sim::default();
    let (op, _emulators) = crate::operator::sdk_operator(
        &moto,
        &sim,
        &[Service::MediaPackage, Service::MediaPackageVod],
    )
    .await;

    // A channel with a start-over window, as the LiveChannel reconciler leaves it.
    let mp = sim.mediapackage();
    let channel = mp
        .create_channel(NewChannel {
            id: "news-channel".into(),
            description: None,
            tags: Default::default(),
        })
        .await
        .unwrap();
    sim.advance(Duration::from_secs(5));
    let spec = onair::plan::mediapackage::endpoint(
        &serde_json::from_value(serde_json::json!({"startoverWindowSeconds": 7200})).unwrap(),
        onair::plan::mediapackage::Format::Hls,
        "news-hls",
        &channel.id,
        None,
    )
    .unwrap();
    mp.create_origin_endpoint(spec).await.unwrap();
    let mut lc = crate::support::example_channel("news");
    lc.spec.cdn.telemetry = None;
    lc.spec.provider_ref = None;
    op.apply(&lc).await;
    op.api()
        .patch_status(
            "news",
            &PatchParams::default(),
            &Patch::Merge(
                serde_json::json!({"status": {"resources": {"hlsEndpointId": "news-hls"}}}),
            ),
        )
        .await
        .unwrap();

    let clients = moto.clients().await;
    crate::existence::raw_s3(&clients)
        .create_bucket()
        .bucket("clips")
        .send()
        .await
        .unwrap();
    sim.create_bucket("clips");
    let job: HarvestJob = serde_json::from_value(serde_json::json!({
        "apiVersion": "onair.dev/v1alpha1", "kind": "HarvestJob", "metadata": {"name": "goal"},
        "spec": {
            "channelRef": {"name": "news"}, "lastMinutes": 2,
            "destination": {"bucket": "clips", "roleArn": "arn:aws:iam::123456789012:role/Harvest"},
            "vod": {"hls": true, "roleArn": "arn:aws:iam::123456789012:role/Vod"}
        }
    }))
    .unwrap();
    let jobs: Api<HarvestJob> = Api::namespaced(op.client.clone(), NS);
    jobs.create(&PostParams::default(), &job).await.unwrap();
    let mut done = None;
    for _ in 0..40 {
        let hj = jobs.get("goal").await.unwrap();
        if hj.status.as_ref().and_then(|s| s.phase) == Some(HarvestPhase::Succeeded) {
            done = Some(hj);
            break;
        }
        onair::controller::harvest_job::reconcile(Arc::new(hj), op.ctx.clone())
            .await
            .unwrap();
        sim.advance(Duration::from_secs(20));
    }
    let hj = done.unwrap_or_else(|| {
        panic!(
            "never succeeded; objects in the bucket: {:?}",
            sim.s3_keys("clips")
        )
    });
    let status = hj.status.unwrap();
    assert_eq!(
        status.manifest_uri.as_deref(),
        Some("s3://clips/goal/index.m3u8")
    );
    assert!(sim.s3_object("clips", "goal/index.m3u8").is_some());
    assert!(status.vod_playback_url.is_some());
}
