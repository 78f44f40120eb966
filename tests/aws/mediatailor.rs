//! MediaTailor: the upsert scenario on the simulation, and through the real SDK client
//! over HTTP against onair's emulator (moto has no MediaTailor).

use std::sync::Arc;

use crate::emu;
use onair::aws::clients::SdkClients;
use onair::aws::sdk::mediatailor::SdkMediaTailor;
use onair::aws::sim::Sim;

use crate::scenarios::mediatailor_upsert;

#[tokio::test]
async fn sim_playback_configuration_upsert() {
    mediatailor_upsert(Sim::default().mediatailor()).await;
}

#[tokio::test]
async fn contract_playback_configuration_upsert_on_the_emulator() {
    let sim = Sim::default();
    let server = emu::serve(emu::mediatailor::router(sim.mediatailor()))
        .await
        .unwrap();
    // A per-service endpoint wins over the account-wide one (nothing listens there).
    let mut settings = crate::moto::settings("http://127.0.0.1:9");
    settings
        .service_endpoints
        .insert(onair::aws::Service::MediaTailor, server.url.clone());
    let clients = SdkClients::load(settings).await;
    mediatailor_upsert(Arc::new(SdkMediaTailor::new(&clients))).await;
    // Every call went through the simulation.
    assert_eq!(
        sim.faults().calls(
            onair::aws::Service::MediaTailor,
            "put_playback_configuration"
        ),
        2
    );
}
