//! Kinesis Data Firehose: delivery of CMCD telemetry records from the Kinesis
//! stream onward to S3. A delivery stream's source cannot change: a new source
//! means a new delivery stream.

use super::error::AwsError;
use super::intercept::aws_api;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// Where and how records land in S3.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct S3Delivery {
    pub bucket_arn: String,
    pub prefix: Option<String>,
    pub buffer_interval_seconds: u32,
    pub buffer_size_mib: u32,
    /// The role Firehose assumes to read the stream and write to the bucket.
    pub role_arn: String,
}

/// A delivery stream reading a Kinesis stream.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct DeliveryStream {
    pub name: String,
    pub arn: String,
    /// `CREATING`, `ACTIVE`, `DELETING`, `CREATING_FAILED`...
    pub status: String,
    pub source_stream_arn: String,
    pub destination: S3Delivery,
    /// What UpdateDestination takes to change the destination.
    pub version_id: String,
    pub destination_id: String,
}

impl DeliveryStream {
    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }
}

aws_api! {
    /// Firehose, as the reconcilers use it.
    pub trait FirehoseApi: Service::Firehose;

    /// AlreadyExists for a taken name.
    async fn create_delivery_stream(&self, name: &str, source_stream_arn: &str, destination: S3Delivery, tags: Tags) -> Result<()>;
    async fn describe_delivery_stream(&self, name: &str) -> Result<DeliveryStream>;
    /// Conflict with a stale version id: re-read and retry.
    async fn update_destination(&self, name: &str, version_id: &str, destination_id: &str, destination: S3Delivery) -> Result<()>;
    async fn delete_delivery_stream(&self, name: &str) -> Result<()>;
}
