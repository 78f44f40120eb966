//! `onair telemetry`: the CMCD quality-of-experience summary of a LiveChannel,
//! from the CloudFront real-time log records in its Kinesis stream.
//!
//! - [`summary`]: pure, records and the field list -> [`summary::Summary`]
//!   (what each number means is documented there);
//! - [`read`] / [`report`] (here): every shard of the stream read from `since`
//!   through any [`KinesisApi`] (the SDK, or the simulation);
//! - [`text`]: the summary as a person reads it; [`cli`]: the command.

pub mod summary;
pub mod text;

use serde::Serialize;

use crate::aws::error::AwsError;
use crate::aws::kinesis::KinesisApi;

pub use summary::{summarize, Summary};

/// Records asked for per GetRecords call (Kinesis' maximum).
pub const RECORDS_PER_PAGE: u32 = 10_000;
/// GetRecords calls per shard at most: the reading stops there and says the
/// summary is incomplete (at up to 10,000 records a page, five million records).
pub const MAX_PAGES_PER_SHARD: u32 = 500;

/// Records read from a stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// Each record's data (one real-time log line each).
    pub data: Vec<Vec<u8>>,
    /// Shards read (open and closed).
    pub shards: u32,
    /// GetRecords calls made.
    pub pages: u32,
    /// Shards still behind when the page bound was reached.
    pub unfinished_shards: Vec<String>,
}

/// Reads every shard of `stream` (name or ARN) from the records that arrived
/// at or after `since`. A shard is done when it is closed, when a page is
/// empty at the tip (`millis_behind_latest` 0), or when a page holds a record
/// that arrived at or after `until` (the moment the reading started: records
/// that keep coming do not keep it going); else after `max_pages_per_shard`
/// pages, and then it is listed in [`Reading::unfinished_shards`].
pub async fn read(
    kinesis: &dyn KinesisApi,
    stream: &str,
    since: jiff::Timestamp,
    until: jiff::Timestamp,
    max_pages_per_shard: u32,
) -> Result<Reading, AwsError> {
    let mut reading = Reading::default();
    for shard in kinesis.list_shards(stream).await? {
        reading.shards += 1;
        let mut iterator = Some(kinesis.get_shard_iterator(stream, &shard, since).await?);
        let mut pages = 0;
        while let Some(current) = iterator.take() {
            if pages == max_pages_per_shard {
                reading.unfinished_shards.push(shard.clone());
                break;
            }
            let page = kinesis.get_records(&current, RECORDS_PER_PAGE).await?;
            pages += 1;
            let caught_up = page.records.is_empty() && page.millis_behind_latest == 0;
            let past_until = page.records.iter().any(|r| r.arrival >= until);
            reading
                .data
                .extend(page.records.into_iter().map(|r| r.data));
            if !caught_up && !past_until {
                iterator = page.next_iterator;
            }
        }
        reading.pages += pages;
    }
    Ok(reading)
}

/// The summary of a stream's records since a time, with how they were read:
/// what `onair telemetry` prints (`--output json` is this, serialized).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Report {
    /// `namespace/name` of the LiveChannel, when known.
    pub channel: Option<String>,
    /// The stream's name or ARN.
    pub stream: String,
    /// Records that arrived at or after this time were read.
    #[serde(serialize_with = "rfc3339")]
    pub since: jiff::Timestamp,
    pub shards: u32,
    /// Every shard read to its end (false: see `unfinished_shards`).
    pub complete: bool,
    pub unfinished_shards: Vec<String>,
    /// The log fields the records were read with, in order.
    pub fields: Vec<String>,
    #[serde(flatten)]
    pub summary: Summary,
}

fn rfc3339<S: serde::Serializer>(t: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_string())
}

/// Reads `stream` from `since` to now and summarises its records, which are
/// laid out as `fields` says.
pub async fn report<S: AsRef<str>>(
    kinesis: &dyn KinesisApi,
    stream: &str,
    fields: &[S],
    since: jiff::Timestamp,
) -> Result<Report, AwsError> {
    let reading = read(
        kinesis,
        stream,
        since,
        jiff::Timestamp::now(),
        MAX_PAGES_PER_SHARD,
    )
    .await?;
    Ok(Report {
        channel: None,
        stream: stream.to_string(),
        since,
        shards: reading.shards,
        complete: reading.unfinished_shards.is_empty(),
        unfinished_shards: reading.unfinished_shards,
        fields: fields.iter().map(|f| f.as_ref().to_string()).collect(),
        summary: summarize(&reading.data, fields),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::sim::Sim;

    #[tokio::test]
    async fn reads_from_since_and_stops_at_the_page_bound() {
        let sim = Sim::default();
        let kinesis = sim.kinesis();
        sim.create_stream("cmcd", 1);
        sim.put_record("cmcd", b"old\n");
        sim.advance(std::time::Duration::from_secs(60));
        let since = sim.now_utc();
        for i in 0..3 {
            sim.put_record("cmcd", format!("new-{i}\n").as_bytes());
        }
        let until = sim.now_utc() + jiff::SignedDuration::from_secs(1);
        let all = read(kinesis.as_ref(), "cmcd", since, until, 10)
            .await
            .unwrap();
        let lines: Vec<_> = all
            .data
            .iter()
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .collect();
        assert_eq!(lines, ["new-0\n", "new-1\n", "new-2\n"]);
        // One page with the records, then an empty one at the tip.
        assert_eq!((all.shards, all.pages), (1, 2));
        assert!(all.unfinished_shards.is_empty());

        // The simulation pages RECORDS_PER_PAGE at a time: a bound of one page
        // still reads the three, but the tip was not seen.
        let bounded = read(kinesis.as_ref(), "cmcd", since, until, 1)
            .await
            .unwrap();
        assert_eq!(bounded.data.len(), 3);
        assert_eq!(bounded.unfinished_shards, ["shardId-000000000000"]);

        // A record that arrived after the reading began ends it without
        // waiting for the tip.
        let stopped = read(kinesis.as_ref(), "cmcd", since, since, 10)
            .await
            .unwrap();
        assert_eq!((stopped.data.len(), stopped.pages), (3, 1));
        assert!(stopped.unfinished_shards.is_empty());
    }

    #[tokio::test]
    async fn a_missing_stream_is_an_error() {
        let sim = Sim::default();
        let error = read(
            sim.kinesis().as_ref(),
            "nope",
            sim.now_utc(),
            sim.now_utc(),
            10,
        )
        .await
        .unwrap_err();
        assert!(error.is_not_found(), "{error}");
    }
}
