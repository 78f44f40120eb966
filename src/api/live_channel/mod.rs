//! `LiveChannel`: one live stream end to end — MediaLive input and channel,
//! MediaPackage channel and endpoints, origin protection, CloudFront distribution
//! and optional CMCD real-time logs.
//!
//! The spec's parts live one job a file (input, encoding, packaging, cdn, status);
//! every type is re-exported here, where the paths `api::live_channel::*` point.

mod cdn;
mod encoding;
mod input;
mod packaging;
mod status;

pub use cdn::*;
pub use encoding::*;
pub use input::*;
pub use packaging::*;
pub use status::*;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{tags_schema, DeletionPolicy, ProviderRef, Tags};

/// A live channel: ingest, encoding ladder, packaging and CDN, from one object.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "onair.dev",
    version = "v1alpha1",
    kind = "LiveChannel",
    plural = "livechannels",
    shortname = "lc",
    category = "onair",
    namespaced,
    status = "LiveChannelStatus",
    doc = "A live streaming channel: MediaLive input and channel, MediaPackage endpoints and a CloudFront distribution.",
    printcolumn(
        name = "Desired",
        type_ = "string",
        json_path = ".spec.state",
        priority = 1
    ),
    printcolumn(
        name = "State",
        type_ = "string",
        json_path = ".status.channelState",
        description = "MediaLive channel state"
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
        json_path = ".status.playback.hls",
        description = "HLS playback URL: through CloudFront, or from MediaPackage without a CDN"
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
    {
        "rule": "self.encoding.channelClass != 'Standard' || (self.input.type == 'RtmpPush' ? !has(self.input.rtmpPush) || size(self.input.rtmpPush.streamNames) == 2 : self.input.type == 'UrlPull' ? !has(self.input.urlPull) || size(self.input.urlPull.urls) == 2 : !has(self.input.srtCaller) || size(self.input.srtCaller.sources) == 2)",
        "message": "a Standard channel runs two pipelines and needs two ingest sources: give the input two stream names, URLs or SRT sources, or set encoding.channelClass to SinglePipeline"
    },
    {
        "rule": "self.encoding.channelClass != 'SinglePipeline' || (self.input.type == 'RtmpPush' ? !has(self.input.rtmpPush) || size(self.input.rtmpPush.streamNames) == 1 : self.input.type == 'UrlPull' ? !has(self.input.urlPull) || size(self.input.urlPull.urls) == 1 : !has(self.input.srtCaller) || size(self.input.srtCaller.sources) == 1)",
        "message": "a SinglePipeline channel takes exactly one ingest source: give the input one stream name, URL or SRT source, or set encoding.channelClass to Standard"
    },
    {
        "rule": "self.input.type == oldSelf.input.type",
        "message": "input.type cannot change once the channel exists (MediaLive input types are immutable); create a new LiveChannel instead"
    },
    {
        "rule": "self.encoding.channelClass == oldSelf.encoding.channelClass",
        "message": "encoding.channelClass cannot change once the channel exists (MediaLive channel classes are immutable); create a new LiveChannel instead"
    }
]))]
pub struct LiveChannelSpec {
    /// The AwsProvider to create the resources with; without it, the operator's own
    /// credentials and region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_ref: Option<ProviderRef>,
    /// `Running` starts the MediaLive channel (it costs money while running),
    /// `Idle` stops it. The channel starts only once input, packaging and CDN are ready.
    pub state: DesiredState,
    /// How changes that need a stopped channel are applied while it runs.
    #[serde(default)]
    pub update_strategy: UpdateStrategy,
    /// What happens to the AWS resources when this object is deleted.
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
    /// Tags added to every AWS resource of this channel.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    #[schemars(schema_with = "tags_schema")]
    pub tags: Tags,
    /// Where the contribution feed comes from.
    pub input: InputSpec,
    /// The MediaLive encoding: channel class and ABR ladder.
    #[serde(default)]
    pub encoding: EncodingSpec,
    /// MediaPackage origin endpoints.
    #[serde(default)]
    pub packaging: PackagingSpec,
    /// CloudFront distribution in front of the origin.
    #[serde(default)]
    pub cdn: CdnSpec,
}

/// The user's switch for the MediaLive channel.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum DesiredState {
    /// The channel encodes (and costs money).
    Running,
    /// The channel is stopped; everything else stays deployed.
    Idle,
}

/// How a change that MediaLive only accepts on a stopped channel is rolled out.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum UpdateStrategy {
    /// Wait until the channel is Idle; meanwhile the `UpdatePending` condition
    /// says what is waiting. Viewers are never interrupted.
    #[default]
    OnNextIdle,
    /// Stop the channel, apply the change and start it again (an outage of a few
    /// minutes).
    Restart,
}

fn yes() -> bool {
    true
}
