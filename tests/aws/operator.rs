//! The operator with the real AWS SDK: moto for what it speaks, onair's
//! emulators (over `sim`) for the services given in `emulated`.

use std::collections::BTreeMap;
use std::sync::Arc;

use onair::aws::clients::ClientSettings;
use onair::aws::guard::{Budgets, Limiters};
use onair::aws::provider::ApisCache;
use onair::aws::sim::Sim;
use onair::aws::Service;
use onair::controller::provider::{Connector, ProviderDefaults, Providers};

use crate::moto::Moto;
use crate::support::operator::Operator;

/// Starts the operator against moto, with `emulated` services on their
/// emulators' URLs, and the service roles MediaLive and MediaPackage need.
pub async fn sdk_operator(moto: &Moto, sim: &Sim, emulated: &[(Service, &str)]) -> Operator {
    let settings = ClientSettings {
        service_endpoints: emulated
            .iter()
            .map(|(s, url)| (*s, url.to_string()))
            .collect::<BTreeMap<_, _>>(),
        ..crate::moto::settings(&moto.url)
    };
    let factory = Arc::new(move |client: &kube::Client| {
        Providers::new(
            client.clone(),
            Connector::Sdk(ApisCache::new(Limiters::new(Budgets::default()))),
            settings.clone(),
            ProviderDefaults {
                media_live_role_arn: Some(
                    "arn:aws:iam::123456789012:role/MediaLiveAccessRole".into(),
                ),
                media_package_secrets_role_arn: Some(
                    "arn:aws:iam::123456789012:role/MediaPackageSecretsRole".into(),
                ),
                tags: Default::default(),
            },
        )
    });
    Operator::start_custom(sim.clone(), factory).await
}
