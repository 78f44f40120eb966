//! The edge check, in Rust: what the generated CloudFront Function does, for
//! `onair token verify` and for tests that run the same vectors through both.

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::binding::{intsig_matches, normalize_ip};
use super::config::is_manifest;
use super::{Claims, EdgeConfig, Keys};

/// What the edge sees of a viewer request.
#[derive(Debug, Clone, Default)]
pub struct ViewerRequest {
    /// Path, without the query string.
    pub uri: String,
    pub query: Vec<(String, String)>,
    pub ip: String,
    /// Lower-case header names.
    pub headers: BTreeMap<String, String>,
}

impl ViewerRequest {
    /// A request for a URL (`https://host/path?query` or just `/path?query`).
    pub fn for_url(url: &str, ip: &str, headers: BTreeMap<String, String>) -> Self {
        let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path_and_query = if url.contains("://") {
            without_scheme
                .find('/')
                .map_or("/", |i| &without_scheme[i..])
        } else {
            without_scheme
        };
        let (uri, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Self {
            uri: uri.to_string(),
            query: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
            ip: ip.to_string(),
            headers,
        }
    }
}

/// Why a request is refused. `code()` names each the way the function does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no token: this path needs one")]
    Missing,
    #[error("the token is not a well-formed JWT ({0})")]
    Malformed(String),
    #[error(
        "the token is signed with key id {0:?}, which the policy does not (or no longer) accept"
    )]
    UnknownKey(String),
    #[error("the signature does not match: the token was altered or signed with another key")]
    BadSignature,
    #[error("the token expired at {exp} (now {now})")]
    Expired { exp: u64, now: u64 },
    #[error("the token is not valid before {nbf} (now {now})")]
    NotYetValid { nbf: u64, now: u64 },
    #[error("the token lives longer than the policy's maxTtlSeconds")]
    TooLong,
    #[error("the session id in front of the token does not match the token's ssn claim")]
    SessionMismatch,
    #[error("the token does not open {0} (outside its paths claim)")]
    PathNotAllowed(String),
    #[error("{0} is outside the policy's path scopes")]
    OutsideScope(String),
    #[error("the policy binds tokens to {0}, but this token is not bound to it")]
    Unbound(String),
    #[error(
        "the request's bound values (IP or headers) differ from those the token was minted for"
    )]
    BindingMismatch,
    #[error("session {0} is revoked")]
    Revoked(String),
    #[error("the path {0} has dot segments, empty segments or encoded separators")]
    UnsafePath(String),
    #[error("an origin pass opens manifests only, not {0}")]
    OriginPassScope(String),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Missing => "missing",
            Refusal::Malformed(_) => "malformed",
            Refusal::UnknownKey(_) => "unknown-key",
            Refusal::BadSignature => "bad-signature",
            Refusal::Expired { .. } => "expired",
            Refusal::NotYetValid { .. } => "not-yet-valid",
            Refusal::TooLong => "too-long",
            Refusal::SessionMismatch => "session-mismatch",
            Refusal::PathNotAllowed(_) => "path",
            Refusal::OutsideScope(_) => "scope",
            Refusal::Unbound(_) => "unbound",
            Refusal::BindingMismatch => "binding",
            Refusal::Revoked(_) => "revoked",
            Refusal::UnsafePath(_) => "unsafe-path",
            Refusal::OriginPassScope(_) => "pass-scope",
        }
    }
}

/// An accepted request: the URI forwarded to the origin (token removed) and
/// the claims, when a token was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub uri: String,
    pub query: Vec<(String, String)>,
    pub claims: Option<Claims>,
}

/// `[session.]header.payload.signature`, each part base64url.
fn looks_like_token(segment: &str) -> bool {
    let parts: Vec<&str> = segment.split('.').collect();
    (parts.len() == 3 || parts.len() == 4)
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// What a request presents to the edge.
enum Credential {
    None,
    Token(String),
    /// An origin pass (MediaTailor reading the channel): key id and mac.
    OriginPass(String, String),
}

/// Takes the credential out of the request, as the function does before
/// forwarding. With the token in the path, a query-parameter token is taken
/// as well: behind MediaTailor the path token is lost, and players pass the
/// token as `manifest.<parameter>` so MediaTailor appends `<parameter>` to
/// every URL it writes. `manifest.<parameter>` stays in the query, since
/// MediaTailor needs it when a session starts.
fn extract(
    config: &EdgeConfig,
    request: &ViewerRequest,
) -> (Credential, String, Vec<(String, String)>) {
    let mut query = request.query.clone();
    let mut uri = request.uri.clone();
    let mut credential = Credential::None;
    let rest = request.uri.strip_prefix('/').unwrap_or(&request.uri);
    let (first, remainder) = rest.split_once('/').unwrap_or((rest, ""));
    if let Some((kid, mac)) = super::origin::parse(first) {
        credential = Credential::OriginPass(kid.to_string(), mac.to_string());
        uri = format!("/{remainder}");
    } else if config.location == "path" && looks_like_token(first) {
        credential = Credential::Token(first.to_string());
        uri = format!("/{remainder}");
    }
    // Every occurrence is removed (none reaches the origin) and an empty value
    // counts as none, as in the function.
    let mut from_query = None;
    query.retain(|(k, v)| {
        if k != &config.query_parameter {
            return true;
        }
        if from_query.is_none() && !v.is_empty() {
            from_query = Some(v.clone());
        }
        false
    });
    let session_start = format!("manifest.{}", config.query_parameter);
    let from_query = from_query.or_else(|| {
        query
            .iter()
            .find(|(k, v)| *k == session_start && !v.is_empty())
            .map(|(_, v)| v.clone())
    });
    if let (Credential::None, Some(token)) = (&credential, from_query) {
        credential = Credential::Token(token);
    }
    (credential, uri, query)
}

/// No `.` or `..` segments, no empty segments, no encoded dots, slashes or
/// backslashes: paths that a later normalisation could move out of a prefix.
pub fn safe_path(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    let encoded = ["%2e", "%2f", "%5c"].iter().any(|e| lower.contains(e));
    let segments = uri
        .strip_prefix('/')
        .unwrap_or(uri)
        .split('/')
        .collect::<Vec<_>>();
    let last = segments.len().saturating_sub(1);
    let bad_segment = segments
        .iter()
        .enumerate()
        .any(|(i, s)| *s == "." || *s == ".." || (s.is_empty() && i != last));
    !encoded && !bad_segment && !uri.contains('\\')
}

/// Checks a request as the edge would at time `now` (seconds since the epoch).
/// `revoked_until` answers, for a session id, until when it is revoked.
pub fn check(
    config: &EdgeConfig,
    keys: &Keys,
    revoked_until: &dyn Fn(&str) -> Option<u64>,
    request: &ViewerRequest,
    now: u64,
) -> Result<Accepted, Refusal> {
    let (credential, uri, query) = extract(config, request);
    // Prefix checks are only sound on a normal path: `/a/../b` starts with `/a/`.
    if !safe_path(&uri) {
        return Err(Refusal::UnsafePath(uri));
    }
    let token = match credential {
        Credential::OriginPass(kid, mac) => {
            let key = keys.0.get(&kid).ok_or(Refusal::UnknownKey(kid))?;
            if !super::origin::matches(key, &mac) {
                return Err(Refusal::BadSignature);
            }
            if !is_manifest(&uri) {
                return Err(Refusal::OriginPassScope(uri));
            }
            return Ok(Accepted {
                uri,
                query,
                claims: None,
            });
        }
        _ if !config.protects(&uri) => {
            return Ok(Accepted {
                uri,
                query,
                claims: None,
            })
        }
        Credential::Token(token) => token,
        Credential::None => return Err(Refusal::Missing),
    };
    let parts: Vec<&str> = token.splitn(2, '.').collect();
    let (prefix, jwt) = if token.split('.').count() == 4 {
        (Some(parts[0]), parts[1])
    } else {
        (None, token.as_str())
    };
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| Refusal::Malformed(e.to_string()))?;
    if header.alg != Algorithm::HS256 {
        return Err(Refusal::Malformed("only HS256 tokens are accepted".into()));
    }
    let kid = header
        .kid
        .ok_or_else(|| Refusal::Malformed("the header has no kid".into()))?;
    let key = keys
        .0
        .get(&kid)
        .ok_or_else(|| Refusal::UnknownKey(kid.clone()))?;
    let mut validation = Validation::new(Algorithm::HS256);
    // Time is checked below against `now`, not the local clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Claims>(jwt, &DecodingKey::from_secret(key), &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Refusal::BadSignature,
            _ => Refusal::Malformed(e.to_string()),
        })?
        .claims;
    if claims.exp <= now {
        return Err(Refusal::Expired {
            exp: claims.exp,
            now,
        });
    }
    if let Some(nbf) = claims.nbf {
        if nbf > now + config.not_before_leeway_seconds {
            return Err(Refusal::NotYetValid { nbf, now });
        }
    }
    if claims.exp > now + config.max_ttl_seconds + config.not_before_leeway_seconds {
        return Err(Refusal::TooLong);
    }
    // A session-bound token must show its session in front, so a WAF rule can
    // see it; stripping the prefix must not evade revocation.
    if prefix != claims.ssn.as_deref() {
        return Err(Refusal::SessionMismatch);
    }
    if !config.path_scopes.is_empty()
        && !config
            .path_scopes
            .iter()
            .any(|p| uri.starts_with(p.as_str()))
    {
        return Err(Refusal::OutsideScope(uri));
    }
    if !claims.paths.is_empty() && !claims.paths.iter().any(|p| uri.starts_with(p.as_str())) {
        return Err(Refusal::PathNotAllowed(uri));
    }
    if config.require_ip && !claims.ip {
        return Err(Refusal::Unbound("the viewer IP".into()));
    }
    if let Some(missing) = config
        .require_headers
        .iter()
        .find(|h| !claims.headers.contains(h))
    {
        return Err(Refusal::Unbound(format!("the {missing} header")));
    }
    if claims.ip || !claims.headers.is_empty() {
        let ip = claims.ip.then(|| normalize_ip(&request.ip));
        let mut bound: Vec<&str> = ip.iter().map(String::as_str).collect();
        bound.extend(
            claims
                .headers
                .iter()
                .map(|h| request.headers.get(h).map(String::as_str).unwrap_or("")),
        );
        let signed = claims.intsig.as_deref().unwrap_or_default();
        if !intsig_matches(key, &bound, signed) {
            return Err(Refusal::BindingMismatch);
        }
    }
    if config.revocation_in_store {
        if let Some(session) = claims
            .ssn
            .as_deref()
            .filter(|s| revoked_until(s).is_some_and(|until| until > now))
        {
            return Err(Refusal::Revoked(session.to_string()));
        }
    }
    Ok(Accepted {
        uri,
        query,
        claims: Some(claims),
    })
}
