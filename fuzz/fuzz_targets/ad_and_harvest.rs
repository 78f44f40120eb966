//! AdInsertion and HarvestJob objects, admitted as the API server admits
//! them, through their pure plans: the MediaTailor playback configuration
//! (`plan::mediatailor`) and the harvest window and its check
//! (`plan::harvest`).
//!
//! The input is a JSON array of objects: a LiveChannel (the channel both
//! refer to) and an AdInsertion and/or a HarvestJob. Properties: admitted
//! objects deserialize; the playback configuration is deterministic, puts
//! every segment through the channel's CDN, carries a working origin pass
//! that `Debug` hides, fits MediaTailor's and AWS's limits, and the
//! simulated MediaTailor accepts it; the harvest window of an admitted job
//! resolves, survives the trip through status, and the verdict at any time
//! agrees with MediaPackage's rules (a clip of at most 24 hours, inside the
//! start-over window, harvested only once it has passed).

#![no_main]

use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;
use onair::api::ad_insertion::AdInsertion;
use onair::api::harvest_job::{HarvestEndpoint, HarvestJob};
use onair::api::live_channel::{DashSegmentTemplate, LiveChannel, LiveChannelSpec};
use onair::aws::ownership::Owner;
use onair::aws::sim::Sim;
use onair::plan::harvest::{self, Verdict, Window, MAX_CLIP};
use onair::plan::mediatailor::{self as plan, Content, NAME_LIMIT};
use onair::token::origin;
use onair_fuzz::{admit, runtime};
use serde_json::Value;

const UID: &str = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a";
/// What the LiveChannel's status would say about its distribution.
const DISTRIBUTION: &str = "d111111abcdef8.cloudfront.net";
/// When the API server created the HarvestJob.
const CREATED: &str = "2026-11-26T12:00:00Z";

fn plain_name(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Array(documents)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let (mut channel, mut ads, mut job) = (None, None, None);
    for document in documents.iter().take(4) {
        match document.get("kind").and_then(Value::as_str) {
            Some("LiveChannel") => channel = admit::<LiveChannel>(document).or(channel),
            Some("AdInsertion") => ads = admit::<AdInsertion>(document).or(ads),
            Some("HarvestJob") => job = admit::<HarvestJob>(document).or(job),
            _ => {}
        }
    }
    let Some(channel) = channel else {
        return;
    };
    if let Some(ads) = ads {
        playback(&channel, &ads);
    }
    if let Some(job) = job {
        harvest(&channel.spec, &job);
    }
});

fn playback(channel: &LiveChannel, ads: &AdInsertion) {
    // As the AdInsertion reconciler builds it from the channel's status.
    let content = if channel.spec.cdn.enabled {
        Content {
            source_url: format!("https://{DISTRIBUTION}/out/v1"),
            cdn_host: Some(
                channel
                    .spec
                    .cdn
                    .aliases
                    .first()
                    .cloned()
                    .unwrap_or_else(|| DISTRIBUTION.into()),
            ),
        }
    } else {
        Content {
            source_url: "https://abc123.mediapackage.eu-west-1.amazonaws.com/out/v1".into(),
            cdn_host: None,
        }
    };
    let owner = Owner::new(
        UID,
        ads.metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into()),
        ads.metadata.name.clone().unwrap_or_default(),
    );
    let name = owner.resource_id("ads", NAME_LIMIT);
    let tags = owner.tags("playback-configuration", &ads.spec.tags);
    let config = plan::playback_configuration(&ads.spec, &name, &content, tags.clone());
    assert!(
        config == plan::playback_configuration(&ads.spec, &name, &content, tags),
        "deterministic"
    );
    assert!(plain_name(&config.name, NAME_LIMIT), "{}", config.name);
    assert!(config.tags.len() <= 50, "{} tags", config.tags.len());
    assert_eq!(
        config.ad_decision_server_url,
        ads.spec.ad_decision_server_url
    );
    assert!(config.ad_decision_server_url.len() <= 25_000);
    // Every segment players fetch goes through the CDN, when there is one.
    match &content.cdn_host {
        Some(host) => {
            assert_eq!(
                config.content_segment_url_prefix.as_deref(),
                Some(format!("https://{host}/out/v1").as_str())
            );
            assert_eq!(
                config.ad_segment_url_prefix.as_deref(),
                Some(format!("https://{host}").as_str())
            );
        }
        None => {
            assert_eq!(config.content_segment_url_prefix, None);
            assert_eq!(config.ad_segment_url_prefix, None);
        }
    }
    if let Some(threshold) = config.personalization_threshold_seconds {
        assert!((1..=3600).contains(&threshold));
    }

    // With a TokenPolicy, MediaTailor reads the channel with an origin pass:
    // the edge must parse it back from the path, and logs must not show it.
    // The reconciler mints it for the channel (any name Kubernetes admits),
    // expiring at the end of the next window.
    let key = [7u8; 32];
    let channel_name = channel.metadata.name.clone().unwrap_or_default();
    let (_, exp) = origin::schedule(1_800_000_000, origin::spread_of(UID));
    let pass = origin::pass("k1", &key, &channel_name, exp);
    let source = plan::with_origin_pass(&config.video_content_source_url, &pass);
    let path = source
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map_or("", |(_, path)| path);
    let (parsed, mac) = origin::parse(path.split('/').next().unwrap_or_default())
        .unwrap_or_else(|| panic!("the pass is the first path segment of {source}"));
    assert_eq!(
        parsed,
        origin::Pass {
            kid: "k1".into(),
            exp,
            channel: channel_name,
        }
    );
    assert!(origin::matches(&key, &parsed, mac));
    let mut passed = config.clone();
    passed.video_content_source_url.clone_from(&source);
    assert!(!format!("{passed:?}").contains(mac), "Debug shows the pass");

    let sim = Sim::default();
    runtime()
        .block_on(sim.mediatailor().put_playback_configuration(passed))
        .expect("MediaTailor accepts the configuration");
}

fn harvest(channel: &LiveChannelSpec, job: &HarvestJob) {
    let created: Timestamp = CREATED.parse().expect("a time");
    let window = match harvest::window(&job.spec, created, None) {
        Ok(window) => window,
        // The schema's date-time admits a few times jiff cannot hold (more
        // than nine fractional digits, the last day of year 9999): the job
        // then fails with InvalidWindow, naming the field.
        Err(message) => {
            assert!(message.contains("is not an RFC 3339 time"), "{message}");
            return;
        }
    };
    // The reconciler records the window in status and reads it back.
    let recorded = (window.start.to_string(), window.end.to_string());
    assert_eq!(
        harvest::window(&job.spec, created, Some((&recorded.0, &recorded.1))),
        Ok(window),
        "the window survives status"
    );
    let startover =
        SignedDuration::from_secs(i64::from(channel.packaging.startover_window_seconds));
    let times = [
        created,
        window.start,
        window.end,
        window.end + SignedDuration::from_secs(1),
        window.start.checked_add(startover).unwrap_or(window.end),
        window
            .start
            .checked_add(startover + SignedDuration::from_secs(1))
            .unwrap_or(window.end),
    ];
    for now in times {
        verdict(channel, job, window, now);
    }
}

/// The verdict at `now` against MediaPackage's rules.
fn verdict(channel: &LiveChannelSpec, job: &HarvestJob, window: Window, now: Timestamp) {
    let startover = i64::from(channel.packaging.startover_window_seconds);
    let endpoint_ok = match job.spec.endpoint {
        HarvestEndpoint::Hls => channel.packaging.hls.enabled,
        HarvestEndpoint::Dash => {
            channel.packaging.dash.enabled
                && channel.packaging.dash.segment_template
                    != DashSegmentTemplate::NumberWithDuration
        }
    };
    let valid = window.end > window.start
        && window.start.duration_until(window.end) <= MAX_CLIP
        && startover > 0
        && endpoint_ok
        && window.start >= now - SignedDuration::from_secs(startover);
    match harvest::check(&job.spec, window, channel, now) {
        Verdict::Go => {
            assert!(valid, "harvest at {now} of {window:?}");
            assert!(window.end <= now, "a clip is harvested once it has passed");
        }
        Verdict::WaitUntil(t) => {
            assert!(valid, "wait at {now} for {window:?}");
            assert_eq!(t, window.end);
            assert!(t > now);
        }
        Verdict::Invalid(message) => {
            assert!(!valid, "refused at {now}: {message} ({window:?})");
            assert!(!message.is_empty());
        }
    }
}
