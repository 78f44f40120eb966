//! The LiveChannel reconciler end to end: the local API server and the AWS
//! simulation, reconciles driven by hand (and once by the real controller).

mod support;

use std::time::Duration;

use onair::api::ConditionStatus;
use onair::aws::Service;
use onair::k8s::secret_access::SecretAccess;
use support::operator::{
    channel_state, condition, crash_at_every_write, none_of_each, one_of_each, ready, Crash,
    Operator,
};

use support::operator::on_air as running;

#[tokio::test]
async fn a_channel_goes_on_air_idles_and_deletes_to_nothing() {
    let op = Operator::start().await;
    op.apply(&support::example_channel("news")).await;

    // The round that adds the finalizer creates without listing what
    // MediaLive holds: nothing of this channel could exist before it. (A later
    // round may list: it cannot know whether an earlier one created a child
    // and died before recording it.)
    let first = op.reconcile("news").await;
    assert!(first.is_some());
    for list in ["list_input_security_groups", "list_inputs", "list_channels"] {
        assert_eq!(op.sim.faults().calls(Service::MediaLive, list), 0, "{list}");
    }
    assert_eq!(
        op.sim
            .faults()
            .calls(Service::MediaLive, "create_input_security_group"),
        1,
        "the first round created children"
    );

    let lc = op.settle("news", running).await.unwrap();
    let status = lc.status.as_ref().unwrap();
    let playback = status.playback.as_ref().unwrap();
    let hls = playback.hls.as_deref().unwrap();
    assert!(
        hls.starts_with("https://d") && hls.contains(".cloudfront.net/"),
        "{hls}"
    );
    assert!(playback
        .origin_hls
        .as_deref()
        .unwrap()
        .contains("mediapackage"));
    assert!(playback.dash.is_some());
    assert_eq!(status.ingest.len(), 1);
    assert!(
        status.ingest[0].url.starts_with("rtmp://"),
        "{:?}",
        status.ingest
    );
    let resources = status.resources.as_ref().unwrap();
    assert!(resources.channel_id.is_some() && resources.distribution_id.is_some());
    assert_eq!(status.observed_generation, lc.metadata.generation);
    for condition_type in ["InputReady", "PackagingReady", "CdnReady", "EncoderReady"] {
        assert_eq!(
            condition(Some(&lc), condition_type).unwrap().status,
            ConditionStatus::True,
            "{condition_type}"
        );
    }
    assert_eq!(
        condition(Some(&lc), "TelemetryReady").unwrap().reason,
        "Logging",
        "{:?}",
        condition(Some(&lc), "TelemetryReady")
    );
    assert!(resources.kinesis_stream_arn.is_some() && resources.realtime_log_config_arn.is_some());
    let annotations = lc.metadata.annotations.clone().unwrap_or_default();
    for child in [
        "input-security-group",
        "input",
        "channel",
        "packaging-channel",
        "hls-endpoint",
        "dash-endpoint",
        "cdn-secret",
        "distribution",
    ] {
        assert!(
            annotations.contains_key(&format!("onair.dev/{child}-id")),
            "{child}"
        );
    }
    assert_eq!(op.inventory().await, one_of_each());
    let reasons = op.event_reasons("news").await;
    assert!(
        reasons.iter().filter(|r| *r == "Created").count() >= 8,
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r == "Starting"), "{reasons:?}");
    // No secret reaches status or events.
    let text = serde_json::to_string(&lc).unwrap();
    assert!(!text.contains("MediaPackageCDNIdentifier"));

    // Steady state: reads only, at most one per resource.
    let writes = op.sim.faults().writes();
    let calls: u64 = op.sim.faults().all_calls().values().sum();
    for _ in 0..3 {
        op.reconcile("news").await.unwrap().unwrap();
        op.sim.advance(Duration::from_secs(30));
    }
    assert_eq!(
        op.sim.faults().writes(),
        writes,
        "steady state makes no writes"
    );
    let reads = op.sim.faults().all_calls().values().sum::<u64>() - calls;
    // Security group, input, secret, MediaPackage channel, two endpoints,
    // distribution, MediaLive channel, telemetry stream and its log config.
    assert!(
        reads <= 3 * 10,
        "{reads} reads for 3 resyncs of 10 resources"
    );

    // Idle, then on air again.
    op.patch_spec("news", serde_json::json!({"state": "Idle"}))
        .await;
    let lc = op
        .settle("news", |lc| {
            ready(lc) && channel_state(lc).as_deref() == Some("IDLE")
        })
        .await
        .unwrap();
    assert_eq!(condition(Some(&lc), "Ready").unwrap().reason, "Idle");
    op.patch_spec("news", serde_json::json!({"state": "Running"}))
        .await;
    op.settle("news", running).await;

    op.delete("news").await;
    op.settle("news", |lc| lc.is_none()).await;
    assert_eq!(op.inventory().await, none_of_each());
    let reasons = op.event_reasons("news").await;
    assert!(reasons.iter().any(|r| r == "Deleted"), "{reasons:?}");
}

#[tokio::test]
async fn an_encoding_change_while_running_waits_for_idle_or_restarts() {
    let op = Operator::start().await;
    op.start_channel("news").await;
    let faults = op.sim.faults();
    let (updates, stops) = (
        faults.calls(Service::MediaLive, "update_channel"),
        faults.calls(Service::MediaLive, "stop_channel"),
    );

    op.patch_spec(
        "news",
        serde_json::json!({"encoding": {"ladder": {"preset": "Hd1080"}}}),
    )
    .await;
    let lc = op
        .settle("news", |lc| {
            condition(lc, "UpdatePending").is_some_and(|c| c.status == ConditionStatus::True)
        })
        .await
        .unwrap();
    assert!(running(Some(&lc)), "viewers are not interrupted");
    for _ in 0..3 {
        op.reconcile("news").await.unwrap().unwrap();
    }
    assert_eq!(faults.calls(Service::MediaLive, "update_channel"), updates);
    assert_eq!(faults.calls(Service::MediaLive, "stop_channel"), stops);
    assert!(condition(Some(&lc), "UpdatePending")
        .unwrap()
        .message
        .contains("OnNextIdle"));

    op.patch_spec("news", serde_json::json!({"updateStrategy": "Restart"}))
        .await;
    let lc = op
        .settle("news", |lc| {
            running(lc)
                && condition(lc, "UpdatePending")
                    .is_some_and(|c| c.status == ConditionStatus::False)
        })
        .await
        .unwrap();
    assert_eq!(faults.calls(Service::MediaLive, "stop_channel"), stops + 1);
    assert_eq!(
        faults.calls(Service::MediaLive, "update_channel"),
        updates + 1
    );
    let id = lc.status.unwrap().resources.unwrap().channel_id.unwrap();
    let channel = op.sim.medialive().describe_channel(&id).await.unwrap();
    assert_eq!(
        channel.settings.encoding.renditions.len(),
        4,
        "the 1080p ladder"
    );
}

#[tokio::test]
async fn drift_is_corrected_and_deleted_children_are_recreated() {
    let op = Operator::start().await;
    let lc = op.start_channel("news").await;
    let resources = lc.status.unwrap().resources.unwrap();

    // Someone opens the input to the world, and deletes the HLS endpoint.
    let medialive = op.sim.medialive();
    let group = resources.input_security_group_id.unwrap();
    medialive
        .update_input_security_group(&group, vec!["0.0.0.0/0".into()])
        .await
        .unwrap();
    op.sim
        .mediapackage()
        .delete_origin_endpoint(&resources.hls_endpoint_id.unwrap())
        .await
        .unwrap();
    op.reconcile("news").await.unwrap().unwrap();
    let restored = medialive
        .describe_input_security_group(&group)
        .await
        .unwrap();
    assert_eq!(restored.cidrs, ["203.0.113.0/24"]);
    let reasons = op.event_reasons("news").await;
    assert!(reasons.iter().any(|r| r == "DriftCorrected"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r == "Recreated"), "{reasons:?}");
    op.settle("news", running).await;
    assert_eq!(op.inventory().await, one_of_each());
}

#[tokio::test]
async fn id_annotations_adopt_existing_resources() {
    let op = Operator::start().await;
    let mut first = support::example_channel("old");
    first.spec.deletion_policy = onair::api::DeletionPolicy::Retain;
    op.apply(&first).await;
    let old = op.settle("old", running).await.unwrap();
    op.delete("old").await;
    op.settle("old", |lc| lc.is_none()).await;
    assert_eq!(
        op.inventory().await,
        one_of_each(),
        "Retain leaves everything"
    );

    let ids: std::collections::BTreeMap<String, String> = old
        .metadata
        .annotations
        .unwrap()
        .into_iter()
        .filter(|(k, _)| k.ends_with("-id"))
        .collect();
    let mut adopting = support::example_channel("new");
    adopting.metadata.annotations = Some(ids.clone());
    let creates = |op: &Operator| -> u64 {
        let calls = op.sim.faults().all_calls();
        calls
            .iter()
            .filter(|((_, operation), _)| operation.starts_with("create_"))
            .map(|(_, n)| n)
            .sum()
    };
    let created = creates(&op);
    op.apply(&adopting).await;
    let new = op.settle("new", running).await.unwrap();
    assert_eq!(
        op.inventory().await,
        one_of_each(),
        "nothing new was created"
    );
    assert_eq!(creates(&op), created, "no create call in any service");
    assert_eq!(
        new.status.unwrap().resources.unwrap().channel_id,
        ids.get("onair.dev/channel-id").cloned()
    );

    op.delete("new").await;
    op.settle("new", |lc| lc.is_none()).await;
    assert_eq!(op.inventory().await, none_of_each());
}

/// Applies `channel` and reconciles it once: its Ready condition then, and
/// whether it is Stalled.
async fn applied_and_reconciled(
    op: &Operator,
    channel: &onair::api::LiveChannel,
) -> (onair::api::Condition, bool) {
    let name = channel.metadata.name.clone().unwrap();
    op.apply(channel).await;
    op.reconcile(&name).await.unwrap().unwrap();
    let lc = op.get(&name).await;
    let ready = condition(lc.as_ref(), "Ready").cloned().unwrap();
    (ready, condition(lc.as_ref(), "Stalled").is_some())
}

#[tokio::test]
async fn invalid_input_is_reported_without_touching_aws() {
    let op = Operator::start().await;
    let mut channel = support::example_channel("bad");
    channel.spec.packaging.hls.segment_seconds = 5; // not a multiple of the 2 s GOP
    let (ready, stalled) = applied_and_reconciled(&op, &channel).await;
    assert_eq!(ready.status, ConditionStatus::False);
    assert_eq!(ready.reason, "InvalidSpec");
    assert!(
        ready.message.contains("multiple of encoding.gopSeconds"),
        "{}",
        ready.message
    );
    assert!(stalled);
    assert_eq!(op.sim.faults().writes(), 0);

    let mut orphan = support::example_channel("orphan");
    orphan.spec.provider_ref = Some(onair::api::common::ProviderRef {
        name: "missing".into(),
    });
    let (ready, _) = applied_and_reconciled(&op, &orphan).await;
    assert_eq!(ready.reason, "ProviderNotFound");
    assert!(ready.message.contains("\"missing\""));
    assert_eq!(op.sim.faults().writes(), 0);

    // Each side within the schema's 40 tags, together over AWS's 50.
    let mut tagged: onair::api::AwsProvider = support::example("aws-provider.yaml");
    tagged.metadata.name = Some("tagged".into());
    tagged.spec.tags = (0..30).map(|i| (format!("p{i}"), "v".into())).collect();
    kube::Api::<onair::api::AwsProvider>::all(op.client.clone())
        .create(&Default::default(), &tagged)
        .await
        .unwrap();
    let mut crowded = support::example_channel("crowded");
    crowded.spec.provider_ref = Some(onair::api::common::ProviderRef {
        name: "tagged".into(),
    });
    crowded.spec.tags = (0..20).map(|i| (format!("c{i}"), "v".into())).collect();
    let (ready, stalled) = applied_and_reconciled(&op, &crowded).await;
    assert_eq!(ready.reason, "TooManyTags");
    assert!(
        ready.message.contains("54 is over AWS's 50"),
        "{}",
        ready.message
    );
    assert!(stalled);
    assert_eq!(op.sim.faults().writes(), 0);
}

/// An allowed CIDR with host bits set (`203.0.113.7/24`) is refused at
/// apply time (the CRD's CEL rule), saying what to write instead, and
/// nothing reaches AWS; written as the message says, it goes on air. (A
/// channel stored before the rule is refused by the reconciler, keeping its
/// status: plan::live_channel_validation and status::keep_known.)
#[tokio::test]
async fn an_allowed_cidr_with_host_bits_is_refused_at_apply_time() {
    let op = Operator::start().await;
    let mut channel = support::example_channel("sloppy");
    let rtmp = channel.spec.input.rtmp_push.as_mut().unwrap();
    rtmp.allowed_cidrs = vec!["198.51.100.0/24".into(), "203.0.113.7/24".into()];
    let refused = op
        .api()
        .create(&kube::api::PostParams::default(), &channel)
        .await
        .expect_err("the API server refuses host bits");
    let kube::Error::Api(status) = refused else {
        panic!("{refused}")
    };
    assert_eq!(status.code, 422, "{status:?}");
    assert!(
        status.message.contains(
            "a CIDR has host bits set (such as 203.0.113.7/24): write the network (203.0.113.0/24), or one address as /32 (203.0.113.7/32)"
        ),
        "{}",
        status.message
    );
    let calls: u64 = op.sim.faults().all_calls().values().sum();
    assert_eq!(
        calls,
        0,
        "AWS was called: {:?}",
        op.sim.faults().all_calls()
    );

    let rtmp = channel.spec.input.rtmp_push.as_mut().unwrap();
    rtmp.allowed_cidrs = vec!["198.51.100.0/24".into(), "203.0.113.7/32".into()];
    op.apply(&channel).await;
    op.settle("sloppy", running).await.unwrap();
}

/// Without a CDN players read MediaPackage: the playback URLs, and so the
/// PLAYBACK column of `kubectl get lc`, are the endpoints' own.
#[tokio::test]
async fn without_a_cdn_the_playback_urls_are_the_mediapackage_endpoints() {
    let op = Operator::start().await;
    let mut channel = support::example_channel("direct");
    channel.spec.cdn.enabled = false;
    channel.spec.cdn.telemetry = None;
    op.apply(&channel).await;
    let lc = op.settle("direct", running).await.unwrap();
    let status = lc.status.as_ref().unwrap();
    let resources = status.resources.as_ref().unwrap();
    assert!(resources.distribution_id.is_none(), "no distribution");
    let mediapackage = op.sim.mediapackage();
    let endpoint_url = |id: Option<String>| async {
        mediapackage
            .describe_origin_endpoint(&id.expect("the endpoint exists"))
            .await
            .unwrap()
            .url
    };
    let hls = endpoint_url(resources.hls_endpoint_id.clone()).await;
    let dash = endpoint_url(resources.dash_endpoint_id.clone()).await;
    let playback = status.playback.as_ref().unwrap();
    assert_eq!(playback.hls.as_deref(), Some(hls.as_str()));
    assert_eq!(playback.dash.as_deref(), Some(dash.as_str()));
    assert_eq!(playback.origin_hls.as_deref(), Some(hls.as_str()));
    assert!(hls.contains(".mediapackage."), "{hls}");

    // What `kubectl get lc` prints: the server's Table, from the CRD's columns.
    let (table, columns) = support::live_channel_table(&op.client, "default").await;
    let at = columns.iter().position(|c| c == "Playback").unwrap();
    let row = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "direct")
        .unwrap();
    assert_eq!(row["cells"][at], hls.as_str(), "{row}");
}

#[tokio::test]
async fn the_controller_reconciles_what_is_applied() {
    let op = Operator::start().await;
    let controller = tokio::spawn(onair::controller::live_channel::run_in(
        op.ctx.clone(),
        4,
        None,
    ));
    op.apply(&support::example_channel("news")).await;
    let mut on_air = false;
    for _ in 0..400 {
        if running(op.get("news").await.as_ref()) {
            on_air = true;
            break;
        }
        op.sim.advance(Duration::from_secs(15));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(on_air, "{:?}", op.get("news").await.and_then(|l| l.status));
    op.delete("news").await;
    let mut gone = false;
    for _ in 0..400 {
        if op.get("news").await.is_none() {
            gone = true;
            break;
        }
        op.sim.advance(Duration::from_secs(15));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(gone);
    assert_eq!(op.inventory().await, none_of_each());
    controller.abort();
}

/// Creates, goes on air and deletes one channel; at the `crash_at`-th AWS
/// write (if any) the operator "dies" right after AWS applied it and a fresh
/// one takes over. Checks exactly one of each resource on air, none after.
/// Returns the number of AWS writes the lifecycle made.
async fn lifecycle_with_crash(crash_at: Option<u64>) -> u64 {
    let mut op = Operator::start().await;
    let mut crash = Crash::arm(&op, crash_at);
    op.apply(&support::example_channel("news")).await;
    let mut deleting = false;
    for _ in 0..200 {
        let lc = op.get("news").await;
        if !deleting && running(lc.as_ref()) {
            assert_eq!(
                op.inventory().await,
                one_of_each(),
                "crash at write {crash_at:?}"
            );
            op.delete("news").await;
            deleting = true;
            continue;
        }
        if deleting && lc.is_none() {
            break;
        }
        let Some(lc) = lc else { break };
        crash
            .step(&mut op, |op| {
                Box::pin(async move {
                    let lc = std::sync::Arc::new(lc);
                    let _ = onair::controller::live_channel::reconcile(lc, op.ctx.clone()).await;
                })
            })
            .await;
        op.sim.advance(Duration::from_secs(30));
    }
    assert!(deleting, "crash at write {crash_at:?}: never went on air");
    assert!(
        op.get("news").await.is_none(),
        "crash at write {crash_at:?}: never deleted"
    );
    assert_eq!(
        op.inventory().await,
        none_of_each(),
        "crash at write {crash_at:?}"
    );
    let writes = op.sim.faults().writes();
    crash.check(writes);
    writes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_any_aws_mutation_neither_leaks_nor_duplicates() {
    let writes = crash_at_every_write(lifecycle_with_crash).await;
    assert!(writes >= 15, "the lifecycle makes {writes} writes");
    eprintln!("survived a crash after each of the {writes} AWS writes of the lifecycle");
}

#[tokio::test]
async fn plan_compares_a_changed_spec_with_aws_without_writing() {
    let op = Operator::start().await;
    let live = op.start_channel("news").await;
    let plan = onair::controller::live_channel::plan(&op.ctx, &live, &op.api())
        .await
        .unwrap();
    assert!(plan.in_sync, "{:#?}", plan.lines);
    assert_eq!(plan.lines.len(), 10, "{:#?}", plan.lines);

    let mut edited = live.clone();
    edited.spec.input.rtmp_push.as_mut().unwrap().allowed_cidrs = vec!["198.51.100.0/24".into()];
    edited.spec.encoding.ladder.preset = Some(onair::api::live_channel::LadderPreset::Hd1080);
    edited.spec.packaging.dash.enabled = false;
    let writes = op.sim.faults().writes();
    let plan = onair::controller::live_channel::plan(&op.ctx, &edited, &op.api())
        .await
        .unwrap();
    let text = plan.lines.join("\n");
    assert!(!plan.in_sync);
    assert!(text.contains("~ MediaLive input security group"), "{text}");
    assert!(text.contains("198.51.100.0/24"), "{text}");
    assert!(text.contains("- MediaPackage DASH endpoint"), "{text}");
    assert!(text.contains("update on the next Idle"), "{text}");
    assert!(text.contains("encoding.renditions"), "{text}");
    assert_eq!(op.sim.faults().writes(), writes, "a plan writes nothing");
    assert_eq!(
        op.get("news").await.unwrap().metadata.annotations,
        live.metadata.annotations
    );
}

/// The Secret holding an SRT passphrase.
fn passphrase_secret() -> k8s_openapi::api::core::v1::Secret {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": "contribution"},
        "stringData": {"passphrase": "correct horse battery"}
    }))
    .unwrap()
}

/// Someone puts a new passphrase into that Secret.
async fn change_passphrase(secrets: &kube::Api<k8s_openapi::api::core::v1::Secret>) {
    secrets
        .patch(
            "contribution",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(
                serde_json::json!({"stringData": {"passphrase": "a brand new passphrase"}}),
            ),
        )
        .await
        .unwrap();
}

/// The example channel with an SRT source encrypted with that passphrase.
fn srt_channel() -> onair::api::LiveChannel {
    let mut channel = support::example_channel("srt");
    channel.spec.input = serde_json::from_value(serde_json::json!({
        "type": "SrtCaller",
        "srtCaller": {"sources": [{
            "url": "srt://encoder.example.com:9000",
            "passphraseSecretRef": {"name": "contribution", "key": "passphrase"}
        }]}
    }))
    .unwrap();
    channel
}

#[tokio::test]
async fn an_srt_source_gets_its_passphrase_from_a_kubernetes_secret() {
    use k8s_openapi::api::core::v1::Secret;
    use kube::api::{Api, PostParams};
    let op = Operator::start().await;
    let secrets: Api<Secret> = Api::namespaced(op.client.clone(), support::operator::NS);
    let secret = passphrase_secret();
    let channel = srt_channel();
    op.apply(&channel).await;
    // The Secret is missing: said so, nothing created.
    op.reconcile("srt").await.unwrap().unwrap();
    let ready = condition(op.get("srt").await.as_ref(), "Ready")
        .cloned()
        .unwrap();
    assert_eq!(ready.reason, "SecretNotFound", "{}", ready.message);
    assert_eq!(op.sim.faults().writes(), 0);

    secrets
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    let lc = op.settle("srt", running).await.unwrap();
    let input_id = lc
        .status
        .as_ref()
        .unwrap()
        .resources
        .as_ref()
        .unwrap()
        .input_id
        .clone()
        .unwrap();
    let input = op.sim.medialive().describe_input(&input_id).await.unwrap();
    let source = &input.settings.srt_sources[0];
    assert_eq!(
        (source.address.as_str(), source.port),
        ("encoder.example.com", 9000)
    );
    let arn = source
        .decryption
        .as_ref()
        .unwrap()
        .passphrase_secret_arn
        .clone();
    let stored = || async {
        op.sim
            .secretsmanager()
            .get_secret_value(&arn)
            .await
            .unwrap()
            .value
            .expose()
            .to_string()
    };
    assert_eq!(stored().await, "correct horse battery");
    let text = serde_json::to_string(&op.get("srt").await).unwrap();
    assert!(
        !text.contains("correct horse"),
        "the passphrase stays out of the object"
    );

    // A new passphrase in the Secret reaches Secrets Manager.
    change_passphrase(&secrets).await;
    op.reconcile("srt").await.unwrap().unwrap();
    assert_eq!(stored().await, "a brand new passphrase");

    op.delete("srt").await;
    op.settle("srt", |lc| lc.is_none()).await;
    assert!(op
        .sim
        .secretsmanager()
        .describe_secret(&arn)
        .await
        .unwrap_err()
        .is_not_found());
    assert_eq!(op.inventory().await.values().sum::<usize>(), 0);
}

#[tokio::test]
async fn the_controller_follows_a_changed_passphrase_secret_at_once() {
    follows_a_changed_passphrase(Operator::start().await).await;
}

/// Cluster-wide with `--secret-namespaces`: the Secret watch is one per
/// listed namespace (RBAC refuses one across all), and still brings the
/// change at once.
#[tokio::test]
async fn the_controller_follows_a_passphrase_in_a_listed_secret_namespace() {
    let mut op = Operator::start().await;
    std::sync::Arc::get_mut(&mut op.ctx).unwrap().secret_access =
        SecretAccess::only([support::operator::NS, "elsewhere"]);
    follows_a_changed_passphrase(op).await;
}

async fn follows_a_changed_passphrase(op: Operator) {
    use k8s_openapi::api::core::v1::Secret;
    use kube::api::{Api, PostParams};
    let controller = tokio::spawn(onair::controller::live_channel::run_in(
        op.ctx.clone(),
        4,
        None,
    ));
    let secrets: Api<Secret> = Api::namespaced(op.client.clone(), support::operator::NS);
    let secret = passphrase_secret();
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    let mut channel = srt_channel();
    channel.spec.state = onair::api::live_channel::DesiredState::Idle;
    op.apply(&channel).await;
    let mut arn = None;
    for _ in 0..400 {
        let lc = op.get("srt").await;
        if ready(lc.as_ref()) {
            let id = lc
                .unwrap()
                .status
                .unwrap()
                .resources
                .unwrap()
                .input_id
                .unwrap();
            let input = op.sim.medialive().describe_input(&id).await.unwrap();
            arn = input.settings.srt_sources[0]
                .decryption
                .clone()
                .map(|d| d.passphrase_secret_arn);
            break;
        }
        op.sim.advance(Duration::from_secs(15));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let arn = arn.expect("the channel became ready");
    change_passphrase(&secrets).await;
    // Resync is ten minutes away: only the Secret watch can bring this.
    let mut updated = false;
    for _ in 0..200 {
        let value = op
            .sim
            .secretsmanager()
            .get_secret_value(&arn)
            .await
            .unwrap();
        if value.value.expose() == "a brand new passphrase" {
            updated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(updated, "the new passphrase never reached Secrets Manager");
    controller.abort();
}

/// A channel naming a Secret in a namespace whose Secrets onair may not read
/// (`--secret-namespaces` without it) says what to change, and touches
/// neither the Secret nor AWS; a channel naming none carries on there.
#[tokio::test]
async fn a_secret_onair_may_not_read_is_reported_without_touching_aws() {
    use k8s_openapi::api::core::v1::Secret;
    use kube::api::{Api, PostParams};
    let mut op = Operator::start().await;
    std::sync::Arc::get_mut(&mut op.ctx).unwrap().secret_access = SecretAccess::only(["live-news"]);
    let secrets: Api<Secret> = Api::namespaced(op.client.clone(), support::operator::NS);
    secrets
        .create(&PostParams::default(), &passphrase_secret())
        .await
        .unwrap();
    op.apply(&srt_channel()).await;
    op.reconcile("srt").await.unwrap().unwrap();
    let lc = op.get("srt").await;
    let ready = condition(lc.as_ref(), "Ready").cloned().unwrap();
    assert_eq!(ready.status, ConditionStatus::False);
    assert_eq!(ready.reason, "SecretsNotReadable", "{}", ready.message);
    assert!(
        ready
            .message
            .contains("may not read Secrets in namespace default")
            && ready.message.contains("secretNamespaces")
            && ready.message.contains("ONAIR_SECRET_NAMESPACES"),
        "{}",
        ready.message
    );
    assert!(condition(lc.as_ref(), "Stalled").is_some());
    let calls: u64 = op.sim.faults().all_calls().values().sum();
    assert_eq!(
        calls,
        0,
        "AWS was called: {:?}",
        op.sim.faults().all_calls()
    );
    assert!(op
        .event_reasons("srt")
        .await
        .contains(&"SecretsNotReadable".to_string()));

    // A channel with no Secret is not held back by it.
    op.apply(&support::example_channel("plain")).await;
    op.reconcile("plain").await.unwrap().unwrap();
    let ready = condition(op.get("plain").await.as_ref(), "Ready")
        .cloned()
        .unwrap();
    assert_ne!(ready.reason, "SecretsNotReadable");
    assert!(op.sim.faults().all_calls().values().sum::<u64>() > 0);
}

#[tokio::test]
async fn the_cdn_identifier_rotates_once_per_annotation_value() {
    let op = Operator::start().await;
    let lc = op.start_channel("news").await;
    let resources = lc.status.unwrap().resources.unwrap();
    let secret = resources.cdn_auth_secret_arn.unwrap();
    let distribution = resources.distribution_id.unwrap();
    // The identifier CloudFront sends to the origin now.
    let header = || async {
        op.sim
            .cloudfront()
            .get_distribution(&distribution)
            .await
            .unwrap()
            .config
            .origins[0]
            .custom_headers[0]
            .value
            .clone()
    };
    let secret_version = || async {
        op.sim
            .secretsmanager()
            .describe_secret(&secret)
            .await
            .unwrap()
            .current_version_id
    };
    let puts = || {
        op.sim
            .faults()
            .calls(onair::aws::Service::SecretsManager, "put_secret_value")
    };
    let before = header().await;
    let version = secret_version().await;

    op.api()
        .patch(
            "news",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(serde_json::json!({"metadata": {"annotations": {"onair.dev/rotate-cdn-secret": "2026-11"}}})),
        )
        .await
        .unwrap();
    let lc = op
        .settle("news", |lc| {
            running(lc)
                && lc
                    .unwrap()
                    .status
                    .as_ref()
                    .unwrap()
                    .cdn_secret_rotation
                    .as_deref()
                    == Some("2026-11")
        })
        .await
        .unwrap();
    let after = secret_version().await;
    assert_ne!(after, version, "a new secret version");
    let sent = header().await;
    assert_eq!(
        sent, before,
        "CloudFront keeps the old identifier until MediaPackage knows the new one"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    op.reconcile("news").await.unwrap().unwrap();
    let sent = header().await;
    assert_ne!(sent, before, "then CloudFront sends the new identifier");
    let stored = op
        .sim
        .secretsmanager()
        .get_secret_value(&secret)
        .await
        .unwrap();
    assert!(stored.value.expose().contains(&sent));
    assert!(
        !serde_json::to_string(&lc).unwrap().contains(&sent),
        "never in the object"
    );
    // The same value again: no second rotation.
    let puts_before = puts();
    op.reconcile("news").await.unwrap().unwrap();
    assert_eq!(puts(), puts_before);
    let reasons = op.event_reasons("news").await;
    assert!(
        reasons.iter().any(|r| r == "CdnSecretRotated"),
        "{reasons:?}"
    );
}

/// The real-time log configuration of channel `news`, if it exists.
async fn log_config(op: &Operator) -> Option<onair::aws::cloudfront::RealtimeLogConfig> {
    let lc = op.get("news").await?;
    let name = onair::plan::telemetry::config_name(&onair::controller::kit::owner_of(&lc));
    op.sim
        .cloudfront()
        .get_realtime_log_config(&name)
        .await
        .ok()
}

/// Whether every behaviour of the channel's distribution logs to `arn`.
async fn every_behaviour_logs_to(op: &Operator, arn: Option<&str>) -> bool {
    let lc = op.get("news").await.unwrap();
    let id = lc
        .status
        .unwrap()
        .resources
        .unwrap()
        .distribution_id
        .unwrap();
    let d = op.sim.cloudfront().get_distribution(&id).await.unwrap();
    std::iter::once(&d.config.default_behavior)
        .chain(&d.config.behaviors)
        .all(|b| b.realtime_log_config_arn.as_deref() == arn)
}

#[tokio::test]
async fn telemetry_is_enabled_changed_disabled_and_cleaned_up() {
    let op = Operator::start().await;
    let lc = op.start_channel("news").await;
    let telemetry = condition(Some(&lc), "TelemetryReady").unwrap().clone();
    assert_eq!(telemetry.status, ConditionStatus::True, "{telemetry:?}");
    assert!(
        telemetry.message.contains("10% of requests"),
        "{}",
        telemetry.message
    );
    let config = log_config(&op)
        .await
        .expect("a real-time log configuration");
    assert_eq!(config.sampling_rate, 10);
    assert_eq!(config.fields, onair::plan::telemetry::DEFAULT_FIELDS);
    assert_eq!(op.sim.stream_count(), 1);
    // (open shards, retention hours) of the telemetry stream.
    let stream_size = || async {
        let stream = op
            .sim
            .kinesis()
            .describe_stream_summary(&config.kinesis_stream_arn)
            .await
            .unwrap();
        (stream.open_shard_count, stream.retention_period_hours)
    };
    assert_eq!(stream_size().await, (1, 24));
    assert!(every_behaviour_logs_to(&op, Some(&config.arn)).await);

    // Fields, sampling and the stream's size change in place.
    op.patch_spec(
        "news",
        serde_json::json!({"cdn": {"telemetry": {
            "samplingRate": 50,
            "fields": ["timestamp", "sc-status", "cmcd-session-id"],
            "stream": {"shardCount": 2, "retentionHours": 48}
        }}}),
    )
    .await;
    let changed = |lc: Option<&onair::api::LiveChannel>| {
        condition(lc, "TelemetryReady")
            .is_some_and(|c| c.message.contains("50% of requests (3 fields)"))
    };
    op.settle("news", changed).await;
    let updated = log_config(&op).await.unwrap();
    assert_eq!(updated.arn, config.arn, "updated in place, not recreated");
    assert_eq!(
        updated.fields,
        ["timestamp", "sc-status", "cmcd-session-id"]
    );
    assert_eq!(stream_size().await, (2, 48));
    assert!(op
        .event_reasons("news")
        .await
        .iter()
        .any(|r| r == "Updated"));

    // Disabled: the behaviours stop logging, then the configuration and
    // onair's stream go; the channel stays on air.
    op.patch_spec(
        "news",
        serde_json::json!({"cdn": {"telemetry": {"enabled": false}}}),
    )
    .await;
    for _ in 0..20 {
        op.reconcile("news").await.unwrap().unwrap();
        op.sim.advance(Duration::from_secs(60));
        if log_config(&op).await.is_none() && op.sim.stream_count() == 0 {
            break;
        }
    }
    assert!(log_config(&op).await.is_none());
    assert_eq!(op.sim.stream_count(), 0);
    assert!(every_behaviour_logs_to(&op, None).await);
    let lc = op.get("news").await.unwrap();
    assert!(condition(Some(&lc), "TelemetryReady").is_none());
    assert!(running(Some(&lc)));

    // Re-enabled onto a stream the user owns: deleting the channel leaves it.
    let arn = op.sim.create_stream("team-telemetry", 1);
    op.patch_spec(
        "news",
        serde_json::json!({"cdn": {"telemetry": {"enabled": true, "stream": {"arn": arn, "shardCount": null, "retentionHours": null}}}}),
    )
    .await;
    op.settle("news", |lc| {
        condition(lc, "TelemetryReady").is_some_and(|c| c.status == ConditionStatus::True)
    })
    .await;
    assert_eq!(log_config(&op).await.unwrap().kinesis_stream_arn, arn);
    assert_eq!(op.sim.stream_count(), 1, "no stream of onair's own");
    let name = onair::plan::telemetry::config_name(&onair::controller::kit::owner_of(
        &op.get("news").await.unwrap(),
    ));
    op.delete("news").await;
    op.settle("news", |lc| lc.is_none()).await;
    assert!(op
        .sim
        .cloudfront()
        .get_realtime_log_config(&name)
        .await
        .is_err());
    assert_eq!(op.sim.stream_count(), 1, "the user's stream stays");
    assert_eq!(op.inventory().await, none_of_each());
}

#[tokio::test]
async fn a_named_stream_that_does_not_exist_is_reported() {
    let op = Operator::start().await;
    let mut channel = support::example_channel("news");
    channel.spec.cdn.telemetry.as_mut().unwrap().stream.arn =
        Some("arn:aws:kinesis:eu-west-1:123456789012:stream/missing".into());
    op.apply(&channel).await;
    let lc = op
        .settle("news", |lc| {
            condition(lc, "Ready").is_some_and(|c| c.reason == "StreamNotFound")
        })
        .await
        .unwrap();
    let ready = condition(Some(&lc), "Ready").unwrap();
    assert!(
        ready.message.contains("stream/missing"),
        "{}",
        ready.message
    );
    assert_eq!(
        condition(Some(&lc), "Stalled").unwrap().status,
        ConditionStatus::True
    );
}

#[tokio::test]
async fn firehose_delivers_telemetry_to_s3_and_is_removed_before_the_stream() {
    let op = Operator::start().await;
    let mut channel = support::example_channel("news");
    channel.spec.cdn.telemetry.as_mut().unwrap().firehose = Some(
        serde_json::from_value(serde_json::json!({
            "bucketArn": "arn:aws:s3:::cmcd-archive",
            "prefix": "news/",
            "roleArn": "arn:aws:iam::123456789012:role/FirehoseCmcd"
        }))
        .unwrap(),
    );
    op.apply(&channel).await;
    let delivered = |lc: Option<&onair::api::LiveChannel>| {
        running(lc)
            && condition(lc, "TelemetryReady")
                .is_some_and(|c| c.message.contains("delivered to S3"))
    };
    op.settle("news", delivered).await;
    assert_eq!(op.sim.delivery_stream_count(), 1);
    let lc = op.get("news").await.unwrap();
    let name = onair::plan::telemetry::delivery_name(&onair::controller::kit::owner_of(&lc));
    let firehose = op.sim.firehose();
    let delivery = firehose.describe_delivery_stream(&name).await.unwrap();
    assert_eq!(
        Some(delivery.source_stream_arn.clone()),
        lc.status
            .as_ref()
            .unwrap()
            .resources
            .as_ref()
            .unwrap()
            .kinesis_stream_arn
    );
    assert_eq!(delivery.destination.prefix.as_deref(), Some("news/"));
    assert_eq!(
        (
            delivery.destination.buffer_interval_seconds,
            delivery.destination.buffer_size_mib
        ),
        (300, 5)
    );

    // A new prefix and buffering change in place.
    op.patch_spec(
        "news",
        serde_json::json!({"cdn": {"telemetry": {"firehose": {"prefix": "live/news/", "bufferIntervalSeconds": 60}}}}),
    )
    .await;
    for _ in 0..5 {
        op.reconcile("news").await.unwrap().unwrap();
    }
    let changed = firehose.describe_delivery_stream(&name).await.unwrap();
    assert_eq!(changed.destination.prefix.as_deref(), Some("live/news/"));
    assert_eq!(changed.destination.buffer_interval_seconds, 60);
    assert_eq!(changed.arn, delivery.arn, "updated, not recreated");

    // Deleting the channel removes Firehose, the log configuration and the stream.
    op.delete("news").await;
    op.settle("news", |lc| lc.is_none()).await;
    assert_eq!(op.sim.delivery_stream_count(), 0);
    assert_eq!(op.sim.stream_count(), 0);
    assert_eq!(op.inventory().await, none_of_each());
}

/// While a channel waits on AWS, its rounds read only what is moving; what
/// they skipped is read again once a round fails or the wait ends, so a
/// resource deleted out of band meanwhile is still found and recreated.
#[tokio::test]
async fn a_waiting_channel_reads_only_what_is_moving() {
    let op = Operator::start().await;
    op.apply(&support::example_channel("news")).await;
    let calls = |operation: &'static str| {
        let service = match operation {
            "describe_input" | "describe_channel" => Service::MediaLive,
            "describe_origin_endpoint" => Service::MediaPackage,
            _ => Service::CloudFront,
        };
        op.sim.faults().calls(service, operation)
    };
    op.reconcile("news").await.unwrap().unwrap();
    // The input is created; MediaLive is still creating the channel and
    // CloudFront deploying the distribution. The endpoints may be made in
    // the first round or the second: the first retries them while the new
    // MediaPackage channel propagates, for as long as its (jittered)
    // backoff happens to last. A third round has read whatever the second
    // made, so every child at rest is kept from there on.
    op.sim.advance(Duration::from_secs(3));
    for _ in 0..2 {
        op.reconcile("news").await.unwrap().unwrap();
    }
    let (inputs, endpoints, distributions) = (
        calls("describe_input"),
        calls("describe_origin_endpoint"),
        calls("get_distribution"),
    );
    for _ in 0..3 {
        op.reconcile("news").await.unwrap().unwrap();
    }
    assert_eq!(
        calls("describe_input"),
        inputs,
        "the input is at rest: not read"
    );
    assert_eq!(
        calls("describe_origin_endpoint"),
        endpoints,
        "the endpoints are at rest: not read"
    );
    assert_eq!(
        calls("get_distribution"),
        distributions + 3,
        "the deploying distribution is read every round"
    );

    // MediaLive has created the channel, which stays idle until the
    // distribution is deployed: read once, then kept.
    op.sim.advance(Duration::from_secs(10));
    op.reconcile("news").await.unwrap().unwrap();
    let channels = calls("describe_channel");
    for _ in 0..2 {
        op.reconcile("news").await.unwrap().unwrap();
    }
    assert_eq!(
        calls("describe_channel"),
        channels,
        "the idle channel waits for the CDN: not read"
    );

    // A failed round: the next reads everything.
    op.refuse_next(Service::CloudFront, "get_distribution", "injected");
    op.reconcile("news").await.unwrap().unwrap();
    op.reconcile("news").await.unwrap().unwrap();
    assert_eq!(calls("describe_input"), inputs + 1);
    assert_eq!(calls("describe_channel"), channels + 1);

    // Deleted out of band while the channel waits: the end of the wait
    // forgets what was kept, and the round after (the resync) recreates it.
    let hls = op
        .get("news")
        .await
        .unwrap()
        .status
        .unwrap()
        .resources
        .unwrap();
    op.sim
        .mediapackage()
        .delete_origin_endpoint(&hls.hls_endpoint_id.unwrap())
        .await
        .unwrap();
    op.settle("news", running).await;
    op.reconcile("news").await.unwrap().unwrap();
    let reasons = op.event_reasons("news").await;
    assert!(reasons.iter().any(|r| r == "Recreated"), "{reasons:?}");
    op.settle("news", running).await;
    assert_eq!(op.inventory().await, one_of_each());
}
