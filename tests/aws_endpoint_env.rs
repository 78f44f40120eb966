//! The SDK's standard endpoint variables reach every client onair builds, so a
//! user can point onair at any emulator: `AWS_ENDPOINT_URL_<SERVICE>` for one
//! service, over `AWS_ENDPOINT_URL` for all; AssumeRole included, since
//! a VPC endpoint for STS (or an emulator) must see it too. Its own test
//! binary (process), because it sets environment variables: one test, so no
//! other thread reads them while they change.

#[path = "emu/mod.rs"]
mod emu;
#[allow(dead_code)] // the moto server only; not its client helpers
#[path = "aws/moto.rs"]
mod moto;
#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;

use onair::aws::clients::{ClientSettings, SdkClients};
use onair::aws::mediatailor::MediaTailorApi;
use onair::aws::sdk::mediatailor::SdkMediaTailor;
use onair::aws::sim::Sim;
use onair::aws::Service;

#[tokio::test]
async fn standard_endpoint_variables_are_honoured() {
    let sim = Sim::default();
    let server = emu::serve(emu::mediatailor::router(sim.mediatailor()))
        .await
        .unwrap();
    // Nothing listens on port 9: only the service-specific variable can work.
    std::env::set_var("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    std::env::set_var("AWS_ENDPOINT_URL_MEDIATAILOR", &server.url);
    let settings = ClientSettings {
        region: "eu-west-1".into(),
        static_credentials: Some(("AKIDEXAMPLE".into(), "secret".into())),
        ..ClientSettings::default()
    };
    let clients = SdkClients::load(settings).await;
    let api: Arc<dyn MediaTailorApi> = Arc::new(SdkMediaTailor::new(&clients));
    let error = api
        .get_playback_configuration("not-there")
        .await
        .expect_err("nothing is configured yet");
    assert!(error.is_not_found(), "{error}");
    assert_eq!(
        sim.faults()
            .calls(Service::MediaTailor, "get_playback_configuration"),
        1,
        "the call reached the emulator named by AWS_ENDPOINT_URL_MEDIATAILOR"
    );

    // Without the service variable, AWS_ENDPOINT_URL applies to every service.
    std::env::remove_var("AWS_ENDPOINT_URL_MEDIATAILOR");
    std::env::set_var("AWS_ENDPOINT_URL", &server.url);
    let clients = SdkClients::load(ClientSettings {
        region: "eu-west-1".into(),
        static_credentials: Some(("AKIDEXAMPLE".into(), "secret".into())),
        ..ClientSettings::default()
    })
    .await;
    let api: Arc<dyn MediaTailorApi> = Arc::new(SdkMediaTailor::new(&clients));
    assert!(api
        .get_playback_configuration("not-there")
        .await
        .unwrap_err()
        .is_not_found());
    assert_eq!(
        sim.faults()
            .calls(Service::MediaTailor, "get_playback_configuration"),
        2
    );

    // A role to assume: AssumeRole goes to AWS_ENDPOINT_URL_STS (moto here),
    // not to AWS_ENDPOINT_URL, where nothing listens.
    let moto = moto::Moto::start();
    std::env::set_var("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    std::env::set_var("AWS_ENDPOINT_URL_STS", &moto.url);
    let clients = SdkClients::load(ClientSettings {
        region: "eu-west-1".into(),
        static_credentials: Some(("AKIDEXAMPLE".into(), "secret".into())),
        assume_role: Some(onair::aws::clients::RoleToAssume {
            role_arn: "arn:aws:iam::123456789012:role/onair-operator".into(),
            external_id: None,
            session_name: Some("endpoint-env".into()),
        }),
        ..ClientSettings::default()
    })
    .await;
    let identity =
        onair::aws::sts::StsApi::get_caller_identity(&onair::aws::sdk::sts::SdkSts::new(&clients))
            .await
            .expect("AssumeRole and GetCallerIdentity reach AWS_ENDPOINT_URL_STS");
    assert!(
        identity
            .arn
            .ends_with("assumed-role/onair-operator/endpoint-env"),
        "{identity:?}"
    );
    std::env::remove_var("AWS_ENDPOINT_URL_STS");
}
