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

/// An endpoint without the API (a web server's 404 page, no AWS error)
/// reads as `NotServed`, which conditions report as `ApiNotServed` and the
/// guard does not retry, not as a missing resource to create.
#[tokio::test]
async fn an_endpoint_without_the_api_reads_as_not_served() {
    use onair::aws::medialive::MediaLiveApi;
    let server = emu::serve(axum::Router::new().fallback(|| async { emu::not_served() }))
        .await
        .unwrap();
    let clients = SdkClients::load(crate::moto::settings(&server.url)).await;
    let error = SdkMediaLive::new(&clients)
        .list_input_security_groups()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind, onair::aws::ErrorKind::NotServed { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let failure = onair::plan::failure::Failure::aws("MediaLive input security group", &error);
    assert_eq!(failure.reason, "ApiNotServed");
    assert!(failure.stalled);
    assert!(
        failure
            .message
            .contains("MediaLive ListInputSecurityGroups: the endpoint does not serve this API"),
        "{}",
        failure.message
    );
}
