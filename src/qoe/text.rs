//! The report as a person reads it: where the records came from, then two
//! tables (delivery, and playback from CMCD) with a row for all records and
//! one per edge, then what the numbers mean. `n/a` marks a metric whose log
//! field is not configured, `-` one with nothing to measure.

use std::fmt::Write;

use super::summary::{Stats, BITRATE_BUCKETS, DEFINITIONS};
use super::Report;

/// A fraction as a percentage with one decimal.
fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// Milliseconds without trailing zeros (`12 ms`, `12.5 ms`).
fn millis(ms: f64) -> String {
    let text = format!("{ms:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} ms")
}

const NOT_LOGGED: &str = "n/a";
const NOTHING: &str = "-";

fn delivery_row(label: &str, s: &Stats) -> Vec<String> {
    let mut row = vec![label.to_string(), s.requests.to_string()];
    match &s.errors {
        Some(e) => row.extend([
            e.rate.map_or(NOTHING.into(), percent),
            e.client_4xx.to_string(),
            e.server_5xx.to_string(),
        ]),
        None => row.extend([NOT_LOGGED.into(), NOT_LOGGED.into(), NOT_LOGGED.into()]),
    }
    for p in [
        s.ttfb_ms.as_ref().map(|t| t.p50),
        s.ttfb_ms.as_ref().map(|t| t.p90),
        s.ttfb_ms.as_ref().map(|t| t.p99),
    ] {
        row.push(match p {
            None => NOT_LOGGED.into(),
            Some(None) => NOTHING.into(),
            Some(Some(ms)) => millis(ms),
        });
    }
    row
}

fn playback_row(label: &str, s: &Stats) -> Vec<String> {
    let mut row = vec![
        label.to_string(),
        s.sessions
            .as_ref()
            .map_or(NOT_LOGGED.into(), |x| x.distinct.to_string()),
        s.buffer_starvations
            .map_or(NOT_LOGGED.into(), |n| n.to_string()),
        s.rebuffer.as_ref().map_or(NOT_LOGGED.into(), |r| {
            r.ratio.map_or(NOTHING.into(), percent)
        }),
    ];
    match &s.bitrate_kbps {
        None => row.extend(BITRATE_BUCKETS.iter().map(|_| NOT_LOGGED.to_string())),
        Some(b) if b.samples == 0 => row.extend(BITRATE_BUCKETS.iter().map(|_| NOTHING.into())),
        Some(b) => row.extend(
            b.buckets
                .iter()
                .map(|bucket| percent(bucket.requests as f64 / b.samples as f64)),
        ),
    }
    row
}

/// Columns: the first left-aligned, the others right-aligned.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for (n, row) in std::iter::once(&header).chain(rows).enumerate() {
        let indent = if n == 0 { "" } else { "  " };
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i == 0 {
                let w = if n == 0 { w + 2 } else { *w };
                let _ = write!(line, "{indent}{cell:<w$}");
            } else {
                let _ = write!(line, "  {cell:>w$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The report as text.
pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "CMCD telemetry{}",
        report
            .channel
            .as_ref()
            .map_or(String::new(), |c| format!(" of LiveChannel {c}"))
    );
    let _ = writeln!(
        out,
        "Stream:  {} ({} shard{}), records that arrived since {}",
        report.stream,
        report.shards,
        if report.shards == 1 { "" } else { "s" },
        report.since
    );
    let range = match (s.first, s.last) {
        (Some(first), Some(last)) => format!(", logged {first} to {last}"),
        _ => String::new(),
    };
    let _ = writeln!(out, "Records: {}{range}", s.records);
    if !report.complete {
        let _ = writeln!(
            out,
            "Incomplete: stopped reading {} after {} pages each; the numbers cover the records read.",
            report.unfinished_shards.join(", "),
            super::MAX_PAGES_PER_SHARD
        );
    }
    if s.skipped > 0 {
        let _ = writeln!(
            out,
            "Skipped: {} records whose values do not match the {} configured log fields (logged before a change of fields?).",
            s.skipped,
            report.fields.len()
        );
    }
    if s.records == 0 {
        let _ = writeln!(
            out,
            "\nNo records: players have not requested through CloudFront since then, or the sampling rate logged none."
        );
        return out;
    }
    let groups: Vec<(&str, &Stats)> = std::iter::once(("all", &s.overall))
        .chain(s.edges.iter().map(|e| (e.edge.as_str(), &e.stats)))
        .collect();

    out.push('\n');
    let delivery: Vec<_> = groups.iter().map(|(l, st)| delivery_row(l, st)).collect();
    out.push_str(&table(
        &[
            "Delivery",
            "requests",
            "error rate",
            "4xx",
            "5xx",
            "TTFB p50",
            "TTFB p90",
            "TTFB p99",
        ],
        &delivery,
    ));

    out.push('\n');
    let playback: Vec<_> = groups.iter().map(|(l, st)| playback_row(l, st)).collect();
    let mut headers = vec![
        "Playback (CMCD)",
        "sessions",
        "starvations",
        "rebuffer ratio",
    ];
    let bucket_headers: Vec<String> = BITRATE_BUCKETS
        .iter()
        .map(|(label, ..)| format!("{label} kbps"))
        .collect();
    headers.extend(bucket_headers.iter().map(String::as_str));
    out.push_str(&table(&headers, &playback));

    out.push('\n');
    let _ = writeln!(out, "Error rate: {}.", DEFINITIONS.error_rate);
    let _ = writeln!(out, "TTFB: {}.", DEFINITIONS.ttfb_percentiles);
    let _ = writeln!(out, "Rebuffer ratio: {}.", DEFINITIONS.rebuffer_ratio);
    let _ = writeln!(
        out,
        "Bitrate columns: share of the {}.",
        DEFINITIONS.bitrate
    );
    let _ = writeln!(out, "Sessions: {}.", DEFINITIONS.sessions);
    if !s.edges.is_empty() {
        let _ = writeln!(out, "Edges: {}.", DEFINITIONS.edge);
    }
    for u in &s.unavailable {
        let _ = writeln!(
            out,
            "Unavailable: {} (the log fields have no {}).",
            u.metric,
            u.missing_fields.join(" or ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(millis(12.0), "12 ms");
        assert_eq!(millis(12.5), "12.5 ms");
        assert_eq!(millis(0.25), "0.25 ms");
        assert_eq!(percent(0.15), "15.0%");
        assert_eq!(percent(1.0 / 6.0), "16.7%");
    }

    #[test]
    fn tables_align() {
        let text = table(
            &["Head", "n"],
            &[
                vec!["all".into(), "20".into()],
                vec!["IAD".into(), "8".into()],
            ],
        );
        assert_eq!(text, "Head     n\n  all   20\n  IAD    8\n");
    }
}
