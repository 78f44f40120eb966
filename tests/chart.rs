//! The Helm chart lints, renders with its defaults, with a full values file
//! (`charts/onair/ci/full-values.yaml`, every option on), with one replica and
//! with the values `examples/gitops/` gives it, and every rendered manifest
//! passes strict Kubernetes schema validation (the ServiceMonitor, a CRD, is
//! checked by shape). `values.schema.json` describes every value and refuses bad
//! ones (`tests/fixtures/chart-bad-values.yaml` and more), the RBAC follows the
//! watch scope (a ClusterRole for all namespaces, a Role in each listed one),
//! no ClusterRole grants Secrets in any mode (a read-only Role in each of
//! `secretNamespaces`, default the watched namespaces, and the operator told
//! the list), the pod runs non-root with a read-only root filesystem, no
//! privilege escalation, no capabilities and the RuntimeDefault seccomp
//! profile, and the Dockerfile is checked statically (multi-stage, distroless nonroot,
//! no `latest`, `/onair run`). The checks live in `chart_render.py` (Helm's
//! engine is reached from Python here); `.ci/run` (`.ci/setup`) installs its
//! pinned packages into `.venv`, which this test uses (or `ONAIR_PYTHON`, if
//! set).

mod support;

#[test]
fn helm_chart_renders_and_validates() {
    let python = support::python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/chart_render.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}; run `bash .ci/setup` first"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "chart check failed (packages: `bash .ci/setup`):\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("chart renders and validates"), "{stdout}");
}

/// The series a `# TYPE` line stands for, as Prometheus stores them.
fn exposed_series(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .flat_map(|l| {
            let (name, kind) = l.split_once(' ').unwrap();
            let suffixes: &[&str] = match kind {
                "counter" => &["_total"],
                "histogram" => &["_bucket", "_sum", "_count"],
                _ => &[""],
            };
            suffixes.iter().map(move |s| format!("{name}{s}"))
        })
        .collect()
}

#[test]
fn the_chart_dashboard_and_alerts_use_only_series_onair_exports() {
    let exposed = exposed_series(&onair::metrics::Metrics::new().encode());
    assert!(
        exposed.contains(&"onair_reconciles_total".to_string()),
        "{exposed:?}"
    );
    for (file, text) in [
        (
            "dashboards/onair.json",
            include_str!("../charts/onair/dashboards/onair.json"),
        ),
        (
            "templates/prometheusrule.yaml",
            include_str!("../charts/onair/templates/prometheusrule.yaml"),
        ),
    ] {
        let used: std::collections::BTreeSet<&str> = text
            .match_indices("onair_")
            .map(|(at, _)| {
                let rest = &text[at..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect();
        assert!(!used.is_empty(), "{file} uses onair's series");
        for series in used {
            assert!(
                exposed.iter().any(|e| e == series),
                "{file} uses {series}, which onair does not export (it exports {exposed:?})"
            );
        }
    }
}

/// The chart's per-service rates and bursts name every service the operator
/// takes (`Service::ALL`, read case-insensitively), and no other: a service
/// added to onair is configurable through Helm from its first release.
#[test]
fn the_chart_names_every_service_the_operator_rate_limits() {
    let schema: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/charts/onair/values.schema.json"
    )))
    .unwrap();
    let mut chart: Vec<String> = schema["definitions"]["perService"]["propertyNames"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    let mut operator: Vec<String> = onair::aws::Service::ALL
        .iter()
        .map(|s| s.name().to_ascii_lowercase())
        .collect();
    chart.sort();
    operator.sort();
    assert_eq!(chart, operator);
}
