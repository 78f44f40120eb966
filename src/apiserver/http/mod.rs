//! The HTTP face of the server: routing, query parameters, content types,
//! Table output and watch streams.
//!
//! This module routes; the resource verbs and the watch streams have their own.

mod resource;
mod watch;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::error::ApiError;
use super::openapi;
use super::path::{self, Route};
use super::state::State;

/// What every request handler shares.
pub struct Shared {
    pub state: Mutex<State>,
    pub bookmark_interval: Duration,
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// Watches that fell behind and caught up from the history.
    pub catch_ups: std::sync::atomic::AtomicU64,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves the store as it was before the
        // verb (verbs build the new object before touching it), so go on.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

type Query = HashMap<String, String>;

pub async fn handle(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query: Query = uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    match route(&shared, &method, uri.path(), &query, &headers, &body) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn route(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &Query,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let route = path::parse(path).ok_or_else(|| ApiError::no_such_path(path))?;
    if !matches!(route, Route::Resource(_)) && method != Method::GET {
        return Err(ApiError::method_not_allowed(format!(
            "{method} is not supported on {path}"
        )));
    }
    let state = || shared.state();
    match route {
        Route::Version => Ok(json_response(StatusCode::OK, version())),
        Route::Health => Ok((StatusCode::OK, "ok").into_response()),
        Route::OpenApi => {
            let registry = &state().registry;
            let document = match path.trim_end_matches('/') {
                "/openapi/v3" => Some(openapi::root(registry)),
                other => other
                    .strip_prefix("/openapi/v3/")
                    .and_then(|gv| openapi::group_version(registry, gv)),
            };
            // No OpenAPI v2: kubectl falls back to its built-in types for it.
            document
                .map(|d| json_response(StatusCode::OK, d))
                .ok_or_else(|| ApiError::no_such_path(path))
        }
        Route::CoreVersions => Ok(json_response(
            StatusCode::OK,
            json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}),
        )),
        Route::Groups => Ok(json_response(StatusCode::OK, state().registry.group_list())),
        Route::Group(group) => {
            let document = state()
                .registry
                .group(&group)
                .ok_or_else(|| ApiError::no_such_path(path))?;
            Ok(json_response(StatusCode::OK, document))
        }
        Route::Resources { group, version } => Ok(json_response(
            StatusCode::OK,
            state().registry.resource_list(&group, &version)?,
        )),
        Route::Resource(target) => {
            resource::resource(shared, method, path, &target, query, headers, body)
        }
    }
}

fn is_true(value: Option<&String>) -> bool {
    value.is_some_and(|v| v == "true" || v == "1")
}

fn json_response(code: StatusCode, value: Value) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.0-onair",
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "n/a",
        "compiler": "onair",
        "platform": "linux/amd64",
    })
}
