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

/// A LiveChannel from the shipped example, in the given namespace.
pub fn example_channel(name: &str) -> onair::api::LiveChannel {
    let text = std::fs::read_to_string(repo().join("examples/live-channel.yaml")).unwrap();
    let mut channel: onair::api::LiveChannel = serde_yaml::from_str(&text).unwrap();
    channel.metadata.name = Some(name.to_string());
    channel
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
