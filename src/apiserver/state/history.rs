//! The change history that watches replay: what a watch from a resourceVersion
//! catches up on (410 Gone once the history no longer reaches back), compaction,
//! and the broadcast of every committed change.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

use super::{Change, ChangeType, Key, State, Subscription};
use crate::apiserver::error::ApiError;

impl State {
    /// Forgets the change history, as etcd compaction does: watches from any
    /// earlier resourceVersion now get 410 Gone.
    pub fn compact(&mut self) {
        self.history.clear();
        self.oldest_watchable = self.resource_version;
    }

    /// Changes after `from` plus a receiver for later ones, taken atomically.
    pub fn changes_since(&self, from: u64) -> Result<Subscription, ApiError> {
        if from < self.oldest_watchable {
            return Err(ApiError::gone(format!(
                "too old resource version: {from} ({})",
                self.oldest_watchable
            )));
        }
        let backlog = self
            .history
            .iter()
            .filter(|c| c.resource_version > from)
            .cloned()
            .collect();
        Ok(Subscription {
            backlog,
            receiver: self.changes.subscribe(),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.changes.subscribe()
    }

    pub(super) fn publish(
        &mut self,
        type_: ChangeType,
        key: Key,
        old: Option<Value>,
        object: Value,
    ) {
        let change = Arc::new(Change {
            resource_version: self.resource_version,
            type_,
            key,
            old,
            object,
        });
        self.history.push_back(change.clone());
        while self.history.len() > self.history_limit {
            if let Some(dropped) = self.history.pop_front() {
                self.oldest_watchable = dropped.resource_version;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.changes.send(change);
    }
}
