//! MediaTailor on aws-sdk-mediatailor.

use async_trait::async_trait;
use aws_sdk_mediatailor as mt;
use mt::types as t;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{sdk_err, AwsError};
use crate::aws::mediatailor::*;
use crate::aws::service::Service;

use super::{tags_in, tags_out};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "MediaTailor";

sdk_adapter!(SdkMediaTailor, aws_sdk_mediatailor, Service::MediaTailor);

/// Reads a configuration from any SDK shape with its accessors (the outputs of Put
/// and Get repeat the same fields).
macro_rules! config_of {
    ($o:expr) => {
        PlaybackConfig {
            config: PlaybackConfiguration {
                name: $o.name().unwrap_or_default().into(),
                ad_decision_server_url: $o.ad_decision_server_url().unwrap_or_default().into(),
                video_content_source_url: $o.video_content_source_url().unwrap_or_default().into(),
                content_segment_url_prefix: $o
                    .cdn_configuration()
                    .and_then(|c| c.content_segment_url_prefix())
                    .map(str::to_owned),
                ad_segment_url_prefix: $o
                    .cdn_configuration()
                    .and_then(|c| c.ad_segment_url_prefix())
                    .map(str::to_owned),
                slate_ad_url: $o.slate_ad_url().map(str::to_owned),
                personalization_threshold_seconds: $o
                    .personalization_threshold_seconds()
                    .map(|s| s as u32),
                ad_marker_passthrough: $o
                    .manifest_processing_rules()
                    .and_then(|r| r.ad_marker_passthrough())
                    .map(|p| p.enabled())
                    .unwrap_or(false),
                transcode_profile_name: $o.transcode_profile_name().map(str::to_owned),
                avail_suppression: $o.avail_suppression().map(|a| AvailSuppression {
                    mode: a.mode().map(|m| m.as_str().to_owned()).unwrap_or_default(),
                    value: a.value().map(str::to_owned),
                    fill_policy: a.fill_policy().map(|f| f.as_str().to_owned()),
                }),
                bumper: $o
                    .bumper()
                    .filter(|b| b.start_url().is_some() || b.end_url().is_some())
                    .map(|b| Bumper {
                        start_url: b.start_url().map(str::to_owned),
                        end_url: b.end_url().map(str::to_owned),
                    }),
                live_pre_roll: $o
                    .live_pre_roll_configuration()
                    .filter(|p| p.max_duration_seconds().is_some())
                    .map(|p| LivePreRoll {
                        ad_decision_server_url: p.ad_decision_server_url().map(str::to_owned),
                        max_duration_seconds: p.max_duration_seconds().unwrap_or_default() as u32,
                    }),
                configuration_aliases: $o
                    .configuration_aliases()
                    .map(|aliases| {
                        aliases
                            .iter()
                            .map(|(k, v)| {
                                (
                                    k.clone(),
                                    v.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                tags: tags_out($o.tags()),
            },
            arn: $o.playback_configuration_arn().unwrap_or_default().into(),
            playback_endpoint_prefix: $o.playback_endpoint_prefix().map(str::to_owned),
            hls_manifest_prefix: $o
                .hls_configuration()
                .and_then(|h| h.manifest_endpoint_prefix())
                .map(str::to_owned),
            dash_manifest_prefix: $o
                .dash_configuration()
                .and_then(|d| d.manifest_endpoint_prefix())
                .map(str::to_owned),
            session_initialization_prefix: $o
                .session_initialization_endpoint_prefix()
                .map(str::to_owned),
        }
    };
}

#[async_trait]
impl MediaTailorApi for SdkMediaTailor {
    async fn put_playback_configuration(&self, c: PlaybackConfiguration) -> Result<PlaybackConfig> {
        let out = self
            .client
            .put_playback_configuration()
            .name(c.name)
            .ad_decision_server_url(c.ad_decision_server_url)
            .video_content_source_url(c.video_content_source_url)
            .cdn_configuration(
                t::CdnConfiguration::builder()
                    .set_content_segment_url_prefix(c.content_segment_url_prefix)
                    .set_ad_segment_url_prefix(c.ad_segment_url_prefix)
                    .build(),
            )
            .set_slate_ad_url(c.slate_ad_url)
            .set_personalization_threshold_seconds(
                c.personalization_threshold_seconds.map(|s| s as i32),
            )
            .manifest_processing_rules(
                t::ManifestProcessingRules::builder()
                    .ad_marker_passthrough(
                        t::AdMarkerPassthrough::builder()
                            .enabled(c.ad_marker_passthrough)
                            .build(),
                    )
                    .build(),
            )
            .set_transcode_profile_name(c.transcode_profile_name)
            .set_avail_suppression(c.avail_suppression.map(|a| {
                t::AvailSuppression::builder()
                    .mode(t::Mode::from(a.mode.as_str()))
                    .set_value(a.value)
                    .set_fill_policy(a.fill_policy.as_deref().map(t::FillPolicy::from))
                    .build()
            }))
            .set_bumper(c.bumper.map(|b| {
                t::Bumper::builder()
                    .set_start_url(b.start_url)
                    .set_end_url(b.end_url)
                    .build()
            }))
            .set_live_pre_roll_configuration(c.live_pre_roll.map(|p| {
                t::LivePreRollConfiguration::builder()
                    .set_ad_decision_server_url(p.ad_decision_server_url)
                    .max_duration_seconds(p.max_duration_seconds as i32)
                    .build()
            }))
            .set_configuration_aliases((!c.configuration_aliases.is_empty()).then(|| {
                c.configuration_aliases
                    .into_iter()
                    .map(|(k, v)| (k, v.into_iter().collect()))
                    .collect()
            }))
            .set_tags(Some(tags_in(c.tags)))
            .send()
            .await
            .map_err(sdk_err(SVC, "PutPlaybackConfiguration"))?;
        Ok(config_of!(out))
    }

    async fn get_playback_configuration(&self, name: &str) -> Result<PlaybackConfig> {
        let out = self
            .client
            .get_playback_configuration()
            .name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "GetPlaybackConfiguration"))?;
        Ok(config_of!(out))
    }

    async fn delete_playback_configuration(&self, name: &str) -> Result<()> {
        self.client
            .delete_playback_configuration()
            .name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeletePlaybackConfiguration"))?;
        Ok(())
    }
}
