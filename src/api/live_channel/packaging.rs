//! MediaPackage packaging of a LiveChannel: the HLS and DASH endpoints.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;

/// MediaPackage packaging.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "self.hls.enabled || self.dash.enabled", "message": "packaging needs at least one endpoint: enable packaging.hls or packaging.dash" }
]))]
pub struct PackagingSpec {
    /// How far back viewers (and HarvestJobs) can reach, in seconds; 0 turns
    /// start-over off. MediaPackage allows up to 14 days.
    #[serde(default)]
    #[schemars(range(min = 0, max = 1209600))]
    pub startover_window_seconds: u32,
    /// The HLS endpoint.
    #[serde(default)]
    pub hls: HlsEndpointSpec,
    /// The DASH endpoint.
    #[serde(default)]
    pub dash: DashEndpointSpec,
}

/// HLS origin endpoint.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HlsEndpointSpec {
    /// Whether the endpoint exists.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Segment duration in seconds.
    #[serde(default = "default_hls_segment")]
    #[schemars(range(min = 1, max = 30))]
    pub segment_seconds: u32,
    /// Length of the live playlist, in seconds.
    #[serde(default = "default_manifest_window")]
    #[schemars(range(min = 10, max = 3600))]
    pub manifest_window_seconds: u32,
    /// How SCTE-35 ad markers appear in the playlists.
    #[serde(default)]
    pub ad_markers: HlsAdMarkers,
}

impl Default for HlsEndpointSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            segment_seconds: default_hls_segment(),
            manifest_window_seconds: default_manifest_window(),
            ad_markers: HlsAdMarkers::default(),
        }
    }
}

/// HLS ad marker styles offered by MediaPackage.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum HlsAdMarkers {
    /// No ad markers.
    None,
    /// Copy the markers from the input (what MediaTailor reads).
    #[default]
    Passthrough,
    /// SCTE-35 enhanced markers.
    Scte35Enhanced,
}

/// DASH origin endpoint.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashEndpointSpec {
    /// Whether the endpoint exists.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Segment duration in seconds.
    #[serde(default = "default_dash_segment")]
    #[schemars(range(min = 1, max = 30))]
    pub segment_seconds: u32,
    /// Length of the live manifest, in seconds.
    #[serde(default = "default_manifest_window")]
    #[schemars(range(min = 10, max = 3600))]
    pub manifest_window_seconds: u32,
    /// Segment template format; HarvestJobs of DASH need a timeline format.
    #[serde(default)]
    pub segment_template: DashSegmentTemplate,
}

impl Default for DashEndpointSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            segment_seconds: default_dash_segment(),
            manifest_window_seconds: default_manifest_window(),
            segment_template: DashSegmentTemplate::default(),
        }
    }
}

/// DASH segment template formats.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum DashSegmentTemplate {
    /// `$Number$` with a SegmentTimeline.
    #[default]
    NumberWithTimeline,
    /// `$Time$` with a SegmentTimeline.
    TimeWithTimeline,
    /// `$Number$` with a fixed duration (cannot be harvested).
    NumberWithDuration,
}
fn default_hls_segment() -> u32 {
    6
}
fn default_dash_segment() -> u32 {
    2
}
fn default_manifest_window() -> u32 {
    60
}
