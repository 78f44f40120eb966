//! The status builder's unit tests.

use super::*;

#[test]
fn cdn_urls_keep_the_origin_path() {
    assert_eq!(
        through_cdn(
            "https://abc.mediapackage.eu-west-1.amazonaws.com/out/v1/x/index.m3u8",
            "d1.cloudfront.net"
        )
        .as_deref(),
        Some("https://d1.cloudfront.net/out/v1/x/index.m3u8")
    );
}

fn endpoint(url: &str) -> OriginEndpoint {
    OriginEndpoint {
        url: url.into(),
        ..Default::default()
    }
}

#[test]
fn without_a_cdn_the_playback_urls_are_mediapackages() {
    let origin = "https://abc.mediapackage.eu-west-1.amazonaws.com/out/v1/x/index.m3u8";
    let observed = Observed {
        hls: Some(endpoint(origin)),
        ..Default::default()
    };
    let mut spec: LiveChannelSpec = serde_json::from_value(serde_json::json!({
        "state": "Running",
        "input": {"type": "UrlPull", "urlPull": {"urls": ["https://example.com/a.m3u8"]}},
        "cdn": {"enabled": false}
    }))
    .unwrap();
    let urls = playback(&spec, &observed).unwrap();
    assert_eq!(urls.hls.as_deref(), Some(origin));
    assert_eq!(urls.origin_hls.as_deref(), Some(origin));
    assert_eq!(urls.dash, None, "no DASH endpoint, no DASH URL");

    // With a CDN, nothing until the distribution's host is known.
    spec.cdn.enabled = true;
    let urls = playback(&spec, &observed).unwrap();
    assert_eq!(urls.hls, None);
    assert_eq!(urls.origin_hls.as_deref(), Some(origin));
}

#[test]
fn the_first_status_says_what_is_being_created() {
    let spec: LiveChannelSpec = serde_json::from_value(serde_json::json!({
        "state": "Running",
        "input": {"type": "UrlPull", "urlPull": {"urls": ["https://example.com/a.m3u8"]}}
    }))
    .unwrap();
    let (status, settled) = build(
        &spec,
        None,
        Some(1),
        "2026-01-01T00:00:00Z",
        &Observed::default(),
        None,
    );
    assert!(!settled);
    let ready = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    assert_eq!(ready.status, crate::api::ConditionStatus::False);
    assert_eq!(ready.reason, "InputNotReady");
    assert!(status.conditions.iter().any(|c| c.type_ == "Reconciling"));
}

#[test]
fn a_failure_before_any_aws_call_keeps_what_the_status_knew() {
    use crate::api::ConditionStatus;
    let spec: LiveChannelSpec = serde_json::from_value(serde_json::json!({
        "state": "Running",
        "input": {"type": "UrlPull", "urlPull": {"urls": ["https://example.com/a.m3u8"]}}
    }))
    .unwrap();
    let condition = |type_: &str, status, reason: &str| crate::api::Condition {
        type_: type_.into(),
        status,
        reason: reason.into(),
        message: String::new(),
        last_transition_time: "2026-01-01T00:00:00Z".into(),
        observed_generation: Some(1),
    };
    let previous = LiveChannelStatus {
        observed_generation: Some(1),
        conditions: vec![
            condition("Ready", ConditionStatus::True, "Running"),
            condition("InputReady", ConditionStatus::True, "Available"),
        ],
        channel_state: Some("RUNNING".into()),
        playback: Some(PlaybackUrls {
            hls: Some("https://d1.cloudfront.net/out/v1/x/index.m3u8".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let failure = Failure::invalid_spec("fix the spec");
    let (fresh, _) = build(
        &spec,
        Some(&previous),
        Some(2),
        "2026-01-02T00:00:00Z",
        &Observed::default(),
        Some(&failure),
    );
    let kept = keep_known(&previous, fresh);
    assert_eq!(kept.observed_generation, Some(2));
    assert_eq!(kept.channel_state.as_deref(), Some("RUNNING"));
    assert_eq!(kept.playback, previous.playback);
    let of = |t: &str| kept.conditions.iter().find(|c| c.type_ == t).unwrap();
    assert_eq!(
        (of("Ready").status, of("Ready").reason.as_str()),
        (ConditionStatus::False, "InvalidSpec")
    );
    assert!(kept.conditions.iter().any(|c| c.type_ == "Stalled"));
    assert_eq!(of("InputReady").reason, "Available", "not \"Creating\"");
    assert_eq!(
        kept.conditions
            .iter()
            .filter(|c| c.type_ == "InputReady")
            .count(),
        1
    );
}
