//! What reconcilers tell people: Events (one for every AWS mutation, drift and
//! failure) and the status subresource, written by server-side apply so that
//! only onair's fields are touched and an unchanged status is no write at all.

use crate::k8s::recorder::{Event, EventType, Recorder};
use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The field manager of every write onair makes.
pub const MANAGER: &str = "onair";

/// Events about one object.
pub struct Events<'a> {
    recorder: &'a Recorder,
    reference: ObjectReference,
    /// The spec did not change since the last complete reconcile, so an update
    /// of a child can only mean someone changed it in AWS.
    spec_unchanged: bool,
}

impl<'a> Events<'a> {
    pub fn new<K: Resource<DynamicType = ()>>(
        recorder: &'a Recorder,
        object: &K,
        spec_unchanged: bool,
    ) -> Self {
        Self {
            recorder,
            reference: object.object_ref(&()),
            spec_unchanged,
        }
    }

    /// Publishes an event; a failure is logged, never fatal (events are advisory).
    pub async fn publish(&self, warning: bool, reason: &str, action: &str, note: String) {
        // Logged too, for log pipelines: inside a reconcile, the line carries the
        // object (kube-runtime's span). Notes never hold secrets.
        if warning {
            tracing::warn!(reason, action, "{note}");
        } else {
            tracing::info!(reason, action, "{note}");
        }
        let event = Event {
            type_: if warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: reason.to_string(),
            note: Some(note),
            action: action.to_string(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&event, &self.reference).await {
            tracing::warn!(error = %e, reason, "cannot record an event");
        }
    }

    /// The spec did not change since the last complete reconcile (an update
    /// of a child then means someone changed it in AWS).
    pub fn spec_unchanged(&self) -> bool {
        self.spec_unchanged
    }
}

/// An event action naming the resource (`CreateMediaLiveInput`): events with
/// the same reason and action are folded into one series by the recorder, so
/// each child needs its own.
pub fn action_on(verb: &str, what: &str) -> String {
    let mut action = verb.to_string();
    for word in what.split([' ', '-']) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            action.extend(first.to_uppercase());
            action.push_str(chars.as_str());
        }
    }
    action
}

/// Writes `status` (the whole of onair's status) with server-side apply.
pub async fn write_status<K, S>(api: &Api<K>, object: &K, status: &S) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
    S: Serialize,
{
    let patch = serde_json::json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "status": status,
    });
    api.patch_status(
        &object.name_any(),
        &PatchParams::apply(MANAGER).force(),
        &Patch::Apply(&patch),
    )
    .await?;
    crate::metrics::global().object_state(
        &K::kind(&()),
        &object_key(object),
        crate::metrics::state_of(&patch["status"]["conditions"]),
    );
    Ok(())
}

/// `namespace/name`, the way metrics and logs name an object.
pub fn object_key<K: Resource>(object: &K) -> String {
    format!(
        "{}/{}",
        object.meta().namespace.as_deref().unwrap_or_default(),
        object.name_any()
    )
}
