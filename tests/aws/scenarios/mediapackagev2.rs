//! MediaPackage v2 scenarios: a channel group and an HLS-ingest channel (what
//! moto 5.2.5 serves), and a channel's origin endpoints and resource policies
//! with the conflicts AWS answers (what only the simulation and the emulator
//! serve).

use std::sync::Arc;

use onair::aws::mediapackagev2::*;
use onair::aws::ownership::Tags;
use onair::aws::ErrorKind;

use super::owner;

pub fn new_group() -> NewChannelGroup {
    let o = owner();
    NewChannelGroup {
        name: o.resource_id("group", MAX_NAME_LEN),
        description: Some("onair channel group".into()),
        tags: o.tags("group", &Tags::new()),
    }
}

pub fn new_channel(group: &str) -> NewChannel {
    let o = owner();
    NewChannel {
        group: group.into(),
        name: o.resource_id("v2", MAX_NAME_LEN),
        input_type: InputType::Hls,
        description: None,
        tags: o.tags("v2", &Tags::new()),
    }
}

/// A CMAF endpoint with an HLS, a low-latency HLS and a DASH manifest, ad
/// markers for MediaTailor, and a one-hour startover window.
pub fn cmaf_endpoint(group: &str, channel: &str) -> OriginEndpointSpec {
    let o = owner();
    let hls = |name: &str| HlsManifest {
        name: name.into(),
        child_manifest_name: None,
        window_seconds: Some(60),
        program_date_time_interval_seconds: Some(1),
        ad_markers: Some("DATERANGE".into()),
    };
    OriginEndpointSpec {
        group: group.into(),
        channel: channel.into(),
        name: o.resource_id("cmaf", MAX_NAME_LEN),
        container_type: ContainerType::Cmaf,
        description: None,
        segment: Segment {
            duration_seconds: Some(4),
            name: Some("segment".into()),
            scte_filter: vec!["SPLICE_INSERT".into(), "PROVIDER_ADVERTISEMENT".into()],
        },
        startover_window_seconds: Some(3600),
        hls_manifests: vec![hls("index")],
        low_latency_hls_manifests: vec![hls("index-ll")],
        dash_manifests: vec![DashManifest {
            name: "index-dash".into(),
            window_seconds: Some(60),
            min_update_period_seconds: Some(2),
            suggested_presentation_delay_seconds: Some(10),
            period_triggers: vec!["AVAILS".into()],
        }],
        tags: o.tags("cmaf", &Tags::new()),
    }
}

fn kind_of<T: std::fmt::Debug>(r: Result<T, onair::aws::AwsError>) -> ErrorKind {
    r.expect_err("the call should have failed").kind
}

/// A group and a channel in it: made, read back, listed, deleted (twice).
/// `strict` is false for moto 5.2.5, which keeps no tags and no description.
pub async fn group_and_channel(api: Arc<dyn MediaPackageV2Api>, strict: bool) {
    let g = api.create_channel_group(new_group()).await.unwrap();
    assert!(
        g.egress_domain.contains(".egress.") && g.egress_domain.ends_with(".amazonaws.com"),
        "{}",
        g.egress_domain
    );
    assert!(
        g.arn.ends_with(&format!(":channelGroup/{}", g.name)),
        "{}",
        g.arn
    );
    let read = api.get_channel_group(&g.name).await.unwrap();
    assert_eq!(read.egress_domain, g.egress_domain);
    if strict {
        assert_eq!(read, g);
        assert!(owner().owns("group", &read.tags));
    }
    assert!(api.list_channel_groups().await.unwrap().contains(&g.name));

    let c = api.create_channel(new_channel(&g.name)).await.unwrap();
    assert_eq!(
        c.ingest_endpoints
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        ["1", "2"]
    );
    for e in &c.ingest_endpoints {
        let path = format!("/in/v1/{}/{}/{}/index", g.name, e.id, c.name);
        assert!(
            e.url.starts_with("https://") && e.url.ends_with(&path),
            "{}",
            e.url
        );
    }
    assert!(
        c.arn
            .ends_with(&format!(":channelGroup/{}/channel/{}", g.name, c.name)),
        "{}",
        c.arn
    );
    let read = api.get_channel(&g.name, &c.name).await.unwrap();
    assert_eq!(read.ingest_endpoints, c.ingest_endpoints);
    // moto answers the input type only on Get.
    assert_eq!(read.input_type, Some(InputType::Hls));
    if strict {
        assert_eq!(read, c);
        assert!(owner().owns("v2", &read.tags));
    }

    api.delete_channel(&g.name, &c.name).await.unwrap();
    assert!(matches!(
        kind_of(api.get_channel(&g.name, &c.name).await),
        ErrorKind::NotFound { .. }
    ));
    api.delete_channel(&g.name, &c.name).await.unwrap();
    api.delete_channel_group(&g.name).await.unwrap();
    assert!(matches!(
        kind_of(api.get_channel_group(&g.name).await),
        ErrorKind::NotFound { .. }
    ));
    api.delete_channel_group(&g.name).await.unwrap();
}

/// Endpoints and policies, and every refusal AWS answers: taken names,
/// deletes out of order, invalid settings, a new container type.
pub async fn endpoints_and_policies(api: Arc<dyn MediaPackageV2Api>) {
    let g = api.create_channel_group(new_group()).await.unwrap();
    assert!(matches!(
        kind_of(api.create_channel_group(new_group()).await),
        ErrorKind::AlreadyExists { .. }
    ));
    let c = api.create_channel(new_channel(&g.name)).await.unwrap();
    assert!(matches!(
        kind_of(api.create_channel(new_channel(&g.name)).await),
        ErrorKind::AlreadyExists { .. }
    ));
    assert!(matches!(
        kind_of(api.create_channel(new_channel("no-such-group")).await),
        ErrorKind::NotFound { .. }
    ));

    assert!(matches!(
        kind_of(api.get_channel_policy(&g.name, &c.name).await),
        ErrorKind::NotFound { .. }
    ));
    let ingest = ingest_policy(&c.arn, "arn:aws:iam::123456789012:role/MediaLiveAccessRole");
    api.put_channel_policy(&g.name, &c.name, &ingest)
        .await
        .unwrap();
    assert_eq!(
        api.get_channel_policy(&g.name, &c.name).await.unwrap(),
        ingest
    );
    assert!(matches!(
        kind_of(api.put_channel_policy(&g.name, &c.name, "not json").await),
        ErrorKind::InvalidRequest { .. }
    ));

    let spec = cmaf_endpoint(&g.name, &c.name);
    let e = api.create_origin_endpoint(spec.clone()).await.unwrap();
    assert_eq!(e.spec, spec);
    let base = format!(
        "https://{}/out/v1/{}/{}/{}",
        g.egress_domain, g.name, c.name, spec.name
    );
    assert_eq!(
        e.url_of("index"),
        Some(format!("{base}/index.m3u8").as_str())
    );
    assert_eq!(
        e.url_of("index-ll"),
        Some(format!("{base}/index-ll.m3u8").as_str())
    );
    assert_eq!(
        e.url_of("index-dash"),
        Some(format!("{base}/index-dash.mpd").as_str())
    );
    assert_eq!(
        e.manifest_urls.iter().map(|m| m.kind).collect::<Vec<_>>(),
        [
            ManifestKind::Hls,
            ManifestKind::LowLatencyHls,
            ManifestKind::Dash
        ]
    );
    assert!(
        e.arn.ends_with(&format!("/originEndpoint/{}", spec.name)),
        "{}",
        e.arn
    );
    assert_eq!(
        api.get_origin_endpoint(&g.name, &c.name, &spec.name)
            .await
            .unwrap(),
        e
    );
    assert_eq!(
        api.list_origin_endpoints(&g.name, &c.name).await.unwrap(),
        std::slice::from_ref(&spec.name)
    );
    assert_eq!(
        api.list_channels(&g.name).await.unwrap(),
        std::slice::from_ref(&c.name)
    );
    assert!(matches!(
        kind_of(api.create_origin_endpoint(spec.clone()).await),
        ErrorKind::AlreadyExists { .. }
    ));

    // Children first: a channel with endpoints and a group with channels stay.
    assert!(matches!(
        kind_of(api.delete_channel(&g.name, &c.name).await),
        ErrorKind::Conflict { .. }
    ));
    assert!(matches!(
        kind_of(api.delete_channel_group(&g.name).await),
        ErrorKind::Conflict { .. }
    ));

    // Update replaces the settings whole (the DASH manifest goes) and keeps the tags.
    let mut changed = spec.clone();
    changed.dash_manifests.clear();
    changed.startover_window_seconds = Some(7200);
    changed.tags = Tags::new();
    let updated = api.update_origin_endpoint(changed.clone()).await.unwrap();
    assert_eq!(updated.url_of("index-dash"), None);
    assert_eq!(updated.spec.startover_window_seconds, Some(7200));
    assert_eq!(updated.spec.tags, spec.tags);
    assert_eq!(
        api.get_origin_endpoint(&g.name, &c.name, &spec.name)
            .await
            .unwrap(),
        updated
    );
    let ts = OriginEndpointSpec {
        container_type: ContainerType::Ts,
        ..changed.clone()
    };
    assert!(matches!(
        kind_of(api.update_origin_endpoint(ts).await),
        ErrorKind::InvalidRequest { .. }
    ));

    let read = cloudfront_read_policy(&e.arn, "arn:aws:cloudfront::123456789012:distribution/E1");
    api.put_origin_endpoint_policy(&g.name, &c.name, &spec.name, &read)
        .await
        .unwrap();
    assert_eq!(
        api.get_origin_endpoint_policy(&g.name, &c.name, &spec.name)
            .await
            .unwrap(),
        read
    );

    // What AWS refuses at creation.
    let refused = |f: fn(&mut OriginEndpointSpec)| {
        let mut s = cmaf_endpoint(&g.name, &c.name);
        s.name = "refused".into();
        f(&mut s);
        s
    };
    for bad in [
        refused(|s| s.hls_manifests[0].name = "under_score".into()),
        refused(|s| s.low_latency_hls_manifests[0].name = "index".into()),
        refused(|s| s.container_type = ContainerType::Ts),
        refused(|s| s.segment.duration_seconds = Some(31)),
        refused(|s| s.dash_manifests[0].window_seconds = Some(10)),
        refused(|s| s.hls_manifests[0].program_date_time_interval_seconds = None),
        refused(|s| s.startover_window_seconds = Some(MAX_STARTOVER_SECONDS + 1)),
        // v1's spellings, which v2 refuses.
        refused(|s| s.dash_manifests[0].period_triggers = vec!["ADS".into()]),
        refused(|s| s.hls_manifests[0].ad_markers = Some("PASSTHROUGH".into())),
        refused(|s| s.segment.scte_filter.push("SPLICE".into())),
    ] {
        assert!(
            matches!(
                kind_of(api.create_origin_endpoint(bad.clone()).await),
                ErrorKind::InvalidRequest { .. }
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        api.list_origin_endpoints(&g.name, &c.name).await.unwrap(),
        std::slice::from_ref(&spec.name)
    );

    // In order, and each delete again: nothing left, nothing refused.
    for _ in 0..2 {
        api.delete_origin_endpoint(&g.name, &c.name, &spec.name)
            .await
            .unwrap();
        api.delete_channel(&g.name, &c.name).await.unwrap();
        api.delete_channel_group(&g.name).await.unwrap();
    }
    assert!(matches!(
        kind_of(api.get_origin_endpoint(&g.name, &c.name, &spec.name).await),
        ErrorKind::NotFound { .. }
    ));
    assert!(api.list_channel_groups().await.unwrap().is_empty());
}
