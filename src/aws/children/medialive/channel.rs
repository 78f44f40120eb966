//! The MediaLive channel of a LiveChannel: the driver only makes it exist;
//! [`drive_channel`] moves its state and settings, because MediaLive accepts
//! most changes only while the channel is Idle.

use async_trait::async_trait;

use crate::api::live_channel::{DesiredState, UpdateStrategy};
use crate::aws::children::{create_token, found, owned_in, External, Located};
use crate::aws::error::AwsError;
use crate::aws::medialive::{Channel, ChannelSettings, ChannelState, MediaLiveApi, NewChannel};
use crate::aws::ownership::{Owner, Tags};
use crate::plan::medialive::{channel_step, ChannelStep};

use super::NAME_LIMIT;

/// The MediaLive channel. The driver only makes it exist; its state and
/// settings are moved by [`drive_channel`], because MediaLive accepts most
/// changes only while the channel is Idle.
pub struct ChannelChild<'a> {
    pub api: &'a dyn MediaLiveApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    /// `SINGLE_PIPELINE` or `STANDARD` (immutable).
    pub class: &'static str,
    pub settings: ChannelSettings,
}

/// A channel being deleted is gone as far as its owner is concerned.
fn live(channel: Channel) -> Option<Channel> {
    (!matches!(
        channel.state,
        ChannelState::Deleted | ChannelState::Deleting
    ))
    .then_some(channel)
}

/// Where the MediaLive channel is.
pub struct ChannelAt<'a> {
    pub api: &'a dyn MediaLiveApi,
    pub owner: &'a Owner,
}

#[async_trait]
impl Located for ChannelAt<'_> {
    type Observed = Channel;

    fn child(&self) -> &'static str {
        "channel"
    }

    fn id_of(observed: &Channel) -> String {
        observed.id.clone()
    }

    async fn find_unrecorded(&self, _replacing: Option<&str>) -> Result<Option<Channel>, AwsError> {
        let channels = self.api.list_channels().await?;
        Ok(owned_in(self.owner, self.child(), channels, live, |c| {
            &c.tags
        }))
    }

    /// Stops a running channel, then deletes it once Idle; done when MediaLive
    /// reports it deleted.
    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        let Some(channel) = found(self.api.describe_channel(id).await)? else {
            return Ok(true);
        };
        match channel.state {
            ChannelState::Deleted => Ok(true),
            ChannelState::Running | ChannelState::Recovering => {
                self.api.stop_channel(id).await?;
                Ok(false)
            }
            ChannelState::Idle | ChannelState::CreateFailed | ChannelState::UpdateFailed => {
                self.api.delete_channel(id).await?;
                Ok(false)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl<'a> External for ChannelChild<'a> {
    type Observed = Channel;
    type At = ChannelAt<'a>;

    fn at(&self) -> ChannelAt<'a> {
        ChannelAt {
            api: self.api,
            owner: self.owner,
        }
    }

    /// Running or idle with the desired settings: MediaLive is not moving
    /// it. (A start or stop [`drive_channel`] then sends is a write outside
    /// the driver, which forgets it: `Steps::moved`.) Any other state is
    /// read every round.
    fn at_rest(&self, observed: &Channel) -> bool {
        matches!(observed.state, ChannelState::Running | ChannelState::Idle)
            && crate::plan::medialive::same_settings(&observed.settings, &self.settings)
    }

    async fn observe(&self, id: &str) -> Result<Option<Channel>, AwsError> {
        Ok(found(self.api.describe_channel(id).await)?.and_then(live))
    }

    async fn create(&self, replacing: Option<&str>) -> Result<Channel, AwsError> {
        let mut settings = self.settings.clone();
        settings.name = self.owner.display_name(self.child(), NAME_LIMIT);
        self.api
            .create_channel(NewChannel {
                request_id: create_token(self.owner, self.child(), replacing),
                channel_class: self.class.to_string(),
                settings,
                tags: self.owner.tags(self.child(), self.tags),
            })
            .await
    }
}

/// What [`drive_channel`] did, for status and events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelProgress {
    pub step: ChannelStep,
    pub channel: Channel,
}

/// Moves an existing channel one step towards the desired state and settings
/// (see [`channel_step`]); call again while the step says to wait.
pub async fn drive_channel(
    api: &dyn MediaLiveApi,
    channel: Channel,
    desired: DesiredState,
    settings: &ChannelSettings,
    strategy: UpdateStrategy,
) -> Result<ChannelProgress, AwsError> {
    let mut wanted = settings.clone();
    wanted.name = channel.settings.name.clone();
    let step = channel_step(&channel, desired, &wanted, strategy);
    let channel = match &step {
        ChannelStep::Start => api.start_channel(&channel.id).await?,
        ChannelStep::Stop => api.stop_channel(&channel.id).await?,
        ChannelStep::Update => api.update_channel(&channel.id, wanted).await?,
        ChannelStep::Steady
        | ChannelStep::Wait { .. }
        | ChannelStep::UpdatePending
        | ChannelStep::Failed { .. } => channel,
    };
    Ok(ChannelProgress { step, channel })
}

#[cfg(test)]
mod channel_tests {
    use std::time::Duration;

    use super::*;
    use crate::aws::children::medialive::InputChild;
    use crate::aws::medialive::{Encoding, PackagingDestination};
    use crate::aws::medialive::{InputSettings, InputType};
    use crate::aws::sim::Sim;
    use crate::controller::kit::driver::{ensure, remove, MemoryIds};
    use crate::plan::medialive::ChannelStep;

    async fn setup(sim: &Sim, ids: &mut MemoryIds, owner: &Owner, tags: &Tags) -> ChannelSettings {
        let api = sim.medialive();
        let input = InputChild {
            api: api.as_ref(),
            owner,
            tags,
            input_type: InputType::UrlPull,
            settings: InputSettings {
                source_urls: vec!["https://example.com/live.m3u8".into()],
                ..Default::default()
            },
        };
        let (input, _) = ensure(&input, ids).await.unwrap();
        ChannelSettings {
            input_ids: vec![input.id],
            packaging: vec![PackagingDestination::V1 {
                channel_id: owner.resource_id("packaging-channel", 256),
            }],
            encoding: Encoding {
                gop_seconds: 2,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Drives until the channel settles (or `limit` steps), advancing the simulation.
    async fn settle(
        sim: &Sim,
        ids: &MemoryIds,
        desired: DesiredState,
        settings: &ChannelSettings,
        strategy: UpdateStrategy,
    ) -> Vec<ChannelStep> {
        let api = sim.medialive();
        let mut steps = Vec::new();
        for _ in 0..12 {
            let channel = api.describe_channel(&ids.0["channel"]).await.unwrap();
            let progress = drive_channel(api.as_ref(), channel, desired, settings, strategy)
                .await
                .unwrap();
            let done = matches!(
                progress.step,
                ChannelStep::Steady | ChannelStep::UpdatePending
            );
            if !matches!(progress.step, ChannelStep::Wait { .. }) {
                steps.push(progress.step);
            }
            if done {
                break;
            }
            sim.advance(Duration::from_secs(120));
        }
        steps
    }

    #[tokio::test]
    async fn the_channel_follows_the_switch_and_the_update_strategy() {
        let sim = Sim::default();
        let api = sim.medialive();
        let owner = Owner::new("3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a", "media", "news");
        let tags = Tags::new();
        let mut ids = MemoryIds::default();
        let settings = setup(&sim, &mut ids, &owner, &tags).await;
        let child = ChannelChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            class: "SINGLE_PIPELINE",
            settings: settings.clone(),
        };
        ensure(&child, &mut ids).await.unwrap();

        let s = UpdateStrategy::OnNextIdle;
        assert_eq!(
            settle(&sim, &ids, DesiredState::Running, &settings, s).await,
            [ChannelStep::Start, ChannelStep::Steady]
        );

        // A new GOP while running waits with OnNextIdle, and touches nothing.
        let mut changed = settings.clone();
        changed.encoding.gop_seconds = 4;
        let writes = sim.faults().writes();
        assert_eq!(
            settle(&sim, &ids, DesiredState::Running, &changed, s).await,
            [ChannelStep::UpdatePending]
        );
        assert_eq!(sim.faults().writes(), writes);
        // Restart: stop, update, start again.
        assert_eq!(
            settle(
                &sim,
                &ids,
                DesiredState::Running,
                &changed,
                UpdateStrategy::Restart
            )
            .await,
            [
                ChannelStep::Stop,
                ChannelStep::Update,
                ChannelStep::Start,
                ChannelStep::Steady
            ]
        );
        let channel = api.describe_channel(&ids.0["channel"]).await.unwrap();
        assert_eq!(channel.settings.encoding.gop_seconds, 4);

        // Removal stops and deletes the channel, then the input can go.
        let mut rounds = 0;
        while !remove(&child.at(), &mut ids).await.unwrap() {
            sim.advance(Duration::from_secs(120));
            rounds += 1;
            assert!(rounds < 10, "the channel never went away");
        }
        let input = InputChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            input_type: InputType::UrlPull,
            settings: InputSettings::default(),
        };
        assert!(remove(&input.at(), &mut ids).await.unwrap());
        assert!(ids.0.is_empty());
    }
}
