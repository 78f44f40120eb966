//! Differential conformance: one list of requests, run in order against the
//! local API server (src/apiserver) and a real kube-apiserver, with the
//! answers compared: status code, `Status` reason, code and causes, the
//! message, `Warning` headers, and the shape of each object, list, table and
//! watch stream (what a client reads: names, labels, finalizers, generation,
//! managed fields' owners, spec and status as stored).
//!
//! Every difference is either fixed in the local server or listed in
//! [`KNOWN_DIFFERENCES`] (and in README's "Known differences"), with why it
//! is left: the test fails on a new difference and on a listed one that no
//! longer happens, so the list stays true.

use std::collections::BTreeMap;

use http_body_util::BodyExt;
use serde_json::{json, Value};

use super::control_plane::ControlPlane;
use super::support;
use super::tools::admin_kubectl;

/// Differences the local server keeps on purpose: step name, and what
/// differs (`code`, `summary`, `message` or `warnings`).
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "create namespace",
        "summary",
        "Namespaces are bookkeeping in the local server: no spec.finalizers \
         [kubernetes] (there is no namespace controller to honour it), and a \
         metadata.generation kube-apiserver does not set on Namespaces",
    ),
    (
        "create with an unknown field",
        "summary",
        "an empty metadata.labels map is kept as {} where kube-apiserver drops \
         it (Go's omitempty); clients read both as no labels",
    ),
    (
        "dry-run create",
        "summary",
        "as above: an empty metadata.labels map is kept as {}",
    ),
    (
        "list with a malformed label selector",
        "message",
        "same code and reason (400 BadRequest); the local server names the \
         requirement it could not parse instead of the parser's position",
    ),
];

const NS: &str = "conformance";
const CHANNELS: &str = "/apis/onair.dev/v1alpha1/namespaces/conformance/livechannels";
const JSON: &str = "application/json";
const MERGE: &str = "application/merge-patch+json";
const JSON_PATCH: &str = "application/json-patch+json";
const APPLY: &str = "application/apply-patch+yaml";
const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// One request. `$RV` in the path or body is replaced by the
/// resourceVersion the last step with `remember` answered with.
struct Step {
    name: &'static str,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    accept: Option<&'static str>,
    body: Option<Value>,
    remember: bool,
}

impl Step {
    fn new(name: &'static str, method: &'static str, path: impl Into<String>) -> Self {
        Self {
            name,
            method,
            path: path.into(),
            content_type: None,
            accept: None,
            body: None,
            remember: false,
        }
    }

    fn body(mut self, content_type: &'static str, body: Value) -> Self {
        self.content_type = Some(content_type);
        self.body = Some(body);
        self
    }

    fn accept(mut self, accept: &'static str) -> Self {
        self.accept = Some(accept);
        self
    }

    fn remember(mut self) -> Self {
        self.remember = true;
        self
    }
}

/// The example channel, named and labelled.
fn channel(name: &str, labels: Value) -> Value {
    let text = std::fs::read_to_string(support::repo().join("examples/live-channel.yaml")).unwrap();
    let mut channel: Value = serde_yaml::from_str(&text).unwrap();
    channel["metadata"] = json!({"name": name, "labels": labels});
    channel
}

fn channel_with(name: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut object = channel(name, json!({}));
    edit(&mut object);
    object
}

fn one(name: &str) -> String {
    format!("{CHANNELS}/{name}")
}

fn steps() -> Vec<Step> {
    // An apply configuration that owns only spec.tags.owner.
    let apply = |owner: &str| {
        json!({
            "apiVersion": "onair.dev/v1alpha1",
            "kind": "LiveChannel",
            "metadata": {"name": "a"},
            "spec": {"tags": {"owner": owner}},
        })
    };
    vec![
        Step::new("create namespace", "POST", "/api/v1/namespaces").body(
            JSON,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
        ),
        Step::new("create", "POST", CHANNELS)
            .body(JSON, channel("a", json!({"team": "sports"})))
            .remember(),
        Step::new("create again", "POST", CHANNELS).body(JSON, channel("a", json!({}))),
        Step::new("create with an unknown field", "POST", CHANNELS).body(
            JSON,
            channel_with("unknown", |c| c["spec"]["bogus"] = json!(1)),
        ),
        Step::new(
            "create with an unknown field, strict",
            "POST",
            format!("{CHANNELS}?fieldValidation=Strict"),
        )
        .body(JSON, channel_with("strict", |c| c["spec"]["bogus"] = json!(1))),
        Step::new("create with a value outside the enum", "POST", CHANNELS).body(
            JSON,
            channel_with("enum", |c| c["spec"]["state"] = json!("Paused")),
        ),
        Step::new("create without a required field", "POST", CHANNELS).body(
            JSON,
            channel_with("required", |c| {
                c["spec"].as_object_mut().unwrap().remove("input");
            }),
        ),
        Step::new("create breaking a CEL rule", "POST", CHANNELS).body(
            JSON,
            channel_with("cel", |c| {
                c["spec"]["input"]["rtmpPush"]["streamNames"] = json!(["live/x", "live/y"]);
            }),
        ),
        Step::new("get", "GET", one("a")),
        Step::new("get a missing object", "GET", one("missing")),
        Step::new("create another", "POST", CHANNELS).body(JSON, channel("b", json!({"team": "news"}))),
        Step::new("list", "GET", CHANNELS),
        Step::new("list by label", "GET", format!("{CHANNELS}?labelSelector=team%3Dsports")),
        Step::new(
            "list by label, notin",
            "GET",
            format!("{CHANNELS}?labelSelector=team%20notin%20(sports)"),
        ),
        Step::new("list by name field", "GET", format!("{CHANNELS}?fieldSelector=metadata.name%3Db")),
        Step::new(
            "list by an unsupported field",
            "GET",
            format!("{CHANNELS}?fieldSelector=spec.state%3DRunning"),
        ),
        Step::new(
            "list with a malformed label selector",
            "GET",
            format!("{CHANNELS}?labelSelector=team%20in%20(sports"),
        ),
        Step::new("list one page", "GET", format!("{CHANNELS}?limit=1")),
        Step::new("merge patch of labels", "PATCH", one("a"))
            .body(MERGE, json!({"metadata": {"labels": {"tier": "gold"}}})),
        Step::new("merge patch of the spec", "PATCH", one("a"))
            .body(MERGE, json!({"spec": {"state": "Idle"}})),
        Step::new("update with a stale resourceVersion", "PUT", one("a")).body(
            JSON,
            channel_with("a", |c| c["metadata"]["resourceVersion"] = json!("$RV")),
        ),
        Step::new("update without a resourceVersion", "PUT", one("a")).body(JSON, channel("a", json!({}))),
        Step::new("JSON patch with a failing test", "PATCH", one("a")).body(
            JSON_PATCH,
            json!([{"op": "test", "path": "/spec/state", "value": "Running"}]),
        ),
        Step::new("JSON patch removing a missing field", "PATCH", one("a"))
            .body(JSON_PATCH, json!([{"op": "remove", "path": "/spec/nothing"}])),
        Step::new("JSON patch", "PATCH", one("a")).body(
            JSON_PATCH,
            json!([{"op": "replace", "path": "/spec/state", "value": "Running"}]),
        ),
        Step::new("a change a transition rule forbids", "PATCH", one("a")).body(
            MERGE,
            json!({"spec": {"encoding": {"channelClass": "Standard"}, "input": {"rtmpPush": {"streamNames": ["live/x", "live/y"]}}}}),
        ),
        Step::new("apply without a field manager", "PATCH", one("a"))
            .body(APPLY, apply("alice")),
        Step::new("apply", "PATCH", format!("{}?fieldManager=alice", one("a")))
            .body(APPLY, apply("alice")),
        Step::new(
            "apply of a field another manager owns",
            "PATCH",
            format!("{}?fieldManager=bob", one("a")),
        )
        .body(APPLY, apply("bob")),
        Step::new(
            "apply of a field another manager owns, forced",
            "PATCH",
            format!("{}?fieldManager=bob&force=true", one("a")),
        )
        .body(APPLY, apply("bob")),
        Step::new("status patch", "PATCH", format!("{}/status", one("a")))
            .body(MERGE, json!({"status": {"channelState": "IDLE"}})),
        Step::new("status in a patch of the main resource", "PATCH", one("a"))
            .body(MERGE, json!({"status": {"channelState": "RUNNING"}})),
        Step::new("spec in a status patch", "PATCH", format!("{}/status", one("a")))
            .body(MERGE, json!({"spec": {"state": "Idle"}})),
        Step::new("add a finalizer", "PATCH", one("a"))
            .body(MERGE, json!({"metadata": {"finalizers": ["conformance.onair.dev/hold"]}})),
        Step::new("delete, held by the finalizer", "DELETE", one("a")),
        Step::new("get while deleting", "GET", one("a")),
        Step::new("a spec change while deleting", "PATCH", one("a"))
            .body(MERGE, json!({"spec": {"state": "Idle"}})),
        Step::new("remove the finalizer", "PATCH", one("a"))
            .body(MERGE, json!({"metadata": {"finalizers": null}})),
        Step::new("get after the finalizer went", "GET", one("a")),
        Step::new("delete a missing object", "DELETE", one("missing")),
        Step::new("dry-run create", "POST", format!("{CHANNELS}?dryRun=All")).body(JSON, channel("c", json!({}))),
        Step::new("get after the dry run", "GET", one("c")),
        Step::new("table of the list", "GET", CHANNELS).accept(TABLE),
        Step::new("table of one object", "GET", one("b")).accept(TABLE),
        Step::new(
            "watch from a resourceVersion",
            "GET",
            format!("{CHANNELS}?watch=true&resourceVersion=$RV&timeoutSeconds=2"),
        ),
        // What the AwsProviders' events taught: one about a cluster-scoped
        // object lives in `default` only.
        Step::new(
            "an event about a cluster-scoped object outside default",
            "POST",
            format!("/apis/events.k8s.io/v1/namespaces/{NS}/events"),
        )
        .body(
            JSON,
            json!({
                "apiVersion": "events.k8s.io/v1",
                "kind": "Event",
                "metadata": {"name": "provider.1"},
                "eventTime": "2026-01-01T00:00:00.000000Z",
                "reportingController": "onair.dev/operator",
                "reportingInstance": "conformance",
                "action": "CheckCredentials",
                "reason": "CredentialsVerified",
                "type": "Normal",
                "note": "the credentials work",
                "regarding": {"apiVersion": "onair.dev/v1alpha1", "kind": "AwsProvider", "name": "media-prod"},
            }),
        ),
        Step::new("delete", "DELETE", one("b")),
        Step::new("delete a collection by label", "DELETE", format!("{CHANNELS}?labelSelector=team%3Dnone")),
    ]
}

/// What one answer looked like, for comparison.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    code: u16,
    summary: Value,
    message: Option<String>,
    warnings: Vec<String>,
}

async fn run(client: &kube::Client, steps: &[Step]) -> Vec<Answer> {
    let mut remembered = String::new();
    let mut answers = Vec::new();
    for step in steps {
        let path = step.path.replace("$RV", &remembered);
        let mut request = http::Request::builder().method(step.method).uri(&path);
        if let Some(content_type) = step.content_type {
            request = request.header("Content-Type", content_type);
        }
        request = request.header("Accept", step.accept.unwrap_or(JSON));
        let body = step
            .body
            .as_ref()
            .map(|b| b.to_string().replace("$RV", &remembered).into_bytes())
            .unwrap_or_default();
        let response = client
            .send(request.body(kube::client::Body::from(body)).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", step.name));
        let code = response.status().as_u16();
        let warnings = response
            .headers()
            .get_all("Warning")
            .iter()
            .map(|w| w.to_str().unwrap_or_default().to_string())
            .collect();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let (summary, message) = summarize(&bytes, path.contains("watch=true"));
        if step.remember {
            remembered = serde_json::from_slice::<Value>(&bytes).unwrap()["metadata"]
                ["resourceVersion"]
                .as_str()
                .unwrap()
                .to_string();
        }
        answers.push(Answer {
            code,
            summary,
            message,
            warnings,
        });
    }
    answers
}

/// The parts of a body a client depends on (volatile values, such as uids,
/// timestamps and resourceVersions, are left out or reduced to presence).
fn summarize(bytes: &[u8], watch: bool) -> (Value, Option<String>) {
    if watch {
        let events: Vec<Value> = bytes
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| {
                let event: Value = serde_json::from_slice(line).unwrap_or(Value::Null);
                json!([event["type"], event["object"]["metadata"]["name"]])
            })
            .filter(|e| e[0] != "BOOKMARK")
            .collect();
        return (Value::Array(events), None);
    }
    let Ok(body) = serde_json::from_slice::<Value>(bytes) else {
        return (json!({"not JSON": String::from_utf8_lossy(bytes)}), None);
    };
    let kind = body["kind"].as_str().unwrap_or_default();
    if kind == "Status" {
        let causes: Vec<Value> = body["details"]["causes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| json!([c["field"], c["reason"]]))
            .collect();
        let summary = json!({
            "kind": kind,
            "status": body["status"],
            "reason": body["reason"],
            "code": body["code"],
            "details": {"name": body["details"]["name"], "kind": body["details"]["kind"], "causes": causes},
        });
        return (summary, body["message"].as_str().map(str::to_string));
    }
    if kind == "Table" {
        let columns: Vec<&str> = body["columnDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["name"].as_str().unwrap_or_default())
            .collect();
        let rows: Vec<Vec<Value>> = body["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| {
                let cells = row["cells"].as_array().cloned().unwrap_or_default();
                cells
                    .into_iter()
                    .zip(&columns)
                    .map(|(cell, column)| {
                        if *column == "Age" {
                            json!("<age>")
                        } else {
                            cell
                        }
                    })
                    .collect()
            })
            .collect();
        return (
            json!({"kind": kind, "apiVersion": body["apiVersion"], "columns": columns, "rows": rows}),
            None,
        );
    }
    if kind.ends_with("List") {
        let names: Vec<&Value> = body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|item| &item["metadata"]["name"])
            .collect();
        return (
            json!({
                "kind": kind,
                "apiVersion": body["apiVersion"],
                "items": names,
                "has resourceVersion": body["metadata"]["resourceVersion"].is_string(),
                "has continue": body["metadata"]["continue"].as_str().is_some_and(|c| !c.is_empty()),
                "remainingItemCount": body["metadata"]["remainingItemCount"],
            }),
            None,
        );
    }
    (object_summary(&body), None)
}

fn object_summary(object: &Value) -> Value {
    let metadata = &object["metadata"];
    let mut managers: Vec<Value> = metadata["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| json!([m["manager"], m["operation"], m["subresource"]]))
        .collect();
    // Compared as a set: kube-apiserver's order of two entries written in
    // the same second varies from run to run.
    managers.sort_by_key(|m| m.to_string());
    let mut summary = json!({
        "kind": object["kind"],
        "apiVersion": object["apiVersion"],
        "metadata": {
            "name": metadata["name"],
            "namespace": metadata["namespace"],
            "labels": metadata["labels"],
            "finalizers": metadata["finalizers"],
            "generation": metadata["generation"],
            "deleting": metadata["deletionTimestamp"].is_string(),
            "managedFields": managers,
        },
    });
    for part in ["spec", "status"] {
        if object.get(part).is_some() {
            summary[part] = object[part].clone();
        }
    }
    summary
}

/// Where the two answers to one step differ.
fn differences(step: &str, local: &Answer, real: &Answer) -> Vec<(String, String)> {
    let mut found = Vec::new();
    if local.code != real.code {
        found.push(("code", format!("local {} / real {}", local.code, real.code)));
    }
    if local.summary != real.summary {
        found.push((
            "summary",
            format!(
                "\n    local: {}\n    real:  {}",
                local.summary, real.summary
            ),
        ));
    }
    if local.message != real.message {
        found.push((
            "message",
            format!(
                "\n    local: {:?}\n    real:  {:?}",
                local.message, real.message
            ),
        ));
    }
    if local.warnings != real.warnings {
        found.push((
            "warnings",
            format!(
                "\n    local: {:?}\n    real:  {:?}",
                local.warnings, real.warnings
            ),
        ));
    }
    found
        .into_iter()
        .map(|(what, detail)| (format!("{step}: {what}"), detail))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_local_api_server_answers_as_kube_apiserver_does() {
    let plane = ControlPlane::start("conformance");
    let kubectl = admin_kubectl(&plane);
    kubectl.ok(&["apply", "-f", "crds/"]).await;
    kubectl.wait_for_crds().await;
    let local = support::server_with_crds().await;

    let steps = steps();
    let real_answers = run(&plane.admin_client().await, &steps).await;
    let local_answers = run(&local.client(), &steps).await;

    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for ((step, local), real) in steps.iter().zip(&local_answers).zip(&real_answers) {
        found.extend(differences(step.name, local, real));
    }
    let known: BTreeMap<String, &str> = KNOWN_DIFFERENCES
        .iter()
        .map(|(step, what, why)| (format!("{step}: {what}"), *why))
        .collect();
    let new: Vec<String> = found
        .iter()
        .filter(|(key, _)| !known.contains_key(*key))
        .map(|(key, detail)| format!("{key}{detail}"))
        .collect();
    let gone: Vec<&String> = known
        .keys()
        .filter(|key| !found.contains_key(*key))
        .collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "{} new difference(s) from kube-apiserver {}:\n  {}\nlisted but no longer different: {gone:?}",
        new.len(),
        support::KUBERNETES_RELEASE,
        new.join("\n  ")
    );
}
