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
        ctx.catalog.marked_changes(namespace),
        Known::Pass,
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
    only_when_changed(
        ctx.catalog.marked_changes(namespace),
        Known::Remember,
        meaningful_state::<K>,
    )
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
    only_when_changed(ctx.catalog.marked_changes(namespace), Known::Remember, read)
}

/// What [`only_when_changed`] does with the objects known when its watch
/// began ([`Change::Known`](crate::k8s::catalog::Change)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Passes them on: a controller's own first list reconciles everything.
    Pass,
    /// Only remembers their state, so that an object's first later change
    /// passes only if it moved it: a related kind's watch, whose objects
    /// the controller's first rounds read as they are.
    Remember,
}

/// The objects of `changes` whose `predicate` hash moved since the last one
/// seen (or that are gone for good: deleting, no finalizer left); the
/// objects known at the start as `known` says.
pub fn only_when_changed<K, P>(
    changes: impl futures::Stream<Item = crate::k8s::catalog::Change<K>> + Send + 'static,
    known: Known,
    predicate: P,
) -> impl futures::Stream<Item = std::sync::Arc<K>> + Send + 'static
where
    K: kube::Resource + Send + Sync + 'static,
    P: kube::runtime::utils::Predicate<K> + Send + 'static,
{
    use crate::k8s::catalog::Change;
    use futures::StreamExt;
    let mut seen: std::collections::HashMap<(Option<String>, String, Option<String>), u64> =
        Default::default();
    changes.filter_map(move |change| {
        let (object, only_remember) = match change {
            Change::Known(object) => (object, known == Known::Remember),
            Change::Later(object) => (object, false),
        };
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
            match predicate.hash_property(&object) {
                Some(hash) => seen.insert(key, hash) != Some(hash),
                None => true,
            }
        };
        std::future::ready((pass && !only_remember).then_some(object))
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::StreamExt;
    use k8s_openapi::api::core::v1::ConfigMap;

    use super::{only_when_changed, Known};
    use crate::k8s::catalog::Change;

    fn map(name: &str, value: &str) -> Arc<ConfigMap> {
        Arc::new(ConfigMap {
            metadata: kube::api::ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                uid: Some(format!("uid-{name}")),
                ..Default::default()
            },
            data: Some([("value".to_string(), value.to_string())].into()),
            ..Default::default()
        })
    }

    fn value(map: &ConfigMap) -> Option<u64> {
        let value = map.data.as_ref()?.get("value")?;
        Some(value.bytes().map(u64::from).sum())
    }

    async fn passed(known: Known, changes: Vec<Change<ConfigMap>>) -> Vec<String> {
        only_when_changed(futures::stream::iter(changes), known, value)
            .map(|map| {
                format!(
                    "{}={}",
                    map.metadata.name.clone().unwrap(),
                    map.data.as_ref().unwrap()["value"]
                )
            })
            .collect()
            .await
    }

    #[tokio::test]
    async fn a_related_watch_remembers_the_known_state_and_passes_only_what_moved_it() {
        let changes = vec![
            Change::Known(map("a", "1")),
            Change::Known(map("b", "1")),
            // A later change that leaves what is looked at as it was (a
            // status write, say) passes nothing, even as the object's first.
            Change::Later(map("a", "1")),
            Change::Later(map("b", "2")),
            Change::Later(map("c", "1")),
        ];
        assert_eq!(passed(Known::Remember, changes).await, ["b=2", "c=1"]);
    }

    #[tokio::test]
    async fn a_controllers_own_watch_passes_the_known_objects_on() {
        let changes = vec![
            Change::Known(map("a", "1")),
            Change::Later(map("a", "1")),
            Change::Later(map("a", "2")),
        ];
        assert_eq!(passed(Known::Pass, changes).await, ["a=1", "a=2"]);
    }
}
