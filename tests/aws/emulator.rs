//! Helpers for contract tests against onair's own emulators (HTTP fronts over the
//! simulation).

use std::sync::Arc;

use crate::emu;
use onair::aws::clients::SdkClients;
use onair::aws::sdk::medialive::SdkMediaLive;
use onair::aws::sim::Sim;

/// The real SDK MediaLive client, talking over HTTP to the simulation `sim`.
pub async fn medialive_over(sim: &Sim) -> (Arc<SdkMediaLive>, emu::Server) {
    let server = emu::serve(emu::medialive::router(sim.medialive()))
        .await
        .unwrap();
    let clients = SdkClients::load(crate::moto::settings(&server.url)).await;
    (Arc::new(SdkMediaLive::new(&clients)), server)
}
