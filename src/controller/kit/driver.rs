//! The shared driver for the AWS resources an object owns, in the
//! observe / create / update / delete shape of Crossplane's managed reconciler
//! and ACK's resource manager. Each resource type says how to do those four
//! things ([`External`], [`Located`]); [`ensure`] and [`remove`] do the rest, the same way
//! for every kind:
//!
//! - the id of each child is recorded on the object (an annotation per child,
//!   as Crossplane's external-name) right after it is created, before anything
//!   else happens;
//! - a crash between "AWS created it" and "onair recorded it" is recovered,
//!   not duplicated: creates carry idempotency tokens, and a child that was
//!   created but not recorded is found by its owner tags and adopted;
//! - a recorded child that disappeared (deleted out of band) is recreated;
//! - an existing child that drifted is updated; one that did not is left
//!   alone, so steady state makes reads only.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::memo::Memo;
use crate::aws::children::{External, Located};
use crate::aws::error::AwsError;
pub use crate::k8s::ids::{id_annotation, AnnotationIds, IdStore};

/// What [`ensure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Unchanged,
    Created,
    /// Found a child this owner had created but not recorded.
    Adopted,
    Updated,
    /// Updated because objects the owner uses changed (see
    /// [`External::follows_inputs`]).
    FollowedInputs,
    /// The recorded child was gone (deleted out of band) and was created again.
    Recreated,
}

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("cannot record the id of an AWS resource on the object: {0}")]
    Kube(#[from] kube::Error),
    /// The operator's watch of a related kind has not listed it yet.
    #[error(transparent)]
    NotListed(#[from] crate::k8s::catalog::NotListed),
    /// A dry run reached a child that does not exist yet: what depends on it
    /// cannot be compared before it is created.
    #[error("not created yet")]
    NotCreated,
    /// The spec refers to something that is not there (a Secret, a key):
    /// the user has to fix it.
    #[error("{message}")]
    Invalid {
        reason: &'static str,
        message: String,
    },
}

/// Makes the child exist and match its desired state.
pub async fn ensure<E: External>(
    external: &E,
    ids: &mut dyn IdStore,
) -> Result<(E::Observed, Action), DriverError> {
    ensure_recalling(external, ids, None).await
}

/// [`ensure`], for an object that waits on AWS: a child this object found at
/// rest and as desired in an earlier round (`memo`) is not read again while
/// it still matches the desired state (see [`memo`](super::memo)).
pub async fn ensure_recalling<E: External>(
    external: &E,
    ids: &mut dyn IdStore,
    memo: Option<&Memo<'_>>,
) -> Result<(E::Observed, Action), DriverError> {
    let child = external.child();
    let mut replacing = None;
    if let Some(id) = ids.recorded(child) {
        if let Some(kept) = memo.and_then(|m| m.recall::<E::Observed>(child, &id)) {
            // Both against this round's desired state: what it folds in may
            // have moved since.
            if external.up_to_date(&kept) && external.at_rest(&kept) {
                return Ok((kept, Action::Unchanged));
            }
        }
        let observed = external.observe(&id).await;
        if let Some(memo) = memo {
            // Whatever follows (an update, a recreate, an error) moves it.
            memo.forget(child);
        }
        match observed? {
            Some(observed) if external.up_to_date(&observed) => {
                if let Some(memo) = memo.filter(|_| external.at_rest(&observed)) {
                    memo.keep(child, &id, &observed);
                }
                return Ok((observed, Action::Unchanged));
            }
            Some(observed) => {
                let action = if external.follows_inputs(&observed) {
                    Action::FollowedInputs
                } else {
                    Action::Updated
                };
                return Ok((external.update(observed).await?, action));
            }
            // Deleted out of band. The old id stays recorded until the new one
            // replaces it, so a crash in between retries with the same token.
            None => replacing = Some(id),
        }
    }
    let unrecorded = if replacing.is_none() && ids.none_unrecorded() {
        None
    } else {
        external.at().find_unrecorded(replacing.as_deref()).await?
    };
    if let Some(found) = unrecorded {
        ids.record(child, &E::id_of(&found)).await?;
        let found = if external.up_to_date(&found) {
            found
        } else {
            external.update(found).await?
        };
        let action = if replacing.is_some() {
            Action::Recreated
        } else {
            Action::Adopted
        };
        return Ok((found, action));
    }
    let created = external.create(replacing.as_deref()).await?;
    ids.record(child, &E::id_of(&created)).await?;
    let action = if replacing.is_some() {
        Action::Recreated
    } else {
        Action::Created
    };
    Ok((created, action))
}

/// Deletes the child: where it is is enough ([`Located`]). `Ok(true)` once it
/// is gone (and its id forgotten).
pub async fn remove<L: Located>(at: &L, ids: &mut dyn IdStore) -> Result<bool, DriverError> {
    let child = at.child();
    let id = match ids.recorded(child) {
        Some(id) => Some(id),
        // Created but never recorded: still ours to delete.
        None => at.find_unrecorded(None).await?.map(|o| L::id_of(&o)),
    };
    let Some(id) = id else {
        return Ok(true);
    };
    let gone = match at.delete(&id).await {
        Ok(gone) => gone,
        Err(e) if e.is_not_found() => true,
        Err(e) => return Err(e.into()),
    };
    if gone {
        ids.forget(child).await?;
    }
    Ok(gone)
}

/// Ids kept in memory (tests, `onair render`).
#[derive(Debug, Default, Clone)]
pub struct MemoryIds(pub BTreeMap<String, String>);

#[async_trait]
impl IdStore for MemoryIds {
    fn recorded(&self, child: &str) -> Option<String> {
        self.0.get(child).cloned()
    }

    async fn record(&mut self, child: &str, id: &str) -> Result<(), kube::Error> {
        self.0.insert(child.to_string(), id.to_string());
        Ok(())
    }

    async fn forget(&mut self, child: &str) -> Result<(), kube::Error> {
        self.0.remove(child);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::aws::children::medialive::{InputChild, SecurityGroupChild};
    use crate::aws::medialive::{InputSettings, InputType};
    use crate::aws::ownership::{Owner, Tags};
    use crate::aws::service::Service;
    use crate::aws::sim::Sim;
    use crate::controller::kit::memo::WaitMemo;

    const HOUR: Duration = Duration::from_secs(3600);

    fn reads(sim: &Sim, operation: &str) -> u64 {
        sim.faults().calls(Service::MediaLive, operation)
    }

    #[tokio::test]
    async fn a_waiting_object_reads_only_what_is_moving_or_changed() {
        let sim = Sim::default();
        let api = sim.medialive();
        let owner = Owner::new("0f9a3c1e-7d6b-4e1a-9a43-2b2d0c4e5f60", "media", "news");
        let tags = Tags::new();
        let mut ids = MemoryIds::default();
        let memo = WaitMemo::default();
        let round = memo.of("LiveChannel/media/news".into(), Some(1), HOUR);
        let group = SecurityGroupChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            cidrs: vec!["203.0.113.0/24".into()],
        };
        let (sg, _) = ensure_recalling(&group, &mut ids, Some(&round))
            .await
            .unwrap();
        let describe = "describe_input_security_group";

        // Read once, kept; the rounds after read nothing.
        ensure_recalling(&group, &mut ids, Some(&round))
            .await
            .unwrap();
        let read = reads(&sim, describe);
        for _ in 0..3 {
            let (kept, action) = ensure_recalling(&group, &mut ids, Some(&round))
                .await
                .unwrap();
            assert_eq!(
                (kept.id.as_str(), action),
                (sg.id.as_str(), Action::Unchanged)
            );
        }
        assert_eq!(
            reads(&sim, describe),
            read,
            "a kept child is not read again"
        );

        // A new desired state is compared with what was kept: it differs, so
        // the child is read and updated, and read again the round after.
        let widened = SecurityGroupChild {
            cidrs: vec!["203.0.113.0/24".into(), "198.51.100.0/24".into()],
            ..group
        };
        let (_, action) = ensure_recalling(&widened, &mut ids, Some(&round))
            .await
            .unwrap();
        assert_eq!(action, Action::Updated);
        assert_eq!(reads(&sim, describe), read + 1);
        ensure_recalling(&widened, &mut ids, Some(&round))
            .await
            .unwrap();
        assert_eq!(reads(&sim, describe), read + 2, "an update is read again");

        // Deleted out of band while kept: found once the memo is forgotten
        // (a failed round, the end of the wait, the resync), and recreated.
        api.delete_input_security_group(&sg.id).await.unwrap();
        memo.forget_object("LiveChannel/media/news");
        let (_, action) = ensure_recalling(&widened, &mut ids, Some(&round))
            .await
            .unwrap();
        assert_eq!(action, Action::Recreated);

        // A child still moving is read every round until it is at rest.
        let input = InputChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            input_type: InputType::RtmpPush,
            settings: InputSettings {
                security_group_ids: vec![ids.0["input-security-group"].clone()],
                stream_names: vec!["live/news".into()],
                ..Default::default()
            },
        };
        let (created, _) = ensure_recalling(&input, &mut ids, Some(&round))
            .await
            .unwrap();
        assert!(!input.at_rest(&created), "an input is CREATING at first");
        let read = reads(&sim, "describe_input");
        for _ in 0..2 {
            ensure_recalling(&input, &mut ids, Some(&round))
                .await
                .unwrap();
        }
        assert_eq!(reads(&sim, "describe_input"), read + 2);
        sim.advance(Duration::from_secs(60));
        for _ in 0..2 {
            ensure_recalling(&input, &mut ids, Some(&round))
                .await
                .unwrap();
        }
        assert_eq!(reads(&sim, "describe_input"), read + 3, "at rest: kept");

        // Without a memo (every kind that does not wait), every call reads.
        ensure(&input, &mut ids).await.unwrap();
        assert_eq!(reads(&sim, "describe_input"), read + 4);
    }
}
