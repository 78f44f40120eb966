//! S3, for existence checks only: the destinations of harvest jobs. onair never
//! creates or deletes buckets or objects.

use jiff::Timestamp;

use super::error::AwsError;
use super::intercept::aws_api;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ObjectInfo {
    pub size: u64,
    pub etag: Option<String>,
    pub last_modified: Option<Timestamp>,
}

aws_api! {
    /// S3, as the reconcilers use it.
    pub trait S3Api: Service::S3;

    /// Ok if the bucket exists and onair may use it; NotFound if it does not;
    /// AccessDenied if it exists but belongs to someone else or the role cannot reach it.
    async fn head_bucket(&self, bucket: &str) -> Result<()>;
    /// NotFound if the object does not exist (or, without s3:ListBucket, AccessDenied).
    async fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectInfo>;
}
