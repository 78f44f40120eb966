//! `TokenPolicy`: signed playback URLs checked at the CloudFront edge, with key
//! rotation and session revocation.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Condition, DeletionPolicy, LocalObjectRef};

/// A path scope (`pathScopes`, a token's `paths`) as the schema checks it:
/// `/`, then segments of letters, digits, `-`, `_`, `.`, `~` that do not start
/// with `.`, with or without a final `/`. The token checkers apply the same
/// rule (`token::path::valid_scope`; a unit test there checks they agree).
pub const SCOPE_PATTERN: &str =
    r"^/([A-Za-z0-9_~-][A-Za-z0-9_.~-]*(/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*/?)?$";

/// Token checks at the edge for one or more LiveChannels.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "onair.dev",
    version = "v1alpha1",
    kind = "TokenPolicy",
    plural = "tokenpolicies",
    shortname = "tp",
    category = "onair",
    namespaced,
    status = "TokenPolicyStatus",
    doc = "Short-lived signed playback URLs, checked by a CloudFront Function at the edge, with key rotation and session revocation.",
    printcolumn(
        name = "Active-Key",
        type_ = "string",
        json_path = ".spec.signingKeys.activeKeyId"
    ),
    printcolumn(name = "Stage", type_ = "string", json_path = ".status.functionStage"),
    printcolumn(
        name = "Revoked",
        type_ = "integer",
        json_path = ".status.revokedSessions"
    ),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Reason",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].reason",
        description = "Why the object is or is not Ready"
    ),
    printcolumn(
        name = "Message",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].message",
        priority = 1
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "!has(self.revocation) || !has(self.revocation.enabled) || !self.revocation.enabled || (has(self.revocation.entryTtlSeconds) ? self.revocation.entryTtlSeconds : 86400) >= (has(self.token) && has(self.token.maxTtlSeconds) ? self.token.maxTtlSeconds : 86400)",
      "message": "revocation.entryTtlSeconds must be at least token.maxTtlSeconds: a revocation that ends before the tokens it revokes lets them play again" }
]))]
pub struct TokenPolicySpec {
    /// The LiveChannels (same namespace) whose playback is protected; their
    /// AdInsertion playback paths are protected too.
    #[schemars(length(min = 1, max = 20), extend("x-kubernetes-validations" = [
        { "rule": "self.all(c, self.exists_one(o, o.name == c.name))", "message": "channelRefs must not name a channel twice" }
    ]))]
    pub channel_refs: Vec<LocalObjectRef>,
    /// Where the signing keys live and which one mints.
    pub signing_keys: SigningKeys,
    /// Token transport, lifetime and bindings.
    #[serde(default)]
    pub token: TokenSettings,
    /// Which requests need a token.
    #[serde(default)]
    pub protect: ProtectedContent,
    /// HTTP status returned for a missing or invalid token.
    #[serde(default = "default_failure_status")]
    #[schemars(extend("x-kubernetes-validations" = [
        { "rule": "self == 401 || self == 403 || self == 404", "message": "failureStatusCode must be 401, 403 or 404" }
    ]))]
    pub failure_status_code: u16,
    /// Session revocation.
    #[serde(default)]
    pub revocation: RevocationSpec,
    /// What happens to the function, key value store and web ACL on delete.
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
}

fn default_failure_status() -> u16 {
    401
}

/// Signing keys: a Secret whose data keys are key ids and values the HMAC keys.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SigningKeys {
    /// Secret (same namespace) holding one entry per key id; each value is at least
    /// 32 bytes of key material. Keys are copied into a CloudFront KeyValueStore.
    pub secret_ref: LocalObjectRef,
    /// Key id used to mint new tokens. Every key in the Secret still verifies, so a
    /// rotation is: add a key, switch this, remove the old key once its tokens expired.
    #[schemars(pattern(r"^[A-Za-z0-9_-]{1,64}$"))]
    pub active_key_id: String,
}

/// Token transport and claims.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenSettings {
    /// Where the token travels. `PathSegment` (`/<token>/out/v1/...`) survives
    /// relative segment URLs without manifest rewriting.
    #[serde(default)]
    pub location: TokenLocation,
    /// Query parameter name: where the token travels with `QueryParameter`,
    /// and behind MediaTailor (`manifest.<name>` to start a session) in any case.
    #[serde(default = "default_query_name")]
    #[schemars(pattern(r"^[A-Za-z0-9_.-]{1,64}$"))]
    pub query_parameter: String,
    /// Longest lifetime a minted token may have, in seconds.
    #[serde(default = "default_max_ttl")]
    #[schemars(range(min = 30, max = 604800))]
    pub max_ttl_seconds: u32,
    /// Request properties a token is bound to.
    #[serde(default)]
    pub bind: TokenBindings,
    /// Paths tokens are checked under; a request outside every scope is
    /// refused. Empty means the channels' endpoint directories. Scopes match
    /// whole segments: `/live/a` covers `/live/a/...` but not `/live/ab`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 20), inner(length(max = 256), pattern(SCOPE_PATTERN)))]
    pub path_scopes: Vec<String>,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            location: TokenLocation::default(),
            query_parameter: default_query_name(),
            max_ttl_seconds: default_max_ttl(),
            bind: TokenBindings::default(),
            path_scopes: Vec::new(),
        }
    }
}

fn default_query_name() -> String {
    "token".into()
}
fn default_max_ttl() -> u32 {
    86400
}

/// Token transports.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum TokenLocation {
    /// First path segment of the URL.
    #[default]
    PathSegment,
    /// A query parameter.
    QueryParameter,
}

/// What a token may be bound to.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenBindings {
    /// Bind to the viewer's IP address.
    #[serde(default)]
    pub client_ip: bool,
    /// Bind to the User-Agent header.
    #[serde(default)]
    pub user_agent: bool,
    /// Bind to these request headers (lower case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 10), inner(pattern(r"^[a-z0-9-]{1,64}$")))]
    pub headers: Vec<String>,
}

/// Which requests need a token.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum ProtectedContent {
    /// Manifests and segments.
    #[default]
    All,
    /// Manifests only.
    Manifests,
    /// Segments only.
    Segments,
}

/// Session revocation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevocationSpec {
    /// Whether revocation is enforced.
    #[serde(default)]
    pub enabled: bool,
    /// Where revoked sessions are enforced: in the function through the
    /// KeyValueStore (fast, very large lists) or by a WAF web ACL.
    #[serde(default)]
    pub method: RevocationMethod,
    /// Revoked session ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 10000), inner(pattern(r"^[A-Za-z0-9_-]{1,64}$")), extend("x-kubernetes-list-type" = "set"))]
    pub sessions: Vec<String>,
    /// A ConfigMap (same namespace) whose data keys are further revoked session ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_ref: Option<LocalObjectRef>,
    /// How long a revocation is enforced after the session was first listed,
    /// in seconds; at least `token.maxTtlSeconds` (the schema refuses less),
    /// and never less than the longest token lives at the edge.
    #[serde(default = "default_entry_ttl")]
    #[schemars(range(min = 60, max = 2592000))]
    pub entry_ttl_seconds: u32,
}

impl Default for RevocationSpec {
    fn default() -> Self {
        Self {
            enabled: false,
            method: RevocationMethod::default(),
            sessions: Vec::new(),
            config_map_ref: None,
            entry_ttl_seconds: default_entry_ttl(),
        }
    }
}

fn default_entry_ttl() -> u32 {
    86400
}

/// Revocation enforcement points.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum RevocationMethod {
    /// Looked up in the CloudFront KeyValueStore by the function.
    #[default]
    KeyValueStore,
    /// A WAFv2 web ACL (CLOUDFRONT scope) attached to the distribution.
    Waf,
}

/// Observed state of a TokenPolicy.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenPolicyStatus {
    /// The generation the status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `FunctionReady`, `KeysReady`, `RevocationReady`, `Reconciling`, `Stalled`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// ARN of the CloudFront Function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_arn: Option<String>,
    /// `DEVELOPMENT` or `LIVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_stage: Option<String>,
    /// ARN of the KeyValueStore holding keys (and revoked sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_value_store_arn: Option<String>,
    /// Key ids currently accepted (never key material).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_ids: Vec<String>,
    /// ARN of the WAF web ACL, with `revocation.method: Waf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_acl_arn: Option<String>,
    /// Number of sessions currently revoked.
    #[serde(default)]
    pub revoked_sessions: u32,
}
