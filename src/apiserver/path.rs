//! Request paths of the Kubernetes REST API, parsed into what they address.

/// What a request path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Version,
    Health,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/apis/<group>`
    Group(String),
    /// `/api/v1` or `/apis/<group>/<version>`
    Resources {
        group: String,
        version: String,
    },
    /// A collection, an object, or an object's subresource.
    Resource(Target),
    OpenApi,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub group: String,
    pub version: String,
    pub plural: String,
    /// The namespace in the path (`/namespaces/<ns>/...`), if any.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

pub fn parse(path: &str) -> Option<Route> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["version"] => Some(Route::Version),
        ["healthz"] | ["readyz"] | ["livez"] => Some(Route::Health),
        ["openapi", ..] => Some(Route::OpenApi),
        ["api"] => Some(Route::CoreVersions),
        ["apis"] => Some(Route::Groups),
        ["apis", group] => Some(Route::Group(group.to_string())),
        ["api", version, rest @ ..] => resource_route("", version, rest),
        ["apis", group, version, rest @ ..] => resource_route(group, version, rest),
        _ => None,
    }
}

fn resource_route(group: &str, version: &str, rest: &[&str]) -> Option<Route> {
    let target = |namespace: Option<&str>, plural: &str, name: Option<&str>, sub: Option<&str>| {
        Some(Route::Resource(Target {
            group: group.to_string(),
            version: version.to_string(),
            plural: plural.to_string(),
            namespace: namespace.map(str::to_string),
            name: name.map(str::to_string),
            subresource: sub.map(str::to_string),
        }))
    };
    match rest {
        [] => Some(Route::Resources {
            group: group.to_string(),
            version: version.to_string(),
        }),
        // A namespace's own subresources, not a collection inside it.
        ["namespaces", name, sub @ ("status" | "finalize")] if group.is_empty() => {
            target(None, "namespaces", Some(name), Some(sub))
        }
        ["namespaces", ns, plural] => target(Some(ns), plural, None, None),
        ["namespaces", ns, plural, name] => target(Some(ns), plural, Some(name), None),
        ["namespaces", ns, plural, name, sub] => target(Some(ns), plural, Some(name), Some(sub)),
        [plural] => target(None, plural, None, None),
        [plural, name] => target(None, plural, Some(name), None),
        [plural, name, sub] => target(None, plural, Some(name), Some(sub)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(path: &str) -> Target {
        match parse(path) {
            Some(Route::Resource(t)) => t,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn paths_address_collections_objects_and_subresources() {
        let t = resource("/apis/onair.dev/v1alpha1/namespaces/prod/livechannels/news/status");
        assert_eq!(t.group, "onair.dev");
        assert_eq!(t.namespace.as_deref(), Some("prod"));
        assert_eq!(t.plural, "livechannels");
        assert_eq!(t.name.as_deref(), Some("news"));
        assert_eq!(t.subresource.as_deref(), Some("status"));

        let ns = resource("/api/v1/namespaces/prod");
        assert_eq!(
            (ns.plural.as_str(), ns.name.as_deref()),
            ("namespaces", Some("prod"))
        );
        let ns_status = resource("/api/v1/namespaces/prod/status");
        assert_eq!(ns_status.subresource.as_deref(), Some("status"));
        let secrets = resource("/api/v1/namespaces/prod/secrets");
        assert_eq!((secrets.plural.as_str(), secrets.name), ("secrets", None));
        let all = resource("/apis/onair.dev/v1alpha1/livechannels");
        assert_eq!((all.namespace, all.name), (None, None));
        assert_eq!(
            parse("/apis/onair.dev"),
            Some(Route::Group("onair.dev".into()))
        );
        assert_eq!(parse("/nonsense"), None);
    }
}
