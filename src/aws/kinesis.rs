//! Kinesis Data Streams, for the CMCD telemetry of CloudFront real-time logs:
//! onair creates (or checks) the stream records go to, and `onair telemetry`
//! reads them back. Streams are addressed by name or ARN (an ARN starts
//! `arn:`).

use super::error::AwsError;
use super::intercept::aws_api;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct StreamSummary {
    pub name: String,
    pub arn: String,
    /// `CREATING`, `DELETING`, `ACTIVE` or `UPDATING`; CloudFront needs it ACTIVE.
    pub status: String,
    pub open_shard_count: u32,
    pub retention_period_hours: u32,
}

impl StreamSummary {
    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

/// One record as read back.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    pub data: Vec<u8>,
    /// When Kinesis received it.
    pub arrival: jiff::Timestamp,
}

/// A page of records and where to read on.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Records {
    pub records: Vec<Record>,
    /// None once the shard is closed.
    pub next_iterator: Option<String>,
    /// How far behind the newest record this page is; 0 at the tip.
    pub millis_behind_latest: u64,
}

aws_api! {
    /// Kinesis, as the reconcilers (and `onair telemetry`) use it.
    pub trait KinesisApi: Service::Kinesis;

    /// `stream` is the stream's name or ARN.
    async fn describe_stream_summary(&self, stream: &str) -> Result<StreamSummary>;
    /// Provisioned mode; CREATING, then ACTIVE. AlreadyExists for a taken name.
    async fn create_stream(&self, name: &str, shard_count: u32, tags: Tags) -> Result<()>;
    async fn increase_stream_retention_period(&self, stream: &str, hours: u32) -> Result<()>;
    async fn decrease_stream_retention_period(&self, stream: &str, hours: u32) -> Result<()>;
    /// Uniform scaling to `target` open shards (the stream is UPDATING meanwhile).
    async fn update_shard_count(&self, stream: &str, target: u32) -> Result<()>;
    async fn delete_stream(&self, stream: &str) -> Result<()>;
    /// Shard ids, open and closed.
    async fn list_shards(&self, stream: &str) -> Result<Vec<String>>;
    /// An iterator at the first record that arrived at or after `since`.
    async fn get_shard_iterator(&self, stream: &str, shard: &str, since: jiff::Timestamp) -> Result<String>;
    async fn get_records(&self, iterator: &str, limit: u32) -> Result<Records>;
}
