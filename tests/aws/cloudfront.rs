//! CloudFront: scenarios written once over the traits, run on the simulation and
//! through the real SDK clients over HTTP (moto for distributions, functions and key
//! value stores as far as it models them; onair's emulator over the simulation for
//! the rest and for full-fidelity distribution configs), plus what only the
//! simulation proves (ETag conflicts, deployment, disable-before-delete, in-use checks).

use std::sync::Arc;
use std::time::Duration;

use crate::emu;
use onair::aws::clients::SdkClients;
use onair::aws::cloudfront::*;
use onair::aws::guard::{Budget, Budgets, Limiters};
use onair::aws::ownership::{Owner, Tags};
use onair::aws::sdk::cloudfront::{SdkCloudFront, SdkCloudFrontKvs};
use onair::aws::sim::{Fault, Sim};
use onair::aws::{AwsApis, ErrorKind, Service};

use crate::moto::Moto;
use crate::scenarios::{owner, Backend, Emulated, SimBackend};

pub const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
pub const MEDIAPACKAGE_CACHE: &str = "08627262-05a9-4f76-9ded-b50ca2e3a84f";
pub const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

fn behavior(path: &str, origin: &str, cache: &str) -> CacheBehavior {
    CacheBehavior {
        path_pattern: path.into(),
        target_origin_id: origin.into(),
        viewer_protocol: ViewerProtocol::RedirectToHttps,
        allowed_methods: AllowedMethods::GetHeadOptions,
        compress: true,
        cache_policy_id: cache.into(),
        origin_request_policy_id: None,
        response_headers_policy_id: None,
        function_associations: vec![],
        realtime_log_config_arn: None,
    }
}

/// The workshop's distribution: ad segments by default, `/v1/*` to MediaTailor
/// uncached with viewer headers, `/out/*` to MediaPackage with its cache policy and
/// the CDN authorization header.
pub fn distribution_config(o: &Owner, function_arn: Option<&str>) -> DistributionConfig {
    let mut out = behavior("/out/*", "mediapackage", MEDIAPACKAGE_CACHE);
    if let Some(arn) = function_arn {
        out.function_associations = vec![FunctionAssociation {
            event: FunctionEvent::ViewerRequest,
            function_arn: arn.into(),
        }];
    }
    let mut manifests = behavior("/v1/*", "mediatailor", CACHING_DISABLED);
    manifests.origin_request_policy_id = Some(ALL_VIEWER_EXCEPT_HOST.into());
    DistributionConfig {
        caller_reference: o.token("distribution"),
        comment: "media/news".into(),
        enabled: true,
        price_class: PriceClass::PriceClass100,
        aliases: vec![],
        acm_certificate_arn: None,
        origins: vec![
            Origin {
                id: "mediapackage".into(),
                domain_name: "abc123.mediapackage.eu-west-1.amazonaws.com".into(),
                origin_path: String::new(),
                protocol: OriginProtocol::HttpsOnly,
                custom_headers: vec![OriginHeader {
                    name: "X-MediaPackage-CDNIdentifier".into(),
                    value: "s3cr3t-cdn-identifier".into(),
                }],
            },
            Origin {
                id: "mediatailor".into(),
                domain_name: "0123456789abcdef.mediatailor.eu-west-1.amazonaws.com".into(),
                origin_path: String::new(),
                protocol: OriginProtocol::HttpsOnly,
                custom_headers: vec![],
            },
        ],
        default_behavior: behavior("", "mediatailor", CACHING_DISABLED),
        behaviors: vec![manifests, out],
        web_acl_id: None,
    }
}

async fn deployed(api: &dyn CloudFrontApi, b: &dyn Backend, id: &str) -> Distribution {
    for _ in 0..5 {
        b.settle().await;
        let d = api.get_distribution(id).await.unwrap();
        if d.status == DistributionStatus::Deployed {
            return d;
        }
    }
    panic!("distribution {id} never reached Deployed");
}

/// Create with tags, read back, find by caller reference, update with the ETag, wait
/// for Deployed, disable, delete.
pub async fn distribution_lifecycle(
    api: Arc<dyn CloudFrontApi>,
    b: &dyn Backend,
    function_arn: Option<&str>,
) {
    let o = owner();
    let desired = distribution_config(&o, function_arn);
    let created = api
        .create_distribution(desired.clone(), o.tags("distribution", &Tags::new()))
        .await
        .unwrap();
    assert_eq!(created.status, DistributionStatus::InProgress);
    assert!(!created.etag.is_empty() && created.domain_name.ends_with(".cloudfront.net"));
    assert_eq!(created.config, desired, "the config reads back as written");
    assert!(o.owns("distribution", &api.list_tags(&created.arn).await.unwrap()));

    let got = api.get_distribution(&created.id).await.unwrap();
    assert_eq!(got.config, desired);
    assert!(api
        .list_distributions()
        .await
        .unwrap()
        .iter()
        .any(|d| d.id == created.id && d.enabled));
    let found = api
        .find_distribution(&desired.caller_reference)
        .await
        .unwrap()
        .expect("found by caller reference");
    assert_eq!(found.id, created.id);
    assert!(api.find_distribution("nobody").await.unwrap().is_none());

    // The whole config is replaced: a behaviour more, another comment.
    let mut changed = got.config.clone();
    changed.comment = "media/news (changed)".into();
    changed
        .behaviors
        .push(behavior("/tm/*", "mediatailor", CACHING_DISABLED));
    let updated = api
        .update_distribution(&created.id, changed.clone(), &got.etag)
        .await
        .unwrap();
    assert_eq!(updated.config, changed);

    let d = deployed(&*api, b, &created.id).await;
    let mut disabled = d.config.clone();
    disabled.enabled = false;
    let d = api
        .update_distribution(&created.id, disabled, &d.etag)
        .await
        .unwrap();
    assert!(!d.config.enabled);
    let d = deployed(&*api, b, &created.id).await;
    api.delete_distribution(&created.id, &d.etag).await.unwrap();
    let err = api.get_distribution(&created.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// A key value store and a function using it: DEVELOPMENT, update with the ETag,
/// publish to LIVE, in-use checks, delete.
pub async fn function_lifecycle(api: Arc<dyn CloudFrontApi>, b: &dyn Backend) {
    let o = owner();
    let store_name = o.resource_id("keys", 64);
    let store = api
        .create_key_value_store(&store_name, "signing keys", o.tags("keys", &Tags::new()))
        .await
        .unwrap();
    assert!(store.arn.contains(":key-value-store/"), "{}", store.arn);
    b.settle().await;
    let store = api.describe_key_value_store(&store_name).await.unwrap();
    assert_eq!(store.status, "READY");

    let name = o.resource_id("token", 64);
    let spec = FunctionSpec {
        comment: "token check".into(),
        code: "function handler(event) { return event.request; }".into(),
        key_value_store_arns: vec![store.arn.clone()],
    };
    let f = api
        .create_function(&name, spec.clone(), o.tags("function", &Tags::new()))
        .await
        .unwrap();
    assert!(o.owns("function", &api.list_tags(&f.arn).await.unwrap()));
    assert!(o.owns("keys", &api.list_tags(&store.arn).await.unwrap()));
    assert_eq!(
        (f.stage, f.runtime.as_str(), f.status.as_str()),
        (FunctionStage::Development, FUNCTION_RUNTIME, "UNPUBLISHED")
    );
    assert_eq!(f.key_value_store_arns, vec![store.arn.clone()]);
    assert!(!f.etag.is_empty());
    let err = api
        .create_function(&name, spec.clone(), Tags::new())
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    let err = api
        .describe_function(&name, FunctionStage::Live)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "no LIVE stage before publishing: {err}");
    let code = api
        .get_function_code(&name, FunctionStage::Development)
        .await
        .unwrap();
    assert_eq!(code.code, spec.code);

    let v2 = FunctionSpec {
        code: "function handler(event) { return event.request; } // v2".into(),
        ..spec.clone()
    };
    let updated = api
        .update_function(&name, v2.clone(), &f.etag)
        .await
        .unwrap();
    assert_ne!(updated.etag, f.etag, "every update changes the ETag");
    let err = api
        .update_function(&name, v2.clone(), &f.etag)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "a stale ETag is refused: {err}");

    let live = api.publish_function(&name, &updated.etag).await.unwrap();
    assert_eq!(live.stage, FunctionStage::Live);
    let live = api
        .describe_function(&name, FunctionStage::Live)
        .await
        .unwrap();
    assert_eq!(live.arn, f.arn);
    assert_eq!(
        api.get_function_code(&name, FunctionStage::Live)
            .await
            .unwrap()
            .code,
        v2.code
    );

    let err = api
        .delete_key_value_store(&store_name, &store.etag)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "a store in use is kept: {err}");
    let dev = api
        .describe_function(&name, FunctionStage::Development)
        .await
        .unwrap();
    api.delete_function(&name, &dev.etag).await.unwrap();
    let err = api
        .describe_function(&name, FunctionStage::Development)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    api.delete_key_value_store(&store_name, &store.etag)
        .await
        .unwrap();
}

/// Keys of a store: batched puts and deletes with the data ETag, limits.
pub async fn kvs_data(
    api: Arc<dyn CloudFrontApi>,
    kvs: Arc<dyn CloudFrontKvsApi>,
    b: &dyn Backend,
) {
    let store = api
        .create_key_value_store(&owner().resource_id("keys", 64), "", Tags::new())
        .await
        .unwrap();
    b.settle().await;
    let empty = kvs.describe_store(&store.arn).await.unwrap();
    assert_eq!(empty.item_count, 0);
    let item = |k: &str, v: &str| KvsItem {
        key: k.into(),
        value: v.into(),
    };
    let after = kvs
        .update_keys(
            &store.arn,
            &empty.etag,
            vec![item("key:k2", "secret-2"), item("key:k1", "secret-1")],
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(after.item_count, 2);
    assert_ne!(after.etag, empty.etag);
    assert_eq!(
        kvs.list_keys(&store.arn).await.unwrap(),
        vec![item("key:k1", "secret-1"), item("key:k2", "secret-2")]
    );
    let err = kvs
        .update_keys(&store.arn, &empty.etag, vec![item("x", "y")], vec![])
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "stale data ETag: {err}");
    let many: Vec<_> = (0..51).map(|i| item(&format!("k{i}"), "v")).collect();
    let err = kvs
        .update_keys(&store.arn, &after.etag, many, vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::InvalidRequest { .. }),
        "at most 50 keys per call: {err}"
    );
    let err = kvs
        .update_keys(
            &store.arn,
            &after.etag,
            vec![item("big", &"v".repeat(1025))],
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::InvalidRequest { .. }),
        "{err}"
    );
    let last = kvs
        .update_keys(&store.arn, &after.etag, vec![], vec!["key:k2".into()])
        .await
        .unwrap();
    assert_eq!(last.item_count, 1);
    assert_eq!(
        kvs.describe_store(&store.arn).await.unwrap().etag,
        last.etag
    );
}

pub fn realtime_config(name: &str) -> RealtimeLogConfig {
    RealtimeLogConfig {
        name: name.into(),
        arn: String::new(),
        sampling_rate: 100,
        fields: vec![
            "timestamp".into(),
            "c-ip".into(),
            "cs-uri-stem".into(),
            "cmcd-session-id".into(),
            "cmcd-buffer-length".into(),
        ],
        kinesis_stream_arn: "arn:aws:kinesis:us-east-1:123456789012:stream/cmcd".into(),
        role_arn: "arn:aws:iam::123456789012:role/CloudFrontRealtimeLogs".into(),
    }
}

/// Real-time log configs (create, get, update, delete) and managed policies by name.
pub async fn realtime_and_policies(api: Arc<dyn CloudFrontApi>) {
    let cache = api.list_cache_policies(PolicyOwner::Managed).await.unwrap();
    assert_eq!(
        policy_named(&cache, managed::CACHING_DISABLED).map(|p| p.id.as_str()),
        Some(CACHING_DISABLED)
    );
    assert_eq!(
        policy_named(&cache, managed::ELEMENTAL_MEDIAPACKAGE).map(|p| p.id.as_str()),
        Some(MEDIAPACKAGE_CACHE)
    );
    let origin = api
        .list_origin_request_policies(PolicyOwner::Managed)
        .await
        .unwrap();
    assert_eq!(
        policy_named(&origin, managed::ALL_VIEWER_EXCEPT_HOST_HEADER).map(|p| p.id.as_str()),
        Some(ALL_VIEWER_EXCEPT_HOST)
    );
    let headers = api
        .list_response_headers_policies(PolicyOwner::Managed)
        .await
        .unwrap();
    assert!(policy_named(&headers, managed::CORS_WITH_PREFLIGHT).is_some());
    assert!(api
        .list_cache_policies(PolicyOwner::Custom)
        .await
        .unwrap()
        .is_empty());

    let name = owner().resource_id("cmcd", 64);
    let created = api
        .create_realtime_log_config(realtime_config(&name))
        .await
        .unwrap();
    assert!(created
        .arn
        .ends_with(&format!("realtime-log-config/{name}")));
    assert_eq!(api.get_realtime_log_config(&name).await.unwrap(), created);
    let mut changed = created.clone();
    changed.sampling_rate = 10;
    changed.fields.push("sc-status".into());
    assert_eq!(
        api.update_realtime_log_config(changed.clone())
            .await
            .unwrap(),
        changed
    );
    assert_eq!(api.get_realtime_log_config(&name).await.unwrap(), changed);
    let mut bad = changed.clone();
    bad.sampling_rate = 0;
    let err = api.update_realtime_log_config(bad).await.unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::InvalidRequest { .. }),
        "{err}"
    );
    api.delete_realtime_log_config(&name).await.unwrap();
    let err = api.get_realtime_log_config(&name).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// A published function, ready for a behaviour to use.
pub async fn published_function(api: &dyn CloudFrontApi, name: &str) -> String {
    let f = api
        .create_function(
            name,
            FunctionSpec {
                comment: String::new(),
                code: "function handler(event) { return event.request; }".into(),
                key_value_store_arns: vec![],
            },
            Tags::new(),
        )
        .await
        .unwrap();
    api.publish_function(name, &f.etag).await.unwrap();
    f.arn
}

// --- on the simulation

#[tokio::test]
async fn sim_distribution_lifecycle() {
    let sim = Sim::default();
    let api = sim.cloudfront();
    let arn = published_function(&*api, "token-check").await;
    distribution_lifecycle(api, &SimBackend(sim.clone()), Some(&arn)).await;
}

#[tokio::test]
async fn sim_function_lifecycle() {
    let sim = Sim::default();
    function_lifecycle(sim.cloudfront(), &SimBackend(sim.clone())).await;
}

#[tokio::test]
async fn sim_kvs_data() {
    let sim = Sim::default();
    kvs_data(
        sim.cloudfront(),
        sim.cloudfront_kvs(),
        &SimBackend(sim.clone()),
    )
    .await;
}

#[tokio::test]
async fn sim_realtime_and_policies() {
    realtime_and_policies(Sim::default().cloudfront()).await;
}

// --- through the real SDK clients over HTTP

async fn over_emulator(sim: &Sim) -> (SdkClients, emu::Server, emu::Server) {
    let server = emu::serve(emu::cloudfront::router(sim.cloudfront()))
        .await
        .unwrap();
    let kvs = emu::serve(emu::cloudfront::kvs_router(sim.cloudfront_kvs()))
        .await
        .unwrap();
    let mut settings = crate::moto::settings(&server.url);
    settings.service_endpoints.insert(
        onair::aws::Service::CloudFrontKeyValueStore,
        kvs.url.clone(),
    );
    (SdkClients::load(settings).await, server, kvs)
}

#[tokio::test]
async fn contract_distribution_lifecycle_on_moto() {
    let moto = Moto::start();
    let api = Arc::new(SdkCloudFront::new(&moto.clients().await));
    // moto keeps everything onair sets except function associations.
    distribution_lifecycle(api, &Emulated, None).await;
}

#[tokio::test]
async fn contract_distribution_lifecycle_on_the_emulator() {
    let sim = Sim::default();
    let (clients, _s, _k) = over_emulator(&sim).await;
    let api: Arc<dyn CloudFrontApi> = Arc::new(SdkCloudFront::new(&clients));
    let arn = published_function(&*api, "token-check").await;
    distribution_lifecycle(api, &SimBackend(sim.clone()), Some(&arn)).await;
}

#[tokio::test]
async fn contract_function_lifecycle_on_the_emulator() {
    let sim = Sim::default();
    let (clients, _s, _k) = over_emulator(&sim).await;
    function_lifecycle(
        Arc::new(SdkCloudFront::new(&clients)),
        &SimBackend(sim.clone()),
    )
    .await;
}

#[tokio::test]
async fn contract_kvs_data_on_the_emulator() {
    let sim = Sim::default();
    let (clients, _s, _k) = over_emulator(&sim).await;
    kvs_data(
        Arc::new(SdkCloudFront::new(&clients)),
        Arc::new(SdkCloudFrontKvs::new(&clients)),
        &SimBackend(sim.clone()),
    )
    .await;
    assert_eq!(
        sim.faults()
            .calls(onair::aws::Service::CloudFrontKeyValueStore, "update_keys"),
        5,
        "every call went through the simulation"
    );
}

#[tokio::test]
async fn contract_realtime_and_policies_on_the_emulator() {
    let sim = Sim::default();
    let (clients, _s, _k) = over_emulator(&sim).await;
    realtime_and_policies(Arc::new(SdkCloudFront::new(&clients))).await;
}

/// What moto models of functions and key value stores: create (DEVELOPMENT), describe,
/// get the code, delete.
#[tokio::test]
async fn contract_function_and_store_basics_on_moto() {
    let moto = Moto::start();
    let api = SdkCloudFront::new(&moto.clients().await);
    let store = api
        .create_key_value_store("keys", "signing keys", Tags::new())
        .await
        .unwrap();
    assert!(store.arn.contains(":key-value-store/") && !store.etag.is_empty());
    assert_eq!(
        api.describe_key_value_store("keys").await.unwrap().arn,
        store.arn
    );
    let spec = FunctionSpec {
        comment: "token check".into(),
        code: "function handler(event) { return event.request; }".into(),
        key_value_store_arns: vec![store.arn.clone()],
    };
    let f = api
        .create_function("token-check", spec.clone(), Tags::new())
        .await
        .unwrap();
    assert_eq!(f.stage, FunctionStage::Development);
    assert_eq!(f.key_value_store_arns, spec.key_value_store_arns);
    let d = api
        .describe_function("token-check", FunctionStage::Development)
        .await
        .unwrap();
    assert_eq!(d.arn, f.arn);
    assert_eq!(
        api.get_function_code("token-check", FunctionStage::Development)
            .await
            .unwrap()
            .code,
        spec.code
    );
    api.delete_function("token-check", &d.etag).await.unwrap();
    assert!(api
        .describe_function("token-check", FunctionStage::Development)
        .await
        .unwrap_err()
        .is_not_found());
    api.delete_key_value_store("keys", &store.etag)
        .await
        .unwrap();
}

// --- behaviour only the simulation proves (moto accepts any If-Match)

#[tokio::test]
async fn sim_etags_change_and_stale_ones_are_refused() {
    let sim = Sim::default();
    let api = sim.cloudfront();
    let o = owner();
    let d = api
        .create_distribution(distribution_config(&o, None), Tags::new())
        .await
        .unwrap();
    let mut c = d.config.clone();
    c.comment = "one".into();
    let one = api
        .update_distribution(&d.id, c.clone(), &d.etag)
        .await
        .unwrap();
    assert_ne!(one.etag, d.etag);
    c.comment = "two".into();
    let err = api
        .update_distribution(&d.id, c.clone(), &d.etag)
        .await
        .unwrap_err();
    assert!(
        err.is_conflict() && err.to_string().contains("PreconditionFailed"),
        "{err}"
    );
    assert_eq!(
        api.get_distribution(&d.id).await.unwrap().config.comment,
        "one"
    );
    let mut moved = c.clone();
    moved.caller_reference = "another".into();
    let err = api
        .update_distribution(&d.id, moved, &one.etag)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("IllegalUpdate"), "{err}");
}

#[tokio::test]
async fn sim_caller_reference_makes_create_idempotent() {
    let sim = Sim::default();
    let api = sim.cloudfront();
    let o = owner();
    let config = distribution_config(&o, None);
    let a = api
        .create_distribution(config.clone(), Tags::new())
        .await
        .unwrap();
    let b = api
        .create_distribution(config.clone(), Tags::new())
        .await
        .unwrap();
    assert_eq!(a.id, b.id, "the same request answers the same distribution");
    let mut other = config.clone();
    other.comment = "changed after a crash".into();
    let err = api
        .create_distribution(other, Tags::new())
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    assert!(err.to_string().contains(&a.id), "{err}");
    assert_eq!(
        api.find_distribution(&config.caller_reference)
            .await
            .unwrap()
            .map(|d| d.id),
        Some(a.id)
    );
    assert_eq!(api.list_distributions().await.unwrap().len(), 1);
}

#[tokio::test]
async fn sim_delete_needs_disabled_and_deployed() {
    let sim = Sim::default();
    let api = sim.cloudfront();
    let d = api
        .create_distribution(distribution_config(&owner(), None), Tags::new())
        .await
        .unwrap();
    let err = api.delete_distribution(&d.id, &d.etag).await.unwrap_err();
    assert!(err.to_string().contains("DistributionNotDisabled"), "{err}");
    let mut c = d.config.clone();
    c.enabled = false;
    let d = api.update_distribution(&d.id, c, &d.etag).await.unwrap();
    assert_eq!(d.status, DistributionStatus::InProgress);
    let err = api.delete_distribution(&d.id, &d.etag).await.unwrap_err();
    assert!(
        err.is_conflict() && err.to_string().contains("InProgress"),
        "{err}"
    );
    // Deployment takes the configured time on the simulation clock.
    sim.advance(Duration::from_secs(179));
    assert_eq!(
        api.get_distribution(&d.id).await.unwrap().status,
        DistributionStatus::InProgress
    );
    sim.advance(Duration::from_secs(1));
    assert_eq!(
        api.get_distribution(&d.id).await.unwrap().status,
        DistributionStatus::Deployed
    );
    let err = api.delete_distribution(&d.id, "stale").await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    api.delete_distribution(&d.id, &d.etag).await.unwrap();
}

#[tokio::test]
async fn sim_refuses_configs_aws_refuses() {
    let sim = Sim::default();
    let api = sim.cloudfront();
    let o = owner();
    let mut c = distribution_config(&o, None);
    c.behaviors = (0..76)
        .map(|i| behavior(&format!("/p{i}/*"), "mediapackage", CACHING_DISABLED))
        .collect();
    let err = api.create_distribution(c, Tags::new()).await.unwrap_err();
    assert!(err.to_string().contains("TooManyCacheBehaviors"), "{err}");

    let mut c = distribution_config(&o, None);
    c.default_behavior.path_pattern = "/*".into();
    let err = api.create_distribution(c, Tags::new()).await.unwrap_err();
    assert!(err.to_string().contains("no path pattern"), "{err}");

    let mut c = distribution_config(&o, None);
    c.behaviors[0].target_origin_id = "nowhere".into();
    let err = api.create_distribution(c, Tags::new()).await.unwrap_err();
    assert!(err.to_string().contains("NoSuchOrigin"), "{err}");

    // A function must be published to LIVE before a behaviour can use it.
    let f = api
        .create_function(
            "unpublished",
            FunctionSpec {
                code: "function handler(e) { return e.request; }".into(),
                ..Default::default()
            },
            Tags::new(),
        )
        .await
        .unwrap();
    let err = api
        .create_distribution(distribution_config(&o, Some(&f.arn)), Tags::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not published"), "{err}");

    let err = api
        .create_function(
            "too-big",
            FunctionSpec {
                code: "x".repeat(MAX_FUNCTION_CODE_BYTES + 1),
                ..Default::default()
            },
            Tags::new(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("FunctionSizeLimitExceeded"),
        "{err}"
    );

    let mut c = distribution_config(&o, None);
    c.aliases = vec!["live.example.com".into()];
    let err = api.create_distribution(c, Tags::new()).await.unwrap_err();
    assert!(
        err.to_string().contains("InvalidViewerCertificate"),
        "{err}"
    );
}

#[tokio::test]
async fn sim_in_use_functions_and_log_configs_are_kept() {
    let sim = Sim::default();
    let api = sim.cloudfront();
    let arn = published_function(&*api, "token-check").await;
    let rt = api
        .create_realtime_log_config(realtime_config("cmcd"))
        .await
        .unwrap();
    let mut c = distribution_config(&owner(), Some(&arn));
    c.default_behavior.realtime_log_config_arn = Some(rt.arn.clone());
    let d = api.create_distribution(c, Tags::new()).await.unwrap();

    let dev = api
        .describe_function("token-check", FunctionStage::Development)
        .await
        .unwrap();
    let live = api
        .describe_function("token-check", FunctionStage::Live)
        .await
        .unwrap();
    assert_eq!(live.status, "DEPLOYED");
    let err = api
        .delete_function("token-check", &dev.etag)
        .await
        .unwrap_err();
    assert!(
        err.is_conflict() && err.to_string().contains("FunctionInUse"),
        "{err}"
    );
    let err = api.delete_realtime_log_config("cmcd").await.unwrap_err();
    assert!(err.to_string().contains("RealtimeLogConfigInUse"), "{err}");

    // Detach both, then they go.
    let mut c = d.config.clone();
    c.default_behavior.realtime_log_config_arn = None;
    for b in c.behaviors.iter_mut() {
        b.function_associations.clear();
    }
    api.update_distribution(&d.id, c, &d.etag).await.unwrap();
    api.delete_function("token-check", &dev.etag).await.unwrap();
    api.delete_realtime_log_config("cmcd").await.unwrap();
}

#[tokio::test]
async fn sim_kvs_is_provisioning_first() {
    let sim = Sim::default();
    let api = sim.cloudfront();
    let store = api
        .create_key_value_store("keys", "", Tags::new())
        .await
        .unwrap();
    assert_eq!(store.status, "PROVISIONING");
    let err = sim
        .cloudfront_kvs()
        .describe_store(&store.arn)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    sim.advance(Duration::from_secs(5));
    assert_eq!(
        api.describe_key_value_store("keys").await.unwrap().status,
        "READY"
    );
    sim.cloudfront_kvs()
        .describe_store(&store.arn)
        .await
        .unwrap();
}

#[test]
fn origin_header_values_never_print() {
    let c = distribution_config(&owner(), None);
    let printed = format!("{c:?}");
    assert!(printed.contains("X-MediaPackage-CDNIdentifier"));
    assert!(!printed.contains("s3cr3t"), "{printed}");
    let item = KvsItem {
        key: "key:k1".into(),
        value: "signing-secret".into(),
    };
    assert!(!format!("{item:?}").contains("signing-secret"));
}

// --- behind the production guard

fn guarded_apis(sim: &Sim, region: &str, limiters: &Arc<Limiters>) -> AwsApis {
    AwsApis::sim(sim, limiters.guard(sim.account(), region))
}

#[tokio::test(start_paused = true)]
async fn a_create_retried_after_a_crash_point_makes_one_distribution() {
    let sim = Sim::default();
    let apis = guarded_apis(&sim, sim.region(), &Limiters::new(Budgets::default()));
    sim.faults().inject(
        Service::CloudFront,
        "create_distribution",
        Fault::CrashAfter,
        1,
    );
    let o = owner();
    let d = apis
        .cloudfront
        .create_distribution(distribution_config(&o, None), Tags::new())
        .await
        .expect(
            "the guard retries the crash; the same CallerReference answers the same distribution",
        );
    assert_eq!(
        sim.faults()
            .calls(Service::CloudFront, "create_distribution"),
        2
    );
    let all = apis.cloudfront.list_distributions().await.unwrap();
    assert_eq!(all.iter().map(|s| &s.id).collect::<Vec<_>>(), vec![&d.id]);
}

/// An update whose answer is lost is retried with the ETag it was computed from, now
/// stale: the caller gets Conflict, re-reads, and finds its change already applied.
/// Updates are never blindly re-applied over someone else's change.
#[tokio::test(start_paused = true)]
async fn an_update_retried_after_a_crash_point_answers_conflict_and_was_applied() {
    let sim = Sim::default();
    let apis = guarded_apis(&sim, sim.region(), &Limiters::new(Budgets::default()));
    let d = apis
        .cloudfront
        .create_distribution(distribution_config(&owner(), None), Tags::new())
        .await
        .unwrap();
    let mut c = d.config.clone();
    c.comment = "changed".into();
    sim.faults().inject(
        Service::CloudFront,
        "update_distribution",
        Fault::CrashAfter,
        1,
    );
    let err = apis
        .cloudfront
        .update_distribution(&d.id, c.clone(), &d.etag)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(
        apis.cloudfront
            .get_distribution(&d.id)
            .await
            .unwrap()
            .config,
        c
    );

    // The same holds for key value store data.
    let store = apis
        .cloudfront
        .create_key_value_store("keys", "", Tags::new())
        .await
        .unwrap();
    sim.advance(Duration::from_secs(5));
    let data = apis
        .cloudfront_kvs
        .describe_store(&store.arn)
        .await
        .unwrap();
    sim.faults().inject(
        Service::CloudFrontKeyValueStore,
        "update_keys",
        Fault::CrashAfter,
        1,
    );
    let put = KvsItem {
        key: "key:k1".into(),
        value: "secret".into(),
    };
    let err = apis
        .cloudfront_kvs
        .update_keys(&store.arn, &data.etag, vec![put.clone()], vec![])
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(
        apis.cloudfront_kvs.list_keys(&store.arn).await.unwrap(),
        vec![put]
    );
}

/// CloudFront and WAF (CLOUDFRONT scope) are global: callers working in different
/// regions share one budget.
#[tokio::test(start_paused = true)]
async fn global_services_share_one_budget_across_regions() {
    let sim = Sim::default();
    let mut budgets = Budgets::default();
    budgets
        .overrides
        .insert(Service::CloudFront, Budget::per_second(1));
    budgets
        .overrides
        .insert(Service::Wafv2, Budget::per_second(1));
    let limiters = Limiters::new(budgets);
    let eu = guarded_apis(&sim, "eu-west-1", &limiters);
    let us = guarded_apis(&sim, "us-west-2", &limiters);
    let start = tokio::time::Instant::now();
    for api in [&eu, &us, &eu, &us] {
        api.cloudfront.list_distributions().await.unwrap();
    }
    assert!(
        start.elapsed() >= Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    let start = tokio::time::Instant::now();
    for api in [&eu, &us, &eu] {
        api.wafv2.list_web_acls().await.unwrap();
    }
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

/// The production wiring: AwsApis::sdk builds every CloudFront and WAF client, and
/// they reach the endpoints they were given.
#[tokio::test]
async fn sdk_apis_reach_the_configured_endpoints() {
    let sim = Sim::default();
    let (clients, _s, _k) = over_emulator(&sim).await;
    let apis = AwsApis::sdk(&clients, Limiters::new(Budgets::default()).guard("a", "b"));
    assert!(!apis
        .cloudfront
        .list_cache_policies(PolicyOwner::Managed)
        .await
        .unwrap()
        .is_empty());
    let err = apis
        .cloudfront_kvs
        .describe_store("arn:aws:cloudfront::123456789012:key-value-store/none")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
