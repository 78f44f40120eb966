//! Playback tokens: the same vectors through the Rust verifier and through the
//! generated CloudFront Function under node (with a shim offering only the
//! CloudFront runtime). The vectors are the shared file
//! `tests/fixtures/token_vectors.json` (PyJWT-minted and hand-written tokens,
//! written by `tests/token_vectors.py`) and round trips of tokens onair mints.

mod support;

use std::collections::BTreeMap;

use base64::Engine as _;
use onair::api::TokenPolicySpec;
use onair::token::{self, EdgeConfig, MintRequest, ViewerRequest};
use serde::Deserialize;
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

/// Path tokens bound to IP and User-Agent, scoped, revocation in the store;
/// channel "news" plays under `/out/v1/abc/`.
fn bound_config() -> EdgeConfig {
    EdgeConfig {
        origin_scopes: [("news".to_string(), vec!["/out/v1/abc/".to_string()])].into(),
        ..policy(json!({
            "token": {"maxTtlSeconds": 3600, "bind": {"clientIp": true, "userAgent": true}, "pathScopes": ["/out/v1/", "/v1/"]},
            "revocation": {"enabled": true}
        }))
    }
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

#[derive(Debug, Clone, Deserialize)]
struct Case {
    name: String,
    config: String,
    store: String,
    now: u64,
    ip: String,
    headers: BTreeMap<String, String>,
    uri: String,
    /// As written in the URL, undecoded, in order.
    query: Vec<(String, String)>,
    expect: String,
    forwarded: Option<String>,
}

fn case(name: &str, token: &str, expect: &str) -> Case {
    Case {
        name: name.into(),
        config: "onair-bound".into(),
        store: "onair-both".into(),
        now: NOW,
        ip: VIEWER_IP.into(),
        headers: [("user-agent".to_string(), PLAYER.to_string())].into(),
        uri: format!("/{token}/out/v1/abc/index.m3u8"),
        query: Vec::new(),
        expect: expect.into(),
        forwarded: (expect == "pass").then(|| "/out/v1/abc/index.m3u8".into()),
    }
}

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The shared vectors file.
#[derive(Deserialize)]
struct Vectors {
    configs: BTreeMap<String, EdgeConfig>,
    stores: BTreeMap<String, BTreeMap<String, String>>,
    cases: Vec<Case>,
}

fn shared_vectors() -> Vectors {
    let text = std::fs::read_to_string(support::repo().join("tests/fixtures/token_vectors.json"))
        .expect("tests/fixtures/token_vectors.json");
    serde_json::from_str(&text).expect("the vectors parse")
}

/// Round trips of tokens onair mints (the shared file holds the rest).
fn cases() -> Vec<Case> {
    let (k1, k2) = (key(1), key(2));
    let valid = bound_mint("k1", &k1, |_| {});
    let leaked = bound_mint("k1", &k1, |r| r.session = Some("leaked".into()));
    let valid_everywhere = bound_mint("k1", &k1, |r| r.paths.clear());
    let parts: Vec<&str> = valid.split('.').collect();
    let mut claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    claims["paths"] = json!(["/"]);
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = valid.replace(parts[1], &forged);
    let pass = token::origin::pass("k1", &k1, "news", NOW + 86_400);
    let other = |name: &str, uri: String, expect: &str| Case {
        uri,
        ..case(name, "", expect)
    };
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
        case(
            "path outside the token's paths",
            &bound_mint("k1", &k1, |r| r.paths = vec!["/out/v1/other/".into()]),
            "path",
        ),
        case(
            "paths match whole segments",
            &bound_mint("k1", &k1, |r| r.paths = vec!["/out/v1/ab".into()]),
            "path",
        ),
        Case {
            uri: format!("/{valid}/private/index.m3u8"),
            ..case("outside the policy scopes", &valid, "scope")
        },
        Case {
            ip: "198.51.100.1".into(),
            ..case("another IP", &valid, "binding")
        },
        Case {
            headers: [("user-agent".to_string(), "Evil/2.0".to_string())].into(),
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
            ip: "2001:0db8:0:0:0:0:0:7".into(),
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
        other("no token", "/out/v1/abc/index.m3u8".into(), "missing"),
        case(
            "rotation: new key while the old is kept",
            &bound_mint("k2", &k2, |_| {}),
            "pass",
        ),
        Case {
            store: "onair-rotated".into(),
            ..case(
                "rotation: new key after the old is removed",
                &bound_mint("k2", &k2, |_| {}),
                "pass",
            )
        },
        Case {
            store: "onair-rotated".into(),
            ..case(
                "rotation: old key after it is removed",
                &valid,
                "unknown-key",
            )
        },
        Case {
            store: "onair-expired-revocation".into(),
            ..case("revocation ended (entryTtlSeconds)", &leaked, "pass")
        },
        // Behind MediaTailor: the token starts the session as
        // `manifest.token` and comes back as `token` on every URL it writes.
        Case {
            query: query(&[("manifest.token", &valid_everywhere)]),
            forwarded: Some("/v1/master/abc/ads/index.m3u8".into()),
            ..other(
                "MediaTailor session start",
                "/v1/master/abc/ads/index.m3u8".into(),
                "pass",
            )
        },
        Case {
            query: query(&[("token", &valid_everywhere)]),
            forwarded: Some("/out/v1/abc/index_1_00042.ts".into()),
            ..other(
                "content segment written by MediaTailor",
                "/out/v1/abc/index_1_00042.ts".into(),
                "pass",
            )
        },
        Case {
            query: query(&[("manifest.token", &valid)]),
            ..other(
                "MediaTailor path outside the token's paths",
                "/v1/master/abc/ads/index.m3u8".into(),
                "path",
            )
        },
        // MediaTailor reading the channel through the distribution.
        Case {
            forwarded: Some("/out/v1/abc/index.m3u8".into()),
            ..other(
                "origin pass on a manifest",
                format!("/{pass}/out/v1/abc/index.m3u8"),
                "pass",
            )
        },
        other(
            "origin pass on a segment",
            format!("/{pass}/out/v1/abc/index_1_00042.ts"),
            "pass-scope",
        ),
        other(
            "origin pass under another key",
            format!(
                "/{}/out/v1/abc/index.m3u8",
                token::origin::pass("k1", &k2, "news", NOW + 86_400)
            ),
            "bad-signature",
        ),
        Case {
            store: "onair-rotated".into(),
            ..other(
                "origin pass of a removed key",
                format!("/{pass}/out/v1/abc/index.m3u8"),
                "unknown-key",
            )
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
    let in_query = |name: &str, uri: &str, pairs: Vec<(String, String)>, expect: &str| Case {
        config: "onair-query".into(),
        query: pairs,
        forwarded: (expect == "pass").then(|| uri.to_string()),
        ..other(name, uri.into(), expect)
    };
    out.extend([
        in_query(
            "query token",
            "/out/v1/abc/index.m3u8",
            query(&[
                ("token", &query_token),
                ("aws.sessionId", "x"),
                // CMCD from players passes the check untouched (telemetry).
                ("CMCD", "br%3D3200%2Csid%3D%226e2fb550%22"),
            ]),
            "pass",
        ),
        in_query(
            "query: segments are not protected",
            "/out/v1/abc/segment_1.ts",
            Vec::new(),
            "pass",
        ),
        in_query(
            "query: manifest without token",
            "/out/v1/abc/index.m3u8",
            Vec::new(),
            "missing",
        ),
    ]);
    out
}

fn configs() -> BTreeMap<String, EdgeConfig> {
    let mut all = shared_vectors().configs;
    all.insert("onair-bound".into(), bound_config());
    all.insert("onair-query".into(), query_config());
    all
}

fn stores() -> BTreeMap<String, BTreeMap<String, String>> {
    let entries = |pairs: &[(&str, String)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let mut all = shared_vectors().stores;
    all.insert(
        "onair-both".into(),
        entries(&[
            ("k:k1", b64(&key(1))),
            ("k:k2", b64(&key(2))),
            ("r:leaked", "1800086400".into()),
        ]),
    );
    all.insert("onair-rotated".into(), entries(&[("k:k2", b64(&key(2)))]));
    all.insert(
        "onair-expired-revocation".into(),
        entries(&[("k:k1", b64(&key(1))), ("r:leaked", (NOW - 1).to_string())]),
    );
    all
}

/// Every vector: the shared file's, then onair's round trips.
fn all_cases() -> Vec<Case> {
    let mut all = shared_vectors().cases;
    all.extend(cases());
    all
}

fn request_of(c: &Case) -> ViewerRequest {
    ViewerRequest {
        uri: c.uri.clone(),
        query: c.query.clone(),
        ip: c.ip.clone(),
        headers: c.headers.clone(),
    }
}

#[test]
fn rust_verifier_decides_every_vector() {
    let configs = configs();
    let stores = stores();
    let mut failures = Vec::new();
    for c in all_cases() {
        let store = &stores[&c.store];
        let revoked = |s: &str| store.get(&format!("r:{s}")).and_then(|v| v.parse().ok());
        let request = request_of(&c);
        let verdict = token::check(
            &configs[&c.config],
            &support::keys_in_store(store),
            &revoked,
            &request,
            c.now,
        );
        match (&verdict, c.expect.as_str()) {
            (Ok(accepted), "pass") => {
                if Some(&accepted.uri) != c.forwarded.as_ref() {
                    failures.push(format!("{}: forwarded {}", c.name, accepted.uri));
                }
                assert!(
                    accepted.query.iter().all(|(k, _)| k != "token"),
                    "{}",
                    c.name
                );
            }
            (Err(refusal), code) if refusal.code() == code => {}
            (Err(refusal), code) => failures.push(format!(
                "{}: {} ({refusal}), expected {code}",
                c.name,
                refusal.code()
            )),
            (Ok(_), code) => failures.push(format!("{}: accepted, expected {code}", c.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_shared_vectors_are_what_the_generator_writes() {
    let out = std::process::Command::new(support::python())
        .arg(support::repo().join("tests/token_vectors.py"))
        .arg("--stdout")
        .output()
        .expect("python with PyJWT (bash .ci/setup)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checked_in =
        std::fs::read_to_string(support::repo().join("tests/fixtures/token_vectors.json")).unwrap();
    assert!(
        String::from_utf8(out.stdout).unwrap() == checked_in,
        "tests/fixtures/token_vectors.json is out of date: run .venv/bin/python tests/token_vectors.py"
    );
    assert!(shared_vectors().cases.len() >= 100);
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
        functions.insert(name, json!(path));
    }
    let cases = all_cases();
    let vectors = json!({
        "storeId": STORE_ID,
        "functions": functions,
        "stores": stores(),
        "cases": cases.iter().map(|c| json!({
            "name": c.name, "config": c.config, "store": c.store, "now": c.now, "ip": c.ip,
            "request": request_of(c).cloudfront_request(),
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
    let mut failures = Vec::new();
    for (c, r) in cases.iter().zip(&results) {
        if r["verdict"] != c.expect.as_str() {
            failures.push(format!(
                "{}: {}, expected {}",
                c.name, r["verdict"], c.expect
            ));
            continue;
        }
        if c.expect == "pass" {
            assert_eq!(
                r["handlerUri"].as_str(),
                c.forwarded.as_deref(),
                "{}",
                c.name
            );
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
            for (kept, _) in c.query.iter().filter(|(k, _)| k != "token") {
                assert!(
                    query.contains(&kept.as_str()),
                    "{}: {kept} must reach the origin",
                    c.name
                );
            }
        } else {
            assert_eq!(r["handlerStatus"], 401, "{}", c.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
