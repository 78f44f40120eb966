//! Field paths as kube-apiserver prints them (`spec.items[0].name`): joined,
//! converted from JSON pointers, and followed into an object.

use serde_json::Value;

pub(super) fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// JSON pointer `/spec/items/0/name` -> `spec.items[0].name`.
pub(super) fn dotted(pointer: &str) -> String {
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

/// The value at a dotted path such as `spec.renditions[1].name`.
pub(super) fn value_at<'a>(object: &'a Value, dotted: &str) -> Option<&'a Value> {
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
