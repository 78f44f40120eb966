//! What differs between two configurations, field by field, for `onair plan`
//! and for drift events: `path: old -> new` lines over their JSON forms.

use serde::Serialize;
use serde_json::Value;

/// The differing fields of `observed` and `desired`, as `path: old -> new`.
pub fn changes(observed: &impl Serialize, desired: &impl Serialize) -> Vec<String> {
    let (Ok(a), Ok(b)) = (
        serde_json::to_value(observed),
        serde_json::to_value(desired),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk("", &a, &b, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(
                    &sub,
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (x, y) if x != y => out.push(format!(
            "{}: {} -> {}",
            if path.is_empty() { "." } else { path },
            short(x),
            short(y)
        )),
        _ => {}
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fields_are_named_by_path() {
        let a = serde_json::json!({"x": {"y": 1, "z": [1, 2]}, "k": "same"});
        let b = serde_json::json!({"x": {"y": 2, "z": [1, 2]}, "k": "same", "n": true});
        assert_eq!(changes(&a, &b), ["n: null -> true", "x.y: 1 -> 2"]);
    }
}
