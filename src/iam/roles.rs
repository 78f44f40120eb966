//! The roles onair may pass (`--pass-role SERVICE=ROLE_ARN`): the services that
//! take them, and the parsing of role ARNs and partitions.

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

    pub(super) fn sid(self) -> &'static str {
        match self {
            PassedTo::MediaLive => "PassRolesToMediaLive",
            PassedTo::MediaPackage => "PassRolesToMediaPackage",
            PassedTo::CloudFront => "PassRolesToCloudFront",
            PassedTo::Firehose => "PassRolesToFirehose",
        }
    }
}

pub(super) fn service_names() -> String {
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

pub(super) fn role_arn(arn: &str) -> Result<String, String> {
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

pub(super) fn partition(s: &str) -> Result<String, String> {
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
