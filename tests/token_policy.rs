//! The TokenPolicy reconciler end to end with the LiveChannel and
//! AdInsertion reconcilers: the local API server and the AWS simulation.
//! What the edge decides is checked with the rules the published function
//! runs (the Rust verifier, proven equal to the function under node in
//! tests/token.rs) against the keys and revocations actually in the
//! simulated key value store.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::ByteString;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use onair::api::{AdInsertion, TokenPolicy};
use onair::aws::cloudfront::{FunctionSpec, FunctionStage};
use onair::aws::Service;
use onair::k8s::secret_access::SecretAccess;
use onair::token::{self, EdgeConfig, Keys, MintRequest, ViewerRequest};
use serde_json::json;
use support::operator::{Crash, Operator, NS};

const POLICY: &str = "news-tokens";
const KEYS: &str = "playback-signing-keys";

fn policies(op: &Operator) -> Api<TokenPolicy> {
    op.api_of()
}

fn key(byte: u8) -> Vec<u8> {
    vec![byte; 32]
}

/// Writes the signing-keys Secret with these keys.
async fn set_keys(op: &Operator, keys: &[(&str, u8)]) {
    let secret = Secret {
        metadata: kube::api::ObjectMeta {
            name: Some(KEYS.into()),
            ..Default::default()
        },
        data: Some(
            keys.iter()
                .map(|(id, byte)| (id.to_string(), ByteString(key(*byte))))
                .collect(),
        ),
        ..Default::default()
    };
    Api::<Secret>::namespaced(op.client.clone(), NS)
        .patch(
            KEYS,
            &PatchParams::apply("test").force(),
            &Patch::Apply(&secret),
        )
        .await
        .unwrap();
}

/// The example policy, for channel `news`, with `spec` merged in.
fn policy(spec: serde_json::Value) -> TokenPolicy {
    support::token_policy(POLICY, KEYS, spec)
}

/// Merge-patches the policy's spec.
async fn patch_policy(op: &Operator, spec: serde_json::Value) {
    policies(op)
        .patch(
            POLICY,
            &PatchParams::default(),
            &Patch::Merge(json!({ "spec": spec })),
        )
        .await
        .unwrap();
}

/// Creates the default policy and runs one reconcile of it.
async fn create_and_reconcile_once(op: &Operator) -> TokenPolicy {
    op.create(&policy(json!({}))).await;
    op.reconcile_policy(POLICY).await.unwrap()
}

async fn get_policy(op: &Operator, name: &str) -> Option<TokenPolicy> {
    policies(op).get_opt(name).await.unwrap()
}

fn ready_reason(tp: &TokenPolicy) -> (String, String) {
    tp.status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| (format!("{:?}", c.status), c.reason.clone()))
        .unwrap_or_default()
}

/// Reconciles the policy (moving simulated AWS time) until Ready=True.
async fn settle_policy(op: &Operator, name: &str) -> TokenPolicy {
    for _ in 0..20 {
        let tp = op.reconcile_policy(name).await.unwrap();
        if ready_reason(&tp).0 == "True" {
            return tp;
        }
        op.sim.advance(Duration::from_secs(30));
    }
    panic!(
        "{name} never became ready: {:?}",
        get_policy(op, name).await.unwrap().status
    );
}

/// Reconciles the channel until its distribution is deployed with what the
/// policies fold into it.
async fn settle_channel(op: &Operator) {
    for _ in 0..20 {
        op.reconcile("news").await.unwrap().unwrap();
        op.sim.advance(Duration::from_secs(60));
        let distribution = distribution(op).await;
        if onair::aws::children::cloudfront::deployed(&distribution) {
            return;
        }
    }
    panic!("the distribution never deployed");
}

async fn distribution(op: &Operator) -> onair::aws::cloudfront::Distribution {
    let lc = op.get("news").await.unwrap();
    let id = lc
        .status
        .and_then(|s| s.resources)
        .and_then(|r| r.distribution_id)
        .expect("the channel has a distribution");
    op.sim.cloudfront().get_distribution(&id).await.unwrap()
}

/// What the edge holds: the store's entries, and the code LIVE runs.
struct Edge {
    entries: BTreeMap<String, String>,
    live_code: String,
    /// The channel's HLS manifest path, as players ask for it.
    manifest: String,
}

async fn edge(op: &Operator, tp: &TokenPolicy) -> Edge {
    let status = tp.status.as_ref().unwrap();
    let store_arn = status.key_value_store_arn.clone().unwrap();
    let entries = op
        .sim
        .cloudfront_kvs()
        .list_keys(&store_arn)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.key, i.value))
        .collect();
    let function = status
        .function_arn
        .as_ref()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let live_code = op
        .sim
        .cloudfront()
        .get_function_code(&function, FunctionStage::Live)
        .await
        .unwrap()
        .code;
    let hls = op
        .get("news")
        .await
        .and_then(|lc| lc.status?.playback?.hls)
        .expect("the channel has a playback URL");
    let manifest = ViewerRequest::for_url(&hls, "", BTreeMap::new()).uri;
    Edge {
        entries,
        live_code,
        manifest,
    }
}

impl Edge {
    fn keys(&self) -> Keys {
        support::keys_in_store(&self.entries)
    }

    /// The verdict of the edge for a manifest request with `token`.
    fn decide(&self, config: &EdgeConfig, token: &str) -> Result<(), String> {
        let request = ViewerRequest {
            uri: format!("/{token}{}", self.manifest),
            ip: "203.0.113.7".into(),
            headers: [("user-agent".to_string(), "Player/1.0".to_string())].into(),
            ..Default::default()
        };
        let revoked = |s: &str| {
            self.entries
                .get(&format!("r:{s}"))
                .and_then(|v| v.parse().ok())
        };
        token::check(config, &self.keys(), &revoked, &request, now())
            .map(|_| ())
            .map_err(|r| r.code().to_string())
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn mint(config: &EdgeConfig, key_id: &str, byte: u8, session: Option<&str>) -> String {
    token::mint(
        config,
        &key(byte),
        &MintRequest {
            key_id: key_id.into(),
            lifetime_seconds: 600,
            now: now(),
            session: session.map(str::to_string),
            ip: Some("203.0.113.7".into()),
            headers: vec![("user-agent".into(), "Player/1.0".into())],
            ..Default::default()
        },
    )
    .unwrap()
}

/// The policy's edge rules as the reconciler computes them.
async fn edge_config(op: &Operator, tp: &TokenPolicy) -> EdgeConfig {
    let ad_insertions = op.ctx.catalog.objects_in::<AdInsertion>(NS).await.unwrap();
    onair::token::policy::PolicyInputs::load(&op.client, NS, &tp.spec, &ad_insertions)
        .await
        .unwrap()
        .edge_config(&tp.spec)
}

async fn delete_policy(op: &Operator) {
    policies(op)
        .delete(POLICY, &DeleteParams::default())
        .await
        .unwrap();
    for _ in 0..30 {
        op.reconcile_policy(POLICY).await;
        if get_policy(op, POLICY).await.is_none() {
            return;
        }
        // The channel drops the function and web ACL, CloudFront deploys.
        op.reconcile("news").await.unwrap().unwrap();
        op.sim.advance(Duration::from_secs(60));
    }
    panic!("the TokenPolicy was never deleted");
}

fn no_edge_resources() -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("functions", 0),
        ("key value stores", 0),
        ("regex pattern sets", 0),
        ("web ACLs", 0),
    ])
}

/// A policy in a namespace whose Secrets onair may not read
/// (`--secret-namespaces` without it) is Ready=False SecretsNotReadable with
/// what to change, without a read of its Secret or a call to AWS; once the
/// namespace is listed it goes on.
#[tokio::test]
async fn a_policy_whose_secret_onair_may_not_read_says_so_without_touching_aws() {
    let mut op = Operator::start().await;
    set_keys(&op, &[("k1", 1)]).await;
    op.start_channel("news").await;
    Arc::get_mut(&mut op.ctx).unwrap().secret_access = SecretAccess::only(["live-news"]);
    let calls = op.sim.faults().all_calls();
    let tp = create_and_reconcile_once(&op).await;
    assert_eq!(
        ready_reason(&tp),
        ("False".to_string(), "SecretsNotReadable".to_string())
    );
    let ready = tp
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .unwrap();
    assert!(
        ready
            .message
            .contains("may not read Secrets in namespace default")
            && ready.message.contains("signingKeys.secretRef")
            && ready.message.contains("secretNamespaces"),
        "{}",
        ready.message
    );
    assert_eq!(op.sim.faults().all_calls(), calls, "AWS was called");
    assert!(tp.status.as_ref().unwrap().key_ids.is_empty());

    Arc::get_mut(&mut op.ctx).unwrap().secret_access = SecretAccess::only([NS]);
    let tp = settle_policy(&op, POLICY).await;
    assert_eq!(tp.status.unwrap().key_ids, ["k1"]);
}

/// `onair render` given the objects as the cluster prints them (`kubectl get
/// -o yaml`) shows the function code the reconciler published, byte for byte
/// but for the store id AWS chose, and the store's entries by name, with no
/// key material.
#[tokio::test]
async fn render_shows_the_function_and_entries_the_reconciler_publishes() {
    let op = Operator::start().await;
    set_keys(&op, &[("k1", 1), ("k2", 2)]).await;
    op.start_channel("news").await;
    op.create(&policy(json!({"revocation": {"sessions": ["leaked-1"]}})))
        .await;
    let tp = settle_policy(&op, POLICY).await;
    let published = edge(&op, &tp).await;

    let channel = op.get("news").await.unwrap();
    let secret = Api::<Secret>::namespaced(op.client.clone(), NS)
        .get(KEYS)
        .await
        .unwrap();
    let file = support::scratch_dir("render").join("objects.yaml");
    let documents = [
        serde_yaml::to_string(&tp).unwrap(),
        serde_yaml::to_string(&channel).unwrap(),
        serde_yaml::to_string(&secret).unwrap(),
    ];
    std::fs::write(&file, documents.join("---\n")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onair"))
        .arg("render")
        .arg("-f")
        .arg(&file)
        .args([
            "--media-live-role-arn",
            "arn:aws:iam::123456789012:role/MediaLive",
            "--media-package-secrets-role-arn",
            "arn:aws:iam::123456789012:role/MediaPackageSecrets",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A channel's document holds YAML tags (`!hls`): read YAML, not JSON.
    let document: serde_yaml::Value = serde_yaml::Deserializer::from_str(&stdout)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .find(|d: &serde_yaml::Value| d.get("tokenPolicy").is_some())
        .expect("a TokenPolicy document");
    let rendered = serde_json::to_value(document).unwrap();
    assert_eq!(rendered["tokenPolicy"], format!("{NS}/{POLICY}"));
    assert!(rendered.get("notes").is_none(), "{}", rendered["notes"]);

    let status = tp.status.as_ref().unwrap();
    let store_arn = status.key_value_store_arn.as_deref().unwrap();
    let store_id = store_arn.rsplit('/').next().unwrap();
    let code = rendered["function"]["code"].as_str().unwrap();
    assert_eq!(
        code.replace("<key value store id>", store_id),
        published.live_code,
        "the rendered function is the published one"
    );
    let function_name = status.function_arn.as_deref().unwrap().rsplit('/').next();
    assert_eq!(rendered["function"]["name"].as_str(), function_name);

    let entries = rendered["keyValueStore"]["entries"].as_object().unwrap();
    let names: Vec<&String> = entries.keys().collect();
    assert_eq!(
        names,
        published.entries.keys().collect::<Vec<_>>(),
        "the store's entries, by name"
    );
    assert_eq!(
        entries["k:k1"],
        "<secret: base64 of the 32 bytes of key k1 in Secret playback-signing-keys, withheld>"
    );
    for (name, value) in &published.entries {
        if name.starts_with("k:") {
            assert!(!stdout.contains(value.as_str()), "{name}'s key was printed");
        }
    }
    for byte in [1, 2] {
        let b64 = base64::engine::general_purpose::STANDARD.encode(key(byte));
        assert!(!stdout.contains(&b64), "a signing key was printed");
    }
}

#[tokio::test]
async fn tokens_are_checked_at_the_channels_edge_and_everything_goes_on_delete() {
    let op = Operator::start().await;
    set_keys(&op, &[("k1", 1)]).await;
    op.start_channel("news").await;
    op.create(&policy(json!({"revocation": {"sessions": ["leaked-1"]}})))
        .await;
    let tp = settle_policy(&op, POLICY).await;
    let status = tp.status.clone().unwrap();
    assert_eq!(status.function_stage.as_deref(), Some("LIVE"));
    assert_eq!(status.key_ids, ["k1"]);
    assert_eq!(status.revoked_sessions, 1);
    assert!(
        status.web_acl_arn.is_none(),
        "KeyValueStore revocation needs no WAF"
    );
    for condition in ["FunctionReady", "KeysReady", "RevocationReady"] {
        let c = status
            .conditions
            .iter()
            .find(|c| c.type_ == condition)
            .unwrap();
        assert_eq!(
            format!("{:?}", c.status),
            "True",
            "{condition}: {}",
            c.message
        );
    }
    let printed = serde_json::to_string(&status).unwrap();
    let material = base64::engine::general_purpose::STANDARD.encode(key(1));
    assert!(!printed.contains(&material), "no key material in status");

    // The channel folds the published function into every behaviour that
    // serves its content.
    settle_channel(&op).await;
    let d = distribution(&op).await;
    let arn = status.function_arn.clone().unwrap();
    assert_eq!(d.config.default_behavior.function_associations.len(), 1);
    assert_eq!(
        d.config.default_behavior.function_associations[0].function_arn,
        arn
    );
    let lc = op.get("news").await.unwrap();
    assert_eq!(lc.status.unwrap().token_policy.as_deref(), Some(POLICY));

    // The edge runs the code for these rules, with the keys in the store.
    let config = edge_config(&op, &tp).await;
    let at_edge = edge(&op, &tp).await;
    let names =
        onair::controller::token_policy::apply::Names::of(&onair::controller::kit::owner_of(&tp));
    let store = op
        .sim
        .cloudfront()
        .describe_key_value_store(&names.store)
        .await
        .unwrap();
    assert_eq!(Some(store.arn.clone()), status.key_value_store_arn);
    assert_eq!(
        at_edge.live_code,
        token::function::source(&config, &store.id)
    );
    assert!(
        config.path_scopes.iter().any(|p| p.starts_with("/out/v1/")),
        "tokens are scoped to the channel's paths: {:?}",
        config.path_scopes
    );
    assert_eq!(
        at_edge.decide(&config, &mint(&config, "k1", 1, None)),
        Ok(())
    );
    assert_eq!(
        at_edge.decide(&config, &mint(&config, "k1", 1, Some("leaked-1"))),
        Err("revoked".into())
    );
    assert_eq!(
        at_edge.decide(&config, &mint(&config, "k1", 9, None)),
        Err("bad-signature".into())
    );

    // Steady state: reads only. The policy reads its store's keys (the
    // control plane is not asked about a store that answers) and its
    // function's LIVE stage: DEVELOPMENT matters only to a change, and LIVE's
    // code was verified at the ETag LIVE still has.
    op.reconcile_policy(POLICY).await;
    let writes = op.sim.faults().writes();
    let cloudfront_reads = |op: &Operator| {
        op.sim
            .faults()
            .all_calls()
            .iter()
            .filter(|((service, _), _)| {
                matches!(
                    service,
                    Service::CloudFront | Service::CloudFrontKeyValueStore
                )
            })
            .map(|(_, n)| n)
            .sum::<u64>()
    };
    let reads = cloudfront_reads(&op);
    let code_reads = op
        .sim
        .faults()
        .calls(Service::CloudFront, "get_function_code");
    op.reconcile_policy(POLICY).await;
    assert_eq!(cloudfront_reads(&op) - reads, 2, "a settled policy's reads");
    assert_eq!(
        op.sim
            .faults()
            .calls(Service::CloudFront, "get_function_code"),
        code_reads,
        "LIVE's code is not read again at the same ETag"
    );
    assert_eq!(
        op.sim.faults().writes(),
        writes,
        "a settled policy writes nothing"
    );
    // A key removed out of band is seen by that one read and put back.
    let tp = get_policy(&op, POLICY).await.unwrap();
    let before = edge(&op, &tp).await.entries;
    let before_code = edge(&op, &tp).await.live_code;
    let arn = tp
        .status
        .as_ref()
        .unwrap()
        .key_value_store_arn
        .clone()
        .unwrap();
    let kvs = op.sim.cloudfront_kvs();
    let etag = kvs.describe_store(&arn).await.unwrap().etag;
    let removed = before.keys().next().unwrap().clone();
    kvs.update_keys(&arn, &etag, vec![], vec![removed.clone()])
        .await
        .unwrap();
    op.reconcile_policy(POLICY).await;
    assert_eq!(edge(&op, &tp).await.entries, before, "{removed} is back");
    // Code published to LIVE out of band moves LIVE's ETag: read, and put back.
    let cloudfront = op.sim.cloudfront();
    let function = tp.status.as_ref().unwrap().function_arn.clone().unwrap();
    let function = function.rsplit('/').next().unwrap();
    let dev = cloudfront
        .describe_function(function, FunctionStage::Development)
        .await
        .unwrap();
    let mut tampered = FunctionSpec {
        comment: dev.comment.clone(),
        code: edge(&op, &tp).await.live_code,
        key_value_store_arns: dev.key_value_store_arns.clone(),
    };
    tampered.code.push_str("\n// edited by hand\n");
    let updated = cloudfront
        .update_function(function, tampered, &dev.etag)
        .await
        .unwrap();
    cloudfront
        .publish_function(function, &updated.etag)
        .await
        .unwrap();
    op.reconcile_policy(POLICY).await;
    assert_eq!(
        edge(&op, &tp).await.live_code,
        before_code,
        "the generated code is back on LIVE"
    );
    let writes = op.sim.faults().writes();
    op.reconcile("news").await.unwrap().unwrap();
    assert_eq!(
        op.sim.faults().writes(),
        writes,
        "nothing to change, nothing written"
    );

    delete_policy(&op).await;
    assert_eq!(op.sim.edge_inventory().await, no_edge_resources());
    let d = distribution(&op).await;
    assert!(d.config.default_behavior.function_associations.is_empty());
    assert_eq!(
        op.inventory().await,
        support::operator::one_of_each(),
        "the channel stays"
    );
}

#[tokio::test]
async fn a_key_rotation_never_refuses_a_valid_token_and_does_not_republish() {
    let op = Operator::start().await;
    set_keys(&op, &[("k1", 1)]).await;
    op.start_channel("news").await;
    op.create(&policy(json!({}))).await;
    let tp = settle_policy(&op, POLICY).await;
    let config = edge_config(&op, &tp).await;
    let old_token = mint(&config, "k1", 1, None);
    let code_before = edge(&op, &tp).await.live_code;
    let updates = |op: &Operator| {
        op.sim
            .faults()
            .calls(Service::CloudFront, "update_function")
            + op.sim
                .faults()
                .calls(Service::CloudFront, "publish_function")
    };
    let republished = updates(&op);

    // 1. Add the new key: both verify.
    set_keys(&op, &[("k1", 1), ("k2", 2)]).await;
    let tp = settle_policy(&op, POLICY).await;
    assert_eq!(tp.status.as_ref().unwrap().key_ids, ["k1", "k2"]);
    let at_edge = edge(&op, &tp).await;
    assert_eq!(at_edge.decide(&config, &old_token), Ok(()));
    assert_eq!(
        at_edge.decide(&config, &mint(&config, "k2", 2, None)),
        Ok(())
    );

    // 2. Switch minting to it: old tokens still pass.
    patch_policy(&op, json!({"signingKeys": {"activeKeyId": "k2"}})).await;
    let tp = settle_policy(&op, POLICY).await;
    let at_edge = edge(&op, &tp).await;
    assert_eq!(at_edge.decide(&config, &old_token), Ok(()));

    // 3. Remove the old key once its tokens expired: refused from then on.
    set_keys(&op, &[("k2", 2)]).await;
    let tp = settle_policy(&op, POLICY).await;
    assert_eq!(tp.status.as_ref().unwrap().key_ids, ["k2"]);
    let at_edge = edge(&op, &tp).await;
    assert_eq!(
        at_edge.decide(&config, &old_token),
        Err("unknown-key".into())
    );
    assert_eq!(
        at_edge.decide(&config, &mint(&config, "k2", 2, None)),
        Ok(())
    );

    // Keys live in the store: the function was never touched.
    assert_eq!(updates(&op), republished);
    assert_eq!(at_edge.live_code, code_before);

    // Switching to a key the Secret lacks is refused before AWS.
    patch_policy(&op, json!({"signingKeys": {"activeKeyId": "k3"}})).await;
    let writes = op.sim.faults().writes();
    let tp = op.reconcile_policy(POLICY).await.unwrap();
    assert_eq!(
        ready_reason(&tp),
        ("False".into(), "ActiveKeyMissing".into())
    );
    assert_eq!(op.sim.faults().writes(), writes);
    assert_eq!(
        tp.status.unwrap().key_ids,
        ["k2"],
        "what is at the edge stays reported"
    );
}

#[tokio::test]
async fn sessions_are_revoked_and_restored_inline_and_from_a_config_map() {
    let op = Operator::start().await;
    set_keys(&op, &[("k1", 1)]).await;
    op.start_channel("news").await;
    let maps: Api<ConfigMap> = Api::namespaced(op.client.clone(), NS);
    let revoked_map = |sessions: &[&str]| ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some("revoked".into()),
            ..Default::default()
        },
        data: Some(
            sessions
                .iter()
                .map(|s| (s.to_string(), "leaked on a forum".to_string()))
                .collect(),
        ),
        ..Default::default()
    };
    maps.create(&PostParams::default(), &revoked_map(&["from-map"]))
        .await
        .unwrap();
    op.create(&policy(
        json!({"revocation": {"sessions": ["inline-1"], "configMapRef": {"name": "revoked"}}}),
    ))
    .await;
    let tp = settle_policy(&op, POLICY).await;
    assert_eq!(tp.status.as_ref().unwrap().revoked_sessions, 2);
    let config = edge_config(&op, &tp).await;
    let at_edge = edge(&op, &tp).await;
    for session in ["inline-1", "from-map"] {
        assert_eq!(
            at_edge.decide(&config, &mint(&config, "k1", 1, Some(session))),
            Err("revoked".into()),
            "{session}"
        );
    }
    assert_eq!(
        at_edge.decide(&config, &mint(&config, "k1", 1, Some("fine"))),
        Ok(())
    );
    let first_end = at_edge.entries["r:from-map"].clone();

    // Add one to the map, drop the inline one.
    maps.replace(
        "revoked",
        &PostParams::default(),
        &revoked_map(&["from-map", "second"]),
    )
    .await
    .unwrap();
    patch_policy(&op, json!({"revocation": {"sessions": null}})).await;
    let tp = settle_policy(&op, POLICY).await;
    let at_edge = edge(&op, &tp).await;
    assert_eq!(tp.status.as_ref().unwrap().revoked_sessions, 2);
    assert_eq!(
        at_edge.decide(&config, &mint(&config, "k1", 1, Some("inline-1"))),
        Ok(())
    );
    assert_eq!(
        at_edge.decide(&config, &mint(&config, "k1", 1, Some("second"))),
        Err("revoked".into())
    );
    assert_eq!(
        at_edge.entries["r:from-map"], first_end,
        "a revocation keeps its end"
    );

    // A session id that could never be minted is refused as input.
    maps.replace(
        "revoked",
        &PostParams::default(),
        &revoked_map(&["not a session"]),
    )
    .await
    .unwrap();
    let tp = op.reconcile_policy(POLICY).await.unwrap();
    assert_eq!(
        ready_reason(&tp),
        ("False".into(), "InvalidSessionId".into())
    );
}

#[tokio::test]
async fn waf_revocation_blocks_listed_sessions_and_detaches_cleanly() {
    let op = Operator::start().await;
    set_keys(&op, &[("k1", 1)]).await;
    op.start_channel("news").await;
    op.create(&policy(
        json!({"revocation": {"method": "Waf", "sessions": ["leaked-1", "leaked-2"]}}),
    ))
    .await;
    let tp = settle_policy(&op, POLICY).await;
    let acl_arn = tp
        .status
        .as_ref()
        .unwrap()
        .web_acl_arn
        .clone()
        .expect("a web ACL");
    settle_channel(&op).await;
    assert_eq!(
        distribution(&op).await.config.web_acl_id.as_deref(),
        Some(acl_arn.as_str())
    );
    let inventory = op.sim.edge_inventory().await;
    assert_eq!(
        (inventory["web ACLs"], inventory["regex pattern sets"]),
        (1, 1)
    );

    // The patterns block exactly the listed sessions, in path and query.
    let waf = op.sim.wafv2();
    let listed = waf.list_regex_pattern_sets().await.unwrap();
    let set = waf
        .get_regex_pattern_set(&listed[0].entity.name, &listed[0].entity.id)
        .await
        .unwrap();
    let config = edge_config(&op, &tp).await;
    let blocked = |uri: &str, query: &str| {
        set.patterns.iter().any(|p| {
            let re = regex::Regex::new(p).unwrap();
            re.is_match(uri) || re.is_match(query)
        })
    };
    let leaked = mint(&config, "k1", 1, Some("leaked-2"));
    assert!(blocked(&format!("/{leaked}/out/v1/abc/index.m3u8"), ""));
    assert!(blocked(
        "/v1/master/x/index.m3u8",
        &format!("manifest.token={leaked}")
    ));
    let fine = mint(&config, "k1", 1, Some("leaked-22"));
    assert!(!blocked(&format!("/{fine}/out/v1/abc/index.m3u8"), ""));

    // More sessions than WAF holds: refused whole, nothing truncated.
    let many: Vec<String> = (0..400).map(|i| format!("session-{i:04}")).collect();
    patch_policy(&op, json!({"revocation": {"sessions": many}})).await;
    let tp = op.reconcile_policy(POLICY).await.unwrap();
    assert_eq!(
        ready_reason(&tp),
        ("False".into(), "TooManySessionsForWaf".into())
    );
    let message = &tp
        .status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .unwrap()
        .message;
    assert!(message.contains("KeyValueStore"), "{message}");
    let unchanged = waf
        .get_regex_pattern_set(&listed[0].entity.name, &listed[0].entity.id)
        .await
        .unwrap();
    assert_eq!(
        unchanged.patterns, set.patterns,
        "the enforced list stays whole"
    );

    // Back to the key value store: the channel drops the web ACL, then it goes.
    patch_policy(
        &op,
        json!({"revocation": {"method": "KeyValueStore", "sessions": ["leaked-1"]}}),
    )
    .await;
    for _ in 0..20 {
        op.reconcile_policy(POLICY).await;
        op.reconcile("news").await.unwrap().unwrap();
        op.sim.advance(Duration::from_secs(60));
        if op.sim.edge_inventory().await["web ACLs"] == 0 {
            break;
        }
    }
    let inventory = op.sim.edge_inventory().await;
    assert_eq!(
        (inventory["web ACLs"], inventory["regex pattern sets"]),
        (0, 0)
    );
    let tp = settle_policy(&op, POLICY).await;
    assert!(tp.status.unwrap().web_acl_arn.is_none());
    assert!(distribution(&op).await.config.web_acl_id.is_none());

    delete_policy(&op).await;
    assert_eq!(op.sim.edge_inventory().await, no_edge_resources());
}

#[tokio::test]
async fn bad_input_is_reported_without_touching_aws() {
    let op = Operator::start().await;
    op.start_channel("news").await;
    let writes = op.sim.faults().writes();
    let tp = create_and_reconcile_once(&op).await;
    assert_eq!(
        ready_reason(&tp),
        ("False".into(), "SigningKeysNotFound".into())
    );

    // A key too short to be safe: named, never shown.
    set_keys(&op, &[("k1", 1)]).await;
    Api::<Secret>::namespaced(op.client.clone(), NS)
        .patch(
            KEYS,
            &PatchParams::default(),
            &Patch::Merge(
                json!({"data": {"k1": base64::engine::general_purpose::STANDARD.encode(b"short")}}),
            ),
        )
        .await
        .unwrap();
    let tp = op.reconcile_policy(POLICY).await.unwrap();
    assert_eq!(
        ready_reason(&tp),
        ("False".into(), "InvalidSigningKeys".into())
    );
    let printed = serde_json::to_string(&tp.status).unwrap();
    assert!(
        printed.contains("\\\"k1\\\"") || printed.contains("k1"),
        "{printed}"
    );
    assert!(!printed.contains("short"), "key material never in status");

    // A second policy for a protected channel is refused by name.
    set_keys(&op, &[("k1", 1)]).await;
    settle_policy(&op, POLICY).await;
    let writes_after_first = op.sim.faults().writes();
    op.create(&support::token_policy("second", KEYS, json!({})))
        .await;
    let tp = op.reconcile_policy("second").await.unwrap();
    assert_eq!(
        ready_reason(&tp),
        ("False".into(), "ChannelAlreadyProtected".into())
    );
    assert_eq!(op.sim.faults().writes(), writes_after_first);
    assert!(writes < writes_after_first);

    // A channel that does not exist.
    let orphan = json!({"channelRefs": [{"name": "nope"}]});
    op.create(&support::token_policy("orphan", KEYS, orphan))
        .await;
    let tp = op.reconcile_policy("orphan").await.unwrap();
    assert_eq!(
        ready_reason(&tp),
        ("False".into(), "ChannelNotFound".into())
    );
    assert_eq!(op.sim.faults().writes(), writes_after_first);
}

#[tokio::test]
async fn mediatailor_reads_a_protected_channel_with_an_origin_pass() {
    let op = Operator::start().await;
    set_keys(&op, &[("k1", 1), ("k2", 2)]).await;
    op.start_channel("news").await;
    let adi = op.create(&support::example_ads()).await;
    let ads_name = adi.metadata.name.clone().unwrap();
    op.create(&policy(json!({}))).await;
    let tp = settle_policy(&op, POLICY).await;
    let reconcile_ads = || async {
        op.reconcile_ads(&ads_name)
            .await
            .expect("the AdInsertion exists")
    };
    let config_name = reconcile_ads()
        .await
        .status
        .unwrap()
        .media_tailor
        .unwrap()
        .playback_configuration_name
        .unwrap();
    let source = || async {
        op.sim
            .mediatailor()
            .get_playback_configuration(&config_name)
            .await
            .unwrap()
            .config
    };
    let config = source().await;
    let path = config
        .video_content_source_url
        .split_once("://")
        .unwrap()
        .1
        .split_once('/')
        .unwrap()
        .1
        .to_string();
    let pass = path.split('/').next().unwrap().to_string();
    let (parsed, mac) = token::origin::parse(&pass).expect("an origin pass");
    assert_eq!(
        (parsed.kid.as_str(), parsed.channel.as_str()),
        ("k1", "news")
    );
    assert!(
        parsed.exp > now() && parsed.exp <= now() + token::origin::MAX_PASS_SECONDS,
        "the pass expires within {} s",
        token::origin::MAX_PASS_SECONDS
    );
    assert!(!format!("{config:?}").contains(mac), "Debug hides the pass");

    // MediaTailor's requests for the channel's manifests pass the edge; the
    // pass opens nothing else: not segments, not another directory, not
    // after it expires.
    let reconciled = get_policy(&op, POLICY).await.unwrap();
    let rules = edge_config(&op, &reconciled).await;
    assert!(
        rules.path_scopes.contains(&"/v1/".to_string()),
        "{:?}",
        rules.path_scopes
    );
    let at_edge = edge(&op, &tp).await;
    let in_channel = at_edge
        .manifest
        .strip_prefix("/out/v1")
        .unwrap()
        .to_string();
    let request = |uri: String| ViewerRequest {
        uri,
        ..Default::default()
    };
    let never = |_: &str| None;
    let decide = |uri: String, at: u64| {
        token::check(&rules, &at_edge.keys(), &never, &request(uri), at)
            .map(|_| ())
            .map_err(|r| r.code())
    };
    assert_eq!(decide(format!("/{path}{in_channel}"), now()), Ok(()));
    let segment = in_channel.replace("index.m3u8", "index_1_00001.ts");
    assert_eq!(
        decide(format!("/{path}{segment}"), now()),
        Err("pass-scope")
    );
    // Another directory is outside the policy's scopes (the channels' own).
    assert_eq!(
        decide(format!("/{path}/other/index.m3u8"), now()),
        Err("scope")
    );
    assert_eq!(
        decide(format!("/{path}{in_channel}"), parsed.exp),
        Err("expired")
    );

    // Steady state keeps the pass; it follows the active key.
    reconcile_ads().await;
    assert_eq!(
        source().await.video_content_source_url,
        config.video_content_source_url
    );
    patch_policy(&op, json!({"signingKeys": {"activeKeyId": "k2"}})).await;
    settle_policy(&op, POLICY).await;
    reconcile_ads().await;
    let rotated = source().await.video_content_source_url;
    assert!(
        rotated.contains("/o.k2."),
        "{}",
        token::origin::redact(&rotated)
    );
    assert!(
        rotated.ends_with("/out/v1"),
        "{}",
        token::origin::redact(&rotated)
    );
}

/// Creates a WAF-revoking policy on an on-air channel, waits until the
/// channel's edge uses it, deletes it; at the `crash_at`-th AWS write the
/// operator "dies" right after AWS applied it and a fresh one takes over.
/// Returns the number of writes the policy's lifecycle made.
async fn policy_lifecycle_with_crash(crash_at: Option<u64>) -> u64 {
    let mut op = Operator::start().await;
    set_keys(&op, &[("k1", 1)]).await;
    op.start_channel("news").await;
    let before = op.sim.faults().writes();
    let mut crash = Crash::arm(&op, crash_at);
    op.create(&policy(
        json!({"revocation": {"method": "Waf", "sessions": ["leaked-1"]}}),
    ))
    .await;
    let mut deleting = false;
    for _ in 0..120 {
        let tp = get_policy(&op, POLICY).await;
        if deleting && tp.is_none() {
            break;
        }
        let folded = distribution(&op).await.config.web_acl_id.is_some();
        if !deleting && folded && tp.as_ref().is_some_and(|t| ready_reason(t).0 == "True") {
            assert_eq!(
                op.sim.edge_inventory().await,
                BTreeMap::from([
                    ("functions", 1),
                    ("key value stores", 1),
                    ("regex pattern sets", 1),
                    ("web ACLs", 1),
                ]),
                "crash at write {crash_at:?}"
            );
            policies(&op)
                .delete(POLICY, &DeleteParams::default())
                .await
                .unwrap();
            deleting = true;
            continue;
        }
        crash
            .step(&mut op, |op| {
                Box::pin(async move {
                    op.reconcile_policy(POLICY).await;
                    let _ = op.reconcile("news").await;
                })
            })
            .await;
        op.sim.advance(Duration::from_secs(30));
    }
    assert!(
        deleting,
        "crash at write {crash_at:?}: the policy never took effect"
    );
    assert!(
        get_policy(&op, POLICY).await.is_none(),
        "crash at write {crash_at:?}: never deleted"
    );
    assert_eq!(
        op.sim.edge_inventory().await,
        no_edge_resources(),
        "crash at write {crash_at:?}"
    );
    assert_eq!(
        op.inventory().await,
        support::operator::one_of_each(),
        "crash at write {crash_at:?}"
    );
    let writes = op.sim.faults().writes() - before;
    crash.check(writes);
    writes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_any_aws_write_of_a_policy_neither_leaks_nor_duplicates() {
    let writes = support::operator::crash_at_every_write(policy_lifecycle_with_crash).await;
    assert!(writes >= 10, "the lifecycle makes {writes} writes");
    eprintln!(
        "survived a crash after each of the {writes} AWS writes of a TokenPolicy's lifecycle"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_controllers_carry_a_rotation_to_the_edge_at_once() {
    let op = Operator::start().await;
    set_keys(&op, &[("k1", 1)]).await;
    op.start_channel("news").await;
    let controllers = [
        tokio::spawn(onair::controller::live_channel::run_in(
            op.ctx.clone(),
            4,
            None,
        )),
        tokio::spawn(onair::controller::token_policy::run_in(
            op.ctx.clone(),
            4,
            None,
        )),
    ];
    op.create(&policy(json!({}))).await;
    let mut folded = false;
    for _ in 0..400 {
        if !distribution(&op)
            .await
            .config
            .default_behavior
            .function_associations
            .is_empty()
        {
            folded = true;
            break;
        }
        op.sim.advance(Duration::from_secs(15));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(folded, "the channel never used the token check");
    // Only the Secret changes: the watch carries the new key to the store.
    set_keys(&op, &[("k1", 1), ("k2", 2)]).await;
    let mut rotated = false;
    for _ in 0..400 {
        let tp = get_policy(&op, POLICY).await.unwrap();
        if tp
            .status
            .as_ref()
            .is_some_and(|s| s.key_ids == ["k1", "k2"])
            && edge(&op, &tp).await.entries.contains_key("k:k2")
        {
            rotated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        rotated,
        "{:?}",
        get_policy(&op, POLICY).await.unwrap().status
    );
    for c in controllers {
        c.abort();
    }
}

#[tokio::test]
async fn an_observe_only_policy_says_what_it_would_write_and_writes_nothing() {
    let op = Operator::start().await;
    set_keys(&op, &[("k1", 1)]).await;
    op.start_channel("news").await;
    op.create(&policy(json!({}))).await;
    let tp = settle_policy(&op, POLICY).await;
    let patch = json!({"metadata": {"annotations": {"onair.dev/observe-only": "true"}}});
    policies(&op)
        .patch(POLICY, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();

    // A new key in the Secret: onair would write it to the store, and does not.
    set_keys(&op, &[("k1", 1), ("k2", 2)]).await;
    let writes = op.sim.faults().writes();
    let observed = op.reconcile_policy(POLICY).await.unwrap();
    assert_eq!(op.sim.faults().writes(), writes, "no AWS write");
    assert_eq!(
        edge(&op, &observed).await.entries,
        edge(&op, &tp).await.entries
    );
    let (status, reason) = ready_reason(&observed);
    assert_eq!((status.as_str(), reason.as_str()), ("False", "ObserveOnly"));
    let ready = observed
        .status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    assert!(
        ready.message.contains("update_keys") && ready.message.contains("observe-only"),
        "{}",
        ready.message
    );

    // Deleted observe-only: the policy goes at once, its store and function
    // stay in AWS.
    policies(&op)
        .delete(POLICY, &DeleteParams::default())
        .await
        .unwrap();
    op.reconcile_policy(POLICY).await;
    assert!(get_policy(&op, POLICY).await.is_none());
    assert_eq!(op.sim.faults().writes(), writes, "no AWS write");
    assert_eq!(
        edge(&op, &observed).await.entries,
        edge(&op, &tp).await.entries
    );
}
