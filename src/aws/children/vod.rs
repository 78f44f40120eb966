//! MediaPackage VOD children of a HarvestJob that publishes its clip: a
//! packaging group, one packaging configuration per format, and the asset.
//! Ids are derived from the owner's uid; nothing updates in place.

use async_trait::async_trait;

use crate::aws::error::AwsError;
use crate::aws::mediapackagevod::{
    Asset, MediaPackageVodApi, NewAsset, PackagingConfiguration, PackagingConfigurationSpec,
    PackagingGroup, PackagingGroupSpec,
};
use crate::aws::ownership::Owner;

use super::{deletion, found, ours, External};

/// The id of `child` of `owner` (MediaPackage ids allow 256 characters).
pub fn vod_id(owner: &Owner, child: &str) -> String {
    owner.resource_id(child, crate::aws::mediapackage::MAX_ID_LEN)
}

pub struct GroupChild<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    pub spec: PackagingGroupSpec,
}

#[async_trait]
impl External for GroupChild<'_> {
    type Observed = PackagingGroup;

    fn child(&self) -> &'static str {
        "vod-group"
    }

    fn id_of(observed: &PackagingGroup) -> String {
        observed.spec.id.clone()
    }

    async fn observe(&self, id: &str) -> Result<Option<PackagingGroup>, AwsError> {
        found(self.api.describe_packaging_group(id).await)
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<PackagingGroup>, AwsError> {
        let described = self.api.describe_packaging_group(&self.spec.id).await;
        ours(self.owner, self.child(), described, |g| &g.spec.tags)
    }

    async fn create(&self, _: Option<&str>) -> Result<PackagingGroup, AwsError> {
        self.api.create_packaging_group(self.spec.clone()).await
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        deletion(self.api.delete_packaging_group(id).await)
    }
}

pub struct ConfigurationChild<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    /// `vod-hls` or `vod-dash`.
    pub child: &'static str,
    pub spec: PackagingConfigurationSpec,
}

#[async_trait]
impl External for ConfigurationChild<'_> {
    type Observed = PackagingConfiguration;

    fn child(&self) -> &'static str {
        self.child
    }

    fn id_of(observed: &PackagingConfiguration) -> String {
        observed.spec.id.clone()
    }

    async fn observe(&self, id: &str) -> Result<Option<PackagingConfiguration>, AwsError> {
        found(self.api.describe_packaging_configuration(id).await)
    }

    async fn find_unrecorded(
        &self,
        _: Option<&str>,
    ) -> Result<Option<PackagingConfiguration>, AwsError> {
        let described = self
            .api
            .describe_packaging_configuration(&self.spec.id)
            .await;
        ours(self.owner, self.child, described, |c| &c.spec.tags)
    }

    async fn create(&self, _: Option<&str>) -> Result<PackagingConfiguration, AwsError> {
        self.api
            .create_packaging_configuration(self.spec.clone())
            .await
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        deletion(self.api.delete_packaging_configuration(id).await)
    }
}

pub struct AssetChild<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    pub asset: NewAsset,
}

#[async_trait]
impl External for AssetChild<'_> {
    type Observed = Asset;

    fn child(&self) -> &'static str {
        "vod-asset"
    }

    fn id_of(observed: &Asset) -> String {
        observed.spec.id.clone()
    }

    async fn observe(&self, id: &str) -> Result<Option<Asset>, AwsError> {
        found(self.api.describe_asset(id).await)
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<Asset>, AwsError> {
        let described = self.api.describe_asset(&self.asset.id).await;
        ours(self.owner, self.child(), described, |a| &a.spec.tags)
    }

    async fn create(&self, _: Option<&str>) -> Result<Asset, AwsError> {
        self.api.create_asset(self.asset.clone()).await
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        deletion(self.api.delete_asset(id).await)
    }
}
