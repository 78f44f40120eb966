//! CMCD telemetry's AWS resources as children of a LiveChannel: the Kinesis
//! stream onair creates (when the spec names none) and the CloudFront
//! real-time log configuration the distribution's behaviours use. Names
//! derive from the channel's uid, so a crash before an id is recorded is
//! recovered by name.

use async_trait::async_trait;

use crate::aws::cloudfront::{CloudFrontApi, RealtimeLogConfig};
use crate::aws::error::AwsError;
use crate::aws::kinesis::{KinesisApi, StreamSummary};
use crate::aws::ownership::{Owner, Tags};

use super::{deletion, found, External, Located};

pub struct StreamChild<'a> {
    pub api: &'a dyn KinesisApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub name: String,
    pub shards: u32,
    pub retention_hours: u32,
}

impl StreamChild<'_> {
    pub const CHILD: &'static str = "telemetry-stream";
}

/// Where onair's Kinesis stream is.
pub struct StreamAt<'a> {
    pub api: &'a dyn KinesisApi,
    pub name: String,
}

#[async_trait]
impl Located for StreamAt<'_> {
    type Observed = StreamSummary;

    fn child(&self) -> &'static str {
        StreamChild::CHILD
    }

    fn id_of(observed: &StreamSummary) -> String {
        observed.name.clone()
    }

    /// The name derives from the owner's uid: a stream by that name is this
    /// owner's (owner tags are for people and cost reports; not every Kinesis
    /// implementation keeps tags given at creation).
    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<StreamSummary>, AwsError> {
        found(self.api.describe_stream_summary(&self.name).await)
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        // Still CREATING or UPDATING: try again later.
        deletion(self.api.delete_stream(id).await)
    }
}

#[async_trait]
impl<'a> External for StreamChild<'a> {
    type Observed = StreamSummary;
    type At = StreamAt<'a>;

    fn at(&self) -> StreamAt<'a> {
        StreamAt {
            api: self.api,
            name: self.name.clone(),
        }
    }

    fn at_rest(&self, observed: &StreamSummary) -> bool {
        observed.status == "ACTIVE"
    }

    async fn observe(&self, id: &str) -> Result<Option<StreamSummary>, AwsError> {
        found(self.api.describe_stream_summary(id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<StreamSummary, AwsError> {
        self.api
            .create_stream(
                &self.name,
                self.shards,
                self.owner.tags(Self::CHILD, self.tags),
            )
            .await?;
        self.api.describe_stream_summary(&self.name).await
    }

    fn up_to_date(&self, observed: &StreamSummary) -> bool {
        // A stream still CREATING or UPDATING is left alone until ACTIVE.
        !observed.is_active()
            || (observed.open_shard_count == self.shards
                && observed.retention_period_hours == self.retention_hours)
    }

    fn changes(&self, observed: &StreamSummary) -> Vec<String> {
        let mut lines = Vec::new();
        if observed.open_shard_count != self.shards {
            lines.push(format!(
                "shards: {} -> {}",
                observed.open_shard_count, self.shards
            ));
        }
        if observed.retention_period_hours != self.retention_hours {
            lines.push(format!(
                "retentionHours: {} -> {}",
                observed.retention_period_hours, self.retention_hours
            ));
        }
        lines
    }

    /// Retention first (instant), then shards (the stream is UPDATING for a
    /// while; the next reconcile finds it ACTIVE again).
    async fn update(&self, observed: StreamSummary) -> Result<StreamSummary, AwsError> {
        let stream = observed.arn.as_str();
        if observed.retention_period_hours < self.retention_hours {
            self.api
                .increase_stream_retention_period(stream, self.retention_hours)
                .await?;
        } else if observed.retention_period_hours > self.retention_hours {
            self.api
                .decrease_stream_retention_period(stream, self.retention_hours)
                .await?;
        }
        if observed.open_shard_count != self.shards {
            self.api.update_shard_count(stream, self.shards).await?;
        }
        self.api.describe_stream_summary(stream).await
    }
}

pub struct RealtimeLogChild<'a> {
    pub api: &'a dyn CloudFrontApi,
    /// The whole desired configuration (name included).
    pub config: RealtimeLogConfig,
}

impl RealtimeLogChild<'_> {
    pub const CHILD: &'static str = "realtime-log-config";

    /// Equal but for the name and ARN: an adopted configuration keeps its own.
    fn same(observed: &RealtimeLogConfig, desired: &RealtimeLogConfig) -> bool {
        let comparable = |c: &RealtimeLogConfig| RealtimeLogConfig {
            arn: String::new(),
            name: String::new(),
            ..c.clone()
        };
        comparable(observed) == comparable(desired)
    }
}

/// Where the real-time log configuration is.
pub struct RealtimeLogAt<'a> {
    pub api: &'a dyn CloudFrontApi,
    pub name: String,
}

#[async_trait]
impl Located for RealtimeLogAt<'_> {
    type Observed = RealtimeLogConfig;

    fn child(&self) -> &'static str {
        RealtimeLogChild::CHILD
    }

    fn id_of(observed: &RealtimeLogConfig) -> String {
        observed.name.clone()
    }

    /// Real-time log configurations carry no tags: the uid-derived name is
    /// the owner's mark.
    async fn find_unrecorded(
        &self,
        _: Option<&str>,
    ) -> Result<Option<RealtimeLogConfig>, AwsError> {
        found(self.api.get_realtime_log_config(&self.name).await)
    }

    /// Refused while a cache behaviour uses it: `Ok(false)` until the
    /// distribution has dropped it.
    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        deletion(self.api.delete_realtime_log_config(id).await)
    }
}

#[async_trait]
impl<'a> External for RealtimeLogChild<'a> {
    type Observed = RealtimeLogConfig;
    type At = RealtimeLogAt<'a>;

    fn at(&self) -> RealtimeLogAt<'a> {
        RealtimeLogAt {
            api: self.api,
            name: self.config.name.clone(),
        }
    }

    fn at_rest(&self, _: &RealtimeLogConfig) -> bool {
        true
    }

    async fn observe(&self, id: &str) -> Result<Option<RealtimeLogConfig>, AwsError> {
        found(self.api.get_realtime_log_config(id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<RealtimeLogConfig, AwsError> {
        self.api
            .create_realtime_log_config(self.config.clone())
            .await
    }

    fn up_to_date(&self, observed: &RealtimeLogConfig) -> bool {
        Self::same(observed, &self.config)
    }

    fn changes(&self, observed: &RealtimeLogConfig) -> Vec<String> {
        let mut lines = Vec::new();
        if observed.sampling_rate != self.config.sampling_rate {
            lines.push(format!(
                "samplingRate: {} -> {}",
                observed.sampling_rate, self.config.sampling_rate
            ));
        }
        if observed.fields != self.config.fields {
            lines.push(format!(
                "fields: {} -> {}",
                observed.fields.join(","),
                self.config.fields.join(",")
            ));
        }
        if observed.kinesis_stream_arn != self.config.kinesis_stream_arn {
            lines.push("stream: changes".into());
        }
        if observed.role_arn != self.config.role_arn {
            lines.push(format!(
                "roleArn: {} -> {}",
                observed.role_arn, self.config.role_arn
            ));
        }
        lines
    }

    async fn update(&self, _observed: RealtimeLogConfig) -> Result<RealtimeLogConfig, AwsError> {
        self.api
            .update_realtime_log_config(self.config.clone())
            .await
    }
}

pub struct DeliveryChild<'a> {
    pub api: &'a dyn crate::aws::firehose::FirehoseApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub name: String,
    pub source_stream_arn: String,
    pub destination: crate::aws::firehose::S3Delivery,
}

impl DeliveryChild<'_> {
    pub const CHILD: &'static str = "telemetry-delivery";
}

/// Where the Firehose delivery stream is.
pub struct DeliveryAt<'a> {
    pub api: &'a dyn crate::aws::firehose::FirehoseApi,
    pub name: String,
}

#[async_trait]
impl Located for DeliveryAt<'_> {
    type Observed = crate::aws::firehose::DeliveryStream;

    fn child(&self) -> &'static str {
        DeliveryChild::CHILD
    }

    fn id_of(observed: &Self::Observed) -> String {
        observed.name.clone()
    }

    /// By the uid-derived name, as for the stream.
    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<Self::Observed>, AwsError> {
        found(self.api.describe_delivery_stream(&self.name).await)
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        deletion(self.api.delete_delivery_stream(id).await)
    }
}

#[async_trait]
impl<'a> External for DeliveryChild<'a> {
    type Observed = crate::aws::firehose::DeliveryStream;
    type At = DeliveryAt<'a>;

    fn at(&self) -> DeliveryAt<'a> {
        DeliveryAt {
            api: self.api,
            name: self.name.clone(),
        }
    }

    fn at_rest(&self, observed: &Self::Observed) -> bool {
        observed.status == "ACTIVE"
    }

    async fn observe(&self, id: &str) -> Result<Option<Self::Observed>, AwsError> {
        found(self.api.describe_delivery_stream(id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<Self::Observed, AwsError> {
        self.api
            .create_delivery_stream(
                &self.name,
                &self.source_stream_arn,
                self.destination.clone(),
                self.owner.tags(Self::CHILD, self.tags),
            )
            .await?;
        self.api.describe_delivery_stream(&self.name).await
    }

    fn up_to_date(&self, observed: &Self::Observed) -> bool {
        // Changed only once ACTIVE; until then, wait.
        !observed.is_active()
            || (observed.source_stream_arn == self.source_stream_arn
                && observed.destination == self.destination)
    }

    fn changes(&self, observed: &Self::Observed) -> Vec<String> {
        let mut lines = Vec::new();
        if observed.source_stream_arn != self.source_stream_arn {
            lines.push("source stream: changes (the delivery stream is recreated)".into());
        }
        lines.extend(crate::plan::diff::changes(
            &format!("{:?}", observed.destination),
            &format!("{:?}", self.destination),
        ));
        lines
    }

    /// The destination changes in place; a new source stream cannot, so the
    /// delivery stream is deleted and the next reconcile creates it anew.
    async fn update(&self, observed: Self::Observed) -> Result<Self::Observed, AwsError> {
        if observed.source_stream_arn != self.source_stream_arn {
            self.api.delete_delivery_stream(&observed.name).await?;
            return Err(AwsError::new(
                "Firehose",
                "update_destination",
                crate::aws::error::ErrorKind::Conflict {
                    message: "the telemetry stream changed: the delivery stream is being recreated"
                        .into(),
                },
            ));
        }
        self.api
            .update_destination(
                &observed.name,
                &observed.version_id,
                &observed.destination_id,
                self.destination.clone(),
            )
            .await?;
        self.api.describe_delivery_stream(&observed.name).await
    }
}
