//! Existence checks (S3 destinations of harvest jobs, Kinesis streams for CMCD) and
//! who onair is (STS).

use std::sync::Arc;

use onair::aws::kinesis::KinesisApi;
use onair::aws::s3::S3Api;
use onair::aws::sts::StsApi;

/// `bucket` exists and holds `key`.
pub async fn s3_existence_checks(api: Arc<dyn S3Api>, bucket: &str, key: &str) {
    api.head_bucket(bucket).await.unwrap();
    let err = api.head_bucket("onair-no-such-bucket").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let o = api.head_object(bucket, key).await.unwrap();
    assert!(o.size > 0, "{o:?}");
    assert!(o.etag.is_some(), "{o:?}");
    let err = api.head_object(bucket, "no/such/key").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// `name` is an ACTIVE stream with one shard.
pub async fn kinesis_stream_summary(api: Arc<dyn KinesisApi>, name: &str) {
    let s = api.describe_stream_summary(name).await.unwrap();
    assert_eq!(s.name, name);
    assert!(
        s.arn.starts_with("arn:aws:kinesis:") && s.arn.ends_with(&format!("stream/{name}")),
        "{}",
        s.arn
    );
    assert!(s.is_active(), "{}", s.status);
    assert_eq!(s.open_shard_count, 1);
    assert_eq!(
        api.describe_stream_summary(&s.arn).await.unwrap(),
        s,
        "by ARN too"
    );
    let err = api
        .describe_stream_summary("no-such-stream")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// The caller's account is a 12-digit id.
pub async fn sts_caller_identity(api: Arc<dyn StsApi>, account: &str) {
    let id = api.get_caller_identity().await.unwrap();
    assert_eq!(id.account, account);
    assert!(id.arn.starts_with("arn:aws:"), "{}", id.arn);
}
