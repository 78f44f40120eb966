//! The counters of one group of records and their [`Stats`]: error rate,
//! time-to-first-byte percentiles, bitrates, starvations and sessions.

use std::collections::{BTreeMap, BTreeSet};

use super::columns::Columns;
use super::model::*;

/// The p-th percentile by nearest rank of `sorted` (ascending, not empty).
pub(super) fn nearest_rank(sorted: &[u64], p: usize) -> u64 {
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
pub(super) struct Tally {
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
    pub(super) locations: BTreeSet<String>,
}

/// One record's values the summary reads.
pub(super) struct Parsed<'a> {
    pub(super) status: Option<u16>,
    pub(super) ttfb_micros: Option<u64>,
    pub(super) bitrate: Option<u32>,
    pub(super) starved: bool,
    pub(super) media: bool,
    pub(super) audio_only: bool,
    pub(super) session: Option<&'a str>,
    pub(super) location: Option<&'a str>,
}

impl Tally {
    pub(super) fn add(&mut self, r: &Parsed) {
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

    pub(super) fn stats(mut self, c: &Columns) -> Stats {
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
