//! Channels: the SDK's shapes read back into onair's, and the input attachments
//! and MediaPackage destination a channel is created with.

use std::collections::HashMap;

use aws_sdk_medialive::types as t;

use crate::aws::medialive::*;

use crate::aws::sdk::tags_out;

use super::encoding::encoding_from;
use super::DESTINATION;

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
pub(super) use channel_of;

pub(super) fn attachments(ids: &[String]) -> Vec<t::InputAttachment> {
    ids.iter()
        .map(|id| {
            t::InputAttachment::builder()
                .input_id(id)
                .input_attachment_name(id)
                .build()
        })
        .collect()
}

pub(super) fn output_destinations(ids: &[String]) -> Vec<t::OutputDestination> {
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
pub(super) struct ChannelParts<'a> {
    pub(super) id: Option<&'a str>,
    pub(super) arn: Option<&'a str>,
    pub(super) name: Option<&'a str>,
    pub(super) state: Option<&'a t::ChannelState>,
    pub(super) class: Option<&'a t::ChannelClass>,
    pub(super) running: Option<i32>,
    pub(super) role_arn: Option<&'a str>,
    pub(super) attachments: Option<&'a [t::InputAttachment]>,
    pub(super) destinations: Option<&'a [t::OutputDestination]>,
    pub(super) encoder: Option<&'a t::EncoderSettings>,
    pub(super) tags: Option<&'a HashMap<String, String>>,
}

impl ChannelParts<'_> {
    pub(super) fn build(self) -> Channel {
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

pub(super) fn channel_from(c: &t::Channel) -> Channel {
    channel_of!(c)
}

pub(super) fn summary_from(c: &t::ChannelSummary) -> Channel {
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
