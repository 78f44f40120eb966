//! Observe-only, the same for every kind: `onair.dev/observe-only: "true"`
//! makes onair read an object's AWS resources and report how they differ
//! from the spec, without changing anything. For a channel built by hand or
//! by another tool that onair should watch before it takes over, or one a
//! team wants reported on but changed only by hand.
//!
//! Three things make it hold, each in one place:
//! - the object's AWS clients let only reads through
//!   ([`AwsApis::read_only`](crate::aws::apis::AwsApis::read_only), given by
//!   [`resolve`], where every reconciler gets its account): no code path can
//!   write by mistake, and a write the reconcile would make is reported as
//!   what onair would have done;
//! - [`Steps`](super::Steps) (made by `Steps::for_object`) compares each recorded child with the spec and
//!   collects the differences (a `Drifted` warning event each) instead of
//!   updating, and creates nothing: the resources are the ones whose ids
//!   the `onair.dev/<child>-id` annotations name;
//! - a deletion leaves the AWS resources, as `deletionPolicy: Retain` does
//!   ([`deletion::start`](super::deletion::start)).
//!
//! What the reconcile found is its `Ready` condition: True when everything
//! matches the spec; else False and Stalled, reason `Drifted` (what differs)
//! or `ObserveOnly` (the first write onair would have made).

use kube::Resource;

use crate::api::common::ProviderRef;
use crate::controller::context::Context;
use crate::controller::provider::{ResolveError, Resolved};
use crate::plan::failure::Failure;

/// The annotation, and the one value that turns it on.
pub const OBSERVE_ONLY_ANNOTATION: &str = "onair.dev/observe-only";

/// Whether `object` is observe-only.
pub fn is_observe_only<K: Resource>(object: &K) -> bool {
    crate::k8s::flag_is_set(object, OBSERVE_ONLY_ANNOTATION)
}

/// The account `object` reconciles in (its provider's, or the operator's),
/// with only reads let through when it is observe-only. (Deletion resolves
/// without it: under observe-only it retains, calling nothing.)
pub async fn resolve<K: Resource>(
    ctx: &Context,
    object: &K,
    provider: Option<&ProviderRef>,
    namespace: &str,
) -> Result<Resolved, ResolveError> {
    let resolved = ctx.providers.resolve(provider, namespace).await?;
    Ok(restrict(object, resolved))
}

/// `resolved`, with only reads let through when `object` is observe-only.
fn restrict<K: Resource>(object: &K, resolved: Resolved) -> Resolved {
    if !is_observe_only(object) {
        return resolved;
    }
    Resolved {
        apis: resolved.apis.read_only(),
        ..resolved
    }
}

/// How the differences an observe-only reconcile found read in status.
pub fn drifted(differences: &[String]) -> Option<Failure> {
    if differences.is_empty() {
        return None;
    }
    Some(Failure::stalled(
        "Drifted",
        format!(
            "{OBSERVE_ONLY_ANNOTATION} is \"true\", so onair leaves these differences from the spec as they are: {}. Remove the annotation to let onair restore the spec",
            differences.join("; ")
        ),
    ))
}

/// One reconcile's report: the differences found (`drift`, see
/// [`drifted`]) and the failure that stopped it, if any; both are said
/// when there are both, so a write onair would have made does not hide the
/// differences found before it.
pub fn together(drift: Option<Failure>, stopped: Option<Failure>) -> Option<Failure> {
    match (drift, stopped) {
        (Some(drift), Some(stopped)) => Some(Failure {
            message: format!("{} Then: {}", drift.message, stopped.message),
            stalled: drift.stalled || stopped.stalled,
            reason: drift.reason,
        }),
        (drift, stopped) => drift.or(stopped),
    }
}

/// What an observe-only object says of a child it has no id for.
pub fn not_recorded(what: &str, annotation: &str) -> String {
    format!("no {what} is recorded on the object, and an observe-only object creates nothing: set the {annotation} annotation to the id of the existing {what}, or remove {OBSERVE_ONLY_ANNOTATION} to let onair create it")
}

/// What an observe-only object says of a recorded child that is gone.
pub fn gone(what: &str, id: &str) -> String {
    format!("the recorded {what} {id} does not exist, and an observe-only object recreates nothing: point the id annotation at the existing {what}, or remove {OBSERVE_ONLY_ANNOTATION} to let onair create it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_value_true_observes() {
        let mut lc: crate::api::LiveChannel =
            serde_yaml::from_str(include_str!("../../../examples/live-channel.yaml")).unwrap();
        assert!(!is_observe_only(&lc));
        for (value, on) in [("true", true), ("false", false), ("True", false)] {
            lc.metadata.annotations =
                Some([(OBSERVE_ONLY_ANNOTATION.to_string(), value.to_string())].into());
            assert_eq!(is_observe_only(&lc), on, "{value:?}");
        }
    }

    #[test]
    fn differences_found_are_said_with_what_stopped_the_reconcile() {
        let drift = drifted(&["MediaLive channel 1: name a -> b".into()]);
        let stopped = Failure::aws(
            "MediaLive channel",
            &crate::aws::AwsError::new(
                "MediaLive",
                "StartChannel",
                crate::aws::ErrorKind::Withheld {
                    message: "observe-only".into(),
                },
            ),
        );
        let both = together(drift.clone(), Some(stopped.clone())).unwrap();
        assert_eq!(both.reason, "Drifted");
        assert!(
            both.message.contains("name a -> b")
                && both.message.contains("Then: MediaLive channel")
        );
        assert_eq!(together(None, Some(stopped.clone())), Some(stopped));
        assert_eq!(together(drift.clone(), None), drift);
        assert_eq!(together(None, None), None);
    }

    #[test]
    fn differences_stall_with_what_differs_and_how_to_resume() {
        assert!(drifted(&[]).is_none());
        let failure = drifted(&["MediaLive channel 1: name a -> b".into()]).unwrap();
        assert!(failure.stalled);
        assert_eq!(failure.reason, "Drifted");
        assert!(
            failure.message.contains("name a -> b"),
            "{}",
            failure.message
        );
        assert!(failure.message.contains("Remove the annotation"));
    }
}
