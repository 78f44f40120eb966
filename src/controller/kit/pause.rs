//! The pause annotation, the same for every kind: `onair.dev/paused: "true"`
//! holds the object where it is. Its reconciler then makes no AWS call at
//! all (no create, update, start, stop or delete, not even a drift check),
//! adds no finalizer, and says so in a `Paused` condition; a deletion waits,
//! finalizer kept, until the annotation goes. For a maintenance window, an
//! incident, or a change made by hand in AWS that onair must not undo yet.

use kube::api::Api;
use kube::runtime::controller::Action;
use kube::Resource;
use serde::de::DeserializeOwned;

use crate::api::{ConditionStatus, Conditioned};
use crate::controller::conditions::PAUSED;
use crate::controller::context::Context;
use crate::controller::kit::{write_conditions, Error};
use crate::k8s::report::Events;

/// The annotation, and the one value that pauses.
pub const PAUSED_ANNOTATION: &str = "onair.dev/paused";

/// Whether `object` is paused.
pub fn is_paused<K: Resource>(object: &K) -> bool {
    crate::k8s::flag_is_set(object, PAUSED_ANNOTATION)
}

/// The first step of every reconcile. Paused: the `Paused` condition is
/// written (once) and the reconcile ends here, with what it returns. Not
/// paused: a `Paused` condition left from before goes, and the reconcile
/// goes on (None). Every reconcile passes here, so the common case (not
/// paused, never was) reads the object and writes nothing.
pub async fn hold<K>(object: &K, api: &Api<K>, ctx: &Context) -> Result<Option<Action>, Error>
where
    K: Conditioned + Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    let had = object.conditions().iter().any(|c| c.type_ == PAUSED);
    let kind = K::kind(&());
    // Each transition is an event too, so `kubectl describe` tells it.
    let events = Events::new(&ctx.recorder, object, false);
    if !is_paused(object) {
        if had {
            // A ConditionSet drops the Paused condition it is built from.
            write_conditions(api, object, |_| {}).await?;
            let note = format!("{PAUSED_ANNOTATION} removed: onair reconciles this {kind} again");
            events.publish(false, "Resumed", "Resume", note).await;
        }
        return Ok(None);
    }
    if !had {
        let message = format!("{PAUSED_ANNOTATION} is \"true\": onair makes no AWS call for this {kind} (deletion included) and does not correct drift; remove the annotation to resume");
        write_conditions(api, object, |set| {
            set.set(PAUSED, ConditionStatus::True, "Paused", &message)
        })
        .await?;
        events.publish(false, "Paused", "Pause", message).await;
    }
    // Paused, it waits on nothing, and what its rounds found before may
    // not hold when it resumes: the first round after reads every child.
    ctx.settled(object);
    // Removing the annotation is a change of the object: it wakes the
    // controller, so nothing needs to poll.
    Ok(Some(Action::await_change()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_value_true_pauses() {
        let mut lc: crate::api::LiveChannel =
            serde_yaml::from_str(include_str!("../../../examples/live-channel.yaml")).unwrap();
        assert!(!is_paused(&lc));
        for (value, paused) in [
            ("true", true),
            ("false", false),
            ("yes", false),
            ("", false),
        ] {
            lc.metadata.annotations =
                Some([(PAUSED_ANNOTATION.to_string(), value.to_string())].into());
            assert_eq!(is_paused(&lc), paused, "{value:?}");
        }
    }
}
