//! MediaPackage v1: shared scenarios on the simulation, through the real SDK client on
//! moto (channels, endpoints) and on onair's emulator over the simulation (harvest
//! jobs, which moto lacks); behaviour only the simulation proves.

use std::sync::Arc;
use std::time::Duration;

use crate::emu;
use onair::aws::clients::SdkClients;
use onair::aws::guard::{Budgets, Limiters};
use onair::aws::mediapackage::*;
use onair::aws::sdk::mediapackage::SdkMediaPackage;
use onair::aws::sim::{Fault, Sim, SimTimings};
use onair::aws::{ErrorKind, Service};

use crate::moto::Moto;
use crate::scenarios::mediapackage::*;
use crate::scenarios::{owner, Emulated, SimBackend};

/// A channel of `o`'s in the simulation, and (once the channel has
/// propagated) an origin endpoint on it from `endpoint`.
async fn channel_with_endpoint(
    sim: &Sim,
    o: &onair::aws::ownership::Owner,
    endpoint: fn(&onair::aws::ownership::Owner, &str) -> OriginEndpointSpec,
) -> (Channel, OriginEndpoint) {
    let api = sim.mediapackage();
    let ch = api.create_channel(new_channel(o)).await.unwrap();
    sim.advance(Duration::from_secs(10));
    let ep = api
        .create_origin_endpoint(endpoint(o, &ch.id))
        .await
        .unwrap();
    (ch, ep)
}

/// A channel and a harvestable HLS endpoint (one-hour startover window), made in the
/// simulation directly; and the bucket harvest jobs write to.
async fn harvest_fixture(sim: &Sim) -> (String, String) {
    let (ch, ep) = channel_with_endpoint(sim, &owner(), hls_endpoint).await;
    sim.create_bucket("onair-vod");
    (ch.id, ep.spec.id)
}

#[tokio::test]
async fn sim_channel_and_endpoints() {
    let sim = Sim::default();
    mediapackage_channel_and_endpoints(sim.mediapackage(), &SimBackend(sim.clone()), true).await;
}

#[tokio::test]
async fn sim_harvest() {
    let sim = Sim::default();
    let (ch, ep) = harvest_fixture(&sim).await;
    let now = sim.now_utc();
    mediapackage_harvest(sim.mediapackage(), &SimBackend(sim.clone()), &ch, &ep, now).await;
    let manifest = sim.s3_object("onair-vod", "clips/news/index.m3u8").unwrap();
    assert!(String::from_utf8(manifest).unwrap().starts_with("#EXTM3U"));
}

#[tokio::test]
async fn contract_channel_and_endpoints_on_moto() {
    let moto = Moto::start();
    let api = Arc::new(SdkMediaPackage::new(&moto.clients().await));
    // moto's channels have no HLS ingest endpoints.
    mediapackage_channel_and_endpoints(api, &Emulated, false).await;
}

#[tokio::test]
async fn contract_harvest_on_the_emulator() {
    let sim = Sim::default();
    let (ch, ep) = harvest_fixture(&sim).await;
    let server = emu::serve(emu::mediapackage::router(sim.mediapackage()))
        .await
        .unwrap();
    let clients = SdkClients::load(crate::moto::settings(&server.url)).await;
    let api = Arc::new(SdkMediaPackage::new(&clients));
    let now = sim.now_utc();
    mediapackage_harvest(api, &SimBackend(sim.clone()), &ch, &ep, now).await;
    assert!(sim
        .s3_object("onair-vod", "clips/news/index.m3u8")
        .is_some());
    assert_eq!(
        sim.faults()
            .calls(Service::MediaPackage, "create_harvest_job"),
        5
    );
}

// --- behaviour only the simulation proves

#[tokio::test(start_paused = true)]
async fn an_endpoint_right_after_its_channel_is_retried_by_the_guard() {
    // Invisible for 100 ms; the guard's jittered retries wait longer than that
    // (seeded, so the test does not depend on the draw).
    fastrand::seed(4);
    let sim = Sim::new(SimTimings {
        channel_propagation: Duration::from_millis(100),
        ..Default::default()
    });
    let guard = Limiters::new(Budgets::default()).guard(sim.account(), sim.region());
    let api = onair::aws::AwsApis::sim(&sim, guard).mediapackage;
    let o = owner();
    let ch = api.create_channel(new_channel(&o)).await.unwrap();
    // Without the guard, the channel is not visible yet: a Transient error.
    let err = sim
        .mediapackage()
        .create_origin_endpoint(hls_endpoint(&o, &ch.id))
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    // Through the guard, the retry succeeds once the channel has propagated.
    api.create_origin_endpoint(hls_endpoint(&o, &ch.id))
        .await
        .unwrap();
    assert!(
        sim.faults()
            .calls(Service::MediaPackage, "create_origin_endpoint")
            >= 3
    );
}

#[tokio::test(start_paused = true)]
async fn a_create_retried_after_a_crash_finds_its_channel_instead_of_a_second_one() {
    let sim = Sim::default();
    let guard = Limiters::new(Budgets::default()).guard(sim.account(), sim.region());
    let api = onair::aws::AwsApis::sim(&sim, guard).mediapackage;
    let o = owner();
    sim.faults().inject(
        Service::MediaPackage,
        "create_channel",
        Fault::CrashAfter,
        1,
    );
    // The guard retries the crash; the caller-chosen id makes the retry AlreadyExists.
    let err = api.create_channel(new_channel(&o)).await.unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    let channels = api.list_channels().await.unwrap();
    assert_eq!(channels.len(), 1);
    assert!(o.owns("mp", &channels[0].tags), "adoptable by its tags");
}

#[tokio::test]
async fn a_channel_with_endpoints_cannot_be_deleted() {
    let sim = Sim::default();
    let api = sim.mediapackage();
    let (ch, _) = channel_with_endpoint(&sim, &owner(), dash_endpoint).await;
    let err = api.delete_channel(&ch.id).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
}

#[tokio::test]
async fn harvest_into_a_missing_bucket_fails_and_dash_needs_a_timeline() {
    let sim = Sim::default();
    let api = sim.mediapackage();
    let o = owner();
    let (ch, ep) = channel_with_endpoint(&sim, &o, hls_endpoint).await;
    let job = api
        .create_harvest_job(new_job(&o, &ep.spec.id, window(sim.now_utc(), -20, -10)))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(600));
    assert_eq!(
        api.describe_harvest_job(&job.id).await.unwrap().status,
        HarvestStatus::Failed
    );

    let mut dash = dash_endpoint(&o, &ch.id);
    dash.startover_window_seconds = Some(3600);
    dash.package = Package::Dash(DashPackage {
        segment_template_format: Some("NUMBER_WITH_DURATION".into()),
        ..Default::default()
    });
    api.create_origin_endpoint(dash.clone()).await.unwrap();
    let mut job = new_job(&o, &dash.id, window(sim.now_utc(), -20, -10));
    job.id.push_str("-dash");
    let err = api.create_harvest_job(job).await.unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::InvalidRequest { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_clip_ending_in_the_future_completes_after_its_end() {
    let sim = Sim::default();
    let (_, ep) = harvest_fixture(&sim).await;
    let api = sim.mediapackage();
    let job = api
        .create_harvest_job(new_job(&owner(), &ep, window(sim.now_utc(), -10, 10)))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(9 * 60));
    assert_eq!(
        api.describe_harvest_job(&job.id).await.unwrap().status,
        HarvestStatus::InProgress
    );
    sim.advance(Duration::from_secs(10 * 60));
    assert_eq!(
        api.describe_harvest_job(&job.id).await.unwrap().status,
        HarvestStatus::Succeeded
    );
}
