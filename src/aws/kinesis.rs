//! Kinesis Data Streams, for the CMCD telemetry of CloudFront real-time logs: onair
//! checks that the user's stream exists and reads its ARN and status.

use super::error::AwsError;
use super::intercept::aws_api;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
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

aws_api! {
    /// Kinesis, as the reconcilers use it.
    pub trait KinesisApi: Service::Kinesis;

    /// `stream` is the stream's name or ARN.
    async fn describe_stream_summary(&self, stream: &str) -> Result<StreamSummary>;
}
