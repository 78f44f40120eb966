//! CMCD telemetry, pure: the real-time log configuration a LiveChannel's
//! `cdn.telemetry` asks for, its fields, and the stream onair creates.

use crate::api::live_channel::TelemetrySpec;
use crate::aws::cloudfront::RealtimeLogConfig;

/// onair's default fields: what the QoE summary (`onair telemetry`) reads,
/// and every CMCD field CloudFront offers. Order is the record's column order.
pub const DEFAULT_FIELDS: &[&str] = &[
    "timestamp",
    "c-ip",
    "sc-status",
    "time-to-first-byte",
    "x-edge-location",
    "cs-uri-stem",
    "x-edge-result-type",
    "sc-bytes",
    "cmcd-encoded-bitrate",
    "cmcd-buffer-length",
    "cmcd-buffer-starvation",
    "cmcd-content-id",
    "cmcd-object-duration",
    "cmcd-deadline",
    "cmcd-measured-throughput",
    "cmcd-next-object-request",
    "cmcd-next-range-request",
    "cmcd-object-type",
    "cmcd-playback-rate",
    "cmcd-requested-maximum-throughput",
    "cmcd-streaming-format",
    "cmcd-session-id",
    "cmcd-stream-type",
    "cmcd-startup",
    "cmcd-top-bitrate",
    "cmcd-version",
];

/// Kinesis stream names: letters, digits, `_`, `.`, `-`, at most 128.
pub const STREAM_NAME_LIMIT: usize = 128;
/// Real-time log configuration names.
pub const CONFIG_NAME_LIMIT: usize = 128;
/// Shards and retention of a stream onair creates, unless the spec says.
pub const DEFAULT_SHARDS: u32 = 1;
pub const DEFAULT_RETENTION_HOURS: u32 = 24;

/// The name of the stream onair creates for a channel.
pub fn stream_name(owner: &crate::aws::ownership::Owner) -> String {
    owner.resource_id("cmcd", STREAM_NAME_LIMIT)
}

/// The name of a channel's real-time log configuration.
pub fn config_name(owner: &crate::aws::ownership::Owner) -> String {
    owner.resource_id("cmcd", CONFIG_NAME_LIMIT)
}

/// The name of a channel's Firehose delivery stream (1 to 64 characters).
pub fn delivery_name(owner: &crate::aws::ownership::Owner) -> String {
    owner.resource_id("cmcd", 64)
}

/// Where Firehose delivers the records.
pub fn s3_delivery(
    firehose: &crate::api::live_channel::FirehoseDelivery,
) -> crate::aws::firehose::S3Delivery {
    crate::aws::firehose::S3Delivery {
        bucket_arn: firehose.bucket_arn.clone(),
        prefix: firehose.prefix.clone(),
        buffer_interval_seconds: firehose.buffer_interval_seconds,
        buffer_size_mib: firehose.buffer_size_mib,
        role_arn: firehose.role_arn.clone(),
    }
}

/// The fields, in order: the spec's, or [`DEFAULT_FIELDS`].
pub fn fields(spec: &TelemetrySpec) -> Vec<String> {
    if spec.fields.is_empty() {
        DEFAULT_FIELDS.iter().map(|f| f.to_string()).collect()
    } else {
        spec.fields.clone()
    }
}

/// The whole real-time log configuration (an update replaces it).
pub fn realtime_log_config(
    spec: &TelemetrySpec,
    name: &str,
    stream_arn: &str,
) -> RealtimeLogConfig {
    RealtimeLogConfig {
        name: name.to_string(),
        arn: String::new(),
        sampling_rate: spec.sampling_rate,
        fields: fields(spec),
        kinesis_stream_arn: stream_arn.to_string(),
        role_arn: spec.role_arn.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fields_carry_every_cmcd_field_and_what_the_summary_reads() {
        let spec: TelemetrySpec = serde_json::from_value(serde_json::json!({
            "roleArn": "arn:aws:iam::123456789012:role/cf-logs"
        }))
        .unwrap();
        let config = realtime_log_config(
            &spec,
            "n",
            "arn:aws:kinesis:eu-west-1:123456789012:stream/s",
        );
        assert_eq!(config.sampling_rate, 100);
        assert_eq!(
            config
                .fields
                .iter()
                .filter(|f| f.starts_with("cmcd-"))
                .count(),
            18
        );
        for needed in [
            "sc-status",
            "time-to-first-byte",
            "x-edge-location",
            "cs-uri-stem",
        ] {
            assert!(config.fields.iter().any(|f| f == needed), "{needed}");
        }
        let chosen = TelemetrySpec {
            fields: vec!["timestamp".into(), "cmcd-session-id".into()],
            ..spec
        };
        assert_eq!(fields(&chosen), ["timestamp", "cmcd-session-id"]);
    }
}
