//! The AWS services onair calls, with what differs between them for the shared
//! machinery: their name, whether they are global, and their default request budget.

use std::fmt;

/// An AWS service onair calls.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Service {
    MediaLive,
    MediaPackage,
    MediaTailor,
    CloudFront,
    SecretsManager,
    Sts,
    /// The data API of CloudFront key value stores (its own endpoint and quotas).
    CloudFrontKeyValueStore,
    /// WAFv2 in CLOUDFRONT scope (us-east-1 only).
    Wafv2,
    S3,
    Kinesis,
    MediaPackageVod,
    /// Kinesis Data Firehose (telemetry delivery to S3).
    Firehose,
    /// MediaPackage v2 (channel groups, CMAF and LL-HLS endpoints).
    MediaPackageV2,
}

impl Service {
    pub const ALL: [Service; 13] = [
        Service::MediaLive,
        Service::MediaPackage,
        Service::MediaTailor,
        Service::CloudFront,
        Service::SecretsManager,
        Service::Sts,
        Service::CloudFrontKeyValueStore,
        Service::Wafv2,
        Service::S3,
        Service::Kinesis,
        Service::MediaPackageVod,
        Service::Firehose,
        Service::MediaPackageV2,
    ];

    /// The name AWS uses in its documentation and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Service::MediaLive => "MediaLive",
            Service::MediaPackage => "MediaPackage",
            Service::MediaTailor => "MediaTailor",
            Service::CloudFront => "CloudFront",
            Service::SecretsManager => "SecretsManager",
            Service::Sts => "STS",
            Service::CloudFrontKeyValueStore => "CloudFrontKeyValueStore",
            Service::Wafv2 => "WAFV2",
            Service::S3 => "S3",
            Service::Kinesis => "Kinesis",
            Service::MediaPackageVod => "MediaPackageVod",
            Service::Firehose => "Firehose",
            Service::MediaPackageV2 => "MediaPackageV2",
        }
    }

    /// Global services have one endpoint (and one set of quotas) per account,
    /// whatever region onair works in, so their rate limiter is shared across regions.
    pub fn is_global(self) -> bool {
        matches!(
            self,
            Service::CloudFront | Service::CloudFrontKeyValueStore | Service::Wafv2
        )
    }

    /// Default budget in requests per second per account (and region, for regional
    /// services). Chosen below the per-account API quotas AWS documents, since other
    /// tools in the same account (consoles, pipelines) share them; override with
    /// [`crate::aws::guard::Budgets`].
    pub fn default_rate(self) -> u32 {
        match self {
            // MediaLive and MediaPackage document low single/double-digit TPS for
            // control-plane calls.
            Service::MediaLive => 5,
            Service::MediaPackage => 5,
            Service::MediaTailor => 5,
            // CloudFront's control plane is slow and throttles early.
            Service::CloudFront => 3,
            Service::SecretsManager => 20,
            Service::Sts => 20,
            // Not published (estimate): key value store writes are small and rare
            // (signing keys, revoked sessions).
            Service::CloudFrontKeyValueStore => 5,
            // AWS WAF documents at most one request per second per account for each
            // Create, Put and Update action; reads share this budget (estimate), and
            // throttled writes wait in the guard.
            Service::Wafv2 => 2,
            // S3 serves 5,500 HEAD/GET per second per prefix; onair only checks that a
            // harvest destination exists, so this is a modest estimate, not a quota.
            Service::S3 => 50,
            // DescribeStreamSummary: 20 transactions per second per account (Kinesis
            // API reference).
            Service::Kinesis => 15,
            // No published TPS quota; an estimate in line with MediaPackage v1.
            Service::MediaPackageVod => 5,
            // CreateDeliveryStream, DeleteDeliveryStream, UpdateDestination: 5
            // transactions per second per account (Firehose quotas).
            Service::Firehose => 5,
            // No published TPS quota for the control plane; the same estimate as v1.
            Service::MediaPackageV2 => 5,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
