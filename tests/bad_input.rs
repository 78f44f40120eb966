//! The bad-input suite: invalid objects of every kind, each rejected when it is
//! applied (schema and CEL rules, through the local API server) or reported in
//! a `Ready=False` condition by its reconciler, none of them reaching AWS; and
//! no secret of the run appears in any status, event or log line.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::ByteString;
use kube::api::{Api, DynamicObject, PostParams};
use kube::discovery::ApiResource;
use serde_json::{json, Value};
use support::operator::{Operator, NS};

/// What must happen to a case.
enum Expect {
    /// The API server refuses it; its message names this.
    Rejected(&'static str),
    /// Admitted, then its reconciler reports Ready=False with this reason.
    Reported(&'static str),
}

use Expect::{Rejected, Reported};

/// Which example a case starts from.
#[derive(Clone, Copy)]
enum Base {
    Channel,
    Ads,
    Tokens,
    Harvest,
    Provider,
}

fn base(kind: Base) -> Value {
    let file = match kind {
        Base::Channel => "live-channel.yaml",
        Base::Ads => "ad-insertion.yaml",
        Base::Tokens => "token-policy.yaml",
        Base::Harvest => "harvest-job.yaml",
        Base::Provider => "aws-provider.yaml",
    };
    let text = std::fs::read_to_string(support::repo().join("examples").join(file)).unwrap();
    let mut value: Value = serde_yaml::from_str(&text).unwrap();
    // Every case refers to what the suite sets up.
    match kind {
        Base::Ads | Base::Harvest => value["spec"]["channelRef"]["name"] = json!("news"),
        Base::Tokens => {
            value["spec"]["channelRefs"] = json!([{"name": "news"}]);
            value["spec"]["signingKeys"] =
                json!({"secretRef": {"name": "keys"}, "activeKeyId": "k1"});
        }
        _ => {}
    }
    value
}

/// The table: name, base, merge patch (on the whole object), expectation.
fn cases() -> Vec<(&'static str, Base, Value, Expect)> {
    use Base::*;
    let telemetry = |t: Value| json!({"spec": {"cdn": {"telemetry": t}}});
    let token = |t: Value| json!({"spec": t});
    vec![
        // LiveChannel, at apply time.
        (
            "lc-sampling-zero",
            Channel,
            telemetry(json!({"samplingRate": 0})),
            Rejected("samplingRate"),
        ),
        (
            "lc-sampling-over",
            Channel,
            telemetry(json!({"samplingRate": 101})),
            Rejected("samplingRate"),
        ),
        (
            "lc-stream-arn-and-shards",
            Channel,
            telemetry(
                json!({"stream": {"arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/s", "shardCount": 2}}),
            ),
            Rejected("either an existing stream's arn"),
        ),
        (
            "lc-stream-no-shards",
            Channel,
            telemetry(json!({"stream": {"shardCount": 0}})),
            Rejected("shardCount"),
        ),
        (
            "lc-stream-short-retention",
            Channel,
            telemetry(json!({"stream": {"retentionHours": 12}})),
            Rejected("retentionHours"),
        ),
        (
            "lc-stream-bad-arn",
            Channel,
            telemetry(json!({"stream": {"arn": "my-stream"}})),
            Rejected("arn"),
        ),
        (
            "lc-telemetry-bad-field",
            Channel,
            telemetry(json!({"fields": ["TIMESTAMP"]})),
            Rejected("fields"),
        ),
        (
            "lc-telemetry-bad-role",
            Channel,
            telemetry(json!({"roleArn": "logs-role"})),
            Rejected("roleArn"),
        ),
        (
            "lc-firehose-bad-bucket",
            Channel,
            telemetry(
                json!({"firehose": {"bucketArn": "my-bucket", "roleArn": "arn:aws:iam::123456789012:role/f"}}),
            ),
            Rejected("bucketArn"),
        ),
        (
            "lc-firehose-short-buffer",
            Channel,
            telemetry(
                json!({"firehose": {"bucketArn": "arn:aws:s3:::cmcd", "roleArn": "arn:aws:iam::123456789012:role/f", "bufferIntervalSeconds": 30}}),
            ),
            Rejected("bufferIntervalSeconds"),
        ),
        (
            "lc-state-wrong-type",
            Channel,
            json!({"spec": {"state": 5}}),
            Rejected("state"),
        ),
        // TokenPolicy, at apply time.
        (
            "tp-bad-key-id",
            Tokens,
            token(json!({"signingKeys": {"activeKeyId": "bad key!"}})),
            Rejected("activeKeyId"),
        ),
        (
            "tp-channel-twice",
            Tokens,
            token(json!({"channelRefs": [{"name": "news"}, {"name": "news"}]})),
            Rejected("must not name a channel twice"),
        ),
        (
            "tp-ttl-too-short",
            Tokens,
            token(json!({"token": {"maxTtlSeconds": 10}})),
            Rejected("maxTtlSeconds"),
        ),
        (
            "tp-bad-query-name",
            Tokens,
            token(json!({"token": {"queryParameter": "a b"}})),
            Rejected("queryParameter"),
        ),
        (
            "tp-upper-header",
            Tokens,
            token(json!({"token": {"bind": {"headers": ["X-Device"]}}})),
            Rejected("headers"),
        ),
        (
            "tp-bad-session",
            Tokens,
            token(json!({"revocation": {"sessions": ["bad id!"]}})),
            Rejected("sessions"),
        ),
        (
            "tp-short-entry-ttl",
            Tokens,
            token(json!({"revocation": {"entryTtlSeconds": 30}})),
            Rejected("entryTtlSeconds"),
        ),
        (
            "tp-revocation-ends-before-tokens",
            Tokens,
            token(
                json!({"token": {"maxTtlSeconds": 7200}, "revocation": {"enabled": true, "entryTtlSeconds": 3600}}),
            ),
            Rejected("entryTtlSeconds must be at least token.maxTtlSeconds"),
        ),
        (
            "tp-revocation-default-entry-ttl-shorter",
            Tokens,
            token(json!({"token": {"maxTtlSeconds": 90000}, "revocation": {"enabled": true}})),
            Rejected("entryTtlSeconds must be at least token.maxTtlSeconds"),
        ),
        (
            "tp-scope-dot-segment",
            Tokens,
            token(json!({"token": {"pathScopes": ["/out/v1/../private/"]}})),
            Rejected("pathScopes"),
        ),
        (
            "tp-scope-wildcard",
            Tokens,
            token(json!({"token": {"pathScopes": ["/out/*"]}})),
            Rejected("pathScopes"),
        ),
        (
            "tp-scope-no-slash",
            Tokens,
            token(json!({"token": {"pathScopes": ["out/v1"]}})),
            Rejected("pathScopes"),
        ),
        (
            "tp-protect-unknown",
            Tokens,
            token(json!({"protect": "Everything"})),
            Rejected("protect"),
        ),
        (
            "tp-location-cookie",
            Tokens,
            token(json!({"token": {"location": "Cookie"}})),
            Rejected("location"),
        ),
        (
            "tp-status-418",
            Tokens,
            token(json!({"failureStatusCode": 418})),
            Rejected("failureStatusCode"),
        ),
        // AdInsertion and HarvestJob, at apply time.
        (
            "adi-threshold-zero",
            Ads,
            json!({"spec": {"personalizationThresholdSeconds": 0}}),
            Rejected("personalizationThresholdSeconds"),
        ),
        (
            "adi-empty-profile",
            Ads,
            json!({"spec": {"transcodeProfileName": ""}}),
            Rejected("transcodeProfileName"),
        ),
        (
            "adi-bad-suppression",
            Ads,
            json!({"spec": {"availSuppression": {"mode": "BehindLiveEdge", "value": "1 minute"}}}),
            Rejected("value"),
        ),
        (
            "hj-endpoint-unknown",
            Harvest,
            json!({"spec": {"endpoint": "Smooth"}}),
            Rejected("endpoint"),
        ),
        (
            "awsp-bad-role",
            Provider,
            json!({"spec": {"mediaLiveRoleArn": "MediaLiveAccessRole"}}),
            Rejected("mediaLiveRoleArn"),
        ),
        (
            "lc-cidr-host-bits",
            Channel,
            json!({"spec": {"input": {"rtmpPush": {"allowedCidrs": ["203.0.113.7/24"]}}}}),
            Rejected("has host bits set"),
        ),
        // Admitted, then refused by the reconciler before AWS.
        (
            "lc-missing-provider",
            Channel,
            json!({"spec": {"providerRef": {"name": "nowhere"}}}),
            Reported("ProviderNotFound"),
        ),
        (
            "lc-segments-not-on-keyframes",
            Channel,
            json!({"spec": {"packaging": {"hls": {"segmentSeconds": 5}}}}),
            Reported("InvalidSpec"),
        ),
        (
            "tp-no-keys-secret",
            Tokens,
            token(json!({"signingKeys": {"secretRef": {"name": "absent"}}})),
            Reported("SigningKeysNotFound"),
        ),
        (
            "tp-active-key-absent",
            Tokens,
            token(json!({"signingKeys": {"activeKeyId": "k9"}})),
            Reported("ActiveKeyMissing"),
        ),
        (
            "tp-short-key",
            Tokens,
            token(json!({"signingKeys": {"secretRef": {"name": "short-keys"}}})),
            Reported("InvalidSigningKeys"),
        ),
        (
            "tp-dangling-channel",
            Tokens,
            token(json!({"channelRefs": [{"name": "nope"}]})),
            Reported("ChannelNotFound"),
        ),
        (
            "tp-missing-config-map",
            Tokens,
            token(json!({"revocation": {"enabled": true, "configMapRef": {"name": "absent"}}})),
            Reported("RevocationListNotFound"),
        ),
        (
            "tp-bad-session-in-map",
            Tokens,
            token(
                json!({"revocation": {"enabled": true, "configMapRef": {"name": "bad-sessions"}}}),
            ),
            Reported("InvalidSessionId"),
        ),
        (
            "adi-dangling-channel",
            Ads,
            json!({"spec": {"channelRef": {"name": "nope"}}}),
            Reported("ChannelNotReady"),
        ),
        (
            "hj-dangling-channel",
            Harvest,
            json!({"spec": {"channelRef": {"name": "nope"}}}),
            Reported("ChannelNotFound"),
        ),
        (
            "hj-outside-startover",
            Harvest,
            json!({"spec": {"lastMinutes": null, "startTime": "2020-01-01T00:00:00Z", "endTime": "2020-01-01T00:30:00Z"}}),
            Reported("InvalidWindow"),
        ),
    ]
}

/// The API resource of an onair kind.
fn resource(kind: &str) -> ApiResource {
    let gvk = kube::core::GroupVersionKind::gvk("onair.dev", "v1alpha1", kind);
    ApiResource::from_gvk_with_plural(
        &gvk,
        &format!("{}s", kind.to_lowercase()).replace("policys", "policies"),
    )
}

/// A log sink the test can read back.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const KEY: &[u8] = b"a-signing-key-that-must-never-be-printed-0123";
const SHORT_KEY: &[u8] = b"too-short-secret";

#[tokio::test]
async fn invalid_objects_are_refused_or_reported_and_never_reach_aws() {
    let logs = Logs::default();
    let sink = logs.clone();
    let _ = tracing_subscriber::fmt()
        .with_env_filter("debug,kube=info,hyper=info,tower=info")
        .with_writer(move || sink.clone())
        .try_init();
    let op = Operator::start().await;
    let client = op.client.clone();
    // What valid cases refer to: a channel that is never reconciled, keys.
    op.apply(&support::example_channel("news")).await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    for (name, key) in [("keys", KEY), ("short-keys", SHORT_KEY)] {
        let secret = Secret {
            metadata: kube::api::ObjectMeta {
                name: Some(name.into()),
                ..Default::default()
            },
            data: Some([("k1".to_string(), ByteString(key.to_vec()))].into()),
            ..Default::default()
        };
        secrets
            .create(&PostParams::default(), &secret)
            .await
            .unwrap();
    }
    let bad_sessions = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some("bad-sessions".into()),
            ..Default::default()
        },
        data: Some([("not a session".to_string(), "leaked".to_string())].into()),
        ..Default::default()
    };
    Api::<ConfigMap>::namespaced(client.clone(), NS)
        .create(&PostParams::default(), &bad_sessions)
        .await
        .unwrap();

    let mut checked = 0;
    // The shipped invalid examples, through the API server.
    for entry in std::fs::read_dir(support::repo().join("examples/invalid")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect:"))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", path.display()))
            .trim()
            .to_string();
        let value: Value = serde_yaml::from_str(&text).unwrap();
        let message = create(&client, value)
            .await
            .expect_err(&path.display().to_string());
        assert!(message.contains(&expect), "{}: {message}", path.display());
        checked += 1;
    }
    // The table.
    for (name, kind, patch, expect) in cases() {
        let mut object = base(kind);
        json_patch::merge(&mut object, &patch);
        object["metadata"]["name"] = json!(name);
        match expect {
            Rejected(needle) => {
                let message = create(&client, object)
                    .await
                    .err()
                    .unwrap_or_else(|| panic!("{name} was admitted"));
                assert!(message.contains(needle), "{name}: {message}");
            }
            Reported(reason) => {
                create(&client, object)
                    .await
                    .unwrap_or_else(|e| panic!("{name} was rejected at apply time: {e}"));
                let got = reconcile(&op, kind, name).await;
                assert_eq!(got.0, reason, "{name}: {}", got.1);
                assert!(!got.1.is_empty(), "{name}: a message says what to fix");
            }
        }
        checked += 1;
    }
    assert!(checked >= 50, "{checked} invalid objects");
    assert_eq!(op.sim.faults().writes(), 0, "no invalid object reached AWS");

    // No secret in any status, event or log line of the run.
    let mut seen = String::new();
    for kind in ["LiveChannel", "AdInsertion", "TokenPolicy", "HarvestJob"] {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), NS, &resource(kind));
        for o in api.list(&Default::default()).await.unwrap().items {
            seen.push_str(&o.data["status"].to_string());
        }
    }
    let events: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(client.clone(), NS);
    for e in events.list(&Default::default()).await.unwrap().items {
        seen.push_str(&format!("{:?} {:?}", e.note, e.reason));
    }
    seen.push_str(&String::from_utf8_lossy(&logs.0.lock().unwrap()));
    assert!(seen.len() > 1000, "the run said something");
    for secret in [KEY, SHORT_KEY] {
        let text = String::from_utf8_lossy(secret);
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, secret);
        assert!(
            !seen.contains(text.as_ref()) && !seen.contains(&b64),
            "a signing key was printed"
        );
    }
    eprintln!("{checked} invalid objects refused or reported, none reached AWS");
}

/// Applies an object through the API server; the server's message if refused.
async fn create(client: &kube::Client, object: Value) -> Result<(), String> {
    let kind = object["kind"].as_str().unwrap().to_string();
    let resource = resource(&kind);
    let api: Api<DynamicObject> = if kind == "AwsProvider" {
        Api::all_with(client.clone(), &resource)
    } else {
        Api::namespaced_with(client.clone(), NS, &resource)
    };
    let name = object["metadata"]["name"].as_str().unwrap().to_string();
    // As `kubectl apply --server-side` sends it: unknown fields are errors.
    let params = kube::api::PatchParams::apply("bad-input").validation_strict();
    api.patch(&name, &params, &kube::api::Patch::Apply(&object))
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// One reconcile of a case; the Ready condition's reason and message.
async fn reconcile(op: &Operator, kind: Base, name: &str) -> (String, String) {
    let ctx = op.ctx.clone();
    let client = op.client.clone();
    let status = match kind {
        Base::Channel => {
            let lc = op.get(name).await.unwrap();
            onair::controller::live_channel::reconcile(Arc::new(lc), ctx)
                .await
                .unwrap();
            serde_json::to_value(op.get(name).await.unwrap().status).unwrap()
        }
        Base::Tokens => {
            let api: Api<onair::api::TokenPolicy> = Api::namespaced(client, NS);
            let tp = api.get(name).await.unwrap();
            onair::controller::token_policy::reconcile(Arc::new(tp), ctx)
                .await
                .unwrap();
            serde_json::to_value(api.get(name).await.unwrap().status).unwrap()
        }
        Base::Ads => {
            let api: Api<onair::api::AdInsertion> = Api::namespaced(client, NS);
            let adi = api.get(name).await.unwrap();
            onair::controller::ad_insertion::reconcile(Arc::new(adi), ctx)
                .await
                .unwrap();
            serde_json::to_value(api.get(name).await.unwrap().status).unwrap()
        }
        Base::Harvest => {
            let api: Api<onair::api::HarvestJob> = Api::namespaced(client, NS);
            let hj = api.get(name).await.unwrap();
            onair::controller::harvest_job::reconcile(Arc::new(hj), ctx)
                .await
                .unwrap();
            serde_json::to_value(api.get(name).await.unwrap().status).unwrap()
        }
        Base::Provider => unreachable!("providers are not reconciled"),
    };
    let ready = status["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(ready["status"], "False", "{name}: {status}");
    (
        ready["reason"].as_str().unwrap_or_default().to_string(),
        ready["message"].as_str().unwrap_or_default().to_string(),
    )
}
