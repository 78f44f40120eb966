//! CMCD telemetry's children of a LiveChannel: the Kinesis stream (onair's,
//! or the user's by ARN), the optional Firehose delivery to S3, and the
//! CloudFront real-time log configuration that feeds them.

use crate::api::live_channel::LiveChannelSpec;
use crate::aws::children::telemetry::{
    DeliveryAt, DeliveryChild, RealtimeLogAt, RealtimeLogChild, StreamAt, StreamChild,
};
use crate::controller::kit::driver::DriverError;
use crate::controller::kit::{aws_at, Step, StepError};

use super::Apply;

impl Apply<'_> {
    /// CMCD telemetry's stream (onair's, or the user's by ARN) and real-time
    /// log configuration; the configuration's ARN once the stream is ACTIVE.
    pub(super) async fn telemetry(&mut self, spec: &LiveChannelSpec) -> Step<Option<String>> {
        let Some(telemetry) = spec.cdn.telemetry.as_ref().filter(|t| t.enabled) else {
            return Ok(None);
        };
        let apis = self.resolved.apis.clone();
        let (owner, tags) = (self.owner.clone(), self.tags.clone());
        let what = "Kinesis stream";
        let stream = match &telemetry.stream.arn {
            Some(arn) => match apis.kinesis.describe_stream_summary(arn).await {
                Ok(stream) => stream,
                Err(e) if e.is_not_found() => {
                    return Err(StepError {
                        what,
                        error: DriverError::Invalid {
                            reason: "StreamNotFound",
                            message: format!("the Kinesis stream {arn} in cdn.telemetry.stream.arn does not exist; create it or leave arn out and onair creates one"),
                        },
                    })
                }
                Err(e) => return Err(aws_at(what)(e)),
            },
            None => {
                let child = StreamChild {
                    api: apis.kinesis.as_ref(),
                    owner: &owner,
                    tags: &tags,
                    name: crate::plan::telemetry::stream_name(&owner),
                    shards: telemetry
                        .stream
                        .shard_count
                        .unwrap_or(crate::plan::telemetry::DEFAULT_SHARDS),
                    retention_hours: telemetry
                        .stream
                        .retention_hours
                        .unwrap_or(crate::plan::telemetry::DEFAULT_RETENTION_HOURS),
                };
                self.steps.ensure(&child, what).await?
            }
        };
        self.observed.telemetry_stream = Some(stream.clone());
        if !stream.is_active() {
            return Ok(None);
        }
        let child = RealtimeLogChild {
            api: apis.cloudfront.as_ref(),
            config: crate::plan::telemetry::realtime_log_config(
                telemetry,
                &crate::plan::telemetry::config_name(&owner),
                &stream.arn,
            ),
        };
        let config = self
            .steps
            .ensure(&child, "CloudFront real-time log configuration")
            .await?;
        let arn = config.arn.clone();
        self.observed.realtime_log_config = Some(config);
        if let Some(firehose) = &telemetry.firehose {
            let child = DeliveryChild {
                api: apis.firehose.as_ref(),
                owner: &owner,
                tags: &tags,
                name: crate::plan::telemetry::delivery_name(&owner),
                source_stream_arn: stream.arn.clone(),
                destination: crate::plan::telemetry::s3_delivery(firehose),
            };
            let delivery = self
                .steps
                .ensure(&child, "Firehose delivery stream")
                .await?;
            self.observed.telemetry_delivery = Some(delivery);
        }
        Ok(Some(arn))
    }

    /// Telemetry the spec no longer wants, once the distribution no longer
    /// uses it: the configuration, then onair's stream (never a user's).
    pub(super) async fn prune_telemetry(&mut self, spec: &LiveChannelSpec) -> Step<()> {
        let wanted = spec
            .cdn
            .telemetry
            .as_ref()
            .filter(|t| t.enabled && spec.cdn.enabled);
        let apis = self.resolved.apis.clone();
        let owner = self.owner.clone();
        // Firehose reads the stream: it goes first.
        if wanted.is_none_or(|t| t.firehose.is_none()) {
            let delivery = DeliveryAt {
                api: apis.firehose.as_ref(),
                name: crate::plan::telemetry::delivery_name(&owner),
            };
            if !self
                .steps
                .prune(&delivery, "Firehose delivery stream")
                .await?
            {
                return Ok(());
            }
        }
        if wanted.is_none() {
            let config = RealtimeLogAt {
                api: apis.cloudfront.as_ref(),
                name: crate::plan::telemetry::config_name(&owner),
            };
            if !self
                .steps
                .prune(&config, "CloudFront real-time log configuration")
                .await?
            {
                return Ok(());
            }
        }
        if wanted.is_none_or(|t| t.stream.arn.is_some()) {
            let stream = StreamAt {
                api: apis.kinesis.as_ref(),
                name: crate::plan::telemetry::stream_name(&owner),
            };
            self.steps.prune(&stream, "Kinesis stream").await?;
        }
        Ok(())
    }
}
