//! Where the AWS ids of an object's children are kept: annotations on the
//! object itself (as Crossplane's external-name), written the moment a child
//! is created so that a crash never loses one (see
//! [`controller::kit::driver`](crate::controller::kit::driver)).

use std::collections::BTreeMap;

use async_trait::async_trait;

/// Annotation holding the AWS id of `child`.
pub fn id_annotation(child: &str) -> String {
    format!("onair.dev/{child}-id")
}

/// Where child ids are kept (the object's annotations in a reconciler).
#[async_trait]
pub trait IdStore: Send {
    fn recorded(&self, child: &str) -> Option<String>;
    async fn record(&mut self, child: &str, id: &str) -> Result<(), kube::Error>;
    async fn forget(&mut self, child: &str) -> Result<(), kube::Error>;
    /// True when no child of the owner can exist unrecorded: the owner's
    /// first round, whose finalizer was just added by a compare-and-swap
    /// against the server's object (the finalizer comes before any AWS
    /// write, so no earlier round, in this process or a crashed one, wrote
    /// anything). The search for unrecorded children, a list of every
    /// resource of the kind for some services, is then skipped.
    fn none_unrecorded(&self) -> bool {
        false
    }
}

/// Ids kept as annotations on a Kubernetes object, written with a merge patch
/// of metadata only (no generation change) as soon as they are known.
pub struct AnnotationIds<K: kube::Resource> {
    api: kube::Api<K>,
    name: String,
    ids: BTreeMap<String, String>,
    /// See [`IdStore::none_unrecorded`].
    first_round: bool,
}

impl<K> AnnotationIds<K>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    pub fn new(api: kube::Api<K>, object: &K) -> Self {
        let ids = object
            .meta()
            .annotations
            .iter()
            .flatten()
            .filter_map(|(k, v)| {
                k.strip_prefix("onair.dev/")
                    .and_then(|rest| rest.strip_suffix("-id"))
                    .map(|child| (child.to_string(), v.clone()))
            })
            .collect();
        Self {
            api,
            name: object.meta().name.clone().unwrap_or_default(),
            ids,
            first_round: false,
        }
    }

    /// This round added the owner's finalizer (see [`IdStore::none_unrecorded`]).
    pub fn first_round(mut self, first: bool) -> Self {
        self.first_round = first;
        self
    }

    pub fn all(&self) -> &BTreeMap<String, String> {
        &self.ids
    }

    async fn write(&self, child: &str, id: Option<&str>) -> Result<(), kube::Error> {
        let patch = serde_json::json!({"metadata": {"annotations": {id_annotation(child): id}}});
        self.api
            .patch(
                &self.name,
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(&patch),
            )
            .await
            .map(|_| ())
    }
}

#[async_trait]
impl<K> IdStore for AnnotationIds<K>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync,
{
    fn recorded(&self, child: &str) -> Option<String> {
        self.ids.get(child).cloned()
    }

    async fn record(&mut self, child: &str, id: &str) -> Result<(), kube::Error> {
        self.write(child, Some(id)).await?;
        self.ids.insert(child.to_string(), id.to_string());
        Ok(())
    }

    async fn forget(&mut self, child: &str) -> Result<(), kube::Error> {
        self.write(child, None).await?;
        self.ids.remove(child);
        Ok(())
    }

    fn none_unrecorded(&self) -> bool {
        self.first_round
    }
}
