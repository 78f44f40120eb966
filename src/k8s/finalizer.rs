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
    lists_ours(&finalizers(object))
}

fn lists_ours(finalizers: &[String]) -> bool {
    finalizers.iter().any(|f| f == FINALIZER)
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

/// Writes the list `change` makes of the object's finalizers (None: nothing
/// to do), testing the list it was made from. When the test fails, the copy
/// was stale (the watch cache lags a write of an earlier round, another
/// replica's or a user's): the object is read again and the change made
/// anew, so a stale copy never costs a failed reconcile. True when this
/// call wrote the list.
async fn change_finalizers<K>(
    api: &Api<K>,
    object: &K,
    change: impl Fn(&[String]) -> Option<Vec<String>>,
) -> Result<bool, kube::Error>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    let name = object.meta().name.clone().unwrap_or_default();
    let mut current = object.clone();
    for attempt in 1.. {
        let Some(next) = change(&finalizers(&current)) else {
            return Ok(false);
        };
        match replace(api, &current, next).await {
            Ok(()) => return Ok(true),
            Err(error) if attempt < 3 && failed_test(&error) => current = api.get(&name).await?,
            Err(error) => return Err(error),
        }
    }
    unreachable!("the loop returns")
}

/// A JSON patch whose `test` did not hold: 422 Invalid, from kube-apiserver
/// and the local server alike.
fn failed_test(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 422 && status.reason == "Invalid")
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
    change_finalizers(api, object, |current| {
        if lists_ours(current) {
            return None;
        }
        let mut next = current.to_vec();
        next.push(FINALIZER.to_string());
        Some(next)
    })
    .await
}

/// Removes onair's finalizer: Kubernetes then deletes the object.
pub async fn remove<K>(api: &Api<K>, object: &K) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    change_finalizers(api, object, |current| {
        lists_ours(current).then(|| {
            current
                .iter()
                .filter(|f| *f != FINALIZER)
                .cloned()
                .collect()
        })
    })
    .await?;
    // The object goes now: it no longer counts in any state.
    let kind = K::kind(&());
    crate::metrics::global().object_state(&kind, &super::report::object_key(object), None);
    Ok(())
}
