//! The edge token check (`onair::token::verify::check`), which the generated
//! CloudFront Function mirrors, against structured requests.
//!
//! Two halves per input. A round trip: a token minted by `onair::token::mint`
//! is requested through the URL `mint::url` writes, on a safe path it covers,
//! at a time inside its lifetime, with the binding it was minted for; it must
//! be accepted with exactly the claims minted, and refused for the reason the
//! rules give when one thing changes (another key under the same key id,
//! after `exp`, revoked, another IP or header value). Then an arbitrary
//! request (paths, queries, mangled tokens, origin passes valid, expired or
//! for another channel): whatever it is, the check must not panic, and
//! whatever it accepts must satisfy the policy's rules. The differential
//! target (`edge_differential`) holds the generated function to the same
//! verdicts.

#![no_main]

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use arbitrary::Arbitrary;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use onair::token::binding::normalize_ip;
use onair::token::config::NOT_BEFORE_LEEWAY_SECONDS;
use onair::token::mint::{self, MintError, MintRequest, MEDIATAILOR_PREFIX};
use onair::token::origin::MAX_PASS_SECONDS;
use onair::token::path::{kind, normalize, valid_scope, within, Kind};
use onair::token::verify::{check, Accepted, Refusal, ViewerRequest};
use onair::token::wire::{self, MAX_HEADERS};
use onair::token::{origin, plain_id, Claims, EdgeConfig, Keys};

/// Characters of generated path segments and key ids: every path built from
/// them is safe (no dots, no encoded separators).
const PLAIN: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-_";
/// Headers a policy may bind (lower-case, as the edge sees them).
const HEADERS: [&str; 3] = ["user-agent", "x-player-id", "referer"];
/// Query parameter names a policy may choose (`^[A-Za-z0-9_.-]{1,64}$`).
const PARAMETERS: [&str; 3] = ["token", "t", "auth.token"];
/// Channels an origin pass may name.
const CHANNELS: [&str; 3] = ["news", "sports", "a-1"];
/// Around 2027: `now` is the edge's clock, never near `u64::MAX`.
const EPOCH: u64 = 1_800_000_000;

/// A normal path: what the edge forwards, and the only form scopes and kinds
/// are judged on.
fn normal(path: &str) -> bool {
    normalize(path).as_deref() == Some(path)
}

fn in_scopes(path: &str, scopes: &[String]) -> bool {
    scopes.iter().any(|scope| within(path, scope))
}

#[derive(Arbitrary, Debug)]
struct Input {
    config: ConfigIn,
    key: Vec<u8>,
    mint: MintIn,
    probe: ProbeIn,
}

#[derive(Arbitrary, Debug)]
struct ConfigIn {
    query_location: bool,
    parameter: u8,
    protect: u8,
    require_ip: bool,
    headers_mask: u8,
    scopes: Vec<PathIn>,
    /// The endpoint directories an origin pass for each channel opens.
    origin_scopes: Vec<(u8, Vec<PathIn>)>,
    revocation_in_store: bool,
    max_ttl: u32,
}

/// A path prefix: `/out/v1/...`, `/v1/...` (MediaTailor's) or generated.
#[derive(Arbitrary, Debug, Clone)]
struct PathIn {
    root: u8,
    segments: Vec<Vec<u8>>,
    trailing_slash: bool,
}

#[derive(Arbitrary, Debug)]
enum SessionIn {
    None,
    Plain(Vec<u8>),
    Raw(String),
}

#[derive(Arbitrary, Debug, Clone)]
enum IpIn {
    V4([u8; 4]),
    V6([u16; 8]),
    /// The same address written out in full, upper-case.
    V6Long([u16; 8]),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct MintIn {
    kid: Vec<u8>,
    lifetime: u32,
    now: u32,
    paths: Vec<PathIn>,
    /// A scope that may not be one (`/a/../b`, `out/v1`, ...): mint refuses it.
    odd_path: Option<String>,
    /// Index into `paths` (or the scopes) the request's path starts with.
    pick: u8,
    tail: Vec<Vec<u8>>,
    file: u8,
    session: SessionIn,
    ip: Option<IpIn>,
    header_values: [String; 3],
    /// Headers the caller adds besides the policy's: any name, any case.
    extra_headers: Vec<(String, String)>,
    /// When the request is made, as an offset into the lifetime.
    at: u32,
    other_ip: IpIn,
    other_header: String,
    revoked_for: u32,
}

/// An arbitrary request, possibly carrying the minted token (or a damaged
/// copy) or an origin pass.
#[derive(Arbitrary, Debug)]
struct ProbeIn {
    credential: CredentialIn,
    path: String,
    query: Vec<(String, String)>,
    query_token: Option<CredentialIn>,
    ip: String,
    headers: Vec<(String, String)>,
    now: u32,
    revoked: bool,
}

#[derive(Arbitrary, Debug)]
enum CredentialIn {
    None,
    Minted,
    /// The minted token with one byte replaced.
    Damaged(u16, u8),
    /// The minted token with a session prefix put in front or swapped.
    Session(Vec<u8>),
    /// A pass for a channel, expiring at an offset from the request's time
    /// (expired, live, or beyond the longest a pass may live).
    OriginPass(u8, i32),
    /// A pass for the right key id with another key's mac.
    ForgedPass(u8),
    Raw(String),
}

fn plain(bytes: &[u8], max: usize) -> String {
    let s: String = bytes
        .iter()
        .take(max)
        .map(|b| PLAIN[usize::from(*b) % PLAIN.len()] as char)
        .collect();
    if s.is_empty() {
        "a".into()
    } else {
        s
    }
}

fn prefix(p: &PathIn) -> String {
    let mut out = match p.root % 3 {
        0 => "/out/v1".to_string(),
        1 => MEDIATAILOR_PREFIX.trim_end_matches('/').to_string(),
        _ => String::new(),
    };
    for segment in p.segments.iter().take(3) {
        out.push('/');
        out.push_str(&plain(segment, 12));
    }
    if p.trailing_slash || out.is_empty() {
        out.push('/');
    }
    out
}

fn ip(i: &IpIn) -> String {
    match i {
        IpIn::V4(o) => Ipv4Addr::from(*o).to_string(),
        IpIn::V6(s) => Ipv6Addr::from(*s).to_string(),
        IpIn::V6Long(s) => s
            .iter()
            .map(|g| format!("{g:04X}"))
            .collect::<Vec<_>>()
            .join(":"),
        IpIn::Raw(r) => r.clone(),
    }
}

fn config(c: &ConfigIn) -> EdgeConfig {
    EdgeConfig {
        location: if c.query_location { "query" } else { "path" }.into(),
        query_parameter: PARAMETERS[usize::from(c.parameter) % PARAMETERS.len()].into(),
        protect: ["all", "manifests", "segments"][usize::from(c.protect) % 3].into(),
        failure_status: 401,
        require_ip: c.require_ip,
        require_headers: HEADERS
            .iter()
            .enumerate()
            .filter(|(i, _)| c.headers_mask & (1 << i) != 0)
            .map(|(_, h)| h.to_string())
            .collect(),
        path_scopes: c.scopes.iter().take(3).map(prefix).collect(),
        origin_scopes: c
            .origin_scopes
            .iter()
            .take(3)
            .map(|(channel, dirs)| {
                (
                    CHANNELS[usize::from(*channel) % CHANNELS.len()].to_string(),
                    dirs.iter().take(2).map(prefix).collect(),
                )
            })
            .collect(),
        revocation_in_store: c.revocation_in_store,
        // The policy's range (30 s to 7 days).
        max_ttl_seconds: 30 + u64::from(c.max_ttl) % 604_771,
        not_before_leeway_seconds: NOT_BEFORE_LEEWAY_SECONDS,
    }
}

/// The claims in a JWT's payload, decoded without the library under test.
fn payload(token: &str) -> Claims {
    let jwt = token.split('.').rev().take(3).collect::<Vec<_>>();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwt[1])
        .expect("a minted token's payload is base64url");
    serde_json::from_slice(&bytes).expect("a minted token's payload is the claims")
}

fn headers(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect()
}

/// Checks `request` at `now` with `keys`; `revoked` sessions stay revoked
/// until `until`.
fn run(
    config: &EdgeConfig,
    keys: &Keys,
    revoked: Option<(&str, u64)>,
    request: &ViewerRequest,
    now: u64,
) -> Result<Accepted, Refusal> {
    let lookup = |s: &str| revoked.filter(|(r, _)| *r == s).map(|(_, until)| until);
    check(config, keys, &lookup, request, now)
}

fuzz_target!(|input: Input| {
    let config = config(&input.config);
    let key = if input.key.is_empty() {
        vec![0x5a]
    } else {
        input.key.iter().copied().take(80).collect()
    };
    let kid = plain(&input.mint.kid, 64);
    let keys = Keys(BTreeMap::from([(kid.clone(), key.clone())]));
    let minted = round_trip(&config, &kid, &key, &keys, &input.mint);
    probe(&config, &kid, &key, &keys, minted.as_deref(), &input.probe);
});

/// Mints a token and checks the round trip; returns the token if one was minted.
fn round_trip(
    config: &EdgeConfig,
    kid: &str,
    key: &[u8],
    keys: &Keys,
    m: &MintIn,
) -> Option<String> {
    let session = match &m.session {
        SessionIn::None => None,
        SessionIn::Plain(b) => Some(plain(b, 64)),
        SessionIn::Raw(s) => Some(s.clone()),
    };
    let viewer_ip = m.ip.as_ref().map(ip);
    let mut bound: Vec<(String, String)> = HEADERS
        .iter()
        .zip(&m.header_values)
        .filter(|(h, _)| config.require_headers.iter().any(|r| r == *h))
        .map(|(h, v)| (h.to_string(), v.clone()))
        .collect();
    bound.extend(m.extra_headers.iter().take(2).cloned());
    let mut paths: Vec<String> = m.paths.iter().take(3).map(prefix).collect();
    paths.extend(m.odd_path.iter().cloned());
    let lifetime = u64::from(m.lifetime) % (config.max_ttl_seconds + 60);
    let now = EPOCH + u64::from(m.now);
    let request = MintRequest {
        key_id: kid.to_string(),
        lifetime_seconds: lifetime,
        now,
        paths: paths.clone(),
        session: session.clone(),
        ip: viewer_ip.clone(),
        headers: bound.clone(),
    };
    let mut names: Vec<String> = bound.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    names.sort();
    let twice = names
        .windows(2)
        .find(|pair| pair[0] == pair[1])
        .map(|pair| pair[0].clone());
    let token = match mint::mint(config, key, &request) {
        Ok(token) => token,
        Err(e) => {
            // Mint refuses only what the edge would never accept.
            let expected = if lifetime > config.max_ttl_seconds {
                MintError::TooLong {
                    asked: lifetime,
                    max: config.max_ttl_seconds,
                }
            } else if config.require_ip && viewer_ip.is_none() {
                MintError::IpRequired
            } else if let Some(bad) = bound
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .find(|n| !wire::plain_header_name(n))
            {
                // The edge reads only such names (found by this target).
                MintError::BadHeaderName(bad)
            } else if let Some(name) = twice {
                // A request carries one value per name: such a token could
                // never be accepted (found by this target).
                MintError::DuplicateHeader(name)
            } else if session.as_deref().is_some_and(|s| !plain_id(s)) {
                MintError::BadSession
            } else if let Some(bad) = paths.iter().find(|p| !valid_scope(p)) {
                MintError::BadScope(bad.clone())
            } else {
                panic!("mint refused a request it should accept: {e}");
            };
            assert_eq!(e, expected);
            return None;
        }
    };
    assert!(lifetime <= config.max_ttl_seconds);
    assert!(session.as_deref().is_none_or(plain_id));
    assert!(paths.iter().all(|p| valid_scope(p)));
    assert_eq!(twice, None);
    // What mint writes, the edge reads (`wire::claims`): mint refuses a
    // header name the edge would not read (found by this target).
    assert!(
        names.len() <= MAX_HEADERS && names.iter().all(|n| wire::plain_header_name(n)),
        "mint bound headers {names:?}, which the edge refuses to read"
    );
    let claims = payload(&token);
    assert_eq!(
        claims,
        Claims {
            exp: now + lifetime,
            nbf: Some(now),
            iat: Some(now),
            paths: paths.clone(),
            ssn: session.clone(),
            ip: viewer_ip.is_some(),
            headers: names,
            intsig: claims.intsig.clone(),
        },
        "the token says what was asked"
    );
    assert_eq!(
        claims.intsig.is_some(),
        viewer_ip.is_some() || !bound.is_empty()
    );

    // A path the token covers: under one of its paths (or a scope, or
    // anywhere), inside the policy's scopes (on segment boundaries).
    let candidates: Vec<&String> = if paths.is_empty() {
        config.path_scopes.iter().collect()
    } else {
        paths.iter().collect()
    };
    let base = candidates
        .get(usize::from(m.pick) % candidates.len().max(1))
        .map_or("/out/v1/", |s| s.as_str());
    let mut path = base.trim_end_matches('/').to_string();
    for segment in m.tail.iter().take(2) {
        path.push('/');
        path.push_str(&plain(segment, 12));
    }
    path.push_str(
        ["/index.m3u8", "/index.mpd", "/seg_1.ts", "/seg_1.mp4"][usize::from(m.file) % 4],
    );
    let covered = (config.path_scopes.is_empty() || in_scopes(&path, &config.path_scopes))
        && (paths.is_empty() || in_scopes(&path, &paths));
    assert!(normal(&path), "generated paths are normal: {path}");

    let url = mint::url(config, "cdn.example", &path, &token);
    let viewer_headers: BTreeMap<String, String> = bound
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    let request = ViewerRequest::for_url(
        &url,
        viewer_ip.as_deref().unwrap_or("192.0.2.1"),
        viewer_headers.clone(),
    );
    let protected = config.protects(&path);
    let at = if lifetime == 0 {
        now
    } else {
        now + u64::from(m.at) % lifetime
    };
    let result = run(config, keys, None, &request, at);

    if lifetime == 0 {
        // exp == nbf == now: expired on arrival wherever a token is checked.
        if protected {
            assert!(matches!(result, Err(Refusal::Expired { .. })), "{result:?}");
        }
        return Some(token);
    }
    if !protected {
        // The token is taken out and the path passes unchecked.
        let accepted = result.expect("unprotected paths pass");
        assert_eq!(accepted.uri, path);
        assert_eq!(accepted.claims, None);
        return Some(token);
    }
    if !covered {
        assert!(
            result.is_err(),
            "{result:?} for {path} {paths:?} {:?}",
            config.path_scopes
        );
        return Some(token);
    }
    let accepted = result
        .unwrap_or_else(|r| panic!("a fresh token on a path it covers was refused: {r} ({url})"));
    assert_eq!(accepted.uri, path, "the token is removed before the origin");
    assert!(accepted
        .query
        .iter()
        .all(|(k, _)| k != &config.query_parameter));
    assert_eq!(accepted.claims.as_ref(), Some(&claims), "the claims minted");

    // Another key under the same key id: the signature no longer matches.
    let mut other = key.to_vec();
    other[0] ^= 1;
    let forged = Keys(BTreeMap::from([(kid.to_string(), other)]));
    assert_eq!(
        run(config, &forged, None, &request, at),
        Err(Refusal::BadSignature)
    );
    // From `exp` on, the token is expired.
    let exp = now + lifetime;
    assert_eq!(
        run(config, keys, None, &request, exp + u64::from(m.at % 1000)),
        Err(Refusal::Expired {
            exp,
            now: exp + u64::from(m.at % 1000)
        })
    );
    // A revoked session is refused while its revocation lasts, where the
    // edge looks revocations up (else WAF refuses it, before the function).
    if let Some(ssn) = &session {
        let until = at + 1 + u64::from(m.revoked_for);
        let revoked = run(config, keys, Some((ssn, until)), &request, at);
        if config.revocation_in_store {
            assert_eq!(revoked, Err(Refusal::Revoked(ssn.clone())));
        } else {
            assert_eq!(revoked.as_ref().ok(), Some(&accepted));
        }
        // An expired revocation no longer refuses.
        assert_eq!(
            run(config, keys, Some((ssn, at)), &request, at).as_ref(),
            Ok(&accepted)
        );
    }
    // Another IP, or another value of a bound header: the binding fails.
    if let Some(minted_ip) = &viewer_ip {
        let moved = ip(&m.other_ip);
        let mut elsewhere = request.clone();
        elsewhere.ip.clone_from(&moved);
        let result = run(config, keys, None, &elsewhere, at);
        if normalize_ip(&moved) == normalize_ip(minted_ip) {
            assert_eq!(result.as_ref(), Ok(&accepted));
        } else {
            assert_eq!(result, Err(Refusal::BindingMismatch));
        }
    }
    if let Some(name) = claims.headers.first() {
        let mut changed = request.clone();
        let same = changed.headers.get(name) == Some(&m.other_header);
        changed.headers.insert(name.clone(), m.other_header.clone());
        let result = run(config, keys, None, &changed, at);
        if same {
            assert_eq!(result.as_ref(), Ok(&accepted));
        } else {
            assert_eq!(result, Err(Refusal::BindingMismatch));
        }
    }
    Some(token)
}

/// An arbitrary request: no panic, and nothing accepted breaks the rules.
fn probe(
    config: &EdgeConfig,
    kid: &str,
    key: &[u8],
    keys: &Keys,
    minted: Option<&str>,
    p: &ProbeIn,
) {
    let now = EPOCH + u64::from(p.now);
    let credential = |c: &CredentialIn| -> Option<String> {
        match c {
            CredentialIn::None => None,
            CredentialIn::Minted => minted.map(str::to_string),
            CredentialIn::Damaged(at, byte) => minted.map(|t| {
                let mut bytes = t.as_bytes().to_vec();
                let i = usize::from(*at) % bytes.len();
                bytes[i] = *byte;
                String::from_utf8_lossy(&bytes).into_owned()
            }),
            CredentialIn::Session(s) => minted.map(|t| {
                let jwt = t.rsplitn(4, '.').collect::<Vec<_>>();
                format!("{}.{}.{}.{}", plain(s, 64), jwt[2], jwt[1], jwt[0])
            }),
            CredentialIn::OriginPass(channel, offset) => {
                let channel = CHANNELS[usize::from(*channel) % CHANNELS.len()];
                let exp = now.saturating_add_signed(i64::from(*offset));
                Some(origin::pass(kid, key, channel, exp))
            }
            CredentialIn::ForgedPass(b) => {
                let mut other = key.to_vec();
                other[0] ^= b | 1;
                Some(origin::pass(kid, &other, CHANNELS[0], now + 600))
            }
            CredentialIn::Raw(r) => Some(r.clone()),
        }
    };
    let path_credential = credential(&p.credential);
    let uri = match &path_credential {
        Some(c) => format!("/{c}/{}", p.path.trim_start_matches('/')),
        None => p.path.clone(),
    };
    let mut query = p.query.iter().take(4).cloned().collect::<Vec<_>>();
    if let Some(token) = p.query_token.as_ref().and_then(credential) {
        query.push((config.query_parameter.clone(), token));
    }
    let request = ViewerRequest {
        uri,
        query,
        ip: p.ip.clone(),
        headers: headers(&p.headers),
    };
    let signed = minted.map(payload);
    let revoked_session = signed.as_ref().and_then(|c| c.ssn.clone());
    let revoked = p
        .revoked
        .then_some(revoked_session.as_deref())
        .flatten()
        .map(|s| (s, u64::MAX));
    let Ok(accepted) = run(config, keys, revoked, &request, now) else {
        return;
    };
    // What reaches the origin is the normal form that was judged; the
    // credential is gone.
    assert!(normal(&accepted.uri), "{accepted:?}");
    assert!(accepted
        .query
        .iter()
        .all(|(k, _)| k != &config.query_parameter));
    match &accepted.claims {
        Some(claims) => {
            // Only the minted token is signed with the key: nothing else
            // (damaged copies, raw strings) can be accepted as a token.
            assert_eq!(Some(claims), signed.as_ref(), "accepted an unsigned token");
            assert!(claims.exp > now);
            assert!(config.protects(&accepted.uri));
            assert!(config.path_scopes.is_empty() || in_scopes(&accepted.uri, &config.path_scopes));
            assert!(claims.paths.is_empty() || in_scopes(&accepted.uri, &claims.paths));
            assert!(!config.require_ip || claims.ip);
            assert!(config
                .require_headers
                .iter()
                .all(|h| claims.headers.contains(h)));
            assert!(!(config.revocation_in_store && revoked.is_some()));
        }
        None => {
            // Only MediaTailor's origin pass opens a protected path without a
            // token: a live one, for manifests under its channel's endpoint
            // directories (and the policy's scopes). A pass is checked
            // wherever it is shown, protected path or not.
            let first = request
                .uri
                .strip_prefix('/')
                .unwrap_or(&request.uri)
                .split('/')
                .next()
                .unwrap_or_default();
            let Some((pass, mac)) = origin::parse(first) else {
                assert!(
                    !config.protects(&accepted.uri),
                    "no token, no pass, but accepted: {accepted:?}"
                );
                return;
            };
            assert_eq!(pass.kid, kid);
            assert!(origin::matches(key, &pass, mac));
            assert!(pass.exp > now, "an expired pass was accepted");
            assert!(pass.exp <= now + MAX_PASS_SECONDS + config.not_before_leeway_seconds);
            assert_eq!(kind(&accepted.uri), Kind::Manifest);
            let dirs = config
                .origin_scopes
                .get(&pass.channel)
                .expect("a pass for a channel without endpoint directories was accepted");
            assert!(in_scopes(&accepted.uri, dirs), "{accepted:?} {dirs:?}");
            assert!(config.path_scopes.is_empty() || in_scopes(&accepted.uri, &config.path_scopes));
        }
    }
}
