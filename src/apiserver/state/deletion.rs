//! Deletion: preconditions, finalizers and deletionTimestamp, and namespaces
//! and CRDs that go only once their contents are gone.

use serde_json::{json, Value};

use super::meta::{crd_group_plural, has_finalizers, meta_str};
use super::{now, present, Key, State, WriteOptions};
use crate::apiserver::error::ApiError;
use crate::apiserver::registry::ResourceType;

impl State {
    /// DELETE: removes the object, or marks it for deletion while finalizers
    /// (or, for namespaces and CRDs, their contents) remain.
    pub fn delete(
        &mut self,
        t: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        delete_options: &Value,
        options: &WriteOptions<'_>,
    ) -> Result<Value, ApiError> {
        let key = Key::new(t, namespace, name);
        let old = self.existing(t, &key)?;
        let precondition = |field: &str, actual: &str| {
            delete_options
                .pointer(&format!("/preconditions/{field}"))
                .and_then(Value::as_str)
                .is_some_and(|expected| expected != actual)
        };
        if precondition("resourceVersion", meta_str(&old, "resourceVersion"))
            || precondition("uid", meta_str(&old, "uid"))
        {
            return Err(ApiError::conflict(&t.subject(name)));
        }
        if t.is_namespace() && ["default", "kube-system", "kube-public"].contains(&name) {
            return Err(ApiError::forbidden(format!(
                "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
            )));
        }
        if options.dry_run {
            return Ok(present(t, &old));
        }
        let result = self.delete_key(t, &key, old);
        self.reap_terminated_containers();
        Ok(present(t, &result))
    }

    fn delete_key(&mut self, t: &ResourceType, key: &Key, old: Value) -> Value {
        if !self.deletion_blocked(t, key, &old) {
            return self.remove(t, key, old);
        }
        let is_container = t.is_namespace() || t.is_crd();
        let mut marked = old.clone();
        if marked.pointer("/metadata/deletionTimestamp").is_none() {
            marked["metadata"]["deletionTimestamp"] = json!(now());
            marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            // As kube-apiserver does: controllers filtering on generation see it.
            if let Some(generation) = marked
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
            {
                marked["metadata"]["generation"] = json!(generation + 1);
            }
            if t.is_namespace() {
                marked["status"] = json!({"phase": "Terminating"});
            }
            marked = self.commit(t, key.clone(), Some(old), marked, false);
        }
        if is_container {
            let contents: Vec<Key> = self.contents(t, key);
            for child in contents {
                let child_type = self.type_of(&child);
                if let (Some(ct), Some(object)) = (child_type, self.objects.get(&child).cloned()) {
                    self.delete_key(&ct, &child, object);
                }
            }
        }
        marked
    }

    /// Namespaces and CRDs being deleted go once their contents are gone.
    pub(super) fn reap_terminated_containers(&mut self) {
        loop {
            let done: Option<(ResourceType, Key, Value)> = self
                .objects
                .iter()
                .filter(|(k, o)| {
                    let container = (k.group.is_empty() && k.plural == "namespaces")
                        || (k.group == "apiextensions.k8s.io"
                            && k.plural == "customresourcedefinitions");
                    container
                        && o.pointer("/metadata/deletionTimestamp").is_some()
                        && !has_finalizers(o)
                })
                .find_map(|(k, o)| {
                    let t = self.type_of(k)?;
                    (!self.has_contents(&t, k)).then(|| (t, k.clone(), o.clone()))
                });
            match done {
                Some((t, key, object)) => {
                    self.remove(&t, &key, object);
                }
                None => return,
            }
        }
    }

    fn contents(&self, t: &ResourceType, key: &Key) -> Vec<Key> {
        let crd_names = if t.is_crd() {
            self.objects.get(key).and_then(crd_group_plural)
        } else {
            None
        };
        self.objects
            .keys()
            .filter(|k| match &crd_names {
                Some((group, plural)) => &k.group == group && &k.plural == plural,
                None => t.is_namespace() && k.namespace == key.name,
            })
            .cloned()
            .collect()
    }

    /// Finalizers hold an object; namespaces and CRDs are also held by what
    /// they contain.
    pub(super) fn deletion_blocked(&self, t: &ResourceType, key: &Key, object: &Value) -> bool {
        has_finalizers(object) || ((t.is_namespace() || t.is_crd()) && self.has_contents(t, key))
    }

    fn has_contents(&self, t: &ResourceType, key: &Key) -> bool {
        !self.contents(t, key).is_empty()
    }

    /// The type of a stored object, whichever version it was written in.
    fn type_of(&self, key: &Key) -> Option<ResourceType> {
        self.registry.storage_type(&key.group, &key.plural).cloned()
    }
}
