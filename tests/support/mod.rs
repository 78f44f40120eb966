//! Shared by the end-to-end tests: a local API server with onair's CRDs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PostParams};
use onair::apiserver::{LocalApiServer, Options};

/// Starts a server and installs every onair CRD through its API.
pub async fn server_with_crds() -> LocalApiServer {
    server_with_crds_and(Options::default()).await
}

pub async fn server_with_crds_and(options: Options) -> LocalApiServer {
    let server = LocalApiServer::start_with(options)
        .await
        .expect("server starts");
    let crds: Api<CustomResourceDefinition> = Api::all(server.client());
    for crd in onair::crd::all() {
        crds.create(&PostParams::default(), &crd)
            .await
            .expect("CRD is accepted");
    }
    server
}

/// Sets the annotation `key` to "true" on the object `name` (`on`), or
/// removes it: how the management annotations (`onair.dev/paused`,
/// `onair.dev/observe-only`) are turned on and off.
pub async fn set_flag<K>(api: &Api<K>, name: &str, key: &str, on: bool)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let value = on.then_some("true");
    let patch = serde_json::json!({"metadata": {"annotations": {key: value}}});
    api.patch(
        name,
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&patch),
    )
    .await
    .unwrap();
}

/// A LiveChannel from the shipped example, in the given namespace.
pub fn example_channel(name: &str) -> onair::api::LiveChannel {
    let mut channel: onair::api::LiveChannel = example("live-channel.yaml");
    channel.metadata.name = Some(name.to_string());
    channel
}

/// An object from the shipped examples (`examples/<file>`), as written.
pub fn example<K: serde::de::DeserializeOwned>(file: &str) -> K {
    let text = std::fs::read_to_string(repo().join("examples").join(file)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// The shipped AdInsertion example (`sports-1-ads`), for channel `news`.
pub fn example_ads() -> onair::api::AdInsertion {
    let mut adi: onair::api::AdInsertion = example("ad-insertion.yaml");
    adi.spec.channel_ref.name = "news".into();
    adi
}

/// The shipped example TokenPolicy as `name`, for channel `news`, signing
/// with the keys in Secret `keys` (active key `k1`), `spec` merged in.
pub fn token_policy(name: &str, keys: &str, spec: serde_json::Value) -> onair::api::TokenPolicy {
    use serde_json::json;
    let mut value: serde_json::Value = example("token-policy.yaml");
    value["metadata"]["name"] = json!(name);
    value["spec"]["channelRefs"] = json!([{"name": "news"}]);
    value["spec"]["signingKeys"] = json!({"secretRef": {"name": keys}, "activeKeyId": "k1"});
    json_patch::merge(&mut value["spec"], &spec);
    serde_json::from_value(value).unwrap()
}

/// The shipped example channel as the runs on moto apply it: no providerRef
/// (the process's own credentials and region), a pull input (moto has no
/// input security groups), no real-time logs.
pub fn pull_input_channel(name: &str) -> onair::api::LiveChannel {
    let mut channel = example_channel(name);
    channel.spec.provider_ref = None;
    channel.spec.cdn.telemetry = None;
    channel.spec.input = serde_json::from_value(serde_json::json!({
        "type": "UrlPull",
        "urlPull": {"urls": ["https://example.com/live/source.m3u8"]}
    }))
    .unwrap();
    channel
}

/// What `kubectl get livechannels` asks for in `namespace`: the server's
/// Table, and its column names.
pub async fn live_channel_table(
    client: &kube::Client,
    namespace: &str,
) -> (serde_json::Value, Vec<String>) {
    let request = http::Request::get(format!(
        "/apis/onair.dev/v1alpha1/namespaces/{namespace}/livechannels"
    ))
    .header(
        "Accept",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    )
    .body(Vec::new())
    .unwrap();
    let table: serde_json::Value = client.request(request).await.unwrap();
    let columns = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    (table, columns)
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends SIGTERM to `child` and waits (at most `within`) for it to exit; the
/// panic names `what` when it does not stop in time.
pub fn sigterm_and_wait(
    child: &mut std::process::Child,
    within: std::time::Duration,
    what: &str,
) -> std::process::ExitStatus {
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not stop within {within:?} of SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch directory for one test.
pub fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "onair-{tag}-{}-{}",
        std::process::id(),
        uuid_like()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// The Python with the test tools `.ci/setup` installs (`.venv`), or
/// `ONAIR_PYTHON`.
pub fn python() -> String {
    if let Ok(python) = std::env::var("ONAIR_PYTHON") {
        return python;
    }
    let venv = repo().join(".venv/bin/python");
    if venv.exists() {
        venv.to_string_lossy().into_owned()
    } else {
        "python3".into()
    }
}
pub mod kubectl;
pub mod operator;
pub mod sandbox;

/// The signing keys among a key value store's entries (`k:<id>` = base64).
pub fn keys_in_store(entries: &std::collections::BTreeMap<String, String>) -> onair::token::Keys {
    use base64::Engine as _;
    onair::token::Keys(
        entries
            .iter()
            .filter_map(|(k, v)| {
                let id = k.strip_prefix("k:")?;
                let key = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
                Some((id.to_string(), key))
            })
            .collect(),
    )
}

/// The Kubernetes release of the real control plane, kubectl and client
/// libraries the tests build (`.ci/k8s-env`, tests/realk8s/go).
pub const KUBERNETES_RELEASE: &str = "v1.37.2";
