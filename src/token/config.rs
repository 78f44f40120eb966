//! What the edge check needs from a TokenPolicy, shared by the Rust verifier
//! and the generated function (which embeds it as JSON).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::path::{kind, Kind};

use crate::api::token_policy::{
    ProtectedContent, RevocationMethod, TokenLocation, TokenPolicySpec,
};

/// Tolerated clock difference between the minting service and the edge, for `nbf`.
pub const NOT_BEFORE_LEEWAY_SECONDS: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EdgeConfig {
    /// `path` or `query`.
    pub location: String,
    pub query_parameter: String,
    /// `all`, `manifests` or `segments`.
    pub protect: String,
    pub failure_status: u16,
    /// Tokens must be bound to the viewer IP.
    pub require_ip: bool,
    /// Tokens must be bound to these headers (lower-case; `user-agent` included
    /// when the policy binds the User-Agent).
    pub require_headers: Vec<String>,
    /// Requests outside these scopes are refused; empty allows any path.
    pub path_scopes: Vec<String>,
    /// What an origin pass for each channel opens: the channel's endpoint
    /// directories (see [`super::origin`]); a channel not listed has no pass.
    #[serde(default)]
    pub origin_scopes: BTreeMap<String, Vec<String>>,
    /// Look revoked session ids up in the key value store.
    pub revocation_in_store: bool,
    pub max_ttl_seconds: u64,
    pub not_before_leeway_seconds: u64,
}

impl EdgeConfig {
    /// The edge rules of a policy. `channel_paths` are the protected channels'
    /// path prefixes, used when the policy sets no `pathScopes`.
    pub fn from_policy(spec: &TokenPolicySpec, channel_paths: &[String]) -> Self {
        let token = &spec.token;
        let mut require_headers: Vec<String> = token
            .bind
            .headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if token.bind.user_agent && !require_headers.iter().any(|h| h == "user-agent") {
            require_headers.insert(0, "user-agent".into());
        }
        Self {
            location: match token.location {
                TokenLocation::PathSegment => "path",
                TokenLocation::QueryParameter => "query",
            }
            .into(),
            query_parameter: token.query_parameter.clone(),
            protect: match spec.protect {
                ProtectedContent::All => "all",
                ProtectedContent::Manifests => "manifests",
                ProtectedContent::Segments => "segments",
            }
            .into(),
            failure_status: spec.failure_status_code,
            require_ip: token.bind.client_ip,
            require_headers,
            path_scopes: if token.path_scopes.is_empty() {
                channel_paths.to_vec()
            } else {
                token.path_scopes.clone()
            },
            origin_scopes: BTreeMap::new(),
            revocation_in_store: spec.revocation.enabled
                && spec.revocation.method == RevocationMethod::KeyValueStore,
            max_ttl_seconds: u64::from(token.max_ttl_seconds),
            not_before_leeway_seconds: NOT_BEFORE_LEEWAY_SECONDS,
        }
    }

    /// Whether a request for `path` (normal, token already removed) needs a
    /// token. What cannot be classified always does.
    pub fn protects(&self, path: &str) -> bool {
        !matches!(
            (self.protect.as_str(), kind(path)),
            ("manifests", Kind::Segment) | ("segments", Kind::Manifest)
        )
    }
}

/// Key value store entry names: signing keys and revoked sessions.
pub fn key_entry(key_id: &str) -> String {
    format!("k:{key_id}")
}

pub fn revoked_entry(session: &str) -> String {
    format!("r:{session}")
}
