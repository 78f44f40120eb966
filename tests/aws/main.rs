//! Tests of the AWS layer (src/aws): the simulation and the guard, and contract tests
//! of the SDK implementations over HTTP against moto and onair's own emulators.
//! Scenarios are written once over the service traits and run against both, so the
//! simulation cannot drift from what the adapters do.

#[path = "../emu/mod.rs"]
mod emu;

mod ad_insertion;
mod aws_provider;
mod cloudfront;
mod done_when;
mod emulator;
mod existence;
mod harvest_job;
mod live_channel;
mod medialive;
mod mediapackage;
mod mediapackagev2;
mod mediapackagevod;
mod mediatailor;
mod moto;
mod operator;
mod sandbox;
mod scenarios;
mod secretsmanager;
#[path = "../support/mod.rs"]
mod support;
mod wafv2;

/// kube and the AWS SDK share one rustls build with only the ring provider: both
/// clients start in one process without "could not determine the process-level
/// CryptoProvider" (DESIGN.md, Pitfalls).
#[tokio::test]
async fn kube_and_aws_clients_start_in_one_process() {
    let clients =
        onair::aws::clients::SdkClients::load(moto::settings("https://127.0.0.1:9")).await;
    let _ = onair::aws::sdk::medialive::SdkMediaLive::new(&clients);
    let config = kube::Config::new("https://127.0.0.1:6443".parse().unwrap());
    kube::Client::try_from(config).expect("kube client with rustls");
}
