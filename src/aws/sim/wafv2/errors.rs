//! WAF's refusals as the simulation answers them, each led by AWS's exception
//! name (limits, invalid parameters, missing or stale items, items in use).

use crate::aws::error::{AwsError, ErrorKind};

pub(super) const SVC: &str = "WAFV2";

pub(super) fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new(SVC, op, kind)
}

pub(super) fn limits_exceeded(op: &'static str, message: impl AsRef<str>) -> AwsError {
    err(
        op,
        ErrorKind::InvalidRequest {
            message: format!(
                "WAFLimitsExceededException: AWS WAF couldn't perform the operation because you exceeded your resource limit. {}",
                message.as_ref()
            ),
        },
    )
}

pub(super) fn invalid_parameter(
    op: &'static str,
    field: &str,
    message: impl AsRef<str>,
) -> AwsError {
    err(
        op,
        ErrorKind::InvalidRequest {
            message: format!(
                "WAFInvalidParameterException: Error reason: {}, field: {field}",
                message.as_ref()
            ),
        },
    )
}

pub(super) fn nonexistent(op: &'static str, what: &str) -> AwsError {
    err(
        op,
        ErrorKind::NotFound {
            message: format!(
                "WAFNonexistentItemException: AWS WAF couldn't perform the operation because your resource doesn't exist ({what})"
            ),
        },
    )
}

pub(super) fn stale(op: &'static str) -> AwsError {
    err(
        op,
        ErrorKind::Conflict {
            message: "WAFOptimisticLockException: AWS WAF couldn't save your changes because someone changed the resource after you started to edit it. Reapply your changes.".into(),
        },
    )
}

pub(super) fn associated(op: &'static str, message: String) -> AwsError {
    err(
        op,
        ErrorKind::Conflict {
            message: format!(
                "WAFAssociatedItemException: AWS WAF couldn't perform the operation because your resource is being used by another resource or it's associated with another resource. {message}"
            ),
        },
    )
}

pub(super) fn duplicate(op: &'static str, name: &str) -> AwsError {
    err(
        op,
        ErrorKind::AlreadyExists {
            message: format!(
                "WAFDuplicateItemException: AWS WAF couldn't perform the operation because some resource in your request is a duplicate of an existing one ({name})"
            ),
        },
    )
}
