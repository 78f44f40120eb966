//! The real helm against a real kube-apiserver: the chart installs (its CRDs,
//! RBAC, ServiceAccount, Deployment, Service, PodDisruptionBudget accepted by
//! the server; what would need a kubelet only checked by the server's dry
//! run; no ClusterRole grants Secrets), upgrades to a namespace-scoped
//! install (Secrets in a Role there), and uninstalls, leaving the
//! CRDs and the users' objects in place (Helm never deletes `crds/`).

use super::control_plane::ControlPlane;
use super::support::kubectl::Kubectl;
use super::tools::{admin_kubectl, get_json, Helm, OPERATOR_NAMESPACE};

/// A stand-in for one of the Prometheus Operator's CRDs (ServiceMonitor,
/// PrometheusRule), so what the full values render of them is checked by the
/// server too.
fn prometheus_operator_crd(kind: &str) -> String {
    let singular = kind.to_lowercase();
    serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{singular}s.monitoring.coreos.com")},
        "spec": {
            "group": "monitoring.coreos.com",
            "names": {"kind": kind, "plural": format!("{singular}s"), "listKind": format!("{kind}List"), "singular": singular},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
        }
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn helm_installs_upgrades_and_uninstalls_the_chart() {
    let plane = ControlPlane::start("helm");
    let helm = Helm::new(&plane);
    let kubectl = admin_kubectl(&plane);
    let lint = helm.ok(&["lint", "charts/onair"]);
    assert!(lint.contains("0 chart(s) failed"), "{lint}");

    // Every option on, checked by the server without creating anything.
    for kind in ["ServiceMonitor", "PrometheusRule"] {
        let crd = plane.dir.join(format!("{kind}-crd.json"));
        std::fs::write(&crd, prometheus_operator_crd(kind)).unwrap();
        kubectl.ok(&["apply", "-f", crd.to_str().unwrap()]).await;
    }
    kubectl.wait_for_crds().await;
    for namespace in ["live-news", "live-sports", OPERATOR_NAMESPACE] {
        kubectl.ok(&["create", "namespace", namespace]).await;
    }
    helm.ok(&[
        "install",
        "onair",
        "charts/onair",
        "--namespace",
        OPERATOR_NAMESPACE,
        "--values",
        "charts/onair/ci/full-values.yaml",
        "--dry-run=server",
    ]);
    let after_dry_run = kubectl
        .ok(&[
            "get",
            "deployments,serviceaccounts,roles",
            "-n",
            OPERATOR_NAMESPACE,
            "-o",
            "name",
        ])
        .await;
    assert!(
        !after_dry_run.contains("onair"),
        "the dry run created objects: {after_dry_run}"
    );

    // The default install: cluster-wide RBAC, two replicas.
    let installed = helm.install(&[]);
    assert!(installed.contains("STATUS: deployed"), "{installed}");
    let deployment = operator_deployment(&kubectl).await;
    assert_eq!(deployment["spec"]["replicas"], 2);
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "onair");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{pod}");
    let objects = kubectl
        .ok(&[
            "get",
            "serviceaccount,role,rolebinding,service,poddisruptionbudget",
            "-n",
            OPERATOR_NAMESPACE,
            "-o",
            "name",
        ])
        .await;
    for name in [
        "serviceaccount/onair",
        "role.rbac.authorization.k8s.io/onair-leader-election",
        "rolebinding.rbac.authorization.k8s.io/onair-leader-election",
        "service/onair",
        "poddisruptionbudget.policy/onair",
    ] {
        assert!(objects.contains(name), "{name} missing:\n{objects}");
    }
    kubectl
        .ok(&["get", "clusterrole/onair", "clusterrolebinding/onair"])
        .await;
    // Cluster-wide with no secretNamespaces: Secrets readable nowhere.
    let cluster_role = get_json(&kubectl, &["get", "clusterrole", "onair"]).await;
    assert!(
        !cluster_role["rules"].to_string().contains("secrets"),
        "the ClusterRole grants Secrets: {cluster_role}"
    );
    // The operator is told: an empty list (the API server drops the empty
    // value; the container still gets the variable, empty).
    let env = &deployment["spec"]["template"]["spec"]["containers"][0]["env"];
    let secret_namespaces = env
        .as_array()
        .and_then(|e| e.iter().find(|v| v["name"] == "ONAIR_SECRET_NAMESPACES"))
        .unwrap_or_else(|| panic!("no ONAIR_SECRET_NAMESPACES: {env}"));
    assert_eq!(
        secret_namespaces["value"].as_str().unwrap_or_default(),
        "",
        "{env}"
    );
    kubectl.wait_for_crds().await;

    // Upgrade to one watched namespace: the ClusterRole gives way to a Role there.
    kubectl.ok(&["create", "namespace", "media"]).await;
    let upgraded = helm.ok(&[
        "upgrade",
        "onair",
        "charts/onair",
        "--namespace",
        OPERATOR_NAMESPACE,
        "--set",
        "replicas=3",
        "--set",
        "watchNamespaces={media}",
    ]);
    assert!(upgraded.contains("REVISION: 2"), "{upgraded}");
    let deployment = operator_deployment(&kubectl).await;
    assert_eq!(deployment["spec"]["replicas"], 3);
    let env = deployment["spec"]["template"]["spec"]["containers"][0]["env"].to_string();
    assert!(
        env.contains(r#""name":"ONAIR_WATCH_NAMESPACES","value":"media""#),
        "{env}"
    );
    kubectl
        .ok(&[
            "get",
            "role/onair",
            "rolebinding/onair",
            "role/onair-secrets",
            "rolebinding/onair-secrets",
            "-n",
            "media",
        ])
        .await;
    kubectl.ok(&["get", "clusterrole/onair-providers"]).await;
    let gone = kubectl.run(&["get", "clusterrole/onair"]).await;
    assert!(
        !gone.status.success(),
        "the cluster-wide ClusterRole survived the upgrade"
    );

    // Uninstall: the release's objects go; CRDs and the users' objects stay.
    kubectl
        .ok(&["apply", "-n", "media", "-f", "examples/live-channel.yaml"])
        .await;
    let uninstalled = helm.ok(&["uninstall", "onair", "--namespace", OPERATOR_NAMESPACE]);
    assert!(uninstalled.contains("uninstalled"), "{uninstalled}");
    let left = kubectl
        .ok(&[
            "get",
            "deployments,serviceaccounts,roles,rolebindings,services",
            "-n",
            OPERATOR_NAMESPACE,
            "-o",
            "name",
        ])
        .await;
    assert!(!left.contains("onair"), "left behind: {left}");
    for gone in [
        "clusterrole/onair-providers",
        "clusterrolebinding/onair-providers",
    ] {
        assert!(
            !kubectl.run(&["get", gone]).await.status.success(),
            "{gone} survived"
        );
    }
    assert!(!kubectl
        .run(&["get", "role/onair", "-n", "media"])
        .await
        .status
        .success());
    kubectl.ok(&["get", "crd/livechannels.onair.dev"]).await;
    kubectl
        .ok(&["get", "livechannel/sports-1", "-n", "media"])
        .await;
}

async fn operator_deployment(kubectl: &Kubectl) -> serde_json::Value {
    get_json(
        kubectl,
        &["get", "deployment", "onair", "-n", OPERATOR_NAMESPACE],
    )
    .await
}
