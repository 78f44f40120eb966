//! Admission of custom objects against a CRD's OpenAPI schema, the way
//! kube-apiserver does it: unknown fields (strict field validation), defaults,
//! structural validation (types, enums, patterns, ranges, sizes) and the
//! `x-kubernetes-validations` CEL rules, with `oldSelf` on updates.
//!
//! The local API server admits objects with this, and tests use it to prove the
//! examples and the invalid examples behave as documented. Error strings follow
//! kube-apiserver's wording so that `kubectl` output looks familiar.

use std::fmt;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{Map, Value};

/// A CRD version's schema, compiled once and used for every admission.
pub struct ObjectSchema {
    kind: String,
    openapi: Value,
    structural: jsonschema::Validator,
    cel_rules: kube_cel::CompiledSchema,
    /// Whether any node has `x-kubernetes-validations` (kube-apiserver has
    /// no CEL validator for a schema without them).
    has_cel_rules: bool,
    cel: kube_cel::Validator,
}

/// kube-apiserver's note when CEL rules were skipped.
const CEL_SKIPPED: &str = "Invalid value: null: some validation rules were not checked because \
                           the object was invalid; correct the existing errors to complete validation";

/// The schema itself cannot be used (a bug in a CRD, not in an object).
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("CRD {crd} has no version {version} with an openAPIV3Schema")]
    NoSchema { crd: String, version: String },
    #[error("CRD {crd}: the schema does not compile: {message}")]
    Invalid { crd: String, message: String },
}

/// One rejected field, worded like kube-apiserver's `field.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path such as `spec.input.rtmpPush.allowedCidrs[0]`.
    pub path: String,
    /// What is wrong, such as `Required value` or `Invalid value: "x": ...`.
    pub detail: String,
}

impl FieldError {
    /// The errors after which kube-apiserver runs no CEL rule
    /// (apiextensions' `hasBlockingErr`: unsupported, required, too long,
    /// too many, wrong type or format).
    fn blocks_cel(&self) -> bool {
        matches!(
            cause_reason(&self.detail),
            "FieldValueNotSupported"
                | "FieldValueRequired"
                | "FieldValueTooLong"
                | "FieldValueTooMany"
        ) || self.detail.contains(" in body must be of type ")
    }
}

/// The `StatusCause` reason kube-apiserver gives a field error, read from
/// how its detail starts (`field.ErrorType`).
pub fn cause_reason(detail: &str) -> &'static str {
    [
        ("Unsupported value", "FieldValueNotSupported"),
        ("Required value", "FieldValueRequired"),
        ("Too many", "FieldValueTooMany"),
        ("Too long", "FieldValueTooLong"),
        ("Forbidden", "FieldValueForbidden"),
        ("Duplicate value", "FieldValueDuplicate"),
    ]
    .iter()
    .find(|(prefix, _)| detail.starts_with(prefix))
    .map_or("FieldValueInvalid", |(_, reason)| reason)
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.detail)
        } else {
            write!(f, "{}: {}", self.path, self.detail)
        }
    }
}

/// An object the schema rejects: every reason at once, as the API server reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid {
    pub kind: String,
    pub name: String,
    pub errors: Vec<FieldError>,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \"{}\" is invalid: ", self.kind, self.name)?;
        let parts: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        if parts.len() == 1 {
            f.write_str(&parts[0])
        } else {
            write!(f, "[{}]", parts.join(", "))
        }
    }
}

impl ObjectSchema {
    /// Compiles the schema of `version` of a CRD.
    pub fn for_crd(crd: &CustomResourceDefinition, version: &str) -> Result<Self, SchemaError> {
        let crd_name = crd.metadata.name.clone().unwrap_or_default();
        let openapi = crd
            .spec
            .versions
            .iter()
            .find(|v| v.name == version)
            .and_then(|v| v.schema.as_ref())
            .and_then(|s| s.open_api_v3_schema.as_ref())
            .ok_or_else(|| SchemaError::NoSchema {
                crd: crd_name.clone(),
                version: version.to_string(),
            })?;
        let openapi = serde_json::to_value(openapi).map_err(|e| SchemaError::Invalid {
            crd: crd_name.clone(),
            message: e.to_string(),
        })?;
        Self::from_openapi(&crd.spec.names.kind, openapi).map_err(|message| SchemaError::Invalid {
            crd: crd_name,
            message,
        })
    }

    /// Compiles a bare `openAPIV3Schema` for objects of `kind`.
    pub fn from_openapi(kind: &str, openapi: Value) -> Result<Self, String> {
        let structural = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&to_json_schema(&openapi))
            .map_err(|e| e.to_string())?;
        let cel_rules = kube_cel::compile_schema(&openapi);
        let broken: Vec<String> = cel_rules
            .compilation_errors()
            .iter()
            .map(|e| e.to_string())
            .collect();
        if !broken.is_empty() {
            return Err(format!("CEL rules do not compile: {}", broken.join("; ")));
        }
        Ok(Self {
            kind: kind.to_string(),
            has_cel_rules: openapi.to_string().contains("\"x-kubernetes-validations\""),
            openapi,
            structural,
            cel_rules,
            cel: kube_cel::Validator::new(),
        })
    }

    /// The raw `openAPIV3Schema`.
    pub fn openapi(&self) -> &Value {
        &self.openapi
    }

    /// Paths of the fields the schema does not know (`spec.foo`).
    pub fn unknown_fields(&self, object: &Value) -> Vec<String> {
        let mut found = Vec::new();
        prune_unknown(&self.openapi, &mut object.clone(), "", &mut found);
        found
    }

    /// Drops the fields the schema does not know; returns their paths.
    pub fn prune_unknown_fields(&self, object: &mut Value) -> Vec<String> {
        let mut found = Vec::new();
        prune_unknown(&self.openapi, object, "", &mut found);
        found
    }

    /// Admits `object` (with `old` on update): returns it with defaults applied, or
    /// every reason it is invalid.
    pub fn admit(&self, object: &Value, old: Option<&Value>) -> Result<Value, Invalid> {
        let mut errors: Vec<FieldError> = self
            .unknown_fields(object)
            .into_iter()
            .map(|path| FieldError {
                path: String::new(),
                detail: format!("unknown field \"{path}\""),
            })
            .collect();
        let defaulted = kube_cel::apply_defaults(&self.openapi, object);
        for error in self.structural.iter_errors(&defaulted) {
            errors.push(structural_error(&error));
        }
        // CEL rules assume a structurally valid object: the API server skips
        // them after an error that breaks that assumption, and says so.
        if self.has_cel_rules {
            if errors.iter().any(FieldError::blocks_cel) {
                errors.push(FieldError {
                    path: "<nil>".into(),
                    detail: CEL_SKIPPED.into(),
                });
            } else if let Err(failures) =
                self.cel.validate_compiled(&self.cel_rules, &defaulted, old)
            {
                for failure in failures.iter() {
                    errors.push(cel_error(failure, &defaulted));
                }
            }
        }
        if errors.is_empty() {
            Ok(defaulted)
        } else {
            let name = object
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            Err(Invalid {
                kind: self.kind.clone(),
                name,
                errors,
            })
        }
    }
}

/// Turns a Kubernetes structural schema into plain JSON Schema (draft 4):
/// `nullable` becomes a `null` type, formats Kubernetes does not check are dropped.
fn to_json_schema(node: &Value) -> Value {
    match node {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "format" if value != "date-time" => {}
                    "default" | "example" | "description" => {}
                    "properties" => {
                        let props = value.as_object().map(|p| {
                            p.iter()
                                .map(|(k, v)| (k.clone(), to_json_schema(v)))
                                .collect()
                        });
                        out.insert(key.clone(), props.map(Value::Object).unwrap_or_default());
                    }
                    _ => {
                        out.insert(key.clone(), to_json_schema(value));
                    }
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), serde_json::json!([t, "null"]));
                }
                if let Some(Value::Array(options)) = out.get_mut("enum") {
                    options.push(Value::Null);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// Removes the fields the schema does not know and returns their paths
/// (`spec.foo`), as kube-apiserver's field validation finds them. `metadata`
/// is the API server's own.
fn prune_unknown(schema: &Value, value: &mut Value, path: &str, found: &mut Vec<String>) {
    if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) {
        return;
    }
    match value {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            if properties.is_none() && additional.is_none() {
                return;
            }
            let mut unknown = Vec::new();
            for (name, child) in fields.iter_mut() {
                // apiVersion, kind and metadata belong to the API server, not the schema.
                if path.is_empty() && matches!(name.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let child_path = join(path, name);
                match properties.and_then(|p| p.get(name)).or(additional) {
                    Some(child_schema) => prune_unknown(child_schema, child, &child_path, found),
                    None => {
                        found.push(child_path);
                        unknown.push(name.clone());
                    }
                }
            }
            for name in unknown {
                fields.remove(&name);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    prune_unknown(item_schema, item, &format!("{path}[{i}]"), found);
                }
            }
        }
        _ => {}
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// JSON pointer `/spec/items/0/name` -> `spec.items[0].name`.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

/// A value as kube-apiserver quotes it in messages.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Object(_) => "\"object\"".into(),
        Value::Array(_) => "\"array\"".into(),
        Value::Null => "\"null\"".into(),
        other => other.to_string(),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::Null => "null",
    }
}

fn structural_error(error: &jsonschema::ValidationError<'_>) -> FieldError {
    use jsonschema::error::ValidationErrorKind as K;
    let path = dotted(error.instance_path().as_str());
    let instance: &Value = error.instance();
    let invalid = |why: String| format!("Invalid value: {}: {path} in body {why}", shown(instance));
    let (path, detail) = match error.kind() {
        K::Required { property } => (
            join(&path, property.as_str().unwrap_or_default()),
            "Required value".to_string(),
        ),
        K::Enum { options } => {
            let supported: Vec<String> = options
                .as_array()
                .into_iter()
                .flatten()
                .filter(|o| !o.is_null())
                .map(shown)
                .collect();
            (
                path.clone(),
                format!(
                    "Unsupported value: {}: supported values: {}",
                    shown(instance),
                    supported.join(", ")
                ),
            )
        }
        K::Type { kind } => {
            let expected = format!("{kind:?}").to_lowercase();
            let expected = expected
                .trim_start_matches("single(")
                .trim_end_matches(')')
                .to_string();
            (
                path.clone(),
                format!(
                    "Invalid value: \"{0}\": {path} in body must be of type {expected}: \"{0}\"",
                    type_name(instance)
                ),
            )
        }
        K::Pattern { pattern } => (path.clone(), invalid(format!("should match '{pattern}'"))),
        K::Minimum { limit } => (
            path.clone(),
            invalid(format!(
                "should be greater than or equal to {}",
                plain_number(limit)
            )),
        ),
        K::Maximum { limit } => (
            path.clone(),
            invalid(format!(
                "should be less than or equal to {}",
                plain_number(limit)
            )),
        ),
        K::MultipleOf { .. } => (path.clone(), invalid("should be a multiple of 2".into())),
        K::MinLength { limit } => (
            path.clone(),
            invalid(format!("should be at least {limit} chars long")),
        ),
        K::MaxLength { limit } => (
            path.clone(),
            format!("Too long: may not be more than {limit} bytes"),
        ),
        // kube-apiserver shows the item count as the value here.
        K::MinItems { limit } => (
            path.clone(),
            format!(
                "Invalid value: {}: {path} in body should have at least {limit} items",
                instance.as_array().map_or(0, Vec::len)
            ),
        ),
        K::MaxItems { limit } => {
            let n = instance.as_array().map_or(0, Vec::len);
            (
                path.clone(),
                format!("Too many: {n}: must have at most {limit} items"),
            )
        }
        K::MaxProperties { limit } => {
            let n = instance.as_object().map_or(0, Map::len);
            (
                path.clone(),
                format!("Too many: {n}: must have at most {limit} items"),
            )
        }
        K::Format { format } => (
            path.clone(),
            match instance {
                Value::String(text) => invalid(format!("must be of type {format}: {text:?}")),
                _ => invalid(format!("must be of type {format}")),
            },
        ),
        _ => (
            path.clone(),
            format!("Invalid value: {}: {error}", shown(instance)),
        ),
    };
    FieldError { path, detail }
}

/// `1.0` -> `1`, as Kubernetes prints integer limits.
fn plain_number(limit: &Value) -> String {
    match limit.as_f64() {
        Some(f) if f.fract() == 0.0 => format!("{}", f as i64),
        _ => limit.to_string(),
    }
}

fn cel_error(failure: &kube_cel::ValidationError, object: &Value) -> FieldError {
    match failure.kind {
        // As kube-apiserver prints a failed rule: the value when it is a
        // scalar, nothing for an object or a list.
        kube_cel::ErrorKind::ValidationFailure => FieldError {
            path: failure.field_path.clone(),
            detail: match value_at(object, &failure.field_path) {
                Some(Value::String(text)) => {
                    format!("Invalid value: {text:?}: {}", failure.message)
                }
                Some(scalar @ (Value::Number(_) | Value::Bool(_))) => {
                    format!("Invalid value: {scalar}: {}", failure.message)
                }
                _ => format!("Invalid value: {}", failure.message),
            },
        },
        _ => FieldError {
            path: failure.field_path.clone(),
            detail: format!(
                "Internal error: rule {:?} could not be evaluated: {}",
                failure.rule, failure.message
            ),
        },
    }
}

/// The value at a dotted path such as `spec.renditions[1].name`.
fn value_at<'a>(object: &'a Value, dotted: &str) -> Option<&'a Value> {
    let mut node = object;
    for part in dotted.split('.').filter(|p| !p.is_empty()) {
        let (name, indexes) = part.split_once('[').map_or((part, ""), |(n, i)| (n, i));
        if !name.is_empty() {
            node = node.get(name)?;
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            node = node.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> ObjectSchema {
        ObjectSchema::from_openapi(
            "Thing",
            json!({
                "type": "object",
                "properties": {
                    "metadata": {"type": "object"},
                    "spec": {
                        "type": "object",
                        "required": ["size"],
                        "properties": {
                            "size": {"type": "integer", "minimum": 1, "maximum": 10},
                            "mode": {"type": "string", "enum": ["A", "B"], "default": "A"},
                            "name": {"type": "string", "pattern": "^[a-z]+$", "nullable": true},
                            "labels": {"type": "object", "additionalProperties": {"type": "string"}}
                        },
                        "x-kubernetes-validations": [
                            {"rule": "self.mode != 'B' || self.size > 5", "message": "mode B needs size above 5"},
                            {"rule": "self.size >= oldSelf.size", "message": "size cannot shrink"}
                        ]
                    }
                }
            }),
        )
        .unwrap()
    }

    fn thing(spec: Value) -> Value {
        json!({"apiVersion": "x/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": spec})
    }

    fn messages(result: Result<Value, Invalid>) -> Vec<String> {
        result
            .unwrap_err()
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn defaults_are_applied_to_admitted_objects() {
        let admitted = schema()
            .admit(&thing(json!({"size": 2, "name": null})), None)
            .unwrap();
        assert_eq!(admitted["spec"]["mode"], "A");
    }

    #[test]
    fn structural_errors_use_kube_apiserver_wording() {
        let s = schema();
        assert_eq!(
            messages(s.admit(&thing(json!({})), None)),
            [
                "spec.size: Required value".to_string(),
                format!("<nil>: {CEL_SKIPPED}")
            ]
        );
        assert_eq!(
            messages(s.admit(&thing(json!({"size": 11, "mode": "C"})), None)),
            [
                "spec.mode: Unsupported value: \"C\": supported values: \"A\", \"B\"".to_string(),
                "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10".to_string(),
                format!("<nil>: {CEL_SKIPPED}")
            ]
        );
        assert_eq!(
            messages(s.admit(&thing(json!({"size": "big"})), None)),
            [
                "spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"".to_string(),
                format!("<nil>: {CEL_SKIPPED}")
            ]
        );
        // A pattern is no reason to skip the rules: they run, and pass here.
        assert_eq!(
            messages(s.admit(&thing(json!({"size": 1, "name": "X1"})), None)),
            ["spec.name: Invalid value: \"X1\": spec.name in body should match '^[a-z]+$'"]
        );
    }

    #[test]
    fn unknown_fields_are_rejected_but_maps_and_metadata_are_open() {
        let s = schema();
        let ok = thing(json!({"size": 1, "labels": {"any": "thing"}}));
        let mut with_meta = ok.clone();
        with_meta["metadata"]["labels"] = json!({"a": "b"});
        assert!(s.admit(&with_meta, None).is_ok());
        assert_eq!(
            messages(s.admit(&thing(json!({"size": 1, "colour": "red"})), None)),
            ["unknown field \"spec.colour\""]
        );
    }

    #[test]
    fn cel_rules_and_transition_rules_run() {
        let s = schema();
        assert_eq!(
            messages(s.admit(&thing(json!({"size": 2, "mode": "B"})), None)),
            ["spec: Invalid value: mode B needs size above 5"]
        );
        let old = thing(json!({"size": 5}));
        assert!(s.admit(&thing(json!({"size": 6})), Some(&old)).is_ok());
        assert_eq!(
            messages(s.admit(&thing(json!({"size": 4})), Some(&old))),
            ["spec: Invalid value: size cannot shrink"]
        );
    }

    #[test]
    fn invalid_reports_every_error_like_kubectl() {
        let err = schema()
            .admit(&thing(json!({"size": 0, "mode": "C"})), None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("Thing \"t\" is invalid: [spec.mode: Unsupported value: \"C\": supported values: \"A\", \"B\", spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1, <nil>: {CEL_SKIPPED}]")
        );
    }
}
