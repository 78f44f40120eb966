//! One child resource at a time, the same way in every reconciler: ensure it
//! (or, in a dry run, say what ensuring would do), prune it when the spec no
//! longer wants it, remove it on deletion; each with the event that tells
//! people, and each failure named after the child.

use crate::aws::children::{External, Located};
use crate::aws::error::AwsError;
use crate::controller::kit::driver::{ensure, remove, Action, AnnotationIds, DriverError, IdStore};
use crate::k8s::report::{action_on, Events};
use crate::plan::failure::Failure;

/// A step failed: which resource, and why.
#[derive(Debug)]
pub struct StepError {
    pub what: &'static str,
    pub error: DriverError,
}

impl StepError {
    /// How the failure reads in status (the one mapping every kind uses).
    pub fn failure(&self) -> Failure {
        let what = self.what;
        match &self.error {
            DriverError::Aws(e) => Failure::aws(what, e),
            DriverError::Kube(e) => Failure::retrying(
                "KubernetesError",
                format!("cannot record the {what} id on the object: {e}"),
            ),
            DriverError::Invalid { reason, message } => Failure::stalled(*reason, message.clone()),
            DriverError::NotListed(e) => {
                Failure::retrying("KubernetesError", format!("cannot read the {what}: {e}"))
            }
            DriverError::NotCreated => {
                Failure::retrying("NotCreated", format!("the {what} does not exist yet"))
            }
        }
    }
}

pub type Step<T> = Result<T, StepError>;

/// Names a driver failure after the child it happened to.
pub fn at(what: &'static str) -> impl Fn(DriverError) -> StepError {
    move |error| StepError { what, error }
}

/// Names an AWS failure after the child it happened to.
pub fn aws_at(what: &'static str) -> impl Fn(AwsError) -> StepError {
    move |e| StepError {
        what,
        error: DriverError::Aws(e),
    }
}

/// Removes a child (one step of it, for slow deletions); true once it is gone,
/// with an event naming it and `why`.
pub async fn remove_child<L: Located>(
    ids: &mut dyn IdStore,
    events: &Events<'_>,
    child: &L,
    what: &'static str,
    why: &str,
) -> Step<bool> {
    let recorded = ids.recorded(child.child());
    let gone = remove(child, ids).await.map_err(at(what))?;
    match (gone, recorded) {
        (true, Some(id)) => {
            events
                .publish(
                    false,
                    "Deleted",
                    &action_on("Delete", what),
                    format!("Deleted {what} {id}: {why}"),
                )
                .await
        }
        // Slow deletions (stop, disable, wait): repeated notes become one
        // event series.
        (false, Some(id)) => {
            events
                .publish(
                    false,
                    "Deleting",
                    &action_on("Delete", what),
                    format!("Deleting {what} {id}: {why}"),
                )
                .await
        }
        _ => {}
    }
    Ok(gone)
}

/// The children of one object in one reconcile: where their ids are
/// recorded, who hears about them, and (in a dry run) the plan's lines.
pub struct Steps<'a, K: kube::Resource> {
    pub ids: AnnotationIds<K>,
    pub events: Events<'a>,
    /// Dry run (`onair plan`): nothing is written, in AWS or Kubernetes; each
    /// step says here what it would do.
    pub plan: Option<Vec<String>>,
}

impl<'a, K> Steps<'a, K>
where
    K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    K: Send + Sync,
{
    pub fn new(ids: AnnotationIds<K>, events: Events<'a>, dry_run: bool) -> Self {
        Self {
            ids,
            events,
            plan: dry_run.then(Vec::new),
        }
    }

    /// Ensures one child and tells people what happened to it.
    pub async fn ensure<E: External>(
        &mut self,
        child: &E,
        what: &'static str,
    ) -> Step<E::Observed> {
        if self.plan.is_some() {
            return self.preview(child, what).await;
        }
        let (observed, action) = ensure(child, &mut self.ids).await.map_err(at(what))?;
        announce(&self.events, action, what, &E::id_of(&observed)).await;
        Ok(observed)
    }

    /// Dry run of [`ensure`](Self::ensure): compares the recorded child
    /// with the desired state.
    async fn preview<E: External>(&mut self, child: &E, what: &'static str) -> Step<E::Observed> {
        let recorded = self.ids.recorded(child.child());
        let observed = match &recorded {
            Some(id) => child.observe(id).await.map_err(aws_at(what))?,
            None => None,
        };
        let lines = self.plan.as_mut().expect("dry run");
        match (observed, recorded) {
            (Some(observed), Some(id)) if child.up_to_date(&observed) => {
                lines.push(format!("= {what} {id}: in sync"));
                Ok(observed)
            }
            (Some(observed), Some(id)) => {
                lines.push(format!("~ {what} {id}: update"));
                lines.extend(
                    child
                        .changes(&observed)
                        .into_iter()
                        .map(|c| format!("    {c}")),
                );
                Ok(observed)
            }
            (None, Some(id)) => {
                lines.push(format!(
                    "+ {what}: create (the recorded {id} no longer exists)"
                ));
                Err(at(what)(DriverError::NotCreated))
            }
            (_, None) => {
                lines.push(format!("+ {what}: create"));
                Err(at(what)(DriverError::NotCreated))
            }
        }
    }

    /// Removes a recorded child the spec no longer wants. (Only recorded
    /// ones: looking for unrecorded ones on every resync would cost reads;
    /// deleting the object still finds them.)
    pub async fn prune<L: Located>(&mut self, child: &L, what: &'static str) -> Step<bool> {
        let Some(id) = self.ids.recorded(child.child()) else {
            return Ok(true);
        };
        if let Some(lines) = self.plan.as_mut() {
            lines.push(format!(
                "- {what} {id}: delete (the spec no longer asks for it)"
            ));
            return Ok(true);
        }
        self.remove(child, what, "the spec no longer asks for it")
            .await
    }

    /// Removes a child (one step of it, for slow deletions), saying `why`.
    pub async fn remove<L: Located>(
        &mut self,
        child: &L,
        what: &'static str,
        why: &str,
    ) -> Step<bool> {
        remove_child(&mut self.ids, &self.events, child, what, why).await
    }
}

/// The event for what the child driver did to `what` (such as "MediaLive
/// input"), now known as `id`.
async fn announce(events: &Events<'_>, action: Action, what: &str, id: &str) {
    let (warning, reason, verb, note) = match action {
        Action::Unchanged => return,
        Action::Created => (false, "Created", "Create", format!("Created {what} {id}")),
        Action::Adopted => (
            false,
            "Adopted",
            "Adopt",
            format!("Took over {what} {id}, which onair created before a restart"),
        ),
        Action::Updated if events.spec_unchanged() => (
            true,
            "DriftCorrected",
            "Restore",
            format!("{what} {id} was changed outside onair; restored it to the spec"),
        ),
        Action::Updated => (
            false,
            "Updated",
            "Update",
            format!("Updated {what} {id} to the new spec"),
        ),
        Action::FollowedInputs => (
            false,
            "Updated",
            "Update",
            format!("Updated {what} {id} to follow the objects it uses"),
        ),
        Action::Recreated => (
            true,
            "Recreated",
            "Recreate",
            format!("{what} was deleted outside onair; created {id} in its place"),
        ),
    };
    events
        .publish(warning, reason, &action_on(verb, what), note)
        .await;
}
