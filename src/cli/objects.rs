//! The objects of a file `onair render` and `onair plan` read: LiveChannels,
//! TokenPolicies and what they name (AwsProviders, AdInsertions, Secrets,
//! ConfigMaps), admitted as the API server would admit them.

use std::collections::BTreeMap;
use std::path::Path;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::ResourceExt;
use serde::Deserialize;

use crate::api::live_channel::LiveChannel;
use crate::api::{AdInsertion, AwsProvider, TokenPolicy};
use crate::aws::ownership::Owner;

/// Why `onair render` or `onair plan` printed nothing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Other(String),
}

/// The objects of a file. Namespaced objects are keyed by
/// `namespace/name` (`default` when the file names no namespace).
pub(crate) struct Objects {
    pub channels: Vec<LiveChannel>,
    pub providers: BTreeMap<String, AwsProvider>,
    pub token_policies: Vec<TokenPolicy>,
    pub ad_insertions: Vec<AdInsertion>,
    pub secrets: BTreeMap<String, Secret>,
    pub config_maps: BTreeMap<String, ConfigMap>,
}

impl Objects {
    /// The channel `name` in `namespace`, if the file holds it.
    pub fn channel(&self, namespace: &str, name: &str) -> Option<&LiveChannel> {
        self.channels.iter().find(|lc| {
            key_of(lc.namespace(), &lc.name_any()) == key_of(Some(namespace.into()), name)
        })
    }
}

/// How [`Objects`] keys a namespaced object.
pub(crate) fn key_of(namespace: Option<String>, name: &str) -> String {
    format!("{}/{name}", namespace.unwrap_or_else(|| "default".into()))
}

/// The objects of the file at `path` (`-`: stdin).
pub(crate) fn read(path: &Path) -> Result<Objects, Error> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| Error::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    read_str(&text, &path.display().to_string())
}

/// The objects of a file's `text`; `path` names it in errors.
pub(crate) fn read_str(text: &str, path: &str) -> Result<Objects, Error> {
    let schemas: BTreeMap<String, crate::schema::ObjectSchema> = crate::crd::all()
        .iter()
        .filter_map(|crd| {
            let kind = crd.spec.names.kind.clone();
            crate::schema::ObjectSchema::for_crd(crd, "v1alpha1")
                .ok()
                .map(|s| (kind, s))
        })
        .collect();
    let mut objects = Objects {
        channels: Vec::new(),
        providers: BTreeMap::new(),
        token_policies: Vec::new(),
        ad_insertions: Vec::new(),
        secrets: BTreeMap::new(),
        config_maps: BTreeMap::new(),
    };
    let invalid = |e: serde_json::Error| Error::Invalid(e.to_string());
    for document in serde_yaml::Deserializer::from_str(text) {
        let value = serde_json::Value::deserialize(document).map_err(|e| Error::Read {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        let kind = value
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default();
        let core = value.get("apiVersion").and_then(|v| v.as_str()) == Some("v1");
        // The Secrets and ConfigMaps a TokenPolicy reads (signing keys,
        // revoked sessions): Kubernetes' own kinds, read as they are.
        match kind {
            "Secret" if core => {
                let secret: Secret = serde_json::from_value(value).map_err(invalid)?;
                let key = key_of(secret.namespace(), &secret.name_any());
                objects.secrets.insert(key, secret);
                continue;
            }
            "ConfigMap" if core => {
                let map: ConfigMap = serde_json::from_value(value).map_err(invalid)?;
                let key = key_of(map.namespace(), &map.name_any());
                objects.config_maps.insert(key, map);
                continue;
            }
            _ => {}
        }
        let Some(schema) = schemas.get(kind) else {
            continue;
        };
        // The same admission as the API server: schema, CEL rules, defaults.
        let admitted = schema
            .admit(&value, None)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        match kind {
            "LiveChannel" => objects
                .channels
                .push(serde_json::from_value(admitted).map_err(invalid)?),
            "AwsProvider" => {
                let provider: AwsProvider = serde_json::from_value(admitted).map_err(invalid)?;
                objects.providers.insert(provider.name_any(), provider);
            }
            "TokenPolicy" => objects
                .token_policies
                .push(serde_json::from_value(admitted).map_err(invalid)?),
            "AdInsertion" => objects
                .ad_insertions
                .push(serde_json::from_value(admitted).map_err(invalid)?),
            _ => {}
        }
    }
    if objects.channels.is_empty() && objects.token_policies.is_empty() {
        return Err(Error::Invalid(format!(
            "{path} holds no LiveChannel or TokenPolicy"
        )));
    }
    Ok(objects)
}

/// The owner of an object from the file: its uid is `UID` unless the file
/// has one (an object as the cluster prints it), so names built from the
/// uid read as placeholders.
pub(crate) fn owner_of<K: kube::Resource>(object: &K) -> Owner {
    Owner::new(
        object.uid().unwrap_or_else(|| "UID".into()),
        object.namespace().unwrap_or_else(|| "default".into()),
        object.name_any(),
    )
}
