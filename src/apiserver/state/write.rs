//! Writes: create, update (PUT) and patch (all four formats, server-side apply
//! included), and the commit that stores a prepared object, bumps the
//! resourceVersion and publishes the change.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{json, Value};

use super::meta::{crd_group_plural, ensure_object, meta_str};
use super::{now, present, Address, ChangeType, How, Key, State, WriteOptions};
use crate::apiserver::error::{ApiError, Subject};
use crate::apiserver::managed::{self, Scope, Writer};
use crate::apiserver::patch::{apply_patch, PatchType};
use crate::apiserver::registry::ResourceType;

impl State {
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

    pub(super) fn existing(&self, t: &ResourceType, key: &Key) -> Result<Value, ApiError> {
        self.objects
            .get(key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&t.subject(&key.name)))
    }

    pub(super) fn writer<'a>(
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
            None => Err(ApiError::not_found(&Subject {
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

    /// Stores a prepared object: no-op writes change nothing (no new
    /// resourceVersion, no watch event), a finished deletion removes it.
    pub(super) fn commit(
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

    pub(super) fn remove(&mut self, t: &ResourceType, key: &Key, mut object: Value) -> Value {
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
}

/// A writer that owns its strings, lent out as a `managed::Writer`.
pub(super) struct OwnedWriter<'a> {
    manager: &'a str,
    scope: Scope,
    api_version: String,
    now: String,
}

impl OwnedWriter<'_> {
    pub(super) fn borrowed(&self) -> Writer<'_> {
        Writer {
            manager: self.manager,
            scope: self.scope,
            api_version: &self.api_version,
            now: &self.now,
        }
    }
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
