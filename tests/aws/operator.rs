//! The operator with the real AWS SDK: moto for what it speaks, onair's
//! emulators (over `sim`) for the services given in `emulated`.

use std::collections::BTreeMap;
use std::sync::Arc;

use onair::aws::accounts::ApisCache;
use onair::aws::clients::ClientSettings;
use onair::aws::guard::{Budgets, Limiters};
use onair::aws::sim::Sim;
use onair::aws::Service;
use onair::controller::provider::{Connector, ProviderDefaults, Providers};

use crate::emu;
use crate::moto::Moto;
use crate::support::operator::{Operator, ProvidersFactory};

/// The emulator of `service` over `sim`, serving on a free loopback port.
async fn emulator(sim: &Sim, service: Service) -> emu::Server {
    let router = match service {
        Service::CloudFront => emu::cloudfront::router(sim.cloudfront()),
        Service::MediaLive => emu::medialive::router(sim.medialive()),
        Service::MediaPackage => emu::mediapackage::router(sim.mediapackage()),
        Service::MediaPackageVod => emu::mediapackagevod::router(sim.mediapackagevod()),
        Service::MediaTailor => emu::mediatailor::router(sim.mediatailor()),
        other => panic!("no emulator of {other:?}: moto serves it"),
    };
    emu::serve(router).await.unwrap()
}

/// Provider resolution through the real SDK, on the operator's `settings`.
pub fn sdk_providers(settings: ClientSettings, defaults: ProviderDefaults) -> ProvidersFactory {
    Arc::new(move |client: &kube::Client| {
        Providers::new(
            client.clone(),
            Connector::Sdk(ApisCache::new(Limiters::new(Budgets::default()))),
            settings.clone(),
            defaults.clone(),
        )
    })
}

/// The operator against moto, with the `emulated` services (moto has them
/// not, or not enough) on their emulators over `sim`, and the service roles
/// MediaLive and MediaPackage need. The emulators stop when dropped.
pub async fn sdk_operator(
    moto: &Moto,
    sim: &Sim,
    emulated: &[Service],
) -> (Operator, Vec<emu::Server>) {
    let mut servers = Vec::new();
    for service in emulated {
        servers.push(emulator(sim, *service).await);
    }
    let settings = ClientSettings {
        service_endpoints: emulated
            .iter()
            .zip(&servers)
            .map(|(s, server)| (*s, server.url.clone()))
            .collect::<BTreeMap<_, _>>(),
        ..crate::moto::settings(&moto.url)
    };
    let defaults = ProviderDefaults {
        media_live_role_arn: Some("arn:aws:iam::123456789012:role/MediaLiveAccessRole".into()),
        media_package_secrets_role_arn: Some(
            "arn:aws:iam::123456789012:role/MediaPackageSecretsRole".into(),
        ),
        tags: Default::default(),
    };
    let factory = sdk_providers(settings, defaults);
    (Operator::start_custom(sim.clone(), factory).await, servers)
}
