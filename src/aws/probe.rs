//! A cheap permission probe per service: one read of a resource that does
//! not exist, for each service every object needs. AWS authorizes a request
//! before it looks for the resource, so any answer but AccessDenied (the
//! usual NotFound, or a refusal of the made-up id) means the identity may
//! call the service; AccessDenied means its policy lacks onair's actions.
//! Reads only, one request each, nothing made: what an AwsProvider's check
//! can afford at every resync.

use super::apis::AwsApis;
use super::error::{AwsError, ErrorKind};
use super::service::Service;

/// An id no resource has: every probe reads it.
const PROBE_ID: &str = "onair-permission-probe";

/// The secret the Secrets Manager probe reads: under `onair/`, the only
/// secrets onair's policy lets it read (any other name would be refused
/// to a correctly granted identity).
pub const PROBE_SECRET: &str = "onair/permission-probe";

/// Each probe: the service, the trait operation it calls and the IAM action
/// that allows it (src/iam checks the last against its own table).
pub const PROBES: [(Service, &str, &str); 6] = [
    (
        Service::MediaLive,
        "describe_channel",
        "medialive:DescribeChannel",
    ),
    (
        Service::MediaPackage,
        "describe_channel",
        "mediapackage:DescribeChannel",
    ),
    (
        Service::MediaTailor,
        "get_playback_configuration",
        "mediatailor:GetPlaybackConfiguration",
    ),
    (
        Service::CloudFront,
        "get_distribution",
        "cloudfront:GetDistribution",
    ),
    (Service::Wafv2, "get_web_acl", "wafv2:GetWebACL"),
    (
        Service::SecretsManager,
        "describe_secret",
        "secretsmanager:DescribeSecret",
    ),
];

/// The IAM actions whose probe AWS refused with AccessDenied, in the order
/// of [`PROBES`]. Other failures (throttling, a network error) say nothing
/// about permissions and are left to the next check.
pub async fn denied(apis: &AwsApis) -> Vec<&'static str> {
    let action = |i: usize| PROBES[i].2;
    let probes = futures::join!(
        refused(action(0), apis.medialive.describe_channel("0")),
        refused(action(1), apis.mediapackage.describe_channel(PROBE_ID)),
        refused(
            action(2),
            apis.mediatailor.get_playback_configuration(PROBE_ID)
        ),
        refused(
            action(3),
            apis.cloudfront.get_distribution("ONAIRPERMISSIONPROBE")
        ),
        refused(
            action(4),
            apis.wafv2
                .get_web_acl(PROBE_ID, "00000000-0000-0000-0000-000000000000")
        ),
        refused(action(5), apis.secretsmanager.describe_secret(PROBE_SECRET)),
    );
    let (a, b, c, d, e, f) = probes;
    [a, b, c, d, e, f].into_iter().flatten().collect()
}

/// `action` when the call was refused for want of permission.
async fn refused<T>(
    action: &'static str,
    call: impl std::future::Future<Output = Result<T, AwsError>>,
) -> Option<&'static str> {
    match call.await {
        Err(e) if matches!(e.kind, ErrorKind::AccessDenied { .. }) => Some(action),
        _ => None,
    }
}
