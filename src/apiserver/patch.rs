//! The non-apply patch formats: JSON merge patch (RFC 7386), JSON patch
//! (RFC 6902, with `test`) and strategic merge patch, which kubectl sends for
//! built-in kinds.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    Json,
    Strategic,
    Apply,
}

impl PatchType {
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        match content_type.split(';').next().unwrap_or_default().trim() {
            "application/merge-patch+json" => Some(Self::Merge),
            "application/json-patch+json" => Some(Self::Json),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+json" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// Applies a merge, JSON or strategic patch to `target`; the error is a sentence
/// for the 422 the API server answers.
pub fn apply_patch(kind: PatchType, target: &Value, patch: &Value) -> Result<Value, String> {
    let mut out = target.clone();
    match kind {
        PatchType::Merge => json_patch::merge(&mut out, patch),
        PatchType::Strategic => json_patch::merge(&mut out, &strategic_as_merge(patch)),
        PatchType::Json => {
            let operations: json_patch::Patch = serde_json::from_value(patch.clone())
                .map_err(|e| format!("the JSON patch is malformed: {e}"))?;
            for operation in operations.0 {
                // As in kube-apiserver (evanphx/json-patch), testing a missing
                // path for null succeeds: kube-rs's finalizer helper relies on it.
                if let json_patch::PatchOperation::Test(test) = &operation {
                    if test.value.is_null() && out.pointer(test.path.as_str()).is_none() {
                        continue;
                    }
                }
                json_patch::patch(&mut out, &[operation]).map_err(|e| e.to_string())?;
            }
        }
        PatchType::Apply => unreachable!("server-side apply is handled by the field manager"),
    }
    Ok(out)
}

/// Strategic merge patch reduced to merge patch semantics: the objects this
/// server stores without schemas (Secrets, ConfigMaps, Leases, Events) have no
/// lists merged by key, so only the directives need translating.
fn strategic_as_merge(patch: &Value) -> Value {
    match patch {
        Value::Object(map) => {
            if map.get("$patch").and_then(Value::as_str) == Some("delete") {
                return Value::Null;
            }
            let cleaned = map
                .iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strategic_as_merge(v)))
                .collect();
            Value::Object(cleaned)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_patch_test_operation_guards_the_change() {
        let object = json!({"metadata": {"finalizers": ["a", "b"]}});
        let guarded = json!([
            {"op": "test", "path": "/metadata/finalizers", "value": ["a", "b"]},
            {"op": "remove", "path": "/metadata/finalizers/0"}
        ]);
        let patched = apply_patch(PatchType::Json, &object, &guarded).unwrap();
        assert_eq!(patched["metadata"]["finalizers"], json!(["b"]));
        assert!(apply_patch(PatchType::Json, &patched, &guarded).is_err());
    }

    #[test]
    fn testing_a_missing_path_for_null_succeeds() {
        let object = json!({"metadata": {}});
        let add_first = json!([
            {"op": "test", "path": "/metadata/finalizers", "value": null},
            {"op": "add", "path": "/metadata/finalizers", "value": ["x"]}
        ]);
        let patched = apply_patch(PatchType::Json, &object, &add_first).unwrap();
        assert_eq!(patched["metadata"]["finalizers"], json!(["x"]));
        // Now the path exists, so the same guard fails.
        assert!(apply_patch(PatchType::Json, &patched, &add_first).is_err());
    }

    #[test]
    fn merge_and_strategic_patches_merge_maps_and_drop_nulls() {
        let object = json!({"data": {"a": "1", "b": "2"}});
        let patch = json!({"data": {"a": null, "c": "3"}, "$setElementOrder/x": []});
        let merged = apply_patch(PatchType::Strategic, &object, &patch).unwrap();
        assert_eq!(merged, json!({"data": {"b": "2", "c": "3"}}));
        assert_eq!(
            PatchType::from_content_type("application/merge-patch+json; charset=utf-8"),
            Some(PatchType::Merge)
        );
    }
}
