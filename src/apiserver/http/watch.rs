//! Watch streams: the opening events, live changes filtered by selector (an
//! object entering or leaving it is ADDED or DELETED), bookmarks, catching up
//! from the history after falling behind, and the end of a watch.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use super::{is_true, Query, Shared};
use crate::apiserver::error::ApiError;
use crate::apiserver::registry::ResourceType;
use crate::apiserver::selector::Selector;
use crate::apiserver::state::{present, Change, ChangeType};
use crate::apiserver::table;

/// A watch: the events after `resourceVersion` (or the current objects as
/// ADDED when none is given), then live changes, bookmarks when asked for,
/// until `timeoutSeconds`, the client leaves or the server stops.
pub(super) fn watch_stream(
    shared: &Arc<Shared>,
    t: &ResourceType,
    namespace: Option<&str>,
    selector: Selector,
    table: Option<Option<String>>,
    metadata_only: bool,
    query: &Query,
) -> Result<Response, ApiError> {
    let from = query
        .get("resourceVersion")
        .filter(|rv| !rv.is_empty() && *rv != "0");
    let from = from
        .map(|rv| {
            rv.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {rv:?}")))
        })
        .transpose()?;
    let bookmarks = is_true(query.get("allowWatchBookmarks"));
    let send_initial_end = is_true(query.get("sendInitialEvents"));
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let filter = WatchFilter {
        t: t.clone(),
        namespace: namespace.map(str::to_string),
        selector,
        table,
        metadata_only,
    };

    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let opening: Result<Opening, ApiError> = {
        let state = shared.state();
        match from {
            None => Ok(Opening {
                events: state
                    .objects_of(t, namespace)
                    .filter(|(_, o)| filter.selector.matches(o))
                    .map(|(_, o)| filter.event_for("ADDED", o))
                    .collect(),
                changes: state.subscribe(),
                resource_version: state.resource_version(),
            }),
            Some(rv) => state.changes_since(rv).map(|subscription| Opening {
                events: subscription
                    .backlog
                    .iter()
                    .filter_map(|c| filter.event(c))
                    .collect(),
                changes: subscription.receiver,
                resource_version: state.resource_version(),
            }),
        }
    };
    let shared = shared.clone();
    let kind = t.kind.clone();
    let api_version = t.api_version();
    tokio::spawn(async move {
        let send = |value: Value| {
            let tx = tx.clone();
            async move { tx.send(Bytes::from(format!("{value}\n"))).await.is_ok() }
        };
        let Opening {
            events: opening,
            mut changes,
            resource_version: start_rv,
        } = match opening {
            Ok(opening) => opening,
            Err(gone) => {
                send(json!({"type": "ERROR", "object": gone.to_status()})).await;
                return;
            }
        };
        for e in opening {
            if !send(e).await {
                return;
            }
        }
        let bookmark = |rv: u64, initial_end: bool| {
            let mut metadata = json!({"resourceVersion": rv.to_string()});
            if initial_end {
                metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            event(
                "BOOKMARK",
                json!({"kind": kind, "apiVersion": api_version, "metadata": metadata}),
            )
        };
        if send_initial_end && !send(bookmark(start_rv, true)).await {
            return;
        }
        let mut shutdown = shared.shutdown.clone();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ticker = tokio::time::interval(shared.bookmark_interval);
        ticker.tick().await;
        // The last change this watch has passed (or filtered out).
        let mut delivered = start_rv;
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
                received = changes.recv() => match received {
                    Ok(change) => {
                        delivered = change.resource_version;
                        if let Some(e) = filter.event(&change) {
                            if !send(e).await { return; }
                        }
                    }
                    // A slow watcher catches up from the change history, as
                    // the kube-apiserver's watch cache serves it; only one
                    // that fell out of the history must list again.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        shared.catch_ups.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let resumed = shared.state().changes_since(delivered);
                        let subscription = match resumed {
                            Ok(subscription) => subscription,
                            Err(gone) => {
                                send(json!({"type": "ERROR", "object": gone.to_status()})).await;
                                return;
                            }
                        };
                        changes = subscription.receiver;
                        for change in subscription.backlog {
                            delivered = change.resource_version;
                            if let Some(e) = filter.event(&change) {
                                if !send(e).await { return; }
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = ticker.tick(), if bookmarks => {
                    // Only when every change up to now has been delivered, so
                    // resuming from the bookmark cannot skip one.
                    let caught_up = {
                        let state = shared.state();
                        changes.is_empty().then(|| state.resource_version())
                    };
                    if let Some(rv) = caught_up {
                        if !send(bookmark(rv, false)).await { return; }
                    }
                }
            }
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|line| (Ok::<_, Infallible>(line), rx))
    });
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::TRANSFER_ENCODING, "chunked")
        .body(Body::from_stream(stream))
        .expect("static response parts are valid"))
}

/// What a watch starts with: the events to send first, then live changes.
struct Opening {
    events: Vec<Value>,
    changes: broadcast::Receiver<Arc<Change>>,
    resource_version: u64,
}

fn event(type_: &str, object: Value) -> Value {
    json!({"type": type_, "object": object})
}

/// Which changes a watch sees, and as what: an object that starts matching
/// the selector is ADDED, one that stops matching is DELETED.
struct WatchFilter {
    t: ResourceType,
    namespace: Option<String>,
    selector: Selector,
    /// Send Tables (kubectl get --watch), with this `includeObject`.
    table: Option<Option<String>>,
    /// Send PartialObjectMetadata (metadata-only watches).
    metadata_only: bool,
}

impl WatchFilter {
    fn event(&self, change: &Change) -> Option<Value> {
        let key = &change.key;
        if key.group != self.t.storage_group() || key.plural != self.t.plural {
            return None;
        }
        if self
            .namespace
            .as_ref()
            .is_some_and(|ns| ns != &key.namespace)
        {
            return None;
        }
        let now = self.selector.matches(&change.object);
        let before = change
            .old
            .as_ref()
            .is_some_and(|o| self.selector.matches(o));
        let type_ = match (change.type_, before, now) {
            (ChangeType::Deleted, true, _) | (ChangeType::Deleted, _, true) => "DELETED",
            (ChangeType::Added, _, true) => "ADDED",
            (ChangeType::Modified, true, true) => "MODIFIED",
            (ChangeType::Modified, false, true) => "ADDED",
            (ChangeType::Modified, true, false) => "DELETED",
            _ => return None,
        };
        Some(self.event_for(type_, &change.object))
    }

    fn event_for(&self, type_: &str, object: &Value) -> Value {
        let object = present(&self.t, object);
        match &self.table {
            None if self.metadata_only => event(type_, table::partial_metadata(&object)),
            None => event(type_, object),
            Some(include) => {
                let rv = object
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let now = jiff::Timestamp::now();
                event(
                    type_,
                    table::table(&self.t, &[object], &rv, None, include.as_deref(), now),
                )
            }
        }
    }
}
