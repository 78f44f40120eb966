//! What a summary says: the fields it reads, the bitrate buckets, and the
//! serialized output types ([`Summary`] and its parts, [`DEFINITIONS`]).

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
