//! The reconcilers and what they share: the child-resource driver
//! ([`children`]), provider resolution, conditions, events and status, the
//! finalizer, and one module per AWS service's children; `live_channel` is
//! the LiveChannel reconciler.

pub mod ad_insertion;
pub mod children;
pub mod cloudfront;
pub mod conditions;
pub mod context;
pub mod edge;
pub mod finalizer;
pub mod harvest_job;
pub mod live_channel;
pub mod medialive;
pub mod mediapackage;
pub mod mediatailor;
pub mod provider;
pub mod report;
pub mod secrets;
pub mod telemetry;
pub mod token_policy;
pub mod vod;

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

/// The watch of the kind a controller reconciles, and the store it fills
/// (what `Controller::new` builds, plus one thing): the store keeps every
/// object for the process's life, so it drops what no reconciler reads,
/// managedFields, which hold a field tree per writer and, once the status
/// is server-side applied, about half of an object's bytes.
pub fn primary<K>(
    api: kube::Api<K>,
) -> (
    kube::runtime::reflector::Store<K>,
    impl futures::Stream<Item = Result<K, kube::runtime::watcher::Error>> + Send + 'static,
)
where
    K: Watched,
    K::DynamicType: Eq + std::hash::Hash + Clone + Default,
{
    use kube::runtime::WatchStreamExt;
    use kube::ResourceExt;
    let (reader, writer) = kube::runtime::reflector::store();
    let stream = kube::runtime::watcher(api, kube::runtime::watcher::Config::default())
        .default_backoff()
        .modify(|object: &mut K| object.managed_fields_mut().clear())
        .reflect(writer)
        .applied_objects();
    (reader, stream)
}

/// The changes of a related kind (a channel for its policies and ads, a
/// policy for its channels...) that can change what the watcher does: a new
/// spec, a deletion starting, a status that says something new. Conditions
/// count by type and status only: their wording and times move at every
/// poll of a waiting object, and passing those on made the three kinds
/// reconcile each other in a loop while they waited behind the rate limits.
pub fn related_changes<K>(
    api: kube::Api<K>,
) -> impl futures::Stream<Item = Result<K, kube::runtime::watcher::Error>> + Send + 'static
where
    K: Watched + serde::Serialize,
    K::DynamicType: Eq + std::hash::Hash + Clone + Default,
{
    use kube::runtime::WatchStreamExt;
    kube::runtime::watcher(api, kube::runtime::watcher::Config::default())
        .default_backoff()
        .touched_objects()
        .predicate_filter(meaningful_state, Default::default())
}

/// A hash of what [`related_changes`] passes on.
fn meaningful_state<K: kube::Resource + serde::Serialize>(object: &K) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut status = serde_json::to_value(object).ok()?.get("status").cloned();
    if let Some(conditions) = status
        .as_mut()
        .and_then(|s| s.get_mut("conditions"))
        .and_then(|c| c.as_array_mut())
    {
        for condition in conditions {
            if let Some(c) = condition.as_object_mut() {
                c.retain(|key, _| key == "type" || key == "status");
            }
        }
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    object.meta().generation.hash(&mut hasher);
    object.meta().deletion_timestamp.is_some().hash(&mut hasher);
    status.map(|s| s.to_string()).hash(&mut hasher);
    Some(hasher.finish())
}

/// The objects of `store` in `namespace` that `matches`: what a watch of a
/// related kind (a Secret, a channel) maps to.
pub fn related<K>(
    store: &kube::runtime::reflector::Store<K>,
    namespace: Option<String>,
    matches: impl Fn(&K) -> bool,
) -> Vec<kube::runtime::reflector::ObjectRef<K>>
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone + Default,
{
    store
        .state()
        .into_iter()
        .filter(|object| object.meta().namespace == namespace && matches(object))
        .map(|object| kube::runtime::reflector::ObjectRef::from_obj(object.as_ref()))
        .collect()
}

/// Runs a configured controller until its streams end: `concurrency`
/// reconciles at once, each counted in the metrics under `kind`.
pub async fn drive<K, F, Fut, E>(
    controller: kube::runtime::Controller<K>,
    kind: &'static str,
    concurrency: u16,
    reconcile: F,
    error_policy: fn(
        std::sync::Arc<K>,
        &E,
        std::sync::Arc<context::Context>,
    ) -> kube::runtime::controller::Action,
    ctx: std::sync::Arc<context::Context>,
) where
    K: Watched,
    K::DynamicType: Eq + std::hash::Hash + Clone + Default + std::fmt::Debug + Unpin,
    F: Fn(std::sync::Arc<K>, std::sync::Arc<context::Context>) -> Fut + Send + Sync + 'static,
    Fut:
        std::future::Future<Output = Result<kube::runtime::controller::Action, E>> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    use futures::StreamExt;
    let reconcile = std::sync::Arc::new(reconcile);
    controller
        .with_config(kube::runtime::controller::Config::default().concurrency(concurrency))
        .run(
            move |object, ctx| crate::metrics::reconcile(kind, reconcile(object, ctx)),
            error_policy,
            ctx,
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(error = %e, "controller event");
            }
        })
        .await;
}
