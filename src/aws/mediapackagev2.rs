//! MediaPackage v2: channel groups, channels and origin endpoints (HLS,
//! low-latency HLS, DASH), with the resource policies that let MediaLive push
//! into a channel and CloudFront read an endpoint through Origin Access Control.
//!
//! Names are the identifiers (there are no separate ids as in v1): unique per
//! account and region for groups, per group for channels, per channel for
//! endpoints, and fixed for the resource's life. Creating a name in use answers
//! [`ErrorKind::AlreadyExists`] on AWS (a `ConflictException` of type
//! `RESOURCE_ALREADY_EXISTS`); moto 5.2.5 instead overwrites the resource
//! silently, so callers always get before they create and check the owner tags
//! of what they find.
//!
//! Deletes are idempotent: AWS declares no NotFound for them, and a missing
//! resource answers success here too. A group with channels, or a channel with
//! endpoints, refuses deletion with [`ErrorKind::Conflict`]: delete children
//! first. Deleting a group loses its egress domain for good, and every
//! CloudFront origin pointing at it with it.
//!
//! Research, sources and what bites: `docs/design/mediapackage-v2.md`.

use super::error::{AwsError, ErrorKind};
use super::intercept::aws_api;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// Longest group, channel, endpoint or manifest name MediaPackage v2 accepts.
pub const MAX_NAME_LEN: usize = 256;
/// Longest startover window of an endpoint (14 days).
pub const MAX_STARTOVER_SECONDS: u32 = 1_209_600;
/// Segment durations an endpoint accepts, in seconds.
pub const SEGMENT_SECONDS: std::ops::RangeInclusive<u32> = 1..=30;
/// Shortest manifest window, in seconds.
pub const MIN_MANIFEST_WINDOW_SECONDS: u32 = 30;
/// Longest resource policy, in characters.
pub const MAX_POLICY_LEN: usize = 6144;

/// The HLS ad-marker kinds MediaPackage v2 writes (`ScteHls.AdMarkerHls`).
pub const AD_MARKERS_HLS: &[&str] = &["DATERANGE", "SCTE35_ENHANCED"];
/// What can start a new DASH period (`DashPeriodTrigger`).
pub const DASH_PERIOD_TRIGGERS: &[&str] = &[
    "AVAILS",
    "DRM_KEY_ROTATION",
    "NONE",
    "SOURCE_CHANGES",
    "SOURCE_DISRUPTIONS",
];
/// The SCTE-35 message types an endpoint can treat as ads (`ScteFilter`).
pub const SCTE_FILTERS: &[&str] = &[
    "ALTERNATE_CONTENT_OPPORTUNITY",
    "BREAK",
    "CALL_AD_SERVER",
    "CHAPTER",
    "CONTENT_IDENTIFICATION",
    "DISTRIBUTOR_ADVERTISEMENT",
    "DISTRIBUTOR_AD_BLOCK",
    "DISTRIBUTOR_OVERLAY_PLACEMENT_OPPORTUNITY",
    "DISTRIBUTOR_PLACEMENT_OPPORTUNITY",
    "DISTRIBUTOR_PROMO",
    "NETWORK",
    "PROGRAM",
    "PROVIDER_ADVERTISEMENT",
    "PROVIDER_AD_BLOCK",
    "PROVIDER_OVERLAY_PLACEMENT_OPPORTUNITY",
    "PROVIDER_PLACEMENT_OPPORTUNITY",
    "PROVIDER_PROMO",
    "SPLICE_INSERT",
    "UNSCHEDULED_EVENT",
];

/// Whether `name` is a valid group, channel or endpoint name
/// (`[a-zA-Z0-9_-]{1,256}`).
pub fn is_resource_name(name: &str) -> bool {
    is_name(name, |c| c == '_' || c == '-')
}

/// Whether `name` is a valid manifest name (`[a-zA-Z0-9-]{1,256}`: unlike
/// resource names, no underscore).
pub fn is_manifest_name(name: &str) -> bool {
    is_name(name, |c| c == '-')
}

fn is_name(name: &str, punctuation: impl Fn(char) -> bool) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || punctuation(c))
}

/// What a channel takes in, fixed at creation: HLS over Basic PUT (MediaLive's
/// HLS output group) or CMAF Ingest (MediaLive's MediaPackage or CMAF Ingest
/// output groups).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum InputType {
    #[default]
    Hls,
    Cmaf,
}

impl InputType {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::Hls => "HLS",
            Self::Cmaf => "CMAF",
        }
    }

    /// AWS's spelling; an unknown value (MULTIVIEW, or a new one) is `None`.
    pub fn from_aws(s: &str) -> Option<Self> {
        match s {
            "HLS" => Some(Self::Hls),
            "CMAF" => Some(Self::Cmaf),
            _ => None,
        }
    }
}

/// How an endpoint packages segments, fixed at creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ContainerType {
    /// MPEG-2 transport stream: HLS and LL-HLS manifests only.
    Ts,
    /// Fragmented MP4: HLS, LL-HLS and DASH manifests.
    #[default]
    Cmaf,
}

impl ContainerType {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::Ts => "TS",
            Self::Cmaf => "CMAF",
        }
    }

    /// AWS's spelling; an unknown value (ISM, or a new one) is `None`.
    pub fn from_aws(s: &str) -> Option<Self> {
        match s {
            "TS" => Some(Self::Ts),
            "CMAF" => Some(Self::Cmaf),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NewChannelGroup {
    pub name: String,
    pub description: Option<String>,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ChannelGroup {
    pub name: String,
    pub arn: String,
    /// The host every endpoint of the group is played from (the CloudFront
    /// origin), such as `abc123.egress.def456.mediapackagev2.us-east-1.amazonaws.com`.
    /// Fixed for the group's life.
    pub egress_domain: String,
    pub description: Option<String>,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NewChannel {
    pub group: String,
    pub name: String,
    pub input_type: InputType,
    pub description: Option<String>,
    pub tags: Tags,
}

/// Where one MediaLive pipeline pushes to. No credentials: the channel policy
/// lets MediaLive's role in.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct IngestEndpoint {
    /// `1` or `2`, one per pipeline.
    pub id: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Channel {
    pub group: String,
    pub name: String,
    pub arn: String,
    /// `None` for an input type onair does not build (MULTIVIEW).
    pub input_type: Option<InputType>,
    pub description: Option<String>,
    pub ingest_endpoints: Vec<IngestEndpoint>,
    pub tags: Tags,
}

/// Segment settings, shared by every manifest of an endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// 1 to 30; best a multiple of the input's segment duration.
    pub duration_seconds: Option<u32>,
    /// Segment file name prefix (`[a-zA-Z0-9_-]+`).
    pub name: Option<String>,
    /// SCTE-35 message types that become ad markers, AWS's spelling
    /// (`SPLICE_INSERT`, `PROVIDER_ADVERTISEMENT`, ...). Empty: AWS's default.
    pub scte_filter: Vec<String>,
}

/// One HLS or low-latency HLS manifest of an endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HlsManifest {
    /// `[a-zA-Z0-9-]+`, unique across the endpoint's HLS and LL-HLS manifests.
    pub name: String,
    pub child_manifest_name: Option<String>,
    /// At least 30.
    pub window_seconds: Option<u32>,
    /// `EXT-X-PROGRAM-DATE-TIME` interval; DATERANGE ad markers need one.
    pub program_date_time_interval_seconds: Option<u32>,
    /// `DATERANGE` or `SCTE35_ENHANCED` (what MediaTailor reads); `None` writes none.
    pub ad_markers: Option<String>,
}

/// One DASH manifest of an endpoint (CMAF container only).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashManifest {
    pub name: String,
    /// At least 30.
    pub window_seconds: Option<u32>,
    pub min_update_period_seconds: Option<u32>,
    pub suggested_presentation_delay_seconds: Option<u32>,
    /// What starts a new period, AWS's v2 spelling: `AVAILS` (at each ad, what
    /// MediaTailor needs), `DRM_KEY_ROTATION`, `SOURCE_CHANGES`,
    /// `SOURCE_DISRUPTIONS` or `NONE` (v1's `ADS` is `AVAILS` here).
    pub period_triggers: Vec<String>,
}

/// The whole desired endpoint: what create and update send. Update replaces
/// every field but the names, the container type and the tags, which are fixed
/// at creation.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginEndpointSpec {
    pub group: String,
    pub channel: String,
    pub name: String,
    pub container_type: ContainerType,
    pub description: Option<String>,
    pub segment: Segment,
    /// How far back viewers (and harvest jobs) can reach; 0 or `None` is off.
    pub startover_window_seconds: Option<u32>,
    pub hls_manifests: Vec<HlsManifest>,
    pub low_latency_hls_manifests: Vec<HlsManifest>,
    pub dash_manifests: Vec<DashManifest>,
    pub tags: Tags,
}

/// Which list of an endpoint a manifest is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ManifestKind {
    Hls,
    LowLatencyHls,
    Dash,
}

/// Where one manifest of an endpoint plays from (on the group's egress domain).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ManifestUrl {
    pub kind: ManifestKind,
    pub name: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct OriginEndpoint {
    pub spec: OriginEndpointSpec,
    pub arn: String,
    pub manifest_urls: Vec<ManifestUrl>,
}

impl OriginEndpoint {
    /// The playback URL of manifest `name`, if the endpoint has it.
    pub fn url_of(&self, name: &str) -> Option<&str> {
        self.manifest_urls
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.url.as_str())
    }
}

aws_api! {
    /// MediaPackage v2, as the reconcilers use it.
    pub trait MediaPackageV2Api: Service::MediaPackageV2;

    async fn create_channel_group(&self, group: NewChannelGroup) -> Result<ChannelGroup>;
    async fn get_channel_group(&self, name: &str) -> Result<ChannelGroup>;
    /// The names of every group (get one for its egress domain and tags).
    async fn list_channel_groups(&self) -> Result<Vec<String>>;
    /// Refused (Conflict) while the group has channels.
    async fn delete_channel_group(&self, name: &str) -> Result<()>;

    /// An unknown group answers NotFound.
    async fn create_channel(&self, channel: NewChannel) -> Result<Channel>;
    async fn get_channel(&self, group: &str, name: &str) -> Result<Channel>;
    /// The names of one group's channels (get one for its ingest URLs and tags).
    async fn list_channels(&self, group: &str) -> Result<Vec<String>>;
    /// Refused (Conflict) while the channel has endpoints.
    async fn delete_channel(&self, group: &str, name: &str) -> Result<()>;
    /// Replaces the channel's resource policy (a JSON document).
    async fn put_channel_policy(&self, group: &str, channel: &str, policy: &str) -> Result<()>;
    /// The channel's resource policy; NotFound when it has none.
    async fn get_channel_policy(&self, group: &str, channel: &str) -> Result<String>;

    /// An unknown channel answers NotFound.
    async fn create_origin_endpoint(&self, spec: OriginEndpointSpec) -> Result<OriginEndpoint>;
    async fn get_origin_endpoint(&self, group: &str, channel: &str, name: &str) -> Result<OriginEndpoint>;
    /// Replaces the endpoint's settings (`spec` whole); refused (InvalidRequest)
    /// for a different container type.
    async fn update_origin_endpoint(&self, spec: OriginEndpointSpec) -> Result<OriginEndpoint>;
    async fn delete_origin_endpoint(&self, group: &str, channel: &str, name: &str) -> Result<()>;
    /// The names of one channel's endpoints (get one for its settings and tags).
    async fn list_origin_endpoints(&self, group: &str, channel: &str) -> Result<Vec<String>>;
    /// Replaces the endpoint's resource policy (a JSON document).
    async fn put_origin_endpoint_policy(&self, group: &str, channel: &str, endpoint: &str, policy: &str) -> Result<()>;
    /// The endpoint's resource policy; NotFound when it has none.
    async fn get_origin_endpoint_policy(&self, group: &str, channel: &str, endpoint: &str) -> Result<String>;
}

/// What a delete answers for a resource already gone: success, since AWS
/// declares no NotFound for deletes and a retried delete must not fail.
pub fn gone_is_deleted(result: Result<()>) -> Result<()> {
    match result {
        Err(e) if matches!(e.kind, ErrorKind::NotFound { .. }) => Ok(()),
        other => other,
    }
}

/// The resource policy that lets MediaLive's role push into `channel_arn`
/// (HLS Basic PUT and CMAF Ingest both sign with the channel's role).
pub fn ingest_policy(channel_arn: &str, medialive_role_arn: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowMediaLiveToIngest",
            "Effect": "Allow",
            "Principal": { "AWS": medialive_role_arn },
            "Action": "mediapackagev2:PutObject",
            "Resource": channel_arn,
        }]
    })
    .to_string()
}

/// The resource policy that lets one CloudFront distribution (through Origin
/// Access Control) read `endpoint_arn`. HEAD requests need `GetHeadObject`.
pub fn cloudfront_read_policy(endpoint_arn: &str, distribution_arn: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowCloudFrontToRead",
            "Effect": "Allow",
            "Principal": { "Service": "cloudfront.amazonaws.com" },
            "Action": ["mediapackagev2:GetObject", "mediapackagev2:GetHeadObject"],
            "Resource": endpoint_arn,
            "Condition": { "StringEquals": { "AWS:SourceArn": distribution_arn } },
        }]
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_names_refuse_the_underscore_resource_names_allow() {
        assert!(is_resource_name("onair_news-1"));
        assert!(!is_manifest_name("onair_news-1"));
        assert!(is_manifest_name("index-1"));
        assert!(!is_resource_name(""));
        assert!(!is_resource_name("a.b"));
        assert!(!is_resource_name(&"a".repeat(MAX_NAME_LEN + 1)));
        assert!(is_resource_name(&"a".repeat(MAX_NAME_LEN)));
    }

    #[test]
    fn policies_name_their_principal_and_resource() {
        let p: serde_json::Value = serde_json::from_str(&cloudfront_read_policy(
            "arn:aws:mediapackagev2:us-east-1:1:channelGroup/g/channel/c/originEndpoint/e",
            "arn:aws:cloudfront::1:distribution/E1",
        ))
        .unwrap();
        let s = &p["Statement"][0];
        assert_eq!(s["Principal"]["Service"], "cloudfront.amazonaws.com");
        assert_eq!(
            s["Condition"]["StringEquals"]["AWS:SourceArn"],
            "arn:aws:cloudfront::1:distribution/E1"
        );
        let p: serde_json::Value = serde_json::from_str(&ingest_policy(
            "arn:aws:mediapackagev2:us-east-1:1:channelGroup/g/channel/c",
            "arn:aws:iam::1:role/ml",
        ))
        .unwrap();
        assert_eq!(
            p["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::1:role/ml"
        );
        assert_eq!(p["Statement"][0]["Action"], "mediapackagev2:PutObject");
    }
}
