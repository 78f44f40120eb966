"""Runs the Argo CD health checks in docs/argocd/*.lua under Lua 5.1 (the
dialect of gopher-lua, which Argo CD embeds) through lupa, and computes each
object's kstatus, for every status fixture in the directory given (JSON files
as tests/health_checks.rs writes them: {"expect": {"argocd", "kstatus"},
"object": ...}). Also checks that the argocd-cm snippets in docs/argocd/ carry
the scripts verbatim. Exits non-zero on the first failure. Run by
tests/health_checks.rs."""

import json
import pathlib
import re
import sys

import lupa.lua51 as lua51
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARGOCD = ROOT / "docs" / "argocd"
KINDS = ["LiveChannel", "AdInsertion", "TokenPolicy", "HarvestJob"]
ARGO_STATUSES = {"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}


def script(kind):
    return (ARGOCD / f"{kind.lower()}.lua").read_text()


# Argo CD opens only the safe libraries for health scripts; run each script in
# an environment with just those, so a script leaning on anything else fails here.
SANDBOX = """
return function(source, obj)
  local env = {
    obj = obj, ipairs = ipairs, pairs = pairs, tostring = tostring,
    tonumber = tonumber, type = type, next = next, select = select,
    string = string, table = table, math = math,
  }
  local chunk, err = loadstring(source, "health.lua")
  if chunk == nil then error(err) end
  setfenv(chunk, env)
  return chunk()
end
"""


class Lua:
    def __init__(self):
        self.runtime = lua51.LuaRuntime(unpack_returned_tuples=True)
        self.run = self.runtime.execute(SANDBOX)

    def table(self, value):
        """JSON -> Lua: objects and arrays become tables (arrays 1-based),
        null is absent, as in Argo CD's conversion."""
        if isinstance(value, dict):
            return self.runtime.table_from({k: self.table(v) for k, v in value.items() if v is not None})
        if isinstance(value, list):
            return self.runtime.table_from([self.table(v) for v in value])
        return value

    def health(self, kind, obj):
        result = self.run(script(kind), self.table(obj))
        if result is None or lua51.lua_type(result) != "table":
            raise AssertionError(f"{kind}: the script returned {result!r}, not a table")
        return dict(result)


def kstatus(obj):
    """kstatus's status.Compute for a custom resource, as cli-utils implements it
    (sigs.k8s.io/cli-utils/pkg/kstatus/status: generic.go checkGenericProperties,
    status.go Compute / checkReadyCondition; README "Conditions" and "The Ready
    Condition"), in the same order:
      1. metadata.deletionTimestamp set -> Terminating;
      2. status.observedGeneration present and != metadata.generation -> InProgress;
      3. a Reconciling condition True -> InProgress; a Stalled condition True -> Failed
         (the first of the two in list order);
      4. no type-specific rule for CRDs; a Ready condition: True -> Current,
         False or Unknown -> InProgress;
      5. otherwise Current ("Resource is current")."""
    metadata = obj.get("metadata", {})
    status = obj.get("status") or {}
    if metadata.get("deletionTimestamp"):
        return "Terminating"
    generation = metadata.get("generation")
    if generation is not None and "observedGeneration" in status:
        if status["observedGeneration"] != generation:
            return "InProgress"
    conditions = status.get("conditions") or []
    for c in conditions:
        if c.get("type") == "Reconciling" and c.get("status") == "True":
            return "InProgress"
        if c.get("type") == "Stalled" and c.get("status") == "True":
            return "Failed"
    for c in conditions:
        if c.get("type") != "Ready":
            continue
        if c.get("status") == "True":
            return "Current"
        if c.get("status") in ("False", "Unknown"):
            return "InProgress"
    return "Current"


def fail(message):
    sys.exit(f"health checks: {message}")


def check_fixture(lua, path):
    fixture = json.loads(path.read_text())
    for key in ("description", "source", "expect", "object"):
        if key not in fixture:
            fail(f"{path.name}: no {key!r}")
    obj = fixture["object"]
    kind = obj["kind"]
    if kind not in KINDS or obj.get("apiVersion") != "onair.dev/v1alpha1":
        fail(f"{path.name}: not an onair object: {obj.get('apiVersion')} {kind}")
    health = lua.health(kind, obj)
    if health.get("status") not in ARGO_STATUSES:
        fail(f"{path.name}: Argo CD status {health.get('status')!r} is not one Argo CD knows")
    if not isinstance(health.get("message"), str) or not health["message"]:
        fail(f"{path.name}: no message for Argo CD: {health}")
    expect = fixture["expect"]
    if health["status"] != expect["argocd"]:
        fail(f"{path.name} ({fixture['description']}): Argo CD says {health}, expected {expect['argocd']}")
    ks = kstatus(obj)
    if ks != expect["kstatus"]:
        fail(f"{path.name} ({fixture['description']}): kstatus says {ks}, expected {expect['kstatus']}")
    return kind, health["status"], ks


def check_edge_cases(lua):
    """What the scripts make of objects onair has not written yet, or writes
    rarely: generation checks before conditions, Unknown, no status."""
    base = {"apiVersion": "onair.dev/v1alpha1", "metadata": {"name": "x", "namespace": "default", "generation": 3}}

    def cond(type_, status, reason="Because", message="words"):
        return {"type": type_, "status": status, "reason": reason, "message": message,
                "lastTransitionTime": "2026-01-01T00:00:00Z"}

    cases = [
        ("no status yet", None, "Progressing", "Current"),
        ("status without conditions", {"observedGeneration": 3}, "Progressing", "Current"),
        ("Ready Unknown", {"observedGeneration": 3, "conditions": [cond("Ready", "Unknown")]}, "Progressing", "InProgress"),
        ("Stalled on an old generation", {"observedGeneration": 2, "conditions": [cond("Ready", "False"), cond("Stalled", "True")]}, "Progressing", "InProgress"),
        ("Ready on an old generation", {"observedGeneration": 2, "conditions": [cond("Ready", "True")]}, "Progressing", "InProgress"),
        ("Ready False, nothing else", {"observedGeneration": 3, "conditions": [cond("Ready", "False")]}, "Progressing", "InProgress"),
        ("Stalled without a message", {"observedGeneration": 3, "conditions": [cond("Ready", "False", message=""), cond("Stalled", "True", message="")]}, "Degraded", "Failed"),
    ]
    for kind in KINDS:
        for label, status, argocd, ks in cases:
            obj = dict(base, kind=kind)
            if status is not None:
                obj["status"] = status
            health = lua.health(kind, obj)
            if health.get("status") != argocd or not health.get("message"):
                fail(f"{kind}, {label}: Argo CD says {health}, expected {argocd}")
            if kstatus(obj) != ks:
                fail(f"{kind}, {label}: kstatus says {kstatus(obj)}, expected {ks}")
    deleting = dict(base, kind="LiveChannel", metadata=dict(base["metadata"], deletionTimestamp="2026-01-01T00:00:00Z"))
    if kstatus(deleting) != "Terminating":
        fail("kstatus: an object being deleted is Terminating")
    # A HarvestJob's phase alone decides, even before conditions are read.
    for phase, argocd in (("Succeeded", "Healthy"), ("Failed", "Degraded")):
        obj = dict(base, kind="HarvestJob", status={"observedGeneration": 3, "phase": phase, "conditions": []})
        if lua.health("HarvestJob", obj)["status"] != argocd:
            fail(f"HarvestJob phase {phase}: expected {argocd}")


def check_snippets():
    """docs/argocd/argocd-cm.yaml holds every script verbatim under its key, and
    so does each key the README's snippet shows."""
    keys = {f"resource.customizations.health.onair.dev_{kind}": script(kind) for kind in KINDS}
    cm = yaml.safe_load((ARGOCD / "argocd-cm.yaml").read_text())
    if cm.get("kind") != "ConfigMap" or cm["metadata"]["name"] != "argocd-cm":
        fail("argocd-cm.yaml is not the argocd-cm ConfigMap")
    if cm["data"] != keys:
        stale = sorted(k for k in keys if cm["data"].get(k) != keys[k])
        fail(f"argocd-cm.yaml does not carry the scripts verbatim: {stale or sorted(set(cm['data']) - set(keys))}")
    readme = (ARGOCD / "README.md").read_text()
    shown = 0
    for block in re.findall(r"```yaml\n(.*?)```", readme, re.S):
        doc = yaml.safe_load(block)
        for key, value in ((doc or {}).get("data") or {}).items():
            if key not in keys:
                fail(f"README.md: unknown key {key}")
            if value != keys[key]:
                fail(f"README.md: the script under {key} differs from docs/argocd/{key.split('_')[-1].lower()}.lua")
            shown += 1
    if shown == 0:
        fail("README.md shows no argocd-cm snippet")


def main():
    directory = pathlib.Path(sys.argv[1])
    lua = Lua()
    files = sorted(directory.glob("*.json"))
    if not files:
        fail(f"no status fixtures in {directory}")
    seen = set()
    for path in files:
        kind, argocd, ks = check_fixture(lua, path)
        seen.add((kind, argocd))
        seen.add((kind, ks))
    missing = [(k, s) for k in KINDS for s in ("Healthy", "Progressing", "Degraded", "Current", "InProgress", "Failed")
               if (k, s) not in seen]
    if missing:
        fail(f"the fixtures do not cover {missing}")
    check_edge_cases(lua)
    check_snippets()
    print(f"health checks hold: {len(files)} statuses, Argo CD and kstatus")


if __name__ == "__main__":
    main()
