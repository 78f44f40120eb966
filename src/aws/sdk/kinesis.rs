//! Kinesis on aws-sdk-kinesis.

use async_trait::async_trait;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::kinesis::*;
use crate::aws::ownership::Tags;
use crate::aws::service::Service;

/// Sets the stream on a request by name or ARN.
macro_rules! stream {
    ($req:expr, $stream:expr) => {
        if $stream.starts_with("arn:") {
            $req.stream_arn($stream)
        } else {
            $req.stream_name($stream)
        }
    };
}

sdk_adapter!(SdkKinesis, aws_sdk_kinesis, Service::Kinesis);

#[async_trait]
impl KinesisApi for SdkKinesis {
    async fn describe_stream_summary(&self, stream: &str) -> Result<StreamSummary, AwsError> {
        let out = stream!(self.client.describe_stream_summary(), stream)
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

    async fn create_stream(
        &self,
        name: &str,
        shard_count: u32,
        tags: Tags,
    ) -> Result<(), AwsError> {
        self.client
            .create_stream()
            .stream_name(name)
            .shard_count(i32::try_from(shard_count).unwrap_or(i32::MAX))
            .stream_mode_details(
                aws_sdk_kinesis::types::StreamModeDetails::builder()
                    .stream_mode(aws_sdk_kinesis::types::StreamMode::Provisioned)
                    .build()
                    .map_err(|e| missing("Kinesis", "CreateStream", &e.to_string()))?,
            )
            .set_tags(Some(tags.into_iter().collect()))
            .send()
            .await
            .map_err(sdk_err("Kinesis", "CreateStream"))
            .map_err(crate::aws::error::in_use_means_exists)?;
        Ok(())
    }

    async fn increase_stream_retention_period(
        &self,
        stream: &str,
        hours: u32,
    ) -> Result<(), AwsError> {
        stream!(self.client.increase_stream_retention_period(), stream)
            .retention_period_hours(i32::try_from(hours).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(sdk_err("Kinesis", "IncreaseStreamRetentionPeriod"))?;
        Ok(())
    }

    async fn decrease_stream_retention_period(
        &self,
        stream: &str,
        hours: u32,
    ) -> Result<(), AwsError> {
        stream!(self.client.decrease_stream_retention_period(), stream)
            .retention_period_hours(i32::try_from(hours).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(sdk_err("Kinesis", "DecreaseStreamRetentionPeriod"))?;
        Ok(())
    }

    async fn update_shard_count(&self, stream: &str, target: u32) -> Result<(), AwsError> {
        stream!(self.client.update_shard_count(), stream)
            .target_shard_count(i32::try_from(target).unwrap_or(i32::MAX))
            .scaling_type(aws_sdk_kinesis::types::ScalingType::UniformScaling)
            .send()
            .await
            .map_err(sdk_err("Kinesis", "UpdateShardCount"))?;
        Ok(())
    }

    async fn delete_stream(&self, stream: &str) -> Result<(), AwsError> {
        stream!(self.client.delete_stream(), stream)
            .send()
            .await
            .map_err(sdk_err("Kinesis", "DeleteStream"))?;
        Ok(())
    }

    async fn list_shards(&self, stream: &str) -> Result<Vec<String>, AwsError> {
        let mut shards = Vec::new();
        let mut next: Option<String> = None;
        loop {
            // A continuation token replaces the stream name.
            let req = match &next {
                Some(token) => self.client.list_shards().next_token(token),
                None => stream!(self.client.list_shards(), stream),
            };
            let out = req.send().await.map_err(sdk_err("Kinesis", "ListShards"))?;
            shards.extend(out.shards().iter().map(|s| s.shard_id().to_string()));
            next = out.next_token().map(str::to_string);
            if next.is_none() {
                return Ok(shards);
            }
        }
    }

    async fn get_shard_iterator(
        &self,
        stream: &str,
        shard: &str,
        since: jiff::Timestamp,
    ) -> Result<String, AwsError> {
        let out = stream!(self.client.get_shard_iterator(), stream)
            .shard_id(shard)
            .shard_iterator_type(aws_sdk_kinesis::types::ShardIteratorType::AtTimestamp)
            .timestamp(aws_smithy_types::DateTime::from_millis(
                since.as_millisecond(),
            ))
            .send()
            .await
            .map_err(sdk_err("Kinesis", "GetShardIterator"))?;
        out.shard_iterator()
            .map(str::to_string)
            .ok_or_else(|| missing("Kinesis", "GetShardIterator", "ShardIterator"))
    }

    async fn get_records(&self, iterator: &str, limit: u32) -> Result<Records, AwsError> {
        let out = self
            .client
            .get_records()
            .shard_iterator(iterator)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(sdk_err("Kinesis", "GetRecords"))?;
        let records = out
            .records()
            .iter()
            .map(|r| Record {
                data: r.data().as_ref().to_vec(),
                arrival: r
                    .approximate_arrival_timestamp()
                    .and_then(|t| jiff::Timestamp::from_millisecond(t.to_millis().ok()?).ok())
                    .unwrap_or_else(jiff::Timestamp::now),
            })
            .collect();
        Ok(Records {
            records,
            next_iterator: out.next_shard_iterator().map(str::to_string),
            millis_behind_latest: out
                .millis_behind_latest()
                .and_then(|m| u64::try_from(m).ok())
                .unwrap_or(0),
        })
    }
}
