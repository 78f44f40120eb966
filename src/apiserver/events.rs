//! `events.k8s.io/v1` Events and core `v1` Events are two views of the same
//! objects, as in Kubernetes: what the operator records through the new API
//! shows in `kubectl get events` and `kubectl describe`, which read the old one.
//! Objects are stored in the core shape; these convert between the two.

use serde_json::{Map, Value};

/// (core v1 field, events.k8s.io/v1 field)
const RENAMED: [(&str, &str); 7] = [
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("reportingComponent", "reportingController"),
    ("count", "deprecatedCount"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("source", "deprecatedSource"),
];

/// events.k8s.io/v1 shape -> stored core shape. Works on partial objects
/// (merge patches) too: absent fields stay absent.
pub fn to_core(event: Value) -> Value {
    rename(event, |(core, new)| (new, core))
}

/// Stored core shape -> events.k8s.io/v1 shape.
pub fn from_core(event: Value) -> Value {
    rename(event, |(core, new)| (core, new))
}

fn rename(
    event: Value,
    direction: impl Fn((&'static str, &'static str)) -> (&'static str, &'static str),
) -> Value {
    let Value::Object(mut fields) = event else {
        return event;
    };
    let mut out = Map::new();
    for pair in RENAMED {
        let (from, to) = direction(pair);
        if let Some(value) = fields.remove(from) {
            out.insert(to.to_string(), value);
        }
    }
    for (k, v) in fields {
        out.entry(k).or_insert(v);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_two_event_shapes_round_trip() {
        let new = json!({"regarding": {"kind": "LiveChannel", "name": "news"}, "note": "created", "reason": "Created", "series": {"count": 2}});
        let core = to_core(new.clone());
        assert_eq!(core["involvedObject"]["name"], "news");
        assert_eq!(core["message"], "created");
        assert!(core.get("note").is_none());
        assert_eq!(from_core(core), new);
    }
}
