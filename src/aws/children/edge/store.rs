//! The key value store: signing keys and revoked sessions, read by the function.

use async_trait::async_trait;

use crate::aws::cloudfront::{CloudFrontApi, KeyValueStore};
use crate::aws::error::AwsError;
use crate::aws::ownership::{Owner, Tags};

use super::tagged_by;
use crate::aws::children::{deletion, found, External, Located};

pub struct StoreChild<'a> {
    pub api: &'a dyn CloudFrontApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub name: String,
}

impl StoreChild<'_> {
    pub const CHILD: &'static str = "key-value-store";
}

/// Keys can be written once the store is READY (it starts PROVISIONING).
pub fn store_ready(store: &KeyValueStore) -> bool {
    store.status == "READY"
}

/// Where the key value store is.
pub struct StoreAt<'a> {
    pub api: &'a dyn CloudFrontApi,
    pub owner: &'a Owner,
    pub name: String,
}

#[async_trait]
impl Located for StoreAt<'_> {
    type Observed = KeyValueStore;

    fn child(&self) -> &'static str {
        StoreChild::CHILD
    }

    fn id_of(observed: &KeyValueStore) -> String {
        observed.name.clone()
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<KeyValueStore>, AwsError> {
        let Some(store) = found(self.api.describe_key_value_store(&self.name).await)? else {
            return Ok(None);
        };
        Ok(
            tagged_by(self.api, self.owner, StoreChild::CHILD, &store.arn)
                .await?
                .then_some(store),
        )
    }

    /// Refused while a function is associated with it: `Ok(false)`, try again
    /// once the function is gone.
    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        let Some(store) = found(self.api.describe_key_value_store(id).await)? else {
            return Ok(true);
        };
        deletion(self.api.delete_key_value_store(id, &store.etag).await)
    }
}

#[async_trait]
impl<'a> External for StoreChild<'a> {
    type Observed = KeyValueStore;
    type At = StoreAt<'a>;

    fn at(&self) -> StoreAt<'a> {
        StoreAt {
            api: self.api,
            owner: self.owner,
            name: self.name.clone(),
        }
    }

    fn at_rest(&self, observed: &KeyValueStore) -> bool {
        observed.status == "READY"
    }

    async fn observe(&self, id: &str) -> Result<Option<KeyValueStore>, AwsError> {
        found(self.api.describe_key_value_store(id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<KeyValueStore, AwsError> {
        let comment = format!(
            "onair TokenPolicy {}/{}: signing keys and revoked sessions",
            self.owner.namespace, self.owner.name
        );
        self.api
            .create_key_value_store(
                &self.name,
                &comment,
                self.owner.tags(Self::CHILD, self.tags),
            )
            .await
    }
}
