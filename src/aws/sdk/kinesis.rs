//! Kinesis on aws-sdk-kinesis.

use async_trait::async_trait;

use crate::aws::clients::{sdk_client, SdkClients};
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::kinesis::*;
use crate::aws::service::Service;

pub struct SdkKinesis {
    client: aws_sdk_kinesis::Client,
}

impl SdkKinesis {
    pub fn new(clients: &SdkClients) -> Self {
        Self {
            client: sdk_client!(aws_sdk_kinesis, clients, Service::Kinesis),
        }
    }
}

#[async_trait]
impl KinesisApi for SdkKinesis {
    async fn describe_stream_summary(&self, stream: &str) -> Result<StreamSummary, AwsError> {
        let req = self.client.describe_stream_summary();
        let req = if stream.starts_with("arn:") {
            req.stream_arn(stream)
        } else {
            req.stream_name(stream)
        };
        let out = req
            .send()
            .await
            .map_err(sdk_err("Kinesis", "DescribeStreamSummary"))?;
        let s = out.stream_description_summary().ok_or_else(|| {
            missing(
                "Kinesis",
                "DescribeStreamSummary",
                "StreamDescriptionSummary",
            )
        })?;
        Ok(StreamSummary {
            name: s.stream_name().into(),
            arn: s.stream_arn().into(),
            status: s.stream_status().as_str().into(),
            open_shard_count: u32::try_from(s.open_shard_count()).unwrap_or(0),
            retention_period_hours: u32::try_from(s.retention_period_hours()).unwrap_or(0),
        })
    }
}
