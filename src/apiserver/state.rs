//! The object store and the verbs on it: resourceVersion, uid, generation,
//! status subresource, finalizers and deletion, namespaces, CRD registration,
//! and the change history that watches replay.
//!
//! Every verb runs under one lock, so each write is atomic and the change
//! history is totally ordered by resourceVersion, as etcd's revision is.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use base64::Engine as _;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{json, Value};
use tokio::sync::broadcast;

use super::error::ApiError;
use super::managed::{self, Scope, Writer};
use super::patch::{apply_patch, PatchType};
use super::registry::{Registry, ResourceType};
use super::selector::Selector;

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

    /// Objects of a type (in one namespace, or all), in key order.
    pub fn objects_of<'a>(
        &'a self,
        t: &'a ResourceType,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a Key, &'a Value)> + 'a {
        // Keys sort by (group, plural, namespace, name): one range, no scan.
        let start = Key {
            group: t.storage_group().to_string(),
            plural: t.plural.clone(),
            namespace: namespace.unwrap_or_default().to_string(),
            name: String::new(),
        };
        self.objects.range(start..).take_while(move |(k, _)| {
            k.group == t.storage_group()
                && k.plural == t.plural
                && namespace.is_none_or(|ns| k.namespace == ns)
        })
    }

    pub fn get(
        &self,
        t: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, ApiError> {
        self.objects
            .get(&Key::new(t, namespace, name))
            .map(|o| present(t, o))
            .ok_or_else(|| ApiError::not_found(&t.subject(name)))
    }

    /// A page of a list. Every page of one list is served at the first page's
    /// resourceVersion (later changes are undone from the history), so a
    /// client that lists in pages and then watches from that version misses
    /// nothing; once the history no longer reaches back, 410 Gone.
    pub fn list(
        &self,
        t: &ResourceType,
        namespace: Option<&str>,
        selector: &Selector,
        limit: Option<usize>,
        continue_token: Option<&str>,
    ) -> Result<Page, ApiError> {
        let position = continue_token.map(decode_continue).transpose()?;
        let at = position
            .as_ref()
            .map_or(self.resource_version, |p| p.resource_version);
        let mut snapshot: BTreeMap<&Key, &Value> = self.objects_of(t, namespace).collect();
        if at < self.resource_version {
            if at < self.oldest_watchable {
                return Err(ApiError::gone(format!(
                    "the continue token is too old (resourceVersion {at}); list again from the start"
                )));
            }
            // Undo the later changes, newest first.
            for change in self
                .history
                .iter()
                .rev()
                .take_while(|c| c.resource_version > at)
            {
                let key = &change.key;
                if key.group != t.storage_group()
                    || key.plural != t.plural
                    || namespace.is_some_and(|ns| ns != key.namespace)
                {
                    continue;
                }
                match &change.old {
                    Some(old) => snapshot.insert(key, old),
                    None => snapshot.remove(key),
                };
            }
        }
        let matching: Vec<(&Key, &Value)> = snapshot
            .into_iter()
            .filter(|(k, _)| {
                position
                    .as_ref()
                    .is_none_or(|p| (&k.namespace, &k.name) > (&p.namespace, &p.name))
            })
            .filter(|(_, o)| selector.matches(o))
            .collect();
        let take = limit
            .filter(|l| *l > 0)
            .unwrap_or(usize::MAX)
            .min(matching.len());
        let items = matching[..take]
            .iter()
            .map(|(_, o)| present(t, o))
            .collect();
        let more = take < matching.len();
        let continue_token = more.then(|| {
            let (last, _) = matching[take - 1];
            encode_continue(&Continue {
                resource_version: at,
                namespace: last.namespace.clone(),
                name: last.name.clone(),
            })
        });
        Ok(Page {
            items,
            resource_version: at,
            continue_token,
            remaining: more.then(|| matching.len() - take),
        })
    }

    pub fn create(
        &mut self,
        t: &ResourceType,
        namespace: Option<&str>,
        body: Value,
        options: &WriteOptions<'_>,
    ) -> Result<Value, ApiError> {
        let mut body = t.ingest(body);
        ensure_object(&mut body)?;
        let name = object_name(t, &body)?;
        body["metadata"]["name"] = json!(name);
        let key = Key::new(t, namespace, &name);
        self.insert_new(t, key, body, options, true)
    }

    /// PUT: replaces the object (or its status).
    pub fn update(
        &mut self,
        t: &ResourceType,
        address: &Address<'_>,
        body: Value,
        options: &WriteOptions<'_>,
    ) -> Result<Value, ApiError> {
        let key = Key::new(t, address.namespace, address.name);
        let old = self.existing(t, &key)?;
        // Custom resources take no unconditional update (kube-apiserver's
        // AllowUnconditionalUpdate is false for them): a PUT names the
        // version it replaces.
        let sent = body
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str);
        if t.schema.is_some() && sent.is_none_or(str::is_empty) {
            return Err(ApiError::invalid_fields(
                &t.subject_resource(address.name),
                &[(
                    "metadata.resourceVersion".into(),
                    "Invalid value: 0: must be specified for an update".into(),
                )],
            ));
        }
        let how = How {
            scope: scope_of(t, address.subresource),
            options,
            record: true,
        };
        let new = self.prepare(t, &key, Some(&old), t.ingest(body), &how)?;
        Ok(self.commit(t, key, Some(old), new, options.dry_run))
    }

    /// PATCH in any of the four formats. Returns the object and whether the
    /// patch created it (server-side apply creates).
    pub fn patch(
        &mut self,
        t: &ResourceType,
        address: &Address<'_>,
        kind: PatchType,
        body: Value,
        options: &WriteOptions<'_>,
    ) -> Result<(Value, bool), ApiError> {
        let (name, key) = (address.name, Key::new(t, address.namespace, address.name));
        let scope = scope_of(t, address.subresource);
        if kind != PatchType::Apply {
            let old = self.existing(t, &key)?;
            // Patches address the served shape of the object.
            let patched = apply_patch(kind, &t.present(&old), &body)
                .map_err(|message| ApiError::patch_not_applicable(&message))?;
            let how = How {
                scope,
                options,
                record: true,
            };
            let new = self.prepare(t, &key, Some(&old), t.ingest(patched), &how)?;
            return Ok((self.commit(t, key, Some(old), new, options.dry_run), false));
        }
        let old = self.objects.get(&key).cloned();
        check_apply_body(t, &body, name, old.as_ref())?;
        if old.is_none() && scope == Scope::Status {
            return Err(ApiError::not_found(&t.subject(name)));
        }
        let config = t.ingest(body);
        let writer = self.writer(t, options, scope);
        let merged = managed::apply(old.as_ref(), &config, &writer.borrowed(), options.force)
            .map_err(|conflicts| ApiError::apply_conflict(&conflicts))?;
        match old {
            None => Ok((self.insert_new(t, key, merged, options, false)?, true)),
            Some(old) => {
                let how = How {
                    scope,
                    options,
                    record: false,
                };
                let new = self.prepare(t, &key, Some(&old), merged, &how)?;
                Ok((self.commit(t, key, Some(old), new, options.dry_run), false))
            }
        }
    }

    /// DELETE: removes the object, or marks it for deletion while finalizers
    /// (or, for namespaces and CRDs, their contents) remain.
    pub fn delete(
        &mut self,
        t: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        delete_options: &Value,
        options: &WriteOptions<'_>,
    ) -> Result<Value, ApiError> {
        let key = Key::new(t, namespace, name);
        let old = self.existing(t, &key)?;
        let precondition = |field: &str, actual: &str| {
            delete_options
                .pointer(&format!("/preconditions/{field}"))
                .and_then(Value::as_str)
                .is_some_and(|expected| expected != actual)
        };
        if precondition("resourceVersion", meta_str(&old, "resourceVersion"))
            || precondition("uid", meta_str(&old, "uid"))
        {
            return Err(ApiError::conflict(&t.subject(name)));
        }
        if t.is_namespace() && ["default", "kube-system", "kube-public"].contains(&name) {
            return Err(ApiError::forbidden(format!(
                "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
            )));
        }
        if options.dry_run {
            return Ok(present(t, &old));
        }
        let result = self.delete_key(t, &key, old);
        self.reap_terminated_containers();
        Ok(present(t, &result))
    }

    fn delete_key(&mut self, t: &ResourceType, key: &Key, old: Value) -> Value {
        if !self.deletion_blocked(t, key, &old) {
            return self.remove(t, key, old);
        }
        let is_container = t.is_namespace() || t.is_crd();
        let mut marked = old.clone();
        if marked.pointer("/metadata/deletionTimestamp").is_none() {
            marked["metadata"]["deletionTimestamp"] = json!(now());
            marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            // As kube-apiserver does: controllers filtering on generation see it.
            if let Some(generation) = marked
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
            {
                marked["metadata"]["generation"] = json!(generation + 1);
            }
            if t.is_namespace() {
                marked["status"] = json!({"phase": "Terminating"});
            }
            marked = self.commit(t, key.clone(), Some(old), marked, false);
        }
        if is_container {
            let contents: Vec<Key> = self.contents(t, key);
            for child in contents {
                let child_type = self.type_of(&child);
                if let (Some(ct), Some(object)) = (child_type, self.objects.get(&child).cloned()) {
                    self.delete_key(&ct, &child, object);
                }
            }
        }
        marked
    }

    /// Namespaces and CRDs being deleted go once their contents are gone.
    fn reap_terminated_containers(&mut self) {
        loop {
            let done: Option<(ResourceType, Key, Value)> = self
                .objects
                .iter()
                .filter(|(k, o)| {
                    let container = (k.group.is_empty() && k.plural == "namespaces")
                        || (k.group == "apiextensions.k8s.io"
                            && k.plural == "customresourcedefinitions");
                    container
                        && o.pointer("/metadata/deletionTimestamp").is_some()
                        && !has_finalizers(o)
                })
                .find_map(|(k, o)| {
                    let t = self.type_of(k)?;
                    (!self.has_contents(&t, k)).then(|| (t, k.clone(), o.clone()))
                });
            match done {
                Some((t, key, object)) => {
                    self.remove(&t, &key, object);
                }
                None => return,
            }
        }
    }

    fn contents(&self, t: &ResourceType, key: &Key) -> Vec<Key> {
        let crd_names = if t.is_crd() {
            self.objects.get(key).and_then(crd_group_plural)
        } else {
            None
        };
        self.objects
            .keys()
            .filter(|k| match &crd_names {
                Some((group, plural)) => &k.group == group && &k.plural == plural,
                None => t.is_namespace() && k.namespace == key.name,
            })
            .cloned()
            .collect()
    }

    /// Finalizers hold an object; namespaces and CRDs are also held by what
    /// they contain.
    fn deletion_blocked(&self, t: &ResourceType, key: &Key, object: &Value) -> bool {
        has_finalizers(object) || ((t.is_namespace() || t.is_crd()) && self.has_contents(t, key))
    }

    fn has_contents(&self, t: &ResourceType, key: &Key) -> bool {
        !self.contents(t, key).is_empty()
    }

    /// The type of a stored object, whichever version it was written in.
    fn type_of(&self, key: &Key) -> Option<ResourceType> {
        self.registry.storage_type(&key.group, &key.plural).cloned()
    }

    fn existing(&self, t: &ResourceType, key: &Key) -> Result<Value, ApiError> {
        self.objects
            .get(key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&t.subject(&key.name)))
    }

    fn writer<'a>(
        &self,
        t: &'a ResourceType,
        options: &WriteOptions<'a>,
        scope: Scope,
    ) -> OwnedWriter<'a> {
        OwnedWriter {
            manager: options.manager,
            scope,
            api_version: t.api_version(),
            now: now(),
        }
    }

    fn insert_new(
        &mut self,
        t: &ResourceType,
        key: Key,
        mut body: Value,
        options: &WriteOptions<'_>,
        record: bool,
    ) -> Result<Value, ApiError> {
        if self.objects.contains_key(&key) {
            return Err(ApiError::already_exists(&t.subject(&key.name)));
        }
        if t.namespaced {
            self.check_namespace_open(&key.namespace)?;
        }
        if t.schema.is_some() && self.crd_terminating(t) {
            return Err(ApiError::method_not_allowed(format!(
                "create not allowed while custom resource definition {}.{} is terminating",
                t.plural, t.group
            )));
        }
        ensure_object(&mut body)?;
        let metadata = body["metadata"]
            .as_object_mut()
            .expect("checked by ensure_object");
        for system in [
            "resourceVersion",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            metadata.remove(system);
        }
        metadata.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        metadata.insert("creationTimestamp".into(), json!(now()));
        let how = How {
            scope: Scope::Main {
                status_is_separate: t.status_subresource,
            },
            options,
            record,
        };
        let new = self.prepare(t, &key, None, body, &how)?;
        Ok(self.commit(t, key, None, new, options.dry_run))
    }

    fn crd_terminating(&self, t: &ResourceType) -> bool {
        let key = Key {
            group: "apiextensions.k8s.io".into(),
            plural: "customresourcedefinitions".into(),
            namespace: String::new(),
            name: format!("{}.{}", t.plural, t.group),
        };
        self.objects
            .get(&key)
            .is_some_and(|crd| crd.pointer("/metadata/deletionTimestamp").is_some())
    }

    fn check_namespace_open(&self, namespace: &str) -> Result<(), ApiError> {
        let key = Key {
            group: String::new(),
            plural: "namespaces".into(),
            namespace: String::new(),
            name: namespace.to_string(),
        };
        match self.objects.get(&key) {
            None => Err(ApiError::not_found(&super::error::Subject {
                group: String::new(),
                plural: "namespaces".into(),
                kind: "Namespace".into(),
                name: namespace.to_string(),
            })),
            Some(ns) if ns.pointer("/metadata/deletionTimestamp").is_some() => Err(ApiError::forbidden(format!(
                "unable to create new content in namespace {namespace} because it is being terminated"
            ))),
            Some(_) => Ok(()),
        }
    }

    /// Everything a write does to an object before it is stored: identity,
    /// status subresource rules, optimistic concurrency, system metadata,
    /// kind-specific rules, field validation, admission, generation and field
    /// ownership.
    fn prepare(
        &self,
        t: &ResourceType,
        key: &Key,
        old: Option<&Value>,
        mut new: Value,
        how: &How<'_>,
    ) -> Result<Value, ApiError> {
        let subject = t.subject(&key.name);
        ensure_object(&mut new)?;
        match new.pointer("/metadata/name").and_then(Value::as_str) {
            Some(name) if name != key.name => {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({name}) does not match the name on the URL ({})",
                    key.name
                )))
            }
            _ => new["metadata"]["name"] = json!(key.name),
        }
        if t.namespaced {
            match new.pointer("/metadata/namespace").and_then(Value::as_str) {
                Some(ns) if !ns.is_empty() && ns != key.namespace => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ))
                }
                _ => new["metadata"]["namespace"] = json!(key.namespace),
            }
        } else if let Some(m) = new["metadata"].as_object_mut() {
            m.remove("namespace");
        }
        if let Some(old) = old {
            let sent = new
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !sent.is_empty() && sent != meta_str(old, "resourceVersion") {
                return Err(ApiError::conflict(&subject));
            }
        }
        new["apiVersion"] = json!(t.storage_api_version());
        new["kind"] = json!(t.kind);

        // The status subresource: status writes change only status, and the
        // main resource cannot change status.
        let separate = t.status_subresource;
        match (old, how.scope) {
            (Some(old), Scope::Status) => {
                let status = new.get("status").cloned();
                let managed = new.pointer("/metadata/managedFields").cloned();
                let mut only_status = old.clone();
                set_or_remove(&mut only_status, "status", status);
                if let Some(m) = managed {
                    only_status["metadata"]["managedFields"] = m;
                }
                new = only_status;
            }
            (Some(old), Scope::Main { .. }) if separate => {
                set_or_remove(&mut new, "status", old.get("status").cloned());
            }
            (None, _) if separate => set_or_remove(&mut new, "status", None),
            _ => {}
        }

        // System metadata is the server's, not the client's.
        if let Some(old) = old {
            for system in [
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
            ] {
                set_or_remove(
                    &mut new["metadata"],
                    system,
                    old["metadata"].get(system).cloned(),
                );
            }
            if old.pointer("/metadata/deletionTimestamp").is_some() {
                let before = finalizers(old);
                if finalizers(&new).iter().any(|f| !before.contains(f)) {
                    return Err(ApiError::invalid_fields(
                        &subject,
                        &[(
                            "metadata.finalizers".into(),
                            "Forbidden: no new finalizers can be added if the object is being deleted".into(),
                        )],
                    ));
                }
            }
        }

        self.kind_specific(t, &subject, &mut new)?;

        if let Some(schema) = &t.schema {
            self.validate_fields(t, schema, &mut new, how.options)?;
            new = schema
                .admit(&new, old)
                .map_err(|invalid| ApiError::invalid(&subject, &invalid))?;
        }
        // After defaulting, so that leaving out a defaulted field is no change.
        let generation = match old {
            None => 1,
            Some(old) => {
                let generation = old
                    .pointer("/metadata/generation")
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                generation + i64::from(desired_state_changed(old, &new, separate))
            }
        };
        new["metadata"]["generation"] = json!(generation);
        if how.record {
            let writer = self.writer(t, how.options, how.scope);
            managed::record_update(old, &mut new, &writer.borrowed());
        }
        Ok(new)
    }

    /// `fieldValidation`: Strict refuses unknown fields (400, as kube-apiserver
    /// words it), Warn (the default) drops them with a warning, Ignore drops them.
    fn validate_fields(
        &self,
        t: &ResourceType,
        schema: &crate::schema::ObjectSchema,
        object: &mut Value,
        options: &WriteOptions<'_>,
    ) -> Result<(), ApiError> {
        let unknown = schema.prune_unknown_fields(object);
        if unknown.is_empty() {
            return Ok(());
        }
        let listed: Vec<String> = unknown
            .iter()
            .map(|p| format!("unknown field \"{p}\""))
            .collect();
        match options.field_validation {
            FieldValidation::Strict => Err(ApiError::bad_request(format!(
                "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
                listed.join(", "),
                kind = t.kind,
                version = t.version,
            ))),
            FieldValidation::Warn => {
                options.warnings.borrow_mut().extend(listed);
                Ok(())
            }
            FieldValidation::Ignore => Ok(()),
        }
    }

    fn kind_specific(
        &self,
        t: &ResourceType,
        subject: &super::error::Subject,
        object: &mut Value,
    ) -> Result<(), ApiError> {
        if t.group.is_empty() && t.plural == "secrets" {
            // stringData is write-only: it is merged into data, base64-encoded.
            if let Some(Value::Object(plain)) =
                object.as_object_mut().and_then(|o| o.remove("stringData"))
            {
                let data = object
                    .as_object_mut()
                    .expect("checked by ensure_object")
                    .entry("data")
                    .or_insert_with(|| json!({}));
                let data = data
                    .as_object_mut()
                    .ok_or_else(|| ApiError::bad_request("Secret data must be a map"))?;
                for (k, v) in plain {
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(v.as_str().unwrap_or_default());
                    data.insert(k, json!(encoded));
                }
            }
            if object.get("type").is_none() {
                object["type"] = json!("Opaque");
            }
        }
        if t.is_namespace() && object.pointer("/metadata/deletionTimestamp").is_none() {
            object["status"] = json!({"phase": "Active"});
            let labels = object["metadata"]
                .as_object_mut()
                .expect("checked by ensure_object")
                .entry("labels")
                .or_insert_with(|| json!({}));
            labels
                .as_object_mut()
                .ok_or_else(|| ApiError::bad_request("metadata.labels must be a map"))?
                .insert("kubernetes.io/metadata.name".into(), json!(subject.name));
        }
        if t.is_crd() {
            self.crd_status(subject, object)?;
        }
        Ok(())
    }

    /// Checks a CRD (name, schemas that compile) and sets its status: names
    /// accepted and established, stored versions accumulated. Conditions keep
    /// their transition times, so re-applying an unchanged CRD is a no-op.
    fn crd_status(
        &self,
        subject: &super::error::Subject,
        object: &mut Value,
    ) -> Result<(), ApiError> {
        let crd: CustomResourceDefinition =
            serde_json::from_value(object.clone()).map_err(|e| {
                ApiError::invalid_fields(
                    subject,
                    &[(
                        String::new(),
                        format!("not a valid CustomResourceDefinition: {e}"),
                    )],
                )
            })?;
        let expected = format!("{}.{}", crd.spec.names.plural, crd.spec.group);
        if subject.name != expected {
            return Err(ApiError::invalid_fields(
                subject,
                &[(
                    "metadata.name".into(),
                    format!(
                        "Invalid value: \"{}\": must be spec.names.plural+\".\"+spec.group",
                        subject.name
                    ),
                )],
            ));
        }
        // Check the schemas compile before accepting the CRD.
        self.registry
            .clone()
            .register_crd(&crd)
            .map_err(|message| {
                ApiError::invalid_fields(subject, &[("spec.versions".into(), message)])
            })?;
        let previous = object.get("status").cloned().unwrap_or_default();
        let mut stored: Vec<Value> = previous
            .get("storedVersions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for version in crd.spec.versions.iter().filter(|v| v.storage) {
            if !stored.contains(&json!(version.name)) {
                stored.push(json!(version.name));
            }
        }
        let condition = |type_: &str, reason: &str| {
            let kept = previous
                .get("conditions")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter()
                        .find(|c| c["type"] == type_ && c["status"] == "True")
                });
            kept.cloned().unwrap_or_else(|| {
                json!({"type": type_, "status": "True", "reason": reason, "message": "", "lastTransitionTime": now()})
            })
        };
        object["status"] = json!({
            "acceptedNames": serde_json::to_value(&crd.spec.names).unwrap_or_default(),
            "storedVersions": stored,
            "conditions": [condition("NamesAccepted", "NoConflicts"), condition("Established", "InitialNamesAccepted")],
        });
        Ok(())
    }

    /// Stores a prepared object: no-op writes change nothing (no new
    /// resourceVersion, no watch event), a finished deletion removes it.
    fn commit(
        &mut self,
        t: &ResourceType,
        key: Key,
        old: Option<Value>,
        mut new: Value,
        dry_run: bool,
    ) -> Value {
        if let Some(old) = &old {
            if same_content(old, &new) {
                return present(t, old);
            }
        }
        if dry_run {
            return present(t, &new);
        }
        if new.pointer("/metadata/deletionTimestamp").is_some()
            && !self.deletion_blocked(t, &key, &new)
        {
            let removed = self.remove(t, &key, new);
            self.reap_terminated_containers();
            return present(t, &removed);
        }
        self.resource_version += 1;
        new["metadata"]["resourceVersion"] = json!(self.resource_version.to_string());
        if t.is_crd() {
            if let Ok(crd) = serde_json::from_value::<CustomResourceDefinition>(new.clone()) {
                // Validated in prepare(); a failure here would be a bug.
                let _ = self.registry.register_crd(&crd);
            }
        }
        let type_ = if old.is_some() {
            ChangeType::Modified
        } else {
            ChangeType::Added
        };
        self.objects.insert(key.clone(), new.clone());
        self.publish(type_, key, old, new.clone());
        present(t, &new)
    }

    fn remove(&mut self, t: &ResourceType, key: &Key, mut object: Value) -> Value {
        let old = self.objects.remove(key);
        self.resource_version += 1;
        object["metadata"]["resourceVersion"] = json!(self.resource_version.to_string());
        if t.is_crd() {
            if let Some((group, plural)) = crd_group_plural(&object) {
                self.registry.unregister(&group, &plural);
            }
        }
        self.publish(ChangeType::Deleted, key.clone(), old, object.clone());
        object
    }

    fn publish(&mut self, type_: ChangeType, key: Key, old: Option<Value>, object: Value) {
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

/// A writer that owns its strings, lent out as a `managed::Writer`.
struct OwnedWriter<'a> {
    manager: &'a str,
    scope: Scope,
    api_version: String,
    now: String,
}

impl OwnedWriter<'_> {
    fn borrowed(&self) -> Writer<'_> {
        Writer {
            manager: self.manager,
            scope: self.scope,
            api_version: &self.api_version,
            now: &self.now,
        }
    }
}

/// The object as served: in the shape, apiVersion and kind asked for.
pub fn present(t: &ResourceType, object: &Value) -> Value {
    t.present(object)
}

fn scope_of(t: &ResourceType, subresource: Option<&str>) -> Scope {
    match subresource {
        Some("status") => Scope::Status,
        _ => Scope::Main {
            status_is_separate: t.status_subresource,
        },
    }
}

fn object_name(t: &ResourceType, body: &Value) -> Result<String, ApiError> {
    let meta = |field: &str| {
        body.pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(name) = meta("name") {
        return Ok(name.to_string());
    }
    if let Some(prefix) = meta("generateName") {
        let suffix: String = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .chars()
            .take(5)
            .collect();
        return Ok(format!("{prefix}{suffix}"));
    }
    Err(ApiError::invalid_fields(
        &t.subject(""),
        &[(
            "metadata.name".into(),
            "Required value: name or generateName is required".into(),
        )],
    ))
}

/// Request bodies must be objects whose metadata, if any, is an object.
fn ensure_object(body: &mut Value) -> Result<(), ApiError> {
    let Some(map) = body.as_object_mut() else {
        return Err(ApiError::bad_request(
            "the request body must be a JSON or YAML object",
        ));
    };
    match map.get("metadata") {
        None | Some(Value::Null) => {
            map.insert("metadata".into(), json!({}));
            Ok(())
        }
        Some(Value::Object(_)) => Ok(()),
        Some(_) => Err(ApiError::bad_request("metadata must be an object")),
    }
}

/// A server-side apply body names the object it applies to and, if it
/// carries a resourceVersion, applies only to that version.
fn check_apply_body(
    t: &ResourceType,
    body: &Value,
    name: &str,
    current: Option<&Value>,
) -> Result<(), ApiError> {
    for field in ["apiVersion", "kind"] {
        if body
            .get(field)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiError::bad_request(format!(
                "{field} must be set in a server-side apply patch"
            )));
        }
    }
    if let Some(given) = body.pointer("/metadata/name").and_then(Value::as_str) {
        if given != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({given}) does not match the name on the URL ({name})"
            )));
        }
    }
    let sent = body
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !sent.is_empty() && current.is_none_or(|c| meta_str(c, "resourceVersion") != sent) {
        return Err(ApiError::conflict(&t.subject(name)));
    }
    Ok(())
}

fn meta_str<'a>(object: &'a Value, field: &str) -> &'a str {
    object
        .get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn finalizers(object: &Value) -> Vec<String> {
    object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn has_finalizers(object: &Value) -> bool {
    !finalizers(object).is_empty()
}

fn set_or_remove(object: &mut Value, field: &str, value: Option<Value>) {
    if let Some(map) = object.as_object_mut() {
        match value {
            Some(v) => {
                map.insert(field.to_string(), v);
            }
            None => {
                map.remove(field);
            }
        }
    }
}

/// Whether the desired state changed: everything but metadata (and status,
/// when status is a subresource). This is what bumps `metadata.generation`.
fn desired_state_changed(old: &Value, new: &Value, status_is_separate: bool) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("apiVersion");
            m.remove("kind");
            if status_is_separate {
                m.remove("status");
            }
        }
        v
    };
    strip(old) != strip(new)
}

/// Equal but for resourceVersion and managedFields timestamps and order: a
/// no-op write.
fn same_content(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v["metadata"].as_object_mut() {
            m.remove("resourceVersion");
            if let Some(Value::Array(entries)) = m.get_mut("managedFields") {
                for e in entries.iter_mut() {
                    if let Some(e) = e.as_object_mut() {
                        e.remove("time");
                    }
                }
                entries.sort_by_key(|e| e.to_string());
            }
        }
        v
    };
    strip(old) == strip(new)
}

fn crd_group_plural(crd: &Value) -> Option<(String, String)> {
    let group = crd.pointer("/spec/group")?.as_str()?;
    let plural = crd.pointer("/spec/names/plural")?.as_str()?;
    Some((group.to_string(), plural.to_string()))
}

/// Where the next page starts, and at which resourceVersion the list is served.
#[derive(serde::Serialize, serde::Deserialize)]
struct Continue {
    #[serde(rename = "rv")]
    resource_version: u64,
    #[serde(rename = "ns")]
    namespace: String,
    name: String,
}

fn encode_continue(position: &Continue) -> String {
    let raw = serde_json::to_vec(position).expect("serializes");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_continue(token: &str) -> Result<Continue, ApiError> {
    let invalid = || {
        ApiError::bad_request("the continue token is not valid; start the list again without it")
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| invalid())?;
    serde_json::from_slice(&raw).map_err(|_| invalid())
}
