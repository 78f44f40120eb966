//! The CloudFront side of a LiveChannel: the distribution and its CMCD
//! real-time log telemetry (Kinesis stream, optional Firehose delivery).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;
use crate::api::common::{HOSTNAME_PATTERN, ROLE_ARN_PATTERN};

/// CloudFront distribution.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "!has(self.aliases) || size(self.aliases) == 0 || has(self.certificateArn)", "message": "cdn.aliases need cdn.certificateArn: an ACM certificate in us-east-1 that covers every alias" },
    { "rule": "self.enabled || !has(self.telemetry) || !self.telemetry.enabled", "message": "cdn.telemetry needs the CDN: set cdn.enabled to true or turn telemetry off" }
]))]
pub struct CdnSpec {
    /// Whether onair creates a CloudFront distribution. Without it, players use the
    /// MediaPackage origin URLs directly (and origin protection is off).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// CloudFront price class.
    #[serde(default)]
    pub price_class: PriceClass,
    /// MediaPackage CDN authorization: only requests carrying a secret header that
    /// CloudFront adds reach the origin. Rotate the secret with the annotation
    /// `onair.dev/rotate-cdn-secret` (any new value), without downtime.
    #[serde(default = "yes")]
    pub origin_protection: bool,
    /// Alternate domain names (CNAMEs) for the distribution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 10), inner(pattern(HOSTNAME_PATTERN), length(max = 253)))]
    pub aliases: Vec<String>,
    /// ACM certificate (in us-east-1) for the aliases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}$"))]
    pub certificate_arn: Option<String>,
    /// CMCD telemetry through CloudFront real-time logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<TelemetrySpec>,
}

impl Default for CdnSpec {
    fn default() -> Self {
        Self {
            enabled: true,
            price_class: PriceClass::default(),
            origin_protection: true,
            aliases: Vec::new(),
            certificate_arn: None,
            telemetry: None,
        }
    }
}

/// CloudFront price classes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum PriceClass {
    /// Every edge location.
    #[default]
    #[serde(rename = "PriceClass_All")]
    All,
    /// Most regions, not the most expensive ones.
    #[serde(rename = "PriceClass_200")]
    P200,
    /// North America and Europe only.
    #[serde(rename = "PriceClass_100")]
    P100,
}

/// CloudFront real-time logs carrying CMCD telemetry to Kinesis.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TelemetrySpec {
    /// Whether the real-time log configuration is attached.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Percentage of requests logged.
    #[serde(default = "default_sampling")]
    #[schemars(range(min = 1, max = 100))]
    pub sampling_rate: u32,
    /// Log fields, in order. Empty means onair's default set: every CMCD field plus
    /// status, time to first byte, edge location and URI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 80), inner(pattern(r"^[a-z0-9-]{1,64}$")), extend("x-kubernetes-list-type" = "set"))]
    pub fields: Vec<String>,
    /// The Kinesis data stream records go to.
    #[serde(default)]
    pub stream: TelemetryStream,
    /// Role CloudFront assumes to write to the stream.
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role_arn: String,
    /// Optional delivery onward to S3 with Kinesis Data Firehose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firehose: Option<FirehoseDelivery>,
}

fn default_sampling() -> u32 {
    100
}

/// Which Kinesis stream to use: an existing one by ARN, or one onair creates.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": "!has(self.arn) || (!has(self.shardCount) && !has(self.retentionHours))", "message": "telemetry.stream takes either an existing stream's arn or shardCount/retentionHours for a stream onair creates, not both" }
]))]
pub struct TelemetryStream {
    /// ARN of an existing Kinesis data stream (onair then never deletes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(
        r"^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/[A-Za-z0-9_.-]{1,128}$"
    ))]
    pub arn: Option<String>,
    /// Shards of the stream onair creates (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 64))]
    pub shard_count: Option<u32>,
    /// Retention of the stream onair creates, in hours (default 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 24, max = 8760))]
    pub retention_hours: Option<u32>,
}

/// Kinesis Data Firehose delivery of the records to S3.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FirehoseDelivery {
    /// ARN of the destination bucket.
    #[schemars(pattern(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"))]
    pub bucket_arn: String,
    /// Key prefix of the delivered objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub prefix: Option<String>,
    /// Buffer interval in seconds.
    #[serde(default = "default_buffer_seconds")]
    #[schemars(range(min = 60, max = 900))]
    pub buffer_interval_seconds: u32,
    /// Buffer size in MiB.
    #[serde(default = "default_buffer_mib")]
    #[schemars(range(min = 1, max = 128))]
    pub buffer_size_mib: u32,
    /// Role Firehose assumes to read the stream and write to the bucket.
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role_arn: String,
}

fn default_buffer_seconds() -> u32 {
    300
}
fn default_buffer_mib() -> u32 {
    5
}
