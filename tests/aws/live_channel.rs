//! The LiveChannel create / on air / delete lifecycle once through the real
//! AWS SDK clients over HTTP: MediaLive, MediaPackage, Secrets Manager and
//! STS on moto, CloudFront (whose cache policies moto lacks) on onair's
//! emulator. A pull input, since moto has no input security groups.

use onair::aws::sim::Sim;
use onair::aws::Service;

use crate::moto::Moto;
use crate::support::operator::{channel_state, ready};

#[tokio::test]
async fn the_lifecycle_runs_through_the_real_sdk() {
    let moto = Moto::start();
    let sim = Sim::default();
    let (op, _emulators) = crate::operator::sdk_operator(&moto, &sim, &[Service::CloudFront]).await;
    op.apply(&crate::support::pull_input_channel("news")).await;
    let lc = op
        .settle("news", |lc| {
            ready(lc) && channel_state(lc).as_deref() == Some("RUNNING")
        })
        .await
        .unwrap();
    let status = lc.status.unwrap();
    let resources = status.resources.unwrap();
    let playback = status.playback.unwrap();
    assert!(playback.hls.unwrap().contains(".cloudfront.net/"));

    // What exists in moto, read through the SDK.
    let clients = moto.clients().await;
    let medialive = onair::aws::sdk::medialive::SdkMediaLive::new(&clients);
    let mediapackage = onair::aws::sdk::mediapackage::SdkMediaPackage::new(&clients);
    let secrets = onair::aws::sdk::secretsmanager::SdkSecretsManager::new(&clients);
    use onair::aws::medialive::MediaLiveApi;
    use onair::aws::mediapackage::MediaPackageApi;
    use onair::aws::secretsmanager::SecretsManagerApi;
    // The channels MediaLive holds that are not (being) deleted.
    let live_channels = || async {
        medialive
            .list_channels()
            .await
            .unwrap()
            .iter()
            .filter(|c| {
                !matches!(
                    c.state,
                    onair::aws::medialive::ChannelState::Deleted
                        | onair::aws::medialive::ChannelState::Deleting
                )
            })
            .count()
    };
    assert_eq!(live_channels().await, 1);
    let mp_channel = resources.media_package_channel_id.unwrap();
    let endpoints = mediapackage
        .list_origin_endpoints(&mp_channel)
        .await
        .unwrap();
    assert_eq!(endpoints.len(), 2);
    assert!(
        endpoints.iter().all(|e| e.spec.authorization.is_some()),
        "origin protection"
    );
    let secret = resources.cdn_auth_secret_arn.unwrap();
    secrets.describe_secret(&secret).await.unwrap();
    assert_eq!(sim.inventory().await["distributions"], 1);

    op.delete("news").await;
    op.settle("news", |lc| lc.is_none()).await;
    assert_eq!(live_channels().await, 0);
    assert!(mediapackage.list_channels().await.unwrap().is_empty());
    assert!(secrets
        .describe_secret(&secret)
        .await
        .unwrap_err()
        .is_not_found());
    assert_eq!(sim.inventory().await["distributions"], 0);
}
