//! MediaLive children of a LiveChannel: the input security group (push
//! inputs only), the input and the Secrets Manager copies of SRT
//! passphrases here; the channel, whose state and settings [`drive_channel`]
//! moves, in [`channel`].

mod channel;

pub use channel::{drive_channel, ChannelAt, ChannelChild, ChannelProgress};

use async_trait::async_trait;

use crate::aws::error::AwsError;
use crate::aws::medialive::{
    Input, InputSettings, InputState, InputType, MediaLiveApi, NewInput, SecurityGroup,
};
use crate::aws::ownership::{Owner, Tags};
use crate::aws::secret::SecretString;
use crate::aws::secretsmanager::{NewSecret, SecretDescription, SecretsManagerApi};

use crate::aws::children::secrets;
use crate::aws::children::{create_token, deletion, found, owned_in, External, Located};

/// MediaLive allows names up to 128 characters.
const NAME_LIMIT: usize = 128;

fn sorted(values: &[String]) -> Vec<String> {
    let mut v = values.to_vec();
    v.sort();
    v
}

/// The input security group: who may push to the input.
pub struct SecurityGroupChild<'a> {
    pub api: &'a dyn MediaLiveApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub cidrs: Vec<String>,
}

/// Where the input security group is.
pub struct SecurityGroupAt<'a> {
    pub api: &'a dyn MediaLiveApi,
    pub owner: &'a Owner,
}

#[async_trait]
impl Located for SecurityGroupAt<'_> {
    type Observed = SecurityGroup;

    fn child(&self) -> &'static str {
        "input-security-group"
    }

    fn id_of(observed: &SecurityGroup) -> String {
        observed.id.clone()
    }

    async fn find_unrecorded(
        &self,
        _replacing: Option<&str>,
    ) -> Result<Option<SecurityGroup>, AwsError> {
        // CreateInputSecurityGroup takes no idempotency token: the owner tags
        // are how a group created just before a crash is found again.
        let groups = self.api.list_input_security_groups().await?;
        Ok(owned_in(self.owner, self.child(), groups, Some, |g| {
            &g.tags
        }))
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        // Still used by an input that is being deleted: try again later.
        deletion(self.api.delete_input_security_group(id).await)
    }
}

#[async_trait]
impl<'a> External for SecurityGroupChild<'a> {
    type Observed = SecurityGroup;
    type At = SecurityGroupAt<'a>;

    fn at(&self) -> SecurityGroupAt<'a> {
        SecurityGroupAt {
            api: self.api,
            owner: self.owner,
        }
    }

    // No state of its own: what it allows is what up_to_date compares.
    fn at_rest(&self, _: &SecurityGroup) -> bool {
        true
    }

    async fn observe(&self, id: &str) -> Result<Option<SecurityGroup>, AwsError> {
        found(self.api.describe_input_security_group(id).await)
    }

    async fn create(&self, _replacing: Option<&str>) -> Result<SecurityGroup, AwsError> {
        let tags = self.owner.tags(self.child(), self.tags);
        self.api
            .create_input_security_group(self.cidrs.clone(), tags)
            .await
    }

    fn up_to_date(&self, observed: &SecurityGroup) -> bool {
        sorted(&observed.cidrs) == sorted(&self.cidrs)
    }

    fn changes(&self, observed: &SecurityGroup) -> Vec<String> {
        crate::plan::diff::changes(&sorted(&observed.cidrs), &sorted(&self.cidrs))
    }

    async fn update(&self, observed: SecurityGroup) -> Result<SecurityGroup, AwsError> {
        // Allowed while the channel runs: MediaLive applies it to the live input.
        self.api
            .update_input_security_group(&observed.id, self.cidrs.clone())
            .await
    }
}

/// The MediaLive input the encoder feeds.
pub struct InputChild<'a> {
    pub api: &'a dyn MediaLiveApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub input_type: InputType,
    pub settings: InputSettings,
}

/// An input being deleted is gone as far as its owner is concerned.
fn live_input(input: Input) -> Option<Input> {
    (!matches!(input.state, InputState::Deleted | InputState::Deleting)).then_some(input)
}

/// Where the input is.
pub struct InputAt<'a> {
    pub api: &'a dyn MediaLiveApi,
    pub owner: &'a Owner,
}

#[async_trait]
impl Located for InputAt<'_> {
    type Observed = Input;

    fn child(&self) -> &'static str {
        "input"
    }

    fn id_of(observed: &Input) -> String {
        observed.id.clone()
    }

    async fn find_unrecorded(&self, _replacing: Option<&str>) -> Result<Option<Input>, AwsError> {
        let inputs = self.api.list_inputs().await?;
        Ok(owned_in(
            self.owner,
            self.child(),
            inputs,
            live_input,
            |i| &i.tags,
        ))
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        // Still attached to a channel being deleted.
        deletion(self.api.delete_input(id).await)
    }
}

#[async_trait]
impl<'a> External for InputChild<'a> {
    type Observed = Input;
    type At = InputAt<'a>;

    fn at(&self) -> InputAt<'a> {
        InputAt {
            api: self.api,
            owner: self.owner,
        }
    }

    fn at_rest(&self, observed: &Input) -> bool {
        matches!(
            observed.state,
            crate::aws::medialive::InputState::Detached
                | crate::aws::medialive::InputState::Attached
        )
    }

    async fn observe(&self, id: &str) -> Result<Option<Input>, AwsError> {
        Ok(found(self.api.describe_input(id).await)?.and_then(live_input))
    }

    async fn create(&self, replacing: Option<&str>) -> Result<Input, AwsError> {
        self.api
            .create_input(NewInput {
                // The same token on every retry: MediaLive returns the input it
                // already made instead of a second one.
                request_id: create_token(self.owner, self.child(), replacing),
                name: self.owner.display_name(self.child(), NAME_LIMIT),
                input_type: self.input_type,
                settings: self.settings.clone(),
                tags: self.owner.tags(self.child(), self.tags),
            })
            .await
    }

    fn up_to_date(&self, observed: &Input) -> bool {
        let (have, want) = (&observed.settings, &self.settings);
        sorted(&have.security_group_ids) == sorted(&want.security_group_ids)
            && have.stream_names == want.stream_names
            && have.source_urls == want.source_urls
            && have.srt_sources == want.srt_sources
    }

    fn changes(&self, observed: &Input) -> Vec<String> {
        crate::plan::diff::changes(&observed.settings, &self.settings)
    }

    async fn update(&self, observed: Input) -> Result<Input, AwsError> {
        self.api
            .update_input(&observed.id, self.settings.clone())
            .await
    }
}

/// The copy of an SRT source's passphrase in Secrets Manager, where MediaLive
/// reads it. Versioned by the Kubernetes Secret it comes from: a changed
/// Secret puts a new version; nothing derived from the value is stored.
pub struct SrtPassphraseChild<'a> {
    pub api: &'a dyn SecretsManagerApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    /// The source's index (pipeline).
    pub index: usize,
    pub value: SecretString,
    /// Version token (32 to 64 characters) from the Kubernetes Secret's uid
    /// and resourceVersion.
    pub version: String,
}

impl SrtPassphraseChild<'_> {
    pub const CHILDREN: [&'static str; 2] = ["srt-passphrase-0", "srt-passphrase-1"];

    pub fn child_of(index: usize) -> &'static str {
        Self::CHILDREN[index.min(1)]
    }

    pub fn name(owner: &Owner, index: usize) -> String {
        format!("onair/{}", owner.resource_id(Self::child_of(index), 200))
    }

    /// The version token for a Secret's uid and resourceVersion.
    pub fn version_of(owner: &Owner, secret_uid: &str, resource_version: &str) -> String {
        let digest = ring::digest::digest(
            &ring::digest::SHA256,
            format!("{}/{secret_uid}/{resource_version}", owner.uid).as_bytes(),
        );
        digest.as_ref()[..20]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Where the passphrase copy of one source is.
pub struct SrtPassphraseAt<'a> {
    pub api: &'a dyn SecretsManagerApi,
    pub owner: &'a Owner,
    /// The source's index (pipeline).
    pub index: usize,
}

#[async_trait]
impl Located for SrtPassphraseAt<'_> {
    type Observed = SecretDescription;

    fn child(&self) -> &'static str {
        SrtPassphraseChild::child_of(self.index)
    }

    fn id_of(observed: &SecretDescription) -> String {
        observed.arn.clone()
    }

    async fn find_unrecorded(
        &self,
        _replacing: Option<&str>,
    ) -> Result<Option<SecretDescription>, AwsError> {
        let name = SrtPassphraseChild::name(self.owner, self.index);
        secrets::find_owned(self.api, self.owner, self.child(), &name).await
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        secrets::delete_now(self.api, id).await
    }
}

#[async_trait]
impl<'a> External for SrtPassphraseChild<'a> {
    type Observed = SecretDescription;
    type At = SrtPassphraseAt<'a>;

    fn at(&self) -> SrtPassphraseAt<'a> {
        SrtPassphraseAt {
            api: self.api,
            owner: self.owner,
            index: self.index,
        }
    }

    fn at_rest(&self, _: &SecretDescription) -> bool {
        true
    }

    async fn observe(&self, id: &str) -> Result<Option<SecretDescription>, AwsError> {
        secrets::observe(self.api, id).await
    }

    async fn create(&self, _replacing: Option<&str>) -> Result<SecretDescription, AwsError> {
        secrets::create(
            self.api,
            NewSecret {
                name: Self::name(self.owner, self.index),
                client_request_token: self.version.clone(),
                description: Some("SRT passphrase MediaLive decrypts the source with (copied by onair from a Kubernetes Secret)".into()),
                value: self.value.clone(),
                tags: self.owner.tags(self.child(), self.tags),
            },
        )
        .await
    }

    fn up_to_date(&self, observed: &SecretDescription) -> bool {
        observed.current_version_id.as_deref() == Some(self.version.as_str())
    }

    fn changes(&self, _observed: &SecretDescription) -> Vec<String> {
        vec!["value: the Kubernetes Secret changed (new version)".into()]
    }

    async fn update(&self, observed: SecretDescription) -> Result<SecretDescription, AwsError> {
        match self
            .api
            .put_secret_value(&observed.arn, &self.version, self.value.clone())
            .await
        {
            Ok(_) => {}
            // Put before a crash with the same token: done already.
            Err(e) if e.is_already_exists() => {}
            Err(e) => return Err(e),
        }
        self.api.describe_secret(&observed.arn).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::service::Service;
    use crate::aws::sim::Fault;
    use crate::aws::sim::Sim;
    use crate::controller::kit::driver::{ensure, remove, Action, MemoryIds};

    fn owner() -> Owner {
        Owner::new("0f9a3c1e-7d6b-4e1a-9a43-2b2d0c4e5f60", "media", "news")
    }

    fn push_input<'a>(
        api: &'a dyn MediaLiveApi,
        owner: &'a Owner,
        tags: &'a Tags,
        group: &str,
    ) -> InputChild<'a> {
        InputChild {
            api,
            owner,
            tags,
            input_type: InputType::RtmpPush,
            settings: InputSettings {
                security_group_ids: vec![group.to_string()],
                stream_names: vec!["live/news".into()],
                ..Default::default()
            },
        }
    }

    #[tokio::test]
    async fn children_are_created_once_and_steady_state_only_reads() {
        let sim = Sim::default();
        let api = sim.medialive();
        let (owner, tags) = (owner(), Tags::new());
        let mut ids = MemoryIds::default();
        let group = SecurityGroupChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            cidrs: vec!["203.0.113.0/24".into()],
        };
        let (sg, action) = ensure(&group, &mut ids).await.unwrap();
        assert_eq!(action, Action::Created);
        let input = push_input(api.as_ref(), &owner, &tags, &sg.id);
        let (created, action) = ensure(&input, &mut ids).await.unwrap();
        assert_eq!(action, Action::Created);
        assert_eq!(ids.0["input"], created.id);

        let before = sim.faults().writes();
        for _ in 0..3 {
            assert_eq!(ensure(&group, &mut ids).await.unwrap().1, Action::Unchanged);
            assert_eq!(ensure(&input, &mut ids).await.unwrap().1, Action::Unchanged);
        }
        assert_eq!(
            sim.faults().writes(),
            before,
            "steady state makes no writes"
        );

        let widened = SecurityGroupChild {
            cidrs: vec!["203.0.113.0/24".into(), "198.51.100.0/24".into()],
            ..group
        };
        let (updated, action) = ensure(&widened, &mut ids).await.unwrap();
        assert_eq!(action, Action::Updated);
        assert_eq!(updated.cidrs.len(), 2);
    }

    #[tokio::test]
    async fn a_crash_after_create_is_recovered_without_a_duplicate() {
        let sim = Sim::default();
        let api = sim.medialive();
        let (owner, tags) = (owner(), Tags::new());
        let mut ids = MemoryIds::default();
        sim.faults().inject(
            Service::MediaLive,
            "create_input_security_group",
            Fault::CrashAfter,
            1,
        );
        let group = SecurityGroupChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            cidrs: vec!["203.0.113.0/24".into()],
        };
        assert!(
            ensure(&group, &mut ids).await.is_err(),
            "the crash surfaces once"
        );
        let (sg, action) = ensure(&group, &mut ids).await.unwrap();
        assert_eq!(action, Action::Adopted);
        assert_eq!(api.list_input_security_groups().await.unwrap().len(), 1);

        sim.faults()
            .inject(Service::MediaLive, "create_input", Fault::CrashAfter, 1);
        let input = push_input(api.as_ref(), &owner, &tags, &sg.id);
        assert!(ensure(&input, &mut ids).await.is_err());
        assert_eq!(ensure(&input, &mut ids).await.unwrap().1, Action::Adopted);
        assert_eq!(api.list_inputs().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_child_deleted_out_of_band_is_recreated_and_removal_cleans_up() {
        let sim = Sim::default();
        let api = sim.medialive();
        let (owner, tags) = (owner(), Tags::new());
        let mut ids = MemoryIds::default();
        let group = SecurityGroupChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            cidrs: vec!["203.0.113.0/24".into()],
        };
        let (sg, _) = ensure(&group, &mut ids).await.unwrap();
        let input = push_input(api.as_ref(), &owner, &tags, &sg.id);
        let (first, _) = ensure(&input, &mut ids).await.unwrap();
        api.delete_input(&first.id).await.unwrap();
        // The recreation itself crashes once: the retry must not make a second input.
        sim.faults()
            .inject(Service::MediaLive, "create_input", Fault::CrashAfter, 1);
        assert!(ensure(&input, &mut ids).await.is_err());
        assert_eq!(
            ids.0["input"], first.id,
            "the old id stays until the new one is known"
        );
        let (second, action) = ensure(&input, &mut ids).await.unwrap();
        assert_eq!(action, Action::Recreated);
        assert_ne!(second.id, first.id);
        let live = |inputs: Vec<Input>| {
            inputs
                .into_iter()
                .filter(|i| i.state != InputState::Deleted)
                .count()
        };
        assert_eq!(live(api.list_inputs().await.unwrap()), 1);

        assert!(remove(&input.at(), &mut ids).await.unwrap());
        assert!(remove(&group.at(), &mut ids).await.unwrap());
        assert!(ids.0.is_empty());
        assert!(api.list_input_security_groups().await.unwrap().is_empty());
        assert_eq!(live(api.list_inputs().await.unwrap()), 0);
    }
}
