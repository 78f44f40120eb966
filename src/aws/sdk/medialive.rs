//! MediaLive on aws-sdk-medialive.
//!
//! Channels send to MediaPackage v1 through MediaLive's MediaPackage output group
//! (destination = MediaPackage channel id), so no WebDAV credentials are involved.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_medialive as ml;
use ml::types as t;

use crate::aws::clients::{sdk_client, SdkClients};
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::medialive::*;
use crate::aws::ownership::Tags;
use crate::aws::service::Service;

use super::{tags_in, tags_out};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "MediaLive";
const DESTINATION: &str = "mediapackage";
const AUDIO: &str = "audio_aac";

pub struct SdkMediaLive {
    client: ml::Client,
}

impl SdkMediaLive {
    pub fn new(clients: &SdkClients) -> Self {
        Self {
            client: sdk_client!(aws_sdk_medialive, clients, Service::MediaLive),
        }
    }
}

fn strings(v: Option<&[String]>) -> Vec<String> {
    v.unwrap_or_default().to_vec()
}

/// Reads a security group from any SDK shape with its accessors.
macro_rules! group_of {
    ($g:expr) => {
        group(
            $g.id(),
            $g.arn(),
            $g.whitelist_rules.as_deref(),
            $g.inputs.as_deref(),
            $g.tags(),
        )
    };
}

fn group(
    id: Option<&str>,
    arn: Option<&str>,
    rules: Option<&[t::InputWhitelistRule]>,
    inputs: Option<&[String]>,
    tags: Option<&HashMap<String, String>>,
) -> SecurityGroup {
    SecurityGroup {
        id: id.unwrap_or_default().into(),
        arn: arn.unwrap_or_default().into(),
        cidrs: rules
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.cidr().map(str::to_owned))
            .collect(),
        inputs: strings(inputs),
        tags: tags_out(tags),
    }
}

fn cidr_rules(cidrs: Vec<String>) -> Vec<t::InputWhitelistRuleCidr> {
    cidrs
        .into_iter()
        .map(|c| t::InputWhitelistRuleCidr::builder().cidr(c).build())
        .collect()
}

/// Reads a channel from any SDK shape that has a channel's accessors (`Channel` and
/// the outputs of Describe/Delete/Start/StopChannel, which repeat its fields).
macro_rules! channel_of {
    ($c:expr) => {
        ChannelParts {
            id: $c.id(),
            arn: $c.arn(),
            name: $c.name(),
            state: $c.state(),
            class: $c.channel_class(),
            running: $c.pipelines_running_count(),
            role_arn: $c.role_arn(),
            attachments: $c.input_attachments.as_deref(),
            destinations: $c.destinations.as_deref(),
            encoder: $c.encoder_settings(),
            tags: $c.tags(),
        }
        .build()
    };
}

/// Same for inputs (`Input`, and DescribeInput's output).
macro_rules! input_of {
    ($i:expr) => {
        InputParts {
            id: $i.id(),
            arn: $i.arn(),
            name: $i.name(),
            input_type: $i.r#type(),
            state: $i.state(),
            security_groups: $i.security_groups.as_deref(),
            destinations: $i.destinations.as_deref(),
            sources: $i.sources.as_deref(),
            srt: $i.srt_settings(),
            attached: $i.attached_channels.as_deref(),
            tags: $i.tags(),
        }
        .build()
    };
}

/// The fields of an input, wherever the SDK puts them (`Input` in lists and creates,
/// the output itself in DescribeInput).
struct InputParts<'a> {
    id: Option<&'a str>,
    arn: Option<&'a str>,
    name: Option<&'a str>,
    input_type: Option<&'a t::InputType>,
    state: Option<&'a t::InputState>,
    security_groups: Option<&'a [String]>,
    destinations: Option<&'a [t::InputDestination]>,
    sources: Option<&'a [t::InputSource]>,
    srt: Option<&'a t::SrtSettings>,
    attached: Option<&'a [String]>,
    tags: Option<&'a HashMap<String, String>>,
}

impl InputParts<'_> {
    fn build(self) -> Input {
        let destinations = self.destinations.unwrap_or_default();
        Input {
            id: self.id.unwrap_or_default().into(),
            arn: self.arn.unwrap_or_default().into(),
            name: self.name.unwrap_or_default().into(),
            input_type: self
                .input_type
                .and_then(|t| InputType::from_aws(t.as_str())),
            state: InputState::from_aws(self.state.map(|s| s.as_str()).unwrap_or("CREATING")),
            settings: InputSettings {
                security_group_ids: strings(self.security_groups),
                // MediaLive answers the URL, not the stream name it was given: the
                // name is the URL's path after the port.
                stream_names: destinations
                    .iter()
                    .filter_map(|d| d.url())
                    .filter_map(stream_name)
                    .collect(),
                source_urls: self
                    .sources
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|s| s.url().map(str::to_owned))
                    .collect(),
                srt_sources: self
                    .srt
                    .map(|s| s.srt_caller_sources())
                    .unwrap_or_default()
                    .iter()
                    .map(|s| SrtCallerSource {
                        address: s.srt_listener_address().unwrap_or_default().into(),
                        port: s
                            .srt_listener_port()
                            .and_then(|p| p.parse().ok())
                            .unwrap_or_default(),
                        stream_id: s.stream_id().map(str::to_owned),
                        minimum_latency_ms: s
                            .minimum_latency()
                            .and_then(|l| u32::try_from(l).ok())
                            .unwrap_or_default(),
                        decryption: s.decryption().map(|d| SrtDecryption {
                            algorithm: d
                                .algorithm()
                                .map(|a| a.as_str().to_owned())
                                .unwrap_or_default(),
                            passphrase_secret_arn: d
                                .passphrase_secret_arn()
                                .unwrap_or_default()
                                .into(),
                        }),
                    })
                    .collect(),
            },
            destination_urls: destinations
                .iter()
                .filter_map(|d| d.url().map(str::to_owned))
                .collect(),
            attached_channels: strings(self.attached),
            tags: tags_out(self.tags),
        }
    }
}

fn input_from(i: &t::Input) -> Input {
    input_of!(i)
}

/// `rtmp://1.2.3.4:1935/live/stream` -> `live/stream`.
fn stream_name(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    Some(rest.split_once('/')?.1.to_owned())
}

fn destinations(settings: &InputSettings) -> Vec<t::InputDestinationRequest> {
    settings
        .stream_names
        .iter()
        .map(|n| t::InputDestinationRequest::builder().stream_name(n).build())
        .collect()
}

fn srt_settings(settings: &InputSettings) -> t::SrtSettingsRequest {
    let sources = settings
        .srt_sources
        .iter()
        .map(|s| {
            t::SrtCallerSourceRequest::builder()
                .srt_listener_address(&s.address)
                .srt_listener_port(s.port.to_string())
                .set_stream_id(s.stream_id.clone())
                .minimum_latency(i32::try_from(s.minimum_latency_ms).unwrap_or(i32::MAX))
                .set_decryption(s.decryption.as_ref().map(|d| {
                    t::SrtCallerDecryptionRequest::builder()
                        .algorithm(t::Algorithm::from(d.algorithm.as_str()))
                        .passphrase_secret_arn(&d.passphrase_secret_arn)
                        .build()
                }))
                .build()
        })
        .collect();
    t::SrtSettingsRequest::builder()
        .set_srt_caller_sources(Some(sources))
        .build()
}

fn sources(settings: &InputSettings) -> Vec<t::InputSourceRequest> {
    settings
        .source_urls
        .iter()
        .map(|u| t::InputSourceRequest::builder().url(u).build())
        .collect()
}

fn output_name(r: &VideoRendition) -> String {
    format!("video_{}", r.name)
}

/// onair's encoding to MediaLive's encoder settings: one H.264 QVBR video description
/// per rendition, one AAC audio description, one MediaPackage output group.
fn encoder_settings(e: &Encoding) -> t::EncoderSettings {
    let video = e.renditions.iter().map(|r| {
        t::VideoDescription::builder()
            .name(output_name(r))
            .width(r.width as i32)
            .height(r.height as i32)
            .codec_settings(
                t::VideoCodecSettings::builder()
                    .h264_settings(
                        t::H264Settings::builder()
                            .rate_control_mode(t::H264RateControlMode::Qvbr)
                            .max_bitrate(r.max_bitrate as i32)
                            .framerate_control(t::H264FramerateControl::Specified)
                            .framerate_numerator(r.framerate_numerator as i32)
                            .framerate_denominator(r.framerate_denominator as i32)
                            .gop_size(f64::from(e.gop_seconds))
                            .gop_size_units(t::H264GopSizeUnits::Seconds)
                            .par_control(t::H264ParControl::Specified)
                            .par_numerator(1)
                            .par_denominator(1)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let audio = t::AudioDescription::builder()
        .name(AUDIO)
        .audio_selector_name("default")
        .codec_settings(
            t::AudioCodecSettings::builder()
                .aac_settings(
                    t::AacSettings::builder()
                        .bitrate(f64::from(e.audio_bitrate))
                        .sample_rate(f64::from(e.audio_sample_rate))
                        .coding_mode(t::AacCodingMode::CodingMode20)
                        .build(),
                )
                .build(),
        )
        .build();
    let outputs = e.renditions.iter().map(|r| {
        t::Output::builder()
            .output_name(output_name(r))
            .video_description_name(output_name(r))
            .audio_description_names(AUDIO)
            .output_settings(
                t::OutputSettings::builder()
                    .media_package_output_settings(t::MediaPackageOutputSettings::builder().build())
                    .build(),
            )
            .build()
    });
    t::EncoderSettings::builder()
        .set_video_descriptions(Some(video.collect()))
        .audio_descriptions(audio)
        .output_groups(
            t::OutputGroup::builder()
                .name("mediapackage")
                .output_group_settings(
                    t::OutputGroupSettings::builder()
                        .media_package_group_settings(
                            t::MediaPackageGroupSettings::builder()
                                .destination(
                                    t::OutputLocationRef::builder()
                                        .destination_ref_id(DESTINATION)
                                        .build(),
                                )
                                .build(),
                        )
                        .build(),
                )
                .set_outputs(Some(outputs.collect()))
                .build(),
        )
        .timecode_config(
            t::TimecodeConfig::builder()
                .source(t::TimecodeConfigSource::Systemclock)
                .build(),
        )
        .build()
}

/// MediaLive's encoder settings back to onair's encoding, for drift detection.
fn encoding_from(s: Option<&t::EncoderSettings>) -> Encoding {
    let Some(s) = s else {
        return Encoding::default();
    };
    let mut gop_seconds = 0;
    let renditions = s
        .video_descriptions()
        .iter()
        .map(|v| {
            let h = v.codec_settings().and_then(|c| c.h264_settings());
            if let Some(g) = h.and_then(|h| h.gop_size()) {
                gop_seconds = g.round() as u32;
            }
            VideoRendition {
                name: v
                    .name()
                    .unwrap_or_default()
                    .trim_start_matches("video_")
                    .into(),
                width: v.width().unwrap_or_default() as u32,
                height: v.height().unwrap_or_default() as u32,
                max_bitrate: h.and_then(|h| h.max_bitrate()).unwrap_or_default() as u32,
                framerate_numerator: h.and_then(|h| h.framerate_numerator()).unwrap_or_default()
                    as u32,
                framerate_denominator: h
                    .and_then(|h| h.framerate_denominator())
                    .unwrap_or_default() as u32,
            }
        })
        .collect();
    let aac = s
        .audio_descriptions()
        .first()
        .and_then(|a| a.codec_settings())
        .and_then(|c| c.aac_settings());
    Encoding {
        renditions,
        audio_bitrate: aac.and_then(|a| a.bitrate()).unwrap_or_default() as u32,
        audio_sample_rate: aac.and_then(|a| a.sample_rate()).unwrap_or_default() as u32,
        gop_seconds,
    }
}

fn attachments(ids: &[String]) -> Vec<t::InputAttachment> {
    ids.iter()
        .map(|id| {
            t::InputAttachment::builder()
                .input_id(id)
                .input_attachment_name(id)
                .build()
        })
        .collect()
}

fn output_destinations(ids: &[String]) -> Vec<t::OutputDestination> {
    vec![t::OutputDestination::builder()
        .id(DESTINATION)
        .set_media_package_settings(Some(
            ids.iter()
                .map(|id| {
                    t::MediaPackageOutputDestinationSettings::builder()
                        .channel_id(id)
                        .build()
                })
                .collect(),
        ))
        .build()]
}

/// The fields of a channel, wherever the SDK puts them.
struct ChannelParts<'a> {
    id: Option<&'a str>,
    arn: Option<&'a str>,
    name: Option<&'a str>,
    state: Option<&'a t::ChannelState>,
    class: Option<&'a t::ChannelClass>,
    running: Option<i32>,
    role_arn: Option<&'a str>,
    attachments: Option<&'a [t::InputAttachment]>,
    destinations: Option<&'a [t::OutputDestination]>,
    encoder: Option<&'a t::EncoderSettings>,
    tags: Option<&'a HashMap<String, String>>,
}

impl ChannelParts<'_> {
    fn build(self) -> Channel {
        Channel {
            id: self.id.unwrap_or_default().into(),
            arn: self.arn.unwrap_or_default().into(),
            state: ChannelState::from_aws(self.state.map(|s| s.as_str()).unwrap_or("CREATING")),
            channel_class: self
                .class
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            pipelines_running: self.running.unwrap_or_default() as u32,
            settings: ChannelSettings {
                name: self.name.unwrap_or_default().into(),
                role_arn: self.role_arn.map(str::to_owned),
                input_ids: self
                    .attachments
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|a| a.input_id().map(str::to_owned))
                    .collect(),
                media_package_channel_ids: self
                    .destinations
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|d| d.media_package_settings())
                    .filter_map(|m| m.channel_id().map(str::to_owned))
                    .collect(),
                encoding: encoding_from(self.encoder),
            },
            tags: tags_out(self.tags),
        }
    }
}

fn channel_from(c: &t::Channel) -> Channel {
    channel_of!(c)
}

fn summary_from(c: &t::ChannelSummary) -> Channel {
    ChannelParts {
        id: c.id(),
        arn: c.arn(),
        name: c.name(),
        state: c.state(),
        class: c.channel_class(),
        running: c.pipelines_running_count(),
        role_arn: c.role_arn(),
        attachments: c.input_attachments.as_deref(),
        destinations: c.destinations.as_deref(),
        encoder: None,
        tags: c.tags(),
    }
    .build()
}

fn schedule_action(a: ScheduleAction) -> t::ScheduleAction {
    let start = match a.start {
        ScheduleStart::Immediate => t::ScheduleActionStartSettings::builder()
            .immediate_mode_schedule_action_start_settings(
                t::ImmediateModeScheduleActionStartSettings::builder().build(),
            ),
        ScheduleStart::Fixed(time) => t::ScheduleActionStartSettings::builder()
            .fixed_mode_schedule_action_start_settings(
                t::FixedModeScheduleActionStartSettings::builder()
                    .time(time)
                    .build(),
            ),
    }
    .build();
    let settings = match a.kind {
        ScheduleActionKind::SpliceInsert {
            splice_event_id,
            duration_ms,
        } => t::ScheduleActionSettings::builder().scte35_splice_insert_settings(
            t::Scte35SpliceInsertScheduleActionSettings::builder()
                .splice_event_id(i64::from(splice_event_id))
                // SCTE-35 durations are in 90 kHz ticks.
                .duration(i64::try_from(duration_ms.saturating_mul(90)).unwrap_or(i64::MAX))
                .build(),
        ),
        ScheduleActionKind::ReturnToNetwork { splice_event_id } => {
            t::ScheduleActionSettings::builder().scte35_return_to_network_settings(
                t::Scte35ReturnToNetworkScheduleActionSettings::builder()
                    .splice_event_id(i64::from(splice_event_id))
                    .build(),
            )
        }
    }
    .build();
    t::ScheduleAction::builder()
        .action_name(a.name)
        .schedule_action_start_settings(start)
        .schedule_action_settings(settings)
        .build()
}

/// Actions onair did not write (other kinds) are left out.
fn schedule_action_from(a: &t::ScheduleAction) -> Option<ScheduleAction> {
    let start = a.schedule_action_start_settings()?;
    let start = match start
        .fixed_mode_schedule_action_start_settings()
        .and_then(|f| f.time())
    {
        Some(time) => ScheduleStart::Fixed(time.into()),
        None => ScheduleStart::Immediate,
    };
    let s = a.schedule_action_settings()?;
    let kind = if let Some(i) = s.scte35_splice_insert_settings() {
        ScheduleActionKind::SpliceInsert {
            splice_event_id: i.splice_event_id().unwrap_or_default() as u32,
            duration_ms: (i.duration().unwrap_or_default() / 90) as u64,
        }
    } else if let Some(r) = s.scte35_return_to_network_settings() {
        ScheduleActionKind::ReturnToNetwork {
            splice_event_id: r.splice_event_id().unwrap_or_default() as u32,
        }
    } else {
        return None;
    };
    Some(ScheduleAction {
        name: a.action_name().unwrap_or_default().into(),
        start,
        kind,
    })
}

#[async_trait]
impl MediaLiveApi for SdkMediaLive {
    async fn create_input_security_group(
        &self,
        cidrs: Vec<String>,
        tags: Tags,
    ) -> Result<SecurityGroup> {
        let out = self
            .client
            .create_input_security_group()
            .set_whitelist_rules(Some(cidr_rules(cidrs)))
            .set_tags(Some(tags_in(tags)))
            .send()
            .await
            .map_err(sdk_err(SVC, "CreateInputSecurityGroup"))?;
        let g = out
            .security_group()
            .ok_or_else(|| missing(SVC, "CreateInputSecurityGroup", "securityGroup"))?;
        Ok(group_of!(g))
    }

    async fn describe_input_security_group(&self, id: &str) -> Result<SecurityGroup> {
        let g = self
            .client
            .describe_input_security_group()
            .input_security_group_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribeInputSecurityGroup"))?;
        Ok(group_of!(g))
    }

    async fn update_input_security_group(
        &self,
        id: &str,
        cidrs: Vec<String>,
    ) -> Result<SecurityGroup> {
        let out = self
            .client
            .update_input_security_group()
            .input_security_group_id(id)
            .set_whitelist_rules(Some(cidr_rules(cidrs)))
            .send()
            .await
            .map_err(sdk_err(SVC, "UpdateInputSecurityGroup"))?;
        let g = out
            .security_group()
            .ok_or_else(|| missing(SVC, "UpdateInputSecurityGroup", "securityGroup"))?;
        Ok(group_of!(g))
    }

    async fn delete_input_security_group(&self, id: &str) -> Result<()> {
        self.client
            .delete_input_security_group()
            .input_security_group_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteInputSecurityGroup"))?;
        Ok(())
    }

    async fn list_input_security_groups(&self) -> Result<Vec<SecurityGroup>> {
        let groups: Vec<t::InputSecurityGroup> = self
            .client
            .list_input_security_groups()
            .into_paginator()
            .items()
            .send()
            .collect::<std::result::Result<_, _>>()
            .await
            .map_err(sdk_err(SVC, "ListInputSecurityGroups"))?;
        Ok(groups.iter().map(|g| group_of!(g)).collect())
    }

    async fn create_input(&self, input: NewInput) -> Result<Input> {
        let mut req = self
            .client
            .create_input()
            .request_id(input.request_id)
            .name(input.name)
            .r#type(t::InputType::from(input.input_type.as_aws()))
            .set_tags(Some(tags_in(input.tags)));
        req = match input.input_type {
            InputType::RtmpPush => req
                .set_input_security_groups(Some(input.settings.security_group_ids.clone()))
                .set_destinations(Some(destinations(&input.settings))),
            InputType::SrtCaller => req.srt_settings(srt_settings(&input.settings)),
            InputType::UrlPull => req.set_sources(Some(sources(&input.settings))),
        };
        let out = req.send().await.map_err(sdk_err(SVC, "CreateInput"))?;
        Ok(input_from(
            out.input()
                .ok_or_else(|| missing(SVC, "CreateInput", "input"))?,
        ))
    }

    async fn describe_input(&self, id: &str) -> Result<Input> {
        let i = self
            .client
            .describe_input()
            .input_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribeInput"))?;
        Ok(input_of!(i))
    }

    async fn update_input(&self, id: &str, settings: InputSettings) -> Result<Input> {
        let mut req = self.client.update_input().input_id(id);
        if !settings.srt_sources.is_empty() {
            req = req.srt_settings(srt_settings(&settings));
        } else if settings.source_urls.is_empty() {
            req = req
                .set_input_security_groups(Some(settings.security_group_ids.clone()))
                .set_destinations(Some(destinations(&settings)));
        } else {
            req = req.set_sources(Some(sources(&settings)));
        }
        let out = req.send().await.map_err(sdk_err(SVC, "UpdateInput"))?;
        Ok(input_from(
            out.input()
                .ok_or_else(|| missing(SVC, "UpdateInput", "input"))?,
        ))
    }

    async fn delete_input(&self, id: &str) -> Result<()> {
        self.client
            .delete_input()
            .input_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteInput"))?;
        Ok(())
    }

    async fn list_inputs(&self) -> Result<Vec<Input>> {
        let inputs: Vec<t::Input> = self
            .client
            .list_inputs()
            .into_paginator()
            .items()
            .send()
            .collect::<std::result::Result<_, _>>()
            .await
            .map_err(sdk_err(SVC, "ListInputs"))?;
        Ok(inputs.iter().map(input_from).collect())
    }

    async fn create_channel(&self, channel: NewChannel) -> Result<Channel> {
        let s = &channel.settings;
        let out = self
            .client
            .create_channel()
            .request_id(channel.request_id.clone())
            .name(s.name.clone())
            .set_role_arn(s.role_arn.clone())
            .channel_class(t::ChannelClass::from(channel.channel_class.as_str()))
            .set_input_attachments(Some(attachments(&s.input_ids)))
            .set_destinations(Some(output_destinations(&s.media_package_channel_ids)))
            .encoder_settings(encoder_settings(&s.encoding))
            .input_specification(
                t::InputSpecification::builder()
                    .codec(t::InputCodec::Avc)
                    .resolution(t::InputResolution::Hd)
                    .maximum_bitrate(t::InputMaximumBitrate::Max20Mbps)
                    .build(),
            )
            .set_tags(Some(tags_in(channel.tags)))
            .send()
            .await
            .map_err(sdk_err(SVC, "CreateChannel"))?;
        Ok(channel_from(
            out.channel()
                .ok_or_else(|| missing(SVC, "CreateChannel", "channel"))?,
        ))
    }

    async fn describe_channel(&self, id: &str) -> Result<Channel> {
        let c = self
            .client
            .describe_channel()
            .channel_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribeChannel"))?;
        Ok(channel_of!(c))
    }

    async fn update_channel(&self, id: &str, settings: ChannelSettings) -> Result<Channel> {
        let out = self
            .client
            .update_channel()
            .channel_id(id)
            .name(settings.name.clone())
            .set_role_arn(settings.role_arn.clone())
            .set_input_attachments(Some(attachments(&settings.input_ids)))
            .set_destinations(Some(output_destinations(
                &settings.media_package_channel_ids,
            )))
            .encoder_settings(encoder_settings(&settings.encoding))
            .send()
            .await
            .map_err(sdk_err(SVC, "UpdateChannel"))?;
        Ok(channel_from(
            out.channel()
                .ok_or_else(|| missing(SVC, "UpdateChannel", "channel"))?,
        ))
    }

    async fn delete_channel(&self, id: &str) -> Result<Channel> {
        let c = self
            .client
            .delete_channel()
            .channel_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteChannel"))?;
        Ok(channel_of!(c))
    }

    async fn start_channel(&self, id: &str) -> Result<Channel> {
        let c = self
            .client
            .start_channel()
            .channel_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "StartChannel"))?;
        Ok(channel_of!(c))
    }

    async fn stop_channel(&self, id: &str) -> Result<Channel> {
        let c = self
            .client
            .stop_channel()
            .channel_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "StopChannel"))?;
        Ok(channel_of!(c))
    }

    async fn list_channels(&self) -> Result<Vec<Channel>> {
        let channels: Vec<t::ChannelSummary> = self
            .client
            .list_channels()
            .into_paginator()
            .items()
            .send()
            .collect::<std::result::Result<_, _>>()
            .await
            .map_err(sdk_err(SVC, "ListChannels"))?;
        Ok(channels.iter().map(summary_from).collect())
    }

    async fn batch_update_schedule(
        &self,
        channel_id: &str,
        create: Vec<ScheduleAction>,
        delete: Vec<String>,
    ) -> Result<()> {
        let mut req = self.client.batch_update_schedule().channel_id(channel_id);
        if !create.is_empty() {
            req = req.creates(
                t::BatchScheduleActionCreateRequest::builder()
                    .set_schedule_actions(Some(create.into_iter().map(schedule_action).collect()))
                    .build(),
            );
        }
        if !delete.is_empty() {
            req = req.deletes(
                t::BatchScheduleActionDeleteRequest::builder()
                    .set_action_names(Some(delete))
                    .build(),
            );
        }
        req.send()
            .await
            .map_err(sdk_err(SVC, "BatchUpdateSchedule"))?;
        Ok(())
    }

    async fn describe_schedule(&self, channel_id: &str) -> Result<Vec<ScheduleAction>> {
        let actions: Vec<t::ScheduleAction> = self
            .client
            .describe_schedule()
            .channel_id(channel_id)
            .into_paginator()
            .items()
            .send()
            .collect::<std::result::Result<_, _>>()
            .await
            .map_err(sdk_err(SVC, "DescribeSchedule"))?;
        Ok(actions.iter().filter_map(schedule_action_from).collect())
    }
}
