//! The resource types the server serves: a few built-in kinds the operator and
//! kubectl need, plus every kind registered by a CustomResourceDefinition, and
//! the discovery documents derived from them.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{json, Value};

use super::error::{ApiError, Subject};
use crate::schema::ObjectSchema;

/// One printer column of `kubectl get` (from `additionalPrinterColumns`).
#[derive(Debug, Clone)]
pub struct PrinterColumn {
    pub name: String,
    pub type_: String,
    pub json_path: String,
    pub description: String,
    pub priority: i32,
}

/// How a served type relates to what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Served as stored.
    Native,
    /// `events.k8s.io/v1`, stored as core `v1` Events.
    EventsV1,
}

/// A served resource: one (group, version, plural).
#[derive(Clone)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub namespaced: bool,
    pub status_subresource: bool,
    /// Objects are admitted against this (custom resources only).
    pub schema: Option<Arc<ObjectSchema>>,
    pub columns: Vec<PrinterColumn>,
    pub shape: Shape,
}

impl ResourceType {
    fn builtin(group: &str, version: &str, kind: &str, plural: &str, namespaced: bool) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            short_names: Vec::new(),
            categories: Vec::new(),
            namespaced,
            status_subresource: false,
            schema: None,
            columns: Vec::new(),
            shape: Shape::Native,
        }
    }

    /// The group objects are stored under (shared by both Event APIs).
    pub fn storage_group(&self) -> &str {
        match self.shape {
            Shape::Native => &self.group,
            Shape::EventsV1 => "",
        }
    }

    /// The apiVersion objects are stored with.
    pub fn storage_api_version(&self) -> String {
        match self.shape {
            Shape::Native => self.api_version(),
            Shape::EventsV1 => "v1".into(),
        }
    }

    /// A stored object in this type's shape (request bodies go the other way
    /// with [`ResourceType::ingest`]).
    pub fn present(&self, stored: &Value) -> Value {
        let mut out = match self.shape {
            Shape::Native => stored.clone(),
            Shape::EventsV1 => super::events::from_core(stored.clone()),
        };
        out["apiVersion"] = json!(self.api_version());
        out["kind"] = json!(self.kind);
        out
    }

    /// A request body (object or patch) in the stored shape.
    pub fn ingest(&self, body: Value) -> Value {
        match self.shape {
            Shape::Native => body,
            Shape::EventsV1 => super::events::to_core(body),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn subject(&self, name: &str) -> Subject {
        Subject {
            group: self.group.clone(),
            plural: self.plural.clone(),
            kind: self.kind.clone(),
            name: name.to_string(),
        }
    }

    /// As `subject`, named by resource rather than kind: how kube-apiserver
    /// words errors raised before the object is decoded
    /// (`livechannels.onair.dev "x" is invalid`).
    pub fn subject_resource(&self, name: &str) -> Subject {
        Subject {
            kind: self.plural.clone(),
            ..self.subject(name)
        }
    }

    pub fn is_crd(&self) -> bool {
        self.group == "apiextensions.k8s.io" && self.plural == "customresourcedefinitions"
    }

    pub fn is_namespace(&self) -> bool {
        self.group.is_empty() && self.plural == "namespaces"
    }

    fn discovery_entries(&self) -> Vec<Value> {
        let verbs = [
            "create", "delete", "get", "list", "patch", "update", "watch",
        ];
        let mut main = json!({
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": verbs,
        });
        if !self.short_names.is_empty() {
            main["shortNames"] = json!(self.short_names);
        }
        if !self.categories.is_empty() {
            main["categories"] = json!(self.categories);
        }
        let mut entries = vec![main];
        if self.status_subresource {
            entries.push(json!({
                "name": format!("{}/status", self.plural),
                "singularName": "",
                "namespaced": self.namespaced,
                "kind": self.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
        entries
    }
}

/// The set of served types, keyed by (group, version, plural).
#[derive(Clone)]
pub struct Registry {
    types: BTreeMap<(String, String, String), ResourceType>,
}

impl Default for Registry {
    fn default() -> Self {
        let mut namespaces = ResourceType::builtin("", "v1", "Namespace", "namespaces", false);
        namespaces.short_names = vec!["ns".into()];
        namespaces.status_subresource = true;
        let mut crds = ResourceType::builtin(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            false,
        );
        crds.short_names = vec!["crd".into(), "crds".into()];
        crds.status_subresource = true;
        let mut configmaps = ResourceType::builtin("", "v1", "ConfigMap", "configmaps", true);
        configmaps.short_names = vec!["cm".into()];
        let mut service_accounts =
            ResourceType::builtin("", "v1", "ServiceAccount", "serviceaccounts", true);
        service_accounts.short_names = vec!["sa".into()];
        let mut core_events = ResourceType::builtin("", "v1", "Event", "events", true);
        core_events.short_names = vec!["ev".into()];
        let mut events = ResourceType::builtin("events.k8s.io", "v1", "Event", "events", true);
        events.short_names = vec!["ev".into()];
        events.shape = Shape::EventsV1;
        let builtins = [
            namespaces,
            crds,
            configmaps,
            ResourceType::builtin("", "v1", "Secret", "secrets", true),
            service_accounts,
            core_events,
            events,
            ResourceType::builtin("coordination.k8s.io", "v1", "Lease", "leases", true),
        ];
        let mut registry = Self {
            types: BTreeMap::new(),
        };
        for t in builtins {
            registry.insert(t);
        }
        registry
    }
}

impl Registry {
    fn insert(&mut self, t: ResourceType) {
        self.types
            .insert((t.group.clone(), t.version.clone(), t.plural.clone()), t);
    }

    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
    }

    /// Registers (or re-registers) the served versions of a CRD. Fails, without
    /// changing anything, when a version's schema does not compile.
    pub fn register_crd(&mut self, crd: &CustomResourceDefinition) -> Result<(), String> {
        let spec = &crd.spec;
        let mut types = Vec::new();
        for version in spec.versions.iter().filter(|v| v.served) {
            let schema = ObjectSchema::for_crd(crd, &version.name).map_err(|e| e.to_string())?;
            let columns = version
                .additional_printer_columns
                .iter()
                .flatten()
                .map(|c| PrinterColumn {
                    name: c.name.clone(),
                    type_: c.type_.clone(),
                    json_path: c.json_path.clone(),
                    description: c.description.clone().unwrap_or_default(),
                    priority: c.priority.unwrap_or(0),
                })
                .collect();
            types.push(ResourceType {
                group: spec.group.clone(),
                version: version.name.clone(),
                kind: spec.names.kind.clone(),
                plural: spec.names.plural.clone(),
                singular: spec
                    .names
                    .singular
                    .clone()
                    .unwrap_or_else(|| spec.names.kind.to_lowercase()),
                short_names: spec.names.short_names.clone().unwrap_or_default(),
                categories: spec.names.categories.clone().unwrap_or_default(),
                namespaced: spec.scope == "Namespaced",
                status_subresource: version
                    .subresources
                    .as_ref()
                    .is_some_and(|s| s.status.is_some()),
                schema: Some(Arc::new(schema)),
                columns,
                shape: Shape::Native,
            });
        }
        self.unregister(&spec.group, &spec.names.plural);
        for t in types {
            self.insert(t);
        }
        Ok(())
    }

    /// Any served version of (group, plural): stored objects are the same in all.
    pub fn storage_type(&self, group: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .values()
            .find(|t| t.storage_group() == group && t.plural == plural && t.shape == Shape::Native)
    }

    pub fn group_versions(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .types
            .keys()
            .map(|(g, v, _)| (g.clone(), v.clone()))
            .collect();
        out.dedup();
        out
    }

    pub fn types_in<'a>(
        &'a self,
        group: &'a str,
        version: &'a str,
    ) -> impl Iterator<Item = &'a ResourceType> + 'a {
        self.types
            .values()
            .filter(move |t| t.group == group && t.version == version)
    }

    pub fn unregister(&mut self, group: &str, plural: &str) {
        self.types
            .retain(|(g, _, p), _| !(g == group && p == plural));
    }

    /// `GET /apis`: every group but the core one.
    pub fn group_list(&self) -> Value {
        let groups: Vec<Value> = self
            .groups()
            .into_iter()
            .filter(|(group, _)| !group.is_empty())
            .map(|(group, versions)| group_document(&group, &versions))
            .collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
    }

    /// `GET /apis/<group>`.
    pub fn group(&self, group: &str) -> Option<Value> {
        self.groups()
            .remove(group)
            .map(|versions| group_document(group, &versions))
    }

    /// `GET /api/v1` or `GET /apis/<group>/<version>`.
    pub fn resource_list(&self, group: &str, version: &str) -> Result<Value, ApiError> {
        let resources: Vec<Value> = self
            .types_in(group, version)
            .flat_map(ResourceType::discovery_entries)
            .collect();
        if resources.is_empty() {
            return Err(ApiError::no_such_path(&format!("{group}/{version}")));
        }
        let group_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        Ok(json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        }))
    }

    /// Groups and their versions, most preferred first.
    fn groups(&self) -> BTreeMap<String, Vec<String>> {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in self.types.values() {
            let versions = groups.entry(t.group.clone()).or_default();
            if !versions.contains(&t.version) {
                versions.push(t.version.clone());
            }
        }
        for versions in groups.values_mut() {
            versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        }
        groups
    }
}

fn group_document(group: &str, versions: &[String]) -> Value {
    let listed: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": listed,
        "preferredVersion": listed[0],
    })
}

/// Kubernetes version priority: GA before beta before alpha, higher numbers
/// first (`v2` > `v1` > `v1beta2` > `v1beta1` > `v1alpha1`); other names last.
fn version_priority(version: &str) -> (u8, u64, u64) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let Ok(major) = rest[..digits].parse::<u64>() else {
        return (0, 0, 0);
    };
    let (tier, minor) = match &rest[digits..] {
        "" => (3, 0),
        other => match (other.strip_prefix("beta"), other.strip_prefix("alpha")) {
            (Some(n), _) => (2, n.parse().unwrap_or(0)),
            (_, Some(n)) => (1, n.parse().unwrap_or(0)),
            _ => (0, 0),
        },
    };
    (tier, major, minor)
}

#[cfg(test)]
mod tests {
    use super::version_priority;

    #[test]
    fn versions_sort_as_kubernetes_prefers_them() {
        let mut versions = vec!["v1alpha1", "v1beta1", "v1", "v2", "v1beta2", "foo"];
        versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        assert_eq!(
            versions,
            ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]
        );
    }
}
