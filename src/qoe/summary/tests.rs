use super::tally::nearest_rank;
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
