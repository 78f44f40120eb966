//! Every read and write of Kubernetes objects the reconcilers make, apart
//! from their watches: status (server-side apply) and events ([`report`],
//! [`recorder`]), finalizers, the ids of AWS children recorded on their
//! owners ([`ids`]), the process's one watch of each kind ([`catalog`]), and
//! whether the RBAC lets onair read Secrets ([`secret_access`]). Nothing
//! here decides anything or calls AWS.
//!
//! (Named `k8s`, not `kube`, so that `kube::` keeps meaning the kube crate.)

pub mod catalog;
pub mod finalizer;
pub mod ids;
pub mod recorder;
pub mod report;
pub mod secret_access;

/// The Api of `K` the controllers watch: every namespace, or one (`onair run
/// --watch-namespaces` starts one set of controllers per namespace, so the
/// operator needs no cluster-wide read access to the namespaced kinds).
pub fn scoped<K>(client: &kube::Client, namespace: Option<&str>) -> kube::Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    <K as kube::Resource>::DynamicType: Default,
{
    match namespace {
        Some(ns) => kube::Api::namespaced(client.clone(), ns),
        None => kube::Api::all(client.clone()),
    }
}

/// What a kind must be for a controller to watch and store it.
pub trait Watched:
    kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + 'static
{
}

impl<K> Watched for K where
    K: kube::Resource
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static
{
}

/// Whether the annotation `key` on `object` says "true": how the management
/// switches (`onair.dev/paused`, `onair.dev/observe-only`) are read. Any
/// other value, or none, is off.
pub fn flag_is_set<K: kube::Resource>(object: &K, key: &str) -> bool {
    object
        .meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get(key))
        .is_some_and(|v| v == "true")
}
