//! Reading an object's metadata as the verbs need it (resourceVersion, uid,
//! finalizers, a CRD's group and plural): shared by writes, admission and
//! deletion, so kept apart from all three.

use serde_json::{json, Value};

use crate::apiserver::error::ApiError;

/// Request bodies must be objects whose metadata, if any, is an object.
pub(super) fn ensure_object(body: &mut Value) -> Result<(), ApiError> {
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

pub(super) fn meta_str<'a>(object: &'a Value, field: &str) -> &'a str {
    object
        .get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub(super) fn finalizers(object: &Value) -> Vec<String> {
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

pub(super) fn has_finalizers(object: &Value) -> bool {
    !finalizers(object).is_empty()
}

pub(super) fn crd_group_plural(crd: &Value) -> Option<(String, String)> {
    let group = crd.pointer("/spec/group")?.as_str()?;
    let plural = crd.pointer("/spec/names/plural")?.as_str()?;
    Some((group.to_string(), plural.to_string()))
}
