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

use super::{deletion, found, ours, External, Located};

/// The id of `child` of `owner` (MediaPackage ids allow 256 characters).
pub fn vod_id(owner: &Owner, child: &str) -> String {
    owner.resource_id(child, crate::aws::mediapackage::MAX_ID_LEN)
}

pub struct GroupChild<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    pub spec: PackagingGroupSpec,
}

/// Where the packaging group is.
pub struct GroupAt<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    pub id: String,
}

#[async_trait]
impl Located for GroupAt<'_> {
    type Observed = PackagingGroup;

    fn child(&self) -> &'static str {
        "vod-group"
    }

    fn id_of(observed: &PackagingGroup) -> String {
        observed.spec.id.clone()
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<PackagingGroup>, AwsError> {
        let described = self.api.describe_packaging_group(&self.id).await;
        ours(self.owner, self.child(), described, |g| &g.spec.tags)
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        deletion(self.api.delete_packaging_group(id).await)
    }
}

#[async_trait]
impl<'a> External for GroupChild<'a> {
    type Observed = PackagingGroup;
    type At = GroupAt<'a>;

    fn at(&self) -> GroupAt<'a> {
        GroupAt {
            api: self.api,
            owner: self.owner,
            id: self.spec.id.clone(),
        }
    }

    async fn observe(&self, id: &str) -> Result<Option<PackagingGroup>, AwsError> {
        found(self.api.describe_packaging_group(id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<PackagingGroup, AwsError> {
        self.api.create_packaging_group(self.spec.clone()).await
    }
}

pub struct ConfigurationChild<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    /// `vod-hls` or `vod-dash`.
    pub child: &'static str,
    pub spec: PackagingConfigurationSpec,
}

/// Where a packaging configuration is.
pub struct ConfigurationAt<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    /// `vod-hls` or `vod-dash`.
    pub child: &'static str,
    pub id: String,
}

#[async_trait]
impl Located for ConfigurationAt<'_> {
    type Observed = PackagingConfiguration;

    fn child(&self) -> &'static str {
        self.child
    }

    fn id_of(observed: &PackagingConfiguration) -> String {
        observed.spec.id.clone()
    }

    async fn find_unrecorded(
        &self,
        _: Option<&str>,
    ) -> Result<Option<PackagingConfiguration>, AwsError> {
        let described = self.api.describe_packaging_configuration(&self.id).await;
        ours(self.owner, self.child, described, |c| &c.spec.tags)
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        deletion(self.api.delete_packaging_configuration(id).await)
    }
}

#[async_trait]
impl<'a> External for ConfigurationChild<'a> {
    type Observed = PackagingConfiguration;
    type At = ConfigurationAt<'a>;

    fn at(&self) -> ConfigurationAt<'a> {
        ConfigurationAt {
            api: self.api,
            owner: self.owner,
            child: self.child,
            id: self.spec.id.clone(),
        }
    }

    async fn observe(&self, id: &str) -> Result<Option<PackagingConfiguration>, AwsError> {
        found(self.api.describe_packaging_configuration(id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<PackagingConfiguration, AwsError> {
        self.api
            .create_packaging_configuration(self.spec.clone())
            .await
    }
}

pub struct AssetChild<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    pub asset: NewAsset,
}

/// Where the asset is.
pub struct AssetAt<'a> {
    pub api: &'a dyn MediaPackageVodApi,
    pub owner: &'a Owner,
    pub id: String,
}

#[async_trait]
impl Located for AssetAt<'_> {
    type Observed = Asset;

    fn child(&self) -> &'static str {
        "vod-asset"
    }

    fn id_of(observed: &Asset) -> String {
        observed.spec.id.clone()
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<Asset>, AwsError> {
        let described = self.api.describe_asset(&self.id).await;
        ours(self.owner, self.child(), described, |a| &a.spec.tags)
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        deletion(self.api.delete_asset(id).await)
    }
}

#[async_trait]
impl<'a> External for AssetChild<'a> {
    type Observed = Asset;
    type At = AssetAt<'a>;

    fn at(&self) -> AssetAt<'a> {
        AssetAt {
            api: self.api,
            owner: self.owner,
            id: self.asset.id.clone(),
        }
    }

    async fn observe(&self, id: &str) -> Result<Option<Asset>, AwsError> {
        found(self.api.describe_asset(id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<Asset, AwsError> {
        self.api.create_asset(self.asset.clone()).await
    }
}
