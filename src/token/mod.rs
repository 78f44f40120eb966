//! Playback tokens: minting, verification, and the CloudFront Function that
//! checks them at the edge.
//!
//! A token is a standard HS256 JWT whose header `kid` names the signing key, so
//! any JWT library can mint or inspect one. It travels as the first path
//! segment (`/<token>/out/v1/...`, so relative segment URLs in manifests carry
//! it without rewriting) or as a query parameter. With a session id, the token
//! is written `<session>.<jwt>`, which lets a WAF rule match revoked sessions
//! without decoding the JWT.
//!
//! Claims: `exp`, `nbf`, `iat`, `paths` (allowed path prefixes), `ssn`
//! (session id), `ip` and `headers` (what the token is bound to) and `intsig`,
//! an HMAC over the bound request values, so the token binds to them without
//! revealing them. The same rules run in Rust ([`verify::check`], for
//! `onair token verify` and tests) and in the generated function
//! ([`function::source`]); tests run both against the same vectors.

pub mod binding;
pub mod config;
pub mod function;
pub mod mint;
pub mod origin;
pub mod path;
pub mod policy;
pub mod verify;
pub mod wire;

pub use config::EdgeConfig;
pub use mint::{mint, MintRequest};
pub use verify::{check, Refusal, ViewerRequest};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Signing keys by key id. Debug never prints key material.
#[derive(Clone, Default)]
pub struct Keys(pub BTreeMap<String, Vec<u8>>);

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// The claims onair reads and writes, and no others: an unknown claim (`aud`,
/// `iss`, ...) is one the edge cannot honour, so the token is refused (see
/// [`wire`] for the rest of the strict reading).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    pub exp: u64,
    #[serde(
        default,
        deserialize_with = "wire::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub nbf: Option<u64>,
    #[serde(
        default,
        deserialize_with = "wire::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub iat: Option<u64>,
    /// Path scopes the token opens (segment boundaries, see
    /// [`path::within`]); absent means any path the policy protects.
    #[serde(
        default,
        deserialize_with = "wire::non_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub paths: Vec<String>,
    /// Session id, for revocation.
    #[serde(
        default,
        deserialize_with = "wire::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub ssn: Option<String>,
    /// Bound to the viewer's IP address.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ip: bool,
    /// Bound to these request headers (lower-case names).
    #[serde(
        default,
        deserialize_with = "wire::non_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub headers: Vec<String>,
    /// HMAC over the bound values (see [`binding`]).
    #[serde(
        default,
        deserialize_with = "wire::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub intsig: Option<String>,
}

/// Session ids and key ids are plain: letters, digits, `-` and `_`, 1 to
/// 64, so a session can sit in front of the JWT and in a WAF pattern, and a
/// key id can name a store entry and sit in a token header or origin pass.
pub fn plain_id(id: &str) -> bool {
    id.len() <= 64 && wire::base64url_chars(id)
}
