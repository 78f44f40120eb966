//! `LiveChannel`: one live stream end to end — MediaLive input and channel,
//! MediaPackage channel and endpoints, origin protection, CloudFront distribution
//! and optional CMCD real-time logs.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{
    tags_schema, Condition, DeletionPolicy, ProviderRef, SecretKeySelector, Tags, HOSTNAME_PATTERN,
    HTTP_URL_PATTERN, IPV4_CIDR_PATTERN, ROLE_ARN_PATTERN,
};

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
        priority = 1
    ),
    printcolumn(
        name = "Playback",
        type_ = "string",
        json_path = ".status.playback.hls",
        description = "HLS playback URL through CloudFront"
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

/// The contribution input.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "(self.type == 'RtmpPush') == has(self.rtmpPush)", "message": "input.rtmpPush must be set exactly when input.type is RtmpPush" },
    { "rule": "(self.type == 'UrlPull') == has(self.urlPull)", "message": "input.urlPull must be set exactly when input.type is UrlPull" },
    { "rule": "(self.type == 'SrtCaller') == has(self.srtCaller)", "message": "input.srtCaller must be set exactly when input.type is SrtCaller" }
]))]
pub struct InputSpec {
    /// How the feed reaches MediaLive.
    #[serde(rename = "type")]
    pub type_: InputType,
    /// Settings for `RtmpPush`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtmp_push: Option<RtmpPushInput>,
    /// Settings for `UrlPull`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_pull: Option<UrlPullInput>,
    /// Settings for `SrtCaller`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srt_caller: Option<SrtCallerInput>,
}

/// MediaLive input types onair supports.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum InputType {
    /// The encoder pushes RTMP to MediaLive (behind an input security group).
    RtmpPush,
    /// MediaLive pulls an HLS or other HTTP source.
    UrlPull,
    /// MediaLive calls an SRT listener.
    SrtCaller,
}

/// RTMP push input.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RtmpPushInput {
    /// Networks allowed to push (the input security group), IPv4 CIDRs; MediaLive
    /// allows at most 10. Can change while the channel runs.
    #[schemars(length(min = 1, max = 10), inner(pattern(IPV4_CIDR_PATTERN)))]
    pub allowed_cidrs: Vec<String>,
    /// RTMP application/instance names, such as `live/main`: one per pipeline (one
    /// for SinglePipeline, two for Standard).
    #[schemars(
        length(min = 1, max = 2),
        inner(pattern(r"^[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}$"))
    )]
    pub stream_names: Vec<String>,
}

/// URL pull input.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UrlPullInput {
    /// Source URLs (HTTP or HTTPS, such as an HLS playlist): one per pipeline.
    #[schemars(
        length(min = 1, max = 2),
        inner(pattern(HTTP_URL_PATTERN), length(max = 2048))
    )]
    pub urls: Vec<String>,
}

/// SRT caller input.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SrtCallerInput {
    /// SRT listeners MediaLive calls: one per pipeline.
    #[schemars(length(min = 1, max = 2))]
    pub sources: Vec<SrtSource>,
}

/// One SRT listener.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SrtSource {
    /// `srt://host:port` of the listener.
    #[schemars(pattern(r"^srt://[^\s/:]+:[0-9]{1,5}$"), length(max = 512))]
    pub url: String,
    /// SRT stream id, if the listener needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 512))]
    pub stream_id: Option<String>,
    /// Latency MediaLive keeps for retransmission, in milliseconds.
    #[serde(default = "default_srt_latency_ms")]
    #[schemars(range(min = 120, max = 15000))]
    pub minimum_latency_ms: u32,
    /// Secret key holding the AES passphrase (10 to 79 characters). onair copies it
    /// into AWS Secrets Manager for MediaLive (whose role must be allowed to read
    /// `onair/*` secrets) and keeps the copy current when the Secret changes; it
    /// never appears in status or logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase_secret_ref: Option<SecretKeySelector>,
    /// AES key length the listener encrypts with (its `pbkeylen`), when a
    /// passphrase is set.
    #[serde(default)]
    pub encryption: SrtEncryption,
}

/// SRT AES key lengths.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum SrtEncryption {
    /// 128-bit keys (SRT's default `pbkeylen` 16).
    #[default]
    #[serde(rename = "AES128")]
    Aes128,
    #[serde(rename = "AES192")]
    Aes192,
    #[serde(rename = "AES256")]
    Aes256,
}

impl SrtEncryption {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::Aes128 => "AES128",
            Self::Aes192 => "AES192",
            Self::Aes256 => "AES256",
        }
    }
}

fn default_srt_latency_ms() -> u32 {
    2000
}

/// MediaLive encoding settings.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EncodingSpec {
    /// `SinglePipeline` (one pipeline, one input source) or `Standard` (two
    /// redundant pipelines, two sources).
    #[serde(default)]
    pub channel_class: ChannelClass,
    /// The video renditions (ABR ladder).
    #[serde(default)]
    pub ladder: LadderSpec,
    /// Audio settings, shared by every rendition.
    #[serde(default)]
    pub audio: AudioSpec,
    /// Keyframe interval in seconds. Packaged segment lengths must be a multiple of it.
    #[serde(default = "default_gop_seconds")]
    #[schemars(range(min = 1, max = 10))]
    pub gop_seconds: u32,
    /// Role MediaLive assumes; defaults to the AwsProvider's `mediaLiveRoleArn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role_arn: Option<String>,
}

impl Default for EncodingSpec {
    fn default() -> Self {
        Self {
            channel_class: ChannelClass::default(),
            ladder: LadderSpec::default(),
            audio: AudioSpec::default(),
            gop_seconds: default_gop_seconds(),
            role_arn: None,
        }
    }
}

fn default_gop_seconds() -> u32 {
    2
}

/// MediaLive channel class.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum ChannelClass {
    /// One pipeline.
    #[default]
    SinglePipeline,
    /// Two redundant pipelines (needs two ingest sources).
    Standard,
}

/// The ABR ladder: a preset or explicit renditions, not both.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "has(self.preset) != has(self.renditions)", "message": "encoding.ladder takes either a preset or a list of renditions, not both and not neither" }
]))]
pub struct LadderSpec {
    /// A built-in ladder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<LadderPreset>,
    /// Explicit renditions, highest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 8), extend("x-kubernetes-validations" = [
        // The names' maxLength bounds this rule's cost: kube-apiserver
        // refuses the CRD when the estimate exceeds its budget.
        { "rule": "self.all(r, self.exists_one(o, o.name == r.name))", "message": "rendition names must be unique" }
    ]))]
    pub renditions: Option<Vec<Rendition>>,
}

impl Default for LadderSpec {
    fn default() -> Self {
        Self {
            preset: Some(LadderPreset::Hd1080),
            renditions: None,
        }
    }
}

/// Built-in ladders (H.264, QVBR).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum LadderPreset {
    /// 1080p 6 Mbps, 720p 3.5 Mbps, 540p 2 Mbps, 360p 0.8 Mbps.
    Hd1080,
    /// The workshop ladder: 720p 2.7 Mbps, 540p 1.8 Mbps, 288p 0.4 Mbps.
    Hd720,
}

/// One video rendition (H.264).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rendition {
    /// Name used in the output, such as `720p`.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9_-]{0,31}$"), length(max = 32))]
    pub name: String,
    /// Width in pixels (even).
    #[schemars(range(min = 128, max = 3840), extend("multipleOf" = 2))]
    pub width: u32,
    /// Height in pixels (even).
    #[schemars(range(min = 96, max = 2160), extend("multipleOf" = 2))]
    pub height: u32,
    /// Maximum video bitrate in kbit/s.
    #[schemars(range(min = 100, max = 20000))]
    pub bitrate_kbps: u32,
    /// Frame rate as `N` or `N/D`, such as `30` or `30000/1001`.
    #[serde(default = "default_frame_rate")]
    #[schemars(pattern(r"^[1-9][0-9]{0,5}(/[1-9][0-9]{0,4})?$"))]
    pub frame_rate: String,
}

fn default_frame_rate() -> String {
    "30".into()
}

/// AAC audio settings.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AudioSpec {
    /// AAC bitrate in kbit/s.
    #[serde(default = "default_audio_kbps")]
    #[schemars(range(min = 16, max = 320))]
    pub bitrate_kbps: u32,
    /// Sample rate in Hz: 32000, 44100 or 48000.
    #[serde(default = "default_sample_rate")]
    #[schemars(extend("x-kubernetes-validations" = [
        { "rule": "self in [32000, 44100, 48000]", "message": "audio.sampleRate must be 32000, 44100 or 48000" }
    ]))]
    pub sample_rate: u32,
}

impl Default for AudioSpec {
    fn default() -> Self {
        Self {
            bitrate_kbps: default_audio_kbps(),
            sample_rate: default_sample_rate(),
        }
    }
}

fn default_audio_kbps() -> u32 {
    96
}
fn default_sample_rate() -> u32 {
    48000
}

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

fn yes() -> bool {
    true
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

/// CloudFront distribution.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "!has(self.aliases) || size(self.aliases) == 0 || has(self.certificateArn)", "message": "cdn.aliases need cdn.certificateArn: an ACM certificate in us-east-1 that covers every alias" },
    { "rule": "self.enabled || !has(self.telemetry) || !self.telemetry.enabled", "message": "cdn.telemetry needs the CDN: set cdn.enabled to true or turn telemetry off" }
]))]
pub struct CdnSpec {
    /// Whether onair creates a CloudFront distribution. Without it, players use the
    /// MediaPackage origin URLs directly (and origin protection is off).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// CloudFront price class.
    #[serde(default)]
    pub price_class: PriceClass,
    /// MediaPackage CDN authorization: only requests carrying a secret header that
    /// CloudFront adds reach the origin. Rotate the secret with the annotation
    /// `onair.dev/rotate-cdn-secret` (any new value), without downtime.
    #[serde(default = "yes")]
    pub origin_protection: bool,
    /// Alternate domain names (CNAMEs) for the distribution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 10), inner(pattern(HOSTNAME_PATTERN), length(max = 253)))]
    pub aliases: Vec<String>,
    /// ACM certificate (in us-east-1) for the aliases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}$"))]
    pub certificate_arn: Option<String>,
    /// CMCD telemetry through CloudFront real-time logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<TelemetrySpec>,
}

impl Default for CdnSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            price_class: PriceClass::default(),
            origin_protection: true,
            aliases: Vec::new(),
            certificate_arn: None,
            telemetry: None,
        }
    }
}

/// CloudFront price classes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum PriceClass {
    /// Every edge location.
    #[default]
    #[serde(rename = "PriceClass_All")]
    All,
    /// Most regions, not the most expensive ones.
    #[serde(rename = "PriceClass_200")]
    P200,
    /// North America and Europe only.
    #[serde(rename = "PriceClass_100")]
    P100,
}

/// CloudFront real-time logs carrying CMCD telemetry to Kinesis.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TelemetrySpec {
    /// Whether the real-time log configuration is attached.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Percentage of requests logged.
    #[serde(default = "default_sampling")]
    #[schemars(range(min = 1, max = 100))]
    pub sampling_rate: u32,
    /// Log fields, in order. Empty means onair's default set: every CMCD field plus
    /// status, time to first byte, edge location and URI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 80), inner(pattern(r"^[a-z0-9-]{1,64}$")), extend("x-kubernetes-list-type" = "set"))]
    pub fields: Vec<String>,
    /// The Kinesis data stream records go to.
    #[serde(default)]
    pub stream: TelemetryStream,
    /// Role CloudFront assumes to write to the stream.
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role_arn: String,
    /// Optional delivery onward to S3 with Kinesis Data Firehose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firehose: Option<FirehoseDelivery>,
}

fn default_sampling() -> u32 {
    100
}

/// Which Kinesis stream to use: an existing one by ARN, or one onair creates.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "!has(self.arn) || (!has(self.shardCount) && !has(self.retentionHours))", "message": "telemetry.stream takes either an existing stream's arn or shardCount/retentionHours for a stream onair creates, not both" }
]))]
pub struct TelemetryStream {
    /// ARN of an existing Kinesis data stream (onair then never deletes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(
        r"^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/[A-Za-z0-9_.-]{1,128}$"
    ))]
    pub arn: Option<String>,
    /// Shards of the stream onair creates (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 64))]
    pub shard_count: Option<u32>,
    /// Retention of the stream onair creates, in hours (default 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 24, max = 8760))]
    pub retention_hours: Option<u32>,
}

/// Kinesis Data Firehose delivery of the records to S3.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FirehoseDelivery {
    /// ARN of the destination bucket.
    #[schemars(pattern(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"))]
    pub bucket_arn: String,
    /// Key prefix of the delivered objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub prefix: Option<String>,
    /// Buffer interval in seconds.
    #[serde(default = "default_buffer_seconds")]
    #[schemars(range(min = 60, max = 900))]
    pub buffer_interval_seconds: u32,
    /// Buffer size in MiB.
    #[serde(default = "default_buffer_mib")]
    #[schemars(range(min = 1, max = 128))]
    pub buffer_size_mib: u32,
    /// Role Firehose assumes to read the stream and write to the bucket.
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role_arn: String,
}

fn default_buffer_seconds() -> u32 {
    300
}
fn default_buffer_mib() -> u32 {
    5
}

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
    /// HLS through CloudFront.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls: Option<String>,
    /// DASH through CloudFront.
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
