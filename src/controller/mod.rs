//! The reconcilers and what they share: the child-resource driver
//! ([`children`]), provider resolution, conditions, events and status, the
//! finalizer, and one module per AWS service's children; `live_channel` is
//! the LiveChannel reconciler.

pub mod ad_insertion;
pub mod aws_provider;
pub mod conditions;
pub mod context;
pub mod harvest_job;
pub mod kit;
pub mod live_channel;
pub mod provider;
pub mod token_policy;

/// The changes of the kind a controller reconciles and the store they fill,
/// for `Controller::for_shared_stream`: the process's one watch of the kind
/// ([`catalog`]), whose store keeps objects without managedFields (a field
/// tree per writer, about half of an object's bytes once the status is
/// server-side applied). Only changes the user (or a deletion) made pass:
/// the reconciler's own status writes change neither generation,
/// annotations nor finalizers, and reconciling on them made a failing
/// object whose message moved (a retry count, a time) reconcile itself in a
/// loop. What a reconciler waits for it asks for with a requeue.
pub fn primary<K>(
    ctx: &context::Context,
    namespace: Option<&str>,
) -> (
    kube::runtime::reflector::Store<K>,
    impl futures::Stream<Item = std::sync::Arc<K>> + Send + 'static,
)
where
    K: crate::k8s::Watched + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Eq + std::hash::Hash + Clone + Default,
{
    use kube::runtime::predicates;
    use kube::runtime::utils::Predicate as _;
    let changes = only_when_changed(
        ctx.catalog.changes(namespace),
        predicates::generation
            .combine(predicates::annotations)
            .combine(predicates::finalizers),
    );
    (ctx.catalog.store(namespace), changes)
}

/// The changes of a related kind (a channel for its policies and ads, a
/// policy for its channels...) that can change what the watcher does: a new
/// spec, a deletion starting, a status that says something new. Conditions
/// count by type and status only: their wording and times move at every
/// poll of a waiting object, and passing those on made the three kinds
/// reconcile each other in a loop while they waited behind the rate limits.
pub fn related_changes<K>(
    ctx: &context::Context,
    namespace: Option<&str>,
) -> impl futures::Stream<Item = std::sync::Arc<K>> + Send + 'static
where
    K: crate::k8s::Watched
        + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + serde::Serialize,
    K::DynamicType: Eq + std::hash::Hash + Clone + Default,
{
    only_when_changed(ctx.catalog.later_changes(namespace), meaningful_state::<K>)
}

/// The changes of a related kind that move what the watcher reads of it
/// (`read`, one of [`plan::watched`](crate::plan::watched)'s fingerprints):
/// narrower than [`related_changes`], for the watches that fire most.
pub fn changes_read<K>(
    ctx: &context::Context,
    namespace: Option<&str>,
    read: fn(&K) -> Option<u64>,
) -> impl futures::Stream<Item = std::sync::Arc<K>> + Send + 'static
where
    K: crate::k8s::Watched + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Eq + std::hash::Hash + Clone + Default,
{
    only_when_changed(ctx.catalog.later_changes(namespace), read)
}

/// The objects of `changes` whose `predicate` hash moved since the last one
/// passed on (or that are gone for good: deleting, no finalizer left).
pub fn only_when_changed<K, P>(
    changes: impl futures::Stream<Item = std::sync::Arc<K>> + Send + 'static,
    predicate: P,
) -> impl futures::Stream<Item = std::sync::Arc<K>> + Send + 'static
where
    K: kube::Resource + Send + Sync + 'static,
    P: kube::runtime::utils::Predicate<K> + Send + 'static,
{
    use futures::StreamExt;
    let mut seen: std::collections::HashMap<(Option<String>, String, Option<String>), u64> =
        Default::default();
    changes.filter(move |object| {
        let meta = object.meta();
        let key = (
            meta.namespace.clone(),
            meta.name.clone().unwrap_or_default(),
            meta.uid.clone(),
        );
        let pass = if meta.deletion_timestamp.is_some()
            && meta.finalizers.as_ref().is_none_or(Vec::is_empty)
        {
            seen.remove(&key);
            true
        } else {
            match predicate.hash_property(object) {
                Some(hash) => seen.insert(key, hash) != Some(hash),
                None => true,
            }
        };
        std::future::ready(pass)
    })
}

fn meaningful_state<K: kube::Resource + serde::Serialize>(object: &K) -> Option<u64> {
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
    crate::plan::watched::fingerprint(object, status.map(|s| s.to_string()))
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
