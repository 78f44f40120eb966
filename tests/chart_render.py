"""Renders charts/onair offline with Helm's own engine (helm-python-sdk) and
validates every manifest against the Kubernetes schemas (kubernetes-validate,
strict: unknown fields fail); the ServiceMonitor (a Prometheus Operator CRD the
Kubernetes schemas do not have) is checked by shape here. Values are validated
against values.schema.json, by Helm and by jsonschema, and bad values must be
refused. The RBAC must follow the watch scope, and Secrets are granted only in
a Role per secretNamespace, never in a ClusterRole. The Dockerfile is checked
statically (no docker here). Run by tests/chart.rs; exits non-zero on failure."""

import pathlib
import re
import sys

import jsonschema
import json
import kubernetes_validate
import yaml
from helm_python.chart import Chart, lint

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "onair"
FULL_VALUES = CHART / "ci" / "full-values.yaml"
BAD_VALUES = ROOT / "tests" / "fixtures" / "chart-bad-values.yaml"
K8S_VERSION = "1.33.0"
RELEASE = "onair"
NAMESPACE = "onair-system"
# The user the Dockerfile's runtime image runs as (distroless nonroot).
NONROOT = 65532

# What the operator itself reads: the namespaced onair kinds, and the
# cluster-scoped AwsProvider.
NAMESPACED_KINDS = {"livechannels", "adinsertions", "tokenpolicies", "harvestjobs"}
CLUSTER_KINDS = {"awsproviders"}


def fail(message):
    sys.exit(f"chart: {message}")


def check(condition, message):
    if not condition:
        fail(message)


def render(values, namespace=NAMESPACE):
    rendered = Chart.load(str(CHART)).render(values=values, name=RELEASE, namespace=namespace)
    docs = []
    for name, text in rendered.items():
        if name.endswith(".txt"):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def refused_to_render(values):
    try:
        render(values)
    except Exception as e:  # HelmRenderError
        return str(e)
    return None


def check_service_monitor(sm, service, label):
    """The ServiceMonitor's shape (monitoring.coreos.com/v1): the fields used,
    nothing unknown, and that it selects the metrics Service's port."""
    check(sm["apiVersion"] == "monitoring.coreos.com/v1", f"{label}: ServiceMonitor apiVersion")
    check(set(sm) == {"apiVersion", "kind", "metadata", "spec"}, f"{label}: ServiceMonitor keys {set(sm)}")
    check(set(sm["metadata"]) <= {"name", "namespace", "labels", "annotations"}, f"{label}: ServiceMonitor metadata")
    spec = sm["spec"]
    check(set(spec) <= {"selector", "namespaceSelector", "endpoints", "jobLabel"}, f"{label}: ServiceMonitor spec keys {set(spec)}")
    labels = service["metadata"]["labels"]
    selector = spec["selector"]["matchLabels"]
    check(selector and all(labels.get(k) == v for k, v in selector.items()), f"{label}: the ServiceMonitor selects the Service")
    check(spec["namespaceSelector"] == {"matchNames": [service["metadata"]["namespace"]]}, f"{label}: namespaceSelector")
    ports = {p["name"] for p in service["spec"]["ports"]}
    duration = re.compile(r"^([0-9]+(ms|s|m|h))+$")
    check(spec["endpoints"], f"{label}: ServiceMonitor endpoints")
    for endpoint in spec["endpoints"]:
        check(set(endpoint) <= {"port", "path", "scheme", "interval", "scrapeTimeout"}, f"{label}: endpoint keys {set(endpoint)}")
        check(endpoint["port"] in ports, f"{label}: endpoint port {endpoint['port']} is not a Service port {ports}")
        check(endpoint["path"] == "/metrics", f"{label}: endpoint path")
        check(endpoint.get("scheme", "http") in ("http", "https"), f"{label}: endpoint scheme")
        for key in ("interval", "scrapeTimeout"):
            check(duration.match(str(endpoint[key])), f"{label}: {key} {endpoint[key]!r} is not a Prometheus duration")


def validate_all(docs, label):
    for doc in docs:
        # Prometheus Operator CRDs: checked by shape here, and the rules by
        # promtool (tests/realk8s/monitoring.rs).
        if doc["kind"] in ("ServiceMonitor", "PrometheusRule"):
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            fail(f"{label}: {doc['kind']} {doc['metadata']['name']} is invalid: {e.message} at {list(e.path)}")


def index(docs):
    """(kind, namespace, name) -> manifest, with no duplicates."""
    found = {}
    for d in docs:
        key = (d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
        check(key not in found, f"rendered twice: {key}")
        found[key] = d
    return found


def of_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def resources(rules):
    return {r for rule in rules for r in rule.get("resources", [])}


def run_args_and_env():
    """The flags and environment variables `onair run` reads (src/run.rs)."""
    source = (ROOT / "src" / "run.rs").read_text()
    body = source[source.index("pub struct RunArgs"):]
    body = body[: body.index("\n}\n")]
    flags = {"--" + name.replace("_", "-") for name in re.findall(r"pub (\w+):", body)}
    env = set(re.findall(r'env = "(\w+)"', body))
    return flags, env


def check_common(docs, values, label):
    """What holds for every set of values."""
    validate_all(docs, label)
    by_key = index(docs)
    merged = Chart.load(str(CHART)).merge_values(values)
    deployment = of_kind(docs, "Deployment")
    check(len(deployment) == 1, f"{label}: one Deployment")
    deployment = deployment[0]
    check(deployment["spec"]["replicas"] == merged["replicas"], f"{label}: replicas")
    pod = deployment["spec"]["template"]["spec"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    container = pod["containers"][0]
    security = container["securityContext"]
    check(pod["securityContext"]["runAsNonRoot"] is True, f"{label}: runAsNonRoot")
    check(pod["securityContext"]["runAsUser"] == NONROOT, f"{label}: runs as the image's nonroot user")
    check(pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", f"{label}: pod seccomp")
    check(security["runAsNonRoot"] is True, f"{label}: container runAsNonRoot")
    check(security["readOnlyRootFilesystem"] is True, f"{label}: readOnlyRootFilesystem")
    check(security["allowPrivilegeEscalation"] is False, f"{label}: allowPrivilegeEscalation")
    check(security["capabilities"] == {"drop": ["ALL"]}, f"{label}: capabilities")
    check(security["seccompProfile"]["type"] == "RuntimeDefault", f"{label}: container seccomp")
    check(container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}, f"{label}: liveness")
    check(container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}, f"{label}: readiness")
    port = merged["healthPort"]
    check(container["ports"] == [{"name": "health", "containerPort": port, "protocol": "TCP"}], f"{label}: ports")
    check(pod["terminationGracePeriodSeconds"] == merged["terminationGracePeriodSeconds"], f"{label}: grace period")
    check(container["args"][0] == "run", f"{label}: onair run")
    check(f"--health-addr=0.0.0.0:{port}" in container["args"], f"{label}: health address")
    flags, read_env = run_args_and_env()
    for arg in container["args"][1:]:
        check(arg.split("=")[0] in flags, f"{label}: `onair run` has no flag {arg}")
    env = {e["name"]: e for e in container["env"]}
    for name in env:
        check(name in read_env or name == "RUST_LOG", f"{label}: `onair run` reads no {name}")
    check(env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", label)
    check(env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace", label)
    check(env["AWS_REGION"]["value"] == merged["region"], f"{label}: region")
    election = merged["leaderElection"]
    check(f"--leader-election={str(election['enabled']).lower()}" in container["args"], f"{label}: leader election flag")

    # RBAC: no wildcards, secrets read only, Leases only in the release namespace.
    roles = of_kind(docs, "ClusterRole") + of_kind(docs, "Role")
    for role in roles:
        for rule in role["rules"]:
            check("*" not in rule.get("verbs", []) and "*" not in rule.get("resources", []) and "*" not in rule.get("apiGroups", []),
                  f"{label}: wildcard in {role['kind']} {role['metadata']['name']}")
            if "secrets" in rule.get("resources", []):
                check(set(rule["verbs"]) <= {"get", "list", "watch"}, f"{label}: secrets are read only")
            if "leases" in rule.get("resources", []):
                check(role["kind"] == "Role" and role["metadata"]["namespace"] == NAMESPACE,
                      f"{label}: leases only in the release namespace")
    check_secret_scope(docs, env, merged, label)
    lease_role = by_key[("Role", NAMESPACE, f"{RELEASE}-leader-election")]
    check(any("leases" in r["resources"] and "update" in r["verbs"] for r in lease_role["rules"]), f"{label}: lease role")
    # AwsProviders are cluster scoped: kube-apiserver keeps their events in
    # `default`, which the operator may write to in either install mode.
    event_roles = [r for r in roles if r["kind"] == "ClusterRole" and "events" in resources(r["rules"])]
    event_roles += [r for r in roles if r["kind"] == "Role" and r["metadata"].get("namespace") == "default"
                    and "events" in resources(r["rules"])]
    check(bool(event_roles), f"{label}: the AwsProviders' events in default")
    # Every role is bound to the operator's ServiceAccount.
    sa_name = merged["serviceAccount"]["name"] or RELEASE
    check(pod["serviceAccountName"] == sa_name, f"{label}: service account")
    bindings = of_kind(docs, "ClusterRoleBinding") + of_kind(docs, "RoleBinding")
    bound = set()
    for b in bindings:
        check(b["subjects"] == [{"kind": "ServiceAccount", "name": sa_name, "namespace": NAMESPACE}], f"{label}: {b['metadata']['name']} subjects")
        bound.add((b["roleRef"]["kind"], b["metadata"].get("namespace"), b["roleRef"]["name"]))
    for role in roles:
        check((role["kind"], role["metadata"].get("namespace"), role["metadata"]["name"]) in bound,
              f"{label}: {role['kind']} {role['metadata']['name']} is not bound")

    # The metrics Service in front of the health port.
    services = of_kind(docs, "Service")
    if merged["metrics"]["service"]["enabled"]:
        check(len(services) == 1, f"{label}: one Service")
        service = services[0]
        check(service["metadata"]["name"] == RELEASE, f"{label}: the Service is named for the release")
        check(service["spec"]["ports"] == [{"name": "http-metrics", "port": port, "targetPort": "health", "protocol": "TCP"}],
              f"{label}: Service ports")
        check(all(pod_labels.get(k) == v for k, v in service["spec"]["selector"].items()), f"{label}: Service selects the pods")
    else:
        check(not services, f"{label}: no Service")

    # A PodDisruptionBudget with more than one replica, when enabled.
    pdbs = of_kind(docs, "PodDisruptionBudget")
    if merged["replicas"] > 1 and merged["podDisruptionBudget"]["enabled"]:
        check(len(pdbs) == 1, f"{label}: a PodDisruptionBudget")
        check(pdbs[0]["spec"]["maxUnavailable"] == merged["podDisruptionBudget"]["maxUnavailable"], f"{label}: maxUnavailable")
        check(all(pod_labels.get(k) == v for k, v in pdbs[0]["spec"]["selector"]["matchLabels"].items()), f"{label}: PDB selects the pods")
    else:
        check(not pdbs, f"{label}: no PodDisruptionBudget")

    policies = of_kind(docs, "NetworkPolicy")
    if merged["networkPolicy"]["enabled"]:
        check(len(policies) == 1, f"{label}: a NetworkPolicy")
        spec = policies[0]["spec"]
        check(all(pod_labels.get(k) == v for k, v in spec["podSelector"]["matchLabels"].items()), f"{label}: policy selects the pods")
        check(spec["policyTypes"] == ["Ingress", "Egress"], f"{label}: policy types")
        check([p for rule in spec["ingress"] for p in rule["ports"]] == [{"port": port, "protocol": "TCP"}],
              f"{label}: ingress only to the health/metrics port")
        check(spec["egress"] == [{}], f"{label}: all egress allowed (API server, AWS)")
    else:
        check(not policies, f"{label}: no NetworkPolicy")

    monitors = of_kind(docs, "ServiceMonitor")
    if merged["metrics"]["serviceMonitor"]["enabled"]:
        check(len(monitors) == 1, f"{label}: a ServiceMonitor")
        check_service_monitor(monitors[0], services[0], label)
    else:
        check(not monitors, f"{label}: no ServiceMonitor")

    rules = of_kind(docs, "PrometheusRule")
    if merged["metrics"]["prometheusRule"]["enabled"]:
        check(len(rules) == 1, f"{label}: a PrometheusRule")
        rule = rules[0]
        check(rule["apiVersion"] == "monitoring.coreos.com/v1", f"{label}: PrometheusRule apiVersion")
        check(set(rule) == {"apiVersion", "kind", "metadata", "spec"}, f"{label}: PrometheusRule keys {set(rule)}")
        check(set(rule["spec"]) == {"groups"}, f"{label}: PrometheusRule spec keys")
        for name, value in merged["metrics"]["prometheusRule"]["labels"].items():
            check(rule["metadata"]["labels"].get(name) == value, f"{label}: PrometheusRule label {name}")
        alerts = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]]
        want = {"OnairReconcileErrors", "OnairObjectsNotReady", "OnairAwsThrottling", "OnairNoLeader"}
        if merged["metrics"]["prometheusRule"]["inputLoss"]["enabled"]:
            want.add("OnairChannelInputLoss")
        check(set(alerts) == want, f"{label}: alerts {alerts}")
    else:
        check(not rules, f"{label}: no PrometheusRule")
    dashboards = [m for m in of_kind(docs, "ConfigMap") if "onair.json" in m.get("data", {})]
    if merged["metrics"]["dashboard"]["enabled"]:
        check(len(dashboards) == 1, f"{label}: the dashboard ConfigMap")
        for name, value in merged["metrics"]["dashboard"]["labels"].items():
            check(dashboards[0]["metadata"]["labels"].get(name) == value, f"{label}: dashboard label {name}")
        json.loads(dashboards[0]["data"]["onair.json"])
    else:
        check(not dashboards, f"{label}: no dashboard ConfigMap")
    return by_key, container, env


def check_secret_scope(docs, env, merged, label):
    """Secrets (signing keys, SRT passphrases) in no ClusterRole, whatever the
    watch scope: a Role `<release>-secrets` with read-only Secret rules in each
    of secretNamespaces (default: the watched namespaces; none when watching
    all), and the operator told that list whenever it differs from the
    watched namespaces (ONAIR_SECRET_NAMESPACES, empty meaning none)."""
    for role in of_kind(docs, "ClusterRole"):
        check("secrets" not in resources(role["rules"]),
              f"{label}: ClusterRole {role['metadata']['name']} grants Secrets in every namespace")
    expected = merged["secretNamespaces"] or merged["watchNamespaces"]
    secret_roles = [r for r in of_kind(docs, "Role") if "secrets" in resources(r["rules"])]
    check(sorted(r["metadata"]["namespace"] for r in secret_roles) == sorted(expected),
          f"{label}: Secret Roles in {[r['metadata']['namespace'] for r in secret_roles]}, expected {expected}")
    for role in secret_roles:
        check(role["metadata"]["name"] == f"{RELEASE}-secrets", f"{label}: Secret Role name {role['metadata']['name']}")
        check(role["rules"] == [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}],
              f"{label}: the Secret Role grants exactly get, list and watch of Secrets: {role['rules']}")
    bound = {b["metadata"]["namespace"] for b in of_kind(docs, "RoleBinding") if b["roleRef"]["name"] == f"{RELEASE}-secrets"}
    check(bound == set(expected), f"{label}: a Secret RoleBinding in each of {expected}: {bound}")
    if not merged["watchNamespaces"] or merged["secretNamespaces"]:
        check(env.get("ONAIR_SECRET_NAMESPACES", {}).get("value") == ",".join(expected),
              f"{label}: ONAIR_SECRET_NAMESPACES must be {','.join(expected)!r}: {env.get('ONAIR_SECRET_NAMESPACES')}")
    else:
        check("ONAIR_SECRET_NAMESPACES" not in env, f"{label}: Secrets follow the watched namespaces")


def check_watch_scope(docs, env, namespaces, label):
    """All namespaces: one ClusterRole with everything. A list: the operator is
    told (ONAIR_WATCH_NAMESPACES), a Role and RoleBinding in each namespace for
    the namespaced kinds, ConfigMaps and Events, and a ClusterRole only for the
    cluster-scoped AwsProvider. Secrets: check_secret_scope."""
    cluster_roles = of_kind(docs, "ClusterRole")
    other_roles = [r for r in of_kind(docs, "Role") if not r["metadata"]["name"].endswith(("-leader-election", "-secrets", "-provider-events"))]
    if not namespaces:
        check("ONAIR_WATCH_NAMESPACES" not in env, f"{label}: no namespace list")
        check(len(cluster_roles) == 1 and not other_roles, f"{label}: one ClusterRole, no Roles")
        granted = resources(cluster_roles[0]["rules"])
        check(NAMESPACED_KINDS | CLUSTER_KINDS | {"configmaps", "events"} <= granted, f"{label}: ClusterRole covers {granted}")
        return
    check(env["ONAIR_WATCH_NAMESPACES"]["value"] == ",".join(namespaces), f"{label}: ONAIR_WATCH_NAMESPACES")
    check(len(cluster_roles) == 1, f"{label}: one ClusterRole")
    check(resources(cluster_roles[0]["rules"]) == CLUSTER_KINDS | {f"{k}/status" for k in CLUSTER_KINDS},
          f"{label}: the ClusterRole grants only the cluster-scoped kinds: {resources(cluster_roles[0]['rules'])}")
    check(sorted(r["metadata"]["namespace"] for r in other_roles) == sorted(namespaces), f"{label}: a Role in each watched namespace")
    bindings = {b["metadata"]["namespace"] for b in of_kind(docs, "RoleBinding") if b["roleRef"]["name"] == RELEASE}
    check(bindings == set(namespaces), f"{label}: a RoleBinding in each watched namespace")
    for role in other_roles:
        rules = role["rules"]
        granted = resources(rules)
        check(NAMESPACED_KINDS <= granted, f"{label}: Role in {role['metadata']['namespace']} lacks onair kinds")
        check(not granted & CLUSTER_KINDS, f"{label}: cluster-scoped kinds in a Role")

        def verbs(resource, group):
            return {v for r in rules if resource in r["resources"] and group in r["apiGroups"] for v in r["verbs"]}

        check(verbs("secrets", "") == set(), f"{label}: Secrets belong in the -secrets Role only")
        check(verbs("configmaps", "") == {"get", "list", "watch"}, f"{label}: configmaps")
        check(verbs("events", "events.k8s.io") == {"create", "patch"}, f"{label}: events")
        check({"get", "list", "watch", "patch", "update"} <= verbs("livechannels", "onair.dev"), f"{label}: livechannels")


def check_schema():
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    check(schema.get("additionalProperties") is False, "values.schema.json: additionalProperties false at the top")
    chart = Chart.load(str(CHART))
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    full = yaml.safe_load(FULL_VALUES.read_text())

    # Every value is described, down to the leaves the chart defines.
    def described(values, node, path):
        node = resolve(schema, node)
        for key, value in values.items():
            props = node.get("properties", {})
            check(key in props, f"values.schema.json does not describe {path}{key}")
            if isinstance(value, dict) and "properties" in resolve(schema, props[key]):
                described(value, props[key], f"{path}{key}.")

    described(defaults, schema, "")
    described(full, schema, "")
    check(set(full) == set(schema["properties"]), f"ci/full-values.yaml sets every value: missing {set(schema['properties']) - set(full)}")
    for values, label in ((defaults, "values.yaml"), (full, "full values")):
        errors = [e.message for e in validator.iter_errors(values)]
        check(not errors, f"{label} does not match values.schema.json: {errors}")
        chart.validate_schema(values)

    bad = [
        (yaml.safe_load(BAD_VALUES.read_text()), BAD_VALUES.name),
        ({"replica": 2}, "an unknown key"),
        ({"replicas": 0}, "no replicas"),
        ({"watchNamespaces": ["Not_A_Namespace"]}, "an invalid namespace"),
        ({"watchNamespaces": ["a", "a"]}, "a namespace twice"),
        ({"secretNamespaces": ["Not_A_Namespace"]}, "an invalid Secret namespace"),
        ({"secretNamespaces": ["a", "a"]}, "a Secret namespace twice"),
        ({"awsBudgets": {"ec2": 5}}, "a service onair does not call"),
        ({"awsBudgets": {"medialive": 0}}, "a zero budget"),
        ({"awsConcurrency": {"medialive": "many"}}, "a concurrency that is no number"),
        ({"log": {"format": "xml"}}, "an unknown log format"),
        ({"region": "Europe"}, "an invalid region"),
        ({"mediaLiveRoleArn": "role/x"}, "an invalid role ARN"),
        ({"metrics": {"serviceMonitor": {"interval": "soon"}}}, "an invalid scrape interval"),
        ({"image": {"repository": "r", "digest": "latest"}}, "an invalid digest"),
    ]
    for values, label in bad:
        check(list(validator.iter_errors(values)), f"values.schema.json accepts {label}: {values}")
        try:
            chart.validate_schema(values)
        except Exception:
            pass
        else:
            fail(f"Helm accepts {label}: {values}")
        result = lint(str(CHART), values)
        check(result["errors"] or any(m["severity"] == 3 for m in result["messages"]), f"helm lint accepts {label}")


def resolve(schema, node):
    ref = node.get("$ref")
    if ref:
        return schema["definitions"][ref.split("/")[-1]]
    return node


def check_dockerfile():
    """The image the chart runs: multi-stage, a pinned builder and a distroless
    (or static) nonroot runtime, /onair as the entry point, and a build context
    that has what the build needs."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [l.strip() for l in re.sub(r"\\\n", " ", text).splitlines() if l.strip() and not l.strip().startswith("#")]
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", "\n".join(lines), re.M))
    stages = [l for l in lines if l.startswith("FROM ")]
    check(len(stages) >= 2, "Dockerfile: multi-stage")
    for stage in stages:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], stage.split()[1])
        check(":" in image.split("/")[-1] or "@sha256:" in image, f"Dockerfile: {image} has no tag")
        check(not image.endswith(":latest"), f"Dockerfile: {image} uses latest")
    final = stages[-1].split()[1]
    check(re.match(r"^gcr\.io/distroless/(static|cc)-debian\d+:nonroot$", final) or final == "scratch",
          f"Dockerfile: the runtime image {final} is not distroless nonroot")
    tail = lines[lines.index(stages[-1]):]
    users = [l.split()[1] for l in tail if l.startswith("USER ")]
    check(users and users[-1].split(":")[0] in (str(NONROOT), "nonroot"), f"Dockerfile: USER {users}")
    check(any(re.match(r"^COPY --from=\w+ \S+ /onair$", l) for l in tail), "Dockerfile: the binary is /onair")
    check(tail[-1] == 'ENTRYPOINT ["/onair", "run"]', f"Dockerfile: entry point {tail[-1]}")
    check(not any(l.startswith("RUN ") for l in tail), "Dockerfile: nothing runs in the runtime stage (no shell there)")
    # The build context has everything the build copies, and what the sources embed.
    ignored = [l.strip().rstrip("/") for l in (ROOT / ".dockerignore").read_text().splitlines()
               if l.strip() and not l.startswith("#")]
    for needed in ("target", ".venv", ".git"):
        check(needed in ignored, f".dockerignore: {needed}/")
    copied = [p for l in lines if l.startswith("COPY ") and "--from" not in l for p in l.split()[1:-1]]
    for path in copied:
        check(path.rstrip("/") not in ignored and (ROOT / path).exists(), f"Dockerfile copies {path}, which the context lacks")
    for source in (ROOT / "src").rglob("*.rs"):
        for embedded in re.findall(r'include_(?:str|bytes)!\("([^"]+)"\)', source.read_text()):
            top = (source.parent / embedded).resolve().relative_to(ROOT).parts[0]
            check(top in {p.rstrip("/").split("/")[0] for p in copied}, f"{source.relative_to(ROOT)} embeds {embedded}: the Dockerfile must copy {top}/")


def check_gitops():
    """examples/gitops: what the Argo CD Applications and Flux objects name
    exists in this repository, the chart values they set pass the schema and
    render valid manifests, and the Flux wiring resolves."""
    gitops = ROOT / "examples" / "gitops"
    docs = []
    for path in sorted(gitops.rglob("*.yaml")):
        docs.extend((path, d) for d in yaml.safe_load_all(path.read_text()) if d)
    kinds = {}
    for path, d in docs:
        kinds.setdefault(d["kind"], []).append((path, d))
    chart = Chart.load(str(CHART))

    def chart_values(values, label):
        errors = [e.message for e in jsonschema.Draft7Validator(json.loads((CHART / "values.schema.json").read_text())).iter_errors(values)]
        check(not errors, f"{label}: the chart values do not pass values.schema.json: {errors}")
        chart.validate_schema(values)
        check_common(render(values), values, label)

    apps = kinds.get("Application", [])
    check(len(apps) == 3, f"gitops: three Argo CD Applications, found {len(apps)}")
    for path, app in apps:
        label = f"{path.relative_to(ROOT)}"
        check(app["apiVersion"] == "argoproj.io/v1alpha1", f"{label}: apiVersion")
        source = app["spec"]["source"]
        target = ROOT / source["path"]
        check(target.is_dir(), f"{label}: {source['path']} is not a directory of this repository")
        if "helm" in source:
            check(source["path"] == "charts/onair", f"{label}: the chart")
            chart_values(source["helm"].get("valuesObject", {}), label)
        elif source["path"] == "examples":
            check((target / "kustomization.yaml").exists(), f"{label}: examples/ is a kustomization")
        else:
            children = [yaml.safe_load(p.read_text()) for p in target.glob("*.yaml")]
            check(children and all(c["kind"] == "Application" for c in children), f"{label}: an app of apps")
    waves = {a["metadata"]["name"]: int(a["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", 0)) for _, a in apps}
    check(waves["onair-operator"] < waves["onair-examples"], "gitops: Argo CD syncs the operator before the examples")

    repos = {d["metadata"]["name"]: d for _, d in kinds.get("GitRepository", [])}
    check(repos, "gitops: a Flux GitRepository")
    flux = [d for _, d in kinds.get("Kustomization", []) if d["apiVersion"].startswith("kustomize.toolkit.fluxcd.io/")]
    names = {k["metadata"]["name"] for k in flux}
    check(len(flux) == 2, "gitops: two Flux Kustomizations")
    for k in flux:
        spec = k["spec"]
        label = f"Flux Kustomization {k['metadata']['name']}"
        check(spec["sourceRef"]["name"] in repos, f"{label}: sourceRef")
        target = ROOT / spec["path"]
        check((target / "kustomization.yaml").exists(), f"{label}: {spec['path']} has no kustomization.yaml")
        ignore = repos[spec["sourceRef"]["name"]]["spec"].get("ignore", "")
        top = spec["path"].strip("./").split("/")[0]
        check(f"!/{top}/" in ignore, f"{label}: the GitRepository ignores {top}/")
        check(spec.get("wait") is True, f"{label}: waits for health")
        for dep in spec.get("dependsOn", []):
            check(dep["name"] in names, f"{label}: depends on unknown {dep['name']}")
        local = yaml.safe_load((target / "kustomization.yaml").read_text())
        for resource in local.get("resources", []):
            check((target / resource).exists(), f"{label}: {resource} is missing")
        if spec["path"] == "./examples":
            # Flux refuses namespaced objects without a namespace: the patch
            # must cover every namespaced kind in the examples.
            example_kinds = {yaml.safe_load((target / r).read_text())["kind"] for r in local["resources"]}
            patched = set()
            for patch in spec.get("patches", []):
                patched |= set(patch["target"]["kind"].split("|"))
            check(example_kinds - {"AwsProvider"} <= patched, f"{label}: no namespace for {example_kinds - {'AwsProvider'} - patched}")
    check(any(k["spec"].get("dependsOn") for k in flux), "gitops: the examples wait for the operator")
    releases = kinds.get("HelmRelease", [])
    check(len(releases) == 1, "gitops: one HelmRelease")
    path, release = releases[0]
    spec = release["spec"]
    check(spec["chart"]["spec"]["chart"] == "./charts/onair", "HelmRelease: the chart path")
    check(spec["chart"]["spec"]["sourceRef"]["name"] in repos, "HelmRelease: sourceRef")
    chart_values(spec.get("values", {}), str(path.relative_to(ROOT)))


def main():
    result = lint(str(CHART))
    if result["errors"] or any(m["severity"] > 1 for m in result["messages"]):
        fail(f"helm lint: {result}")
    full_values = yaml.safe_load(FULL_VALUES.read_text())
    result = lint(str(CHART), full_values)
    if result["errors"] or any(m["severity"] > 1 for m in result["messages"]):
        fail(f"helm lint (full values): {result}")
    check_schema()

    docs = render({})
    by_key, container, env = check_common(docs, {}, "defaults")
    check_watch_scope(docs, env, [], "defaults")
    check(container["image"] == f"ghcr.io/onair-dev/onair:{Chart.load(str(CHART)).metadata['appVersion']}", "defaults: image")
    check(("PodDisruptionBudget", NAMESPACE, RELEASE) in by_key, "defaults: two replicas get a PodDisruptionBudget")

    docs = render(full_values)
    by_key, container, env = check_common(docs, full_values, "full values")
    check_watch_scope(docs, env, full_values["watchNamespaces"], "full values")
    sa = by_key[("ServiceAccount", NAMESPACE, "onair-operator")]
    check(sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == "arn:aws:iam::123456789012:role/onair", "IRSA annotation")
    check(container["image"] == "registry.example.com/media/onair:1.2.3", "full values: image")
    check(env["ONAIR_AWS_BUDGETS"]["value"] == "cloudfront=2,medialive=4", f"budgets: {env['ONAIR_AWS_BUDGETS']}")
    check(env["ONAIR_AWS_CONCURRENCY"]["value"] == "medialive=2", f"concurrency: {env['ONAIR_AWS_CONCURRENCY']}")
    check(env["ONAIR_MEDIALIVE_ROLE_ARN"]["value"].endswith(":role/MediaLiveAccess"), "MediaLive role")
    for arg in ("--lease-name=onair-prod-leader", "--lease-duration-seconds=20", "--lease-grace-seconds=6", "--log-format=text"):
        check(arg in container["args"], f"full values: {arg}")
    check({"ONAIR_RESYNC_SECONDS": "300", "ONAIR_POLL_SECONDS": "10", "ONAIR_RETRY_SECONDS": "20",
           "ONAIR_MAX_CONCURRENT_RECONCILES": "16", "RUST_LOG": "onair=debug,info"}.items()
          <= {k: v.get("value") for k, v in env.items()}.items(), "full values: operator settings")

    # Secret access: never cluster-wide. Watching every namespace with no
    # secretNamespaces, no Secret anywhere (the defaults above); with a list,
    # a Role in each listed namespace only.
    for values, label in (
        ({"secretNamespaces": ["live-news", "live-sports"]}, "cluster-wide with secretNamespaces"),
        ({"watchNamespaces": ["live-news", "live-sports"]}, "watched namespaces' Secrets"),
        ({"watchNamespaces": ["live-news", "live-sports"], "secretNamespaces": ["live-sports"]}, "fewer Secret namespaces"),
    ):
        docs = render(values)
        _, _, env = check_common(docs, values, label)
        check_watch_scope(docs, env, values.get("watchNamespaces", []), label)
    check(refused_to_render({"watchNamespaces": ["live-news"], "secretNamespaces": ["kube-system"]}),
          "secretNamespaces outside watchNamespaces must not render")

    # One replica, no leader election, no metrics Service: the optional parts go.
    single = {"replicas": 1, "leaderElection": {"enabled": False}, "metrics": {"service": {"enabled": False}}}
    docs = render(single)
    _, container, _ = check_common(docs, single, "single replica")
    check(not any(a.startswith("--lease-name") for a in container["args"]), "single replica: no lease flags")
    digest = "sha256:" + "a" * 64
    docs = render({"image": {"digest": digest}})
    check(of_kind(docs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["image"]
          == f"ghcr.io/onair-dev/onair@{digest}", "a digest pins the image")
    # Combinations the chart refuses.
    check(refused_to_render({"replicas": 2, "leaderElection": {"enabled": False}}),
          "several replicas without leader election must not render")
    check(refused_to_render({"metrics": {"service": {"enabled": False}, "serviceMonitor": {"enabled": True}}}),
          "a ServiceMonitor without its Service must not render")

    # The chart installs the same CRD files as crds/ (tests/crds.rs compares them).
    crds = sorted(p.name for p in (CHART / "crds").glob("*.yaml"))
    check(crds == sorted(p.name for p in (ROOT / "crds").glob("*.yaml")), f"CRDs: {crds}")
    check_dockerfile()
    check_gitops()
    print("chart renders and validates: defaults, full values, Secret scopes, single replica, GitOps values; schema refuses bad values; Dockerfile")


if __name__ == "__main__":
    main()
