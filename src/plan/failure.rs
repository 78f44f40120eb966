//! Why a reconcile could not finish, the same way for every kind: a reason
//! (the condition's `reason`), a sentence that says what to fix, and whether
//! the user has to act (`Stalled`) or onair retries by itself
//! (`Reconciling`). Pure, so the status builders, `onair render` and every
//! reconciler classify alike.

use crate::api::common::Tags;
use crate::aws::error::{AwsError, ErrorKind};

/// Why a reconcile could not finish: the reason and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub reason: String,
    pub message: String,
    /// The user has to act (invalid spec, refused by AWS); otherwise onair retries.
    pub stalled: bool,
}

impl Failure {
    /// Something only the user can fix: onair waits for a change.
    pub fn stalled(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            message: message.into(),
            stalled: true,
        }
    }

    /// Something that passes by itself: onair retries.
    pub fn retrying(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            message: message.into(),
            stalled: false,
        }
    }

    /// A spec onair cannot build, found before any AWS call.
    pub fn invalid_spec(message: impl Into<String>) -> Self {
        Self::stalled("InvalidSpec", message)
    }

    /// The object's and its provider's tags do not fit AWS's limit together
    /// (the message from [`merge_tags`](crate::aws::ownership::merge_tags)).
    pub fn too_many_tags(message: impl Into<String>) -> Self {
        Self::stalled("TooManyTags", message)
    }

    /// How an AWS error about `what` reads in status: refusals need the user,
    /// the rest is retried.
    pub fn aws(what: &str, e: &AwsError) -> Self {
        let (reason, stalled) = match &e.kind {
            ErrorKind::InvalidRequest { .. } => ("AwsRejected", true),
            ErrorKind::AccessDenied { .. } => ("AccessDenied", true),
            ErrorKind::Throttled { .. } => ("AwsThrottled", false),
            ErrorKind::Conflict { .. } => ("AwsConflict", false),
            ErrorKind::Withheld { .. } => ("ObserveOnly", true),
            ErrorKind::NotServed { .. } => ("ApiNotServed", true),
            _ => ("AwsUnavailable", false),
        };
        Self {
            reason: reason.into(),
            message: format!("{what}: {}", e.summary()),
            stalled,
        }
    }
}

/// The provider's tags with the object's own, or why they do not fit AWS's
/// limit together.
pub fn merged_tags(provider: &Tags, own: &Tags) -> Result<Tags, Failure> {
    crate::aws::ownership::merge_tags(provider, own).map_err(Failure::too_many_tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: ErrorKind) -> AwsError {
        AwsError::new("MediaLive", "CreateChannel", kind)
    }

    #[test]
    fn refusals_stall_and_everything_else_is_retried() {
        let message = || "m".to_string();
        let cases = [
            (
                ErrorKind::InvalidRequest { message: message() },
                "AwsRejected",
                true,
            ),
            (
                ErrorKind::AccessDenied { message: message() },
                "AccessDenied",
                true,
            ),
            (
                ErrorKind::Throttled { message: message() },
                "AwsThrottled",
                false,
            ),
            (
                ErrorKind::Conflict { message: message() },
                "AwsConflict",
                false,
            ),
            (
                ErrorKind::Transient { message: message() },
                "AwsUnavailable",
                false,
            ),
            (
                ErrorKind::NotFound { message: message() },
                "AwsUnavailable",
                false,
            ),
            (
                ErrorKind::NotServed { message: message() },
                "ApiNotServed",
                true,
            ),
        ];
        for (kind, reason, stalled) in cases {
            let failure = Failure::aws("MediaLive channel", &error(kind.clone()));
            assert_eq!(
                (failure.reason.as_str(), failure.stalled),
                (reason, stalled),
                "{kind:?}"
            );
            assert!(failure
                .message
                .starts_with("MediaLive channel: MediaLive CreateChannel"));
        }
    }

    #[test]
    fn the_request_id_stays_out_of_the_condition() {
        let mut e = error(ErrorKind::Transient {
            message: "m".into(),
        });
        e.request_id = Some("7f3a-request".into());
        assert!(e.to_string().contains("7f3a-request"), "logs keep it");
        let failure = Failure::aws("MediaLive channel", &e);
        assert!(
            !failure.message.contains("7f3a-request"),
            "{}",
            failure.message
        );
    }
}
