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
    let child = external.child();
    let mut replacing = None;
    if let Some(id) = ids.recorded(child) {
        match external.observe(&id).await? {
            Some(observed) if external.up_to_date(&observed) => {
                return Ok((observed, Action::Unchanged))
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
