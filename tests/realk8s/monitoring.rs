//! The chart's monitoring, checked by Prometheus's own tool: the
//! PrometheusRule that `helm template` renders passes `promtool check rules`
//! and the alert unit tests of `tests/fixtures/alerts.test.yaml`
//! (`promtool test rules`: each alert fires when it should, with the words
//! it should, and not on a healthy operator), and every query of the Grafana
//! dashboard parses as PromQL (`promtool promql format`). That the series
//! they name are the ones onair exports is a unit test of `src/metrics.rs`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use super::control_plane::bin;
use super::support;

const NAMESPACE: &str = "onair-system";

/// The chart rendered with `values` (a file under the repository), as JSON
/// documents.
fn rendered(values: &str) -> Vec<Value> {
    let out = Command::new(bin("helm"))
        .args([
            "template",
            "onair",
            "charts/onair",
            "--namespace",
            NAMESPACE,
        ])
        .args(["--values", values])
        .current_dir(support::repo())
        .output()
        .expect("helm runs");
    assert!(out.status.success(), "helm template: {}", text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    serde_yaml::Deserializer::from_str(&stdout)
        .filter_map(|doc| {
            let value: Option<Value> = serde::Deserialize::deserialize(doc).unwrap();
            value
        })
        .collect()
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn promtool(args: &[&str], dir: &Path) -> Output {
    Command::new(bin("promtool"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("promtool runs")
}

#[test]
fn the_alert_rules_pass_promtool_and_their_unit_tests() {
    let docs = rendered("charts/onair/ci/full-values.yaml");
    let rules = of_kind(&docs, "PrometheusRule");
    assert_eq!(rules.len(), 1, "one PrometheusRule");
    let rule = rules[0];
    assert_eq!(rule["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(rule["metadata"]["labels"]["release"], "prometheus");
    let dir = support::scratch_dir("promtool-rules");
    std::fs::write(
        dir.join("rules.yaml"),
        serde_yaml::to_string(&rule["spec"]).unwrap(),
    )
    .unwrap();
    let check = promtool(&["check", "rules", "rules.yaml"], &dir);
    assert!(
        check.status.success(),
        "promtool check rules: {}",
        text(&check)
    );
    assert!(
        text(&check).contains("SUCCESS: 5 rules found"),
        "{}",
        text(&check)
    );
    std::fs::copy(
        support::repo().join("tests/fixtures/alerts.test.yaml"),
        dir.join("alerts.test.yaml"),
    )
    .unwrap();
    let tests = promtool(&["test", "rules", "alerts.test.yaml"], &dir);
    assert!(
        tests.status.success(),
        "promtool test rules: {}",
        text(&tests)
    );

    // Off by default, and without input loss unless asked for.
    let defaults = rendered("charts/onair/values.yaml");
    assert!(of_kind(&defaults, "PrometheusRule").is_empty());
    assert!(of_kind(&defaults, "ConfigMap")
        .iter()
        .all(|c| c["metadata"]["name"] != "onair-dashboard"));
}

#[test]
fn every_dashboard_query_parses_as_promql() {
    let docs = rendered("charts/onair/ci/full-values.yaml");
    let map = of_kind(&docs, "ConfigMap")
        .into_iter()
        .find(|c| c["metadata"]["name"] == "onair-dashboard")
        .expect("the dashboard ConfigMap");
    assert_eq!(map["metadata"]["labels"]["grafana_dashboard"], "1");
    assert_eq!(map["metadata"]["annotations"]["grafana_folder"], "Media");
    let json = map["data"]["onair.json"].as_str().unwrap();
    let on_disk =
        std::fs::read_to_string(support::repo().join("charts/onair/dashboards/onair.json"))
            .unwrap();
    assert_eq!(
        json.trim_end(),
        on_disk.trim_end(),
        "the ConfigMap carries the file"
    );
    let dashboard: Value = serde_json::from_str(json).unwrap();
    assert_eq!(dashboard["uid"], "onair-operator");
    let variables: Vec<&str> = dashboard["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(variables, ["datasource", "namespace", "job"]);

    let panels = dashboard["panels"].as_array().unwrap();
    let mut queries = Vec::new();
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        let title = panel["title"].as_str().unwrap();
        assert_eq!(panel["datasource"]["uid"], "${datasource}", "{title}");
        assert!(panel["gridPos"]["w"].as_u64().unwrap() > 0, "{title}");
        let targets = panel["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "{title} has a query");
        for target in targets {
            queries.push((title, target["expr"].as_str().unwrap()));
        }
    }
    assert!(queries.len() >= 10, "{} queries", queries.len());
    let dir = support::scratch_dir("promtool-dashboard");
    for (title, query) in queries {
        // Grafana's variables, as Grafana substitutes them.
        let query = query
            .replace("$__rate_interval", "2m")
            .replace("$namespace", NAMESPACE)
            .replace("$job", "onair");
        assert!(!query.contains('$'), "{title}: a variable left in {query}");
        let out = promtool(&["promql", "format", "--experimental", &query], &dir);
        assert!(
            out.status.success(),
            "{title}: {query} is not PromQL: {}",
            text(&out)
        );
    }
}

#[test]
fn promtool_refuses_a_broken_rule() {
    // The check can fail: a rule with a PromQL syntax error.
    let dir = support::scratch_dir("promtool-broken");
    std::fs::write(
        dir.join("rules.yaml"),
        "groups:\n- name: x\n  rules:\n  - alert: Broken\n    expr: sum(rate(onair_leader[5m])\n",
    )
    .unwrap();
    let out = promtool(&["check", "rules", "rules.yaml"], &dir);
    assert!(!out.status.success(), "{}", text(&out));
}
