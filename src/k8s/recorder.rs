//! Writes Kubernetes Events (events.k8s.io/v1), folding a repeat of the same
//! event into one series, as kube-runtime's `Recorder` does, with memory and
//! time that stay flat at scale.
//!
//! kube-runtime's recorder keeps every event it wrote, whole, for six
//! minutes, and scans them all at each new one: a rollout of a thousand
//! channels (a dozen events each) held about 50 MB of events, the operator's
//! largest use of memory, and spent time quadratic in their number. Here a
//! written event leaves only what a repeat needs (the Event's name and its
//! count), keyed by a hash, pruned once a minute.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::{Event as K8sEvent, EventSeries};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, Patch, PatchParams, PostParams};
pub use kube::runtime::events::{Event, EventType, Reporter};

/// How long a repeat still joins the series of the event it repeats
/// (kube-runtime's figure).
const SERIES_WINDOW: Duration = Duration::from_secs(6 * 60);
/// How often forgotten series are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// What is kept of a written event: enough to extend its series.
struct Written {
    name: String,
    count: i32,
    last: Timestamp,
}

pub struct Recorder {
    client: kube::Client,
    reporter: Reporter,
    written: Mutex<Series>,
}

#[derive(Default)]
struct Series {
    by_key: HashMap<u64, Written>,
    pruned: Option<Timestamp>,
}

impl Recorder {
    pub fn new(client: kube::Client, reporter: Reporter) -> Self {
        Self {
            client,
            reporter,
            written: Mutex::default(),
        }
    }

    /// Writes `event` about `regarding`; a repeat (same object, type,
    /// reason, action and note within six minutes) extends the first one's
    /// series. Only the series changes: kube-apiserver holds every other
    /// field of an events.k8s.io Event immutable (a new note is a new
    /// Event).
    pub async fn publish(
        &self,
        event: &Event,
        regarding: &ObjectReference,
    ) -> Result<(), kube::Error> {
        let now = Timestamp::now();
        let key = series_key(event, regarding);
        // A cluster-scoped object's (an AwsProvider's) events can only be in
        // `default`: kube-apiserver refuses them anywhere else.
        let namespace = regarding.namespace.as_deref().unwrap_or("default");
        let events: Api<K8sEvent> = Api::namespaced(self.client.clone(), namespace);
        let repeat = {
            let mut series = self.lock();
            series.prune(now);
            series
                .by_key
                .get(&key)
                .filter(|w| within_window(w.last, now))
                .map(|w| (w.name.clone(), w.count + 1))
        };
        let (name, count) = match repeat {
            Some((name, count)) => {
                let patch = serde_json::json!({
                    "series": EventSeries {
                        count,
                        last_observed_time: MicroTime(now),
                    },
                });
                events
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await?;
                (name, count)
            }
            None => {
                let created = events
                    .create(
                        &PostParams::default(),
                        &self.new_event(event, regarding, now),
                    )
                    .await?;
                (created.metadata.name.unwrap_or_default(), 1)
            }
        };
        self.lock().by_key.insert(
            key,
            Written {
                name,
                count,
                last: now,
            },
        );
        Ok(())
    }

    fn new_event(&self, event: &Event, regarding: &ObjectReference, now: Timestamp) -> K8sEvent {
        let controller = &self.reporter.controller;
        K8sEvent {
            metadata: ObjectMeta {
                namespace: regarding.namespace.clone(),
                name: Some(format!(
                    "{}.{:x}",
                    regarding.name.as_deref().unwrap_or(controller),
                    now.as_nanosecond()
                )),
                ..Default::default()
            },
            action: Some(event.action.clone()),
            reason: Some(event.reason.clone()),
            note: event.note.clone(),
            event_time: Some(MicroTime(now)),
            regarding: Some(regarding.clone()),
            related: event.secondary.clone(),
            reporting_controller: Some(controller.clone()),
            reporting_instance: Some(
                self.reporter
                    .instance
                    .clone()
                    .unwrap_or_else(|| controller.clone()),
            ),
            type_: Some(
                match event.type_ {
                    EventType::Normal => "Normal",
                    EventType::Warning => "Warning",
                }
                .into(),
            ),
            ..Default::default()
        }
    }

    /// Series remembered now (tests).
    pub fn remembered(&self) -> usize {
        self.lock().by_key.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Series> {
        self.written.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Series {
    fn prune(&mut self, now: Timestamp) {
        if self
            .pruned
            .is_some_and(|at| now.duration_since(at).unsigned_abs() < PRUNE_EVERY)
        {
            return;
        }
        self.by_key.retain(|_, w| within_window(w.last, now));
        self.pruned = Some(now);
    }
}

fn within_window(last: Timestamp, now: Timestamp) -> bool {
    now.duration_since(last).unsigned_abs() < SERIES_WINDOW
}

/// The object (by uid, else by name: not by resourceVersion, which every
/// status write moves), the type, the reason, the action and the note.
fn series_key(event: &Event, regarding: &ObjectReference) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    match &regarding.uid {
        Some(uid) => uid.hash(&mut hasher),
        None => (&regarding.kind, &regarding.namespace, &regarding.name).hash(&mut hasher),
    }
    matches!(event.type_, EventType::Warning).hash(&mut hasher);
    event.reason.hash(&mut hasher);
    event.action.hash(&mut hasher);
    event.note.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(reason: &str, action: &str) -> Event {
        Event {
            type_: EventType::Normal,
            reason: reason.into(),
            note: Some("a note".into()),
            action: action.into(),
            secondary: None,
        }
    }

    #[test]
    fn a_series_is_one_object_and_one_reason_and_action_whatever_its_version() {
        let object = ObjectReference {
            uid: Some("u1".into()),
            resource_version: Some("1".into()),
            ..Default::default()
        };
        let later = ObjectReference {
            resource_version: Some("2".into()),
            ..object.clone()
        };
        let other = ObjectReference {
            uid: Some("u2".into()),
            ..object.clone()
        };
        let created = event("Created", "CreateInput");
        assert_eq!(series_key(&created, &object), series_key(&created, &later));
        assert_ne!(series_key(&created, &object), series_key(&created, &other));
        assert_ne!(
            series_key(&created, &object),
            series_key(&event("Created", "CreateChannel"), &object)
        );
    }

    #[test]
    fn series_are_forgotten_after_their_window() {
        let start = Timestamp::now();
        let mut series = Series::default();
        series.by_key.insert(
            1,
            Written {
                name: "e".into(),
                count: 1,
                last: start,
            },
        );
        series.prune(start);
        assert_eq!(series.by_key.len(), 1);
        series.prune(start + SERIES_WINDOW + PRUNE_EVERY);
        assert!(series.by_key.is_empty());
    }
}
