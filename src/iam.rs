//! `onair iam-policy`: the IAM policy for exactly the AWS calls onair makes.
//! Every operation of every service trait in `src/aws/` is mapped to the IAM
//! actions it needs here; a test fails when an operation is added to a trait
//! without its actions, so the policy cannot fall out of date.
//!
//! Each action is then limited as far as AWS's Service Authorization
//! Reference allows (resource types and condition keys per action): creates
//! must carry onair's owner tag, changes and deletions must find it on the
//! resource, what has no tag condition keys is limited by the names onair
//! gives, and roles are passed only to the service each is for.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::aws::service::Service;

/// The IAM actions one operation of the AWS layer needs (tags written at
/// creation need the service's tagging action too).
pub fn actions(service: Service, operation: &str) -> Option<&'static [&'static str]> {
    use Service::*;
    let actions: &'static [&'static str] = match (service, operation) {
        (MediaLive, "create_input_security_group") => {
            &["medialive:CreateInputSecurityGroup", "medialive:CreateTags"]
        }
        (MediaLive, "describe_input_security_group") => &["medialive:DescribeInputSecurityGroup"],
        (MediaLive, "update_input_security_group") => &["medialive:UpdateInputSecurityGroup"],
        (MediaLive, "delete_input_security_group") => &["medialive:DeleteInputSecurityGroup"],
        (MediaLive, "list_input_security_groups") => &["medialive:ListInputSecurityGroups"],
        (MediaLive, "create_input") => &["medialive:CreateInput", "medialive:CreateTags"],
        (MediaLive, "describe_input") => &["medialive:DescribeInput"],
        (MediaLive, "update_input") => &["medialive:UpdateInput"],
        (MediaLive, "delete_input") => &["medialive:DeleteInput"],
        (MediaLive, "list_inputs") => &["medialive:ListInputs"],
        (MediaLive, "create_channel") => &["medialive:CreateChannel", "medialive:CreateTags"],
        (MediaLive, "describe_channel") => &["medialive:DescribeChannel"],
        (MediaLive, "update_channel") => &["medialive:UpdateChannel"],
        (MediaLive, "delete_channel") => &["medialive:DeleteChannel"],
        (MediaLive, "start_channel") => &["medialive:StartChannel"],
        (MediaLive, "stop_channel") => &["medialive:StopChannel"],
        (MediaLive, "list_channels") => &["medialive:ListChannels"],
        (MediaLive, "batch_update_schedule") => &["medialive:BatchUpdateSchedule"],
        (MediaLive, "describe_schedule") => &["medialive:DescribeSchedule"],
        (MediaPackage, "create_channel") => {
            &["mediapackage:CreateChannel", "mediapackage:TagResource"]
        }
        (MediaPackage, "describe_channel") => &["mediapackage:DescribeChannel"],
        (MediaPackage, "list_channels") => &["mediapackage:ListChannels"],
        (MediaPackage, "delete_channel") => &["mediapackage:DeleteChannel"],
        (MediaPackage, "create_origin_endpoint") => &[
            "mediapackage:CreateOriginEndpoint",
            "mediapackage:TagResource",
        ],
        (MediaPackage, "describe_origin_endpoint") => &["mediapackage:DescribeOriginEndpoint"],
        (MediaPackage, "update_origin_endpoint") => &["mediapackage:UpdateOriginEndpoint"],
        (MediaPackage, "delete_origin_endpoint") => &["mediapackage:DeleteOriginEndpoint"],
        (MediaPackage, "list_origin_endpoints") => &["mediapackage:ListOriginEndpoints"],
        (MediaPackage, "create_harvest_job") => &["mediapackage:CreateHarvestJob"],
        (MediaPackage, "describe_harvest_job") => &["mediapackage:DescribeHarvestJob"],
        (MediaPackage, "list_harvest_jobs") => &["mediapackage:ListHarvestJobs"],
        (MediaPackageVod, "create_packaging_group") => &[
            "mediapackage-vod:CreatePackagingGroup",
            "mediapackage-vod:TagResource",
        ],
        (MediaPackageVod, "describe_packaging_group") => {
            &["mediapackage-vod:DescribePackagingGroup"]
        }
        (MediaPackageVod, "delete_packaging_group") => &["mediapackage-vod:DeletePackagingGroup"],
        (MediaPackageVod, "create_packaging_configuration") => &[
            "mediapackage-vod:CreatePackagingConfiguration",
            "mediapackage-vod:TagResource",
        ],
        (MediaPackageVod, "describe_packaging_configuration") => {
            &["mediapackage-vod:DescribePackagingConfiguration"]
        }
        (MediaPackageVod, "delete_packaging_configuration") => {
            &["mediapackage-vod:DeletePackagingConfiguration"]
        }
        (MediaPackageVod, "create_asset") => &[
            "mediapackage-vod:CreateAsset",
            "mediapackage-vod:TagResource",
        ],
        (MediaPackageVod, "describe_asset") => &["mediapackage-vod:DescribeAsset"],
        (MediaPackageVod, "delete_asset") => &["mediapackage-vod:DeleteAsset"],
        (MediaTailor, "put_playback_configuration") => &[
            "mediatailor:PutPlaybackConfiguration",
            "mediatailor:TagResource",
        ],
        (MediaTailor, "get_playback_configuration") => &["mediatailor:GetPlaybackConfiguration"],
        (MediaTailor, "delete_playback_configuration") => {
            &["mediatailor:DeletePlaybackConfiguration"]
        }
        (CloudFront, "create_distribution") => {
            &["cloudfront:CreateDistribution", "cloudfront:TagResource"]
        }
        (CloudFront, "get_distribution") => &["cloudfront:GetDistribution"],
        (CloudFront, "update_distribution") => &["cloudfront:UpdateDistribution"],
        (CloudFront, "delete_distribution") => &["cloudfront:DeleteDistribution"],
        (CloudFront, "list_distributions") => &["cloudfront:ListDistributions"],
        (CloudFront, "find_distribution") => {
            &["cloudfront:ListDistributions", "cloudfront:GetDistribution"]
        }
        (CloudFront, "list_tags") => &["cloudfront:ListTagsForResource"],
        (CloudFront, "create_function") => &["cloudfront:CreateFunction", "cloudfront:TagResource"],
        (CloudFront, "describe_function") => &["cloudfront:DescribeFunction"],
        (CloudFront, "get_function_code") => &["cloudfront:GetFunction"],
        (CloudFront, "update_function") => &["cloudfront:UpdateFunction"],
        (CloudFront, "publish_function") => &["cloudfront:PublishFunction"],
        (CloudFront, "delete_function") => &["cloudfront:DeleteFunction"],
        (CloudFront, "create_key_value_store") => {
            &["cloudfront:CreateKeyValueStore", "cloudfront:TagResource"]
        }
        (CloudFront, "describe_key_value_store") => &["cloudfront:DescribeKeyValueStore"],
        (CloudFront, "delete_key_value_store") => &["cloudfront:DeleteKeyValueStore"],
        (CloudFront, "create_realtime_log_config") => &["cloudfront:CreateRealtimeLogConfig"],
        (CloudFront, "get_realtime_log_config") => &["cloudfront:GetRealtimeLogConfig"],
        (CloudFront, "update_realtime_log_config") => &["cloudfront:UpdateRealtimeLogConfig"],
        (CloudFront, "delete_realtime_log_config") => &["cloudfront:DeleteRealtimeLogConfig"],
        (CloudFront, "list_cache_policies") => &["cloudfront:ListCachePolicies"],
        (CloudFront, "list_origin_request_policies") => &["cloudfront:ListOriginRequestPolicies"],
        (CloudFront, "list_response_headers_policies") => {
            &["cloudfront:ListResponseHeadersPolicies"]
        }
        (CloudFrontKeyValueStore, "describe_store") => {
            &["cloudfront-keyvaluestore:DescribeKeyValueStore"]
        }
        (CloudFrontKeyValueStore, "list_keys") => &["cloudfront-keyvaluestore:ListKeys"],
        (CloudFrontKeyValueStore, "update_keys") => &["cloudfront-keyvaluestore:UpdateKeys"],
        (SecretsManager, "create_secret") => {
            &["secretsmanager:CreateSecret", "secretsmanager:TagResource"]
        }
        (SecretsManager, "describe_secret") => &["secretsmanager:DescribeSecret"],
        (SecretsManager, "get_secret_value") => &["secretsmanager:GetSecretValue"],
        (SecretsManager, "put_secret_value") => &["secretsmanager:PutSecretValue"],
        (SecretsManager, "delete_secret") => &["secretsmanager:DeleteSecret"],
        (Wafv2, "create_regex_pattern_set") => {
            &["wafv2:CreateRegexPatternSet", "wafv2:TagResource"]
        }
        (Wafv2, "get_regex_pattern_set") => &["wafv2:GetRegexPatternSet"],
        (Wafv2, "update_regex_pattern_set") => &["wafv2:UpdateRegexPatternSet"],
        (Wafv2, "delete_regex_pattern_set") => &["wafv2:DeleteRegexPatternSet"],
        (Wafv2, "list_regex_pattern_sets") => &["wafv2:ListRegexPatternSets"],
        (Wafv2, "create_ip_set") => &["wafv2:CreateIPSet", "wafv2:TagResource"],
        (Wafv2, "get_ip_set") => &["wafv2:GetIPSet"],
        (Wafv2, "update_ip_set") => &["wafv2:UpdateIPSet"],
        (Wafv2, "delete_ip_set") => &["wafv2:DeleteIPSet"],
        (Wafv2, "list_ip_sets") => &["wafv2:ListIPSets"],
        (Wafv2, "create_web_acl") => &["wafv2:CreateWebACL", "wafv2:TagResource"],
        (Wafv2, "get_web_acl") => &["wafv2:GetWebACL"],
        (Wafv2, "update_web_acl") => &["wafv2:UpdateWebACL"],
        (Wafv2, "delete_web_acl") => &["wafv2:DeleteWebACL"],
        (Wafv2, "list_web_acls") => &["wafv2:ListWebACLs"],
        (Kinesis, "describe_stream_summary") => &["kinesis:DescribeStreamSummary"],
        (Kinesis, "create_stream") => &["kinesis:CreateStream", "kinesis:AddTagsToStream"],
        (Kinesis, "increase_stream_retention_period") => &["kinesis:IncreaseStreamRetentionPeriod"],
        (Kinesis, "decrease_stream_retention_period") => &["kinesis:DecreaseStreamRetentionPeriod"],
        (Kinesis, "update_shard_count") => &["kinesis:UpdateShardCount"],
        (Kinesis, "delete_stream") => &["kinesis:DeleteStream"],
        // `onair telemetry` reads the records back.
        (Kinesis, "list_shards") => &["kinesis:ListShards"],
        (Kinesis, "get_shard_iterator") => &["kinesis:GetShardIterator"],
        (Kinesis, "get_records") => &["kinesis:GetRecords"],
        (Firehose, "create_delivery_stream") => &[
            "firehose:CreateDeliveryStream",
            "firehose:TagDeliveryStream",
        ],
        (Firehose, "describe_delivery_stream") => &["firehose:DescribeDeliveryStream"],
        (Firehose, "update_destination") => &["firehose:UpdateDestination"],
        (Firehose, "delete_delivery_stream") => &["firehose:DeleteDeliveryStream"],
        (S3, "head_bucket") => &["s3:ListBucket"],
        (S3, "head_object") => &["s3:GetObject"],
        // GetCallerIdentity needs no permission.
        (Sts, "get_caller_identity") => &[],
        _ => return None,
    };
    Some(actions)
}

/// Every operation of the AWS layer, by service.
pub fn operations() -> Vec<(Service, &'static str)> {
    use crate::aws::*;
    let mut all = Vec::new();
    let mut add = |service: Service, ops: &[&'static str]| {
        all.extend(ops.iter().map(|op| (service, *op)));
    };
    add(
        Service::MediaLive,
        <dyn medialive::MediaLiveApi>::OPERATIONS,
    );
    add(
        Service::MediaPackage,
        <dyn mediapackage::MediaPackageApi>::OPERATIONS,
    );
    add(
        Service::MediaPackageVod,
        <dyn mediapackagevod::MediaPackageVodApi>::OPERATIONS,
    );
    add(
        Service::MediaTailor,
        <dyn mediatailor::MediaTailorApi>::OPERATIONS,
    );
    add(
        Service::CloudFront,
        <dyn cloudfront::CloudFrontApi>::OPERATIONS,
    );
    add(
        Service::CloudFrontKeyValueStore,
        <dyn cloudfront::CloudFrontKvsApi>::OPERATIONS,
    );
    add(
        Service::SecretsManager,
        <dyn secretsmanager::SecretsManagerApi>::OPERATIONS,
    );
    add(Service::Wafv2, <dyn wafv2::WafApi>::OPERATIONS);
    add(Service::Kinesis, <dyn kinesis::KinesisApi>::OPERATIONS);
    add(Service::Firehose, <dyn firehose::FirehoseApi>::OPERATIONS);
    add(Service::S3, <dyn s3::S3Api>::OPERATIONS);
    add(Service::Sts, <dyn sts::StsApi>::OPERATIONS);
    all
}

/// The tag every AWS resource onair creates carries ([`Owner::tags`]): the
/// policy lets onair create only what carries it and change or delete only
/// what has it, where AWS can check tags.
///
/// [`Owner::tags`]: crate::aws::ownership::Owner::tags
const OWNER_TAG: &str = crate::aws::ownership::TAG_OWNER_UID;

/// The shape of a Kubernetes uid, which ends every name onair derives
/// (`<namespace>-<name>-<child>-<uid>`, [`resource_id`]), in IAM's glob.
///
/// [`resource_id`]: crate::aws::ownership::Owner::resource_id
const UID_GLOB: &str = "????????-????-????-????-????????????";

/// Write actions AWS authorizes on `"*"` alone (the Service Authorization
/// Reference lists no resource type for them) and for which onair's requests
/// carry no condition key to check: the only writes on every resource.
pub const UNSCOPED: &[&str] = &[
    // No resource type and no condition key at all.
    "cloudfront:CreateFunction",
    "cloudfront:CreateKeyValueStore",
    "cloudfront:CreateRealtimeLogConfig",
    "kinesis:UpdateShardCount",
    // aws:RequestTag is offered, but onair's CreateHarvestJob carries no tags,
    // so the condition would refuse every job. What it can do is bounded by
    // the role it must pass (iam:PassRole on the listed roles only).
    "mediapackage:CreateHarvestJob",
];

/// CloudFront has no tag condition keys for functions, key value stores and
/// real-time log configurations: these actions are limited by ARN instead.
const BY_NAME: &[&str] = &[
    "cloudfront:UpdateFunction",
    "cloudfront:PublishFunction",
    "cloudfront:DeleteFunction",
    "cloudfront:UpdateRealtimeLogConfig",
    "cloudfront:DeleteRealtimeLogConfig",
    "cloudfront:DeleteKeyValueStore",
    "cloudfront-keyvaluestore:UpdateKeys",
];

/// The tagging actions AWS also checks when a create carries tags.
const TAGGING: &[&str] = &[
    "TagResource",
    "CreateTags",
    "AddTagsToStream",
    "TagDeliveryStream",
];

/// Which statement of the policy grants an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Grant {
    /// Creates, and the tagging they imply.
    Create,
    /// Changes, starts, stops and deletions of a resource that exists.
    Change,
    SecretCreate,
    SecretChange,
    SecretRead,
    /// See [`BY_NAME`].
    ByName,
    /// See [`UNSCOPED`].
    Unscoped,
    /// Describe, Get and List.
    Read,
}

fn is_read(action: &str) -> bool {
    let verb = action.split_once(':').map_or(action, |(_, verb)| verb);
    ["Describe", "Get", "List"]
        .iter()
        .any(|prefix| verb.starts_with(prefix))
}

fn grant(action: &str) -> Grant {
    let verb = action.split_once(':').map_or(action, |(_, verb)| verb);
    let creates = verb.starts_with("Create")
        || TAGGING.contains(&verb)
        // An upsert that always sends the whole configuration, tags included.
        || action == "mediatailor:PutPlaybackConfiguration";
    if UNSCOPED.contains(&action) {
        Grant::Unscoped
    } else if action.starts_with("secretsmanager:") {
        if is_read(action) {
            Grant::SecretRead
        } else if creates {
            Grant::SecretCreate
        } else {
            Grant::SecretChange
        }
    } else if BY_NAME.contains(&action) {
        Grant::ByName
    } else if is_read(action) {
        Grant::Read
    } else if creates {
        Grant::Create
    } else {
        Grant::Change
    }
}

/// The services onair hands a role to (`iam:PassedToService`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PassedTo {
    /// `encoding.roleArn`, an AwsProvider's `mediaLiveRoleArn`, `onair run
    /// --media-live-role-arn`.
    MediaLive,
    /// An AwsProvider's `mediaPackageSecretsRoleArn` (origin protection), a
    /// HarvestJob's `destination.roleArn` and `vod.roleArn`.
    MediaPackage,
    /// `cdn.telemetry.roleArn` (real-time logs into Kinesis).
    CloudFront,
    /// `cdn.telemetry.firehose.roleArn`.
    Firehose,
}

impl PassedTo {
    pub const ALL: [PassedTo; 4] = [
        PassedTo::MediaLive,
        PassedTo::MediaPackage,
        PassedTo::CloudFront,
        PassedTo::Firehose,
    ];

    /// How `--pass-role` names it.
    pub fn name(self) -> &'static str {
        match self {
            PassedTo::MediaLive => "medialive",
            PassedTo::MediaPackage => "mediapackage",
            PassedTo::CloudFront => "cloudfront",
            PassedTo::Firehose => "firehose",
        }
    }

    /// The service principal that assumes the role.
    pub fn principal(self) -> &'static str {
        match self {
            PassedTo::MediaLive => "medialive.amazonaws.com",
            // MediaPackage VOD assumes its roles as MediaPackage too.
            PassedTo::MediaPackage => "mediapackage.amazonaws.com",
            PassedTo::CloudFront => "cloudfront.amazonaws.com",
            PassedTo::Firehose => "firehose.amazonaws.com",
        }
    }

    fn sid(self) -> &'static str {
        match self {
            PassedTo::MediaLive => "PassRolesToMediaLive",
            PassedTo::MediaPackage => "PassRolesToMediaPackage",
            PassedTo::CloudFront => "PassRolesToCloudFront",
            PassedTo::Firehose => "PassRolesToFirehose",
        }
    }
}

fn service_names() -> String {
    PassedTo::ALL.map(PassedTo::name).join(", ")
}

/// A role onair may hand to one service: `--pass-role SERVICE=ROLE_ARN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassRole {
    pub service: PassedTo,
    pub arn: String,
}

impl std::str::FromStr for PassRole {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        // Role names may contain '=', service names never start with "arn:".
        let Some((service, arn)) = s
            .split_once('=')
            .filter(|(svc, _)| !svc.starts_with("arn:"))
        else {
            return Err(format!(
                "\"{s}\" names no service: write SERVICE=ROLE_ARN, SERVICE being the one the role is handed to ({})",
                service_names()
            ));
        };
        let service = PassedTo::ALL
            .into_iter()
            .find(|p| p.name() == service)
            .ok_or_else(|| {
                format!(
                    "\"{service}\" is not a service onair passes roles to: use one of {}",
                    service_names()
                )
            })?;
        Ok(PassRole {
            service,
            arn: role_arn(arn)?,
        })
    }
}

fn role_arn(arn: &str) -> Result<String, String> {
    let pattern =
        regex::Regex::new(crate::api::common::ROLE_ARN_PATTERN).expect("the role ARN pattern");
    if pattern.is_match(arn) {
        Ok(arn.to_string())
    } else {
        Err(format!(
            "\"{arn}\" is not an IAM role ARN such as arn:aws:iam::123456789012:role/NAME"
        ))
    }
}

fn partition(s: &str) -> Result<String, String> {
    let valid = s
        .strip_prefix("aws")
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
    if valid {
        Ok(s.to_string())
    } else {
        Err(format!(
            "\"{s}\" is not an AWS partition such as aws, aws-cn or aws-us-gov"
        ))
    }
}

/// The policy document. `pass_roles`: the service roles onair may hand to
/// AWS services (none: no iam:PassRole at all); `assume_roles`: AwsProvider
/// roles the operator may assume (none: no sts:AssumeRole at all);
/// `partition`: of the ARNs (`aws`, `aws-cn`, `aws-us-gov`).
pub fn policy(pass_roles: &[PassRole], assume_roles: &[String], partition: &str) -> Value {
    let mut by_grant: BTreeMap<Grant, BTreeSet<&'static str>> = BTreeMap::new();
    for (service, operation) in operations() {
        for action in actions(service, operation).unwrap_or_default() {
            by_grant.entry(grant(action)).or_default().insert(action);
        }
    }
    let owner_tag = |key: &str| json!({"StringLike": {format!("{key}/{OWNER_TAG}"): "?*"}});
    // onair names every secret it creates onair/...: nothing else is
    // readable or writable.
    let secrets = json!(format!("arn:{partition}:secretsmanager:*:*:secret:onair/*"));
    let mut statements: Vec<Value> = by_grant
        .into_iter()
        .map(|(grant, actions)| {
            let (sid, resource, condition) = match grant {
                // The resource does not exist yet, so AWS authorizes these on
                // "*" (or a wildcard id): what limits them is that the request
                // carries onair's owner tag. aws:TagKeys (the keys a request
                // sets) could only say the same, since user tags are free.
                Grant::Create => (
                    "CreateOnlyWithOnairOwnerTag",
                    json!("*"),
                    Some(owner_tag("aws:RequestTag")),
                ),
                // Only what onair created (adopted resources carry the tag by
                // definition: that is how onair recognizes them).
                Grant::Change => (
                    "ChangeOnlyOnairTagged",
                    json!("*"),
                    Some(owner_tag("aws:ResourceTag")),
                ),
                Grant::SecretCreate => (
                    "CreateOnairSecrets",
                    secrets.clone(),
                    Some(owner_tag("aws:RequestTag")),
                ),
                Grant::SecretChange => (
                    "ChangeOnairSecrets",
                    secrets.clone(),
                    Some(owner_tag("aws:ResourceTag")),
                ),
                // Reads probe names that may not exist yet (see Read), so no
                // tag condition; the name limits them to onair's secrets.
                Grant::SecretRead => ("ReadOnairSecrets", secrets.clone(), None),
                // Functions and real-time log configurations by the names
                // onair gives them (`...-tokens-<uid>`, `...-cmcd-<uid>`); key
                // value stores have ARNs by random id, so only their type.
                Grant::ByName => (
                    "ChangeCloudFrontEdgeByName",
                    json!([
                        format!("arn:{partition}:cloudfront::*:function/*tokens-{UID_GLOB}"),
                        format!(
                            "arn:{partition}:cloudfront::*:realtime-log-config/*cmcd-{UID_GLOB}"
                        ),
                        format!("arn:{partition}:cloudfront::*:key-value-store/*"),
                    ]),
                    None,
                ),
                Grant::Unscoped => ("NoResourceLevelPermissions", json!("*"), None),
                // List* calls are authorized on "*" only. Describe and Get on
                // "*" too, without a tag condition: onair probes the ids it
                // derives before creating (and after deleting), and a tag
                // condition on a resource that does not exist answers
                // AccessDenied where onair needs NotFound. They read
                // configuration; the secrets they could read are above.
                Grant::Read => ("DescribeAndList", json!("*"), None),
            };
            let mut statement = json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions.into_iter().collect::<Vec<_>>(),
                "Resource": resource,
            });
            if let Some(condition) = condition {
                statement["Condition"] = condition;
            }
            statement
        })
        .collect();
    // Each service role goes to the service that assumes it, and no other
    // role anywhere: a role ARN in a namespaced object cannot lend the
    // operator's rights to a role of its choosing.
    for service in PassedTo::ALL {
        let arns: BTreeSet<&str> = pass_roles
            .iter()
            .filter(|r| r.service == service)
            .map(|r| r.arn.as_str())
            .collect();
        if !arns.is_empty() {
            statements.push(json!({
                "Sid": service.sid(),
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": arns,
                "Condition": {"StringEquals": {"iam:PassedToService": service.principal()}},
            }));
        }
    }
    if !assume_roles.is_empty() {
        let arns: BTreeSet<&str> = assume_roles.iter().map(String::as_str).collect();
        statements.push(json!({
            "Sid": "AssumeAwsProviderRoles",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": arns,
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[derive(Debug, Clone, clap::Args)]
pub struct IamPolicyArgs {
    /// A service role onair may hand to an AWS service, as SERVICE=ROLE_ARN
    /// (repeat): medialive (LiveChannel `encoding.roleArn`, AwsProvider
    /// `mediaLiveRoleArn`), mediapackage (`mediaPackageSecretsRoleArn`,
    /// HarvestJob `destination.roleArn` and `vod.roleArn`), cloudfront
    /// (`cdn.telemetry.roleArn`) or firehose (`cdn.telemetry.firehose.roleArn`).
    /// No other role can be passed.
    #[arg(long = "pass-role", value_name = "SERVICE=ROLE_ARN")]
    pub pass_roles: Vec<PassRole>,
    /// An AwsProvider `assumeRole.roleArn` the operator may assume (repeat).
    #[arg(long = "assume-role-arn", value_name = "ROLE_ARN", value_parser = role_arn)]
    pub assume_role_arns: Vec<String>,
    /// The AWS partition of the ARNs.
    #[arg(long, default_value = "aws", value_parser = partition)]
    pub partition: String,
}

/// What the policy leaves out for want of a role to pass, as a note for
/// stderr (None when every service has one).
fn missing_roles_note(pass_roles: &[PassRole]) -> Option<String> {
    let missing: Vec<&str> = PassedTo::ALL
        .into_iter()
        .filter(|s| !pass_roles.iter().any(|r| r.service == *s))
        .map(PassedTo::name)
        .collect();
    if missing.is_empty() {
        None
    } else if missing.len() == PassedTo::ALL.len() {
        Some(format!(
            "no --pass-role given, so the policy has no iam:PassRole and AWS will refuse MediaLive channels, origin protection, harvest jobs and CMCD telemetry; add each service role you use as --pass-role SERVICE=ROLE_ARN ({})",
            service_names()
        ))
    } else {
        Some(format!(
            "no --pass-role for {}: AWS will refuse what hands a role to {}; add --pass-role SERVICE=ROLE_ARN if you use it",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        ))
    }
}

pub fn main(args: IamPolicyArgs) -> Result<(), String> {
    if let Some(note) = missing_roles_note(&args.pass_roles) {
        eprintln!("onair iam-policy: {note}");
    }
    let policy = policy(&args.pass_roles, &args.assume_role_arns, &args.partition);
    let text = serde_json::to_string_pretty(&policy).map_err(|e| e.to_string())?;
    use std::io::Write;
    match writeln!(std::io::stdout(), "{text}") {
        // `onair iam-policy | head` is fine.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ownership::Owner;

    fn resources(statement: &Value) -> Vec<String> {
        match &statement["Resource"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            other => panic!("Resource {other}"),
        }
    }

    fn actions_of(statement: &Value) -> Vec<String> {
        match &statement["Action"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            other => panic!("Action {other}"),
        }
    }

    /// The owner-tag condition on `key` (`aws:RequestTag` or `aws:ResourceTag`).
    fn has_owner_tag(statement: &Value, key: &str) -> bool {
        statement["Condition"]["StringLike"][format!("{key}/onair.dev/owner-uid")] == "?*"
    }

    /// IAM's ARN glob: `*` any run of characters, `?` any one.
    fn glob(pattern: &str, text: &str) -> bool {
        match pattern.chars().next() {
            None => text.is_empty(),
            Some('*') => (0..=text.len())
                .filter(|i| text.is_char_boundary(*i))
                .any(|i| glob(&pattern[1..], &text[i..])),
            Some(c) => {
                text.chars().next().is_some_and(|t| c == '?' || c == t)
                    && glob(
                        &pattern[c.len_utf8()..],
                        &text[text.chars().next().unwrap().len_utf8()..],
                    )
            }
        }
    }

    fn sample_policy() -> Value {
        let roles: Vec<PassRole> = [
            "medialive=arn:aws:iam::123456789012:role/MediaLiveAccessRole",
            "mediapackage=arn:aws:iam::123456789012:role/MediaPackageSecretsRole",
            "mediapackage=arn:aws:iam::123456789012:role/HarvestRole",
            "cloudfront=arn:aws:iam::123456789012:role/CloudFrontRealtimeLogRole",
            "firehose=arn:aws:iam::123456789012:role/FirehoseRole",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        policy(
            &roles,
            &[
                "arn:aws:iam::123456789012:role/onair-operator".into(),
                "arn:aws:iam::210987654321:role/onair-operator".into(),
            ],
            "aws",
        )
    }

    #[test]
    fn every_operation_of_the_aws_layer_has_its_actions() {
        let missing: Vec<String> = operations()
            .into_iter()
            .filter(|(s, op)| actions(*s, op).is_none())
            .map(|(s, op)| format!("{}::{op}", s.name()))
            .collect();
        assert!(missing.is_empty(), "add IAM actions for {missing:?}");
        assert!(operations().len() > 90);
    }

    #[test]
    fn only_reads_and_documented_actions_reach_every_resource() {
        let p = sample_policy();
        let statements = p["Statement"].as_array().unwrap();
        let mut sids = BTreeSet::new();
        for s in statements {
            assert!(sids.insert(s["Sid"].as_str().unwrap()), "Sids are unique");
            assert_eq!(s["Effect"], "Allow");
            assert!(!actions_of(s).is_empty());
            if !resources(s).iter().any(|r| r == "*") {
                continue;
            }
            let tagged = has_owner_tag(s, "aws:RequestTag") || has_owner_tag(s, "aws:ResourceTag");
            let reads = actions_of(s).iter().all(|a| is_read(a));
            let unscopable = actions_of(s).iter().all(|a| UNSCOPED.contains(&a.as_str()));
            assert!(
                tagged || reads || unscopable,
                "{} grants writes on every resource without a tag condition",
                s["Sid"]
            );
        }
        // Nothing but those three kinds: no PassRole or AssumeRole on "*".
        assert!(statements
            .iter()
            .filter(|s| s["Action"] == "iam:PassRole" || s["Action"] == "sts:AssumeRole")
            .all(|s| !resources(s).contains(&"*".to_string())));
        assert!(!p.to_string().contains("\"*:*\""), "no wildcard actions");
    }

    #[test]
    fn creates_carry_and_changes_require_the_owner_tag() {
        let p = sample_policy();
        let statements = p["Statement"].as_array().unwrap();
        let granting = |action: &str| -> &Value {
            let found: Vec<&Value> = statements
                .iter()
                .filter(|s| actions_of(s).iter().any(|a| a == action))
                .collect();
            assert_eq!(found.len(), 1, "{action} is granted once");
            found[0]
        };
        let all: BTreeSet<&str> = operations()
            .into_iter()
            .flat_map(|(s, op)| actions(s, op).unwrap_or_default().iter().copied())
            .collect();
        for action in all {
            let s = granting(action);
            let verb = action.split_once(':').unwrap().1;
            if is_read(action) || UNSCOPED.contains(&action) {
                continue;
            }
            if BY_NAME.contains(&action) {
                assert!(!resources(s).contains(&"*".to_string()), "{action}");
            } else if verb.starts_with("Create")
                || TAGGING.contains(&verb)
                || verb == "PutPlaybackConfiguration"
            {
                assert!(
                    has_owner_tag(s, "aws:RequestTag"),
                    "{action} needs the tag in the request"
                );
            } else {
                assert!(
                    has_owner_tag(s, "aws:ResourceTag"),
                    "{action} needs the tag on the resource"
                );
            }
        }
        // The ones that matter most, by name.
        for action in [
            "medialive:DeleteChannel",
            "medialive:StartChannel",
            "medialive:UpdateChannel",
            "medialive:BatchUpdateSchedule",
            "mediapackage:DeleteOriginEndpoint",
            "mediatailor:DeletePlaybackConfiguration",
            "cloudfront:UpdateDistribution",
            "cloudfront:DeleteDistribution",
            "wafv2:UpdateWebACL",
            "kinesis:DeleteStream",
            "firehose:DeleteDeliveryStream",
            "secretsmanager:PutSecretValue",
            "secretsmanager:DeleteSecret",
        ] {
            assert!(
                has_owner_tag(granting(action), "aws:ResourceTag"),
                "{action}"
            );
        }
        for action in [
            "medialive:CreateChannel",
            "medialive:CreateTags",
            "mediapackage:CreateOriginEndpoint",
            "mediatailor:PutPlaybackConfiguration",
            "cloudfront:CreateDistribution",
            "cloudfront:TagResource",
            "secretsmanager:CreateSecret",
        ] {
            assert!(
                has_owner_tag(granting(action), "aws:RequestTag"),
                "{action}"
            );
        }
        // Secrets stay limited to onair's names whatever the verb.
        for action in [
            "secretsmanager:GetSecretValue",
            "secretsmanager:CreateSecret",
        ] {
            assert_eq!(
                resources(granting(action)),
                ["arn:aws:secretsmanager:*:*:secret:onair/*"]
            );
        }
    }

    #[test]
    fn cloudfront_edge_patterns_match_the_names_onair_gives() {
        let p = sample_policy();
        let s = p["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "ChangeCloudFrontEdgeByName")
            .unwrap()
            .clone();
        let patterns = resources(&s);
        let owner = Owner::new(
            "0b3c6a2e-7f5d-4d1a-9c3e-2a1b4c5d6e7f",
            "media",
            "sports.one",
        );
        let long = Owner::new(owner.uid.clone(), "n".repeat(63), "x".repeat(200));
        let arn =
            |kind: &str, name: &str| format!("arn:aws:cloudfront::123456789012:{kind}/{name}");
        let matched = |arn: &str| patterns.iter().any(|p| glob(p, arn));
        for o in [&owner, &long] {
            let function = o.resource_id("tokens", crate::plan::token_policy::NAME_LIMIT);
            assert!(matched(&arn("function", &function)), "{function}");
            let config = crate::plan::telemetry::config_name(o);
            assert!(matched(&arn("realtime-log-config", &config)), "{config}");
        }
        assert!(!matched(&arn("function", "viewer-request-redirect")));
        assert!(!matched(&arn("realtime-log-config", "all-requests")));
        assert!(!matched(&arn("distribution", "E2QWRUHAPOMQZL")));
    }

    #[test]
    fn pass_role_goes_only_to_the_listed_roles_and_their_service() {
        let p = sample_policy();
        let passing: Vec<&Value> = p["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["Action"] == "iam:PassRole")
            .collect();
        assert_eq!(passing.len(), 4, "one statement per service");
        let to = |principal: &str| {
            passing
                .iter()
                .find(|s| s["Condition"]["StringEquals"]["iam:PassedToService"] == principal)
                .map(|s| resources(s))
                .unwrap_or_default()
        };
        assert_eq!(
            to("medialive.amazonaws.com"),
            ["arn:aws:iam::123456789012:role/MediaLiveAccessRole"]
        );
        assert_eq!(
            to("mediapackage.amazonaws.com"),
            [
                "arn:aws:iam::123456789012:role/HarvestRole",
                "arn:aws:iam::123456789012:role/MediaPackageSecretsRole"
            ]
        );
        assert_eq!(to("firehose.amazonaws.com").len(), 1);
        assert_eq!(to("cloudfront.amazonaws.com").len(), 1);
        for s in &passing {
            assert_eq!(
                s["Condition"].as_object().unwrap().len(),
                1,
                "only StringEquals iam:PassedToService"
            );
        }

        let bare = policy(&[], &[], "aws").to_string();
        assert!(!bare.contains("iam:PassRole") && !bare.contains("sts:AssumeRole"));
        assert!(missing_roles_note(&[])
            .unwrap()
            .contains("--pass-role SERVICE=ROLE_ARN"));
        let one: PassRole = "medialive=arn:aws:iam::123456789012:role/ml"
            .parse()
            .unwrap();
        let note = missing_roles_note(&[one]).unwrap();
        assert!(
            note.contains("mediapackage, cloudfront, firehose"),
            "{note}"
        );
        let all: Vec<PassRole> = PassedTo::ALL
            .iter()
            .map(|s| {
                format!("{}=arn:aws:iam::123456789012:role/r", s.name())
                    .parse()
                    .unwrap()
            })
            .collect();
        assert_eq!(missing_roles_note(&all), None);
    }

    #[test]
    fn pass_role_arguments_name_a_service_and_a_role() {
        let bare = "arn:aws:iam::123456789012:role/ml"
            .parse::<PassRole>()
            .unwrap_err();
        assert!(bare.contains("SERVICE=ROLE_ARN"), "{bare}");
        let unknown = "s3=arn:aws:iam::123456789012:role/ml"
            .parse::<PassRole>()
            .unwrap_err();
        assert!(
            unknown.contains("medialive, mediapackage, cloudfront, firehose"),
            "{unknown}"
        );
        let not_a_role = "medialive=arn:aws:iam::123456789012:user/ml"
            .parse::<PassRole>()
            .unwrap_err();
        assert!(not_a_role.contains("not an IAM role ARN"), "{not_a_role}");
        // '=' is allowed in role names.
        let odd: PassRole = "mediapackage=arn:aws-us-gov:iam::123456789012:role/a=b"
            .parse()
            .unwrap();
        assert_eq!(odd.service, PassedTo::MediaPackage);
        assert_eq!(odd.arn, "arn:aws-us-gov:iam::123456789012:role/a=b");
        assert!(partition("aws-cn").is_ok() && partition("azure").is_err());
        let gov = policy(&[], &[], "aws-us-gov").to_string();
        assert!(gov.contains("arn:aws-us-gov:secretsmanager:") && !gov.contains("arn:aws:"));
    }

    #[test]
    fn the_policy_fits_in_a_managed_policy() {
        // IAM counts a managed policy's characters without whitespace: 6,144.
        let size = sample_policy()
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .count();
        assert!(size <= 6144, "{size} characters");
        let medialive = sample_policy()["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| actions_of(s).contains(&"medialive:StartChannel".to_string()));
        assert!(medialive);
        assert!(sample_policy()
            .to_string()
            .contains("\"Sid\":\"AssumeAwsProviderRoles\""));
    }
}
