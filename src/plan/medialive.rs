//! MediaLive: the input security group, the input and the channel a
//! LiveChannel asks for, and what to do with a running channel when its
//! settings change.

use crate::api::live_channel::{
    ChannelClass, DesiredState, EncodingSpec, InputSpec, InputType as SpecInputType, LadderPreset,
    Rendition, SrtSource, UpdateStrategy,
};
use crate::aws::medialive::{
    Channel, ChannelSettings, ChannelState, Encoding, InputSettings, InputType, SrtCallerSource,
    SrtDecryption, VideoRendition,
};

/// The networks allowed to push, when the input is a push input (the only
/// kind that needs an input security group).
pub fn security_group_cidrs(input: &InputSpec) -> Option<Vec<String>> {
    match input.type_ {
        SpecInputType::RtmpPush => Some(
            input
                .rtmp_push
                .as_ref()
                .map(|p| p.allowed_cidrs.clone())
                .unwrap_or_default(),
        ),
        SpecInputType::UrlPull | SpecInputType::SrtCaller => None,
    }
}

/// The input's type and settings; `security_group` is the group's id for push
/// inputs, `passphrases` the Secrets Manager ARN of each SRT source's
/// passphrase copy (by source index; None for unencrypted sources).
pub fn input(
    input: &InputSpec,
    security_group: Option<&str>,
    passphrases: &[Option<String>],
) -> (InputType, InputSettings) {
    let settings = InputSettings {
        security_group_ids: security_group.map(str::to_string).into_iter().collect(),
        stream_names: input
            .rtmp_push
            .as_ref()
            .map(|p| p.stream_names.clone())
            .unwrap_or_default(),
        source_urls: match input.type_ {
            SpecInputType::UrlPull => input
                .url_pull
                .as_ref()
                .map(|u| u.urls.clone())
                .unwrap_or_default(),
            SpecInputType::SrtCaller | SpecInputType::RtmpPush => Vec::new(),
        },
        srt_sources: input
            .srt_caller
            .iter()
            .flat_map(|s| s.sources.iter())
            .enumerate()
            .map(|(i, source)| srt_source(source, passphrases.get(i).cloned().flatten()))
            .collect(),
    };
    let kind = match input.type_ {
        SpecInputType::RtmpPush => InputType::RtmpPush,
        SpecInputType::UrlPull => InputType::UrlPull,
        SpecInputType::SrtCaller => InputType::SrtCaller,
    };
    (kind, settings)
}

/// `srt://host:port` (the schema's pattern) and the rest of one SRT source.
fn srt_source(source: &SrtSource, passphrase_arn: Option<String>) -> SrtCallerSource {
    let rest = source.url.trim_start_matches("srt://");
    let (address, port) = rest.rsplit_once(':').unwrap_or((rest, ""));
    SrtCallerSource {
        address: address.to_string(),
        port: port.parse().unwrap_or_default(),
        stream_id: source.stream_id.clone(),
        minimum_latency_ms: source.minimum_latency_ms,
        decryption: passphrase_arn.map(|arn| SrtDecryption {
            algorithm: source.encryption.as_aws().to_string(),
            passphrase_secret_arn: arn,
        }),
    }
}

/// MediaLive's name for the channel class (immutable once created).
pub fn channel_class(class: ChannelClass) -> &'static str {
    match class {
        ChannelClass::SinglePipeline => "SINGLE_PIPELINE",
        ChannelClass::Standard => "STANDARD",
    }
}

/// The ABR ladder and audio of a channel.
pub fn encoding(spec: &EncodingSpec) -> Encoding {
    let renditions = match (&spec.ladder.renditions, spec.ladder.preset) {
        (Some(explicit), _) => explicit.iter().map(rendition).collect(),
        (None, Some(preset)) => preset_ladder(preset),
        (None, None) => preset_ladder(LadderPreset::Hd1080),
    };
    Encoding {
        renditions,
        audio_bitrate: spec.audio.bitrate_kbps * 1000,
        audio_sample_rate: spec.audio.sample_rate,
        gop_seconds: spec.gop_seconds,
    }
}

fn preset_ladder(preset: LadderPreset) -> Vec<VideoRendition> {
    let rungs: &[(&str, u32, u32, u32)] = match preset {
        LadderPreset::Hd1080 => &[
            ("1080p", 1920, 1080, 6_000),
            ("720p", 1280, 720, 3_500),
            ("540p", 960, 540, 2_000),
            ("360p", 640, 360, 800),
        ],
        // The workshop's ladder (aws-samples/cicd-mediaservices-workshop).
        LadderPreset::Hd720 => &[
            ("720p", 1280, 720, 2_700),
            ("540p", 960, 540, 1_800),
            ("288p", 512, 288, 400),
        ],
    };
    rungs
        .iter()
        .map(|&(name, width, height, kbps)| VideoRendition {
            name: name.into(),
            width,
            height,
            max_bitrate: kbps * 1000,
            framerate_numerator: 30,
            framerate_denominator: 1,
        })
        .collect()
}

fn rendition(r: &Rendition) -> VideoRendition {
    let (numerator, denominator) = match r.frame_rate.split_once('/') {
        Some((n, d)) => (n.parse().unwrap_or(30), d.parse().unwrap_or(1)),
        None => (r.frame_rate.parse().unwrap_or(30), 1),
    };
    VideoRendition {
        name: r.name.clone(),
        width: r.width,
        height: r.height,
        max_bitrate: r.bitrate_kbps * 1000,
        framerate_numerator: numerator,
        framerate_denominator: denominator,
    }
}

/// What to do with an existing channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelStep {
    /// Nothing to do: the channel is as desired.
    Steady,
    /// MediaLive is moving the channel between states; look again soon.
    Wait {
        reason: &'static str,
    },
    Start,
    Stop,
    /// Apply the new settings (the channel is Idle).
    Update,
    /// Settings changed but the channel runs and the strategy is OnNextIdle:
    /// nothing is touched; the `UpdatePending` condition says why.
    UpdatePending,
    /// MediaLive reports a failure the user must look at.
    Failed {
        reason: &'static str,
    },
}

/// The next step for `channel`, given the desired state, settings and strategy.
/// Settings change only while Idle: with `Restart` a running channel is stopped
/// first (and started again once updated); with `OnNextIdle` the change waits.
pub fn channel_step(
    channel: &Channel,
    desired: DesiredState,
    settings: &ChannelSettings,
    strategy: UpdateStrategy,
) -> ChannelStep {
    let changed = !same_settings(&channel.settings, settings);
    match &channel.state {
        ChannelState::Creating => ChannelStep::Wait {
            reason: "ChannelCreating",
        },
        ChannelState::Starting => ChannelStep::Wait {
            reason: "ChannelStarting",
        },
        ChannelState::Stopping => ChannelStep::Wait {
            reason: "ChannelStopping",
        },
        ChannelState::Updating => ChannelStep::Wait {
            reason: "ChannelUpdating",
        },
        ChannelState::Recovering => ChannelStep::Wait {
            reason: "ChannelRecovering",
        },
        ChannelState::Deleting | ChannelState::Deleted => ChannelStep::Wait {
            reason: "ChannelDeleting",
        },
        ChannelState::CreateFailed => ChannelStep::Failed {
            reason: "ChannelCreateFailed",
        },
        ChannelState::UpdateFailed => ChannelStep::Failed {
            reason: "ChannelUpdateFailed",
        },
        ChannelState::Other(_) => ChannelStep::Wait {
            reason: "ChannelStateUnknown",
        },
        ChannelState::Idle if changed => ChannelStep::Update,
        ChannelState::Idle => match desired {
            DesiredState::Running => ChannelStep::Start,
            DesiredState::Idle => ChannelStep::Steady,
        },
        ChannelState::Running => match (desired, changed, strategy) {
            (DesiredState::Idle, _, _) => ChannelStep::Stop,
            (DesiredState::Running, true, UpdateStrategy::Restart) => ChannelStep::Stop,
            (DesiredState::Running, true, UpdateStrategy::OnNextIdle) => ChannelStep::UpdatePending,
            (DesiredState::Running, false, _) => ChannelStep::Steady,
        },
    }
}

/// Settings compare as MediaLive stores them: the order of inputs and
/// destinations does not matter.
pub fn same_settings(observed: &ChannelSettings, desired: &ChannelSettings) -> bool {
    fn sorted<T: Clone + Ord>(v: &[T]) -> Vec<T> {
        let mut v = v.to_vec();
        v.sort();
        v
    }
    observed.encoding == desired.encoding
        && observed.role_arn == desired.role_arn
        && sorted(&observed.input_ids) == sorted(&desired.input_ids)
        && sorted(&observed.packaging) == sorted(&desired.packaging)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::live_channel::{LadderSpec, RtmpPushInput};

    fn channel(state: ChannelState, settings: ChannelSettings) -> Channel {
        Channel {
            id: "1234".into(),
            arn: "arn".into(),
            state,
            channel_class: "SINGLE_PIPELINE".into(),
            pipelines_running: 0,
            settings,
            tags: Default::default(),
        }
    }

    fn settings(gop: u32) -> ChannelSettings {
        ChannelSettings {
            encoding: Encoding {
                gop_seconds: gop,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn presets_and_explicit_ladders_become_renditions() {
        let hd720 = encoding(&EncodingSpec {
            ladder: LadderSpec {
                preset: Some(LadderPreset::Hd720),
                renditions: None,
            },
            ..EncodingSpec::default()
        });
        let names: Vec<&str> = hd720.renditions.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["720p", "540p", "288p"]);
        assert_eq!(hd720.renditions[0].max_bitrate, 2_700_000);
        assert_eq!(hd720.audio_bitrate, 96_000);

        let explicit = encoding(&EncodingSpec {
            ladder: LadderSpec {
                preset: None,
                renditions: Some(vec![Rendition {
                    name: "480p".into(),
                    width: 854,
                    height: 480,
                    bitrate_kbps: 1200,
                    frame_rate: "30000/1001".into(),
                }]),
            },
            ..EncodingSpec::default()
        });
        assert_eq!(explicit.renditions[0].framerate_numerator, 30000);
        assert_eq!(explicit.renditions[0].framerate_denominator, 1001);
    }

    #[test]
    fn only_push_inputs_get_a_security_group() {
        let push = InputSpec {
            type_: SpecInputType::RtmpPush,
            rtmp_push: Some(RtmpPushInput {
                allowed_cidrs: vec!["203.0.113.0/24".into()],
                stream_names: vec!["live/a".into()],
            }),
            url_pull: None,
            srt_caller: None,
        };
        assert_eq!(
            security_group_cidrs(&push),
            Some(vec!["203.0.113.0/24".to_string()])
        );
        let (kind, settings) = input(&push, Some("sg-1"), &[]);
        assert_eq!(kind, InputType::RtmpPush);
        assert_eq!(settings.security_group_ids, ["sg-1"]);
        assert_eq!(settings.stream_names, ["live/a"]);
    }

    #[test]
    fn srt_sources_carry_their_settings_and_passphrase_copies() {
        let srt: InputSpec = serde_json::from_value(serde_json::json!({
            "type": "SrtCaller",
            "srtCaller": {"sources": [
                {"url": "srt://encoder.example.com:9000", "streamId": "main", "minimumLatencyMs": 500,
                 "passphraseSecretRef": {"name": "srt", "key": "passphrase"}, "encryption": "AES256"},
                {"url": "srt://10.0.0.2:9001"}
            ]}
        }))
        .unwrap();
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:onair/x".to_string();
        let (kind, settings) = input(&srt, None, &[Some(arn.clone()), None]);
        assert_eq!(kind, InputType::SrtCaller);
        let [first, second] = settings.srt_sources.as_slice() else {
            panic!("{settings:?}")
        };
        assert_eq!(
            (first.address.as_str(), first.port),
            ("encoder.example.com", 9000)
        );
        assert_eq!(first.stream_id.as_deref(), Some("main"));
        assert_eq!(first.minimum_latency_ms, 500);
        let decryption = first.decryption.as_ref().unwrap();
        assert_eq!(
            (
                decryption.algorithm.as_str(),
                &decryption.passphrase_secret_arn
            ),
            ("AES256", &arn)
        );
        assert_eq!(
            (second.port, second.minimum_latency_ms, &second.decryption),
            (9001, 2000, &None)
        );
        assert!(settings.source_urls.is_empty());
    }

    #[test]
    fn state_changes_follow_the_users_switch() {
        let idle = channel(ChannelState::Idle, settings(2));
        let running = channel(ChannelState::Running, settings(2));
        let same = settings(2);
        let s = UpdateStrategy::OnNextIdle;
        assert_eq!(
            channel_step(&idle, DesiredState::Running, &same, s),
            ChannelStep::Start
        );
        assert_eq!(
            channel_step(&idle, DesiredState::Idle, &same, s),
            ChannelStep::Steady
        );
        assert_eq!(
            channel_step(&running, DesiredState::Idle, &same, s),
            ChannelStep::Stop
        );
        assert_eq!(
            channel_step(&running, DesiredState::Running, &same, s),
            ChannelStep::Steady
        );
        let starting = channel(ChannelState::Starting, settings(2));
        assert!(matches!(
            channel_step(&starting, DesiredState::Running, &same, s),
            ChannelStep::Wait { .. }
        ));
    }

    #[test]
    fn a_change_waits_for_idle_or_restarts_the_channel() {
        let running = channel(ChannelState::Running, settings(2));
        let changed = settings(4);
        assert_eq!(
            channel_step(
                &running,
                DesiredState::Running,
                &changed,
                UpdateStrategy::OnNextIdle
            ),
            ChannelStep::UpdatePending
        );
        assert_eq!(
            channel_step(
                &running,
                DesiredState::Running,
                &changed,
                UpdateStrategy::Restart
            ),
            ChannelStep::Stop
        );
        // Once Idle (stopped by the user or by Restart), the change is applied ...
        let idle = channel(ChannelState::Idle, settings(2));
        assert_eq!(
            channel_step(
                &idle,
                DesiredState::Running,
                &changed,
                UpdateStrategy::Restart
            ),
            ChannelStep::Update
        );
        // ... and then the channel starts again.
        let updated = channel(ChannelState::Idle, settings(4));
        assert_eq!(
            channel_step(
                &updated,
                DesiredState::Running,
                &changed,
                UpdateStrategy::Restart
            ),
            ChannelStep::Start
        );
        // Stopping takes precedence over a pending change.
        assert_eq!(
            channel_step(
                &running,
                DesiredState::Idle,
                &changed,
                UpdateStrategy::OnNextIdle
            ),
            ChannelStep::Stop
        );
        let failed = channel(ChannelState::UpdateFailed, settings(2));
        assert!(matches!(
            channel_step(
                &failed,
                DesiredState::Running,
                &changed,
                UpdateStrategy::Restart
            ),
            ChannelStep::Failed { .. }
        ));
    }
}
