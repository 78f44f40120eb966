//! The object store and the verbs on it: resourceVersion, uid, generation,
//! status subresource, finalizers and deletion, namespaces, CRD registration,
//! and the change history that watches replay.
//!
//! Every verb runs under one lock, so each write is atomic and the change
//! history is totally ordered by resourceVersion, as etcd's revision is.
//!
//! This module holds the store's types; the verbs live in the submodules, one
//! job each: reads and list pages, writes, admission, deletion, the history.

mod admission;
mod deletion;
mod history;
mod meta;
mod read;
mod write;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::broadcast;

use super::managed::Scope;
use super::registry::{Registry, ResourceType};

/// Where an object lives. Cluster-scoped objects have an empty namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub group: String,
    pub plural: String,
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn new(t: &ResourceType, namespace: Option<&str>, name: &str) -> Self {
        Self {
            group: t.storage_group().to_string(),
            plural: t.plural.clone(),
            namespace: if t.namespaced {
                namespace.unwrap_or_default().to_string()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

/// One committed change, as watches see it.
#[derive(Debug)]
pub struct Change {
    pub resource_version: u64,
    pub type_: ChangeType,
    pub key: Key,
    /// The object before the change (to tell when it leaves a selector).
    pub old: Option<Value>,
    pub object: Value,
}

/// The changes a watch replays, and the receiver for the ones after them.
pub struct Subscription {
    pub backlog: Vec<Arc<Change>>,
    pub receiver: broadcast::Receiver<Arc<Change>>,
}

/// One object, or its subresource, as a request path names it.
pub struct Address<'a> {
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub subresource: Option<&'a str>,
}

/// Per-request options of a write.
pub struct WriteOptions<'a> {
    pub manager: &'a str,
    pub dry_run: bool,
    pub force: bool,
    pub field_validation: FieldValidation,
    /// Warnings for the response (`Warning` headers), such as dropped fields.
    pub warnings: std::cell::RefCell<Vec<String>>,
}

/// The `fieldValidation` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidation {
    Strict,
    #[default]
    Warn,
    Ignore,
}

impl FieldValidation {
    pub fn from_query(value: Option<&str>) -> Self {
        match value {
            Some("Strict") => Self::Strict,
            Some("Ignore") => Self::Ignore,
            _ => Self::Warn,
        }
    }
}

/// How a write is prepared: which part of the object it addresses, its
/// options, and whether it records field ownership itself (server-side apply
/// has already done so).
struct How<'a> {
    scope: Scope,
    options: &'a WriteOptions<'a>,
    record: bool,
}

/// A page of a list.
pub struct Page {
    pub items: Vec<Value>,
    pub resource_version: u64,
    pub continue_token: Option<String>,
    pub remaining: Option<usize>,
}

pub struct State {
    pub registry: Registry,
    objects: BTreeMap<Key, Value>,
    resource_version: u64,
    history: VecDeque<Arc<Change>>,
    history_limit: usize,
    /// The oldest resourceVersion a watch can still start from.
    oldest_watchable: u64,
    changes: broadcast::Sender<Arc<Change>>,
}

const DEFAULT_NAMESPACES: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];

pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl State {
    pub fn new(history_limit: usize, watch_buffer: usize) -> Self {
        let (changes, _) = broadcast::channel(watch_buffer.max(1));
        let mut state = Self {
            registry: Registry::default(),
            objects: BTreeMap::new(),
            resource_version: 0,
            history: VecDeque::new(),
            history_limit: history_limit.max(1),
            oldest_watchable: 0,
            changes,
        };
        let t = state
            .registry
            .get("", "v1", "namespaces")
            .cloned()
            .expect("built in");
        let system = WriteOptions {
            manager: "onair-apiserver",
            dry_run: false,
            force: false,
            field_validation: FieldValidation::Strict,
            warnings: Default::default(),
        };
        for name in DEFAULT_NAMESPACES {
            state
                .create(&t, None, json!({"metadata": {"name": name}}), &system)
                .expect("default namespaces are valid");
        }
        state
    }

    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }
}

/// The object as served: in the shape, apiVersion and kind asked for.
pub fn present(t: &ResourceType, object: &Value) -> Value {
    t.present(object)
}
