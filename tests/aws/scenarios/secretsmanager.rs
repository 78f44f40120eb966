//! Secrets Manager scenarios: the CDN-authorization secret's life.

use std::sync::Arc;

use onair::aws::ownership::{Owner, Tags};
use onair::aws::secret::SecretString;
use onair::aws::secretsmanager::*;

use super::owner;

pub fn new_cdn_secret(o: &Owner, identifier: &SecretString) -> NewSecret {
    NewSecret {
        name: format!("onair/{}", o.resource_id("cdn", 200)),
        client_request_token: o.token("cdn"),
        description: Some("CDN identifier for MediaPackage origin protection".into()),
        value: cdn_identifier_secret(identifier),
        tags: o.tags("cdn", &Tags::new()),
    }
}

/// Create (idempotent with the same token and value), describe, read, rotate, delete
/// with a recovery window (reads refused), then force-delete.
pub async fn secrets_cdn_identifier_lifecycle(api: Arc<dyn SecretsManagerApi>) {
    let o = owner();
    let first = new_cdn_identifier();
    let new = new_cdn_secret(&o, &first);
    let created = api.create_secret(new.clone()).await.unwrap();
    assert_eq!(created.name, new.name);
    assert_eq!(created.version_id, new.client_request_token);
    assert!(created.arn.contains(":secret:"), "{}", created.arn);

    // A retry with the same token and value is the same secret.
    let again = api.create_secret(new.clone()).await.unwrap();
    assert_eq!(again.arn, created.arn);
    // A re-rolled value under the same name is refused, without echoing it.
    let mut other = new_cdn_secret(&o, &new_cdn_identifier());
    other.client_request_token = o.token("cdn-other");
    let err = api.create_secret(other.clone()).await.unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    assert!(!format!("{err} {err:?}").contains(other.value.expose()));

    let d = api.describe_secret(&new.name).await.unwrap();
    assert_eq!(d.arn, created.arn);
    assert!(o.owns("cdn", &d.tags), "{:?}", d.tags);
    assert_eq!(d.deleted_date, None);
    assert_eq!(
        d.current_version_id.as_deref(),
        Some(created.version_id.as_str())
    );
    assert_eq!(
        api.describe_secret(&created.arn).await.unwrap().name,
        new.name
    );

    let v = api.get_secret_value(&created.arn).await.unwrap();
    assert_eq!(cdn_identifier_of(&v.value), Some(first.clone()));
    assert!(!format!("{v:?}").contains(first.expose()), "{v:?}");

    // Rotation: a new version with a new identifier becomes current.
    let second = new_cdn_identifier();
    let token = o.token("cdn-rotation-2");
    let put = api
        .put_secret_value(&new.name, &token, cdn_identifier_secret(&second))
        .await
        .unwrap();
    assert_eq!(put.version_id, token);
    // The same put again is idempotent.
    api.put_secret_value(&new.name, &token, cdn_identifier_secret(&second))
        .await
        .unwrap();
    let v = api.get_secret_value(&new.name).await.unwrap();
    assert_eq!(cdn_identifier_of(&v.value), Some(second));
    assert_eq!(v.version_id, token);
    assert_eq!(
        api.describe_secret(&new.name)
            .await
            .unwrap()
            .current_version_id,
        Some(token)
    );

    api.delete_secret(&new.name, Deletion::RecoveryWindowDays(7))
        .await
        .unwrap();
    assert!(api
        .describe_secret(&new.name)
        .await
        .unwrap()
        .deleted_date
        .is_some());
    let err = api.get_secret_value(&new.name).await.unwrap_err();
    assert!(err.is_conflict(), "marked for deletion: {err}");
    api.delete_secret(&new.name, Deletion::Force).await.unwrap();
    let err = api.describe_secret(&new.name).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
