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
//!
//! The parts: `model` what the output says, `columns` reading a record,
//! `tally` the counters of a group; [`summarize`] here ties them together.

mod columns;
mod model;
mod tally;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use columns::{edge_group, parse_seconds_as_micros, parse_timestamp};
use columns::{value, Columns};
pub use model::*;
use tally::{Parsed, Tally};

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
