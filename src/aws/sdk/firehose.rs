//! Firehose on aws-sdk-firehose.

use async_trait::async_trait;
use aws_sdk_firehose::types::{
    BufferingHints, CompressionFormat, DeliveryStreamType, ExtendedS3DestinationConfiguration,
    ExtendedS3DestinationUpdate, KinesisStreamSourceConfiguration, Tag,
};

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::firehose::*;
use crate::aws::ownership::Tags;
use crate::aws::service::Service;

sdk_adapter!(SdkFirehose, aws_sdk_firehose, Service::Firehose);

fn hints(d: &S3Delivery) -> BufferingHints {
    BufferingHints::builder()
        .interval_in_seconds(i32::try_from(d.buffer_interval_seconds).unwrap_or(i32::MAX))
        .size_in_mbs(i32::try_from(d.buffer_size_mib).unwrap_or(i32::MAX))
        .build()
}

fn build_error(
    operation: &'static str,
) -> impl Fn(aws_smithy_types::error::operation::BuildError) -> AwsError {
    move |e| missing("Firehose", operation, &e.to_string())
}

#[async_trait]
impl FirehoseApi for SdkFirehose {
    async fn create_delivery_stream(
        &self,
        name: &str,
        source_stream_arn: &str,
        destination: S3Delivery,
        tags: Tags,
    ) -> Result<(), AwsError> {
        const OP: &str = "CreateDeliveryStream";
        let source = KinesisStreamSourceConfiguration::builder()
            .kinesis_stream_arn(source_stream_arn)
            .role_arn(&destination.role_arn)
            .build()
            .map_err(build_error(OP))?;
        let s3 = ExtendedS3DestinationConfiguration::builder()
            .role_arn(&destination.role_arn)
            .bucket_arn(&destination.bucket_arn)
            .set_prefix(destination.prefix.clone())
            .buffering_hints(hints(&destination))
            // Records are text lines: stored as they come (AWS's default, said
            // explicitly so every reader of the description sees it).
            .compression_format(CompressionFormat::Uncompressed)
            .build()
            .map_err(build_error(OP))?;
        let tags = tags
            .into_iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(build_error(OP))?;
        self.client
            .create_delivery_stream()
            .delivery_stream_name(name)
            .delivery_stream_type(DeliveryStreamType::KinesisStreamAsSource)
            .kinesis_stream_source_configuration(source)
            .extended_s3_destination_configuration(s3)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(sdk_err("Firehose", OP))
            .map_err(crate::aws::error::in_use_means_exists)?;
        Ok(())
    }

    async fn describe_delivery_stream(&self, name: &str) -> Result<DeliveryStream, AwsError> {
        const OP: &str = "DescribeDeliveryStream";
        let out = self
            .client
            .describe_delivery_stream()
            .delivery_stream_name(name)
            .send()
            .await
            .map_err(sdk_err("Firehose", OP))?;
        let d = out
            .delivery_stream_description()
            .ok_or_else(|| missing("Firehose", OP, "DeliveryStreamDescription"))?;
        let destination = d.destinations().first();
        let s3 = destination.and_then(|d| d.extended_s3_destination_description());
        let buffering = s3.and_then(|s| s.buffering_hints());
        Ok(DeliveryStream {
            name: d.delivery_stream_name().to_string(),
            arn: d.delivery_stream_arn().to_string(),
            status: d.delivery_stream_status().as_str().to_string(),
            source_stream_arn: d
                .source()
                .and_then(|s| s.kinesis_stream_source_description())
                .and_then(|k| k.kinesis_stream_arn())
                .unwrap_or_default()
                .to_string(),
            destination: S3Delivery {
                bucket_arn: s3.map(|s| s.bucket_arn().to_string()).unwrap_or_default(),
                prefix: s3.and_then(|s| s.prefix()).map(str::to_string),
                buffer_interval_seconds: buffering
                    .and_then(|b| b.interval_in_seconds())
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(0),
                buffer_size_mib: buffering
                    .and_then(|b| b.size_in_mbs())
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(0),
                role_arn: s3.map(|s| s.role_arn().to_string()).unwrap_or_default(),
            },
            version_id: d.version_id().to_string(),
            destination_id: destination
                .map(|d| d.destination_id().to_string())
                .unwrap_or_default(),
        })
    }

    async fn update_destination(
        &self,
        name: &str,
        version_id: &str,
        destination_id: &str,
        destination: S3Delivery,
    ) -> Result<(), AwsError> {
        let update = ExtendedS3DestinationUpdate::builder()
            .role_arn(&destination.role_arn)
            .bucket_arn(&destination.bucket_arn)
            .set_prefix(destination.prefix.clone())
            .buffering_hints(hints(&destination))
            .compression_format(CompressionFormat::Uncompressed)
            .build();
        self.client
            .update_destination()
            .delivery_stream_name(name)
            .current_delivery_stream_version_id(version_id)
            .destination_id(destination_id)
            .extended_s3_destination_update(update)
            .send()
            .await
            .map_err(sdk_err("Firehose", "UpdateDestination"))?;
        Ok(())
    }

    async fn delete_delivery_stream(&self, name: &str) -> Result<(), AwsError> {
        self.client
            .delete_delivery_stream()
            .delivery_stream_name(name)
            .send()
            .await
            .map_err(sdk_err("Firehose", "DeleteDeliveryStream"))?;
        Ok(())
    }
}
