//! Admission: everything a write does to an object before it is stored
//! (identity, status subresource, optimistic concurrency, system metadata,
//! kind-specific rules, field validation, schema, generation, field ownership).

use base64::Engine as _;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{json, Value};

use super::meta::{ensure_object, finalizers, meta_str};
use super::{now, FieldValidation, How, Key, State, WriteOptions};
use crate::apiserver::error::{ApiError, Subject};
use crate::apiserver::managed::{self, Scope};
use crate::apiserver::registry::ResourceType;

impl State {
    /// Everything a write does to an object before it is stored: identity,
    /// status subresource rules, optimistic concurrency, system metadata,
    /// kind-specific rules, field validation, admission, generation and field
    /// ownership.
    pub(super) fn prepare(
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
        subject: &Subject,
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
        if t.kind == "Event" {
            event_namespace(subject, object)?;
        }
        Ok(())
    }

    /// Checks a CRD (name, schemas that compile) and sets its status: names
    /// accepted and established, stored versions accumulated. Conditions keep
    /// their transition times, so re-applying an unchanged CRD is a no-op.
    fn crd_status(&self, subject: &Subject, object: &mut Value) -> Result<(), ApiError> {
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

/// An Event lives in the namespace of the object it is about, and one about
/// a cluster-scoped object in `default`: kube-apiserver refuses it anywhere
/// else (both Event APIs; stored in the core shape here), in these words.
fn event_namespace(subject: &Subject, event: &Value) -> Result<(), ApiError> {
    let namespace = event
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let about = event
        .pointer("/involvedObject/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let fits = if about.is_empty() {
        namespace.is_empty() || namespace == "default"
    } else {
        about == namespace
    };
    if fits {
        return Ok(());
    }
    // Validated as the core Event both APIs share: named without a group.
    let core = Subject {
        group: String::new(),
        plural: subject.plural.clone(),
        kind: subject.kind.clone(),
        name: subject.name.clone(),
    };
    Err(ApiError::invalid_fields(
        &core,
        &[(
            "involvedObject.namespace".into(),
            format!("Invalid value: \"{about}\": does not match event.namespace"),
        )],
    ))
}
