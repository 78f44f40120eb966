//! The quality-of-experience summary, pure: CloudFront real-time log records
//! and the log configuration's field list in, a [`Summary`] out.
//!
//! A record is one line, its values separated by TAB in the order of the
//! configuration's `fields`; a missing value is `-`. Values are read by field
//! NAME, so any field list works as long as it has the fields a metric needs;
//! a metric whose field is not in the list is reported as unavailable (and is
//! `null` in JSON). A line whose number of values differs from the number of
//! fields (written before a change of fields, or cut) is skipped and counted.
//!
//! Definitions (also in [`DEFINITIONS`], which the output carries):
//! - error rate: requests with `sc-status` 400 or above, over requests with a
//!   status;
//! - time to first byte percentiles: nearest rank, the smallest
//!   `time-to-first-byte` that at least p% of the requests that have one do not
//!   exceed (so every percentile is a value that was measured);
//! - bitrate distribution: requests carrying `cmcd-encoded-bitrate`, audio-only
//!   objects (`cmcd-object-type` `a`) left out so it shows the video rendition
//!   mix, in buckets of kbps `<1000`, `1000-2500`, `2500-5000`, `>=5000`, each
//!   holding its lower bound and not its upper one;
//! - buffer starvations: records with `cmcd-buffer-starvation` `true` (absent
//!   reads as false);
//! - rebuffer ratio: media object requests (`cmcd-object-type` `v`, `a` or `av`)
//!   that report a buffer starvation, over all media object requests. Sampling
//!   picks requests, so this ratio does not depend on the sampling rate (a
//!   share of sessions would);
//! - sessions: distinct `cmcd-session-id` values;
//! - edges: records grouped by the first three letters of `x-edge-location`,
//!   the IATA code of the airport the edge location is near (`IAD89-C1` and
//!   `IAD89-C2` are both `IAD`); a value that does not start with three letters
//!   is its own group, a missing one is `unknown`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// The fields the summary reads.
pub const TIMESTAMP: &str = "timestamp";
pub const STATUS: &str = "sc-status";
pub const TTFB: &str = "time-to-first-byte";
pub const EDGE: &str = "x-edge-location";
pub const BITRATE: &str = "cmcd-encoded-bitrate";
pub const STARVATION: &str = "cmcd-buffer-starvation";
pub const OBJECT_TYPE: &str = "cmcd-object-type";
pub const SESSION: &str = "cmcd-session-id";

/// CMCD object types of media segments: video, audio, muxed audio and video.
pub const MEDIA_OBJECT_TYPES: &[&str] = &["v", "a", "av"];

/// Bitrate buckets: label, lower bound (inclusive), upper bound (exclusive), kbps.
pub const BITRATE_BUCKETS: &[(&str, u32, Option<u32>)] = &[
    ("<1000", 0, Some(1000)),
    ("1000-2500", 1000, Some(2500)),
    ("2500-5000", 2500, Some(5000)),
    (">=5000", 5000, None),
];

/// The group of records without an edge location.
pub const UNKNOWN_EDGE: &str = "unknown";

/// What each number means, carried in the JSON output.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Definitions {
    pub error_rate: &'static str,
    pub ttfb_percentiles: &'static str,
    pub bitrate: &'static str,
    pub buffer_starvations: &'static str,
    pub rebuffer_ratio: &'static str,
    pub sessions: &'static str,
    pub edge: &'static str,
}

pub const DEFINITIONS: Definitions = Definitions {
    error_rate: "requests with sc-status 400 or above, over requests with a status",
    ttfb_percentiles: "nearest rank over time-to-first-byte: the smallest value that at least p% of the requests do not exceed, in milliseconds",
    bitrate: "requests carrying cmcd-encoded-bitrate, audio-only objects (cmcd-object-type a) left out, in kbps buckets that hold their lower bound: <1000, 1000-2500, 2500-5000, >=5000",
    buffer_starvations: "records with cmcd-buffer-starvation true",
    rebuffer_ratio: "media object requests (cmcd-object-type v, a or av) with cmcd-buffer-starvation true, over all media object requests",
    sessions: "distinct cmcd-session-id values",
    edge: "the first three letters of x-edge-location, the airport code of the edge location (IAD89-C1 -> IAD)",
};

/// A metric the field list cannot give.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub metric: &'static str,
    /// The fields it needs that the list does not have.
    pub missing_fields: Vec<&'static str>,
}

/// Errors by HTTP status.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Errors {
    /// Requests whose `sc-status` is a number (the rate's denominator).
    pub with_status: u64,
    pub client_4xx: u64,
    pub server_5xx: u64,
    /// (4xx + 5xx) / with_status; null without any status.
    pub rate: Option<f64>,
}

/// Time to first byte, in milliseconds.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Percentiles {
    /// Requests with a time to first byte.
    pub samples: u64,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub label: &'static str,
    pub min_kbps: u32,
    /// Exclusive; null for the last bucket.
    pub below_kbps: Option<u32>,
    pub requests: u64,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct BitrateCount {
    pub kbps: u32,
    pub requests: u64,
}

/// The encoded bitrate players asked for (audio-only objects left out).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Bitrates {
    pub samples: u64,
    pub buckets: Vec<Bucket>,
    /// Every distinct bitrate, lowest first (the renditions in use).
    pub by_value: Vec<BitrateCount>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Rebuffer {
    /// Requests with `cmcd-object-type` `v`, `a` or `av`.
    pub media_requests: u64,
    /// Of those, the ones with `cmcd-buffer-starvation` true.
    pub starved_media_requests: u64,
    /// starved_media_requests / media_requests; null without media requests.
    pub ratio: Option<f64>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Sessions {
    /// Distinct `cmcd-session-id` values.
    pub distinct: u64,
    /// Sessions with at least one starvation record (null without
    /// `cmcd-buffer-starvation`). With sampling below 100% this undercounts.
    pub with_starvation: Option<u64>,
}

/// The numbers of one group of records (all of them, or one edge). A metric
/// whose fields are not logged is null.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Stats {
    pub requests: u64,
    pub errors: Option<Errors>,
    pub ttfb_ms: Option<Percentiles>,
    pub bitrate_kbps: Option<Bitrates>,
    pub buffer_starvations: Option<u64>,
    pub rebuffer: Option<Rebuffer>,
    pub sessions: Option<Sessions>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct EdgeStats {
    /// The airport code (see [`DEFINITIONS`]).
    pub edge: String,
    /// The `x-edge-location` values in the group.
    pub locations: Vec<String>,
    #[serde(flatten)]
    pub stats: Stats,
}

/// The summary of a set of records.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Summary {
    /// Records read (lines with one value per field).
    pub records: u64,
    /// Lines skipped because their number of values is not the number of fields.
    pub skipped: u64,
    /// The earliest and latest `timestamp` among the records.
    #[serde(serialize_with = "rfc3339")]
    pub first: Option<jiff::Timestamp>,
    #[serde(serialize_with = "rfc3339")]
    pub last: Option<jiff::Timestamp>,
    pub overall: Stats,
    /// Per edge, most requests first (empty without `x-edge-location`).
    pub edges: Vec<EdgeStats>,
    pub unavailable: Vec<Unavailable>,
    pub definitions: Definitions,
}

fn rfc3339<S: serde::Serializer>(t: &Option<jiff::Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_string()),
        None => s.serialize_none(),
    }
}

/// Where each needed field is in a record, if logged.
#[derive(Clone, Copy, Default)]
struct Columns {
    timestamp: Option<usize>,
    status: Option<usize>,
    ttfb: Option<usize>,
    edge: Option<usize>,
    bitrate: Option<usize>,
    starvation: Option<usize>,
    object_type: Option<usize>,
    session: Option<usize>,
}

impl Columns {
    fn new<S: AsRef<str>>(fields: &[S]) -> Self {
        let at = |name: &str| fields.iter().position(|f| f.as_ref() == name);
        Self {
            timestamp: at(TIMESTAMP),
            status: at(STATUS),
            ttfb: at(TTFB),
            edge: at(EDGE),
            bitrate: at(BITRATE),
            starvation: at(STARVATION),
            object_type: at(OBJECT_TYPE),
            session: at(SESSION),
        }
    }

    fn unavailable(&self) -> Vec<Unavailable> {
        let metric = |metric, needs: &[(&'static str, Option<usize>)]| {
            let missing_fields: Vec<_> = needs
                .iter()
                .filter(|(_, c)| c.is_none())
                .map(|(f, _)| *f)
                .collect();
            (!missing_fields.is_empty()).then_some(Unavailable {
                metric,
                missing_fields,
            })
        };
        [
            metric("error rate", &[(STATUS, self.status)]),
            metric("time to first byte", &[(TTFB, self.ttfb)]),
            metric("bitrate distribution", &[(BITRATE, self.bitrate)]),
            metric("buffer starvations", &[(STARVATION, self.starvation)]),
            metric(
                "rebuffer ratio",
                &[
                    (STARVATION, self.starvation),
                    (OBJECT_TYPE, self.object_type),
                ],
            ),
            metric("sessions", &[(SESSION, self.session)]),
            metric("per-edge breakdown", &[(EDGE, self.edge)]),
            metric("time range", &[(TIMESTAMP, self.timestamp)]),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The value at `column`, None when not logged or `-`.
fn value<'a>(values: &[&'a str], column: Option<usize>) -> Option<&'a str> {
    let v = values.get(column?)?.trim();
    (!v.is_empty() && v != "-").then_some(v)
}

/// A non-negative decimal (`0.012`, `1732612345.123`) as an integer count of
/// 10^-`digits` units, exactly (no floating point): digits past `digits` are
/// dropped.
fn fixed(text: &str, digits: usize) -> Option<u128> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut units = whole.checked_mul(10u128.pow(digits as u32))?;
    for (i, d) in fraction.bytes().take(digits).enumerate() {
        units += u128::from(d - b'0') * 10u128.pow((digits - 1 - i) as u32);
    }
    Some(units)
}

/// `timestamp`: epoch seconds with a fraction.
pub fn parse_timestamp(text: &str) -> Option<jiff::Timestamp> {
    let nanos = i128::try_from(fixed(text, 9)?).ok()?;
    jiff::Timestamp::from_nanosecond(nanos).ok()
}

/// `time-to-first-byte`: seconds as a decimal, answered in microseconds.
pub fn parse_seconds_as_micros(text: &str) -> Option<u64> {
    u64::try_from(fixed(text, 6)?).ok()
}

/// The group of an `x-edge-location` value (see [`DEFINITIONS`]).
pub fn edge_group(location: Option<&str>) -> String {
    let Some(location) = location else {
        return UNKNOWN_EDGE.to_string();
    };
    let code: String = location
        .chars()
        .take(3)
        .take_while(char::is_ascii_alphabetic)
        .collect();
    if code.len() == 3 {
        code.to_ascii_uppercase()
    } else {
        location.to_string()
    }
}

/// The p-th percentile by nearest rank of `sorted` (ascending, not empty).
fn nearest_rank(sorted: &[u64], p: usize) -> u64 {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// Counters of one group.
#[derive(Default)]
struct Tally {
    requests: u64,
    with_status: u64,
    client_4xx: u64,
    server_5xx: u64,
    ttfb_micros: Vec<u64>,
    bitrates: BTreeMap<u32, u64>,
    starvations: u64,
    media_requests: u64,
    starved_media_requests: u64,
    /// Session id -> whether it had a starvation record.
    sessions: BTreeMap<String, bool>,
    locations: BTreeSet<String>,
}

/// One record's values the summary reads.
struct Parsed<'a> {
    status: Option<u16>,
    ttfb_micros: Option<u64>,
    bitrate: Option<u32>,
    starved: bool,
    media: bool,
    audio_only: bool,
    session: Option<&'a str>,
    location: Option<&'a str>,
}

impl Tally {
    fn add(&mut self, r: &Parsed) {
        self.requests += 1;
        if let Some(status) = r.status {
            self.with_status += 1;
            match status {
                400..=499 => self.client_4xx += 1,
                500.. => self.server_5xx += 1,
                _ => {}
            }
        }
        self.ttfb_micros.extend(r.ttfb_micros);
        if let Some(br) = r.bitrate.filter(|_| !r.audio_only) {
            *self.bitrates.entry(br).or_default() += 1;
        }
        self.starvations += u64::from(r.starved);
        if r.media {
            self.media_requests += 1;
            self.starved_media_requests += u64::from(r.starved);
        }
        if let Some(session) = r.session {
            *self.sessions.entry(session.to_string()).or_default() |= r.starved;
        }
        if let Some(location) = r.location {
            self.locations.insert(location.to_string());
        }
    }

    fn stats(mut self, c: &Columns) -> Stats {
        self.ttfb_micros.sort_unstable();
        let t = &self.ttfb_micros;
        let pick = |p| (!t.is_empty()).then(|| ms(nearest_rank(t, p)));
        Stats {
            requests: self.requests,
            errors: c.status.map(|_| Errors {
                with_status: self.with_status,
                client_4xx: self.client_4xx,
                server_5xx: self.server_5xx,
                rate: ratio(self.client_4xx + self.server_5xx, self.with_status),
            }),
            ttfb_ms: c.ttfb.map(|_| Percentiles {
                samples: t.len() as u64,
                p50: pick(50),
                p90: pick(90),
                p99: pick(99),
                max: t.last().map(|m| ms(*m)),
            }),
            bitrate_kbps: c.bitrate.map(|_| Bitrates {
                samples: self.bitrates.values().sum(),
                buckets: BITRATE_BUCKETS
                    .iter()
                    .map(|&(label, min, below)| Bucket {
                        label,
                        min_kbps: min,
                        below_kbps: below,
                        requests: self
                            .bitrates
                            .iter()
                            .filter(|(&br, _)| br >= min && below.is_none_or(|b| br < b))
                            .map(|(_, n)| n)
                            .sum(),
                    })
                    .collect(),
                by_value: self
                    .bitrates
                    .iter()
                    .map(|(&kbps, &requests)| BitrateCount { kbps, requests })
                    .collect(),
            }),
            buffer_starvations: c.starvation.map(|_| self.starvations),
            rebuffer: c.starvation.and(c.object_type).map(|_| Rebuffer {
                media_requests: self.media_requests,
                starved_media_requests: self.starved_media_requests,
                ratio: ratio(self.starved_media_requests, self.media_requests),
            }),
            sessions: c.session.map(|_| Sessions {
                distinct: self.sessions.len() as u64,
                with_starvation: c
                    .starvation
                    .map(|_| self.sessions.values().filter(|s| **s).count() as u64),
            }),
        }
    }
}

/// Summarises records. Each item is one Kinesis record's data: one log line
/// (a trailing newline is fine; several lines are each a record). `fields` is
/// the real-time log configuration's field list, in order.
pub fn summarize<D, S>(data: impl IntoIterator<Item = D>, fields: &[S]) -> Summary
where
    D: AsRef<[u8]>,
    S: AsRef<str>,
{
    let columns = Columns::new(fields);
    let mut overall = Tally::default();
    let mut edges: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut records, mut skipped) = (0u64, 0u64);
    let (mut first, mut last): (Option<jiff::Timestamp>, Option<jiff::Timestamp>) = (None, None);
    for item in data {
        let text = String::from_utf8_lossy(item.as_ref());
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            let values: Vec<&str> = line.split('\t').collect();
            if values.len() != fields.len() {
                skipped += 1;
                continue;
            }
            records += 1;
            if let Some(t) = value(&values, columns.timestamp).and_then(parse_timestamp) {
                first = Some(first.map_or(t, |f| f.min(t)));
                last = Some(last.map_or(t, |l| l.max(t)));
            }
            let object_type = value(&values, columns.object_type);
            let parsed = Parsed {
                status: value(&values, columns.status).and_then(|s| s.parse().ok()),
                ttfb_micros: value(&values, columns.ttfb).and_then(parse_seconds_as_micros),
                bitrate: value(&values, columns.bitrate).and_then(|b| b.parse().ok()),
                starved: value(&values, columns.starvation)
                    .is_some_and(|s| s.eq_ignore_ascii_case("true")),
                media: object_type.is_some_and(|t| MEDIA_OBJECT_TYPES.contains(&t)),
                audio_only: object_type == Some("a"),
                session: value(&values, columns.session),
                location: value(&values, columns.edge),
            };
            overall.add(&parsed);
            if columns.edge.is_some() {
                edges
                    .entry(edge_group(parsed.location))
                    .or_default()
                    .add(&parsed);
            }
        }
    }
    let mut edges: Vec<EdgeStats> = edges
        .into_iter()
        .map(|(edge, tally)| EdgeStats {
            edge,
            locations: tally.locations.iter().cloned().collect(),
            stats: tally.stats(&columns),
        })
        .collect();
    edges.sort_by(|a, b| {
        b.stats
            .requests
            .cmp(&a.stats.requests)
            .then_with(|| a.edge.cmp(&b.edge))
    });
    Summary {
        records,
        skipped,
        first,
        last,
        overall: overall.stats(&columns),
        edges,
        unavailable: columns.unavailable(),
        definitions: DEFINITIONS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &[
        "timestamp",
        "sc-status",
        "time-to-first-byte",
        "x-edge-location",
        "cmcd-encoded-bitrate",
        "cmcd-buffer-starvation",
        "cmcd-object-type",
        "cmcd-session-id",
    ];

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_seconds_as_micros("0.012"), Some(12_000));
        assert_eq!(parse_seconds_as_micros("1.5"), Some(1_500_000));
        assert_eq!(parse_seconds_as_micros("2"), Some(2_000_000));
        assert_eq!(parse_seconds_as_micros("0.0000019"), Some(1));
        assert_eq!(parse_seconds_as_micros("-0.1"), None);
        assert_eq!(parse_seconds_as_micros("."), None);
        assert_eq!(parse_seconds_as_micros("1e3"), None);
        assert_eq!(
            parse_timestamp("1732612345.123"),
            Some(jiff::Timestamp::from_millisecond(1_732_612_345_123).unwrap())
        );
    }

    #[test]
    fn edges_group_by_airport_code() {
        assert_eq!(edge_group(Some("IAD89-C1")), "IAD");
        assert_eq!(edge_group(Some("iad12-p2")), "IAD");
        assert_eq!(edge_group(Some("X1")), "X1");
        assert_eq!(edge_group(Some("12345")), "12345");
        assert_eq!(edge_group(None), UNKNOWN_EDGE);
    }

    #[test]
    fn nearest_rank_picks_measured_values() {
        let v: Vec<u64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 50), 5);
        assert_eq!(nearest_rank(&v, 90), 9);
        assert_eq!(nearest_rank(&v, 99), 10);
        assert_eq!(nearest_rank(&[7], 50), 7);
        assert_eq!(nearest_rank(&[7], 99), 7);
    }

    #[test]
    fn bitrates_fall_in_half_open_buckets() {
        let lines = [
            "1.0\t200\t0.001\tIAD1\t999\t-\tv\ts",
            "1.0\t200\t0.001\tIAD1\t1000\t-\tv\ts",
            "1.0\t200\t0.001\tIAD1\t2499\t-\tav\ts",
            "1.0\t200\t0.001\tIAD1\t2500\t-\t-\ts",
            "1.0\t200\t0.001\tIAD1\t4999\t-\tv\ts",
            "1.0\t200\t0.001\tIAD1\t5000\t-\tv\ts",
            "1.0\t200\t0.001\tIAD1\t4294967295\t-\tv\ts",
            // Audio is left out of the distribution.
            "1.0\t200\t0.001\tIAD1\t128\t-\ta\ts",
        ];
        let s = summarize(lines, FIELDS);
        let b = s.overall.bitrate_kbps.unwrap();
        assert_eq!(b.samples, 7);
        let counts: Vec<_> = b.buckets.iter().map(|b| (b.label, b.requests)).collect();
        assert_eq!(
            counts,
            [
                ("<1000", 1),
                ("1000-2500", 2),
                ("2500-5000", 2),
                (">=5000", 2)
            ]
        );
    }

    #[test]
    fn missing_values_and_wrong_widths() {
        let lines = [
            // A record carrying no CMCD at all, with a trailing newline.
            "1.0\t404\t-\t-\t-\t-\t-\t-\n",
            // Several lines in one Kinesis record, CRLF too.
            "2.0\t000\t0.002\tFRA5\t-\tTRUE\tm\tx\r\n3.0\t200\t0.004\tFRA5\t-\tfalse\tv\tx\n",
            // Too few and too many values.
            "4.0\t200\t0.001",
            "5.0\t200\t0.001\tIAD1\t-\t-\tv\ts\textra",
            "",
        ];
        let s = summarize(lines, FIELDS);
        assert_eq!((s.records, s.skipped), (3, 2));
        let e = s.overall.errors.as_ref().unwrap();
        // 000 (the viewer went away) is a status, not an error.
        assert_eq!((e.with_status, e.client_4xx, e.server_5xx), (3, 1, 0));
        let t = s.overall.ttfb_ms.as_ref().unwrap();
        assert_eq!((t.samples, t.p50, t.max), (2, Some(2.0), Some(4.0)));
        assert_eq!(s.overall.buffer_starvations, Some(1));
        // The starvation came on a manifest request: not a media request.
        let r = s.overall.rebuffer.as_ref().unwrap();
        assert_eq!((r.media_requests, r.starved_media_requests), (1, 0));
        assert_eq!(r.ratio, Some(0.0));
        assert_eq!(
            s.overall.sessions,
            Some(Sessions {
                distinct: 1,
                with_starvation: Some(1)
            })
        );
        let groups: Vec<_> = s.edges.iter().map(|e| e.edge.as_str()).collect();
        assert_eq!(groups, ["FRA", UNKNOWN_EDGE]);
        assert_eq!(s.first, parse_timestamp("1"));
        assert_eq!(s.last, parse_timestamp("3"));
        assert!(s.unavailable.is_empty());
    }

    #[test]
    fn metrics_without_their_fields_are_unavailable() {
        let fields = ["sc-status", "cmcd-buffer-starvation"];
        let s = summarize(["503\ttrue", "200\t-"], &fields);
        assert_eq!(s.records, 2);
        assert_eq!(s.overall.errors.as_ref().unwrap().rate, Some(0.5));
        assert_eq!(s.overall.buffer_starvations, Some(1));
        assert_eq!(s.overall.ttfb_ms, None);
        assert_eq!(s.overall.rebuffer, None);
        assert_eq!(s.overall.sessions, None);
        assert!(s.edges.is_empty());
        let missing: Vec<_> = s
            .unavailable
            .iter()
            .map(|u| (u.metric, u.missing_fields.clone()))
            .collect();
        assert_eq!(
            missing,
            [
                ("time to first byte", vec![TTFB]),
                ("bitrate distribution", vec![BITRATE]),
                ("rebuffer ratio", vec![OBJECT_TYPE]),
                ("sessions", vec![SESSION]),
                ("per-edge breakdown", vec![EDGE]),
                ("time range", vec![TIMESTAMP]),
            ]
        );
    }

    #[test]
    fn nothing_read_is_an_empty_summary() {
        let s = summarize(Vec::<&str>::new(), FIELDS);
        assert_eq!(s.records, 0);
        assert_eq!(s.overall.errors.unwrap().rate, None);
        let t = s.overall.ttfb_ms.unwrap();
        assert_eq!((t.samples, t.p50), (0, None));
        assert_eq!(s.overall.rebuffer.unwrap().ratio, None);
        assert!(s.edges.is_empty());
        assert_eq!(s.first, None);
    }
}
