//! Walks over a structural schema: its conversion to plain JSON Schema for the
//! validator, and the pruning of the fields it does not know.

use serde_json::{Map, Value};

use super::paths::join;

/// Turns a Kubernetes structural schema into plain JSON Schema (draft 4):
/// `nullable` becomes a `null` type, formats Kubernetes does not check are dropped.
pub(super) fn to_json_schema(node: &Value) -> Value {
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
pub(super) fn prune_unknown(
    schema: &Value,
    value: &mut Value,
    path: &str,
    found: &mut Vec<String>,
) {
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
