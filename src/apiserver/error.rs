//! API errors as `metav1.Status` objects, worded like kube-apiserver's so that
//! kube-rs maps them to the same `ErrorResponse` and kubectl prints them the same.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::schema::Invalid;

/// Identifies the resource an error is about (`livechannels.onair.dev "x"`).
#[derive(Debug, Clone)]
pub struct Subject {
    pub group: String,
    pub plural: String,
    pub kind: String,
    pub name: String,
}

impl Subject {
    fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    fn details(&self) -> Value {
        json!({"name": self.name, "group": self.group, "kind": self.plural})
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    pub fn not_found(subject: &Subject) -> Self {
        Self {
            details: Some(subject.details()),
            ..Self::new(
                404,
                "NotFound",
                format!(
                    "{} \"{}\" not found",
                    subject.group_resource(),
                    subject.name
                ),
            )
        }
    }

    pub fn no_such_path(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
    }

    pub fn already_exists(subject: &Subject) -> Self {
        Self {
            details: Some(subject.details()),
            ..Self::new(
                409,
                "AlreadyExists",
                format!(
                    "{} \"{}\" already exists",
                    subject.group_resource(),
                    subject.name
                ),
            )
        }
    }

    /// A write based on a stale `resourceVersion` (optimistic concurrency).
    pub fn conflict(subject: &Subject) -> Self {
        Self {
            details: Some(subject.details()),
            ..Self::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {} \"{}\": the object has been modified; \
                     please apply your changes to the latest version and try again",
                    subject.group_resource(),
                    subject.name
                ),
            )
        }
    }

    /// Server-side apply found fields owned by other managers. As
    /// kube-apiserver: no name or kind in the details, and the count spelled
    /// out ("1 conflict", "2 conflicts").
    pub fn apply_conflict(conflicts: &[(String, String)]) -> Self {
        let listed: Vec<String> = conflicts
            .iter()
            .map(|(manager, field)| format!("conflict with \"{manager}\": {field}"))
            .collect();
        let causes: Vec<Value> = conflicts
            .iter()
            .map(|(manager, field)| {
                json!({"reason": "FieldManagerConflict", "message": format!("conflict with \"{manager}\""), "field": field})
            })
            .collect();
        let count = match conflicts.len() {
            1 => "1 conflict".to_string(),
            n => format!("{n} conflicts"),
        };
        Self {
            details: Some(json!({"causes": causes})),
            ..Self::new(
                409,
                "Conflict",
                format!("Apply failed with {count}: {}", listed.join(", ")),
            )
        }
    }

    /// Rejected by validation: 422 with one cause per field, which kubectl prints
    /// as `The LiveChannel "x" is invalid: spec.y: ...`.
    pub fn invalid(subject: &Subject, invalid: &Invalid) -> Self {
        let fields: Vec<(String, String)> = invalid
            .errors
            .iter()
            .map(|e| (e.path.clone(), e.detail.clone()))
            .collect();
        Self::invalid_fields(subject, &fields)
    }

    /// 422 from `(field path, detail)` pairs.
    pub fn invalid_fields(subject: &Subject, fields: &[(String, String)]) -> Self {
        let parts: Vec<String> = fields
            .iter()
            .map(|(path, detail)| {
                if path.is_empty() {
                    detail.clone()
                } else {
                    format!("{path}: {detail}")
                }
            })
            .collect();
        let joined = if parts.len() == 1 {
            parts[0].clone()
        } else {
            format!("[{}]", parts.join(", "))
        };
        let kind_group = if subject.group.is_empty() {
            subject.kind.clone()
        } else {
            format!("{}.{}", subject.kind, subject.group)
        };
        let causes: Vec<Value> = fields
            .iter()
            .map(|(path, detail)| json!({"reason": crate::schema::cause_reason(detail), "message": detail, "field": path}))
            .collect();
        Self {
            details: Some(json!({
                "name": subject.name, "group": subject.group, "kind": subject.kind, "causes": causes
            })),
            ..Self::new(
                422,
                "Invalid",
                format!("{kind_group} \"{}\" is invalid: {joined}", subject.name),
            )
        }
    }

    /// A JSON patch that does not apply (a failed `test`, a missing path):
    /// kube-apiserver answers 422 with this generic message and no details
    /// (the patch library's error is only logged, here as there).
    pub fn patch_not_applicable(error: &str) -> Self {
        tracing::debug!(%error, "a patch did not apply");
        Self::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
        )
    }

    /// Server-side apply without `?fieldManager=`.
    pub fn apply_needs_field_manager() -> Self {
        Self {
            details: Some(json!({"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
                {"reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"}
            ]})),
            ..Self::new(
                422,
                "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            )
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {content_type:?})"))
    }

    /// The watch or continue token refers to history that is no longer kept.
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(self.to_status())).into_response()
    }
}
