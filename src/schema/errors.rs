//! Field errors and how kube-apiserver words them: the structural (JSON Schema)
//! and CEL failures of an admission, their `StatusCause` reasons, and the
//! `Invalid` that reports every one at once.

use std::fmt;

use serde_json::{Map, Value};

use super::paths::{dotted, join, value_at};

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
    pub(super) fn blocks_cel(&self) -> bool {
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

pub(super) fn structural_error(error: &jsonschema::ValidationError<'_>) -> FieldError {
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

pub(super) fn cel_error(failure: &kube_cel::ValidationError, object: &Value) -> FieldError {
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
