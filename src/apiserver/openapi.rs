//! Just enough of `/openapi/v3` for kubectl: it reads the PATCH operations to
//! learn that the server validates fields itself (`fieldValidation`), and then
//! leaves validation to the server instead of downloading schemas.
//! Strategic merge patch is not advertised, so kubectl sends JSON merge
//! patches for custom resources and builds strategic ones for built-in kinds
//! from its own types, as it does against a real cluster.

use serde_json::{json, Map, Value};

use super::registry::Registry;

/// `GET /openapi/v3`: one entry per group-version.
pub fn root(registry: &Registry) -> Value {
    let paths: Map<String, Value> = registry
        .group_versions()
        .into_iter()
        .map(|(group, version)| {
            let key = group_version_path(&group, &version);
            let url = format!("/openapi/v3/{key}");
            (key, json!({"serverRelativeURL": url}))
        })
        .collect();
    json!({"paths": paths})
}

/// `GET /openapi/v3/apis/<group>/<version>` (or `/openapi/v3/api/v1`).
pub fn group_version(registry: &Registry, path: &str) -> Option<Value> {
    let (group, version) = registry
        .group_versions()
        .into_iter()
        .find(|(g, v)| group_version_path(g, v) == path)?;
    let mut paths = Map::new();
    for t in registry.types_in(&group, &version) {
        let prefix = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let scope = if t.namespaced {
            "/namespaces/{namespace}"
        } else {
            ""
        };
        let patch = json!({
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": t.kind},
            "parameters": [
                {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}},
            ],
            "requestBody": {"content": {
                "application/json-patch+json": {"schema": {"type": "object"}},
                "application/merge-patch+json": {"schema": {"type": "object"}},
                "application/apply-patch+yaml": {"schema": {"type": "object"}},
            }},
            "responses": {"200": {"description": "OK"}},
        });
        paths.insert(
            format!("{prefix}{scope}/{}/{{name}}", t.plural),
            json!({"patch": patch}),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "onair local API server", "version": "v1"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}
