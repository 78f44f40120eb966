//! Every object in `examples/` is admitted by the CRD schemas, and every object in
//! `examples/invalid/` is rejected with the message its `# expect:` line names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use onair::schema::ObjectSchema;
use serde_json::{json, Value};

fn schemas() -> BTreeMap<String, ObjectSchema> {
    onair::crd::all()
        .iter()
        .map(|crd| {
            (
                crd.spec.names.kind.clone(),
                ObjectSchema::for_crd(crd, "v1alpha1").unwrap(),
            )
        })
        .collect()
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> (String, Value) {
    let text = std::fs::read_to_string(path).unwrap();
    let value: Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
    (text, value)
}

#[test]
fn every_example_is_admitted() {
    let schemas = schemas();
    let mut admitted = Vec::new();
    for path in yaml_files("examples") {
        let (_, object) = load(&path);
        if object["apiVersion"] != "onair.dev/v1alpha1" {
            continue;
        }
        let kind = object["kind"].as_str().unwrap();
        let schema = schemas
            .get(kind)
            .unwrap_or_else(|| panic!("{}: unknown kind {kind}", path.display()));
        if let Err(invalid) = schema.admit(&object, None) {
            panic!("{} is rejected: {invalid}", path.display());
        }
        admitted.push(kind.to_string());
    }
    admitted.sort();
    assert_eq!(
        admitted,
        [
            "AdInsertion",
            "AwsProvider",
            "HarvestJob",
            "LiveChannel",
            "TokenPolicy"
        ]
    );
}

#[test]
fn kustomization_lists_every_example() {
    let (_, kustomization) =
        load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kustomization.yaml"));
    let mut listed: Vec<String> = kustomization["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut files: Vec<String> = yaml_files("examples")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != "kustomization.yaml")
        .collect();
    files.sort();
    assert_eq!(listed, files);
}

#[test]
fn every_invalid_example_is_rejected_with_its_message() {
    let schemas = schemas();
    let files = yaml_files("examples/invalid");
    assert!(
        files.len() >= 20,
        "expected a broad set of invalid examples"
    );
    for path in files {
        let (text, object) = load(&path);
        let expected = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", path.display()));
        let kind = object["kind"].as_str().unwrap();
        match schemas[kind].admit(&object, None) {
            Ok(_) => panic!(
                "{} was admitted; it should fail with: {expected}",
                path.display()
            ),
            Err(invalid) => {
                let message = invalid.to_string();
                assert!(
                    message.contains(expected),
                    "{}:\n  expected: {expected}\n  got:      {message}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn defaults_fill_a_minimal_live_channel() {
    let schemas = schemas();
    let minimal = json!({
        "apiVersion": "onair.dev/v1alpha1", "kind": "LiveChannel", "metadata": {"name": "m"},
        "spec": {"state": "Idle", "input": {"type": "UrlPull", "urlPull": {"urls": ["https://o.example.com/i.m3u8"]}}}
    });
    let admitted = schemas["LiveChannel"].admit(&minimal, None).unwrap();
    let spec = &admitted["spec"];
    assert_eq!(spec["deletionPolicy"], "Delete");
    assert_eq!(spec["updateStrategy"], "OnNextIdle");
    assert_eq!(spec["encoding"]["ladder"]["preset"], "Hd1080");
    assert_eq!(spec["packaging"]["hls"]["enabled"], true);
    assert_eq!(spec["cdn"]["originProtection"], true);
    // The defaulted object is what the operator reads: it must deserialize.
    let typed: onair::api::LiveChannel = serde_json::from_value(admitted).unwrap();
    assert_eq!(typed.spec.packaging.dash.segment_seconds, 2);
}

fn harvest_job(window: Value) -> Value {
    let mut spec = json!({
        "channelRef": {"name": "sports-1"},
        "destination": {"bucket": "example-media-vod", "roleArn": "arn:aws:iam::123456789012:role/H"}
    });
    spec.as_object_mut()
        .unwrap()
        .extend(window.as_object().unwrap().clone());
    json!({"apiVersion": "onair.dev/v1alpha1", "kind": "HarvestJob", "metadata": {"name": "h"}, "spec": spec})
}

/// An update from `old` to `new` is refused with a message containing `expected`.
fn assert_update_rejected(schema: &ObjectSchema, new: &Value, old: &Value, expected: &str) {
    match schema.admit(new, Some(old)) {
        Ok(_) => panic!("the update was admitted; it should fail with: {expected}"),
        Err(invalid) => {
            let message = invalid.to_string();
            assert!(
                message.contains(expected),
                "expected {expected:?} in: {message}"
            );
        }
    }
}

#[test]
fn harvest_job_spec_is_immutable() {
    let schemas = schemas();
    let old = harvest_job(json!({"lastMinutes": 10}));
    assert!(
        schemas["HarvestJob"].admit(&old, Some(&old)).is_ok(),
        "an unchanged spec is accepted"
    );
    let changed = harvest_job(json!({"lastMinutes": 20}));
    assert_update_rejected(
        &schemas["HarvestJob"],
        &changed,
        &old,
        "a HarvestJob is immutable once created",
    );
}

#[test]
fn live_channel_input_type_cannot_change() {
    let schemas = schemas();
    let channel = |input: Value| {
        json!({"apiVersion": "onair.dev/v1alpha1", "kind": "LiveChannel", "metadata": {"name": "c"},
               "spec": {"state": "Idle", "input": input}})
    };
    let old =
        channel(json!({"type": "UrlPull", "urlPull": {"urls": ["https://o.example.com/i.m3u8"]}}));
    let new = channel(
        json!({"type": "RtmpPush", "rtmpPush": {"allowedCidrs": ["0.0.0.0/0"], "streamNames": ["live/a"]}}),
    );
    assert_update_rejected(
        &schemas["LiveChannel"],
        &new,
        &old,
        "input.type cannot change once the channel exists",
    );
    assert!(
        schemas["LiveChannel"].admit(&new, None).is_ok(),
        "the same object is fine as a new channel"
    );
}
