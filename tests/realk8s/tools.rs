//! The real tools the suites drive: helm (with its own state per test) and
//! the probe (kstatus and Argo CD health through their Go libraries).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::control_plane::{bin, ControlPlane};
use super::support;
use super::support::kubectl::Kubectl;

/// helm against one control plane, with its cache, config and data in the
/// test's directory (parallel tests never share a repository cache).
pub struct Helm {
    kubeconfig: PathBuf,
    home: PathBuf,
}

impl Helm {
    pub fn new(plane: &ControlPlane) -> Self {
        Self {
            kubeconfig: plane.admin_kubeconfig.clone(),
            home: plane.dir.join("helm"),
        }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(bin("helm"))
            .args(args)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .env("HELM_CACHE_HOME", self.home.join("cache"))
            .env("HELM_CONFIG_HOME", self.home.join("config"))
            .env("HELM_DATA_HOME", self.home.join("data"))
            .current_dir(support::repo())
            .stdin(Stdio::null())
            .output()
            .expect("helm runs")
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "helm {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `helm install onair charts/onair` into `onair-system` with extra flags.
    pub fn install(&self, extra: &[&str]) -> String {
        let mut args = vec![
            "install",
            "onair",
            "charts/onair",
            "--namespace",
            OPERATOR_NAMESPACE,
            "--create-namespace",
        ];
        args.extend_from_slice(extra);
        self.ok(&args)
    }
}

/// Where the chart is installed in these tests.
pub const OPERATOR_NAMESPACE: &str = "onair-system";
/// The ServiceAccount the chart creates for release `onair`.
pub const SERVICE_ACCOUNT: &str = "onair";

/// What kstatus and Argo CD say of each object (`probe health`).
pub fn health_of(objects: &[Value]) -> Vec<Value> {
    let mut child = Command::new(bin("probe"))
        .arg("health")
        .arg(support::repo().join("docs/argocd"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("probe runs");
    serde_json::to_writer(child.stdin.take().unwrap(), objects).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "probe health: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("probe prints JSON")
}

/// kubectl as the cluster admin of `plane`.
pub fn admin_kubectl(plane: &ControlPlane) -> Kubectl {
    Kubectl::with_kubeconfig(plane.admin_kubeconfig.clone(), &plane.dir)
}

/// Objects of `kind` in `namespace`, as JSON (admin view).
pub async fn get_json(kubectl: &Kubectl, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    serde_json::from_str(&kubectl.ok(&all).await).expect("kubectl prints JSON")
}

pub fn file_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
