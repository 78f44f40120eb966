//! One child resource at a time, the same way in every reconciler: ensure it
//! (or, in a dry run, say what ensuring would do), prune it when the spec no
//! longer wants it, remove it on deletion; each with the event that tells
//! people, and each failure named after the child.

use crate::aws::children::{External, Located};
use crate::aws::error::AwsError;
use crate::controller::kit::driver::{
    ensure_recalling, id_annotation, remove, Action, AnnotationIds, DriverError, IdStore,
};
use crate::controller::kit::memo::Memo;
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
    /// Observe-only ([`observe`](super::observe)): each step compares, and
    /// the differences it finds are collected here rather than corrected.
    drift: Option<Vec<String>>,
    /// What this object's earlier rounds found at rest while it waits
    /// ([`memo`](super::memo)); None: every child is read.
    memo: Option<Memo<'a>>,
}

/// A recorded child next to its desired state.
enum Seen<O> {
    InSync(String, O),
    Differs(String, O, Vec<String>),
    /// Recorded, but AWS no longer has it.
    Gone(String),
    NotRecorded,
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
            drift: None,
            memo: None,
        }
    }

    /// The steps of `object` in this reconcile: its ids recorded on it
    /// through `api`, its events (`spec_unchanged`: the spec is the one the
    /// last reconcile saw, so repeated notes join one series), and
    /// observe-only when its annotation says so: every reconciler gets that
    /// from here, so none can forget it.
    pub fn for_object(
        api: &kube::Api<K>,
        object: &K,
        recorder: &'a crate::k8s::recorder::Recorder,
        spec_unchanged: bool,
        dry_run: bool,
    ) -> Self {
        Self::new(
            AnnotationIds::new(api.clone(), object),
            Events::new(recorder, object, spec_unchanged),
            dry_run,
        )
        .observing(super::observe::is_observe_only(object))
    }

    /// Observe-only when `observe` (the object's annotation): compare, never
    /// change.
    pub fn observing(mut self, observe: bool) -> Self {
        self.drift = observe.then(Vec::new);
        self
    }

    /// Recalls what `memo` kept of this object's children, and keeps what
    /// this round finds at rest. (Dry runs and observe-only rounds always
    /// read: they report what AWS holds now.)
    pub fn remembering(mut self, memo: Memo<'a>) -> Self {
        self.memo = Some(memo);
        self
    }

    /// A step outside [`ensure`](Self::ensure) wrote to `child` (rotated
    /// a secret...): what the memo kept of it is stale, so the next round
    /// reads it.
    pub fn moved(&self, child: &'static str) {
        if let Some(memo) = &self.memo {
            memo.forget(child);
        }
    }

    /// What an observe-only reconcile found different from the spec, as
    /// the failure its status reports (None: in sync, or not observe-only).
    pub fn drift(&self) -> Option<Failure> {
        super::observe::drifted(self.drift.as_deref().unwrap_or_default())
    }

    /// Whether this reconcile only observes.
    pub fn is_observing(&self) -> bool {
        self.drift.is_some()
    }

    /// Notes (observe-only) that `what` `id` differs from the spec, `how`,
    /// with a warning event; for the steps a reconciler takes beyond
    /// [`ensure`](Self::ensure), such as starting a channel.
    pub async fn drifted(&mut self, what: &str, id: &str, how: &str) {
        let difference = format!("{what} {id}: {how}");
        self.events
            .publish(
                true,
                "Drifted",
                &action_on("Observe", what),
                format!("{difference} (observe-only: left as it is)"),
            )
            .await;
        self.drift.get_or_insert_with(Vec::new).push(difference);
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
        if self.drift.is_some() {
            return self.observe(child, what).await;
        }
        let (observed, action) = ensure_recalling(child, &mut self.ids, self.memo.as_ref())
            .await
            .map_err(at(what))?;
        announce(&self.events, action, what, &E::id_of(&observed)).await;
        Ok(observed)
    }

    /// The recorded child, compared with the desired state (reads only).
    async fn compare<E: External>(&self, child: &E, what: &'static str) -> Step<Seen<E::Observed>> {
        let Some(id) = self.ids.recorded(child.child()) else {
            return Ok(Seen::NotRecorded);
        };
        Ok(match child.observe(&id).await.map_err(aws_at(what))? {
            Some(observed) if child.up_to_date(&observed) => Seen::InSync(id, observed),
            Some(observed) => {
                let changes = child.changes(&observed);
                Seen::Differs(id, observed, changes)
            }
            None => Seen::Gone(id),
        })
    }

    /// Dry run of [`ensure`](Self::ensure): compares the recorded child
    /// with the desired state.
    async fn preview<E: External>(&mut self, child: &E, what: &'static str) -> Step<E::Observed> {
        let seen = self.compare(child, what).await?;
        let lines = self.plan.as_mut().expect("dry run");
        match seen {
            Seen::InSync(id, observed) => {
                lines.push(format!("= {what} {id}: in sync"));
                Ok(observed)
            }
            Seen::Differs(id, observed, changes) => {
                lines.push(format!("~ {what} {id}: update"));
                lines.extend(changes.into_iter().map(|c| format!("    {c}")));
                Ok(observed)
            }
            Seen::Gone(id) => {
                lines.push(format!(
                    "+ {what}: create (the recorded {id} no longer exists)"
                ));
                Err(at(what)(DriverError::NotCreated))
            }
            Seen::NotRecorded => {
                lines.push(format!("+ {what}: create"));
                Err(at(what)(DriverError::NotCreated))
            }
        }
    }

    /// Observe-only [`ensure`](Self::ensure): a recorded child that differs
    /// is noted (and a warning event says how), not updated; one that is
    /// not there stops the reconcile, since nothing is created.
    async fn observe<E: External>(&mut self, child: &E, what: &'static str) -> Step<E::Observed> {
        let invalid = |reason, message| at(what)(DriverError::Invalid { reason, message });
        match self.compare(child, what).await? {
            Seen::InSync(_, observed) => Ok(observed),
            Seen::Differs(id, observed, changes) => {
                let how = if changes.is_empty() {
                    "differs from the spec".to_string()
                } else {
                    // A whole-value change has the root for its path.
                    let changes: Vec<&str> = changes
                        .iter()
                        .map(|c| c.strip_prefix(".: ").unwrap_or(c))
                        .collect();
                    changes.join(", ")
                };
                self.drifted(what, &id, &how).await;
                Ok(observed)
            }
            Seen::Gone(id) => Err(invalid("NotFound", super::observe::gone(what, &id))),
            Seen::NotRecorded => Err(invalid(
                "NotRecorded",
                super::observe::not_recorded(what, &id_annotation(child.child())),
            )),
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
        if let Some(drift) = self.drift.as_mut() {
            drift.push(format!(
                "{what} {id}: the spec no longer asks for it, and it is still recorded (onair would delete it)"
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
        if let Some(drift) = self.drift.as_mut() {
            // Observe-only: nothing is deleted, and no id forgotten.
            if let Some(id) = self.ids.recorded(child.child()) {
                drift.push(format!("{what} {id}: onair would delete it ({why})"));
            }
            return Ok(true);
        }
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
