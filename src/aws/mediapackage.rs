//! MediaPackage (v1): channels, origin endpoints (HLS, DASH) and harvest jobs
//! (live-to-VOD clips into S3).
//!
//! Channel and endpoint ids are chosen by the caller and unique per account and
//! region: derive them with [`Owner::resource_id`](super::ownership::Owner::resource_id)
//! (at most [`MAX_ID_LEN`] characters), which makes creation idempotent. A second
//! create with an id in use answers [`ErrorKind::AlreadyExists`]: describe it and check
//! its owner tags before adopting it.
//!
//! Eventual consistency: right after a channel is created, creating an endpoint on it
//! can see the channel as not found. `create_origin_endpoint` reports an unknown
//! channel as [`ErrorKind::Transient`], so the guard retries it for a few seconds
//! before the reconciler sees it (both implementations do, see [`channel_not_ready`]).

use jiff::Timestamp;

use super::error::{AwsError, ErrorKind};
use super::intercept::aws_api;
use super::ownership::Tags;
use super::secret::SecretString;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// Longest channel, endpoint or harvest job id MediaPackage accepts.
pub const MAX_ID_LEN: usize = 256;
/// Longest clip a harvest job can cut.
pub const MAX_HARVEST: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// Longest startover window of an endpoint (14 days).
pub const MAX_STARTOVER_SECONDS: u32 = 1_209_600;

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NewChannel {
    pub id: String,
    pub description: Option<String>,
    pub tags: Tags,
}

/// Where MediaLive pushes HLS to, one per pipeline. The password is a secret.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct IngestEndpoint {
    pub id: String,
    pub url: String,
    pub username: String,
    pub password: SecretString,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Channel {
    pub id: String,
    pub arn: String,
    pub description: Option<String>,
    /// HLS ingest endpoints (moto leaves this empty).
    pub ingest_endpoints: Vec<IngestEndpoint>,
    pub tags: Tags,
}

/// Origin protection: MediaPackage only serves requests carrying the CDN identifier
/// stored in this secret, which it reads through `secrets_role_arn`.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CdnAuthorization {
    /// ARN of the Secrets Manager secret holding `{"MediaPackageCDNIdentifier": ...}`.
    pub cdn_identifier_secret_arn: String,
    /// Role trusted by mediapackage.amazonaws.com that can read the secret.
    pub secrets_role_arn: String,
}

/// HLS packaging. Enumerations keep AWS's spelling (`PASSTHROUGH`, `SPLICE_INSERT`).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HlsPackage {
    pub segment_duration_seconds: Option<u32>,
    pub playlist_window_seconds: Option<u32>,
    /// `NONE`, `SCTE35_ENHANCED`, `PASSTHROUGH` or `DATERANGE`.
    pub ad_markers: Option<String>,
    /// SCTE-35 message types treated as ads, such as `SPLICE_INSERT`, `BREAK`.
    pub ad_triggers: Vec<String>,
}

/// DASH packaging.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashPackage {
    pub segment_duration_seconds: Option<u32>,
    pub manifest_window_seconds: Option<u32>,
    /// `NUMBER_WITH_TIMELINE`, `TIME_WITH_TIMELINE` or `NUMBER_WITH_DURATION`.
    /// Harvest jobs need a timeline format.
    pub segment_template_format: Option<String>,
    pub ad_triggers: Vec<String>,
    /// `ADS` starts a new period at each ad (MediaTailor needs it).
    pub period_triggers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Package {
    Hls(HlsPackage),
    Dash(DashPackage),
}

impl Default for Package {
    fn default() -> Self {
        Package::Hls(HlsPackage::default())
    }
}

/// The whole desired endpoint: what create and update send. Update replaces every
/// field but `channel_id` and `tags`, which are fixed at creation.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginEndpointSpec {
    pub id: String,
    pub channel_id: String,
    pub description: Option<String>,
    pub manifest_name: Option<String>,
    pub package: Package,
    /// How far back viewers (and harvest jobs) can reach; 0 or `None` is off.
    pub startover_window_seconds: Option<u32>,
    pub time_delay_seconds: Option<u32>,
    pub authorization: Option<CdnAuthorization>,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct OriginEndpoint {
    pub spec: OriginEndpointSpec,
    pub arn: String,
    /// The playback URL (CloudFront origin, MediaTailor content source).
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct S3Destination {
    pub bucket_name: String,
    /// Key of the clip's manifest; segments are written next to it.
    pub manifest_key: String,
    /// Role MediaPackage assumes to write into the bucket.
    pub role_arn: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewHarvestJob {
    /// Caller-chosen, unique per account and region; a job is immutable.
    pub id: String,
    pub origin_endpoint_id: String,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    pub s3_destination: S3Destination,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HarvestStatus {
    InProgress,
    Succeeded,
    Failed,
    Other(String),
}

impl HarvestStatus {
    pub fn from_aws(s: &str) -> Self {
        match s {
            "IN_PROGRESS" => Self::InProgress,
            "SUCCEEDED" => Self::Succeeded,
            "FAILED" => Self::Failed,
            o => Self::Other(o.into()),
        }
    }

    pub fn as_aws(&self) -> &str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Other(o) => o,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HarvestJob {
    pub id: String,
    pub arn: String,
    pub channel_id: String,
    pub origin_endpoint_id: String,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    pub s3_destination: S3Destination,
    pub status: HarvestStatus,
    pub created_at: Option<Timestamp>,
}

aws_api! {
    /// MediaPackage v1, as the reconcilers use it.
    pub trait MediaPackageApi: Service::MediaPackage;

    async fn create_channel(&self, channel: NewChannel) -> Result<Channel>;
    async fn describe_channel(&self, id: &str) -> Result<Channel>;
    async fn list_channels(&self) -> Result<Vec<Channel>>;
    /// Refused (Conflict on AWS) while the channel still has endpoints.
    async fn delete_channel(&self, id: &str) -> Result<()>;

    /// An unknown channel answers Transient (eventual consistency, see the module).
    async fn create_origin_endpoint(&self, spec: OriginEndpointSpec) -> Result<OriginEndpoint>;
    async fn describe_origin_endpoint(&self, id: &str) -> Result<OriginEndpoint>;
    async fn update_origin_endpoint(&self, spec: OriginEndpointSpec) -> Result<OriginEndpoint>;
    async fn delete_origin_endpoint(&self, id: &str) -> Result<()>;
    /// The endpoints of one channel.
    async fn list_origin_endpoints(&self, channel_id: &str) -> Result<Vec<OriginEndpoint>>;

    /// Refused (InvalidRequest, AWS's message kept) when the window is not inside the
    /// endpoint's startover window, longer than 24 h, or ends before it starts.
    async fn create_harvest_job(&self, job: NewHarvestJob) -> Result<HarvestJob>;
    async fn describe_harvest_job(&self, id: &str) -> Result<HarvestJob>;
    /// The harvest jobs of one channel.
    async fn list_harvest_jobs(&self, channel_id: &str) -> Result<Vec<HarvestJob>>;
}

/// What `create_origin_endpoint` answers when the channel is not (yet) visible:
/// Transient, so that the guard retries it.
pub fn channel_not_ready(err: AwsError) -> AwsError {
    match err.kind {
        ErrorKind::NotFound { message } => AwsError::new(
            err.service,
            err.operation,
            ErrorKind::Transient {
                message: format!(
                    "{message} (a channel created moments ago can be invisible for a short while)"
                ),
            },
        ),
        _ => err,
    }
}

/// AWS answers UnprocessableEntity for an id already in use; callers act on
/// AlreadyExists.
pub fn already_exists(err: AwsError) -> AwsError {
    match &err.kind {
        ErrorKind::InvalidRequest { message } | ErrorKind::Conflict { message }
            if message.to_ascii_lowercase().contains("already exists") =>
        {
            AwsError::new(
                err.service,
                err.operation,
                ErrorKind::AlreadyExists {
                    message: message.clone(),
                },
            )
        }
        _ => err,
    }
}
