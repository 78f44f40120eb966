"""Renders charts/onair offline with Helm's own engine (helm-python-sdk) and
validates every manifest against the Kubernetes schemas (kubernetes-validate,
strict: unknown fields fail). Run by tests/chart.rs; exits non-zero on failure."""

import pathlib
import sys

import kubernetes_validate
import yaml
from helm_python.chart import Chart, lint

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "onair"
K8S_VERSION = "1.33.0"


def render(values):
    rendered = Chart.load(str(CHART)).render(values=values)
    docs = []
    for name, text in rendered.items():
        if name.endswith(".txt"):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def check(values, label):
    docs = render(values)
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            sys.exit(f"{label}: {doc['kind']} {doc['metadata']['name']} is invalid: {e.message} at {list(e.path)}")
    by_kind = {d["kind"]: d for d in docs}
    missing = {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment"} - set(by_kind)
    if missing:
        sys.exit(f"{label}: missing {sorted(missing)}")
    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True, label
    assert container["securityContext"]["readOnlyRootFilesystem"] is True, label
    assert container["securityContext"]["allowPrivilegeEscalation"] is False, label
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", label
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", label
    assert container["args"][0] == "run", label
    rules = by_kind["ClusterRole"]["rules"]
    assert not any("*" in r.get("verbs", []) or "*" in r.get("resources", []) for r in rules), "no wildcards in RBAC"
    secret_rules = [r for r in rules if "secrets" in r.get("resources", [])]
    assert all(set(r["verbs"]) <= {"get", "list", "watch"} for r in secret_rules), "secrets are read only"
    # Leader election: Leases, in the release namespace only; replicas know their pod.
    lease_rules = by_kind["Role"]["rules"]
    assert any("leases" in r["resources"] and "update" in r["verbs"] for r in lease_rules), label
    assert not any("leases" in r.get("resources", []) for r in rules), "leases are namespaced, not cluster-wide"
    env = {e["name"]: e for e in container["env"]}
    assert env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", label
    assert env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace", label
    return by_kind


def main():
    result = lint(str(CHART))
    if result["errors"] or any(m["severity"] > 1 for m in result["messages"]):
        sys.exit(f"helm lint: {result}")
    check({}, "defaults")
    full = check(
        {
            "image": {"repository": "registry.example.com/onair", "tag": "1.2.3"},
            "region": "eu-west-1",
            "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/onair"}},
            "log": {"format": "text", "level": "debug"},
            "nodeSelector": {"kubernetes.io/os": "linux"},
        },
        "full values",
    )
    sa = full["ServiceAccount"]
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/onair")
    container = full["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.example.com/onair:1.2.3"
    assert {"name": "AWS_REGION", "value": "eu-west-1"} in container["env"]
    # The chart installs the same CRD files as crds/ (tests/crds.rs compares them).
    crds = sorted(p.name for p in (CHART / "crds").glob("*.yaml"))
    assert crds == sorted(p.name for p in (ROOT / "crds").glob("*.yaml")), crds
    print("chart renders and validates: defaults and full values")


if __name__ == "__main__":
    main()
