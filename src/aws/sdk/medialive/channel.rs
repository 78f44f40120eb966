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

pub(super) fn output_destinations(to: &[PackagingDestination]) -> Vec<t::OutputDestination> {
    let settings = to.iter().map(|d| {
        let b = t::MediaPackageOutputDestinationSettings::builder();
        match d {
            PackagingDestination::V1 { channel_id } => b.channel_id(channel_id),
            PackagingDestination::V2 {
                channel_group,
                channel_name,
            } => b.channel_group(channel_group).channel_name(channel_name),
        }
        .build()
    });
    vec![t::OutputDestination::builder()
        .id(DESTINATION)
        .set_media_package_settings(Some(settings.collect()))
        .build()]
}

/// A destination as MediaLive answers it: a group and a name are v2, a
/// channel id v1 (empty strings count as absent); neither (never answered by
/// AWS) is left out.
fn destination_from(m: &t::MediaPackageOutputDestinationSettings) -> Option<PackagingDestination> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.filter(|s| !s.is_empty())
    }
    match (
        given(m.channel_group()),
        given(m.channel_name()),
        given(m.channel_id()),
    ) {
        (Some(group), Some(name), _) => Some(PackagingDestination::V2 {
            channel_group: group.into(),
            channel_name: name.into(),
        }),
        (_, _, Some(id)) => Some(PackagingDestination::V1 {
            channel_id: id.into(),
        }),
        _ => None,
    }
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
                packaging: self
                    .destinations
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|d| d.media_package_settings())
                    .filter_map(destination_from)
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
