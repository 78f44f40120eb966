//! MediaPackage VOD: packaging groups, packaging configurations (HLS, DASH) and assets
//! (a harvested clip ingested for on-demand playback). Ids are caller-chosen and
//! unique per account and region ([`Owner::resource_id`](super::ownership::Owner::resource_id)):
//! a second create with the same id answers AlreadyExists. Nothing here can be
//! updated in place except through delete and create; a packaging group refuses
//! deletion (Conflict) while configurations or assets use it.
//! Encrypted live content cannot be ingested.

use super::error::AwsError;
use super::intercept::aws_api;
pub use super::mediapackage::CdnAuthorization;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PackagingGroupSpec {
    pub id: String,
    pub authorization: Option<CdnAuthorization>,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PackagingGroup {
    pub spec: PackagingGroupSpec,
    pub arn: String,
    /// Host that serves the group's assets (the CloudFront origin).
    pub domain_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct VodHls {
    pub segment_duration_seconds: Option<u32>,
    pub manifest_name: Option<String>,
    /// `NONE`, `SCTE35_ENHANCED` or `PASSTHROUGH`.
    pub ad_markers: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct VodDash {
    pub segment_duration_seconds: Option<u32>,
    pub manifest_name: Option<String>,
    pub segment_template_format: Option<String>,
    pub period_triggers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VodPackage {
    Hls(VodHls),
    Dash(VodDash),
}

impl Default for VodPackage {
    fn default() -> Self {
        VodPackage::Hls(VodHls::default())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PackagingConfigurationSpec {
    pub id: String,
    pub packaging_group_id: String,
    pub package: VodPackage,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PackagingConfiguration {
    pub spec: PackagingConfigurationSpec,
    pub arn: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NewAsset {
    pub id: String,
    pub packaging_group_id: String,
    /// `arn:aws:s3:::<bucket>/<manifest key>` of the harvested clip.
    pub source_arn: String,
    /// Role MediaPackage assumes to read the source.
    pub source_role_arn: String,
    /// CDN-side identifier; AWS defaults it to the id.
    pub resource_id: Option<String>,
    pub tags: Tags,
}

/// Where one packaging configuration serves the asset.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct EgressEndpoint {
    pub packaging_configuration_id: String,
    pub url: String,
    /// `QUEUED`, `PROCESSING`, `PLAYABLE` or `FAILED`.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Asset {
    pub spec: NewAsset,
    pub arn: String,
    pub egress_endpoints: Vec<EgressEndpoint>,
}

aws_api! {
    /// MediaPackage VOD, as the reconcilers use it.
    pub trait MediaPackageVodApi: Service::MediaPackageVod;

    async fn create_packaging_group(&self, spec: PackagingGroupSpec) -> Result<PackagingGroup>;
    async fn describe_packaging_group(&self, id: &str) -> Result<PackagingGroup>;
    async fn delete_packaging_group(&self, id: &str) -> Result<()>;
    async fn create_packaging_configuration(&self, spec: PackagingConfigurationSpec) -> Result<PackagingConfiguration>;
    async fn describe_packaging_configuration(&self, id: &str) -> Result<PackagingConfiguration>;
    async fn delete_packaging_configuration(&self, id: &str) -> Result<()>;
    async fn create_asset(&self, asset: NewAsset) -> Result<Asset>;
    async fn describe_asset(&self, id: &str) -> Result<Asset>;
    async fn delete_asset(&self, id: &str) -> Result<()>;
}
