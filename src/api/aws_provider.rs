//! `AwsProvider`: which AWS account and region onair works in, and how it gets there.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{
    tags_schema, Condition, Tags, HTTP_URL_PATTERN, REGION_PATTERN, ROLE_ARN_PATTERN,
};

/// AWS account, region and credentials for the objects that reference it with
/// `spec.providerRef`. Objects without a providerRef use the operator's own
/// credentials (IRSA, Pod Identity or environment) and region.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "onair.dev",
    version = "v1alpha1",
    kind = "AwsProvider",
    plural = "awsproviders",
    shortname = "awsp",
    category = "onair",
    status = "AwsProviderStatus",
    doc = "AWS account, region and role that onair objects referencing it are created in.",
    printcolumn(name = "Region", type_ = "string", json_path = ".spec.region"),
    printcolumn(name = "Account", type_ = "string", json_path = ".status.accountId"),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Reason",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].reason",
        description = "Why the object is or is not Ready"
    ),
    printcolumn(
        name = "Message",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].message",
        priority = 1
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct AwsProviderSpec {
    /// AWS region, such as `eu-west-1`. CloudFront and WAF (global services) are
    /// always called in us-east-1, whatever this says.
    #[schemars(pattern(REGION_PATTERN))]
    pub region: String,
    /// Role to assume (with STS AssumeRole) from the operator's own credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assume_role: Option<AssumeRole>,
    /// Role MediaLive channels assume unless a LiveChannel sets `encoding.roleArn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub media_live_role_arn: Option<String>,
    /// Role MediaPackage assumes to read the CDN-authorization secret (origin
    /// protection). It must trust mediapackage.amazonaws.com.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub media_package_secrets_role_arn: Option<String>,
    /// Send every AWS call to this URL instead of the public AWS endpoints (an
    /// emulator such as moto, or a VPC endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(HTTP_URL_PATTERN), length(max = 2048))]
    pub endpoint_url: Option<String>,
    /// Tags added to every AWS resource created through this provider.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    #[schemars(schema_with = "tags_schema")]
    pub tags: Tags,
    /// Namespaces whose objects may use this provider. Absent: every
    /// namespace (any object in the cluster that names this provider acts in
    /// its account). Present: only these; an object in another namespace
    /// gets Ready=False with reason `ProviderNotAllowed` and nothing is done
    /// in AWS for it, deletion included (an object already in AWS waits,
    /// finalizer kept, until its namespace is listed again; with
    /// `deletionPolicy: Retain` it goes at once and leaves its resources).
    /// Objects without a providerRef use the operator's own account, which
    /// this list does not govern (`onair run --watch-namespaces` does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 256),
        inner(pattern(NAMESPACE_PATTERN)),
        extend("x-kubernetes-list-type" = "set")
    )]
    pub allowed_namespaces: Option<Vec<String>>,
}

/// A Kubernetes namespace name: an RFC 1123 label (lower case letters, digits
/// and `-`, at most 63, starting and ending with a letter or digit).
pub const NAMESPACE_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

/// STS AssumeRole settings.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssumeRole {
    /// ARN of the role to assume.
    #[schemars(pattern(ROLE_ARN_PATTERN))]
    pub role_arn: String,
    /// External id the role's trust policy requires, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 1224), pattern(r"^[\w+=,.@:/-]+$"))]
    pub external_id: Option<String>,
    /// Session name shown in CloudTrail (default `onair`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 64), pattern(r"^[\w+=,.@-]+$"))]
    pub session_name: Option<String>,
}

/// Observed state of an AwsProvider.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AwsProviderStatus {
    /// The generation the status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready` when the credentials work, with the reason when they do not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// The AWS account the credentials resolve to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Whom onair acts as through this provider (STS GetCallerIdentity): the
    /// user's or the assumed role session's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_arn: Option<String>,
    /// The region the last check used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// When the credentials were last checked (every `--resync-seconds`, and
    /// at each change of the spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked_time: Option<String>,
}
