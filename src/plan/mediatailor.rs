//! An AdInsertion's MediaTailor playback configuration, and the URLs players
//! use through the channel's CloudFront distribution. Pure.
//!
//! The arrangement (public CDK constructs and AWS samples): MediaTailor reads
//! the channel through its distribution (so origin protection stays on), and
//! reports CloudFront as the host of content and ad segments; the
//! distribution sends `/v1/*` (manifests, sessions) to MediaTailor, `/tm/*`
//! (transcoded ads) to MediaTailor's segment host, `/out/v1/*` to MediaPackage.

use crate::api::ad_insertion::{AdInsertionSpec, AvailSuppressionMode, FillPolicy};
use crate::aws::mediatailor::{AvailSuppression, Bumper, LivePreRoll, PlaybackConfiguration};
use crate::aws::ownership::Tags;

use crate::url::host_of;

/// MediaTailor names: letters, digits, `-` and `_`; onair keeps them short.
pub const NAME_LIMIT: usize = 64;

/// Where MediaTailor reads the channel and where it says segments are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// `https://<distribution>/out/v1` (or the MediaPackage origin without a CDN).
    pub source_url: String,
    /// The distribution's host, when the channel has a CDN.
    pub cdn_host: Option<String>,
}

/// The whole playback configuration (a put replaces it all, so every field is set).
pub fn playback_configuration(
    spec: &AdInsertionSpec,
    name: &str,
    content: &Content,
    tags: Tags,
) -> PlaybackConfiguration {
    PlaybackConfiguration {
        name: name.to_string(),
        ad_decision_server_url: spec.ad_decision_server_url.clone(),
        video_content_source_url: content.source_url.clone(),
        content_segment_url_prefix: content
            .cdn_host
            .as_ref()
            .map(|h| format!("https://{h}/out/v1")),
        ad_segment_url_prefix: content.cdn_host.as_ref().map(|h| format!("https://{h}")),
        slate_ad_url: spec.slate_ad_url.clone(),
        personalization_threshold_seconds: spec.personalization_threshold_seconds,
        ad_marker_passthrough: spec.ad_marker_passthrough,
        transcode_profile_name: spec.transcode_profile_name.clone(),
        avail_suppression: spec.avail_suppression.as_ref().map(|a| AvailSuppression {
            mode: match a.mode {
                AvailSuppressionMode::Off => "OFF",
                AvailSuppressionMode::BehindLiveEdge => "BEHIND_LIVE_EDGE",
                AvailSuppressionMode::AfterLiveEdge => "AFTER_LIVE_EDGE",
            }
            .into(),
            value: a.value.clone(),
            fill_policy: Some(
                match a.fill_policy {
                    FillPolicy::FullAvailOnly => "FULL_AVAIL_ONLY",
                    FillPolicy::PartialAvail => "PARTIAL_AVAIL",
                }
                .into(),
            ),
        }),
        bumper: spec.bumper.as_ref().map(|b| Bumper {
            start_url: b.start_url.clone(),
            end_url: b.end_url.clone(),
        }),
        live_pre_roll: spec.pre_roll.as_ref().map(|p| LivePreRoll {
            ad_decision_server_url: p.ad_decision_server_url.clone(),
            max_duration_seconds: p.max_duration_seconds,
        }),
        configuration_aliases: spec.configuration_aliases.clone(),
        tags,
    }
}

/// The content source with an origin pass as its first path segment
/// (`https://host/out/v1` -> `https://host/<pass>/out/v1`).
pub fn with_origin_pass(source_url: &str, pass: &str) -> String {
    match source_url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('/') {
            Some((host, path)) => format!("{scheme}://{host}/{pass}/{path}"),
            None => format!("{scheme}://{rest}/{pass}"),
        },
        None => source_url.to_string(),
    }
}

/// A MediaTailor prefix with the CDN's host in place of MediaTailor's, so
/// players (and session initialization) go through CloudFront.
pub fn through_cdn(prefix: &str, cdn_host: &str) -> Option<String> {
    let host = host_of(prefix)?;
    Some(format!("https://{cdn_host}{}", prefix.split_once(host)?.1))
}

/// The player URL for one endpoint: the manifest prefix plus the endpoint's
/// path below the content source (`<hash>/index.m3u8`).
pub fn player_url(
    manifest_prefix: &str,
    endpoint_url: &str,
    cdn_host: Option<&str>,
) -> Option<String> {
    let path = endpoint_url.split_once("/out/v1/")?.1;
    let prefix = match cdn_host {
        Some(host) => through_cdn(manifest_prefix, host)?,
        None => manifest_prefix.to_string(),
    };
    Some(format!("{}/{path}", prefix.trim_end_matches('/')))
}

/// MediaTailor's host for transcoded ad segments in the region of `manifest_host`
/// (`<id>.mediatailor.<region>.amazonaws.com` -> `segments.mediatailor.<region>.amazonaws.com`).
pub fn segments_host(manifest_host: &str) -> Option<String> {
    let rest = manifest_host.split_once(".mediatailor.")?.1;
    Some(format!("segments.mediatailor.{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> AdInsertionSpec {
        serde_json::from_value(serde_json::json!({
            "channelRef": {"name": "news"},
            "adDecisionServerUrl": "https://ads.example.com/vast?d=[session.avail_duration_secs]",
            "slateAdUrl": "https://example.com/slate.mp4",
            "availSuppression": {"mode": "BehindLiveEdge", "value": "00:00:30"},
            "bumper": {"startUrl": "https://example.com/in.mp4"},
            "preRoll": {"maxDurationSeconds": 15},
            "configurationAliases": {"player_params.origin": {"eu": "https://eu.example.com"}}
        }))
        .unwrap()
    }

    #[test]
    fn every_setting_reaches_the_configuration_and_segments_go_through_the_cdn() {
        let content = Content {
            source_url: "https://d1.cloudfront.net/out/v1".into(),
            cdn_host: Some("d1.cloudfront.net".into()),
        };
        let c = playback_configuration(&spec(), "ads", &content, Tags::new());
        assert_eq!(
            c.video_content_source_url,
            "https://d1.cloudfront.net/out/v1"
        );
        assert_eq!(
            c.content_segment_url_prefix.as_deref(),
            Some("https://d1.cloudfront.net/out/v1")
        );
        assert_eq!(
            c.ad_segment_url_prefix.as_deref(),
            Some("https://d1.cloudfront.net")
        );
        let a = c.avail_suppression.unwrap();
        assert_eq!(
            (a.mode.as_str(), a.fill_policy.as_deref()),
            ("BEHIND_LIVE_EDGE", Some("FULL_AVAIL_ONLY"))
        );
        assert_eq!(
            c.bumper.unwrap().start_url.as_deref(),
            Some("https://example.com/in.mp4")
        );
        assert_eq!(c.live_pre_roll.unwrap().max_duration_seconds, 15);
        assert_eq!(
            c.configuration_aliases["player_params.origin"]["eu"],
            "https://eu.example.com"
        );
    }

    #[test]
    fn player_urls_keep_the_endpoint_path_under_the_cdn() {
        let prefix = "https://abc.mediatailor.eu-west-1.amazonaws.com/v1/master/0123/ads/";
        let endpoint = "https://mp.mediapackage.eu-west-1.amazonaws.com/out/v1/h1/index.m3u8";
        assert_eq!(
            player_url(prefix, endpoint, Some("d1.cloudfront.net")).as_deref(),
            Some("https://d1.cloudfront.net/v1/master/0123/ads/h1/index.m3u8")
        );
        assert_eq!(
            segments_host("abc.mediatailor.eu-west-1.amazonaws.com").as_deref(),
            Some("segments.mediatailor.eu-west-1.amazonaws.com")
        );
    }
}

/// Ad breaks kept in the channel's schedule ahead of time.
pub const BREAKS_AHEAD: u32 = 3;

/// The names of one AdInsertion's scheduled breaks start with this (the
/// schedule is the channel's, shared with `onair ad-break` and others).
pub fn break_prefix(owner_uid: &str) -> String {
    format!("onair-{}-", &owner_uid[..owner_uid.len().min(8)])
}

/// The next `BREAKS_AHEAD` break times after `now` on the grid `anchor +
/// n * interval` (so they never drift from one reconcile to the next).
pub fn next_breaks(
    anchor: jiff::Timestamp,
    interval_seconds: u32,
    now: jiff::Timestamp,
) -> Vec<jiff::Timestamp> {
    let interval = i64::from(interval_seconds.max(1));
    let since = anchor.duration_until(now).as_secs().max(0);
    let first = since / interval + 1;
    (first..first + i64::from(BREAKS_AHEAD))
        .filter_map(|n| {
            anchor
                .checked_add(jiff::SignedDuration::from_secs(n * interval))
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod break_tests {
    use super::*;

    #[test]
    fn breaks_stay_on_their_grid() {
        let anchor: jiff::Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
        let now: jiff::Timestamp = "2026-11-26T10:25:00Z".parse().unwrap();
        let times: Vec<String> = next_breaks(anchor, 600, now)
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(
            times,
            [
                "2026-11-26T10:30:00Z",
                "2026-11-26T10:40:00Z",
                "2026-11-26T10:50:00Z"
            ]
        );
        assert_eq!(break_prefix("0f9a3c1e-7d6b"), "onair-0f9a3c1e-");
    }
}
