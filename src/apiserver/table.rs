//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: the server-side
//! printing `kubectl get` asks for, built from a CRD's `additionalPrinterColumns`
//! the way kube-apiserver's table convertor does.

use serde_json::{json, Value};

use super::registry::{PrinterColumn, ResourceType};

/// Whether the client asked for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let params: Vec<&str> = part.split(';').map(str::trim).collect();
        params.contains(&"as=Table") && params.contains(&"g=meta.k8s.io")
    })
}

/// Whether the client asked for metadata only (`as=PartialObjectMetadata`,
/// what kube's `metadata_watcher` and controller-runtime's metadata-only
/// watches send).
pub fn wants_metadata(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let params: Vec<&str> = part.split(';').map(str::trim).collect();
        (params.contains(&"as=PartialObjectMetadata")
            || params.contains(&"as=PartialObjectMetadataList"))
            && params.contains(&"g=meta.k8s.io")
    })
}

/// An object as PartialObjectMetadata: its metadata only.
pub fn partial_metadata(object: &Value) -> Value {
    json!({
        "apiVersion": "meta.k8s.io/v1",
        "kind": "PartialObjectMetadata",
        "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// A Table of `objects`. `include_object` is the `includeObject` query parameter.
pub fn table(
    t: &ResourceType,
    objects: &[Value],
    resource_version: &str,
    continue_token: Option<&str>,
    include_object: Option<&str>,
    now: jiff::Timestamp,
) -> Value {
    let columns = columns(t);
    let definitions: Vec<Value> = columns
        .iter()
        .map(|c| {
            let mut d = json!({"name": c.name, "type": c.type_, "format": "", "description": c.description, "priority": c.priority});
            if c.json_path == ".metadata.name" {
                d["format"] = json!("name");
            }
            d
        })
        .collect();
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            let cells: Vec<Value> = columns.iter().map(|c| cell(c, object, now)).collect();
            let shown = match include_object {
                Some("None") => Value::Null,
                Some("Object") => object.clone(),
                _ => json!({
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": object.get("metadata").cloned().unwrap_or_default(),
                }),
            };
            json!({"cells": cells, "object": shown})
        })
        .collect();
    let mut metadata = json!({"resourceVersion": resource_version});
    if let Some(token) = continue_token {
        metadata["continue"] = json!(token);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": definitions,
        "rows": rows,
    })
}

fn columns(t: &ResourceType) -> Vec<PrinterColumn> {
    let column = |name: &str, type_: &str, path: &str, description: &str| PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        json_path: path.into(),
        description: description.into(),
        priority: 0,
    };
    let mut out = vec![column(
        "Name",
        "string",
        ".metadata.name",
        "Name must be unique within a namespace.",
    )];
    if t.columns.is_empty() {
        out.push(column(
            "Age",
            "date",
            ".metadata.creationTimestamp",
            "When the object was created.",
        ));
    } else {
        out.extend(t.columns.iter().cloned());
    }
    out
}

fn cell(column: &PrinterColumn, object: &Value, now: jiff::Timestamp) -> Value {
    let values = evaluate(&column.json_path, object);
    let Some(first) = values.first() else {
        return Value::Null;
    };
    match column.type_.as_str() {
        "date" => match first
            .as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        {
            Some(at) => json!(human_duration((now - at).get_seconds())),
            None => Value::Null,
        },
        "integer" | "number" | "boolean" if values.len() == 1 => first.clone(),
        _ => {
            let parts: Vec<String> = values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            json!(parts.join(","))
        }
    }
}

/// Evaluates the JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[*]`
/// and `.a[?(@.k=="v")]`.
pub fn evaluate(path: &str, root: &Value) -> Vec<Value> {
    let mut current = vec![root.clone()];
    for step in steps(path) {
        let mut next = Vec::new();
        for value in &current {
            match &step {
                Step::Field(name) => next.extend(value.get(name).cloned()),
                Step::Index(i) => next.extend(value.get(*i).cloned()),
                Step::All => next.extend(value.as_array().into_iter().flatten().cloned()),
                Step::Filter(field, expected) => next.extend(
                    value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|item| item.get(field).and_then(Value::as_str) == Some(expected))
                        .cloned(),
                ),
            }
        }
        current = next;
    }
    current.retain(|v| !v.is_null());
    current
}

enum Step {
    Field(String),
    Index(usize),
    All,
    Filter(String, String),
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut rest = path.trim().trim_start_matches('{').trim_end_matches('}');
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end > 0 {
                out.push(Step::Field(after[..end].to_string()));
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').unwrap_or(after.len());
            let inner = &after[..end];
            rest = after.get(end + 1..).unwrap_or("");
            if inner == "*" {
                out.push(Step::All);
            } else if let Ok(i) = inner.parse() {
                out.push(Step::Index(i));
            } else if let Some(filter) =
                inner.strip_prefix("?(@.").and_then(|f| f.strip_suffix(')'))
            {
                if let Some((field, value)) = filter.split_once("==") {
                    let value = value.trim().trim_matches(['"', '\'']);
                    out.push(Step::Filter(field.trim().to_string(), value.to_string()));
                }
            }
        } else {
            // Not part of the subset: stop rather than guess.
            break;
        }
    }
    out
}

/// Ages the way kubectl prints them (k8s.io/apimachinery `duration.HumanDuration`).
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return match seconds % 60 {
            0 => format!("{minutes}m"),
            s => format!("{minutes}m{s}s"),
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return match minutes % 60 {
            0 => format!("{hours}h"),
            m => format!("{hours}h{m}m"),
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return match hours % 24 {
            0 => format!("{}d", hours / 24),
            h => format!("{}d{h}h", hours / 24),
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        return match (hours / 24) % 365 {
            0 => format!("{}y", hours / 24 / 365),
            d => format!("{}y{d}d", hours / 24 / 365),
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_column_paths_evaluate_like_kubectl() {
        let object = json!({
            "spec": {"names": ["a", "b"]},
            "status": {"conditions": [
                {"type": "Stalled", "status": "False"},
                {"type": "Ready", "status": "True", "reason": "Running"}
            ]}
        });
        assert_eq!(
            evaluate(".status.conditions[?(@.type==\"Ready\")].status", &object),
            vec![json!("True")]
        );
        assert_eq!(evaluate(".spec.names[1]", &object), vec![json!("b")]);
        assert_eq!(evaluate(".spec.names[*]", &object).len(), 2);
        assert!(evaluate(".status.missing", &object).is_empty());
    }

    #[test]
    fn ages_print_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(150), "2m30s");
        assert_eq!(human_duration(3 * 3600), "3h");
        assert_eq!(human_duration(50 * 3600), "2d2h");
        assert_eq!(human_duration(-30), "<invalid>");
    }

    #[test]
    fn table_accept_header_is_recognised() {
        assert!(wants_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
        ));
        assert!(!wants_table("application/json"));
    }
}
