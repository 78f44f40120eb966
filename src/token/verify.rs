//! The edge check, in Rust: what the generated CloudFront Function does, for
//! `onair token verify` and for tests that run the same vectors through both.

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, DecodingKey};

use super::binding::{intsig_matches, normalize_ip};
use super::origin::{self, Pass, MAX_PASS_SECONDS};
use super::path::{kind, normalize, within_any, Kind};
use super::wire::{self, looks_like_token};
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
    /// The query stays as it was written, undecoded, as CloudFront hands it
    /// to a function.
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
            query: query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (k.to_string(), v.to_string())
                })
                .collect(),
            ip: ip.to_string(),
            headers,
        }
    }

    /// The request as CloudFront hands it to a viewer-request function: the
    /// query undecoded, one field per name with the first value in `value`
    /// and every value in `multiValue` when a name repeats; headers likewise.
    pub fn cloudfront_request(&self) -> serde_json::Value {
        let mut querystring = serde_json::Map::new();
        for (name, _) in &self.query {
            if querystring.contains_key(name) {
                continue;
            }
            let values: Vec<&String> = self
                .query
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v)
                .collect();
            let mut field = serde_json::json!({"value": values[0]});
            if values.len() > 1 {
                field["multiValue"] = values
                    .iter()
                    .map(|v| serde_json::json!({"value": v}))
                    .collect();
            }
            querystring.insert(name.clone(), field);
        }
        let headers: serde_json::Map<String, serde_json::Value> = self
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), serde_json::json!({"value": value})))
            .collect();
        serde_json::json!({
            "method": "GET",
            "uri": self.uri,
            "querystring": querystring,
            "headers": headers,
        })
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
    #[error("the path {0} cannot be judged: it has dot or empty segments, a `;`, a character outside letters, digits and -._~!$&'()*+,=:@, or an escape of anything but those")]
    UnsafePath(String),
    #[error("an origin pass opens its channel's manifests only, not {0}")]
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

/// A request taken apart: what it presents, the URI without it and the query
/// without the token parameter.
struct Extracted {
    credential: Credential,
    uri: String,
    query: Vec<(String, String)>,
}

/// What a request presents to the edge.
enum Credential {
    None,
    Token(String),
    /// An origin pass (MediaTailor reading the channel) and its mac.
    OriginPass(Pass, String),
}

/// Takes the credential out of the request, as the function does before
/// forwarding. With the token in the path, a query-parameter token is taken
/// as well: behind MediaTailor the path token is lost, and players pass the
/// token as `manifest.<parameter>` so MediaTailor appends `<parameter>` to
/// every URL it writes. `manifest.<parameter>` stays in the query, since
/// MediaTailor needs it when a session starts. Either parameter given twice
/// is refused: which one counts would be a guess.
fn extract(config: &EdgeConfig, request: &ViewerRequest) -> Result<Extracted, Refusal> {
    let mut query = request.query.clone();
    let mut uri = request.uri.clone();
    let mut credential = Credential::None;
    let rest = request.uri.strip_prefix('/').unwrap_or(&request.uri);
    let (first, remainder) = rest.split_once('/').unwrap_or((rest, ""));
    if let Some((pass, mac)) = origin::parse(first) {
        credential = Credential::OriginPass(pass, mac.to_string());
        uri = format!("/{remainder}");
    } else if config.location == "path" && looks_like_token(first) {
        credential = Credential::Token(first.to_string());
        uri = format!("/{remainder}");
    }
    let session_start = format!("manifest.{}", config.query_parameter);
    for name in [&config.query_parameter, &session_start] {
        if query.iter().filter(|(k, _)| k == name).count() > 1 {
            return Err(Refusal::Malformed(format!(
                "the query gives {name} more than once"
            )));
        }
    }
    // No token parameter reaches the origin; an empty value counts as none.
    let position = query.iter().position(|(k, _)| *k == config.query_parameter);
    let from_query = position
        .map(|i| query.remove(i).1)
        .filter(|v| !v.is_empty())
        .or_else(|| {
            query
                .iter()
                .find(|(k, v)| *k == session_start && !v.is_empty())
                .map(|(_, v)| v.clone())
        });
    if let (Credential::None, Some(token)) = (&credential, from_query) {
        credential = Credential::Token(token);
    }
    Ok(Extracted {
        credential,
        uri,
        query,
    })
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
    if !request.uri.starts_with('/') {
        return Err(Refusal::UnsafePath(request.uri.clone()));
    }
    let Extracted {
        credential,
        uri: raw,
        query,
    } = extract(config, request)?;
    // Scopes and kinds are judged on one normal form, which is also what the
    // origin gets.
    let uri = normalize(&raw).ok_or(Refusal::UnsafePath(raw))?;
    let leeway = config.not_before_leeway_seconds;
    let outside_policy =
        |uri: &str| !config.path_scopes.is_empty() && !within_any(uri, &config.path_scopes);
    let token = match credential {
        Credential::OriginPass(pass, mac) => {
            let key = keys
                .0
                .get(&pass.kid)
                .ok_or_else(|| Refusal::UnknownKey(pass.kid.clone()))?;
            if !origin::matches(key, &pass, &mac) {
                return Err(Refusal::BadSignature);
            }
            if pass.exp <= now {
                return Err(Refusal::Expired { exp: pass.exp, now });
            }
            if pass.exp > now + MAX_PASS_SECONDS + leeway {
                return Err(Refusal::TooLong);
            }
            if outside_policy(&uri) {
                return Err(Refusal::OutsideScope(uri));
            }
            let opens = config
                .origin_scopes
                .get(&pass.channel)
                .is_some_and(|dirs| within_any(&uri, dirs));
            if kind(&uri) != Kind::Manifest || !opens {
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
    let parts = wire::split(&token).map_err(Refusal::Malformed)?;
    let kid = wire::header_kid(parts.header).map_err(Refusal::Malformed)?;
    let key = keys
        .0
        .get(&kid)
        .ok_or_else(|| Refusal::UnknownKey(kid.clone()))?;
    let signed = jsonwebtoken::crypto::verify(
        parts.signature,
        parts.signed.as_bytes(),
        &DecodingKey::from_secret(key),
        Algorithm::HS256,
    )
    .unwrap_or(false);
    if !signed {
        return Err(Refusal::BadSignature);
    }
    let claims = wire::claims(parts.payload).map_err(Refusal::Malformed)?;
    if claims.exp <= now {
        return Err(Refusal::Expired {
            exp: claims.exp,
            now,
        });
    }
    if let Some(nbf) = claims.nbf {
        if nbf > now + leeway {
            return Err(Refusal::NotYetValid { nbf, now });
        }
    }
    if claims.exp > now + config.max_ttl_seconds + leeway {
        return Err(Refusal::TooLong);
    }
    // A session-bound token must show its session in front, so a WAF rule can
    // see it; stripping the prefix must not evade revocation.
    if parts.session != claims.ssn.as_deref() {
        return Err(Refusal::SessionMismatch);
    }
    if outside_policy(&uri) {
        return Err(Refusal::OutsideScope(uri));
    }
    if !claims.paths.is_empty() && !within_any(&uri, &claims.paths) {
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
