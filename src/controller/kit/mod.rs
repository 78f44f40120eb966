//! The shared reconcile kit: what every reconciler does the same way, so
//! that no reconciler imports another and a fix lands in all of them at once.
//!
//! ```text
//! driver   ensure / remove one child (an aws::children External): record
//!          its id, adopt what a crash left unrecorded, recreate what went
//!          missing, update what drifted
//! steps    Steps: ensure / preview (onair plan) / prune / remove one child,
//!          with its event; Step, StepError and their one Failure mapping
//! run      run_kind: the generic controller loop (error policy, concurrency,
//!          metrics) every kind runs under
//! deletion start / finish a deletion: Retain, the account, the finalizer,
//!          and the status of an object stuck in Terminating
//! memo     what a waiting object's rounds found at rest, so the next round
//!          reads only what is still moving
//! pause    the onair.dev/paused annotation: no AWS call, said in a condition
//! observe  the onair.dev/observe-only annotation: reads only, drift reported
//! ```
//!
//! The classification of failures itself is pure and lives in
//! [`plan::failure`](crate::plan::failure).

pub mod deletion;
pub mod driver;
pub mod memo;
pub mod observe;
pub mod pause;
mod run;
mod steps;

pub use run::{error_policy, run_kind};
pub use steps::{at, aws_at, remove_child, Step, StepError, Steps};

use kube::{Resource, ResourceExt};

use crate::aws::ownership::Owner;

/// What stops a reconcile early, for every kind: only the Kubernetes API can
/// (AWS failures become a `Ready=False` condition and a requeue instead).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Kubernetes API error: {0}")]
    Kube(#[from] kube::Error),
}

/// The current time as Kubernetes writes it.
pub fn now() -> String {
    // Truncated (as metav1.Time keeps seconds): never a moment in the future.
    let now = jiff::Timestamp::now();
    now.round(
        jiff::TimestampRound::new()
            .smallest(jiff::Unit::Second)
            .mode(jiff::RoundMode::Trunc),
    )
    .unwrap_or(now)
    .to_string()
}

/// Rewrites `object`'s conditions with `edit` (through a [`ConditionSet`],
/// so transition times move only with a status), keeping the rest of its
/// status: what the steps every kind shares (deletion, the pause) report with.
pub async fn write_conditions<K>(
    api: &kube::Api<K>,
    object: &K,
    edit: impl FnOnce(&mut crate::controller::conditions::ConditionSet),
) -> Result<(), Error>
where
    K: crate::api::Conditioned
        + Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let mut status = object.current_status();
    let conditions = K::conditions_mut(&mut status);
    let mut set = crate::controller::conditions::ConditionSet::new(
        conditions,
        object.meta().generation,
        now(),
    );
    edit(&mut set);
    *conditions = set.into_vec();
    crate::k8s::report::write_status(api, object, &status).await?;
    Ok(())
}

/// Seconds since the Unix epoch (token expiries, revocation ends).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The AWS owner of an object's resources: its uid names and tags them.
pub fn owner_of<K: Resource>(object: &K) -> Owner {
    Owner::new(
        object.uid().unwrap_or_default(),
        object.namespace().unwrap_or_default(),
        object.name_any(),
    )
}

/// The TokenPolicy protecting `channel` in `namespace`, from the operator's
/// watch (what the channel's distribution and its AdInsertion fold in).
pub async fn protecting_policy(
    ctx: &crate::controller::context::Context,
    namespace: &str,
    channel: &str,
) -> Result<Option<std::sync::Arc<crate::api::TokenPolicy>>, crate::k8s::catalog::NotListed> {
    let policies = ctx
        .catalog
        .objects_in::<crate::api::TokenPolicy>(namespace)
        .await?;
    Ok(crate::plan::token_policy::protecting(&policies, channel).cloned())
}
