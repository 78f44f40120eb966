//! Simulated Kinesis: streams onair creates (CREATING, then ACTIVE) or a test
//! makes with [`Sim::create_stream`](super::Sim), and records a test puts
//! with [`Sim::put_record`](super::Sim), read back through shard iterators.
//! One shard holds every record (enough for readers that walk all shards).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::kinesis::*;
use crate::aws::ownership::Tags;

/// How long a created stream stays CREATING.
const STREAM_CREATE: Duration = Duration::from_secs(10);
const SHARD: &str = "shardId-000000000000";

#[derive(Default)]
pub(crate) struct State {
    streams: BTreeMap<String, StreamRec>,
}

struct StreamRec {
    summary: StreamSummary,
    active_at: Duration,
    records: Vec<Record>,
}

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new("Kinesis", op, kind)
}

fn invalid(op: &'static str, message: String) -> AwsError {
    err(op, ErrorKind::InvalidRequest { message })
}

pub(crate) struct SimKinesis(pub(crate) Arc<World>);

impl SimKinesis {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        let now = self.0.clock.now();
        let mut s = lock(&self.0.kinesis);
        for rec in s.streams.values_mut() {
            if rec.summary.status != "ACTIVE" && now >= rec.active_at {
                rec.summary.status = "ACTIVE".into();
            }
        }
        s
    }

    fn stream<'s>(
        &self,
        op: &'static str,
        s: &'s mut State,
        stream: &str,
    ) -> Result<&'s mut StreamRec, AwsError> {
        let account = self.0.account.clone();
        s.streams
            .values_mut()
            .find(|r| r.summary.name == stream || r.summary.arn == stream)
            .ok_or_else(|| {
                err(
                    op,
                    ErrorKind::NotFound {
                        message: format!("Stream {stream} under account {account} not found."),
                    },
                )
            })
    }

    /// An ACTIVE stream (tests; onair never creates the streams users name).
    pub(crate) fn insert_active(&self, name: &str, shards: u32) -> String {
        let arn = self.0.arn("kinesis", &format!("stream/{name}"));
        self.state().streams.insert(
            name.to_owned(),
            StreamRec {
                summary: StreamSummary {
                    name: name.to_owned(),
                    arn: arn.clone(),
                    status: "ACTIVE".into(),
                    open_shard_count: shards,
                    retention_period_hours: 24,
                },
                active_at: Duration::ZERO,
                records: Vec::new(),
            },
        );
        arn
    }

    pub(crate) fn put(&self, stream: &str, data: &[u8]) {
        let arrival = self.0.now_utc();
        let mut s = self.state();
        if let Ok(rec) = self.stream("put_record", &mut s, stream) {
            rec.records.push(Record {
                data: data.to_vec(),
                arrival,
            });
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.state().streams.len()
    }
}

#[async_trait]
impl KinesisApi for SimKinesis {
    async fn describe_stream_summary(&self, stream: &str) -> Result<StreamSummary, AwsError> {
        let mut s = self.state();
        Ok(self
            .stream("describe_stream_summary", &mut s, stream)?
            .summary
            .clone())
    }

    async fn create_stream(
        &self,
        name: &str,
        shard_count: u32,
        _tags: Tags, // nothing reads stream tags back
    ) -> Result<(), AwsError> {
        const OP: &str = "create_stream";
        if name.is_empty() || name.len() > 128 {
            return Err(invalid(
                OP,
                format!("Stream name {name:?} must be 1 to 128 characters"),
            ));
        }
        if !(1..=500).contains(&shard_count) {
            return Err(invalid(
                OP,
                format!("ShardCount {shard_count} is out of range"),
            ));
        }
        let now = self.0.clock.now();
        let arn = self.0.arn("kinesis", &format!("stream/{name}"));
        let mut s = self.state();
        if s.streams.contains_key(name) {
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!("ResourceInUseException: Stream {name} already exists"),
                },
            ));
        }
        s.streams.insert(
            name.to_owned(),
            StreamRec {
                summary: StreamSummary {
                    name: name.to_owned(),
                    arn,
                    status: "CREATING".into(),
                    open_shard_count: shard_count,
                    retention_period_hours: 24,
                },
                active_at: now + STREAM_CREATE,
                records: Vec::new(),
            },
        );
        Ok(())
    }

    async fn increase_stream_retention_period(
        &self,
        stream: &str,
        hours: u32,
    ) -> Result<(), AwsError> {
        const OP: &str = "increase_stream_retention_period";
        let mut s = self.state();
        let rec = self.stream(OP, &mut s, stream)?;
        if hours < rec.summary.retention_period_hours || hours > 8760 {
            return Err(invalid(OP, format!("Requested retention period ({hours} hours) for stream {stream} can not be shorter than existing retention period ({} hours)", rec.summary.retention_period_hours)));
        }
        rec.summary.retention_period_hours = hours;
        Ok(())
    }

    async fn decrease_stream_retention_period(
        &self,
        stream: &str,
        hours: u32,
    ) -> Result<(), AwsError> {
        const OP: &str = "decrease_stream_retention_period";
        let mut s = self.state();
        let rec = self.stream(OP, &mut s, stream)?;
        if hours > rec.summary.retention_period_hours || hours < 24 {
            return Err(invalid(OP, format!("Requested retention period ({hours} hours) for stream {stream} can not be longer than existing retention period ({} hours)", rec.summary.retention_period_hours)));
        }
        rec.summary.retention_period_hours = hours;
        Ok(())
    }

    async fn update_shard_count(&self, stream: &str, target: u32) -> Result<(), AwsError> {
        const OP: &str = "update_shard_count";
        let mut s = self.state();
        let rec = self.stream(OP, &mut s, stream)?;
        if rec.summary.status != "ACTIVE" {
            return Err(err(
                OP,
                ErrorKind::Conflict {
                    message: format!(
                        "ResourceInUseException: Stream {stream} is {}",
                        rec.summary.status
                    ),
                },
            ));
        }
        let current = rec.summary.open_shard_count;
        if target == 0 || target > current * 2 || target * 2 < current {
            return Err(invalid(OP, format!("UpdateShardCount can at most double or halve the shards ({current} -> {target})")));
        }
        rec.summary.open_shard_count = target;
        Ok(())
    }

    async fn delete_stream(&self, stream: &str) -> Result<(), AwsError> {
        let mut s = self.state();
        let name = self
            .stream("delete_stream", &mut s, stream)?
            .summary
            .name
            .clone();
        s.streams.remove(&name);
        Ok(())
    }

    async fn list_shards(&self, stream: &str) -> Result<Vec<String>, AwsError> {
        let mut s = self.state();
        self.stream("list_shards", &mut s, stream)?;
        Ok(vec![SHARD.to_string()])
    }

    async fn get_shard_iterator(
        &self,
        stream: &str,
        shard: &str,
        since: jiff::Timestamp,
    ) -> Result<String, AwsError> {
        const OP: &str = "get_shard_iterator";
        let mut s = self.state();
        let rec = self.stream(OP, &mut s, stream)?;
        if shard != SHARD {
            return Err(err(
                OP,
                ErrorKind::NotFound {
                    message: format!("Shard {shard} not found"),
                },
            ));
        }
        let start = rec
            .records
            .iter()
            .position(|r| r.arrival >= since)
            .unwrap_or(rec.records.len());
        Ok(format!("{}|{start}", rec.summary.name))
    }

    async fn get_records(&self, iterator: &str, limit: u32) -> Result<Records, AwsError> {
        const OP: &str = "get_records";
        let (stream, start) = iterator
            .rsplit_once('|')
            .and_then(|(s, i)| Some((s, i.parse::<usize>().ok()?)))
            .ok_or_else(|| invalid(OP, format!("Invalid ShardIterator {iterator}")))?;
        let mut s = self.state();
        let rec = self.stream(OP, &mut s, stream)?;
        let end = (start + limit as usize).min(rec.records.len());
        let records = rec.records.get(start..end).unwrap_or_default().to_vec();
        Ok(Records {
            records,
            next_iterator: Some(format!("{stream}|{end}")),
            millis_behind_latest: if end >= rec.records.len() { 0 } else { 1 },
        })
    }
}
