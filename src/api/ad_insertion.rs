//! `AdInsertion`: server-side ad insertion with MediaTailor in front of a LiveChannel.

use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{tags_schema, Condition, DeletionPolicy, LocalObjectRef, Tags};

/// `https://` URL in which MediaTailor's `[session.*]`, `[player_params.*]` and
/// similar dynamic variables are allowed.
const AD_URL_PATTERN: &str = r"^https://[^\s/?#]+([/?#]\S*)?$";

/// Server-side ad insertion for one LiveChannel.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "onair.dev",
    version = "v1alpha1",
    kind = "AdInsertion",
    plural = "adinsertions",
    shortname = "adi",
    category = "onair",
    namespaced,
    status = "AdInsertionStatus",
    doc = "MediaTailor server-side ad insertion in front of a LiveChannel, served through its CloudFront distribution.",
    printcolumn(
        name = "Channel",
        type_ = "string",
        json_path = ".spec.channelRef.name"
    ),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Reason",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].reason",
        description = "Why the object is or is not Ready"
    ),
    printcolumn(
        name = "Playback",
        type_ = "string",
        json_path = ".status.playback.hls"
    ),
    printcolumn(
        name = "Next-Break",
        type_ = "date",
        json_path = ".status.nextBreak",
        priority = 1
    ),
    printcolumn(
        name = "Message",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].message",
        priority = 1
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "self.channelRef.name == oldSelf.channelRef.name", "message": "channelRef cannot change; create a new AdInsertion for another channel" }
]))]
pub struct AdInsertionSpec {
    /// The LiveChannel (same namespace) whose stream gets ads.
    pub channel_ref: LocalObjectRef,
    /// The ad decision server (VAST/VMAP). MediaTailor dynamic variables such as
    /// `[session.avail_duration_secs]` are allowed.
    #[schemars(pattern(AD_URL_PATTERN), length(max = 25000))]
    pub ad_decision_server_url: String,
    /// Slate shown when there are not enough ads to fill a break.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(AD_URL_PATTERN), length(max = 2048))]
    pub slate_ad_url: Option<String>,
    /// Breaks shorter than this many seconds of unfilled time show slate instead of
    /// being personalized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3600))]
    pub personalization_threshold_seconds: Option<u32>,
    /// MediaTailor transcode profile for the ads (set up with AWS Support).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 128))]
    pub transcode_profile_name: Option<String>,
    /// Ad suppression around the live edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avail_suppression: Option<AvailSuppression>,
    /// Bumpers played at the start and end of each break.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bumper: Option<Bumper>,
    /// Pass the origin's ad markers through into the personalized manifests.
    #[serde(default)]
    pub ad_marker_passthrough: bool,
    /// A pre-roll ad break when a viewer joins the stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_roll: Option<PreRoll>,
    /// Aliases of player parameters: parameter name -> alias -> value, each name
    /// like `player_params.<name>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("maxProperties" = 20, "x-kubernetes-validations" = [
        { "rule": "self.all(k, k.matches('^player_params\\\\.[A-Za-z0-9_-]+$'))", "message": "configurationAliases keys must look like player_params.<name>" }
    ]))]
    pub configuration_aliases: BTreeMap<String, BTreeMap<String, String>>,
    /// Ad breaks inserted without touching the encoder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_breaks: Option<AdBreaks>,
    /// Tags on the playback configuration.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    #[schemars(schema_with = "tags_schema")]
    pub tags: Tags,
    /// What happens to the playback configuration when this object is deleted.
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
}

/// MediaTailor avail suppression.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "self.mode == 'Off' || has(self.value)", "message": "availSuppression.value (HH:MM:SS) is required unless mode is Off" }
]))]
pub struct AvailSuppression {
    /// `Off`, `BehindLiveEdge` or `AfterLiveEdge`.
    pub mode: AvailSuppressionMode,
    /// Distance from the live edge, `HH:MM:SS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9]{2}:[0-5][0-9]:[0-5][0-9]$"))]
    pub value: Option<String>,
    /// Whether a partly suppressed break is filled with what is left.
    #[serde(default)]
    pub fill_policy: FillPolicy,
}

/// Avail suppression modes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum AvailSuppressionMode {
    Off,
    BehindLiveEdge,
    AfterLiveEdge,
}

/// Avail suppression fill policies.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum FillPolicy {
    #[default]
    FullAvailOnly,
    PartialAvail,
}

/// Bumper URLs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Bumper {
    /// Played at the start of each break.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(AD_URL_PATTERN), length(max = 2048))]
    pub start_url: Option<String>,
    /// Played at the end of each break.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(AD_URL_PATTERN), length(max = 2048))]
    pub end_url: Option<String>,
}

/// Live pre-roll.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreRoll {
    /// Ad decision server for the pre-roll (defaults to `adDecisionServerUrl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(AD_URL_PATTERN), length(max = 25000))]
    pub ad_decision_server_url: Option<String>,
    /// Longest pre-roll, in seconds.
    #[schemars(range(min = 1, max = 600))]
    pub max_duration_seconds: u32,
}

/// Ad breaks onair writes into the MediaLive schedule as SCTE-35 splice inserts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdBreaks {
    /// A break every `intervalSeconds`, lasting `durationSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<AdBreakSchedule>,
}

/// A recurring ad break.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "self.durationSeconds < self.intervalSeconds", "message": "adBreaks.schedule.durationSeconds must be shorter than intervalSeconds" }
]))]
pub struct AdBreakSchedule {
    /// Seconds between the starts of two breaks.
    #[schemars(range(min = 60, max = 86400))]
    pub interval_seconds: u32,
    /// Length of each break in seconds.
    #[schemars(range(min = 5, max = 600))]
    pub duration_seconds: u32,
}

/// Observed state of an AdInsertion.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdInsertionStatus {
    /// The generation the status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `ChannelReady`, `Reconciling`, `Stalled`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Personalized playback through CloudFront.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playback: Option<AdPlaybackUrls>,
    /// The MediaTailor playback configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_tailor: Option<MediaTailorEndpoints>,
    /// When the next scheduled break starts (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_break: Option<String>,
}

/// Ad-supported playback URLs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdPlaybackUrls {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dash: Option<String>,
    /// Prefix for explicit session initialization (client-side tracking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_initialization_prefix: Option<String>,
}

/// MediaTailor identifiers and endpoints.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MediaTailorEndpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playback_configuration_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playback_configuration_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dash_prefix: Option<String>,
}
