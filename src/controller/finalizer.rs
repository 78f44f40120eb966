//! The finalizer every kind carries while it owns AWS resources: added before
//! anything is created, removed once cleanup is complete. Written with a JSON
//! patch that tests the current list, so a concurrent change is a conflict,
//! not a lost finalizer.

use kube::api::{Api, Patch, PatchParams};
use kube::Resource;
use serde::de::DeserializeOwned;

pub const FINALIZER: &str = "onair.dev/cleanup";

fn finalizers<K: Resource>(object: &K) -> Vec<String> {
    object.meta().finalizers.clone().unwrap_or_default()
}

pub fn has_finalizer<K: Resource>(object: &K) -> bool {
    finalizers(object).iter().any(|f| f == FINALIZER)
}

async fn replace<K>(api: &Api<K>, object: &K, next: Vec<String>) -> Result<(), kube::Error>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    let name = object.meta().name.clone().unwrap_or_default();
    let current = object.meta().finalizers.clone();
    let patch: json_patch::Patch = serde_json::from_value(serde_json::json!([
        // `test` against null succeeds when the list is absent.
        { "op": "test", "path": "/metadata/finalizers", "value": current },
        { "op": "add", "path": "/metadata/finalizers", "value": next },
    ]))
    .expect("a well-formed JSON patch");
    api.patch(&name, &PatchParams::default(), &Patch::<()>::Json(patch))
        .await
        .map(|_| ())
}

/// Adds onair's finalizer (no-op when present). True when this call added
/// it: the object's first round. The patch tests the server's current list,
/// so no earlier round (of this process, a crashed one or another replica)
/// added it, and as it comes before any AWS write, nothing of the object
/// exists in AWS yet (see `IdStore::none_unrecorded`).
pub async fn add<K>(api: &Api<K>, object: &K) -> Result<bool, kube::Error>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    if has_finalizer(object) {
        return Ok(false);
    }
    let mut next = finalizers(object);
    next.push(FINALIZER.to_string());
    replace(api, object, next).await?;
    Ok(true)
}

/// Removes onair's finalizer: Kubernetes then deletes the object.
pub async fn remove<K>(api: &Api<K>, object: &K) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    if !has_finalizer(object) {
        return Ok(());
    }
    let next = finalizers(object)
        .into_iter()
        .filter(|f| f != FINALIZER)
        .collect();
    replace(api, object, next).await?;
    // The object goes now: it no longer counts in any state.
    let kind = K::kind(&());
    crate::metrics::global().object_state(&kind, &super::report::object_key(object), None);
    Ok(())
}
