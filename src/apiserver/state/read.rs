//! Reads: one object, the objects of a type, and list pages. Every page of one
//! list is served at the first page's resourceVersion, which its continue token
//! carries.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

use super::{present, Key, Page, State};
use crate::apiserver::error::ApiError;
use crate::apiserver::registry::ResourceType;
use crate::apiserver::selector::Selector;

impl State {
    /// Objects of a type (in one namespace, or all), in key order.
    pub fn objects_of<'a>(
        &'a self,
        t: &'a ResourceType,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a Key, &'a Value)> + 'a {
        // Keys sort by (group, plural, namespace, name): one range, no scan.
        let start = Key {
            group: t.storage_group().to_string(),
            plural: t.plural.clone(),
            namespace: namespace.unwrap_or_default().to_string(),
            name: String::new(),
        };
        self.objects.range(start..).take_while(move |(k, _)| {
            k.group == t.storage_group()
                && k.plural == t.plural
                && namespace.is_none_or(|ns| k.namespace == ns)
        })
    }

    pub fn get(
        &self,
        t: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, ApiError> {
        self.objects
            .get(&Key::new(t, namespace, name))
            .map(|o| present(t, o))
            .ok_or_else(|| ApiError::not_found(&t.subject(name)))
    }

    /// A page of a list. Every page of one list is served at the first page's
    /// resourceVersion (later changes are undone from the history), so a
    /// client that lists in pages and then watches from that version misses
    /// nothing; once the history no longer reaches back, 410 Gone.
    pub fn list(
        &self,
        t: &ResourceType,
        namespace: Option<&str>,
        selector: &Selector,
        limit: Option<usize>,
        continue_token: Option<&str>,
    ) -> Result<Page, ApiError> {
        let position = continue_token.map(decode_continue).transpose()?;
        let at = position
            .as_ref()
            .map_or(self.resource_version, |p| p.resource_version);
        let mut snapshot: BTreeMap<&Key, &Value> = self.objects_of(t, namespace).collect();
        if at < self.resource_version {
            if at < self.oldest_watchable {
                return Err(ApiError::gone(format!(
                    "the continue token is too old (resourceVersion {at}); list again from the start"
                )));
            }
            // Undo the later changes, newest first.
            for change in self
                .history
                .iter()
                .rev()
                .take_while(|c| c.resource_version > at)
            {
                let key = &change.key;
                if key.group != t.storage_group()
                    || key.plural != t.plural
                    || namespace.is_some_and(|ns| ns != key.namespace)
                {
                    continue;
                }
                match &change.old {
                    Some(old) => snapshot.insert(key, old),
                    None => snapshot.remove(key),
                };
            }
        }
        let matching: Vec<(&Key, &Value)> = snapshot
            .into_iter()
            .filter(|(k, _)| {
                position
                    .as_ref()
                    .is_none_or(|p| (&k.namespace, &k.name) > (&p.namespace, &p.name))
            })
            .filter(|(_, o)| selector.matches(o))
            .collect();
        let take = limit
            .filter(|l| *l > 0)
            .unwrap_or(usize::MAX)
            .min(matching.len());
        let items = matching[..take]
            .iter()
            .map(|(_, o)| present(t, o))
            .collect();
        let more = take < matching.len();
        let continue_token = more.then(|| {
            let (last, _) = matching[take - 1];
            encode_continue(&Continue {
                resource_version: at,
                namespace: last.namespace.clone(),
                name: last.name.clone(),
            })
        });
        Ok(Page {
            items,
            resource_version: at,
            continue_token,
            remaining: more.then(|| matching.len() - take),
        })
    }
}

/// Where the next page starts, and at which resourceVersion the list is served.
#[derive(serde::Serialize, serde::Deserialize)]
struct Continue {
    #[serde(rename = "rv")]
    resource_version: u64,
    #[serde(rename = "ns")]
    namespace: String,
    name: String,
}

fn encode_continue(position: &Continue) -> String {
    let raw = serde_json::to_vec(position).expect("serializes");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_continue(token: &str) -> Result<Continue, ApiError> {
    let invalid = || {
        ApiError::bad_request("the continue token is not valid; start the list again without it")
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| invalid())?;
    serde_json::from_slice(&raw).map_err(|_| invalid())
}
