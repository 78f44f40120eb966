//! An AdInsertion once through the real AWS SDK clients over HTTP, against
//! onair's emulators of MediaTailor and MediaLive schedules (moto has
//! neither).

use std::sync::Arc;

use kube::api::{Api, Patch, PatchParams, PostParams};
use onair::api::AdInsertion;
use onair::aws::sim::Sim;
use crate::emu;
use onair::aws::Service;

use crate::moto::Moto;
use crate::support::operator::NS;

#[tokio::test]
async fn ads_and_breaks_through_the_real_sdk() {
    let moto = Moto::start();
    let sim = Sim::default();
    let tailor = emu::serve(emu::mediatailor::router(sim.mediatailor()))
        .await
        .unwrap();
    let medialive = emu::serve(emu::medialive::router(sim.medialive()))
        .await
        .unwrap();
    let op = crate::operator::sdk_operator(
        &moto,
        &sim,
        &[
            (Service::MediaTailor, tailor.url.as_str()),
            (Service::MediaLive, medialive.url.as_str()),
        ],
    )
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

    let text =
        std::fs::read_to_string(crate::support::repo().join("examples/ad-insertion.yaml")).unwrap();
    let mut adi: AdInsertion = serde_yaml::from_str(&text).unwrap();
    adi.spec.channel_ref.name = "news".into();
    let ads: Api<AdInsertion> = Api::namespaced(op.client.clone(), NS);
    ads.create(&PostParams::default(), &adi).await.unwrap();
    let adi = ads.get("sports-1-ads").await.unwrap();
    onair::controller::ad_insertion::reconcile(Arc::new(adi), op.ctx.clone())
        .await
        .unwrap();
    let status = ads.get("sports-1-ads").await.unwrap().status.unwrap();
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
