//! The local API server driven by the unchanged kube-rs client: CRUD, the
//! status subresource, conflicts, finalizers, validation, patches and
//! server-side apply, selectors, pagination, watches, discovery and Tables.

mod support;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::core::Status;
use kube::{Resource, ResourceExt};
use onair::api::LiveChannel;
use onair::apiserver::Options;
use serde_json::json;
use support::{example_channel, server_with_crds, server_with_crds_and};

fn api_error(result: Result<impl std::fmt::Debug, kube::Error>) -> Status {
    match result {
        Err(kube::Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Creates `object` through `api`, which must accept it.
async fn create<K>(api: &Api<K>, object: &K) -> K
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
{
    api.create(&PostParams::default(), object).await.unwrap()
}

/// POSTs `body` (as JSON) to `path` on the server.
async fn post_json(
    server: &onair::apiserver::LocalApiServer,
    path: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, kube::Error> {
    let request = http::Request::post(path)
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .unwrap();
    server.client().request(request).await
}

/// The example channel `news`, with a finalizer, created and then deleted:
/// the object the server keeps, marked for deletion.
async fn held_for_deletion(channels: &Api<LiveChannel>) -> LiveChannel {
    let mut channel = example_channel("news");
    channel.metadata.finalizers = Some(vec!["onair.dev/cleanup".into()]);
    create(channels, &channel).await;
    channels
        .delete("news", &DeleteParams::default())
        .await
        .unwrap();
    channels.get("news").await.unwrap()
}

/// The first `n` changes a watch from `from` sees, as "ADDED name" or
/// "DELETED name".
async fn watched_changes(maps: &Api<ConfigMap>, from: &str, n: usize) -> Vec<String> {
    let mut stream = maps
        .watch(&WatchParams::default().timeout(5), from)
        .await
        .unwrap()
        .boxed();
    let mut seen = Vec::new();
    while seen.len() < n {
        match stream.try_next().await.unwrap().expect("stream open") {
            WatchEvent::Added(m) => seen.push(format!("ADDED {}", m.name_any())),
            WatchEvent::Deleted(m) => seen.push(format!("DELETED {}", m.name_any())),
            other => panic!("unexpected {other:?}"),
        }
    }
    seen
}

/// Server-side applies `crd` as the operator does at start-up.
async fn apply_crd(
    crds: &Api<CustomResourceDefinition>,
    crd: &CustomResourceDefinition,
) -> CustomResourceDefinition {
    crds.patch(
        &crd.name_any(),
        &PatchParams::apply("onair").force(),
        &Patch::Apply(crd),
    )
    .await
    .unwrap()
}

fn config_map(name: &str, labels: &[(&str, &str)]) -> ConfigMap {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": labels.iter().cloned().collect::<std::collections::BTreeMap<_, _>>()},
        "data": {"k": "v"},
    }))
    .unwrap()
}

#[tokio::test]
async fn objects_get_identity_and_optimistic_concurrency() {
    let server = server_with_crds().await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    let created = create(&maps, &config_map("a", &[])).await;
    assert!(created.metadata.uid.is_some());
    assert!(created.metadata.creation_timestamp.is_some());
    let rv = created.resource_version().unwrap();

    let again = api_error(
        maps.create(&PostParams::default(), &config_map("a", &[]))
            .await,
    );
    assert_eq!((again.code, again.reason.as_str()), (409, "AlreadyExists"));

    let mut changed = created.clone();
    changed.data = Some([("k".to_string(), "w".to_string())].into());
    let updated = maps
        .replace("a", &PostParams::default(), &changed)
        .await
        .unwrap();
    assert_ne!(updated.resource_version().unwrap(), rv);
    assert_eq!(updated.metadata.uid, created.metadata.uid);

    // `changed` still carries the old resourceVersion: a stale write.
    let stale = api_error(maps.replace("a", &PostParams::default(), &changed).await);
    assert_eq!((stale.code, stale.reason.as_str()), (409, "Conflict"));
    assert!(
        stale.message.contains("the object has been modified"),
        "{}",
        stale.message
    );

    // A write that changes nothing keeps the resourceVersion.
    let same = maps
        .replace("a", &PostParams::default(), &updated)
        .await
        .unwrap();
    assert_eq!(same.resource_version(), updated.resource_version());

    maps.delete("a", &DeleteParams::default()).await.unwrap();
    let gone = api_error(maps.get("a").await);
    assert_eq!((gone.code, gone.reason.as_str()), (404, "NotFound"));
    assert_eq!(gone.message, "configmaps \"a\" not found");

    let missing_ns: Api<ConfigMap> = Api::namespaced(server.client(), "nowhere");
    let refused = api_error(
        missing_ns
            .create(&PostParams::default(), &config_map("a", &[]))
            .await,
    );
    assert_eq!(refused.code, 404);
    assert!(refused.message.contains("namespaces \"nowhere\" not found"));
    server.stop().await;
}

#[tokio::test]
async fn status_subresource_and_generation() {
    let server = server_with_crds().await;
    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    let created = create(&channels, &example_channel("news")).await;
    assert_eq!(created.metadata.generation, Some(1));

    let status = json!({"status": {"observedGeneration": 1, "channelState": "IDLE"}, "spec": {"state": "Idle"}});
    let after_status = channels
        .patch_status("news", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    let s = after_status.status.as_ref().unwrap();
    assert_eq!(s.channel_state.as_deref(), Some("IDLE"));
    assert_eq!(
        after_status.metadata.generation,
        Some(1),
        "status writes do not bump generation"
    );
    assert_eq!(
        after_status.spec.state, created.spec.state,
        "status writes ignore spec"
    );

    let spec_change = json!({"spec": {"state": "Idle"}, "status": {"channelState": "RUNNING"}});
    let after_spec = channels
        .patch("news", &PatchParams::default(), &Patch::Merge(&spec_change))
        .await
        .unwrap();
    assert_eq!(after_spec.metadata.generation, Some(2));
    assert_eq!(
        after_spec.status.unwrap().channel_state.as_deref(),
        Some("IDLE"),
        "main-resource writes ignore status"
    );

    let labels = json!({"metadata": {"labels": {"team": "news"}}});
    let after_meta = channels
        .patch("news", &PatchParams::default(), &Patch::Merge(&labels))
        .await
        .unwrap();
    assert_eq!(
        after_meta.metadata.generation,
        Some(2),
        "metadata writes do not bump generation"
    );
    server.stop().await;
}

#[tokio::test]
async fn custom_resources_are_validated_with_schema_and_cel_rules() {
    let server = server_with_crds().await;
    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    let mut bad = example_channel("bad");
    bad.spec.encoding.channel_class = onair::api::live_channel::ChannelClass::Standard;
    let rejected = api_error(channels.create(&PostParams::default(), &bad).await);
    assert_eq!((rejected.code, rejected.reason.as_str()), (422, "Invalid"));
    assert!(
        rejected
            .message
            .starts_with("LiveChannel.onair.dev \"bad\" is invalid: "),
        "{}",
        rejected.message
    );
    assert!(
        rejected.message.contains("Standard"),
        "{}",
        rejected.message
    );

    let raw: Api<kube::api::DynamicObject> = Api::namespaced_with(
        server.client(),
        "default",
        &kube::discovery::ApiResource::erase::<LiveChannel>(&()),
    );
    // Unknown fields: Strict (what kubectl sends) refuses them with 400 ...
    let mut unknown = serde_json::to_value(example_channel("extra")).unwrap();
    unknown["spec"]["nonsense"] = json!(1);
    let strict = "/apis/onair.dev/v1alpha1/namespaces/default/livechannels?fieldValidation=Strict";
    let refused = api_error(post_json(&server, strict, &unknown).await);
    assert_eq!(refused.code, 400);
    assert!(
        refused
            .message
            .contains("strict decoding error: unknown field \"spec.nonsense\""),
        "{}",
        refused.message
    );
    // ... and the default (Warn, what kube-rs sends) drops them.
    let created = raw
        .create(
            &PostParams::default(),
            &serde_json::from_value(unknown).unwrap(),
        )
        .await
        .unwrap();
    assert!(created.data["spec"].get("nonsense").is_none());

    // Defaults from the schema are applied by the server: this object leaves
    // out updateStrategy, deletionPolicy and the whole cdn section.
    let mut minimal = serde_json::to_value(example_channel("minimal")).unwrap();
    let spec = minimal["spec"].as_object_mut().unwrap();
    for optional in ["updateStrategy", "deletionPolicy", "cdn"] {
        spec.remove(optional);
    }
    let created = raw
        .create(
            &PostParams::default(),
            &serde_json::from_value(minimal).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(created.data["spec"]["updateStrategy"], "OnNextIdle");
    assert_eq!(created.data["spec"]["deletionPolicy"], "Delete");
    assert_eq!(created.data["spec"]["cdn"]["enabled"], true);

    // Transition rules see the old object: the input type is immutable.
    create(&channels, &example_channel("news")).await;
    let switch = json!({"spec": {"input": {"type": "UrlPull", "rtmpPush": null, "urlPull": {"urls": ["https://example.com/a.m3u8"]}}}});
    let rejected = api_error(
        channels
            .patch("news", &PatchParams::default(), &Patch::Merge(&switch))
            .await,
    );
    assert_eq!(rejected.code, 422);
    assert!(
        rejected.message.contains("immutable"),
        "{}",
        rejected.message
    );
    server.stop().await;
}

#[tokio::test]
async fn finalizers_hold_deletion_until_removed() {
    let server = server_with_crds().await;
    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    let held = held_for_deletion(&channels).await;
    assert!(held.metadata.deletion_timestamp.is_some());

    let add = json!({"metadata": {"finalizers": ["onair.dev/cleanup", "other/late"]}});
    let refused = api_error(
        channels
            .patch("news", &PatchParams::default(), &Patch::Merge(&add))
            .await,
    );
    assert_eq!(refused.code, 422);
    assert!(
        refused.message.contains("no new finalizers"),
        "{}",
        refused.message
    );

    let remove = json!([
        {"op": "test", "path": "/metadata/finalizers", "value": ["onair.dev/cleanup"]},
        {"op": "remove", "path": "/metadata/finalizers"}
    ]);
    let patch: json_patch::Patch = serde_json::from_value(remove).unwrap();
    channels
        .patch("news", &PatchParams::default(), &Patch::Json::<()>(patch))
        .await
        .unwrap();
    assert_eq!(api_error(channels.get("news").await).code, 404);
    server.stop().await;
}

#[tokio::test]
async fn json_patch_test_failures_are_rejected() {
    let server = server_with_crds().await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    create(&maps, &config_map("a", &[])).await;
    let guarded = json!([{"op": "test", "path": "/data/k", "value": "other"}, {"op": "replace", "path": "/data/k", "value": "x"}]);
    let patch: json_patch::Patch = serde_json::from_value(guarded).unwrap();
    let refused = api_error(
        maps.patch("a", &PatchParams::default(), &Patch::Json::<()>(patch))
            .await,
    );
    assert_eq!(refused.code, 422);
    assert_eq!(maps.get("a").await.unwrap().data.unwrap()["k"], "v");
    server.stop().await;
}

#[tokio::test]
async fn server_side_apply_keeps_other_managers_fields() {
    let server = server_with_crds().await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    let gitops = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1", "y": "2"}});
    let created = maps
        .patch("a", &PatchParams::apply("argocd"), &Patch::Apply(&gitops))
        .await
        .unwrap();
    assert_eq!(created.data.as_ref().unwrap().len(), 2);

    let controller = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"z": "3"}});
    maps.patch(
        "a",
        &PatchParams::apply("onair"),
        &Patch::Apply(&controller),
    )
    .await
    .unwrap();

    // GitOps drops `y`: only its own field goes; the controller's `z` stays.
    let reapplied = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1"}});
    let result = maps
        .patch(
            "a",
            &PatchParams::apply("argocd"),
            &Patch::Apply(&reapplied),
        )
        .await
        .unwrap();
    let data = result.data.unwrap();
    assert_eq!(data.get("x").map(String::as_str), Some("1"));
    assert_eq!(data.get("z").map(String::as_str), Some("3"));
    assert!(!data.contains_key("y"));
    let managers: Vec<String> = result
        .metadata
        .managed_fields
        .unwrap()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert!(managers.contains(&"argocd".to_string()) && managers.contains(&"onair".to_string()));

    // Taking another manager's field is a conflict unless forced.
    let takeover = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "9"}});
    let conflict = api_error(
        maps.patch("a", &PatchParams::apply("onair"), &Patch::Apply(&takeover))
            .await,
    );
    assert_eq!(conflict.code, 409);
    assert!(conflict.message.contains("argocd"), "{}", conflict.message);
    let forced = maps
        .patch(
            "a",
            &PatchParams::apply("onair").force(),
            &Patch::Apply(&takeover),
        )
        .await
        .unwrap();
    assert_eq!(forced.data.unwrap()["x"], "9");
    server.stop().await;
}

#[tokio::test]
async fn label_selectors_and_pagination() {
    let server = server_with_crds().await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    for i in 0..7 {
        let tier = if i % 2 == 0 { "gold" } else { "silver" };
        maps.create(
            &PostParams::default(),
            &config_map(&format!("m{i}"), &[("tier", tier)]),
        )
        .await
        .unwrap();
    }
    let gold = maps
        .list(&ListParams::default().labels("tier=gold"))
        .await
        .unwrap();
    assert_eq!(gold.items.len(), 4);
    let not_gold = maps
        .list(&ListParams::default().labels("tier notin (gold)"))
        .await
        .unwrap();
    assert_eq!(not_gold.items.len(), 3);

    let mut names = Vec::new();
    let mut params = ListParams::default().limit(3);
    loop {
        let page = maps.list(&params).await.unwrap();
        assert!(page.items.len() <= 3);
        names.extend(page.items.iter().map(|m| m.name_any()));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => break,
        }
    }
    assert_eq!(names, (0..7).map(|i| format!("m{i}")).collect::<Vec<_>>());
    server.stop().await;
}

#[tokio::test]
async fn watches_resume_from_a_resource_version_and_expire_when_compacted() {
    let server = server_with_crds().await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    let first = create(&maps, &config_map("a", &[])).await;
    let from = first.resource_version().unwrap();

    // A watcher that stopped at `from` resumes and sees exactly what it missed.
    create(&maps, &config_map("b", &[])).await;
    maps.delete("a", &DeleteParams::default()).await.unwrap();
    assert_eq!(
        watched_changes(&maps, &from, 2).await,
        ["ADDED b", "DELETED a"]
    );

    // After compaction the old resourceVersion is gone: 410, list again.
    server.compact();
    let mut stream = maps
        .watch(&WatchParams::default().timeout(5), &from)
        .await
        .unwrap()
        .boxed();
    match stream.try_next().await.unwrap() {
        Some(WatchEvent::Error(e)) => assert_eq!(e.code, 410),
        other => panic!("expected 410 Gone, got {other:?}"),
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_that_falls_behind_catches_up_from_the_history() {
    // One change of buffer: a burst of writes leaves the watch behind. It
    // must catch up from the history, not end with 410 (which makes every
    // client list everything again, and under load again).
    let options = Options {
        watch_buffer: 1,
        ..Options::default()
    };
    let server = server_with_crds_and(options).await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    let from = server.resource_version().to_string();
    let mut stream = maps
        .watch(&WatchParams::default().timeout(60), &from)
        .await
        .unwrap()
        .boxed();
    // The watch is not read during the burst, and the burst (about 38 MB of
    // events) is more than the server's send queue and the loopback socket
    // buffers hold: its sender has to stop, so the watch falls behind however
    // the machine schedules the writes (a burst of small objects did not,
    // on a busy machine).
    let burst = 1200;
    let big = "x".repeat(32 * 1024);
    futures::stream::iter(0..burst)
        .map(|i| {
            let (maps, big) = (maps.clone(), big.clone());
            async move {
                let mut map = config_map(&format!("m{i}"), &[]);
                map.data = Some([("k".to_string(), big)].into());
                maps.create(&PostParams::default(), &map).await.unwrap()
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    let mut versions = Vec::new();
    while versions.len() < burst {
        match stream
            .try_next()
            .await
            .unwrap()
            .expect("the watch stays open")
        {
            WatchEvent::Added(m) => {
                versions.push(m.resource_version().unwrap().parse::<u64>().unwrap())
            }
            other => panic!("expected every creation in order, got {other:?}"),
        }
    }
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(
        server.watch_catch_ups() > 0,
        "the burst never left the watch behind: the test proves nothing"
    );
    server.stop().await;
}

#[tokio::test]
async fn watches_send_bookmarks_when_asked() {
    let options = Options {
        bookmark_interval: Duration::from_millis(100),
        ..Options::default()
    };
    let server = server_with_crds_and(options).await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    create(&maps, &config_map("a", &[])).await;
    let rv = server.resource_version().to_string();
    let mut stream = maps
        .watch(&WatchParams::default().timeout(5), &rv)
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
    {
        Some(WatchEvent::Bookmark(b)) => assert_eq!(b.metadata.resource_version, rv),
        other => panic!("expected a bookmark, got {other:?}"),
    }
    server.stop().await;
}

#[tokio::test]
async fn kube_runtime_watcher_follows_changes() {
    let server = server_with_crds().await;
    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    let events =
        kube::runtime::watcher(channels.clone(), kube::runtime::watcher::Config::default());
    let mut objects = kube::runtime::WatchStreamExt::applied_objects(events).boxed();
    create(&channels, &example_channel("news")).await;
    let seen = tokio::time::timeout(Duration::from_secs(10), objects.try_next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.unwrap().name_any(), "news");
    server.stop().await;
}

#[tokio::test]
async fn discovery_finds_builtin_and_custom_kinds() {
    let server = server_with_crds().await;
    let discovery = kube::discovery::Discovery::new(server.client())
        .run()
        .await
        .unwrap();
    let mut found = std::collections::BTreeMap::new();
    for group in discovery.groups() {
        for (resource, caps) in group.recommended_resources() {
            found.insert(
                resource.kind.clone(),
                caps.scope == kube::discovery::Scope::Namespaced,
            );
        }
    }
    for (kind, namespaced) in [
        ("LiveChannel", true),
        ("AwsProvider", false),
        ("HarvestJob", true),
        ("Lease", true),
        ("Secret", true),
        ("Namespace", false),
        ("CustomResourceDefinition", false),
    ] {
        assert_eq!(found.get(kind), Some(&namespaced), "{kind}");
    }
    server.stop().await;
}

#[tokio::test]
async fn tables_use_the_crd_printer_columns() {
    let server = server_with_crds().await;
    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    create(&channels, &example_channel("news")).await;
    let ready = json!({"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Running", "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}});
    channels
        .patch_status("news", &PatchParams::default(), &Patch::Merge(&ready))
        .await
        .unwrap();

    let (table, columns) = support::live_channel_table(&server.client(), "default").await;
    assert_eq!(table["kind"], "Table");
    assert_eq!(&columns[..2], ["Name", "Desired"].as_slice(), "{columns:?}");
    assert!(
        columns.iter().any(|c| c == "Ready") && columns.iter().any(|c| c == "Age"),
        "{columns:?}"
    );
    let cells = table["rows"][0]["cells"].as_array().unwrap();
    let ready_at = columns.iter().position(|c| c == "Ready").unwrap();
    assert_eq!(cells[0], "news");
    assert_eq!(cells[ready_at], "True");
    server.stop().await;
}

#[tokio::test]
async fn leases_events_and_namespaces_are_served() {
    let server = server_with_crds().await;
    let leases: Api<Lease> = Api::namespaced(server.client(), "default");
    let lease: Lease = serde_json::from_value(json!({"metadata": {"name": "onair-leader"}, "spec": {"holderIdentity": "pod-a", "leaseDurationSeconds": 15}})).unwrap();
    leases.create(&PostParams::default(), &lease).await.unwrap();
    assert_eq!(
        leases
            .get("onair-leader")
            .await
            .unwrap()
            .spec
            .unwrap()
            .holder_identity
            .as_deref(),
        Some("pod-a")
    );

    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    let channel = create(&channels, &example_channel("news")).await;
    let recorder = kube::runtime::events::Recorder::new(server.client(), "onair".into());
    recorder
        .publish(
            &kube::runtime::events::Event {
                type_: kube::runtime::events::EventType::Normal,
                reason: "Created".into(),
                note: Some("MediaLive channel created".into()),
                action: "Reconcile".into(),
                secondary: None,
            },
            &channel.object_ref(&()),
        )
        .await
        .unwrap();
    let events: Api<k8s_openapi::api::events::v1::Event> =
        Api::namespaced(server.client(), "default");
    let listed = events.list(&ListParams::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].reason.as_deref(), Some("Created"));
    // The same event through the core API, as `kubectl describe` looks it up.
    let core: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(server.client(), "default");
    let about_news =
        ListParams::default().fields("involvedObject.name=news,involvedObject.kind=LiveChannel");
    let listed = core.list(&about_news).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(
        listed.items[0].message.as_deref(),
        Some("MediaLive channel created")
    );
    let elsewhere = core
        .list(&ListParams::default().fields("involvedObject.name=other"))
        .await
        .unwrap();
    assert!(elsewhere.items.is_empty());

    // Deleting a namespace deletes what is in it, then the namespace.
    let namespaces: Api<Namespace> = Api::all(server.client());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "team"}})).unwrap();
    create(&namespaces, &ns).await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "team");
    create(&maps, &config_map("a", &[])).await;
    namespaces
        .delete("team", &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(api_error(maps.get("a").await).code, 404);
    assert_eq!(api_error(namespaces.get("team").await).code, 404);
    let protected = api_error(namespaces.delete("default", &DeleteParams::default()).await);
    assert_eq!(protected.code, 403);
    server.stop().await;
}

#[tokio::test]
async fn paged_lists_are_one_consistent_snapshot() {
    let server = server_with_crds().await;
    let maps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    for i in 0..6 {
        create(&maps, &config_map(&format!("m{i}"), &[])).await;
    }
    let first = maps.list(&ListParams::default().limit(3)).await.unwrap();
    let at = first.metadata.resource_version.clone().unwrap();
    // Changes between pages: one item of the next page goes, one is added.
    maps.delete("m4", &DeleteParams::default()).await.unwrap();
    create(&maps, &config_map("m5a", &[])).await;
    let token = first.metadata.continue_.clone().unwrap();
    let second = maps
        .list(&ListParams::default().limit(10).continue_token(&token))
        .await
        .unwrap();
    let names: Vec<String> = second.items.iter().map(|m| m.name_any()).collect();
    assert_eq!(
        names,
        ["m3", "m4", "m5"],
        "the page is served as of the first one"
    );
    assert_eq!(
        second.metadata.resource_version.as_deref(),
        Some(at.as_str())
    );

    // Watching from that version then delivers exactly the later changes.
    assert_eq!(
        watched_changes(&maps, &at, 2).await,
        ["DELETED m4", "ADDED m5a"]
    );
    server.stop().await;
}

#[tokio::test]
async fn repeated_identical_applies_change_nothing() {
    let server = server_with_crds().await;
    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    create(&channels, &example_channel("news")).await;
    let labels = json!({"apiVersion": "onair.dev/v1alpha1", "kind": "LiveChannel", "metadata": {"name": "news", "labels": {"a": "b"}}});
    let status = json!({"apiVersion": "onair.dev/v1alpha1", "kind": "LiveChannel", "status": {"channelState": "IDLE"}});
    let apply = PatchParams::apply("onair").force();
    let mut versions = Vec::new();
    for _ in 0..3 {
        channels
            .patch("news", &apply, &Patch::Apply(&labels))
            .await
            .unwrap();
        let after = channels
            .patch_status("news", &apply, &Patch::Apply(&status))
            .await
            .unwrap();
        versions.push(after.resource_version().unwrap());
    }
    assert_eq!(versions[0], versions[1]);
    assert_eq!(versions[1], versions[2]);

    // Re-applying an unchanged CRD is a no-op too (operator start-up does it).
    let crds: Api<CustomResourceDefinition> = Api::all(server.client());
    let crd = onair::crd::all().remove(0);
    let before = crds.get(&crd.name_any()).await.unwrap().resource_version();
    let after = apply_crd(&crds, &crd).await;
    let again = apply_crd(&crds, &crd).await;
    assert_eq!(after.resource_version(), again.resource_version());
    assert!(before.is_some());
    server.stop().await;
}

#[tokio::test]
async fn marking_for_deletion_bumps_generation_and_bad_bodies_are_refused() {
    let server = server_with_crds().await;
    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    let marked = held_for_deletion(&channels).await;
    assert_eq!(marked.metadata.generation, Some(2));

    for body in [
        json!({"metadata": 5}),
        json!({"metadata": {"name": "s"}, "data": "x", "stringData": {"a": "b"}}),
        json!([1, 2]),
    ] {
        let refused =
            api_error(post_json(&server, "/api/v1/namespaces/default/secrets", &body).await);
        assert!(
            refused.code == 400 || refused.code == 422,
            "{body}: {}",
            refused.message
        );
    }
    server.stop().await;
}
