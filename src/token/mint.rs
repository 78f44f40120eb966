//! Minting tokens and the URLs that carry them.

use jsonwebtoken::{Algorithm, EncodingKey, Header};

use super::binding::{intsig, normalize_ip};
use super::path::{valid_scope, within_any};
use super::{plain_id, Claims, EdgeConfig};

/// Everything a token says.
#[derive(Debug, Clone, Default)]
pub struct MintRequest {
    pub key_id: String,
    pub lifetime_seconds: u64,
    pub now: u64,
    /// Path prefixes the token opens (empty: all the policy protects).
    pub paths: Vec<String>,
    pub session: Option<String>,
    /// The viewer IP, when the policy binds tokens to it.
    pub ip: Option<String>,
    /// (lower-case name, value) of each bound header, e.g. `user-agent`.
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MintError {
    #[error("the policy allows tokens of at most {max} seconds; ask for a shorter lifetime than {asked}")]
    TooLong { asked: u64, max: u64 },
    #[error("the policy binds tokens to the viewer IP: pass the viewer's address (--ip)")]
    IpRequired,
    #[error("the policy binds tokens to the {0} header: pass its value")]
    HeaderRequired(String),
    #[error("session ids may use letters, digits, '-' and '_' (1 to 64 characters)")]
    BadSession,
    #[error("header name {0:?} cannot be bound: use lower-case letters, digits and '-' (1 to 64), as CloudFront names headers")]
    BadHeaderName(String),
    #[error("a token binds at most {max} headers; {given} were given", max = super::wire::MAX_HEADERS)]
    TooManyHeaders { given: usize },
    #[error("the {0} header is given twice: a token binds one value per header")]
    DuplicateHeader(String),
    #[error("scope {0:?} is not a path scope: `/` then segments of letters, digits, '-', '_', '.' and '~' that do not start with '.', such as /out/v1/abc/")]
    BadScope(String),
    #[error("a token opens at most {max} scopes; {given} were given", max = super::wire::MAX_PATHS)]
    TooManyScopes { given: usize },
    #[error("{path} is outside every --scope given ({scopes}); scopes match whole segments, so /live/a does not open /live/ab")]
    PathOutsideScopes { path: String, scopes: String },
    #[error("key id {0:?} is not among the signing keys")]
    UnknownKey(String),
    #[error("cannot sign the token: {0}")]
    Signing(String),
}

/// Mints a token under `config` with the signing key `key`.
pub fn mint(config: &EdgeConfig, key: &[u8], request: &MintRequest) -> Result<String, MintError> {
    if request.lifetime_seconds > config.max_ttl_seconds {
        return Err(MintError::TooLong {
            asked: request.lifetime_seconds,
            max: config.max_ttl_seconds,
        });
    }
    if config.require_ip && request.ip.is_none() {
        return Err(MintError::IpRequired);
    }
    // The edge looks headers up by lower-case name.
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
        .collect();
    for name in &config.require_headers {
        if !headers.iter().any(|(n, _)| n == name) {
            return Err(MintError::HeaderRequired(name.clone()));
        }
    }
    if let Some((bad, _)) = headers
        .iter()
        .find(|(n, _)| !super::wire::plain_header_name(n))
    {
        return Err(MintError::BadHeaderName(bad.clone()));
    }
    if headers.len() > super::wire::MAX_HEADERS {
        return Err(MintError::TooManyHeaders {
            given: headers.len(),
        });
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    // A request carries one value per header name, so a token bound to two
    // values of one name (`--user-agent` and `--header user-agent=...`, or a
    // name repeated in another case) could never be accepted.
    if let Some(pair) = headers.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(MintError::DuplicateHeader(pair[0].0.clone()));
    }
    if let Some(session) = &request.session {
        if !plain_id(session) {
            return Err(MintError::BadSession);
        }
    }
    if let Some(bad) = request.paths.iter().find(|p| !valid_scope(p)) {
        return Err(MintError::BadScope(bad.clone()));
    }
    if request.paths.len() > super::wire::MAX_PATHS {
        return Err(MintError::TooManyScopes {
            given: request.paths.len(),
        });
    }
    let ip = request.ip.as_deref().map(normalize_ip);
    let mut bound: Vec<&str> = ip.iter().map(String::as_str).collect();
    bound.extend(headers.iter().map(|(_, v)| v.as_str()));
    let claims = Claims {
        exp: request.now + request.lifetime_seconds,
        nbf: Some(request.now),
        iat: Some(request.now),
        paths: request.paths.clone(),
        ssn: request.session.clone(),
        ip: ip.is_some(),
        headers: headers.iter().map(|(n, _)| n.clone()).collect(),
        intsig: (!bound.is_empty()).then(|| intsig(key, &bound)),
    };
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(request.key_id.clone());
    let jwt = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(key))
        .map_err(|e| MintError::Signing(e.to_string()))?;
    Ok(match &request.session {
        Some(session) => format!("{session}.{jwt}"),
        None => jwt,
    })
}

/// `path` (what a minted URL plays) must lie under one of `scopes`, or the
/// token would be refused at its first request.
pub fn check_path_in_scopes(path: &str, scopes: &[String]) -> Result<(), MintError> {
    if let Some(bad) = scopes.iter().find(|s| !valid_scope(s)) {
        return Err(MintError::BadScope(bad.clone()));
    }
    if within_any(path, scopes) {
        Ok(())
    } else {
        Err(MintError::PathOutsideScopes {
            path: path.to_string(),
            scopes: scopes.join(", "),
        })
    }
}

/// The playback URL for `path` on `host` carrying `token` where the policy
/// says it travels. MediaTailor's paths (`/v1/...`, ad-supported playback)
/// take it as `manifest.<parameter>`: MediaTailor then appends it to every
/// playlist and segment URL it writes, where a path token would be lost.
pub fn url(config: &EdgeConfig, host: &str, path: &str, token: &str) -> String {
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let separator = if path.contains('?') { '&' } else { '?' };
    if path.starts_with(MEDIATAILOR_PREFIX) {
        format!(
            "https://{host}{path}{separator}manifest.{}={token}",
            config.query_parameter
        )
    } else if config.location == "query" {
        format!(
            "https://{host}{path}{separator}{}={token}",
            config.query_parameter
        )
    } else {
        format!("https://{host}/{token}{path}")
    }
}

/// Where MediaTailor's playback paths start (behind the channel's distribution).
pub const MEDIATAILOR_PREFIX: &str = "/v1/";

#[cfg(test)]
mod tests {
    use super::*;

    /// Path tokens, every path, one minute; binding `headers`.
    fn config(headers: &[&str]) -> EdgeConfig {
        EdgeConfig {
            location: "path".into(),
            query_parameter: "token".into(),
            protect: "all".into(),
            failure_status: 401,
            require_ip: false,
            require_headers: headers.iter().map(|h| h.to_string()).collect(),
            path_scopes: Vec::new(),
            origin_scopes: Default::default(),
            revocation_in_store: false,
            max_ttl_seconds: 60,
            not_before_leeway_seconds: 60,
        }
    }

    #[test]
    fn a_header_bound_twice_is_refused() {
        let config = config(&["user-agent"]);
        let request = MintRequest {
            key_id: "k1".into(),
            lifetime_seconds: 60,
            now: 1_800_000_000,
            headers: vec![
                ("user-agent".into(), "Player/1.0".into()),
                ("User-Agent".into(), "Player/2.0".into()),
            ],
            ..Default::default()
        };
        assert_eq!(
            mint(&config, &[1; 32], &request),
            Err(MintError::DuplicateHeader("user-agent".into()))
        );
    }

    #[test]
    fn only_header_names_the_edge_reads_are_bound() {
        let config = config(&[]);
        let request = |name: &str| MintRequest {
            key_id: "k1".into(),
            lifetime_seconds: 60,
            now: 1_800_000_000,
            headers: vec![(name.into(), "v".into())],
            ..Default::default()
        };
        assert_eq!(
            mint(&config, &[1; 32], &request("x_id")),
            Err(MintError::BadHeaderName("x_id".into()))
        );
        assert!(mint(&config, &[1; 32], &request("X-Device-Id")).is_ok());
    }

    #[test]
    fn scopes_are_checked_on_segment_boundaries() {
        let scopes = vec!["/live/a".to_string()];
        assert!(check_path_in_scopes("/live/a/index.m3u8", &scopes).is_ok());
        assert!(matches!(
            check_path_in_scopes("/live/ab/index.m3u8", &scopes),
            Err(MintError::PathOutsideScopes { .. })
        ));
        assert_eq!(
            check_path_in_scopes("/x/y.m3u8", &["/x/../".to_string()]),
            Err(MintError::BadScope("/x/../".into()))
        );
    }

    #[test]
    fn urls_carry_the_token_where_it_survives() {
        let mut config = config(&[]);
        assert_eq!(
            url(&config, "cdn", "/out/v1/a/index.m3u8", "T"),
            "https://cdn/T/out/v1/a/index.m3u8"
        );
        assert_eq!(
            url(&config, "cdn", "/v1/master/a/ads/index.m3u8", "T"),
            "https://cdn/v1/master/a/ads/index.m3u8?manifest.token=T"
        );
        config.location = "query".into();
        assert_eq!(
            url(&config, "cdn", "out/v1/a/index.m3u8", "T"),
            "https://cdn/out/v1/a/index.m3u8?token=T"
        );
    }
}
