//! The MediaTailor playback configuration of an AdInsertion as a child. Put
//! is an upsert of the whole configuration, so create and update are the
//! same call with the full desired state.

use async_trait::async_trait;

use crate::aws::error::AwsError;
use crate::aws::mediatailor::{MediaTailorApi, PlaybackConfig, PlaybackConfiguration};
use crate::aws::ownership::Owner;

use super::{found, ours, External, Located};

pub struct PlaybackChild<'a> {
    pub api: &'a dyn MediaTailorApi,
    pub owner: &'a Owner,
    /// The desired configuration, owner tags included.
    pub config: PlaybackConfiguration,
}

/// Where the playback configuration is.
pub struct PlaybackAt<'a> {
    pub api: &'a dyn MediaTailorApi,
    pub owner: &'a Owner,
    pub name: String,
}

#[async_trait]
impl Located for PlaybackAt<'_> {
    type Observed = PlaybackConfig;

    fn child(&self) -> &'static str {
        "playback-configuration"
    }

    fn id_of(observed: &PlaybackConfig) -> String {
        observed.config.name.clone()
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<PlaybackConfig>, AwsError> {
        let got = self.api.get_playback_configuration(&self.name).await;
        ours(self.owner, self.child(), got, |c| &c.config.tags)
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        self.api
            .delete_playback_configuration(id)
            .await
            .map(|()| true)
    }
}

#[async_trait]
impl<'a> External for PlaybackChild<'a> {
    type Observed = PlaybackConfig;
    type At = PlaybackAt<'a>;

    fn at(&self) -> PlaybackAt<'a> {
        PlaybackAt {
            api: self.api,
            owner: self.owner,
            name: self.config.name.clone(),
        }
    }

    async fn observe(&self, id: &str) -> Result<Option<PlaybackConfig>, AwsError> {
        found(self.api.get_playback_configuration(id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<PlaybackConfig, AwsError> {
        self.api
            .put_playback_configuration(self.config.clone())
            .await
    }

    fn up_to_date(&self, observed: &PlaybackConfig) -> bool {
        observed.config == self.config
    }

    async fn update(&self, _observed: PlaybackConfig) -> Result<PlaybackConfig, AwsError> {
        self.api
            .put_playback_configuration(self.config.clone())
            .await
    }
}
