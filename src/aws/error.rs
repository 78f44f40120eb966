//! One error type for every AWS call, whichever service or implementation answered.
//!
//! Reconcilers decide what to do from the [`ErrorKind`] alone (wait, re-read, report to
//! the user), so the SDK's per-operation error enums are folded into it here, by one
//! generic function over the error code and HTTP status, not once per service.

use std::fmt;

#[cfg(feature = "aws-sdk")]
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
#[cfg(feature = "aws-sdk")]
use aws_smithy_runtime_api::client::result::SdkError;
#[cfg(feature = "aws-sdk")]
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// A failed AWS call: which service and operation, and what kind of failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{service} {operation}: {kind}{}", request_id.as_deref().map(|id| format!(" (AWS request id {id})")).unwrap_or_default())]
pub struct AwsError {
    /// Service name as AWS writes it, such as `MediaLive`.
    pub service: &'static str,
    /// Operation name, such as `CreateChannel`.
    pub operation: &'static str,
    /// What went wrong, which decides what the caller does next.
    pub kind: ErrorKind,
    /// AWS's id of the failed request, for logs and AWS Support.
    pub request_id: Option<String>,
}

/// What went wrong, in the terms a reconciler acts on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    /// The resource does not exist (or no longer does).
    NotFound { message: String },
    /// The resource is in a state that refuses this call (a MediaLive channel not
    /// IDLE, a stale CloudFront ETag, something still in use): re-read and try later.
    Conflict { message: String },
    /// A resource with this caller-chosen id or idempotency token already exists.
    AlreadyExists { message: String },
    /// AWS asked us to slow down. Retried inside the layer; reaches callers only when
    /// the retry budget is spent.
    Throttled { message: String },
    /// AWS refused the request as written; retrying the same request will not help.
    /// The message is AWS's own, kept so users can fix their spec.
    InvalidRequest { message: String },
    /// The credentials are missing, expired or lack a permission.
    AccessDenied { message: String },
    /// A server error, a timeout or a connection failure. Retried inside the layer.
    Transient { message: String },
    /// Never sent: onair only reads for this object (observe-only), and the
    /// call would have changed something.
    Withheld { message: String },
    /// The endpoint does not serve this API at all (HTTP 404 with no AWS error
    /// in the answer): an emulator that lacks it, or an `endpointUrl` that
    /// points somewhere else. Retrying the same endpoint will not help.
    NotServed { message: String },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound { message } => write!(f, "not found ({message})"),
            Self::Conflict { message } => write!(
                f,
                "refused in the resource's current state, will retry later ({message})"
            ),
            Self::AlreadyExists { message } => write!(f, "already exists ({message})"),
            Self::Throttled { message } => {
                write!(f, "AWS is throttling requests, will retry ({message})")
            }
            Self::InvalidRequest { message } => write!(f, "AWS rejected the request: {message}"),
            Self::AccessDenied { message } => write!(
                f,
                "access denied; check the IAM permissions of the role onair uses ({message})"
            ),
            Self::Transient { message } => {
                write!(f, "temporary failure, will retry ({message})")
            }
            Self::Withheld { message } => write!(f, "not sent ({message})"),
            Self::NotServed { message } => write!(
                f,
                "the endpoint does not serve this API ({message}); an emulator that lacks it, or an endpointUrl that points elsewhere"
            ),
        }
    }
}

impl ErrorKind {
    /// A short name for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Conflict { .. } => "conflict",
            Self::AlreadyExists { .. } => "already_exists",
            Self::Throttled { .. } => "throttled",
            Self::InvalidRequest { .. } => "invalid_request",
            Self::AccessDenied { .. } => "access_denied",
            Self::Transient { .. } => "transient",
            Self::Withheld { .. } => "withheld",
            Self::NotServed { .. } => "not_served",
        }
    }
}

impl AwsError {
    pub fn new(service: &'static str, operation: &'static str, kind: ErrorKind) -> Self {
        Self {
            service,
            operation,
            kind,
            request_id: None,
        }
    }

    /// Whether the guard retries it by itself (throttling and transient failures).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Throttled { .. } | ErrorKind::Transient { .. }
        )
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, ErrorKind::NotFound { .. })
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self.kind, ErrorKind::Conflict { .. })
    }

    pub fn is_throttled(&self) -> bool {
        matches!(self.kind, ErrorKind::Throttled { .. })
    }

    pub fn is_already_exists(&self) -> bool {
        matches!(self.kind, ErrorKind::AlreadyExists { .. })
    }

    /// Service, operation and what went wrong, without the request id: what a
    /// condition says. The id differs at every attempt, so a status holding it
    /// would change (and be written, and trigger watchers) at every retry;
    /// logs keep it for AWS Support.
    pub fn summary(&self) -> String {
        format!("{} {}: {}", self.service, self.operation, self.kind)
    }
}

/// Folds any aws-sdk error into an [`AwsError`]: one function for every service.
#[cfg(feature = "aws-sdk")]
pub fn from_sdk<E>(
    service: &'static str,
    operation: &'static str,
    err: SdkError<E, HttpResponse>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let kind = match &err {
        SdkError::TimeoutError(_) => ErrorKind::Transient {
            message: "the request timed out".into(),
        },
        SdkError::DispatchFailure(_) => ErrorKind::Transient {
            message: format!("could not reach AWS: {}", error_chain(&err)),
        },
        SdkError::ConstructionFailure(_) => ErrorKind::InvalidRequest {
            message: format!("could not build the request: {}", error_chain(&err)),
        },
        SdkError::ResponseError(r) if is_not_served(r.raw().status().as_u16(), None, r.raw()) => {
            ErrorKind::NotServed {
                message: "HTTP 404 with no AWS error".into(),
            }
        }
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            let message = format!("unreadable answer (HTTP {status}): {}", error_chain(&err));
            classify(None, status, message)
        }
        SdkError::ServiceError(s)
            if is_not_served(s.raw().status().as_u16(), err.code(), s.raw()) =>
        {
            ErrorKind::NotServed {
                message: "HTTP 404 with no AWS error".into(),
            }
        }
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = err.code();
            let message = err
                .message()
                .map(str::to_owned)
                .or_else(|| code.map(str::to_owned))
                .unwrap_or_else(|| format!("HTTP {status}"));
            classify(code, status, message)
        }
        // SdkError is non-exhaustive.
        _ => ErrorKind::Transient {
            message: error_chain(&err),
        },
    };
    let request_id = err.raw_response().and_then(|raw| {
        ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
            .into_iter()
            .find_map(|h| raw.headers().get(h))
            .map(str::to_string)
    });
    AwsError {
        request_id,
        ..AwsError::new(service, operation, kind)
    }
}

/// A 404 that names no AWS error but has a body (a web server's "Not
/// Found" page): no AWS service answers a missing resource that way, while an
/// emulator without the API, or a URL that is not an AWS endpoint, does. A
/// 404 without a body is a HEAD request's answer (S3): the resource is absent.
#[cfg(feature = "aws-sdk")]
fn is_not_served(status: u16, code: Option<&str>, raw: &HttpResponse) -> bool {
    status == 404
        && code.is_none()
        && raw.body().bytes().is_some_and(|body| !body.is_empty())
        && !raw.headers().contains_key("x-amzn-errortype")
}

/// For creates that answer ResourceInUseException for a taken name (Kinesis,
/// Firehose): the name exists, which is AlreadyExists, not a state conflict.
pub fn in_use_means_exists(e: AwsError) -> AwsError {
    match e.kind {
        ErrorKind::Conflict { message } => AwsError {
            kind: ErrorKind::AlreadyExists { message },
            ..e
        },
        _ => e,
    }
}

/// [`from_sdk`] for `map_err`: `.map_err(sdk_err("MediaLive", "CreateChannel"))`.
#[cfg(feature = "aws-sdk")]
pub fn sdk_err<E>(
    service: &'static str,
    operation: &'static str,
) -> impl FnOnce(SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |err| from_sdk(service, operation, err)
}

/// An answer AWS should always fill but did not (an emulator's gap, or a model
/// change): a transient failure, not a panic.
pub fn missing(service: &'static str, operation: &'static str, field: &str) -> AwsError {
    AwsError::new(
        service,
        operation,
        ErrorKind::Transient {
            message: format!("the answer has no {field}"),
        },
    )
}

/// Error code and HTTP status to kind. Codes first, since AWS services disagree on
/// statuses (MediaLive answers 422 for invalid settings, S3 403 for missing objects in
/// buckets one cannot list); the status only decides for codes not known here.
pub fn classify(code: Option<&str>, status: u16, message: String) -> ErrorKind {
    let c = code.unwrap_or("");
    if is_throttling_code(c) || status == 429 {
        return ErrorKind::Throttled { message };
    }
    if c.contains("AlreadyExists")
        || matches!(
            c,
            "ResourceExistsException" | "WAFDuplicateItemException" | "BucketAlreadyOwnedByYou"
        )
    {
        return ErrorKind::AlreadyExists { message };
    }
    if c.ends_with("NotFoundException")
        || c.ends_with("NotFound")
        || c.starts_with("NoSuch")
        || matches!(c, "WAFNonexistentItemException" | "EntityNotFound")
    {
        return ErrorKind::NotFound { message };
    }
    if matches!(
        c,
        "ConflictException"
            | "PreconditionFailed"
            | "WAFOptimisticLockException"
            | "WAFAssociatedItemException"
            | "ResourceInUseException"
            | "InvalidRequestException" // Secrets Manager: secret scheduled for deletion
            | "InvalidIfMatchVersion" // CloudFront: an ETag not of this resource: re-read
    ) || c.ends_with("InUse")
        || c.ends_with("NotDisabled")
        || status == 409
        || status == 412
    {
        return ErrorKind::Conflict { message };
    }
    if matches!(
        c,
        "AccessDenied"
            | "AccessDeniedException"
            | "ForbiddenException"
            | "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "SignatureDoesNotMatch"
    ) || status == 401
        || status == 403
    {
        return ErrorKind::AccessDenied { message };
    }
    if status >= 500
        || matches!(
            c,
            "InternalFailure"
                | "InternalError"
                | "InternalServiceError"
                | "ServiceUnavailable"
                | "ServiceUnavailableException"
                | "WAFInternalErrorException"
                | "WAFUnavailableEntityException" // WAF: "retry your request"
                | "RequestTimeout"
                | "RequestTimeoutException"
        )
    {
        return ErrorKind::Transient { message };
    }
    if status == 404 && code.is_none() {
        // HEAD requests (S3) have no body, so no code: the status is all there is.
        return ErrorKind::NotFound { message };
    }
    ErrorKind::InvalidRequest { message }
}

fn is_throttling_code(c: &str) -> bool {
    matches!(
        c,
        "TooManyRequestsException"
            | "ThrottlingException"
            | "Throttling"
            | "ThrottledException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "SlowDown"
            | "ProvisionedThroughputExceededException"
            | "TooManyRequests"
            | "PriorRequestNotComplete"
    )
}

/// The error and its sources on one line: the SDK's top-level messages ("dispatch
/// failure") say little without their causes.
#[cfg(feature = "aws-sdk")]
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(code: Option<&str>, status: u16) -> ErrorKind {
        classify(code, status, "m".into())
    }

    #[test]
    fn codes_of_every_service_fold_into_kinds() {
        let m = || "m".to_string();
        for code in [
            "NotFoundException",
            "ResourceNotFoundException",
            "NoSuchDistribution",
            "NoSuchFunctionExists",
            "NoSuchBucket",
            "WAFNonexistentItemException",
            "NoSuchRealtimeLogConfig",
            "EntityNotFound",
        ] {
            assert_eq!(
                kind(Some(code), 404),
                ErrorKind::NotFound { message: m() },
                "{code}"
            );
        }
        for code in [
            "ConflictException",
            "PreconditionFailed",
            "FunctionInUse",
            "DistributionNotDisabled",
            "WAFOptimisticLockException",
            "InvalidIfMatchVersion",
            "RealtimeLogConfigInUse",
            "CannotDeleteEntityWhileInUse",
            "ConflictException",
        ] {
            assert_eq!(
                kind(Some(code), 400),
                ErrorKind::Conflict { message: m() },
                "{code}"
            );
        }
        for code in [
            "TooManyRequestsException",
            "ThrottlingException",
            "Throttling",
        ] {
            assert_eq!(
                kind(Some(code), 400),
                ErrorKind::Throttled { message: m() },
                "{code}"
            );
        }
        for code in [
            "DistributionAlreadyExists",
            "FunctionAlreadyExists",
            "EntityAlreadyExists",
            "RealtimeLogConfigAlreadyExists",
        ] {
            assert_eq!(
                kind(Some(code), 409),
                ErrorKind::AlreadyExists { message: m() },
                "{code}"
            );
        }
        for code in [
            "WAFLimitsExceededException",
            "WAFInvalidParameterException",
            "TooManyCacheBehaviors",
            "IllegalUpdate",
            "ValidationException",
        ] {
            assert_eq!(
                kind(Some(code), 400),
                ErrorKind::InvalidRequest { message: m() },
                "{code}"
            );
        }
        assert_eq!(
            kind(Some("WAFUnavailableEntityException"), 400),
            ErrorKind::Transient { message: m() }
        );
        assert_eq!(
            kind(Some("InternalServerErrorException"), 500),
            ErrorKind::Transient { message: m() }
        );
        assert_eq!(kind(None, 503), ErrorKind::Transient { message: m() });
        assert_eq!(kind(None, 429), ErrorKind::Throttled { message: m() });
        assert_eq!(kind(None, 404), ErrorKind::NotFound { message: m() });
        assert_eq!(
            kind(Some("UnprocessableEntityException"), 422),
            ErrorKind::InvalidRequest { message: m() }
        );
        assert_eq!(
            kind(Some("ForbiddenException"), 403),
            ErrorKind::AccessDenied { message: m() }
        );
    }

    #[test]
    fn the_message_names_service_operation_and_aws_words() {
        let e = AwsError::new(
            "MediaLive",
            "CreateChannel",
            ErrorKind::InvalidRequest {
                message: "Bitrate too high".into(),
            },
        );
        assert_eq!(
            e.to_string(),
            "MediaLive CreateChannel: AWS rejected the request: Bitrate too high"
        );
        assert!(!e.is_retryable());
    }
}
