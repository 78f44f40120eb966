//! Admission of custom objects against a CRD's OpenAPI schema, the way
//! kube-apiserver does it: unknown fields (strict field validation), defaults,
//! structural validation (types, enums, patterns, ranges, sizes) and the
//! `x-kubernetes-validations` CEL rules, with `oldSelf` on updates.
//!
//! The local API server admits objects with this, and tests use it to prove the
//! examples and the invalid examples behave as documented. Error strings follow
//! kube-apiserver's wording so that `kubectl` output looks familiar.
//!
//! This module compiles a schema and admits objects; field errors and their
//! wording, field paths and the walks over the schema tree have their own.

mod errors;
mod paths;
mod structural;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

pub use errors::{cause_reason, FieldError, Invalid};
use errors::{cel_error, structural_error};
use structural::{prune_unknown, to_json_schema};

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
