//! An AdInsertion once through the real AWS SDK clients over HTTP, against
//! onair's emulators of MediaTailor and MediaLive schedules (moto has
//! neither).

use kube::api::{Patch, PatchParams};
use onair::aws::sim::Sim;
use onair::aws::Service;

use crate::moto::Moto;

#[tokio::test]
async fn ads_and_breaks_through_the_real_sdk() {
    let moto = Moto::start();
    let sim = Sim::default();
    let (op, _emulators) =
        crate::operator::sdk_operator(&moto, &sim, &[Service::MediaTailor, Service::MediaLive])
            .await;

    // A MediaLive channel in the simulation, and a LiveChannel that says it
    // is on air behind a distribution (as its reconciler leaves it).
    let o = crate::scenarios::owner();
    let input = sim
        .medialive()
        .create_input(crate::scenarios::new_pull_input(&o))
        .await
        .unwrap();
    let channel = sim
        .medialive()
        .create_channel(crate::scenarios::new_channel(&o, &input.id))
        .await
        .unwrap();
    let mut lc = crate::support::example_channel("news");
    lc.spec.provider_ref = None;
    lc.spec.cdn.telemetry = None;
    op.apply(&lc).await;
    op.api()
        .patch_status(
            "news",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"status": {
                "resources": {"channelId": channel.id, "distributionDomain": "d1.cloudfront.net"},
                "playback": {"originHls": "https://mp.mediapackage.eu-west-1.amazonaws.com/out/v1/h1/index.m3u8"}
            }})),
        )
        .await
        .unwrap();

    op.create(&crate::support::example_ads()).await;
    let status = op
        .reconcile_ads("sports-1-ads")
        .await
        .expect("the AdInsertion exists")
        .status
        .unwrap();
    let hls = status.playback.unwrap().hls.unwrap();
    assert!(
        hls.starts_with("https://d1.cloudfront.net/v1/master/") && hls.ends_with("/h1/index.m3u8"),
        "{hls}"
    );
    let name = status
        .media_tailor
        .unwrap()
        .playback_configuration_name
        .unwrap();
    let config = sim
        .mediatailor()
        .get_playback_configuration(&name)
        .await
        .unwrap();
    assert_eq!(
        config.config.video_content_source_url,
        "https://d1.cloudfront.net/out/v1"
    );
    assert_eq!(
        sim.medialive()
            .describe_schedule(&channel.id)
            .await
            .unwrap()
            .len(),
        3
    );
}
