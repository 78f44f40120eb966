//! Playback tokens: the same vectors through the Rust verifier and through the
//! generated CloudFront Function under node (with a shim offering only the
//! CloudFront runtime), plus a token minted by an independent JWT library.

mod support;

use std::collections::BTreeMap;

use base64::Engine as _;
use onair::api::TokenPolicySpec;
use onair::token::{self, EdgeConfig, Keys, MintRequest, ViewerRequest};
use serde_json::{json, Value};

const NOW: u64 = 1_800_000_000;
const VIEWER_IP: &str = "203.0.113.7";
const PLAYER: &str = "Player/1.0";
const STORE_ID: &str = "a1b2c3d4-0000-4000-8000-00000000kvs1";

fn key(byte: u8) -> Vec<u8> {
    vec![byte; 32]
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn policy(spec: Value) -> EdgeConfig {
    let mut full = json!({"channelRefs": [{"name": "news"}], "signingKeys": {"secretRef": {"name": "keys"}, "activeKeyId": "k1"}});
    json_patch::merge(&mut full, &spec);
    let spec: TokenPolicySpec = serde_json::from_value(full).unwrap();
    EdgeConfig::from_policy(&spec, &[])
}

/// Path tokens bound to IP and User-Agent, scoped, revocation in the store.
fn bound_config() -> EdgeConfig {
    policy(json!({
        "token": {"maxTtlSeconds": 3600, "bind": {"clientIp": true, "userAgent": true}, "pathScopes": ["/out/v1/", "/v1/"]},
        "revocation": {"enabled": true}
    }))
}

/// Query tokens, manifests only, no bindings.
fn query_config() -> EdgeConfig {
    policy(json!({"token": {"location": "QueryParameter"}, "protect": "Manifests"}))
}

fn bound_mint(key_id: &str, key: &[u8], change: impl FnOnce(&mut MintRequest)) -> String {
    let mut request = MintRequest {
        key_id: key_id.into(),
        lifetime_seconds: 600,
        now: NOW,
        paths: vec!["/out/v1/".into()],
        session: None,
        ip: Some(VIEWER_IP.into()),
        headers: vec![("user-agent".into(), PLAYER.into())],
    };
    change(&mut request);
    let mut config = bound_config();
    config.max_ttl_seconds = u64::MAX / 4; // so tests can mint over-long tokens
    config.require_ip = request.ip.is_some();
    config
        .require_headers
        .retain(|h| request.headers.iter().any(|(n, _)| n == h));
    token::mint(&config, key, &request).unwrap()
}

struct Case {
    name: &'static str,
    config: &'static str,
    store: &'static str,
    now: u64,
    ip: &'static str,
    uri: String,
    query: Vec<(&'static str, String)>,
    user_agent: &'static str,
    expect: &'static str,
    forwarded: Option<&'static str>,
}

fn case(name: &'static str, token: &str, expect: &'static str) -> Case {
    Case {
        name,
        config: "bound",
        store: "both",
        now: NOW,
        ip: VIEWER_IP,
        uri: format!("/{token}/out/v1/abc/index.m3u8"),
        query: Vec::new(),
        user_agent: PLAYER,
        expect,
        forwarded: (expect == "pass").then_some("/out/v1/abc/index.m3u8"),
    }
}

/// A JWT from an independent implementation (PyJWT), with the binding HMAC
/// computed from the documented scheme.
fn pyjwt_token() -> String {
    let script = r#"
import base64, hashlib, hmac, jwt, sys
key = bytes([1] * 32)
values = [sys.argv[1], sys.argv[2]]
bound = "onair-bind-v1\n" + "".join(f"{len(v.encode())}:{v}" for v in values)
intsig = base64.urlsafe_b64encode(hmac.new(key, bound.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
now = int(sys.argv[3])
claims = {"exp": now + 300, "nbf": now, "paths": ["/out/v1/"], "ip": True, "headers": ["user-agent"], "intsig": intsig}
print(jwt.encode(claims, key, algorithm="HS256", headers={"kid": "k1"}))
"#;
    let out = std::process::Command::new(support::python())
        .args(["-c", script, VIEWER_IP, PLAYER, &NOW.to_string()])
        .output()
        .expect("python with PyJWT (bash .ci/setup)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn cases() -> Vec<Case> {
    let (k1, k2) = (key(1), key(2));
    let valid = bound_mint("k1", &k1, |_| {});
    let leaked = bound_mint("k1", &k1, |r| r.session = Some("leaked".into()));
    let valid_everywhere = bound_mint("k1", &k1, |r| r.paths.clear());
    let mut tampered = valid.clone();
    let parts: Vec<&str> = valid.split('.').collect();
    let mut claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    claims["paths"] = json!(["/"]);
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    tampered = tampered.replace(parts[1], &forged);
    let unsigned_header =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#);
    let alg_none = format!("{unsigned_header}.{}.", parts[1]) + "AAAA";

    let mut out = vec![
        case("valid", &valid, "pass"),
        case(
            "valid with session",
            &bound_mint("k1", &k1, |r| r.session = Some("s-1".into())),
            "pass",
        ),
        Case {
            now: NOW + 601,
            ..case("expired", &valid, "expired")
        },
        Case {
            now: NOW + 600,
            ..case("expires at exp", &valid, "expired")
        },
        Case {
            now: NOW + 599,
            ..case("valid until exp", &valid, "pass")
        },
        Case {
            now: NOW - 120,
            ..case("not yet valid", &valid, "not-yet-valid")
        },
        case(
            "too long for the policy",
            &bound_mint("k1", &k1, |r| r.lifetime_seconds = 7200),
            "too-long",
        ),
        case(
            "unknown key id",
            &bound_mint("k9", &key(9), |_| {}),
            "unknown-key",
        ),
        case(
            "signed with another key",
            &bound_mint("k1", &k2, |_| {}),
            "bad-signature",
        ),
        case("tampered claims", &tampered, "bad-signature"),
        case("alg none", &alg_none, "malformed"),
        case(
            "path outside the token's paths",
            &bound_mint("k1", &k1, |r| r.paths = vec!["/out/v1/other/".into()]),
            "path",
        ),
        Case {
            uri: format!("/{valid}/private/index.m3u8"),
            ..case("outside the policy scopes", &valid, "scope")
        },
        Case {
            ip: "198.51.100.1",
            ..case("another IP", &valid, "binding")
        },
        Case {
            user_agent: "Evil/2.0",
            ..case("another User-Agent", &valid, "binding")
        },
        case(
            "token not bound as the policy requires",
            &bound_mint("k1", &k1, |r| {
                r.ip = None;
                r.headers.clear();
            }),
            "unbound",
        ),
        Case {
            ip: "2001:0db8:0:0:0:0:0:7",
            ..case(
                "IPv6 written differently",
                &bound_mint("k1", &k1, |r| r.ip = Some("2001:db8::7".into())),
                "pass",
            )
        },
        case("revoked session", &leaked, "revoked"),
        case(
            "session prefix stripped",
            leaked.split_once('.').unwrap().1,
            "session-mismatch",
        ),
        Case {
            uri: "/out/v1/abc/index.m3u8".into(),
            ..case("no token", "", "missing")
        },
        case(
            "rotation: new key while the old is kept",
            &bound_mint("k2", &k2, |_| {}),
            "pass",
        ),
        Case {
            store: "rotated",
            ..case(
                "rotation: new key after the old is removed",
                &bound_mint("k2", &k2, |_| {}),
                "pass",
            )
        },
        Case {
            store: "rotated",
            ..case(
                "rotation: old key after it is removed",
                &valid,
                "unknown-key",
            )
        },
        case("minted by PyJWT", &pyjwt_token(), "pass"),
        Case {
            store: "expired-revocation",
            ..case("revocation ended (entryTtlSeconds)", &leaked, "pass")
        },
        // Behind MediaTailor: the token starts the session as
        // `manifest.token` and comes back as `token` on every URL it writes.
        Case {
            uri: "/v1/master/abc/ads/index.m3u8".into(),
            query: vec![("manifest.token", valid_everywhere.clone())],
            forwarded: Some("/v1/master/abc/ads/index.m3u8"),
            ..case("MediaTailor session start", "", "pass")
        },
        Case {
            uri: "/out/v1/abc/index_1_00042.ts".into(),
            query: vec![("token", valid_everywhere.clone())],
            forwarded: Some("/out/v1/abc/index_1_00042.ts"),
            ..case("content segment written by MediaTailor", "", "pass")
        },
        Case {
            uri: "/v1/master/abc/ads/index.m3u8".into(),
            query: vec![("manifest.token", valid.clone())],
            ..case("MediaTailor path outside the token's paths", "", "path")
        },
        // MediaTailor reading the channel through the distribution.
        Case {
            uri: format!("/{}/out/v1/abc/index.m3u8", token::origin::pass("k1", &k1)),
            ..case("origin pass on a manifest", "", "pass")
        },
        Case {
            uri: format!(
                "/{}/out/v1/abc/index_1_00042.ts",
                token::origin::pass("k1", &k1)
            ),
            ..case("origin pass on a segment", "", "pass-scope")
        },
        Case {
            uri: format!("/{}/out/v1/abc/index.m3u8", token::origin::pass("k1", &k2)),
            ..case("origin pass under another key", "", "bad-signature")
        },
        Case {
            store: "rotated",
            uri: format!("/{}/out/v1/abc/index.m3u8", token::origin::pass("k1", &k1)),
            ..case("origin pass of a removed key", "", "unknown-key")
        },
    ];
    let query_token = token::mint(
        &query_config(),
        &k1,
        &MintRequest {
            key_id: "k1".into(),
            lifetime_seconds: 60,
            now: NOW,
            ..Default::default()
        },
    )
    .unwrap();
    out.extend([
        Case {
            config: "query",
            uri: "/out/v1/abc/index.m3u8".into(),
            query: vec![
                ("token", query_token.clone()),
                ("aws.sessionId", "x".into()),
                // CMCD from players passes the check untouched (telemetry).
                ("CMCD", "br=3200,sid=\"6e2fb550\"".into()),
            ],
            forwarded: Some("/out/v1/abc/index.m3u8"),
            ..case("query token", "", "pass")
        },
        Case {
            config: "query",
            uri: "/out/v1/abc/segment_1.ts".into(),
            forwarded: Some("/out/v1/abc/segment_1.ts"),
            ..case("query: segments are not protected", "", "pass")
        },
        Case {
            config: "query",
            uri: "/out/v1/abc/index.m3u8".into(),
            ..case("query: manifest without token", "", "missing")
        },
    ]);
    out
}

fn configs() -> BTreeMap<&'static str, EdgeConfig> {
    [("bound", bound_config()), ("query", query_config())].into()
}

fn stores() -> BTreeMap<&'static str, BTreeMap<String, String>> {
    let both = [
        ("k:k1", b64(&key(1))),
        ("k:k2", b64(&key(2))),
        ("r:leaked", "1800086400".into()),
    ];
    let rotated = [("k:k2", b64(&key(2)))];
    let expired_revocation = [("k:k1", b64(&key(1))), ("r:leaked", (NOW - 1).to_string())];
    [
        (
            "both",
            both.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        ),
        (
            "rotated",
            rotated
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ),
        (
            "expired-revocation",
            expired_revocation
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ),
    ]
    .into()
}

#[test]
fn rust_verifier_decides_every_vector() {
    let configs = configs();
    let stores = stores();
    for c in cases() {
        let store = &stores[c.store];
        let keys = Keys(
            store
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("k:").map(|id| {
                        (
                            id.to_string(),
                            base64::engine::general_purpose::STANDARD.decode(v).unwrap(),
                        )
                    })
                })
                .collect(),
        );
        let revoked = |s: &str| store.get(&format!("r:{s}")).and_then(|v| v.parse().ok());
        let request = ViewerRequest {
            uri: c.uri.clone(),
            query: c
                .query
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            ip: c.ip.into(),
            headers: [("user-agent".to_string(), c.user_agent.to_string())].into(),
        };
        let verdict = token::check(&configs[c.config], &keys, &revoked, &request, c.now);
        match (&verdict, c.expect) {
            (Ok(accepted), "pass") => {
                assert_eq!(Some(accepted.uri.as_str()), c.forwarded, "{}", c.name);
                assert!(
                    accepted.query.iter().all(|(k, _)| k != "token"),
                    "{}",
                    c.name
                );
            }
            (Err(refusal), code) => assert_eq!(refusal.code(), code, "{}: {refusal}", c.name),
            (Ok(_), code) => panic!("{}: accepted, expected {code}", c.name),
        }
    }
}

#[test]
fn generated_function_decides_every_vector_under_node() {
    let dir = support::scratch_dir("token-function");
    let mut functions = serde_json::Map::new();
    for (name, config) in configs() {
        let source = token::function::source(&config, STORE_ID);
        assert!(
            source.len() < token::function::MAX_FUNCTION_BYTES,
            "{name}: {} bytes",
            source.len()
        );
        let path = dir.join(format!("{name}.js"));
        std::fs::write(&path, source).unwrap();
        functions.insert(name.into(), json!(path));
    }
    let cases = cases();
    let vectors = json!({
        "storeId": STORE_ID,
        "functions": functions,
        "stores": stores(),
        "cases": cases.iter().map(|c| json!({
            "name": c.name, "config": c.config, "store": c.store, "now": c.now, "ip": c.ip,
            "request": {
                "method": "GET",
                "uri": c.uri,
                "querystring": c.query.iter().map(|(k, v)| (k.to_string(), json!({"value": v}))).collect::<serde_json::Map<_, _>>(),
                "headers": {"user-agent": {"value": c.user_agent}},
            }
        })).collect::<Vec<_>>(),
    });
    let vectors_path = dir.join("vectors.json");
    std::fs::write(&vectors_path, vectors.to_string()).unwrap();
    let out = std::process::Command::new("node")
        .arg(support::repo().join("tests/token_function_harness.js"))
        .arg(&vectors_path)
        .output()
        .expect("node must be installed for the CloudFront Function tests");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.len(), cases.len());
    for (c, r) in cases.iter().zip(&results) {
        assert_eq!(r["verdict"], c.expect, "{}", c.name);
        if c.expect == "pass" {
            assert_eq!(r["handlerUri"].as_str(), c.forwarded, "{}", c.name);
            let query: Vec<&str> = r["handlerQuery"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q.as_str().unwrap())
                .collect();
            assert!(
                !query.contains(&"token"),
                "{}: the token must not reach the origin",
                c.name
            );
            let sent: Vec<&str> = c
                .query
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| *k != "token")
                .collect();
            for kept in sent {
                assert!(
                    query.contains(&kept),
                    "{}: {kept} must reach the origin",
                    c.name
                );
            }
        } else {
            assert_eq!(r["handlerStatus"], 401, "{}", c.name);
        }
    }
}
