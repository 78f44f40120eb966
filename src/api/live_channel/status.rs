//! The observed state of a LiveChannel: conditions, ingest endpoints, playback
//! URLs and the AWS identifiers of what it owns.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::common::Condition;

/// Observed state of a LiveChannel.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveChannelStatus {
    /// The generation the status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `InputReady`, `EncoderReady`, `PackagingReady`, `CdnReady`,
    /// `UpdatePending`, and the kstatus pair `Reconciling` / `Stalled`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The MediaLive channel state (CREATING, IDLE, STARTING, RUNNING, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_state: Option<String>,
    /// Where the encoder sends the feed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingest: Vec<IngestEndpoint>,
    /// Where players watch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playback: Option<PlaybackUrls>,
    /// Ids and ARNs of every AWS resource this channel owns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<LiveChannelResources>,
    /// The value of the `onair.dev/rotate-cdn-secret` annotation last applied:
    /// a new value rotates the CDN identifier once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdn_secret_rotation: Option<String>,
    /// When that rotation stored the new identifier: CloudFront switches to it
    /// once MediaPackage has picked it up (10 minutes later), so no viewer
    /// request is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdn_secret_rotated_at: Option<String>,
    /// The TokenPolicy whose token check (and WAF revocation) runs at this
    /// channel's edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_policy: Option<String>,
}

/// One ingest endpoint.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngestEndpoint {
    /// Pipeline index (0, or 0 and 1 for Standard channels).
    pub pipeline: u32,
    /// URL the encoder pushes to, or the source MediaLive pulls from.
    pub url: String,
}

/// Playback URLs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackUrls {
    /// HLS through CloudFront; without a CDN (`cdn.enabled: false`), straight
    /// from MediaPackage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls: Option<String>,
    /// DASH through CloudFront; without a CDN, straight from MediaPackage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dash: Option<String>,
    /// HLS straight from MediaPackage (refused with origin protection on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_hls: Option<String>,
    /// DASH straight from MediaPackage (refused with origin protection on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_dash: Option<String>,
}

/// AWS identifiers of what the channel owns (mirrors the `onair.dev/*-id`
/// annotations, which are the source of truth).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveChannelResources {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_security_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_package_channel_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls_endpoint_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dash_endpoint_id: Option<String>,
    /// ARN of the Secrets Manager secret (never its value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdn_auth_secret_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinesis_stream_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime_log_config_arn: Option<String>,
}
