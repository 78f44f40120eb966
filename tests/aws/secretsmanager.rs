//! Secrets Manager: the shared scenario on the simulation and on moto.

use std::sync::Arc;

use onair::aws::sdk::secretsmanager::SdkSecretsManager;
use onair::aws::secret::SecretString;
use onair::aws::secretsmanager::*;
use onair::aws::sim::Sim;

use crate::moto::Moto;
use crate::scenarios::secretsmanager::*;

#[tokio::test]
async fn sim_cdn_identifier_lifecycle() {
    secrets_cdn_identifier_lifecycle(Sim::default().secretsmanager()).await;
}

#[tokio::test]
async fn contract_cdn_identifier_lifecycle_on_moto() {
    let moto = Moto::start();
    let api = Arc::new(SdkSecretsManager::new(&moto.clients().await));
    secrets_cdn_identifier_lifecycle(api).await;
}

#[test]
fn the_cdn_identifier_json_is_what_mediapackage_reads() {
    let id = SecretString::new("0123456789abcdef");
    let json = cdn_identifier_secret(&id);
    assert_eq!(
        json.expose(),
        r#"{"MediaPackageCDNIdentifier":"0123456789abcdef"}"#
    );
    assert_eq!(cdn_identifier_of(&json), Some(id));
    assert_ne!(new_cdn_identifier(), new_cdn_identifier());
    assert_eq!(new_cdn_identifier().expose().len(), 32);
}

#[tokio::test]
async fn a_scheduled_deletion_blocks_the_name_until_it_passes() {
    let sim = Sim::default();
    let api = sim.secretsmanager();
    let o = crate::scenarios::owner();
    let new = new_cdn_secret(&o, &new_cdn_identifier());
    api.create_secret(new.clone()).await.unwrap();
    api.delete_secret(&new.name, Deletion::RecoveryWindowDays(7))
        .await
        .unwrap();
    let err = api.create_secret(new.clone()).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    sim.advance(std::time::Duration::from_secs(8 * 24 * 3600));
    api.create_secret(new).await.unwrap();
    let err = api
        .delete_secret("nope", Deletion::RecoveryWindowDays(3))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
