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

/// CMCD telemetry's stream and Firehose delivery, as the LiveChannel
/// reconciler drives them: create with owner tags, resize, retain longer,
/// deliver to S3, change the destination, delete both.
pub async fn telemetry_stream_and_delivery(
    kinesis: Arc<dyn KinesisApi>,
    firehose: Arc<dyn onair::aws::firehose::FirehoseApi>,
    backend: &dyn crate::scenarios::Backend,
) {
    use onair::aws::firehose::S3Delivery;
    let owner = crate::scenarios::owner();
    let tags = owner.tags("telemetry-stream", &Default::default());
    kinesis
        .create_stream("onair-cmcd-news", 1, tags.clone())
        .await
        .unwrap();
    let again = kinesis
        .create_stream("onair-cmcd-news", 1, tags.clone())
        .await
        .unwrap_err();
    assert!(again.is_already_exists(), "{again}");
    backend.settle().await;
    let stream = kinesis
        .describe_stream_summary("onair-cmcd-news")
        .await
        .unwrap();
    assert!(stream.is_active(), "{}", stream.status);
    kinesis
        .increase_stream_retention_period(&stream.arn, 48)
        .await
        .unwrap();
    kinesis.update_shard_count(&stream.arn, 2).await.unwrap();
    backend.settle().await;
    let resized = kinesis.describe_stream_summary(&stream.arn).await.unwrap();
    assert_eq!(
        (resized.retention_period_hours, resized.open_shard_count),
        (48, 2)
    );

    let destination = S3Delivery {
        bucket_arn: "arn:aws:s3:::cmcd-archive".into(),
        prefix: Some("news/".into()),
        buffer_interval_seconds: 300,
        buffer_size_mib: 5,
        role_arn: "arn:aws:iam::123456789012:role/FirehoseCmcd".into(),
    };
    let delivery_tags = owner.tags("telemetry-delivery", &Default::default());
    firehose
        .create_delivery_stream(
            "onair-cmcd-news",
            &stream.arn,
            destination.clone(),
            delivery_tags,
        )
        .await
        .unwrap();
    backend.settle().await;
    let delivery = firehose
        .describe_delivery_stream("onair-cmcd-news")
        .await
        .unwrap();
    assert_eq!(delivery.source_stream_arn, stream.arn);
    assert_eq!(delivery.destination, destination);
    let moved = S3Delivery {
        prefix: Some("live/news/".into()),
        ..destination
    };
    firehose
        .update_destination(
            "onair-cmcd-news",
            &delivery.version_id,
            &delivery.destination_id,
            moved.clone(),
        )
        .await
        .unwrap();
    let updated = firehose
        .describe_delivery_stream("onair-cmcd-news")
        .await
        .unwrap();
    assert_eq!(updated.destination.prefix, moved.prefix);
    let stale = firehose
        .update_destination(
            "onair-cmcd-news",
            &delivery.version_id,
            &delivery.destination_id,
            moved,
        )
        .await;
    assert!(stale.is_err(), "a stale version id is refused");

    firehose
        .delete_delivery_stream("onair-cmcd-news")
        .await
        .unwrap();
    kinesis.delete_stream(&stream.arn).await.unwrap();
    backend.settle().await;
    assert!(firehose
        .describe_delivery_stream("onair-cmcd-news")
        .await
        .unwrap_err()
        .is_not_found());
    assert!(kinesis
        .describe_stream_summary("onair-cmcd-news")
        .await
        .unwrap_err()
        .is_not_found());
}
