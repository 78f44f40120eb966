//! CloudFront's refusals as the simulation answers them: AWS's error code
//! leads each message, so users and tests see which refusal it is.

use crate::aws::error::{AwsError, ErrorKind};

const SVC: &str = "CloudFront";

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new(SVC, op, kind)
}

/// AWS's error code leads the message, so users and tests see which refusal it is.
fn coded(
    op: &'static str,
    code: &str,
    message: impl AsRef<str>,
    kind: fn(String) -> ErrorKind,
) -> AwsError {
    err(op, kind(format!("{code}: {}", message.as_ref())))
}

pub(super) fn conflict(op: &'static str, code: &str, message: impl AsRef<str>) -> AwsError {
    coded(op, code, message, |message| ErrorKind::Conflict { message })
}

pub(super) fn invalid(op: &'static str, code: &str, message: impl AsRef<str>) -> AwsError {
    coded(op, code, message, |message| ErrorKind::InvalidRequest {
        message,
    })
}

pub(super) fn already_exists(op: &'static str, code: &str, message: impl AsRef<str>) -> AwsError {
    coded(op, code, message, |message| ErrorKind::AlreadyExists {
        message,
    })
}

pub(super) fn not_found(op: &'static str, code: &str, message: impl AsRef<str>) -> AwsError {
    coded(op, code, message, |message| ErrorKind::NotFound { message })
}

pub(super) fn stale(op: &'static str) -> AwsError {
    conflict(
        op,
        "PreconditionFailed",
        "The precondition given in one or more of the request-header fields evaluated to false.",
    )
}

pub(super) fn no_distribution(op: &'static str, id: &str) -> AwsError {
    not_found(
        op,
        "NoSuchDistribution",
        format!("The specified distribution '{id}' does not exist."),
    )
}

pub(super) fn no_store(op: &'static str, name: &str) -> AwsError {
    not_found(
        op,
        "EntityNotFound",
        format!("The key value store '{name}' does not exist"),
    )
}

pub(super) fn no_realtime(op: &'static str, name: &str) -> AwsError {
    not_found(
        op,
        "NoSuchRealtimeLogConfig",
        format!("The real-time log configuration '{name}' does not exist"),
    )
}
