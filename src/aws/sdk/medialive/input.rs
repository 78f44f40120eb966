//! Security groups and inputs: the SDK's shapes read back into onair's, and
//! onair's input settings (push, pull, SRT) as the SDK's requests.

use std::collections::HashMap;

use aws_sdk_medialive::types as t;

use crate::aws::medialive::*;

use crate::aws::sdk::tags_out;

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
pub(super) use group_of;

pub(super) fn group(
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

pub(super) fn cidr_rules(cidrs: Vec<String>) -> Vec<t::InputWhitelistRuleCidr> {
    cidrs
        .into_iter()
        .map(|c| t::InputWhitelistRuleCidr::builder().cidr(c).build())
        .collect()
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
pub(super) use input_of;

/// The fields of an input, wherever the SDK puts them (`Input` in lists and creates,
/// the output itself in DescribeInput).
pub(super) struct InputParts<'a> {
    pub(super) id: Option<&'a str>,
    pub(super) arn: Option<&'a str>,
    pub(super) name: Option<&'a str>,
    pub(super) input_type: Option<&'a t::InputType>,
    pub(super) state: Option<&'a t::InputState>,
    pub(super) security_groups: Option<&'a [String]>,
    pub(super) destinations: Option<&'a [t::InputDestination]>,
    pub(super) sources: Option<&'a [t::InputSource]>,
    pub(super) srt: Option<&'a t::SrtSettings>,
    pub(super) attached: Option<&'a [String]>,
    pub(super) tags: Option<&'a HashMap<String, String>>,
}

impl InputParts<'_> {
    pub(super) fn build(self) -> Input {
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

pub(super) fn input_from(i: &t::Input) -> Input {
    input_of!(i)
}

/// `rtmp://1.2.3.4:1935/live/stream` -> `live/stream`.
fn stream_name(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    Some(rest.split_once('/')?.1.to_owned())
}

pub(super) fn destinations(settings: &InputSettings) -> Vec<t::InputDestinationRequest> {
    settings
        .stream_names
        .iter()
        .map(|n| t::InputDestinationRequest::builder().stream_name(n).build())
        .collect()
}

pub(super) fn srt_settings(settings: &InputSettings) -> t::SrtSettingsRequest {
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

pub(super) fn sources(settings: &InputSettings) -> Vec<t::InputSourceRequest> {
    settings
        .source_urls
        .iter()
        .map(|u| t::InputSourceRequest::builder().url(u).build())
        .collect()
}
