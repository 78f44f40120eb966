//! What a TokenPolicy references, read from the cluster: its signing keys
//! (a Secret), its revoked sessions (inline and a ConfigMap) and its channels
//! (their playback paths scope the tokens). One reader for the reconciler and
//! `onair token`, so the CLI checks URLs with exactly the rules the edge runs.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::{Api, Client};

use super::mint::MintError;
use super::verify::ViewerRequest;
use super::{plain_id, EdgeConfig, Keys};
use crate::api::{AdInsertion, LiveChannel, TokenPolicySpec};

/// Shortest signing key accepted (HS256 wants at least its output size).
pub const MIN_KEY_BYTES: usize = 32;
/// Longest signing key: its base64 must fit a key value store value (1 KB).
pub const MAX_KEY_BYTES: usize = 768;

/// Something the policy references is missing or unusable: the user has to
/// fix it (a `Ready=False` condition with `reason`), or Kubernetes failed.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{message}")]
    Invalid {
        reason: &'static str,
        message: String,
    },
    #[error("cannot read {what}: {source}")]
    Kube { what: String, source: kube::Error },
}

fn invalid(reason: &'static str, message: String) -> InputError {
    InputError::Invalid { reason, message }
}

/// A TokenPolicy's inputs.
#[derive(Debug, Clone)]
pub struct PolicyInputs {
    pub keys: Keys,
    /// Revoked sessions, inline and from the ConfigMap (when revocation is on).
    pub revoked: BTreeSet<String>,
    /// The channels, in `channelRefs` order.
    pub channels: Vec<LiveChannel>,
    /// Path prefixes the channels are played under, the default token scope:
    /// each endpoint's directory, and MediaTailor's `/v1/` when an
    /// AdInsertion serves a channel.
    pub channel_paths: Vec<String>,
    /// Each channel's endpoint directories: what its origin pass opens.
    pub channel_dirs: BTreeMap<String, Vec<String>>,
    /// The host of the first channel's playback URL.
    pub host: Option<String>,
}

impl PolicyInputs {
    /// `ad_insertions`: the namespace's AdInsertions (the operator's watch
    /// holds them; the CLI lists them).
    pub async fn load(
        client: &Client,
        namespace: &str,
        spec: &TokenPolicySpec,
        ad_insertions: &[std::sync::Arc<AdInsertion>],
    ) -> Result<Self, InputError> {
        let keys = signing_keys(client, namespace, spec).await?;
        let revoked = revoked_sessions(client, namespace, spec).await?;
        let channels_api = Api::<LiveChannel>::namespaced(client.clone(), namespace);
        let mut channels = Vec::new();
        for reference in &spec.channel_refs {
            let channel = channels_api
                .get_opt(&reference.name)
                .await
                .map_err(|source| InputError::Kube {
                    what: format!("LiveChannel {namespace}/{}", reference.name),
                    source,
                })?
                .ok_or_else(|| {
                    invalid(
                        "ChannelNotFound",
                        format!(
                            "the LiveChannel \"{}\" does not exist in namespace {namespace}; create it or fix channelRefs",
                            reference.name
                        ),
                    )
                })?;
            channels.push(channel);
        }
        let served = |channel: &str| {
            ad_insertions
                .iter()
                .any(|a| a.spec.channel_ref.name == channel)
        };
        Ok(Self::assemble(keys, revoked, channels, served))
    }

    /// The inputs from what was read: the channels' playback URLs (their
    /// status) give the default token scopes and what each channel's origin
    /// pass opens; `served_by_ads` says whether an AdInsertion serves a
    /// channel (its MediaTailor paths are then protected too). Shared with
    /// `onair render`, which reads the objects from a file.
    pub fn assemble(
        keys: Keys,
        revoked: BTreeSet<String>,
        channels: Vec<LiveChannel>,
        served_by_ads: impl Fn(&str) -> bool,
    ) -> Self {
        let mut paths = BTreeSet::new();
        let mut channel_dirs = BTreeMap::new();
        let mut host = None;
        for channel in &channels {
            let mut dirs = BTreeSet::new();
            let playback = channel
                .status
                .as_ref()
                .and_then(|s| s.playback.clone())
                .unwrap_or_default();
            for url in [playback.hls, playback.dash].into_iter().flatten() {
                let request = ViewerRequest::for_url(&url, "", BTreeMap::new());
                if let Some((dir, _)) = request.uri.rsplit_once('/') {
                    dirs.insert(format!("{dir}/"));
                }
                // Without a CDN the playback URL is MediaPackage's, where no
                // token is checked: a URL minted for it would mislead.
                if host.is_none() && channel.spec.cdn.enabled {
                    host = crate::url::host_of(&url).map(str::to_string);
                }
            }
            let channel_name = channel.metadata.name.as_deref().unwrap_or_default();
            paths.extend(dirs.iter().cloned());
            channel_dirs.insert(channel_name.to_string(), dirs.into_iter().collect());
            if served_by_ads(channel_name) {
                paths.insert("/v1/".to_string());
            }
        }
        Self {
            keys,
            revoked,
            channels,
            channel_paths: paths.into_iter().collect(),
            channel_dirs,
            host,
        }
    }

    /// The edge rules the function runs and the CLI checks.
    pub fn edge_config(&self, spec: &TokenPolicySpec) -> EdgeConfig {
        EdgeConfig {
            origin_scopes: self.channel_dirs.clone(),
            ..EdgeConfig::from_policy(spec, &self.channel_paths)
        }
    }

    /// The active signing key.
    pub fn active_key<'a>(&'a self, spec: &TokenPolicySpec) -> Result<&'a [u8], MintError> {
        let id = &spec.signing_keys.active_key_id;
        self.keys
            .0
            .get(id)
            .map(Vec::as_slice)
            .ok_or_else(|| MintError::UnknownKey(id.clone()))
    }
}

/// The keys of the policy's Secret, checked: the active key must be there,
/// key ids plain, every key 32 to 768 bytes.
pub async fn signing_keys(
    client: &Client,
    namespace: &str,
    spec: &TokenPolicySpec,
) -> Result<Keys, InputError> {
    let name = &spec.signing_keys.secret_ref.name;
    let secret = Api::<Secret>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|source| InputError::Kube {
            what: format!("Secret {namespace}/{name}"),
            source,
        })?
        .ok_or_else(|| {
            invalid(
                "SigningKeysNotFound",
                format!("the signing-keys Secret \"{name}\" does not exist in namespace {namespace}; create it with one entry per key id"),
            )
        })?;
    let keys = keys_in(&secret);
    check_keys(&keys, name, &spec.signing_keys.active_key_id)?;
    Ok(keys)
}

/// The keys a Secret holds: its `data`, and its `stringData` over it (what
/// the API server stores from a manifest that uses `stringData`, as a file
/// given to `onair render` may).
pub fn keys_in(secret: &Secret) -> Keys {
    let mut keys: BTreeMap<String, Vec<u8>> = secret
        .data
        .iter()
        .flatten()
        .map(|(id, value)| (id.clone(), value.0.clone()))
        .collect();
    for (id, value) in secret.string_data.iter().flatten() {
        keys.insert(id.clone(), value.clone().into_bytes());
    }
    Keys(keys)
}

/// The rules a set of signing keys must follow (messages name key ids,
/// never key material).
pub fn check_keys(keys: &Keys, secret: &str, active: &str) -> Result<(), InputError> {
    for (id, key) in &keys.0 {
        if !plain_id(id) {
            return Err(invalid(
                "InvalidSigningKeys",
                format!("key id {id:?} in Secret \"{secret}\" must be 1 to 64 letters, digits, '-' or '_'"),
            ));
        }
        if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
            return Err(invalid(
                "InvalidSigningKeys",
                format!(
                    "signing key {id:?} in Secret \"{secret}\" is {} bytes; use {MIN_KEY_BYTES} to {MAX_KEY_BYTES} random bytes",
                    key.len()
                ),
            ));
        }
    }
    if !keys.0.contains_key(active) {
        return Err(invalid(
            "ActiveKeyMissing",
            format!("signingKeys.activeKeyId \"{active}\" is not a key of Secret \"{secret}\"; add it to the Secret before switching to it"),
        ));
    }
    Ok(())
}

/// Revoked sessions, inline and from the ConfigMap; none while revocation is off.
pub async fn revoked_sessions(
    client: &Client,
    namespace: &str,
    spec: &TokenPolicySpec,
) -> Result<BTreeSet<String>, InputError> {
    let revocation = &spec.revocation;
    let config_map = match (&revocation.config_map_ref, revocation.enabled) {
        (Some(map), true) => Some(
            Api::<ConfigMap>::namespaced(client.clone(), namespace)
                .get_opt(&map.name)
                .await
                .map_err(|source| InputError::Kube {
                    what: format!("ConfigMap {namespace}/{}", map.name),
                    source,
                })?
                .ok_or_else(|| {
                    invalid(
                        "RevocationListNotFound",
                        format!(
                            "the ConfigMap \"{}\" named by revocation.configMapRef does not exist in namespace {namespace}",
                            map.name
                        ),
                    )
                })?,
        ),
        _ => None,
    };
    revoked_from(spec, config_map.as_ref())
}

/// The revoked sessions of a policy: its inline list, and the data keys of
/// `config_map` (the ConfigMap `revocation.configMapRef` names, once read);
/// none while revocation is off.
pub fn revoked_from(
    spec: &TokenPolicySpec,
    config_map: Option<&ConfigMap>,
) -> Result<BTreeSet<String>, InputError> {
    let revocation = &spec.revocation;
    if !revocation.enabled {
        return Ok(BTreeSet::new());
    }
    let mut sessions: BTreeSet<String> = revocation.sessions.iter().cloned().collect();
    if let (Some(map), Some(config_map)) = (&revocation.config_map_ref, config_map) {
        for session in config_map.data.iter().flatten().map(|(k, _)| k) {
            if !plain_id(session) {
                return Err(invalid(
                    "InvalidSessionId",
                    format!(
                        "ConfigMap \"{}\" lists {session:?}: session ids are 1 to 64 letters, digits, '-' or '_'",
                        map.name
                    ),
                ));
            }
            sessions.insert(session.clone());
        }
    }
    Ok(sessions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::live_channel::{LiveChannelStatus, PlaybackUrls};
    use k8s_openapi::ByteString;
    use serde_json::json;

    fn spec(revocation: serde_json::Value) -> TokenPolicySpec {
        serde_json::from_value(json!({
            "channelRefs": [{"name": "news"}],
            "signingKeys": {"secretRef": {"name": "keys"}, "activeKeyId": "k1"},
            "revocation": revocation
        }))
        .unwrap()
    }

    fn channel(name: &str, cdn: bool, hls: &str) -> LiveChannel {
        let mut lc = LiveChannel::new(
            name,
            serde_json::from_value(json!({
                "state": "Idle",
                "input": {"type": "UrlPull", "urlPull": {"urls": ["https://example.com/a.m3u8"]}},
                "cdn": {"enabled": cdn}
            }))
            .unwrap(),
        );
        lc.status = Some(LiveChannelStatus {
            playback: Some(PlaybackUrls {
                hls: Some(hls.into()),
                ..Default::default()
            }),
            ..Default::default()
        });
        lc
    }

    #[test]
    fn string_data_counts_as_keys_and_wins_over_data() {
        let secret = Secret {
            data: Some(
                [
                    ("k1".to_string(), ByteString(b"from-data".to_vec())),
                    ("k2".to_string(), ByteString(b"only-data".to_vec())),
                ]
                .into(),
            ),
            string_data: Some([("k1".to_string(), "from-string-data".to_string())].into()),
            ..Default::default()
        };
        let keys = keys_in(&secret);
        assert_eq!(keys.0["k1"], b"from-string-data");
        assert_eq!(keys.0["k2"], b"only-data");
    }

    #[test]
    fn revoked_sessions_come_from_the_list_and_the_config_map_while_enabled() {
        let map = ConfigMap {
            data: Some([("from-map".to_string(), String::new())].into()),
            ..Default::default()
        };
        let on =
            spec(json!({"enabled": true, "sessions": ["inline"], "configMapRef": {"name": "m"}}));
        let sessions = revoked_from(&on, Some(&map)).unwrap();
        assert_eq!(
            sessions.into_iter().collect::<Vec<_>>(),
            ["from-map", "inline"]
        );
        let off = spec(json!({"enabled": false, "sessions": ["inline"]}));
        assert!(revoked_from(&off, Some(&map)).unwrap().is_empty());
        let bad = ConfigMap {
            data: Some([("not a session".to_string(), String::new())].into()),
            ..Default::default()
        };
        let e = revoked_from(&on, Some(&bad)).unwrap_err();
        assert!(matches!(
            e,
            InputError::Invalid {
                reason: "InvalidSessionId",
                ..
            }
        ));
    }

    #[test]
    fn the_playback_host_for_minting_is_never_an_unchecked_origin() {
        let origin = "https://abc.mediapackage.eu-west-1.amazonaws.com/out/v1/e1/index.m3u8";
        let direct = channel("direct", false, origin);
        let inputs =
            PolicyInputs::assemble(Keys::default(), BTreeSet::new(), vec![direct], |_| false);
        assert_eq!(inputs.host, None, "no token is checked at MediaPackage");
        assert_eq!(inputs.channel_dirs["direct"], ["/out/v1/e1/"]);
        let cdn = channel(
            "news",
            true,
            "https://d1.cloudfront.net/out/v1/e2/index.m3u8",
        );
        let inputs =
            PolicyInputs::assemble(Keys::default(), BTreeSet::new(), vec![cdn], |c| c == "news");
        assert_eq!(inputs.host.as_deref(), Some("d1.cloudfront.net"));
        assert_eq!(inputs.channel_paths, ["/out/v1/e2/", "/v1/"]);
    }
}
