//! Field ownership (`metadata.managedFields`) and server-side apply.
//!
//! A simplified version of the API server's structured-merge-diff: fields are
//! tracked as leaf paths (maps are descended into, lists are atomic), which is
//! enough for the guarantee controllers and GitOps tools rely on: an apply
//! removes only fields its own manager set before, never another manager's, and
//! changing a field another manager owns is a conflict unless forced.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

type FieldPath = Vec<String>;
type FieldSet = BTreeSet<FieldPath>;

/// Which part of an object a write addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The main resource; `status` is excluded when it has its own subresource.
    Main {
        status_is_separate: bool,
    },
    Status,
}

impl Scope {
    fn subresource(self) -> Option<&'static str> {
        match self {
            Scope::Status => Some("status"),
            Scope::Main { .. } => None,
        }
    }

    fn covers(self, path: &FieldPath) -> bool {
        let in_status = path.first().is_some_and(|p| p == "status");
        match self {
            Scope::Status => in_status,
            Scope::Main { status_is_separate } => !(status_is_separate && in_status),
        }
    }
}

/// Who wrote, and how.
pub struct Writer<'a> {
    pub manager: &'a str,
    pub scope: Scope,
    pub api_version: &'a str,
    pub now: &'a str,
}

struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    subresource: Option<String>,
    fields: FieldSet,
}

/// Server-side apply of `config` by `writer` onto `current` (None: create).
/// Returns the merged object with updated managedFields, or the conflicting
/// `(manager, field)` pairs.
pub fn apply(
    current: Option<&Value>,
    config: &Value,
    writer: &Writer<'_>,
    force: bool,
) -> Result<Value, Vec<(String, String)>> {
    let mut object = current.cloned().unwrap_or_else(|| json!({}));
    let mut entries = read_entries(&object);
    let applied: FieldSet = leaves(config)
        .into_iter()
        .filter(|p| writer.scope.covers(p))
        .collect();
    let sub = writer.scope.subresource();

    let changing: Vec<&FieldPath> = applied
        .iter()
        .filter(|p| match value_at(&object, p) {
            Some(current) => Some(current) != value_at(config, p),
            // Setting a field under what is now a scalar replaces that scalar.
            None => (1..p.len())
                .any(|i| value_at(&object, &p[..i].to_vec()).is_some_and(|v| !v.is_object())),
        })
        .collect();
    // A field another manager owns conflicts, and so does one above or below
    // it (setting `spec.a` to a scalar would wipe another's `spec.a.b`).
    let overlaps =
        |owned: &FieldPath, path: &FieldPath| owned.starts_with(path) || path.starts_with(owned);
    let mut conflicts = Vec::new();
    for path in &changing {
        for e in &entries {
            if e.manager == writer.manager || e.subresource.as_deref() != sub {
                continue;
            }
            for owned in e.fields.iter().filter(|owned| overlaps(owned, path)) {
                conflicts.push((e.manager.clone(), dotted(owned)));
            }
        }
    }
    conflicts.sort();
    conflicts.dedup();
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }
    for path in &changing {
        for e in entries.iter_mut().filter(|e| e.manager != writer.manager) {
            e.fields.retain(|owned| !overlaps(owned, path));
        }
    }

    let previously_mine: FieldSet = entries
        .iter()
        .filter(|e| {
            e.manager == writer.manager && e.operation == "Apply" && e.subresource.as_deref() == sub
        })
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    for path in previously_mine.difference(&applied) {
        let owned_by_others = entries
            .iter()
            .any(|e| e.manager != writer.manager && e.fields.contains(path));
        if !owned_by_others {
            remove_at(&mut object, path);
        }
    }
    for path in &applied {
        if let Some(value) = value_at(config, path) {
            set_at(&mut object, path, value.clone());
        }
    }
    for key in ["apiVersion", "kind"] {
        if let Some(v) = config.get(key) {
            object[key] = v.clone();
        }
    }
    if object.pointer("/metadata/name").is_none() {
        if let Some(name) = config.pointer("/metadata/name") {
            object["metadata"]["name"] = name.clone();
        }
    }
    // Replace this manager's apply entry where it stands: moving it would
    // make an unchanged apply look like a change.
    let entry = Entry {
        manager: writer.manager.to_string(),
        operation: "Apply".into(),
        api_version: writer.api_version.to_string(),
        time: writer.now.to_string(),
        subresource: sub.map(str::to_string),
        fields: applied,
    };
    match entries.iter().position(|e| {
        e.manager == writer.manager && e.operation == "Apply" && e.subresource.as_deref() == sub
    }) {
        Some(i) => entries[i] = entry,
        None => entries.push(entry),
    }
    write_entries(&mut object, entries);
    Ok(object)
}

/// Records a non-apply write (create, update, merge or JSON patch): the writer
/// now owns the fields it changed, and nobody owns fields that disappeared.
pub fn record_update(old: Option<&Value>, new: &mut Value, writer: &Writer<'_>) {
    let empty = json!({});
    let old = old.unwrap_or(&empty);
    let after: FieldSet = leaves(new)
        .into_iter()
        .filter(|p| writer.scope.covers(p))
        .collect();
    let before: FieldSet = leaves(old)
        .into_iter()
        .filter(|p| writer.scope.covers(p))
        .collect();
    let changed: FieldSet = after
        .iter()
        .filter(|p| value_at(old, p) != value_at(new, p))
        .cloned()
        .collect();
    let removed: FieldSet = before.difference(&after).cloned().collect();
    if changed.is_empty() && removed.is_empty() {
        // Keep the entries the new object carries (a PUT of an unchanged object).
        let kept = read_entries(old);
        write_entries(new, kept);
        return;
    }
    let mut entries = read_entries(old);
    for e in entries.iter_mut() {
        e.fields
            .retain(|p| !changed.contains(p) && !removed.contains(p));
    }
    let sub = writer.scope.subresource();
    let position = entries.iter().position(|e| {
        e.manager == writer.manager && e.operation == "Update" && e.subresource.as_deref() == sub
    });
    let entry = match position {
        Some(i) => &mut entries[i],
        None => {
            entries.push(Entry {
                manager: writer.manager.to_string(),
                operation: "Update".into(),
                api_version: String::new(),
                time: String::new(),
                subresource: sub.map(str::to_string),
                fields: FieldSet::new(),
            });
            entries.last_mut().expect("just pushed")
        }
    };
    entry.fields.extend(changed);
    entry.api_version = writer.api_version.to_string();
    entry.time = writer.now.to_string();
    write_entries(new, entries);
}

/// Leaf paths of an object: maps are descended, anything else is a leaf.
/// Of `metadata`, only what users and controllers own is tracked.
fn leaves(object: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    let Some(map) = object.as_object() else {
        return out;
    };
    for (key, value) in map {
        match key.as_str() {
            "apiVersion" | "kind" => {}
            "metadata" => {
                for owned in ["labels", "annotations"] {
                    if let Some(Value::Object(m)) = value.get(owned) {
                        for k in m.keys() {
                            out.insert(vec!["metadata".into(), owned.into(), k.clone()]);
                        }
                    }
                }
                for owned in ["finalizers", "ownerReferences"] {
                    if value.get(owned).is_some() {
                        out.insert(vec!["metadata".into(), owned.into()]);
                    }
                }
            }
            _ => collect_leaves(value, vec![key.clone()], &mut out),
        }
    }
    out
}

fn collect_leaves(value: &Value, path: FieldPath, out: &mut FieldSet) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let mut p = path.clone();
                p.push(k.clone());
                collect_leaves(v, p, out);
            }
        }
        _ => {
            out.insert(path);
        }
    }
}

fn value_at<'a>(object: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    path.iter().try_fold(object, |v, k| v.get(k))
}

fn set_at(object: &mut Value, path: &FieldPath, value: Value) {
    let mut current = object;
    for key in &path[..path.len() - 1] {
        if !current.get(key).is_some_and(Value::is_object) {
            current[key.as_str()] = json!({});
        }
        current = current.get_mut(key).expect("just ensured");
    }
    current[path[path.len() - 1].as_str()] = value;
}

/// Removes a field, and the maps it leaves empty (but not top-level sections).
fn remove_at(object: &mut Value, path: &FieldPath) {
    fn remove(value: &mut Value, path: &[String], depth: usize) {
        let Some(map) = value.as_object_mut() else {
            return;
        };
        if path.len() == 1 {
            map.remove(&path[0]);
            return;
        }
        if let Some(child) = map.get_mut(&path[0]) {
            remove(child, &path[1..], depth + 1);
            if depth > 0 && child.as_object().is_some_and(Map::is_empty) {
                map.remove(&path[0]);
            }
        }
    }
    remove(object, path, 0);
}

fn dotted(path: &FieldPath) -> String {
    format!(".{}", path.join("."))
}

fn read_entries(object: &Value) -> Vec<Entry> {
    let Some(list) = object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|e| {
            let text = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let mut fields = FieldSet::new();
            if let Some(v) = e.get("fieldsV1") {
                from_fields_v1(v, Vec::new(), &mut fields);
            }
            Entry {
                manager: text("manager"),
                operation: text("operation"),
                api_version: text("apiVersion"),
                time: text("time"),
                subresource: e
                    .get("subresource")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                fields,
            }
        })
        .collect()
}

fn write_entries(object: &mut Value, entries: Vec<Entry>) {
    let mut entries: Vec<_> = entries
        .into_iter()
        .filter(|e| !e.fields.is_empty())
        .collect();
    // kube-apiserver's order (managedfields' sortEncodedManagedFields):
    // Apply before Update, then oldest first, then by manager, version and
    // subresource.
    entries.sort_by(|a, b| {
        (
            &a.operation,
            &a.time,
            &a.manager,
            &a.api_version,
            &a.subresource,
        )
            .cmp(&(
                &b.operation,
                &b.time,
                &b.manager,
                &b.api_version,
                &b.subresource,
            ))
    });
    let list: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let mut v = json!({
                "manager": e.manager,
                "operation": e.operation,
                "apiVersion": e.api_version,
                "time": e.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(&e.fields),
            });
            if let Some(sub) = e.subresource {
                v["subresource"] = json!(sub);
            }
            v
        })
        .collect();
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    let metadata = object["metadata"]
        .as_object_mut()
        .expect("metadata is an object");
    if list.is_empty() {
        metadata.remove("managedFields");
    } else {
        metadata.insert("managedFields".into(), Value::Array(list));
    }
}

fn to_fields_v1(fields: &FieldSet) -> Value {
    let mut root = json!({});
    for path in fields {
        let mut current = &mut root;
        for key in path {
            current = current
                .as_object_mut()
                .expect("fieldsV1 nodes are objects")
                .entry(format!("f:{key}"))
                .or_insert_with(|| json!({}));
        }
    }
    root
}

fn from_fields_v1(node: &Value, path: FieldPath, out: &mut FieldSet) {
    let children: Vec<(&String, &Value)> = node
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("f:"))
        .collect();
    if children.is_empty() {
        if !path.is_empty() {
            out.insert(path);
        }
        return;
    }
    for (key, child) in children {
        let mut p = path.clone();
        p.push(key[2..].to_string());
        from_fields_v1(child, p, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIN: Scope = Scope::Main {
        status_is_separate: true,
    };

    fn writer(manager: &str) -> Writer<'_> {
        Writer {
            manager,
            scope: MAIN,
            api_version: "v1",
            now: "2026-01-01T00:00:00Z",
        }
    }

    #[test]
    fn an_apply_never_removes_fields_another_manager_set() {
        let gitops = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"state": "Running", "tags": {"team": "news"}}});
        let object = apply(None, &gitops, &writer("argocd"), false).unwrap();
        // Another manager adds a field with a merge patch.
        let mut patched = object.clone();
        patched["spec"]["paused"] = json!(true);
        record_update(Some(&object), &mut patched, &writer("kubectl-patch"));
        // The first manager re-applies without `tags`: its own field goes, the other stays.
        let reapplied = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"state": "Running"}});
        let result = apply(Some(&patched), &reapplied, &writer("argocd"), false).unwrap();
        assert_eq!(result["spec"]["paused"], json!(true));
        assert!(result["spec"].get("tags").is_none());
        assert_eq!(result["spec"]["state"], json!("Running"));
    }

    #[test]
    fn changing_a_field_owned_by_another_manager_conflicts_unless_forced() {
        let first = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"state": "Running"}});
        let object = apply(None, &first, &writer("one"), false).unwrap();
        let second = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"state": "Idle"}});
        let conflicts = apply(Some(&object), &second, &writer("two"), false).unwrap_err();
        assert_eq!(
            conflicts,
            vec![("one".to_string(), ".spec.state".to_string())]
        );
        let forced = apply(Some(&object), &second, &writer("two"), true).unwrap();
        assert_eq!(forced["spec"]["state"], json!("Idle"));
        // Ownership moved: "one" no longer owns spec.state.
        let owners: Vec<&str> = forced["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["manager"].as_str().unwrap())
            .collect();
        assert_eq!(owners, ["two"]);
    }

    #[test]
    fn replacing_a_parent_or_child_of_anothers_field_conflicts() {
        let first = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"a": {"b": 1}}});
        let object = apply(None, &first, &writer("one"), false).unwrap();
        let scalar =
            json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"a": 5}});
        let conflicts = apply(Some(&object), &scalar, &writer("two"), false).unwrap_err();
        assert_eq!(
            conflicts,
            vec![("one".to_string(), ".spec.a.b".to_string())]
        );

        let parent =
            json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"a": 5}});
        let object = apply(None, &parent, &writer("one"), false).unwrap();
        let child = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"a": {"b": 1}}});
        let conflicts = apply(Some(&object), &child, &writer("two"), false).unwrap_err();
        assert_eq!(conflicts, vec![("one".to_string(), ".spec.a".to_string())]);
    }

    #[test]
    fn reapplying_keeps_the_entry_order() {
        let config =
            json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"x": 1}});
        let object = apply(None, &config, &writer("one"), false).unwrap();
        let status = Writer {
            scope: Scope::Status,
            ..writer("one")
        };
        let with_status = json!({"apiVersion": "v1", "kind": "X", "status": {"phase": "Up"}});
        let object = apply(Some(&object), &with_status, &status, false).unwrap();
        let again = apply(Some(&object), &config, &writer("one"), false).unwrap();
        assert_eq!(
            again["metadata"]["managedFields"],
            object["metadata"]["managedFields"]
        );
    }

    #[test]
    fn status_applies_touch_only_status() {
        let object = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "a"}, "spec": {"state": "Running"}});
        let status_writer = Writer {
            scope: Scope::Status,
            ..writer("controller")
        };
        let config = json!({"apiVersion": "v1", "kind": "X", "status": {"phase": "Up"}, "spec": {"state": "Idle"}});
        let result = apply(Some(&object), &config, &status_writer, false).unwrap();
        assert_eq!(result["spec"]["state"], json!("Running"));
        assert_eq!(result["status"]["phase"], json!("Up"));
        assert_eq!(
            result["metadata"]["managedFields"][0]["subresource"],
            json!("status")
        );
    }

    #[test]
    fn fields_v1_round_trips() {
        let set: FieldSet = [
            vec!["spec".to_string(), "a".to_string()],
            vec!["metadata".into(), "labels".into(), "x.io/y".into()],
        ]
        .into_iter()
        .collect();
        let encoded = to_fields_v1(&set);
        assert_eq!(encoded["f:spec"]["f:a"], json!({}));
        let mut decoded = FieldSet::new();
        from_fields_v1(&encoded, Vec::new(), &mut decoded);
        assert_eq!(decoded, set);
    }
}
