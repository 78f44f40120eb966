//! HTTP emulation, in each service's own wire format, of what moto lacks, served from
//! any implementation of the service trait (the simulation). Test support
//! only: the contract tests run the real aws-sdk clients against it, so it is
//! compiled into test binaries and into no onair binary. The real aws-sdk clients then talk to the simulation itself, so the
//! emulation and the simulation are one behaviour.
// Each test binary uses only the emulators it needs.
#![allow(dead_code, unused_imports)]

pub mod cloudfront;
pub mod medialive;
pub mod mediapackage;
pub mod mediapackagev2;
pub mod mediapackagevod;
pub mod mediatailor;

use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use onair::aws::error::{AwsError, ErrorKind};

/// A running emulator; stops when dropped.
pub struct Server {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on a free loopback port.
pub async fn serve(router: axum::Router) -> std::io::Result<Server> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(Server { url, task })
}

/// What a web server without the route answers: a 404 that names no AWS
/// error (how onair tells an API an emulator lacks).
pub fn not_served() -> Response {
    (StatusCode::NOT_FOUND, "404 Not Found").into_response()
}

/// An [`AwsError`] as an AWS REST-JSON service answers it: status, error type header,
/// `message` body. The SDK reads them back through the same mapping as real answers.
pub struct RestJsonError(pub AwsError);

impl IntoResponse for RestJsonError {
    fn into_response(self) -> Response {
        if let ErrorKind::NotServed { .. } = self.0.kind {
            return not_served();
        }
        let (status, code, message) = match self.0.kind {
            ErrorKind::NotFound { message } => {
                (StatusCode::NOT_FOUND, "NotFoundException", message)
            }
            ErrorKind::Conflict { message } | ErrorKind::AlreadyExists { message } => {
                (StatusCode::CONFLICT, "ConflictException", message)
            }
            ErrorKind::Throttled { message } => (
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequestsException",
                message,
            ),
            ErrorKind::InvalidRequest { message } => {
                (StatusCode::BAD_REQUEST, "BadRequestException", message)
            }
            ErrorKind::AccessDenied { message } => {
                (StatusCode::FORBIDDEN, "ForbiddenException", message)
            }
            // Withheld calls never leave onair; a server never answers so.
            ErrorKind::Transient { message }
            | ErrorKind::Withheld { message }
            | ErrorKind::NotServed { message } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerErrorException",
                message,
            ),
        };
        (
            status,
            [(HeaderName::from_static("x-amzn-errortype"), code)],
            Json(json!({ "message": message })),
        )
            .into_response()
    }
}

/// A request body the emulator cannot read.
pub fn bad_request(message: impl Into<String>) -> RestJsonError {
    RestJsonError(AwsError::new(
        "emulator",
        "request",
        ErrorKind::InvalidRequest {
            message: message.into(),
        },
    ))
}

pub type Answer = Result<Json<Value>, RestJsonError>;

/// A JSON string field, empty when absent.
pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// An optional JSON string field.
pub fn opt(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// An optional JSON number of seconds.
pub fn secs(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok())
}

/// Strings of a JSON array field.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON object of strings as tags.
pub fn tags(v: &Value) -> onair::aws::ownership::Tags {
    v.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}
