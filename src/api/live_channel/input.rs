//! The contribution input of a LiveChannel: RTMP push, URL pull or SRT caller,
//! and the SRT source settings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::common::{SecretKeySelector, HTTP_URL_PATTERN, IPV4_CIDR_PATTERN};

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
// Host bits, refused at apply time: Kubernetes' CIDR library (1.31 and
// later) masks the block, and a network is its own masked form. Stored
// objects from before the rule pass updates that leave the list alone
// (validation ratcheting); the reconciler refuses them, keeping the channel
// as it runs (plan::live_channel_validation).
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "self.allowedCidrs.all(c, !isCIDR(c) || string(cidr(c).masked()) == c)", "message": "input.rtmpPush.allowedCidrs: a CIDR has host bits set (such as 203.0.113.7/24): write the network (203.0.113.0/24), or one address as /32 (203.0.113.7/32)" }
]))]
pub struct RtmpPushInput {
    /// Networks allowed to push (the input security group), IPv4 CIDRs naming a
    /// network (`203.0.113.0/24`; `203.0.113.7/32` for one address: host bits
    /// set, as in `203.0.113.7/24`, are refused); MediaLive allows at most 10.
    /// Can change while the channel runs.
    #[schemars(
        length(min = 1, max = 10),
        inner(pattern(IPV4_CIDR_PATTERN), length(max = 18))
    )]
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
