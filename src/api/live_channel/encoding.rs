//! MediaLive encoding of a LiveChannel: channel class, the video ladder and its
//! renditions, and audio.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::common::ROLE_ARN_PATTERN;

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
