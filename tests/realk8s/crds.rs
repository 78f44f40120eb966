//! The CRDs on a real kube-apiserver: structural schemas and CEL rules pass
//! its install-time checks (cost budgets included) without a warning, every
//! example applies, and every invalid example is refused with the message its
//! `# expect:` line names, the same message the local API server gives.

use onair::apiserver::LocalApiServer;

use super::control_plane::ControlPlane;
use super::support;
use super::support::kubectl::Kubectl;
use super::tools::admin_kubectl;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crds_become_established_and_every_example_applies() {
    let plane = ControlPlane::start("crds");
    let kubectl = admin_kubectl(&plane);
    let out = kubectl.run(&["apply", "-f", "crds/"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the CRDs are refused: {stderr}");
    // A CEL rule near its cost budget, or a schema the server prunes, shows
    // as a warning here.
    assert!(
        stderr.trim().is_empty(),
        "warnings installing the CRDs: {stderr}"
    );
    kubectl.wait_for_crds().await;
    let established = kubectl
        .ok(&[
            "get",
            "crd",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Established\")].status}{\"\\n\"}{end}",
        ])
        .await;
    for name in [
        "adinsertions.onair.dev",
        "awsproviders.onair.dev",
        "harvestjobs.onair.dev",
        "livechannels.onair.dev",
        "tokenpolicies.onair.dev",
    ] {
        assert!(
            established.contains(&format!("{name}=True")),
            "{name} is not Established:\n{established}"
        );
    }

    kubectl.assert_examples_apply().await;
    let everything = kubectl.ok(&["get", "onair", "-o", "name"]).await;
    for name in [
        "livechannel.onair.dev/sports-1",
        "adinsertion.onair.dev/sports-1-ads",
        "tokenpolicy.onair.dev/sports-1-tokens",
        "harvestjob.onair.dev/sports-1-first-half",
    ] {
        assert!(everything.contains(name), "{everything}");
    }
}

/// What kubectl prints for a refused apply, without what legitimately
/// differs between two servers.
fn refusal(stderr: &str) -> String {
    stderr.trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invalid_examples_are_refused_as_the_local_server_refuses_them() {
    let plane = ControlPlane::start("invalid");
    let real = admin_kubectl(&plane);
    let local_server = LocalApiServer::start().await.unwrap();
    let local = Kubectl::for_server(&local_server, "realk8s-invalid-local");
    for kubectl in [&real, &local] {
        kubectl.ok(&["apply", "-f", "crds/"]).await;
        kubectl.wait_for_crds().await;
    }
    let mut files: Vec<_> = std::fs::read_dir(support::repo().join("examples/invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut differences = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let expected = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", path.display()));
        let file = path.to_str().unwrap();
        let from_real = refusal(&real.fails(&["apply", "-f", file]).await);
        assert!(
            from_real.contains(expected),
            "{}: kube-apiserver refused it otherwise: expected {expected:?} in\n{from_real}",
            path.display()
        );
        let from_local = refusal(&local.fails(&["apply", "-f", file]).await);
        if from_real != from_local {
            differences.push(format!(
                "{}:\n  kube-apiserver: {from_real}\n  local server:   {from_local}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(files.len() >= 20, "only {} invalid examples", files.len());
    assert!(
        differences.is_empty(),
        "the local API server refuses these otherwise than kube-apiserver:\n{}",
        differences.join("\n")
    );
    local_server.stop().await;
}
