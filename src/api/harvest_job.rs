//! `HarvestJob`: a live-to-VOD clip cut from a LiveChannel's start-over window.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{
    tags_schema, Condition, DeletionPolicy, LocalObjectRef, Tags, ROLE_ARN_PATTERN,
    S3_BUCKET_PATTERN,
};

/// A MediaPackage harvest job: one clip of a LiveChannel into S3, optionally
/// published with MediaPackage VOD. Immutable once created, like a Job.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "onair.dev",
    version = "v1alpha1",
    kind = "HarvestJob",
    plural = "harvestjobs",
    shortname = "hj",
    category = "onair",
    namespaced,
    status = "HarvestJobStatus",
    doc = "A live-to-VOD clip harvested from a LiveChannel into S3, optionally published as VOD.",
    printcolumn(
        name = "Channel",
        type_ = "string",
        json_path = ".spec.channelRef.name"
    ),
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(name = "Start", type_ = "string", json_path = ".status.windowStart"),
    printcolumn(name = "End", type_ = "string", json_path = ".status.windowEnd"),
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
    { "rule": "self == oldSelf", "message": "a HarvestJob is immutable once created; delete it and create a new one to harvest another clip" },
    { "rule": "has(self.lastMinutes) != (has(self.startTime) || has(self.endTime))", "message": "give either lastMinutes or startTime and endTime, not both" },
    { "rule": "has(self.startTime) == has(self.endTime)", "message": "startTime and endTime go together" },
    // startTime/endTime have format date-time, so CEL sees them as timestamps.
    { "rule": "!has(self.startTime) || !has(self.endTime) || self.endTime > self.startTime", "message": "endTime must be after startTime" },
    { "rule": "!has(self.startTime) || !has(self.endTime) || self.endTime - self.startTime <= duration('24h')", "message": "a harvested clip can be at most 24 hours long (MediaPackage's limit): shorten the window" }
]))]
pub struct HarvestJobSpec {
    /// The LiveChannel (same namespace) to harvest from.
    pub channel_ref: LocalObjectRef,
    /// Which origin endpoint to harvest.
    #[serde(default)]
    pub endpoint: HarvestEndpoint,
    /// Start of the clip (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub start_time: Option<String>,
    /// End of the clip (RFC 3339); after startTime, at most 24 hours later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub end_time: Option<String>,
    /// The clip is the last N minutes before the object was created; the resolved
    /// window is recorded in status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1440))]
    pub last_minutes: Option<u32>,
    /// Where the clip goes.
    pub destination: HarvestDestination,
    /// Publish the clip with MediaPackage VOD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vod: Option<VodPublishing>,
    /// Delete this object this many seconds after it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 31536000))]
    pub ttl_seconds_after_finished: Option<u32>,
    /// Tags on the VOD resources.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    #[schemars(schema_with = "tags_schema")]
    pub tags: Tags,
    /// Whether deleting the object removes the VOD asset (S3 objects are never
    /// touched).
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
}

/// Origin endpoint to harvest.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum HarvestEndpoint {
    #[default]
    Hls,
    Dash,
}

/// S3 destination of a harvest.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HarvestDestination {
    /// Bucket name.
    #[schemars(pattern(S3_BUCKET_PATTERN))]
    pub bucket: String,
    /// Key prefix; the manifest goes to `<keyPrefix>/<job>/index.m3u8` (or `.mpd`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Za-z0-9!_.*'()/-]{1,512}$"))]
    pub key_prefix: Option<String>,
    /// Role MediaPackage assumes to write to the bucket.
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role_arn: String,
}

/// MediaPackage VOD publishing of the clip.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "self.hls || self.dash", "message": "vod needs at least one of hls or dash" }
]))]
pub struct VodPublishing {
    /// Package as HLS.
    #[serde(default = "yes")]
    pub hls: bool,
    /// Package as DASH.
    #[serde(default)]
    pub dash: bool,
    /// Role MediaPackage VOD assumes to read the clip from S3.
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role_arn: String,
}

fn yes() -> bool {
    true
}

/// Lifecycle of a harvest.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum HarvestPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// Observed state of a HarvestJob.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HarvestJobStatus {
    /// The generation the status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `Complete`, `Failed`, `Reconciling`, `Stalled`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Pending, Running, Succeeded or Failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<HarvestPhase>,
    /// The MediaPackage harvest job id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harvest_job_id: Option<String>,
    /// Resolved start of the clip (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_start: Option<String>,
    /// Resolved end of the clip (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_end: Option<String>,
    /// `s3://bucket/key` of the harvested manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_uri: Option<String>,
    /// When the harvest started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When the harvest finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// VOD playback URL, when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vod_playback_url: Option<String>,
    /// MediaPackage VOD asset id, when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vod_asset_id: Option<String>,
}
