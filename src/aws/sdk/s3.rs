//! S3 existence checks on aws-sdk-s3.

use async_trait::async_trait;
use aws_sdk_s3 as s3;

use crate::aws::clients::SdkClients;
use crate::aws::error::{sdk_err, AwsError};
use crate::aws::s3::*;
use crate::aws::service::Service;

pub struct SdkS3 {
    client: s3::Client,
}

impl SdkS3 {
    /// Against an endpoint override (an emulator such as moto, MinIO), buckets are
    /// addressed by path (`http://host/bucket/key`): virtual-host addressing would need
    /// DNS for `bucket.host`. AWS itself keeps virtual-host addressing.
    pub fn new(clients: &SdkClients) -> Self {
        let (config, endpoint) = clients.for_service(Service::S3);
        let overridden = endpoint.is_some() || config.endpoint_url().is_some();
        let mut builder = s3::config::Builder::from(&config);
        if let Some(url) = endpoint {
            builder = builder.endpoint_url(url);
        }
        if overridden {
            builder = builder.force_path_style(true);
        }
        Self {
            client: s3::Client::from_conf(builder.build()),
        }
    }
}

#[async_trait]
impl S3Api for SdkS3 {
    async fn head_bucket(&self, bucket: &str) -> Result<(), AwsError> {
        self.client
            .head_bucket()
            .bucket(bucket)
            .send()
            .await
            .map_err(sdk_err("S3", "HeadBucket"))?;
        Ok(())
    }

    async fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectInfo, AwsError> {
        let out = self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(sdk_err("S3", "HeadObject"))?;
        Ok(ObjectInfo {
            size: out
                .content_length()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            etag: out.e_tag().map(str::to_owned),
            last_modified: out
                .last_modified()
                .and_then(|t| jiff::Timestamp::new(t.secs(), t.subsec_nanos() as i32).ok()),
        })
    }
}
