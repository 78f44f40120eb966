//! The field reference in README.md, generated from the CRD schemas so that it
//! cannot drift from what the API server enforces (`onair crd --reference`).

use serde_json::Value;

/// Markdown reference of every kind: each spec and status field with its type,
/// default, constraints and description, then the rules checked at apply time.
pub fn markdown() -> String {
    let mut out = String::new();
    for crd in crate::crd::all() {
        let kind = &crd.spec.names.kind;
        let scope = &crd.spec.scope;
        let short = crd
            .spec
            .names
            .short_names
            .clone()
            .unwrap_or_default()
            .join(", ");
        let schema = crate::crd::openapi_schema(&crd);
        out.push_str(&format!(
            "### {kind}\n\n`onair.dev/v1alpha1`, {scope}, short name `{short}`.\n\n"
        ));
        for part in ["spec", "status"] {
            let Some(node) = schema.pointer(&format!("/properties/{part}")) else {
                continue;
            };
            out.push_str("| field | type | default | description |\n|---|---|---|---|\n");
            let mut rules = Vec::new();
            rows(node, part, is_required(&schema, part), &mut out, &mut rules);
            out.push('\n');
            if !rules.is_empty() {
                out.push_str("Checked at apply time:\n\n");
                for (path, message) in rules {
                    out.push_str(&format!("- `{path}`: {message}\n"));
                }
                out.push('\n');
            }
        }
    }
    out
}

fn is_required(parent: &Value, name: &str) -> bool {
    parent["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|v| v == name))
}

fn rows(
    node: &Value,
    path: &str,
    required: bool,
    out: &mut String,
    rules: &mut Vec<(String, String)>,
) {
    collect_rules(node, path, rules);
    if path != "spec" && path != "status" {
        let description = cell(node["description"].as_str().unwrap_or_default());
        let constraints = constraints(node);
        let text = match (description.is_empty(), constraints.is_empty()) {
            (_, true) => description,
            (true, false) => constraints,
            (false, false) => format!("{description} <br>{constraints}"),
        };
        let default = match &node["default"] {
            Value::Null => String::new(),
            d => format!("`{}`", cell(&d.to_string())),
        };
        let required = if required { " (required)" } else { "" };
        out.push_str(&format!(
            "| `{path}` | {}{required} | {default} | {text} |\n",
            type_of(node)
        ));
    }
    children(node, path, out, rules);
}

/// Rows of an object's properties, and of the properties of list items and map
/// values. Conditions are the standard metav1.Condition: not repeated per kind.
fn children(node: &Value, path: &str, out: &mut String, rules: &mut Vec<(String, String)>) {
    if path.ends_with(".conditions") {
        return;
    }
    for (name, child) in node["properties"].as_object().into_iter().flatten() {
        rows(
            child,
            &format!("{path}.{name}"),
            is_required(node, name),
            out,
            rules,
        );
    }
    for (key, suffix) in [("items", "[]"), ("additionalProperties", ".*")] {
        let element = &node[key];
        if element["properties"].is_object() {
            let element_path = format!("{path}{suffix}");
            collect_rules(element, &element_path, rules);
            children(element, &element_path, out, rules);
        }
    }
}

fn collect_rules(node: &Value, path: &str, rules: &mut Vec<(String, String)>) {
    for rule in node["x-kubernetes-validations"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let message = rule["message"]
            .as_str()
            .or_else(|| rule["rule"].as_str())
            .unwrap_or_default();
        rules.push((path.to_string(), message.to_string()));
    }
}

fn type_of(node: &Value) -> String {
    let t = node["type"].as_str().unwrap_or("any");
    match t {
        "array" => format!("[]{}", type_of(&node["items"])),
        "object" if node["additionalProperties"].is_object() => {
            format!("map[string]{}", type_of(&node["additionalProperties"]))
        }
        other => other.to_string(),
    }
}

fn constraints(node: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(options) = node["enum"].as_array() {
        let options: Vec<String> = options
            .iter()
            .filter_map(Value::as_str)
            .map(|o| format!("`{o}`"))
            .collect();
        parts.push(format!("one of {}", options.join(", ")));
    }
    let number = |v: &Value| v.as_f64().map(|f| format!("{}", f as i64));
    match (number(&node["minimum"]), number(&node["maximum"])) {
        (Some(min), Some(max)) => parts.push(format!("{min} to {max}")),
        (Some(min), None) => parts.push(format!("at least {min}")),
        (None, Some(max)) => parts.push(format!("at most {max}")),
        _ => {}
    }
    if let Some(max) = node["maxItems"].as_u64() {
        parts.push(format!("at most {max} items"));
    }
    if let Some(min) = node["minItems"].as_u64() {
        parts.push(format!("at least {min} items"));
    }
    for (key, what) in [("pattern", "matches"), ("format", "format")] {
        if let Some(p) = node[key]
            .as_str()
            .filter(|f| key != "format" || *f == "date-time")
        {
            parts.push(format!("{what} `{}`", cell(p)));
        }
    }
    if let Some(p) = node["items"]["pattern"].as_str() {
        parts.push(format!("each matches `{}`", cell(p)));
    }
    parts.join("; ")
}

/// One line, safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
