//! MediaPackage VOD: the shared scenario on the simulation, and through the real SDK
//! client over HTTP against onair's emulator (moto has no MediaPackage VOD).

use std::sync::Arc;

use crate::emu;
use onair::aws::clients::SdkClients;
use onair::aws::sdk::mediapackagevod::SdkMediaPackageVod;
use onair::aws::sim::Sim;
use onair::aws::Service;

use crate::scenarios::mediapackagevod::*;

const SOURCE: &str = "arn:aws:s3:::onair-vod/clips/news/index.m3u8";

fn with_clip() -> Sim {
    let sim = Sim::default();
    sim.create_bucket("onair-vod");
    sim.put_s3_object("onair-vod", "clips/news/index.m3u8", b"#EXTM3U\n");
    sim
}

#[tokio::test]
async fn sim_group_configurations_asset() {
    vod_group_configurations_asset(with_clip().mediapackagevod(), SOURCE).await;
}

#[tokio::test]
async fn contract_group_configurations_asset_on_the_emulator() {
    let sim = with_clip();
    let server = emu::serve(emu::mediapackagevod::router(sim.mediapackagevod()))
        .await
        .unwrap();
    let clients = SdkClients::load(crate::moto::settings(&server.url)).await;
    vod_group_configurations_asset(Arc::new(SdkMediaPackageVod::new(&clients)), SOURCE).await;
    assert_eq!(
        sim.faults().calls(Service::MediaPackageVod, "create_asset"),
        2
    );
}

#[tokio::test]
async fn an_asset_needs_a_readable_source() {
    let sim = Sim::default();
    let api = sim.mediapackagevod();
    let group = onair::aws::mediapackagevod::PackagingGroupSpec {
        id: "g".into(),
        ..Default::default()
    };
    api.create_packaging_group(group).await.unwrap();
    let err = api
        .create_asset(onair::aws::mediapackagevod::NewAsset {
            id: "a".into(),
            packaging_group_id: "g".into(),
            source_arn: SOURCE.into(),
            source_role_arn: "arn:aws:iam::123456789012:role/r".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind, onair::aws::ErrorKind::InvalidRequest { .. }),
        "{err}"
    );
}
