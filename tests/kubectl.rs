//! The real `kubectl` against the local API server, as a user would drive it:
//! CRDs, the examples with kustomize, printer columns, rejected invalid
//! examples, deletion that waits for finalizers, and `onair sandbox --api-only`.

mod support;

use std::process::Stdio;
use std::time::Duration;

use onair::apiserver::LocalApiServer;
use support::kubectl::Kubectl;
use tokio::process::Command;

async fn server_and_kubectl(tag: &str) -> (LocalApiServer, Kubectl) {
    let server = LocalApiServer::start().await.unwrap();
    let kubectl = Kubectl::for_server(&server, tag);
    kubectl.ok(&["apply", "-f", "crds/"]).await;
    (server, kubectl)
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_applies_the_examples_and_prints_the_columns() {
    let (server, kubectl) = server_and_kubectl("kubectl-examples").await;
    let crds = kubectl.ok(&["get", "crds", "-o", "name"]).await;
    assert!(crds.contains("livechannels.onair.dev"), "{crds}");

    kubectl.assert_examples_apply().await;
    let table = kubectl.ok(&["get", "livechannels"]).await;
    assert!(
        table.lines().nth(1).unwrap().starts_with("sports-1 "),
        "{table}"
    );
    let wide = kubectl.ok(&["get", "lc", "-o", "wide"]).await;
    assert!(wide.lines().next().unwrap().contains("DESIRED"), "{wide}");
    assert!(wide.lines().nth(1).unwrap().contains("Running"), "{wide}");
    // Events recorded through events.k8s.io/v1 show in `kubectl describe`.
    let channels: kube::Api<onair::api::LiveChannel> =
        kube::Api::namespaced(server.client(), "default");
    let channel = channels.get("sports-1").await.unwrap();
    let recorder = kube::runtime::events::Recorder::new(server.client(), "onair".into());
    let event = kube::runtime::events::Event {
        type_: kube::runtime::events::EventType::Normal,
        reason: "ChannelCreated".into(),
        note: Some("MediaLive channel created".into()),
        action: "Reconcile".into(),
        secondary: None,
    };
    recorder
        .publish(&event, &kube::Resource::object_ref(&channel, &()))
        .await
        .unwrap();
    let described = kubectl.ok(&["describe", "lc", "sports-1"]).await;
    assert!(
        described.contains("ChannelCreated") && described.contains("MediaLive channel created"),
        "{described}"
    );
    let providers = kubectl.ok(&["get", "awsp"]).await;
    assert!(providers.contains("media-prod"), "{providers}");

    // Server-side apply by another manager and a status read back through -o.
    kubectl
        .ok(&[
            "apply",
            "--server-side",
            "--field-manager",
            "gitops",
            "-f",
            "examples/live-channel.yaml",
            "--force-conflicts",
        ])
        .await;
    let generation = kubectl
        .ok(&[
            "get",
            "lc",
            "sports-1",
            "-o",
            "jsonpath={.metadata.generation}",
        ])
        .await;
    assert_eq!(generation, "1");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_rejects_every_invalid_example_with_its_rule_message() {
    let (server, kubectl) = server_and_kubectl("kubectl-invalid").await;
    let mut checked = 0;
    for entry in std::fs::read_dir(support::repo().join("examples/invalid")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", path.display()))
            .to_string();
        let out = kubectl.run(&["apply", "-f", path.to_str().unwrap()]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{} was accepted", path.display());
        assert!(
            stderr.contains(&expected),
            "{}: expected {expected:?} in {stderr}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} invalid examples");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_delete_waits_for_finalizers() {
    let (server, kubectl) = server_and_kubectl("kubectl-finalizer").await;
    kubectl
        .ok(&["apply", "-f", "examples/live-channel.yaml"])
        .await;
    kubectl
        .patch_channel(
            "merge",
            r#"{"metadata":{"finalizers":["onair.dev/cleanup"]}}"#,
        )
        .await;

    let mut deleting = kubectl
        .command(&["delete", "lc", "sports-1", "--timeout=30s"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The object is marked, not removed, and kubectl keeps waiting.
    let mut marked = String::new();
    for _ in 0..100 {
        marked = kubectl
            .ok(&[
                "get",
                "lc",
                "sports-1",
                "-o",
                "jsonpath={.metadata.deletionTimestamp}",
            ])
            .await;
        if !marked.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!marked.is_empty(), "deletionTimestamp was never set");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        deleting.try_wait().unwrap().is_none(),
        "kubectl delete returned while a finalizer remained"
    );

    kubectl
        .patch_channel("json", r#"[{"op":"remove","path":"/metadata/finalizers"}]"#)
        .await;
    let status = tokio::time::timeout(Duration::from_secs(20), deleting.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
    let gone = kubectl.run(&["get", "lc", "sports-1"]).await;
    assert!(String::from_utf8_lossy(&gone.stderr).contains("NotFound"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_api_only_serves_kubectl_until_stopped() {
    let dir = support::scratch_dir("sandbox-api-only");
    let kubeconfig = dir.join("kubeconfig");
    let mut sandbox = Command::new(env!("CARGO_BIN_EXE_onair"))
        .args(["sandbox", "--api-only", "--kubeconfig"])
        .arg(&kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if kubeconfig.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let kubectl = Kubectl::with_kubeconfig(kubeconfig, &dir);
    let namespaces = kubectl.ok(&["get", "namespaces", "-o", "name"]).await;
    assert!(namespaces.contains("namespace/default"), "{namespaces}");
    kubectl.ok(&["apply", "-f", "crds/"]).await;
    kubectl
        .ok(&["apply", "-f", "examples/live-channel.yaml"])
        .await;
    // kubectl's generators send built-in kinds as protobuf.
    kubectl.ok(&["create", "namespace", "media"]).await;
    kubectl
        .ok(&[
            "-n",
            "media",
            "create",
            "secret",
            "generic",
            "srt",
            "--from-literal=passphrase=correct-horse",
        ])
        .await;
    let stored = kubectl
        .ok(&[
            "-n",
            "media",
            "get",
            "secret",
            "srt",
            "-o",
            "jsonpath={.data.passphrase}",
        ])
        .await;
    assert_eq!(stored, "Y29ycmVjdC1ob3JzZQ==");
    kubectl
        .ok(&[
            "-n",
            "media",
            "create",
            "configmap",
            "settings",
            "--from-literal=a=b",
        ])
        .await;

    let pid = sandbox.id().unwrap().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), sandbox.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "sandbox exited with {status}");
}
