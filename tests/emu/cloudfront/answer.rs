//! Answers and errors as CloudFront gives them: XML documents with their ETag,
//! error documents whose code leads the simulation's message, and request
//! bodies and If-Match headers read back.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::xml::{doc, el, parse_xml, txt, Node};
use onair::aws::error::{AwsError, ErrorKind};

/// An [`AwsError`] as CloudFront answers it: status and an XML error document whose
/// code is the simulation's (its messages start with AWS's error code).
pub struct XmlError(pub AwsError);

impl IntoResponse for XmlError {
    fn into_response(self) -> Response {
        if let ErrorKind::NotServed { .. } = self.0.kind {
            return super::super::not_served();
        }
        let (status, default, message) = match self.0.kind {
            ErrorKind::NotFound { message } => (StatusCode::NOT_FOUND, "NoSuchResource", message),
            ErrorKind::Conflict { message } => {
                (StatusCode::CONFLICT, "PreconditionFailed", message)
            }
            ErrorKind::AlreadyExists { message } => {
                (StatusCode::CONFLICT, "EntityAlreadyExists", message)
            }
            ErrorKind::Throttled { message } => (StatusCode::BAD_REQUEST, "Throttling", message),
            ErrorKind::InvalidRequest { message } => {
                (StatusCode::BAD_REQUEST, "InvalidArgument", message)
            }
            ErrorKind::AccessDenied { message } => (StatusCode::FORBIDDEN, "AccessDenied", message),
            // Withheld calls never leave onair; a server never answers so.
            ErrorKind::Transient { message }
            | ErrorKind::Withheld { message }
            | ErrorKind::NotServed { message } => {
                (StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
            }
        };
        let code = message
            .split_once(": ")
            .map(|(c, _)| c)
            .filter(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or(default)
            .to_owned();
        let status = if code == "PreconditionFailed" {
            StatusCode::PRECONDITION_FAILED
        } else {
            status
        };
        let body = doc(
            "ErrorResponse",
            format!(
                "{}{}",
                el(
                    "Error",
                    format!(
                        "{}{}{}",
                        txt("Type", "Sender"),
                        txt("Code", &code),
                        txt("Message", &message)
                    )
                ),
                txt("RequestId", "onair-emulator")
            ),
        );
        (status, [("content-type", "text/xml")], body).into_response()
    }
}

pub(super) fn bad_xml(message: impl Into<String>) -> XmlError {
    XmlError(AwsError::new(
        "emulator",
        "request",
        ErrorKind::InvalidRequest {
            message: format!("MalformedXML: {}", message.into()),
        },
    ))
}

pub(super) type Answer = Result<Response, XmlError>;

pub(super) fn xml(status: StatusCode, etag: Option<&str>, body: String) -> Response {
    let mut r = (status, [("content-type", "text/xml")], body).into_response();
    if let Some(e) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        r.headers_mut().insert("etag", e);
    }
    r
}

pub(super) fn body_of(bytes: &Bytes) -> Result<Node, XmlError> {
    let s = std::str::from_utf8(bytes).map_err(|_| bad_xml("the body is not UTF-8"))?;
    parse_xml(s).map_err(bad_xml)
}

pub(super) fn if_match(h: &HeaderMap) -> String {
    h.get("if-match")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
