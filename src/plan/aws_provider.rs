//! What an AwsProvider's status says once its credentials were checked (STS
//! GetCallerIdentity through the provider's region, endpoint and role). Pure,
//! so that every outcome reads the same in status, events and tests.

use crate::api::AwsProviderSpec;
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::sts::CallerIdentity;
use crate::plan::failure::Failure;

/// The Ready message of a provider whose credentials work.
pub fn verified(identity: &CallerIdentity, spec: &AwsProviderSpec) -> String {
    format!(
        "the credentials work: onair acts as {} in account {}, region {}",
        identity.arn, identity.account, spec.region
    )
}

/// Why a provider whose credentials work cannot be used: the services whose
/// probe AWS refused, as IAM actions (`medialive:DescribeChannel`, ...).
/// None when none was.
pub fn permissions_missing(denied: &[&str], identity: &CallerIdentity) -> Option<Failure> {
    if denied.is_empty() {
        return None;
    }
    Some(Failure::stalled(
        "PermissionsMissing",
        format!(
            "the credentials work, but AWS refused {} to {}: attach the two policies `onair iam-policy --part changes` and `onair iam-policy --part reads` print to that identity (onair checks again every resync)",
            denied.join(", "),
            identity.arn
        ),
    ))
}

/// Why a provider's credentials do not work, and what to fix.
pub fn check_failed(error: &AwsError, spec: &AwsProviderSpec) -> Failure {
    let detail = error.summary();
    match &error.kind {
        ErrorKind::AccessDenied { .. } => Failure::stalled(
            "CredentialsRefused",
            format!("AWS refused the credentials onair uses for this provider ({detail}); fix the operator's credentials (IRSA, Pod Identity or the environment)"),
        ),
        // The SDK loads credentials (and assumes the role) before it sends the
        // call, so what went wrong there arrives as a failed dispatch, with the
        // credential provider's error in the message: "an error occurred while
        // loading credentials: " and then "service error: ..." when STS
        // refused (AssumeRole, a web identity), or a dispatch failure when it
        // could not be reached. tests/aws/aws_provider.rs pins these words
        // against the real SDK.
        ErrorKind::Transient { message } => match message.split_once("loading credentials") {
            Some((_, cause)) if unreachable(cause) => unreachable_failure(&detail, spec),
            Some((_, cause)) if cause.contains("service error") => match &spec.assume_role {
                Some(role) => Failure::stalled(
                    "AssumeRoleDenied",
                    format!("onair cannot assume the role {} (spec.assumeRole.roleArn): {detail}; the role's trust policy must allow the operator's identity to call sts:AssumeRole, with the external id if spec.assumeRole.externalId is set", role.role_arn),
                ),
                None => Failure::stalled(
                    "CredentialsRefused",
                    format!("STS refused the operator's credentials ({detail}); check the operator's IAM role (IRSA or Pod Identity) and its trust policy"),
                ),
            },
            Some(_) => no_credentials(&detail),
            None if message.contains("credential provider was not enabled") => no_credentials(&detail),
            None => unreachable_failure(&detail, spec),
        },
        ErrorKind::Throttled { .. } => Failure::retrying(
            "AwsThrottled",
            format!("STS is throttling the credentials check ({detail}); onair retries"),
        ),
        _ => Failure::stalled(
            "CredentialsCheckFailed",
            format!("STS refused the credentials check ({detail}); check spec.region and spec.assumeRole"),
        ),
    }
}

/// Words of the SDK's messages for a call that never reached AWS.
fn unreachable(message: &str) -> bool {
    ["dispatch failure", "io error", "timed out", "timeout"]
        .iter()
        .any(|w| message.contains(w))
}

fn unreachable_failure(detail: &str, spec: &AwsProviderSpec) -> Failure {
    let endpoint = match &spec.endpoint_url {
        Some(url) => format!(" and that spec.endpointUrl ({url}) answers"),
        // The operator's --aws-endpoint-url (or AWS_ENDPOINT_URL) applies then.
        None => " and, if onair runs with --aws-endpoint-url or AWS_ENDPOINT_URL, that it answers"
            .into(),
    };
    Failure::retrying(
        "AwsUnreachable",
        format!(
            "cannot reach STS in region {} ({detail}); check that spec.region is a region AWS has{endpoint}; onair retries",
            spec.region
        ),
    )
}

fn no_credentials(detail: &str) -> Failure {
    Failure::stalled(
        "NoCredentials",
        format!("onair has no usable AWS credentials ({detail}); give the operator an IAM role (IRSA or Pod Identity) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: serde_json::Value) -> AwsProviderSpec {
        let mut value = serde_json::json!({"region": "eu-west-1"});
        value
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(value).unwrap()
    }

    fn error(kind: ErrorKind) -> AwsError {
        AwsError::new("STS", "GetCallerIdentity", kind)
    }

    #[test]
    fn each_way_credentials_fail_has_its_reason_and_fix() {
        let plain = spec(serde_json::json!({}));
        let role = spec(
            serde_json::json!({"assumeRole": {"roleArn": "arn:aws:iam::111122223333:role/onair"}}),
        );
        let refused = check_failed(
            &error(ErrorKind::AccessDenied {
                message: "The security token included in the request is invalid.".into(),
            }),
            &plain,
        );
        assert_eq!(
            (refused.reason.as_str(), refused.stalled),
            ("CredentialsRefused", true)
        );
        assert!(
            refused.message.contains("security token"),
            "{}",
            refused.message
        );

        let denied = error(ErrorKind::Transient {
            message: "could not reach AWS: dispatch failure: other: an error occurred while loading credentials: service error: AccessDenied: User: arn:aws:iam::111122223333:user/x is not authorized to perform: sts:AssumeRole".into(),
        });
        let failure = check_failed(&denied, &role);
        assert_eq!(
            (failure.reason.as_str(), failure.stalled),
            ("AssumeRoleDenied", true)
        );
        assert!(failure
            .message
            .contains("arn:aws:iam::111122223333:role/onair"));
        assert_eq!(
            check_failed(&denied, &plain).reason,
            "CredentialsRefused",
            "no role in the spec: the operator's own credentials"
        );
        let assume_role_unreachable = error(ErrorKind::Transient {
            message: "could not reach AWS: dispatch failure: other: an error occurred while loading credentials: dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111)".into(),
        });
        assert_eq!(
            check_failed(&assume_role_unreachable, &role).reason,
            "AwsUnreachable",
            "not a refusal"
        );
        let bad_config = error(ErrorKind::Transient {
            message: "could not reach AWS: dispatch failure: other: an error occurred while loading credentials: invalid configuration: the web identity token file is missing".into(),
        });
        assert_eq!(check_failed(&bad_config, &plain).reason, "NoCredentials");

        let none = error(ErrorKind::Transient {
            message: "could not reach AWS: the credential provider was not enabled".into(),
        });
        assert_eq!(check_failed(&none, &plain).reason, "NoCredentials");

        let unknown_region = spec(serde_json::json!({"region": "eu-nowhere-9"}));
        let unreachable = check_failed(
            &error(ErrorKind::Transient {
                message: "could not reach AWS: dns error: failed to lookup address information"
                    .into(),
            }),
            &unknown_region,
        );
        assert_eq!(
            (unreachable.reason.as_str(), unreachable.stalled),
            ("AwsUnreachable", false)
        );
        assert!(
            unreachable.message.contains("region eu-nowhere-9"),
            "{}",
            unreachable.message
        );
        assert!(!unreachable.message.contains("endpointUrl"));
        let emulated = spec(serde_json::json!({"endpointUrl": "http://127.0.0.1:5000"}));
        assert!(check_failed(
            &error(ErrorKind::Transient {
                message: "connection refused".into()
            }),
            &emulated
        )
        .message
        .contains("spec.endpointUrl (http://127.0.0.1:5000) answers"));

        let throttled = check_failed(
            &error(ErrorKind::Throttled {
                message: "Rate exceeded".into(),
            }),
            &plain,
        );
        assert_eq!(
            (throttled.reason.as_str(), throttled.stalled),
            ("AwsThrottled", false)
        );
    }

    #[test]
    fn working_credentials_say_whom_onair_acts_as() {
        let identity = CallerIdentity {
            account: "111122223333".into(),
            arn: "arn:aws:sts::111122223333:assumed-role/onair/onair".into(),
            user_id: "AROA:onair".into(),
        };
        assert_eq!(
            verified(&identity, &spec(serde_json::json!({}))),
            "the credentials work: onair acts as arn:aws:sts::111122223333:assumed-role/onair/onair in account 111122223333, region eu-west-1"
        );
    }
}
