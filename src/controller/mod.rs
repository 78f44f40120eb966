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
