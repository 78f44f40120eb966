//! The checked-in CRDs (`crds/` and the Helm chart's copy) are exactly what the
//! Rust types generate, and they are structural as Kubernetes requires.

use std::path::Path;

use serde_json::Value;

fn assert_dir_matches_generated(dir: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let generated = onair::crd::files();
    for (name, contents) in &generated {
        let on_disk = std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| {
            panic!("{dir}/{name} is missing ({e}); run `onair crd --output-dir {dir}`")
        });
        assert!(
            on_disk == *contents,
            "{dir}/{name} is out of date with src/api; run `onair crd --output-dir {dir}`"
        );
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = generated.into_iter().map(|(n, _)| n).collect();
    expected.sort();
    assert_eq!(
        on_disk, expected,
        "{dir} holds CRD files that onair no longer generates"
    );
}

#[test]
fn crds_dir_is_up_to_date() {
    assert_dir_matches_generated("crds");
}

#[test]
fn helm_chart_crds_are_the_same_files() {
    assert_dir_matches_generated("charts/onair/crds");
}

/// Every schema node has a type (Kubernetes "structural schema"), except where a
/// node deliberately preserves unknown fields.
fn assert_structural(node: &Value, path: &str) {
    let obj = node
        .as_object()
        .unwrap_or_else(|| panic!("{path}: schema node is not an object"));
    let open = obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
        || obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
    assert!(
        obj.contains_key("type") || open,
        "{path}: schema node has no type"
    );
    for forbidden in ["anyOf", "oneOf", "allOf", "not", "$ref"] {
        assert!(
            !obj.contains_key(forbidden),
            "{path}: {forbidden} makes the schema non-structural"
        );
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, child) in props {
            assert_structural(child, &format!("{path}.{name}"));
        }
    }
    if let Some(items) = obj.get("items") {
        assert_structural(items, &format!("{path}[]"));
    }
    if let Some(additional) = obj.get("additionalProperties").filter(|a| a.is_object()) {
        assert_structural(additional, &format!("{path}{{}}"));
    }
}

#[test]
fn crds_are_structural_with_status_and_category() {
    for crd in onair::crd::all() {
        let name = crd.metadata.name.clone().unwrap();
        assert_eq!(crd.spec.group, "onair.dev");
        assert_eq!(
            crd.spec.names.categories.as_deref(),
            Some(&["onair".to_string()][..]),
            "{name}"
        );
        let version = &crd.spec.versions[0];
        assert_eq!(version.name, "v1alpha1");
        assert!(
            version
                .subresources
                .as_ref()
                .and_then(|s| s.status.as_ref())
                .is_some(),
            "{name} has no status subresource"
        );
        let schema = onair::crd::openapi_schema(&crd);
        assert_structural(&schema, &name);
        let printed: Vec<&str> = version
            .additional_printer_columns
            .iter()
            .flatten()
            .map(|c| c.name.as_str())
            .collect();
        assert!(printed.contains(&"Age"), "{name} lacks an Age column");
    }
}

#[test]
fn livechannel_columns_answer_is_it_up_and_where_to_watch() {
    let crd = onair::crd::all()
        .into_iter()
        .find(|c| c.spec.names.kind == "LiveChannel")
        .unwrap();
    assert_eq!(
        crd.spec.names.short_names.as_deref(),
        Some(&["lc".to_string()][..])
    );
    let columns: Vec<(String, String)> = crd.spec.versions[0]
        .additional_printer_columns
        .iter()
        .flatten()
        .filter(|c| c.priority.unwrap_or(0) == 0)
        .map(|c| (c.name.to_uppercase(), c.json_path.clone()))
        .collect();
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["STATE", "READY", "REASON", "PLAYBACK", "AGE"]);
    assert_eq!(columns[3].1, ".status.playback.hls");
}

/// `kubectl get onair -A` lists the five kinds, each with whether it is
/// Ready and the reason (Drifted, PermissionsMissing, ChannelNotReady...),
/// and `-o wide` adds the condition's message.
#[test]
fn every_kind_prints_ready_and_why_in_the_onair_category() {
    let ready = |field: &str| format!(".status.conditions[?(@.type==\"Ready\")].{field}");
    let crds = onair::crd::all();
    assert_eq!(crds.len(), 5);
    for crd in crds {
        let kind = &crd.spec.names.kind;
        assert_eq!(
            crd.spec.names.categories.as_deref(),
            Some(&["onair".to_string()][..]),
            "{kind}"
        );
        let columns: Vec<(&str, &str, i32)> = crd.spec.versions[0]
            .additional_printer_columns
            .iter()
            .flatten()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.json_path.as_str(),
                    c.priority.unwrap_or(0),
                )
            })
            .collect();
        for (name, field, priority) in [
            ("Ready", "status", 0),
            ("Reason", "reason", 0),
            ("Message", "message", 1),
        ] {
            let path = ready(field);
            assert!(
                columns.contains(&(name, path.as_str(), priority)),
                "{kind} lacks the {name} column: {columns:?}"
            );
        }
    }
}

#[test]
fn onair_crd_prints_every_crd() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onair"))
        .arg("crd")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, onair::crd::all_yaml());
    let kinds: Vec<String> = serde_yaml::Deserializer::from_str(&text)
        .map(|doc| {
            let v = Value::deserialize(doc).unwrap();
            v["spec"]["names"]["kind"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "AwsProvider",
            "LiveChannel",
            "AdInsertion",
            "TokenPolicy",
            "HarvestJob"
        ]
    );
}

use serde::Deserialize;

/// kube-apiserver refuses a CRD whose CEL rules may cost more than its budget;
/// bounded lists, maps and strings keep every rule's estimate under it.
fn assert_rules_within_cost_budget(node: &Value, path: &str) {
    if let Some(rules) = node
        .get("x-kubernetes-validations")
        .and_then(Value::as_array)
    {
        let compiled = kube_cel::compile_schema(node);
        for rule in rules {
            let rule = rule["rule"].as_str().unwrap();
            let warnings = kube_cel::estimate_rule_cost(rule, &compiled);
            assert!(
                warnings.is_empty(),
                "{path}: rule {rule:?} may exceed the CEL cost budget: {warnings:?}"
            );
        }
    }
    for (name, child) in node
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        assert_rules_within_cost_budget(child, &format!("{path}.{name}"));
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = node.get(key).filter(|c| c.is_object()) {
            assert_rules_within_cost_budget(child, &format!("{path}.{key}"));
        }
    }
}

#[test]
fn cel_rules_fit_the_api_server_cost_budget() {
    for crd in onair::crd::all() {
        let schema = onair::crd::openapi_schema(&crd);
        assert_rules_within_cost_budget(&schema, crd.metadata.name.as_deref().unwrap());
    }
}
