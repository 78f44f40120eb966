//! MediaLive: input security groups, inputs, channels and their schedules.

use super::error::AwsError;
use super::intercept::aws_api;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// An input security group: the CIDRs allowed to push to the inputs using it.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub arn: String,
    pub cidrs: Vec<String>,
    /// Input ids using it; it can be deleted only when this is empty.
    pub inputs: Vec<String>,
    pub tags: Tags,
}

/// Input types onair creates. Immutable once the input exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InputType {
    #[default]
    RtmpPush,
    UrlPull,
    SrtCaller,
}

impl InputType {
    pub fn as_aws(self) -> &'static str {
        match self {
            InputType::RtmpPush => "RTMP_PUSH",
            InputType::UrlPull => "URL_PULL",
            InputType::SrtCaller => "SRT_CALLER",
        }
    }

    pub fn from_aws(s: &str) -> Option<Self> {
        match s {
            "RTMP_PUSH" => Some(InputType::RtmpPush),
            "URL_PULL" => Some(InputType::UrlPull),
            "SRT_CALLER" => Some(InputType::SrtCaller),
            _ => None,
        }
    }
}

/// What to create an input with.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NewInput {
    /// Idempotency token ([`Owner::token`](super::ownership::Owner::token)).
    pub request_id: String,
    pub name: String,
    pub input_type: InputType,
    pub settings: InputSettings,
    pub tags: Tags,
}

/// The mutable part of an input.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputSettings {
    /// Push inputs: their security groups.
    pub security_group_ids: Vec<String>,
    /// Push inputs: one stream name (`app/instance`) per pipeline.
    pub stream_names: Vec<String>,
    /// Pull inputs: one source URL per pipeline.
    pub source_urls: Vec<String>,
    /// SRT caller inputs: one listener per pipeline.
    pub srt_sources: Vec<SrtCallerSource>,
}

/// An SRT listener MediaLive calls.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrtCallerSource {
    pub address: String,
    pub port: u16,
    pub stream_id: Option<String>,
    pub minimum_latency_ms: u32,
    /// Encrypted streams: the key length and the Secrets Manager secret that
    /// holds the passphrase (MediaLive's role reads it).
    pub decryption: Option<SrtDecryption>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SrtDecryption {
    /// `AES128`, `AES192` or `AES256`.
    pub algorithm: String,
    pub passphrase_secret_arn: String,
}

/// Input states as MediaLive reports them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum InputState {
    Creating,
    Detached,
    Attached,
    Deleting,
    Deleted,
    Other(String),
}

impl InputState {
    pub fn from_aws(s: &str) -> Self {
        match s {
            "CREATING" => Self::Creating,
            "DETACHED" => Self::Detached,
            "ATTACHED" => Self::Attached,
            "DELETING" => Self::Deleting,
            "DELETED" => Self::Deleted,
            o => Self::Other(o.into()),
        }
    }
    pub fn as_aws(&self) -> &str {
        match self {
            Self::Creating => "CREATING",
            Self::Detached => "DETACHED",
            Self::Attached => "ATTACHED",
            Self::Deleting => "DELETING",
            Self::Deleted => "DELETED",
            Self::Other(o) => o,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub input_type: Option<InputType>,
    pub state: InputState,
    pub settings: InputSettings,
    /// Push inputs: the URLs encoders push to, one per pipeline.
    pub destination_urls: Vec<String>,
    pub attached_channels: Vec<String>,
    pub tags: Tags,
}

/// Channel states as MediaLive reports them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ChannelState {
    Creating,
    CreateFailed,
    Idle,
    Starting,
    Running,
    Recovering,
    Stopping,
    Deleting,
    Deleted,
    Updating,
    UpdateFailed,
    Other(String),
}

impl ChannelState {
    pub fn from_aws(s: &str) -> Self {
        match s {
            "CREATING" => Self::Creating,
            "CREATE_FAILED" => Self::CreateFailed,
            "IDLE" => Self::Idle,
            "STARTING" => Self::Starting,
            "RUNNING" => Self::Running,
            "RECOVERING" => Self::Recovering,
            "STOPPING" => Self::Stopping,
            "DELETING" => Self::Deleting,
            "DELETED" => Self::Deleted,
            "UPDATING" => Self::Updating,
            "UPDATE_FAILED" => Self::UpdateFailed,
            o => Self::Other(o.into()),
        }
    }
    pub fn as_aws(&self) -> &str {
        match self {
            Self::Creating => "CREATING",
            Self::CreateFailed => "CREATE_FAILED",
            Self::Idle => "IDLE",
            Self::Starting => "STARTING",
            Self::Running => "RUNNING",
            Self::Recovering => "RECOVERING",
            Self::Stopping => "STOPPING",
            Self::Deleting => "DELETING",
            Self::Deleted => "DELETED",
            Self::Updating => "UPDATING",
            Self::UpdateFailed => "UPDATE_FAILED",
            Self::Other(o) => o,
        }
    }
}

/// One video rendition of the ABR ladder (H.264, QVBR).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoRendition {
    /// Output name suffix, such as `720p`.
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// Maximum bitrate in bits per second.
    pub max_bitrate: u32,
    pub framerate_numerator: u32,
    pub framerate_denominator: u32,
}

/// The encoding of a channel: what onair sets, and reads back to detect drift.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encoding {
    pub renditions: Vec<VideoRendition>,
    /// AAC bitrate in bits per second.
    pub audio_bitrate: u32,
    pub audio_sample_rate: u32,
    pub gop_seconds: u32,
}

/// The mutable part of a channel (changed only while IDLE, except what MediaLive
/// allows while running, which onair does not rely on).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSettings {
    pub name: String,
    pub role_arn: Option<String>,
    pub input_ids: Vec<String>,
    /// The MediaPackage channels the channel sends to, through MediaLive's
    /// MediaPackage output group (no credentials involved).
    pub packaging: Vec<PackagingDestination>,
    pub encoding: Encoding,
}

/// Where a channel's MediaPackage output group sends (one
/// `MediaPackageOutputDestinationSettings`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(tag = "version", rename_all_fields = "camelCase")]
pub enum PackagingDestination {
    /// A MediaPackage v1 channel, by id.
    V1 { channel_id: String },
    /// A MediaPackage v2 channel, by group and name: MediaLive's CMAF Ingest
    /// ("v2 mode" of the output group), so the channel's input type must be
    /// CMAF. MediaLive signs with the channel's role, which the v2 channel's
    /// policy must let in.
    V2 {
        channel_group: String,
        channel_name: String,
    },
}

impl PackagingDestination {
    pub fn is_v2(&self) -> bool {
        matches!(self, Self::V2 { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NewChannel {
    /// Idempotency token.
    pub request_id: String,
    /// `SINGLE_PIPELINE` or `STANDARD`; immutable.
    pub channel_class: String,
    pub settings: ChannelSettings,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Channel {
    pub id: String,
    pub arn: String,
    pub state: ChannelState,
    pub channel_class: String,
    pub pipelines_running: u32,
    pub settings: ChannelSettings,
    pub tags: Tags,
}

/// When a schedule action runs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ScheduleStart {
    Immediate,
    /// ISO 8601 UTC time, such as `2026-11-20T10:00:00.000Z`.
    Fixed(String),
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ScheduleActionKind {
    /// SCTE-35 splice insert: an ad break of `duration_ms`.
    SpliceInsert {
        splice_event_id: u32,
        duration_ms: u64,
    },
    /// SCTE-35 return to network: ends the break early.
    ReturnToNetwork { splice_event_id: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScheduleAction {
    /// Unique within the channel's schedule.
    pub name: String,
    pub start: ScheduleStart,
    pub kind: ScheduleActionKind,
}

aws_api! {
    /// MediaLive, as the reconcilers use it.
    pub trait MediaLiveApi: Service::MediaLive;

    async fn create_input_security_group(&self, cidrs: Vec<String>, tags: Tags) -> Result<SecurityGroup>;
    async fn describe_input_security_group(&self, id: &str) -> Result<SecurityGroup>;
    /// Replaces the CIDR list (allowed while channels run).
    async fn update_input_security_group(&self, id: &str, cidrs: Vec<String>) -> Result<SecurityGroup>;
    async fn delete_input_security_group(&self, id: &str) -> Result<()>;
    /// Every group, for crash recovery by owner tag (CreateInputSecurityGroup takes no
    /// idempotency token).
    async fn list_input_security_groups(&self) -> Result<Vec<SecurityGroup>>;

    async fn create_input(&self, input: NewInput) -> Result<Input>;
    async fn describe_input(&self, id: &str) -> Result<Input>;
    async fn update_input(&self, id: &str, settings: InputSettings) -> Result<Input>;
    /// Conflict while a channel uses the input.
    async fn delete_input(&self, id: &str) -> Result<()>;
    async fn list_inputs(&self) -> Result<Vec<Input>>;

    async fn create_channel(&self, channel: NewChannel) -> Result<Channel>;
    async fn describe_channel(&self, id: &str) -> Result<Channel>;
    /// Conflict unless IDLE.
    async fn update_channel(&self, id: &str, settings: ChannelSettings) -> Result<Channel>;
    /// Conflict unless IDLE. The channel then answers DELETING, then DELETED.
    async fn delete_channel(&self, id: &str) -> Result<Channel>;
    /// Conflict unless IDLE.
    async fn start_channel(&self, id: &str) -> Result<Channel>;
    /// Conflict unless RUNNING (or STARTING/RECOVERING).
    async fn stop_channel(&self, id: &str) -> Result<Channel>;
    /// Every channel, for crash recovery by owner tag or name.
    async fn list_channels(&self) -> Result<Vec<Channel>>;

    /// Adds and removes schedule actions in one call.
    async fn batch_update_schedule(&self, channel_id: &str, create: Vec<ScheduleAction>, delete: Vec<String>) -> Result<()>;
    async fn describe_schedule(&self, channel_id: &str) -> Result<Vec<ScheduleAction>>;
}
