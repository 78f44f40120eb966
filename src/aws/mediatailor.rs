//! MediaTailor: playback configurations (server-side ad insertion).

use super::error::AwsError;
use super::intercept::aws_api;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// The whole desired configuration. PutPlaybackConfiguration replaces everything, and
/// a field left out reverts to its default, so this is always sent complete.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
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
    pub tags: Tags,
}

/// What MediaTailor answers: the configuration and where players reach it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
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
