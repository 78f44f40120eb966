//! MediaLive on aws-sdk-medialive.
//!
//! Channels send to MediaPackage v1 through MediaLive's MediaPackage output group
//! (destination = MediaPackage channel id), so no WebDAV credentials are involved.
//!
//! Here the client and its calls; the conversions live one resource a file
//! (`input`, `channel`, `encoding`, `schedule`).

mod channel;
mod encoding;
mod input;
mod schedule;

use async_trait::async_trait;
use aws_sdk_medialive as ml;
use ml::types as t;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::medialive::*;
use crate::aws::ownership::Tags;
use crate::aws::service::Service;

use super::tags_in;
use channel::{
    attachments, channel_from, channel_of, output_destinations, summary_from, ChannelParts,
};
use encoding::encoder_settings;
use input::{
    cidr_rules, destinations, group, group_of, input_from, input_of, sources, srt_settings,
    InputParts,
};
use schedule::{schedule_action, schedule_action_from};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "MediaLive";
const DESTINATION: &str = "mediapackage";
const AUDIO: &str = "audio_aac";

sdk_adapter!(SdkMediaLive, aws_sdk_medialive, Service::MediaLive);

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
            .set_destinations(Some(output_destinations(&s.packaging)))
            .encoder_settings(encoder_settings(&s.encoding, &s.packaging))
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
            .set_destinations(Some(output_destinations(&settings.packaging)))
            .encoder_settings(encoder_settings(&settings.encoding, &settings.packaging))
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
