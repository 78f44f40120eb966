//! What every Secrets Manager child (origin protection's CDN identifier, SRT
//! passphrase copies) does the same way: observe, find by its name, create,
//! delete at once.

use crate::aws::error::AwsError;
use crate::aws::ownership::Owner;
use crate::aws::secretsmanager::{Deletion, NewSecret, SecretDescription, SecretsManagerApi};

use super::found;

/// A secret scheduled for deletion is gone as far as a child is concerned.
fn live(description: SecretDescription) -> Option<SecretDescription> {
    description.deleted_date.is_none().then_some(description)
}

/// The secret with this name or ARN, if it exists and is not being deleted.
pub async fn observe(
    api: &dyn SecretsManagerApi,
    id: &str,
) -> Result<Option<SecretDescription>, AwsError> {
    Ok(found(api.describe_secret(id).await)?.and_then(live))
}

/// The secret under `name`, if it is `owner`'s `child` (a secret of that name
/// with other owner tags is not ours to touch).
pub async fn find_owned(
    api: &dyn SecretsManagerApi,
    owner: &Owner,
    child: &str,
    name: &str,
) -> Result<Option<SecretDescription>, AwsError> {
    Ok(observe(api, name)
        .await?
        .filter(|d| owner.owns(child, &d.tags)))
}

/// Creates the secret and reads its description back.
pub async fn create(
    api: &dyn SecretsManagerApi,
    secret: NewSecret,
) -> Result<SecretDescription, AwsError> {
    let created = api.create_secret(secret).await?;
    api.describe_secret(&created.arn).await
}

/// Deletes without a recovery window: onair's secrets are copies or random
/// values, useless once their users are gone, and "delete leaves nothing" holds.
pub async fn delete_now(api: &dyn SecretsManagerApi, id: &str) -> Result<bool, AwsError> {
    api.delete_secret(id, Deletion::Force).await.map(|()| true)
}
