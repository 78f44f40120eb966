//! How every kind deletes its AWS resources, around the kind's own order of
//! removals: [`start`] decides whether there is anything to delete and in
//! which account, [`finish`] removes the finalizer once all is gone, and
//! both say on the object's status what the deletion waits for and why, so
//! that an object stuck in `Terminating` explains itself.

use kube::api::Api;
use kube::runtime::controller::Action;
use kube::Resource;
use serde::de::DeserializeOwned;

use crate::api::common::{DeletionPolicy, ProviderRef};
use crate::api::Conditioned;
use crate::controller::conditions::Progress;
use crate::controller::context::Context;
use crate::controller::kit::observe::{is_observe_only, OBSERVE_ONLY_ANNOTATION};
use crate::controller::kit::{write_conditions, Error, Step};
use crate::controller::provider::Resolved;
use crate::k8s::finalizer;
use crate::k8s::report::Events;
use crate::plan::failure::Failure;

/// What [`start`] found.
pub enum Start {
    /// Nothing (more) to do: the reconcile returns this.
    Done(Action),
    /// The resources are to be deleted in this account (boxed: it is large).
    In(Box<Resolved>),
}

/// The first steps of deleting `object`. Nothing happens without onair's
/// finalizer. With `deletionPolicy: Retain` or observe-only, or when onair never made
/// anything in AWS for it (`made_in` is None), only the finalizer goes.
/// Otherwise the account the resources were made in (`made_in`: the provider,
/// None for the operator's own); one that cannot be resolved (a provider
/// deleted or broken) stalls the deletion, with a condition saying so.
pub async fn start<K>(
    object: &K,
    ctx: &Context,
    api: &Api<K>,
    policy: DeletionPolicy,
    made_in: Option<Option<ProviderRef>>,
) -> Result<Start, Error>
where
    K: Conditioned + Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    if !finalizer::has_finalizer(object) {
        return Ok(Start::Done(Action::await_change()));
    }
    let kind = K::kind(&());
    // Observe-only never writes to AWS, deletes included.
    let retained_because = if is_observe_only(object) {
        Some(format!("{OBSERVE_ONLY_ANNOTATION} is \"true\""))
    } else if policy == DeletionPolicy::Retain {
        Some("deletionPolicy is Retain".to_string())
    } else {
        None
    };
    if let Some(because) = retained_because {
        Events::new(&ctx.recorder, object, false)
            .publish(false, "Retained", "Delete", format!("{because}: the AWS resources of this {kind} stay (their ids are in the object's annotations)"))
            .await;
        finalizer::remove(api, object).await?;
        return Ok(Start::Done(Action::await_change()));
    }
    // Nothing was made in AWS: only the finalizer goes.
    let Some(provider) = made_in else {
        finalizer::remove(api, object).await?;
        return Ok(Start::Done(Action::await_change()));
    };
    let namespace = object.meta().namespace.clone().unwrap_or_default();
    match ctx.providers.resolve(provider.as_ref(), &namespace).await {
        Ok(resolved) => Ok(Start::In(Box::new(resolved))),
        Err(e) => {
            let failure = Failure::from(&e);
            let message = format!("{} (the AWS resources cannot be deleted until this is fixed; set deletionPolicy to Retain to leave them)", failure.message);
            report(
                api,
                object,
                Progress::Stalled {
                    reason: failure.reason,
                    message,
                },
            )
            .await?;
            Ok(Start::Done(Action::requeue(ctx.timing.retry)))
        }
    }
}

/// The end of one pass of deleting: `removals` is what the kind's removals
/// came to (the names of what is still going, empty once everything is
/// gone). Once all is gone the finalizer goes; until then the status says
/// what the deletion waits for, or what failed (also as a warning event).
pub async fn finish<K>(
    object: &K,
    ctx: &Context,
    api: &Api<K>,
    events: &Events<'_>,
    removals: Step<Vec<&'static str>>,
) -> Result<Action, Error>
where
    K: Conditioned + Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    match removals {
        Ok(waiting) if waiting.is_empty() => {
            finalizer::remove(api, object).await?;
            Ok(Action::await_change())
        }
        Ok(waiting) => {
            let message = format!(
                "deleting the AWS resources: waiting for the {} to go",
                waiting.join(" and the ")
            );
            let progress = Progress::Reconciling {
                reason: "Deleting".into(),
                message,
            };
            report(api, object, progress).await?;
            Ok(Action::requeue(ctx.timing.poll))
        }
        Err(e) => {
            let failure = e.failure();
            report(api, object, Progress::from(&failure)).await?;
            events
                .publish(true, &failure.reason, "Delete", failure.message)
                .await;
            Ok(Action::requeue(ctx.timing.retry))
        }
    }
}

/// Writes a deletion's progress as the object's conditions, keeping the
/// rest of its status.
async fn report<K>(api: &Api<K>, object: &K, progress: Progress) -> Result<(), Error>
where
    K: Conditioned + Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    write_conditions(api, object, |set| set.summarize(&progress)).await
}
