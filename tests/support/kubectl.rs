//! kubectl as a user drives it, against the local API server or a real one.
//! The binary is the one `.ci/k8s-env` builds from the pinned Kubernetes
//! release (tests/realk8s/bin/kubectl), or `ONAIR_KUBECTL`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use onair::apiserver::LocalApiServer;
use tokio::process::Command;

/// The kubectl the tests run.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("ONAIR_KUBECTL") {
        return PathBuf::from(path);
    }
    let built = super::repo().join("tests/realk8s/bin/kubectl");
    assert!(
        built.is_file(),
        "{} is missing: run `bash .ci/setup` (it builds kubectl {} with the control plane)",
        built.display(),
        super::KUBERNETES_RELEASE
    );
    built
}

/// kubectl with its own kubeconfig and discovery cache, so tests can run in
/// parallel without sharing state.
pub struct Kubectl {
    pub kubeconfig: PathBuf,
    cache: PathBuf,
}

impl Kubectl {
    pub fn for_server(server: &LocalApiServer, tag: &str) -> Self {
        let dir = super::scratch_dir(tag);
        let kubeconfig = dir.join("kubeconfig");
        server.write_kubeconfig(&kubeconfig).unwrap();
        Self::with_kubeconfig(kubeconfig, &dir)
    }

    pub fn with_kubeconfig(kubeconfig: PathBuf, dir: &Path) -> Self {
        Self {
            kubeconfig,
            cache: dir.join("kubectl-cache"),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .current_dir(super::repo())
            .stdin(Stdio::null())
            .kill_on_drop(true);
        command
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().await.expect("kubectl runs")
    }

    /// Runs and expects success; returns stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns stderr.
    pub async fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            !out.status.success(),
            "kubectl {args:?} succeeded: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Waits until every CRD is Established (its objects are served).
    pub async fn wait_for_crds(&self) {
        self.ok(&[
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd",
            "--all",
        ])
        .await;
    }

    /// `kubectl apply -k examples/` creates every example, a second apply
    /// changes nothing, and `kubectl get livechannels` shows the printer
    /// columns.
    pub async fn assert_examples_apply(&self) {
        let applied = self.ok(&["apply", "-k", "examples/"]).await;
        for created in [
            "livechannel.onair.dev/sports-1 created",
            "awsprovider.onair.dev/media-prod created",
            "adinsertion.onair.dev/sports-1-ads created",
            "tokenpolicy.onair.dev/sports-1-tokens created",
            "harvestjob.onair.dev/sports-1-first-half created",
            "secret/playback-signing-keys created",
        ] {
            assert!(applied.contains(created), "{applied}");
        }
        let again = self.ok(&["apply", "-k", "examples/"]).await;
        assert!(
            again.contains("livechannel.onair.dev/sports-1 unchanged"),
            "{again}"
        );
        let table = self.ok(&["get", "livechannels"]).await;
        let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(
            header,
            ["NAME", "STATE", "READY", "REASON", "PLAYBACK", "AGE"],
            "{table}"
        );
    }

    pub async fn patch_channel(&self, patch_type: &str, patch: &str) {
        self.ok(&["patch", "lc", "sports-1", "--type", patch_type, "-p", patch])
            .await;
    }
}
