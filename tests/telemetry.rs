//! `onair telemetry`: the CMCD quality-of-experience summary of a recorded set
//! of CloudFront real-time log records (tests/fixtures/telemetry/
//! realtime-logs.tsv, onair's default fields), whose answers were computed by
//! hand; the same answers read back from a Kinesis stream in moto through the
//! real SDK; and the `onair telemetry` command against the local API server
//! and moto.
//!
//! The 20 records (TTFB in ms; br = cmcd-encoded-bitrate; bs =
//! cmcd-buffer-starvation, `-` when not sent; S1 and S2 are the two sessions,
//! 18 and 19 a probe without CMCD):
//!
//! | #  | edge     | sid | ot | br   | bs    | status | TTFB |
//! |----|----------|-----|----|------|-------|--------|------|
//! | 1  | IAD89-C1 | S1  | m  |      | false | 200    | 5    |
//! | 2  | IAD89-C1 | S1  | i  |      | -     | 200    | 8    |
//! | 3  | IAD89-C1 | S1  | v  | 3000 | false | 200    | 20   |
//! | 4  | IAD89-C2 | S1  | a  | 96   | false | 200    | 11   |
//! | 5  | IAD89-C2 | S1  | m  |      | false | 503    | 150  |
//! | 6  | IAD89-C1 | S1  | v  | 1200 | true  | 200    | 90   |
//! | 7  | IAD89-C1 | S1  | a  | 96   | false | 200    | 13   |
//! | 8  | IAD89-C2 | S1  | m  |      | false | 200    | 6    |
//! | 9  | FRA56-P5 | S2  | m  |      | -     | 200    | 7    |
//! | 10 | FRA56-P5 | S2  | v  | 5000 | false | 200    | 30   |
//! | 11 | FRA56-P5 | S2  | a  | 96   | false | 200    | 12   |
//! | 12 | FRA56-P5 | S2  | v  | 5000 | false | 504    | 400  |
//! | 13 | FRA56-P5 | S2  | v  | 4800 | false | 200    | 35   |
//! | 14 | FRA56-P5 | S2  | m  |      | false | 200    | 4    |
//! | 15 | LHR61-P4 | S2  | v  | 2500 | false | 200    | 40   |
//! | 16 | LHR61-P4 | S2  | i  |      | false | 200    | 14   |
//! | 17 | LHR61-P4 | S2  | m  |      | false | 200    | 9    |
//! | 18 | LHR61-P4 |     |    |      |       | 200    | 3    |
//! | 19 | LHR61-P4 |     |    |      |       | 404    | 10   |
//! | 20 | LHR61-P4 | S2  | v  | 800  | false | 200    | 50   |
//!
//! Overall: 3 errors of 20 (one 404, a 503 and a 504) = 15%. TTFB sorted: 3 4
//! 5 6 7 8 9 10 11 12 13 14 20 30 35 40 50 90 150 400; nearest rank p50 = the
//! 10th = 12, p90 = the 18th = 90, p99 = the 20th = 400. Bitrates (audio left
//! out): 3000 1200 5000 5000 4800 2500 800 -> <1000: 1 (800), 1000-2500: 1
//! (1200), 2500-5000: 3 (3000 4800 2500), >=5000: 2. One starvation (6).
//! Media requests (v/a): 3 4 6 7 10 11 12 13 15 20 = 10, one starved: rebuffer
//! ratio 0.1. Sessions: 2, one (S1) with a starvation.
//! IAD (1-8, two locations): 8 requests, one 503 = 12.5%; TTFB 5 6 8 11 13 20
//! 90 150 -> p50 the 4th = 11, p90 and p99 the 8th = 150; bitrates 3000 1200;
//! media 3 4 6 7, one starved = 0.25; 1 session.
//! FRA (9-14): 6 requests, one 504 = 1/6; TTFB 4 7 12 30 35 400 -> p50 the
//! 3rd = 12, p90 and p99 the 6th = 400; bitrates 5000 5000 4800; media 10 11
//! 12 13, none starved; 1 session.
//! LHR (15-20): 6 requests, one 404 = 1/6; TTFB 3 9 10 14 40 50 -> p50 10,
//! p90 and p99 50; bitrates 2500 800; media 15 20, none starved; 1 session
//! (S2 again: 3 sessions over the edges, 2 overall).

use std::path::PathBuf;

use kube::api::{Api, Patch, PatchParams, PostParams};
use onair::aws::kinesis::KinesisApi;
use onair::aws::sdk::kinesis::SdkKinesis;
use onair::aws::Service;
use onair::plan::telemetry::DEFAULT_FIELDS;
use onair::qoe::summary::{BitrateCount, Errors, Percentiles, Rebuffer, Sessions, Stats, Summary};

#[allow(dead_code)]
#[path = "aws/moto.rs"]
mod moto;
#[path = "support/mod.rs"]
mod support;

fn fixture_lines() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/telemetry/realtime-logs.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 20);
    lines
}

fn ts(millis: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(millis).unwrap()
}

fn errors(with_status: u64, client_4xx: u64, server_5xx: u64, rate: f64) -> Option<Errors> {
    Some(Errors {
        with_status,
        client_4xx,
        server_5xx,
        rate: Some(rate),
    })
}

fn ttfb(samples: u64, p50: f64, p90: f64, p99: f64, max: f64) -> Option<Percentiles> {
    Some(Percentiles {
        samples,
        p50: Some(p50),
        p90: Some(p90),
        p99: Some(p99),
        max: Some(max),
    })
}

/// Requests per bucket (<1000, 1000-2500, 2500-5000, >=5000) and per value.
fn assert_bitrates(stats: &Stats, buckets: [u64; 4], values: &[(u32, u64)]) {
    let b = stats.bitrate_kbps.as_ref().expect("bitrates");
    assert_eq!(b.samples, buckets.iter().sum::<u64>());
    let got: Vec<_> = b.buckets.iter().map(|x| (x.label, x.requests)).collect();
    assert_eq!(
        got,
        [
            ("<1000", buckets[0]),
            ("1000-2500", buckets[1]),
            ("2500-5000", buckets[2]),
            (">=5000", buckets[3])
        ]
    );
    let want: Vec<_> = values
        .iter()
        .map(|&(kbps, requests)| BitrateCount { kbps, requests })
        .collect();
    assert_eq!(b.by_value, want);
}

fn rebuffer(media_requests: u64, starved: u64, ratio: f64) -> Option<Rebuffer> {
    Some(Rebuffer {
        media_requests,
        starved_media_requests: starved,
        ratio: Some(ratio),
    })
}

fn sessions(distinct: u64, with_starvation: u64) -> Option<Sessions> {
    Some(Sessions {
        distinct,
        with_starvation: Some(with_starvation),
    })
}

/// Every number of the fixture's summary (see the table above).
fn assert_known_answers(s: &Summary) {
    assert_eq!((s.records, s.skipped), (20, 0));
    assert_eq!(s.first, Some(ts(1_732_612_345_123)));
    assert_eq!(s.last, Some(ts(1_732_612_364_123)));
    assert!(s.unavailable.is_empty(), "{:?}", s.unavailable);

    let o = &s.overall;
    assert_eq!(o.requests, 20);
    assert_eq!(o.errors, errors(20, 1, 2, 0.15));
    assert_eq!(o.ttfb_ms, ttfb(20, 12.0, 90.0, 400.0, 400.0));
    assert_bitrates(
        o,
        [1, 1, 3, 2],
        &[
            (800, 1),
            (1200, 1),
            (2500, 1),
            (3000, 1),
            (4800, 1),
            (5000, 2),
        ],
    );
    assert_eq!(o.buffer_starvations, Some(1));
    assert_eq!(o.rebuffer, rebuffer(10, 1, 0.1));
    assert_eq!(o.sessions, sessions(2, 1));

    let edges: Vec<_> = s
        .edges
        .iter()
        .map(|e| (e.edge.as_str(), e.locations.clone()))
        .collect();
    assert_eq!(
        edges,
        [
            ("IAD", vec!["IAD89-C1".to_string(), "IAD89-C2".to_string()]),
            ("FRA", vec!["FRA56-P5".to_string()]),
            ("LHR", vec!["LHR61-P4".to_string()]),
        ]
    );

    let iad = &s.edges[0].stats;
    assert_eq!(iad.requests, 8);
    assert_eq!(iad.errors, errors(8, 0, 1, 0.125));
    assert_eq!(iad.ttfb_ms, ttfb(8, 11.0, 150.0, 150.0, 150.0));
    assert_bitrates(iad, [0, 1, 1, 0], &[(1200, 1), (3000, 1)]);
    assert_eq!(iad.buffer_starvations, Some(1));
    assert_eq!(iad.rebuffer, rebuffer(4, 1, 0.25));
    assert_eq!(iad.sessions, sessions(1, 1));

    let fra = &s.edges[1].stats;
    assert_eq!(fra.requests, 6);
    assert_eq!(fra.errors, errors(6, 0, 1, 1.0 / 6.0));
    assert_eq!(fra.ttfb_ms, ttfb(6, 12.0, 400.0, 400.0, 400.0));
    assert_bitrates(fra, [0, 0, 1, 2], &[(4800, 1), (5000, 2)]);
    assert_eq!(fra.buffer_starvations, Some(0));
    assert_eq!(fra.rebuffer, rebuffer(4, 0, 0.0));
    assert_eq!(fra.sessions, sessions(1, 0));

    let lhr = &s.edges[2].stats;
    assert_eq!(lhr.requests, 6);
    assert_eq!(lhr.errors, errors(6, 1, 0, 1.0 / 6.0));
    assert_eq!(lhr.ttfb_ms, ttfb(6, 10.0, 50.0, 50.0, 50.0));
    assert_bitrates(lhr, [1, 0, 1, 0], &[(800, 1), (2500, 1)]);
    assert_eq!(lhr.buffer_starvations, Some(0));
    assert_eq!(lhr.rebuffer, rebuffer(2, 0, 0.0));
    assert_eq!(lhr.sessions, sessions(1, 0));
}

#[test]
fn the_recorded_records_give_the_known_answers() {
    let lines = fixture_lines();
    assert_known_answers(&onair::qoe::summarize(&lines, DEFAULT_FIELDS));
    // As Kinesis delivers them: one record per line, each with its newline.
    let records: Vec<Vec<u8>> = lines.iter().map(|l| format!("{l}\n").into()).collect();
    assert_known_answers(&onair::qoe::summarize(&records, DEFAULT_FIELDS));
}

/// The same records logged with a channel's own, shorter field list in
/// another order: what it has is measured, the rest is said unavailable.
#[test]
fn a_custom_field_list_is_read_by_name() {
    let custom = [
        "cmcd-session-id",
        "x-edge-location",
        "sc-status",
        "timestamp",
        "cmcd-buffer-starvation",
    ];
    let at: Vec<usize> = custom
        .iter()
        .map(|f| DEFAULT_FIELDS.iter().position(|d| d == f).unwrap())
        .collect();
    let lines: Vec<String> = fixture_lines()
        .iter()
        .map(|l| {
            let values: Vec<&str> = l.split('\t').collect();
            at.iter().map(|&i| values[i]).collect::<Vec<_>>().join("\t")
        })
        .collect();
    // A record written before the change of fields is skipped, not misread.
    let mut records = lines.clone();
    records.push(fixture_lines()[0].clone());
    let s = onair::qoe::summarize(&records, &custom);
    assert_eq!((s.records, s.skipped), (20, 1));
    assert_eq!(s.overall.errors, errors(20, 1, 2, 0.15));
    assert_eq!(s.overall.sessions, sessions(2, 1));
    assert_eq!(s.overall.buffer_starvations, Some(1));
    assert_eq!(s.overall.ttfb_ms, None);
    assert_eq!(s.overall.bitrate_kbps, None);
    assert_eq!(s.overall.rebuffer, None);
    let per_edge: Vec<_> = s
        .edges
        .iter()
        .map(|e| {
            (
                e.edge.as_str(),
                e.stats.requests,
                e.stats.buffer_starvations,
            )
        })
        .collect();
    assert_eq!(
        per_edge,
        [
            ("IAD", 8, Some(1)),
            ("FRA", 6, Some(0)),
            ("LHR", 6, Some(0))
        ]
    );
    let unavailable: Vec<_> = s
        .unavailable
        .iter()
        .map(|u| (u.metric, u.missing_fields.clone()))
        .collect();
    assert_eq!(
        unavailable,
        [
            ("time to first byte", vec!["time-to-first-byte"]),
            ("bitrate distribution", vec!["cmcd-encoded-bitrate"]),
            ("rebuffer ratio", vec!["cmcd-object-type"]),
        ]
    );
    let report = onair::qoe::Report {
        channel: None,
        stream: "s".into(),
        since: ts(0),
        shards: 1,
        complete: true,
        unfinished_shards: vec![],
        fields: custom.iter().map(|f| f.to_string()).collect(),
        summary: s,
    };
    let text = onair::qoe::text::render(&report);
    assert!(
        text.contains("Unavailable: rebuffer ratio (the log fields have no cmcd-object-type)."),
        "{text}"
    );
    assert!(
        text.contains("Skipped: 1 records whose values do not match the 5 configured log fields")
    );
    assert!(
        rows(&text).contains(&"all 20 15.0% 1 2 n/a n/a n/a".to_string()),
        "{text}"
    );
}

/// The text's lines with runs of spaces made one.
fn rows(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// What a person reads: the fixture's numbers in the two tables.
fn assert_text_shows_the_answers(text: &str) {
    let rows = rows(text);
    let expected = [
        "Records: 20, logged 2024-11-26T09:12:25.123Z to 2024-11-26T09:12:44.123Z",
        "Delivery requests error rate 4xx 5xx TTFB p50 TTFB p90 TTFB p99",
        "all 20 15.0% 1 2 12 ms 90 ms 400 ms",
        "IAD 8 12.5% 0 1 11 ms 150 ms 150 ms",
        "FRA 6 16.7% 0 1 12 ms 400 ms 400 ms",
        "LHR 6 16.7% 1 0 10 ms 50 ms 50 ms",
        "Playback (CMCD) sessions starvations rebuffer ratio <1000 kbps 1000-2500 kbps 2500-5000 kbps >=5000 kbps",
        "all 2 1 10.0% 14.3% 14.3% 42.9% 28.6%",
        "IAD 1 1 25.0% 0.0% 50.0% 50.0% 0.0%",
        "FRA 1 0 0.0% 0.0% 0.0% 33.3% 66.7%",
        "LHR 1 0 0.0% 50.0% 0.0% 50.0% 0.0%",
        "Rebuffer ratio: media object requests (cmcd-object-type v, a or av) with cmcd-buffer-starvation true, over all media object requests.",
    ];
    for line in expected {
        assert!(
            rows.iter().any(|r| r == line),
            "no line {line:?} in\n{text}"
        );
    }
    assert!(!text.contains("Unavailable"), "{text}");
}

#[test]
fn the_text_shows_the_known_answers() {
    let report = onair::qoe::Report {
        channel: Some("default/sports-1".into()),
        stream: "arn:aws:kinesis:us-east-1:123456789012:stream/sports-1-cmcd".into(),
        since: ts(1_732_612_000_000),
        shards: 1,
        complete: true,
        unfinished_shards: vec![],
        fields: DEFAULT_FIELDS.iter().map(|f| f.to_string()).collect(),
        summary: onair::qoe::summarize(fixture_lines(), DEFAULT_FIELDS),
    };
    let text = onair::qoe::text::render(&report);
    assert_text_shows_the_answers(&text);
    assert!(text.starts_with("CMCD telemetry of LiveChannel default/sports-1\n"));
    assert!(text.contains("Stream:  arn:aws:kinesis:us-east-1:123456789012:stream/sports-1-cmcd (1 shard), records that arrived since 2024-11-26T09:06:40Z\n"), "{text}");

    let incomplete = onair::qoe::Report {
        complete: false,
        unfinished_shards: vec!["shardId-000000000001".into()],
        ..report
    };
    assert!(onair::qoe::text::render(&incomplete)
        .contains("Incomplete: stopped reading shardId-000000000001 after 500 pages each"));
}

/// A stream in moto, the fixture's records put into it with the SDK (one
/// record per line, over two shards), after a record that arrived before
/// `since` and must not count.
async fn stream_in_moto(moto: &moto::Moto, name: &str) -> (String, jiff::Timestamp) {
    let clients = moto.clients().await;
    let kinesis = SdkKinesis::new(&clients);
    kinesis
        .create_stream(name, 2, Default::default())
        .await
        .unwrap();
    let stream = kinesis.describe_stream_summary(name).await.unwrap();
    assert!(stream.is_active(), "{stream:?}");
    let (config, endpoint) = clients.for_service(Service::Kinesis);
    let mut builder = aws_sdk_kinesis::config::Builder::from(&config);
    if let Some(url) = endpoint {
        builder = builder.endpoint_url(url);
    }
    let raw = aws_sdk_kinesis::Client::from_conf(builder.build());
    let put = |key: String, line: String| {
        raw.put_record()
            .stream_name(name)
            .partition_key(key)
            .data(aws_smithy_types::Blob::new(line.into_bytes()))
            .send()
    };
    // An old 5xx: read, it would change every answer.
    let mut old: Vec<String> = fixture_lines()[0].split('\t').map(String::from).collect();
    old[2] = "502".into();
    put("old".into(), format!("{}\n", old.join("\t")))
        .await
        .unwrap();
    // Moto keeps arrival times to the microsecond and `since` goes in
    // milliseconds: step past the old record's millisecond.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = jiff::Timestamp::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut shards = std::collections::BTreeSet::new();
    for (i, line) in fixture_lines().into_iter().enumerate() {
        let out = put(format!("viewer-{i}"), format!("{line}\n"))
            .await
            .unwrap();
        shards.insert(out.shard_id().to_string());
    }
    assert_eq!(shards.len(), 2, "the records are spread over both shards");
    (stream.arn, since)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_of_a_stream_in_moto_read_through_the_sdk() {
    let moto = moto::Moto::start();
    let (arn, since) = stream_in_moto(&moto, "sports-1-cmcd").await;
    let kinesis = SdkKinesis::new(&moto.clients().await);
    // By name: moto answers GetRecords only for iterators of streams addressed
    // by name (`onair telemetry` uses the name in the caller's own account).
    assert_eq!(
        arn,
        "arn:aws:kinesis:us-east-1:123456789012:stream/sports-1-cmcd"
    );
    let report = onair::qoe::report(&kinesis, "sports-1-cmcd", DEFAULT_FIELDS, since)
        .await
        .unwrap();
    assert_eq!(report.shards, 2);
    assert!(report.complete);
    assert_known_answers(&report.summary);

    // From before the old record, which then counts.
    let all = onair::qoe::report(
        &kinesis,
        "sports-1-cmcd",
        DEFAULT_FIELDS,
        since - jiff::SignedDuration::from_secs(60),
    )
    .await
    .unwrap();
    assert_eq!(all.summary.records, 21);
    assert_eq!(all.summary.overall.errors, errors(21, 1, 3, 4.0 / 21.0));
}

/// `onair telemetry` itself: the channel and its stream from the local API
/// server, the stream from moto (AWS_ENDPOINT_URL), text and JSON output.
#[tokio::test(flavor = "multi_thread")]
async fn the_command_prints_the_summary_of_a_channels_stream() {
    let moto = moto::Moto::start();
    let (arn, since) = stream_in_moto(&moto, "sports-1-cmcd").await;
    let server = support::server_with_crds().await;
    let dir = support::scratch_dir("telemetry");
    let kubeconfig = dir.join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();

    let channels: Api<onair::api::LiveChannel> = Api::namespaced(server.client(), "default");
    let mut channel = support::example_channel("sports-1");
    // The operator's own credentials (no AwsProvider): the environment's.
    channel.spec.provider_ref = None;
    channels
        .create(&PostParams::default(), &channel)
        .await
        .unwrap();
    let onair = |args: &[&str]| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_onair"));
        command
            .arg("telemetry")
            .args(args)
            .env("KUBECONFIG", &kubeconfig)
            .env("AWS_ENDPOINT_URL", &moto.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.join("no-aws-credentials"),
            )
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_ENDPOINT_URL_KINESIS")
            .env_remove("AWS_ENDPOINT_URL_STS");
        command.output()
    };
    let stdout = |out: &std::process::Output| {
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    // Before the operator recorded a stream, the command says so.
    let out = onair(&["sports-1", "-n", "default"]).await.unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("has no Kinesis stream yet"), "{stderr}");
    let out = onair(&["news", "--namespace", "default"]).await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no LiveChannel \"news\""));

    // The operator records the stream's ARN in the status; the region (moto's
    // us-east-1) comes from it.
    channels
        .patch_status(
            "sports-1",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({
                "status": {"resources": {"kinesisStreamArn": arn}}
            })),
        )
        .await
        .unwrap();

    // The default --since (10 minutes) reaches the old record too: 21
    // records, 4 errors (19.0%); TTFB p50 the 11th = 12, p90 the 19th = 90.
    let text = stdout(&onair(&["sports-1", "-n", "default"]).await.unwrap());
    assert!(
        text.starts_with("CMCD telemetry of LiveChannel default/sports-1\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Stream:  {arn} (2 shards)")),
        "{text}"
    );
    assert!(text.contains("Records: 21,"), "{text}");
    assert!(
        rows(&text).contains(&"all 21 19.0% 1 3 12 ms 90 ms 400 ms".to_string()),
        "{text}"
    );

    // From `since`: exactly the fixture.
    let since = since.to_string();
    let text = stdout(
        &onair(&["sports-1", "-n", "default", "--since", &since])
            .await
            .unwrap(),
    );
    assert_text_shows_the_answers(&text);

    let out = onair(&["sports-1", "-n", "default", "--since", &since, "-o", "json"])
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
    assert_eq!(json["channel"], "default/sports-1");
    assert_eq!(json["stream"], arn.as_str());
    assert_eq!(json["shards"], 2);
    assert_eq!(json["complete"], true);
    assert_eq!(
        json["fields"].as_array().unwrap().len(),
        DEFAULT_FIELDS.len()
    );
    assert_eq!(json["records"], 20);
    assert_eq!(json["first"], "2024-11-26T09:12:25.123Z");
    let o = &json["overall"];
    assert_eq!(o["requests"], 20);
    assert_eq!(o["errors"]["rate"], 0.15);
    assert_eq!(o["errors"]["server_5xx"], 2);
    assert_eq!(o["ttfb_ms"]["p50"], 12.0);
    assert_eq!(o["ttfb_ms"]["p90"], 90.0);
    assert_eq!(o["ttfb_ms"]["p99"], 400.0);
    let buckets: Vec<_> = o["bitrate_kbps"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap(),
                b["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        buckets,
        [
            ("<1000", 1),
            ("1000-2500", 1),
            ("2500-5000", 3),
            (">=5000", 2)
        ]
    );
    assert_eq!(o["buffer_starvations"], 1);
    assert_eq!(o["rebuffer"]["ratio"], 0.1);
    assert_eq!(o["sessions"]["distinct"], 2);
    let edges: Vec<_> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["edge"].as_str().unwrap(), e["requests"].as_u64().unwrap()))
        .collect();
    assert_eq!(edges, [("IAD", 8), ("FRA", 6), ("LHR", 6)]);
    assert_eq!(json["edges"][0]["rebuffer"]["ratio"], 0.25);
    assert_eq!(json["unavailable"], serde_json::json!([]));
    assert!(json["definitions"]["rebuffer_ratio"]
        .as_str()
        .unwrap()
        .starts_with("media object requests"));
}
