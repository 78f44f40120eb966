//! A HarvestJob's window and where its clip goes: resolved once, checked
//! against the channel before any AWS call. Pure.

use jiff::{SignedDuration, Timestamp};

use crate::api::harvest_job::{HarvestEndpoint, HarvestJobSpec};
use crate::api::live_channel::{DashSegmentTemplate, LiveChannelSpec};

/// MediaPackage harvests at most 24 hours.
pub const MAX_CLIP: SignedDuration = SignedDuration::from_hours(24);

/// The clip's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// The window: the one recorded in status if any (resolved once), else the
/// spec's absolute times, else `lastMinutes` back from the object's creation.
pub fn window(
    spec: &HarvestJobSpec,
    created: Timestamp,
    recorded: Option<(&str, &str)>,
) -> Result<Window, String> {
    let parse = |field: &str, value: &str| {
        value
            .parse::<Timestamp>()
            .map_err(|e| format!("{field} {value:?} is not an RFC 3339 time: {e}"))
    };
    if let Some((start, end)) = recorded {
        return Ok(Window {
            start: parse("status.windowStart", start)?,
            end: parse("status.windowEnd", end)?,
        });
    }
    match (&spec.start_time, &spec.end_time, spec.last_minutes) {
        (Some(start), Some(end), _) => Ok(Window {
            start: parse("startTime", start)?,
            end: parse("endTime", end)?,
        }),
        (_, _, Some(minutes)) => Ok(Window {
            start: created - SignedDuration::from_mins(i64::from(minutes)),
            end: created,
        }),
        _ => Err("give either lastMinutes, or startTime and endTime".into()),
    }
}

/// What the window and the channel allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Harvest now.
    Go,
    /// The clip ends in the future: harvest once it has passed.
    WaitUntil(Timestamp),
    /// It can never work as written: the message says what to change.
    Invalid(String),
}

/// Checks the window against the channel's packaging, at `now`.
pub fn check(
    spec: &HarvestJobSpec,
    window: Window,
    channel: &LiveChannelSpec,
    now: Timestamp,
) -> Verdict {
    if window.end <= window.start {
        return Verdict::Invalid("endTime must be after startTime".into());
    }
    if window.start.duration_until(window.end) > MAX_CLIP {
        return Verdict::Invalid(
            "a harvested clip can be at most 24 hours long (MediaPackage's limit): shorten the window".into(),
        );
    }
    let startover = channel.packaging.startover_window_seconds;
    if startover == 0 {
        return Verdict::Invalid(
            "the channel has no start-over window (packaging.startoverWindowSeconds is 0), so there is nothing to harvest: set it on the LiveChannel, then create the HarvestJob again".into(),
        );
    }
    match spec.endpoint {
        HarvestEndpoint::Hls if !channel.packaging.hls.enabled => {
            return Verdict::Invalid("endpoint is Hls but the channel has no HLS endpoint (packaging.hls.enabled is false): harvest Dash instead".into())
        }
        HarvestEndpoint::Dash if !channel.packaging.dash.enabled => {
            return Verdict::Invalid("endpoint is Dash but the channel has no DASH endpoint (packaging.dash.enabled is false): harvest Hls instead".into())
        }
        HarvestEndpoint::Dash
            if channel.packaging.dash.segment_template == DashSegmentTemplate::NumberWithDuration =>
        {
            return Verdict::Invalid("the channel's DASH endpoint uses NumberWithDuration segment templates, which MediaPackage cannot harvest: harvest Hls, or use a timeline template".into())
        }
        _ => {}
    }
    let oldest = now - SignedDuration::from_secs(i64::from(startover));
    if window.start < oldest {
        return Verdict::Invalid(format!(
            "the clip starts at {}, before the channel's start-over window ({startover} s, so not before {}): start later",
            window.start, oldest
        ));
    }
    if window.end > now {
        return Verdict::WaitUntil(window.end);
    }
    Verdict::Go
}

/// The S3 key of the clip's manifest: `<keyPrefix>/<name>/index.m3u8|mpd`.
pub fn manifest_key(spec: &HarvestJobSpec, name: &str) -> String {
    let file = match spec.endpoint {
        HarvestEndpoint::Hls => "index.m3u8",
        HarvestEndpoint::Dash => "index.mpd",
    };
    match spec
        .destination
        .key_prefix
        .as_deref()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
    {
        Some(prefix) => format!("{prefix}/{name}/{file}"),
        None => format!("{name}/{file}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> HarvestJobSpec {
        serde_json::from_value(json).unwrap()
    }

    fn job(extra: serde_json::Value) -> HarvestJobSpec {
        let mut base = serde_json::json!({
            "channelRef": {"name": "news"},
            "destination": {"bucket": "clips", "keyPrefix": "harvest/news/", "roleArn": "arn:aws:iam::123456789012:role/h"}
        });
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        spec(base)
    }

    fn channel(startover: u32) -> LiveChannelSpec {
        serde_json::from_value(serde_json::json!({
            "state": "Running",
            "input": {"type": "UrlPull", "urlPull": {"urls": ["https://example.com/a.m3u8"]}},
            "packaging": {"startoverWindowSeconds": startover}
        }))
        .unwrap()
    }

    #[test]
    fn last_minutes_count_back_from_creation_and_are_resolved_once() {
        let created: Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
        let s = job(serde_json::json!({"lastMinutes": 45}));
        let w = window(&s, created, None).unwrap();
        assert_eq!(w.start.to_string(), "2026-11-26T09:15:00Z");
        assert_eq!(w.end, created);
        let recorded = window(
            &s,
            created + SignedDuration::from_hours(5),
            Some(("2026-11-26T09:15:00Z", "2026-11-26T10:00:00Z")),
        )
        .unwrap();
        assert_eq!(
            recorded, w,
            "the recorded window wins over a later resolution"
        );
        assert_eq!(manifest_key(&s, "clip"), "harvest/news/clip/index.m3u8");
    }

    #[test]
    fn the_window_must_fit_the_channel() {
        let now: Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
        let s = job(serde_json::json!({"lastMinutes": 45}));
        let w = window(&s, now, None).unwrap();
        assert_eq!(check(&s, w, &channel(7200), now), Verdict::Go);
        assert!(
            matches!(check(&s, w, &channel(0), now), Verdict::Invalid(m) if m.contains("no start-over window"))
        );
        assert!(
            matches!(check(&s, w, &channel(600), now), Verdict::Invalid(m) if m.contains("before the channel's start-over window"))
        );
        let later = Window {
            start: now - SignedDuration::from_mins(5),
            end: now + SignedDuration::from_mins(5),
        };
        assert_eq!(
            check(&s, later, &channel(7200), now),
            Verdict::WaitUntil(later.end)
        );
        let dash = job(serde_json::json!({"lastMinutes": 5, "endpoint": "Dash"}));
        let mut c = channel(7200);
        c.packaging.dash.segment_template = DashSegmentTemplate::NumberWithDuration;
        assert!(
            matches!(check(&dash, w, &c, now), Verdict::Invalid(m) if m.contains("NumberWithDuration"))
        );
    }
}
