//! Simulated MediaTailor: PutPlaybackConfiguration is a whole-configuration upsert by
//! name; endpoints are derived from the name as MediaTailor does from its ids.

use std::sync::Arc;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::mediatailor::*;

type Result<T> = std::result::Result<T, AwsError>;

pub(crate) struct SimMediaTailor(pub(crate) Arc<World>);

impl SimMediaTailor {
    fn answer(&self, config: PlaybackConfiguration) -> PlaybackConfig {
        let region = &self.0.region;
        let host = format!("https://0123456789abcdef.mediatailor.{region}.amazonaws.com");
        let name = config.name.clone();
        PlaybackConfig {
            arn: self
                .0
                .arn("mediatailor", &format!("playbackConfiguration/{name}")),
            playback_endpoint_prefix: Some(host.clone()),
            hls_manifest_prefix: Some(format!("{host}/v1/master/0123abcd/{name}/")),
            dash_manifest_prefix: Some(format!("{host}/v1/dash/0123abcd/{name}/")),
            session_initialization_prefix: Some(format!("{host}/v1/session/0123abcd/{name}/")),
            config,
        }
    }
}

#[async_trait]
impl MediaTailorApi for SimMediaTailor {
    async fn put_playback_configuration(
        &self,
        config: PlaybackConfiguration,
    ) -> Result<PlaybackConfig> {
        if config.name.is_empty() || config.video_content_source_url.is_empty() {
            return Err(AwsError::new(
                "MediaTailor",
                "put_playback_configuration",
                ErrorKind::InvalidRequest {
                    message: "Name and VideoContentSourceUrl are required".into(),
                },
            ));
        }
        lock(&self.0.mediatailor).insert(config.name.clone(), config.clone());
        Ok(self.answer(config))
    }

    async fn get_playback_configuration(&self, name: &str) -> Result<PlaybackConfig> {
        let config = lock(&self.0.mediatailor).get(name).cloned();
        config
            .map(|c| self.answer(c))
            .ok_or_else(|| not_found("get_playback_configuration", name))
    }

    async fn delete_playback_configuration(&self, name: &str) -> Result<()> {
        lock(&self.0.mediatailor)
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| not_found("delete_playback_configuration", name))
    }
}

fn not_found(op: &'static str, name: &str) -> AwsError {
    AwsError::new(
        "MediaTailor",
        op,
        ErrorKind::NotFound {
            message: format!("playback configuration '{name}' does not exist"),
        },
    )
}
