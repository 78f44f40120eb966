//! The AWS resources an object owns ("children"), each in the observe /
//! create / update / delete shape of Crossplane's managed reconciler and ACK's
//! resource manager: [`External`] says how to do those four things for one
//! resource type; the driver in `controller::kit::driver` does the rest the
//! same way for every kind (recording ids, adopting, recreating).
//!
//! Each child comes in two parts: `XAt` ([`Located`]) says where the
//! resource is (service, owner, derived name) and finds and deletes it;
//! `XChild` ([`External`]) adds the desired state and creates, compares and
//! updates. Deleting an object needs only the first, so its cleanup never
//! builds a desired state it does not have.
//!
//! The children sit above `plan` (they take its desired state and use its
//! names) and below `controller`; they make AWS calls only through the
//! service traits of `aws`, and never touch Kubernetes.

use async_trait::async_trait;

use crate::aws::error::AwsError;

pub mod cloudfront;
pub mod edge;
pub mod medialive;
pub mod mediapackage;
pub mod mediapackagevod;
pub mod mediatailor;
pub mod secrets;
pub mod telemetry;
pub mod verified;

/// Where one child is: the service, the owner and the name or id it derives.
/// That is all finding a child that was never recorded, and deleting one,
/// need. Nothing of the child's desired state: deleting an object builds none
/// (see `controller::*::cleanup`), and [`External::at`] hands its own over.
#[async_trait]
pub trait Located: Send + Sync {
    /// What AWS reports about the resource.
    type Observed: Send + Sync;

    /// The child's name (`input`, `channel`, `hls-endpoint`...), used in the id
    /// annotation, tags and messages.
    fn child(&self) -> &'static str;

    fn id_of(observed: &Self::Observed) -> String;

    /// A resource this owner created but never recorded (found by owner tags,
    /// or by the deterministic id), for crash recovery. `replacing` is as for
    /// [`External::create`]: a replacement may live under another name.
    async fn find_unrecorded(
        &self,
        replacing: Option<&str>,
    ) -> Result<Option<Self::Observed>, AwsError>;

    /// Starts deleting it. `Ok(true)` once it is gone, `Ok(false)` while AWS
    /// is still deleting it (call again later).
    async fn delete(&self, id: &str) -> Result<bool, AwsError>;
}

/// One AWS resource type as a child of an object, with its desired state.
#[async_trait]
pub trait External: Send + Sync {
    /// What AWS reports about the resource (kept between the rounds of a
    /// waiting object: see `controller::kit::memo`).
    type Observed: Clone + Send + Sync + 'static;

    /// Where the child is (what deleting it takes).
    type At: Located<Observed = Self::Observed>;

    fn at(&self) -> Self::At;

    /// The child's name, as [`Located::child`].
    fn child(&self) -> &'static str {
        self.at().child()
    }

    fn id_of(observed: &Self::Observed) -> String {
        Self::At::id_of(observed)
    }

    /// The resource with this id, or None if it no longer exists.
    async fn observe(&self, id: &str) -> Result<Option<Self::Observed>, AwsError>;

    /// Creates the resource (with an idempotency token where AWS takes one).
    /// `replacing` is the id of a recorded resource that disappeared: the
    /// token must differ from the one that created it (see [`create_token`]).
    async fn create(&self, replacing: Option<&str>) -> Result<Self::Observed, AwsError>;

    /// Whether the resource is as desired. By default a child has nothing
    /// to change in place once it exists.
    fn up_to_date(&self, _observed: &Self::Observed) -> bool {
        true
    }

    /// Whether the resource is at rest: nothing in AWS is moving it (no
    /// deployment, no start, no provisioning), so while its owner waits on
    /// something else, what this read found can stand in for the next
    /// round's read (`controller::kit::memo`). By default a child is read
    /// every round.
    fn at_rest(&self, _observed: &Self::Observed) -> bool {
        false
    }

    /// Whether what differs comes from the other objects the owner folds in
    /// (a TokenPolicy's function on a channel's distribution, a channel's
    /// paths in a policy's function), not from the owner's spec or from
    /// someone changing the resource: such an update is no drift.
    fn follows_inputs(&self, _observed: &Self::Observed) -> bool {
        false
    }

    /// The fields that differ from the desired state, as `path: old -> new`
    /// lines (`onair plan`); empty where the child cannot say.
    fn changes(&self, _observed: &Self::Observed) -> Vec<String> {
        Vec::new()
    }

    /// Brings the resource to the desired state; returns it as it now is.
    async fn update(&self, observed: Self::Observed) -> Result<Self::Observed, AwsError> {
        Ok(observed)
    }
}

/// For `observe`: an absent resource reads as `None`; every other error is an error.
pub fn found<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// For `delete`: what a delete call's answer means. Accepted, or already
/// gone, is `Ok(true)`; a conflict (still in use by a resource being deleted,
/// still being created, a stale ETag) is `Ok(false)`: try again later.
pub fn deletion(result: Result<(), AwsError>) -> Result<bool, AwsError> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.is_not_found() => Ok(true),
        Err(e) if e.is_conflict() => Ok(false),
        Err(e) => Err(e),
    }
}

/// For `find_unrecorded` by a caller-chosen id (or name) that only this
/// owner's child can have: a resource found under it with other owner tags is
/// not ours to touch.
pub fn ours<T>(
    owner: &crate::aws::ownership::Owner,
    child: &str,
    result: Result<T, AwsError>,
    tags: impl Fn(&T) -> &crate::aws::ownership::Tags,
) -> Result<Option<T>, AwsError> {
    Ok(found(result)?.filter(|r| owner.owns(child, tags(r))))
}

/// For `find_unrecorded` on services that list: the first listed resource that
/// still exists (`live`) and carries this owner's tags for `child`.
pub fn owned_in<T>(
    owner: &crate::aws::ownership::Owner,
    child: &str,
    listed: Vec<T>,
    live: impl Fn(T) -> Option<T>,
    tags: impl Fn(&T) -> &crate::aws::ownership::Tags,
) -> Option<T> {
    listed
        .into_iter()
        .filter_map(live)
        .find(|r| owner.owns(child, tags(r)))
}

/// The idempotency token for creating `child`: derived from the owner's uid,
/// and for a replacement also from the id it replaces, so AWS does not hand
/// back the deleted resource for a token it has seen.
pub fn create_token(
    owner: &crate::aws::ownership::Owner,
    child: &str,
    replacing: Option<&str>,
) -> String {
    match replacing {
        None => owner.token(child),
        Some(old) => {
            let digest = ring::digest::digest(&ring::digest::SHA256, old.as_bytes());
            let short: String = digest.as_ref()[..4]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            owner.token(&format!("{child}-r{short}"))
        }
    }
}
