//! MediaTailor: playback configurations (server-side ad insertion).

use std::collections::BTreeMap;

use super::error::AwsError;
use super::intercept::aws_api;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// The whole desired configuration. PutPlaybackConfiguration replaces everything, and
/// a field left out reverts to its default, so this is always sent complete.
/// `Debug` hides an origin pass in the content source URL (a secret).
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PlaybackConfiguration {
    /// Unique per account and region: derive it from the owner's uid.
    pub name: String,
    pub ad_decision_server_url: String,
    /// The origin (MediaPackage endpoint) URL without the manifest file name.
    pub video_content_source_url: String,
    /// `https://<distribution>/out/v1/<endpoint id>`, so content segments go through
    /// CloudFront.
    pub content_segment_url_prefix: Option<String>,
    /// `https://<distribution>`, so ad segments go through CloudFront.
    pub ad_segment_url_prefix: Option<String>,
    pub slate_ad_url: Option<String>,
    pub personalization_threshold_seconds: Option<u32>,
    /// Pass SCTE-35 ad markers through to the HLS manifest.
    pub ad_marker_passthrough: bool,
    /// A transcode profile set up with AWS Support, instead of MediaTailor's default.
    pub transcode_profile_name: Option<String>,
    pub avail_suppression: Option<AvailSuppression>,
    pub bumper: Option<Bumper>,
    pub live_pre_roll: Option<LivePreRoll>,
    /// `player_params.<name>` -> alias -> value.
    pub configuration_aliases: BTreeMap<String, BTreeMap<String, String>>,
    pub tags: Tags,
}

impl std::fmt::Debug for PlaybackConfiguration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlaybackConfiguration")
            .field("name", &self.name)
            .field("ad_decision_server_url", &self.ad_decision_server_url)
            .field(
                "video_content_source_url",
                &crate::token::origin::redact(&self.video_content_source_url),
            )
            .field(
                "content_segment_url_prefix",
                &self.content_segment_url_prefix,
            )
            .field("ad_segment_url_prefix", &self.ad_segment_url_prefix)
            .field("slate_ad_url", &self.slate_ad_url)
            .field(
                "personalization_threshold_seconds",
                &self.personalization_threshold_seconds,
            )
            .field("ad_marker_passthrough", &self.ad_marker_passthrough)
            .field("transcode_profile_name", &self.transcode_profile_name)
            .field("avail_suppression", &self.avail_suppression)
            .field("bumper", &self.bumper)
            .field("live_pre_roll", &self.live_pre_roll)
            .field("configuration_aliases", &self.configuration_aliases)
            .field("tags", &self.tags)
            .finish()
    }
}

/// Skipping ad breaks near the live edge: MediaTailor's `AvailSuppression`.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailSuppression {
    /// `OFF`, `BEHIND_LIVE_EDGE` or `AFTER_LIVE_EDGE`.
    pub mode: String,
    /// `HH:MM:SS`.
    pub value: Option<String>,
    /// `FULL_AVAIL_ONLY` or `PARTIAL_AVAIL`.
    pub fill_policy: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bumper {
    pub start_url: Option<String>,
    pub end_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LivePreRoll {
    pub ad_decision_server_url: Option<String>,
    pub max_duration_seconds: u32,
}

/// What MediaTailor answers: the configuration and where players reach it.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PlaybackConfig {
    pub config: PlaybackConfiguration,
    pub arn: String,
    /// Origin for `/v1/*` manifest behaviours in CloudFront.
    pub playback_endpoint_prefix: Option<String>,
    pub hls_manifest_prefix: Option<String>,
    pub dash_manifest_prefix: Option<String>,
    pub session_initialization_prefix: Option<String>,
}

aws_api! {
    /// MediaTailor, as the reconcilers use it.
    pub trait MediaTailorApi: Service::MediaTailor;

    /// Creates or replaces the configuration named `config.name`.
    async fn put_playback_configuration(&self, config: PlaybackConfiguration) -> Result<PlaybackConfig>;
    async fn get_playback_configuration(&self, name: &str) -> Result<PlaybackConfig>;
    async fn delete_playback_configuration(&self, name: &str) -> Result<()>;
}
