//! The HTTP face of the server: routing, query parameters, content types,
//! Table output and watch streams.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc, watch};

use super::error::ApiError;
use super::openapi;
use super::patch::PatchType;
use super::path::{self, Route, Target};
use super::protobuf;
use super::registry::ResourceType;
use super::selector::Selector;
use super::state::{present, Address, Change, ChangeType, FieldValidation, State, WriteOptions};
use super::table;

/// What every request handler shares.
pub struct Shared {
    pub state: Mutex<State>,
    pub bookmark_interval: Duration,
    pub shutdown: watch::Receiver<bool>,
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
        Route::Resource(target) => resource(shared, method, path, &target, query, headers, body),
    }
}

fn resource(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    target: &Target,
    query: &Query,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, ApiError> {
    // One lock for resolving the type and running the verb, so a concurrent
    // CRD change cannot slip between them.
    let mut state = shared.state();
    let t = state
        .registry
        .get(&target.group, &target.version, &target.plural)
        .cloned()
        .ok_or_else(|| ApiError::no_such_path(path))?;
    let namespace = target.namespace.as_deref();
    if target.namespace.is_some() && !t.namespaced {
        return Err(ApiError::no_such_path(path));
    }
    if t.namespaced && namespace.is_none() && target.name.is_some() {
        return Err(ApiError::no_such_path(path));
    }
    let subresource = target.subresource.as_deref();
    match subresource {
        None => {}
        Some("status") if t.status_subresource => {}
        Some("finalize") if t.is_namespace() => {}
        Some(_) => return Err(ApiError::no_such_path(path)),
    }
    let manager = field_manager(query, headers);
    let options = WriteOptions {
        manager: &manager,
        dry_run: query.contains_key("dryRun"),
        force: query.get("force").is_some_and(|f| f == "true"),
        field_validation: FieldValidation::from_query(
            query.get("fieldValidation").map(String::as_str),
        ),
        warnings: Default::default(),
    };
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let wants_table = table::wants_table(accept);
    let wants_metadata = table::wants_metadata(accept);
    let selector = Selector::parse(
        query.get("labelSelector").map(String::as_str),
        query.get("fieldSelector").map(String::as_str),
    )?;
    // Custom resources (without selectableFields) are selected by name and
    // namespace only, as in kube-apiserver.
    if t.schema.is_some() {
        if let Some(field) = selector.unsupported_field(&["metadata.name", "metadata.namespace"]) {
            return Err(ApiError::bad_request(format!(
                "field label not supported: {field}"
            )));
        }
    }

    let response = match (method.clone(), target.name.as_deref()) {
        (Method::GET, None) if is_true(query.get("watch")) => {
            let table = wants_table.then(|| query.get("includeObject").cloned());
            drop(state);
            watch_stream(
                shared,
                &t,
                namespace,
                selector,
                table,
                wants_metadata,
                query,
            )
        }
        (Method::GET, None) => {
            let limit = query.get("limit").and_then(|l| l.parse().ok());
            let page = state.list(
                &t,
                namespace,
                &selector,
                limit,
                query.get("continue").map(String::as_str),
            )?;
            let rv = page.resource_version.to_string();
            if wants_table {
                let include = query.get("includeObject").map(String::as_str);
                let now = jiff::Timestamp::now();
                let doc = table::table(
                    &t,
                    &page.items,
                    &rv,
                    page.continue_token.as_deref(),
                    include,
                    now,
                );
                return Ok(json_response(StatusCode::OK, doc));
            }
            let mut metadata = json!({"resourceVersion": rv});
            if let Some(token) = page.continue_token {
                metadata["continue"] = json!(token);
            }
            if let Some(remaining) = page.remaining {
                metadata["remainingItemCount"] = json!(remaining);
            }
            if wants_metadata {
                let items: Vec<Value> = page.items.iter().map(table::partial_metadata).collect();
                return Ok(json_response(
                    StatusCode::OK,
                    json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata, "items": items}),
                ));
            }
            Ok(json_response(
                StatusCode::OK,
                json!({"kind": format!("{}List", t.kind), "apiVersion": t.api_version(), "metadata": metadata, "items": page.items}),
            ))
        }
        (Method::GET, Some(name)) => {
            let object = state.get(&t, namespace, name)?;
            if wants_table {
                let rv = object
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let include = query.get("includeObject").map(String::as_str);
                let doc = table::table(&t, &[object], &rv, None, include, jiff::Timestamp::now());
                return Ok(json_response(StatusCode::OK, doc));
            }
            Ok(json_response(StatusCode::OK, object))
        }
        (Method::POST, None) => {
            let namespace = namespace_for_create(&t, namespace)?;
            let created = state.create(&t, namespace, parse_body(body)?, &options)?;
            Ok(json_response(StatusCode::CREATED, created))
        }
        (Method::PUT, Some(name)) => {
            let address = Address {
                namespace,
                name,
                subresource,
            };
            let updated = state.update(&t, &address, parse_body(body)?, &options)?;
            Ok(json_response(StatusCode::OK, updated))
        }
        (Method::PATCH, Some(name)) => {
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let kind = PatchType::from_content_type(content_type)
                .ok_or_else(|| ApiError::unsupported_media_type(content_type))?;
            if kind == PatchType::Apply && !query.contains_key("fieldManager") {
                return Err(ApiError::apply_needs_field_manager());
            }
            let address = Address {
                namespace,
                name,
                subresource,
            };
            let (object, created) = state.patch(&t, &address, kind, parse_body(body)?, &options)?;
            let code = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(json_response(code, object))
        }
        (Method::DELETE, Some(name)) => {
            let delete_options = if body.is_empty() {
                json!({})
            } else {
                parse_body(body)?
            };
            let deleted = state.delete(&t, namespace, name, &delete_options, &options)?;
            // A custom resource gone at once is answered with a Status, as
            // kube-apiserver does; one held by finalizers with the object.
            let gone = deleted.pointer("/metadata/deletionTimestamp").is_none();
            if t.schema.is_some() && gone {
                return Ok(json_response(
                    StatusCode::OK,
                    json!({
                        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                        "details": {"name": name, "group": t.group, "kind": t.plural, "uid": deleted["metadata"]["uid"]},
                    }),
                ));
            }
            Ok(json_response(StatusCode::OK, deleted))
        }
        (Method::DELETE, None) => {
            let names: Vec<(String, String)> = state
                .objects_of(&t, namespace)
                .filter(|(_, o)| selector.matches(o))
                .map(|(k, _)| (k.namespace.clone(), k.name.clone()))
                .collect();
            let mut items = Vec::new();
            for (ns, name) in names {
                let ns = (!ns.is_empty()).then_some(ns.as_str());
                items.push(state.delete(&t, ns, &name, &json!({}), &options)?);
            }
            Ok(json_response(
                StatusCode::OK,
                json!({"kind": format!("{}List", t.kind), "apiVersion": t.api_version(), "metadata": {"resourceVersion": state.resource_version().to_string()}, "items": items}),
            ))
        }
        _ => Err(ApiError::method_not_allowed(format!(
            "{method} is not supported on {path}"
        ))),
    };
    // Dropped unknown fields and the like, as kubectl prints them.
    response.map(|mut response| {
        for warning in options.warnings.take() {
            let value = format!("299 - {}", serde_json::Value::String(warning));
            if let Ok(value) = header::HeaderValue::from_str(&value) {
                response.headers_mut().append(header::WARNING, value);
            }
        }
        response
    })
}

fn namespace_for_create<'a>(
    t: &ResourceType,
    namespace: Option<&'a str>,
) -> Result<Option<&'a str>, ApiError> {
    if t.namespaced && namespace.is_none() {
        return Err(ApiError::bad_request(format!(
            "{} is namespaced: create it under /namespaces/<namespace>/",
            t.plural
        )));
    }
    Ok(namespace)
}

/// The field manager: `?fieldManager=`, else the client's name from its
/// User-Agent (`kubectl/v1.32 ...` -> `kubectl`), as kube-apiserver does.
fn field_manager(query: &Query, headers: &HeaderMap) -> String {
    if let Some(m) = query.get("fieldManager").filter(|m| !m.is_empty()) {
        return m.clone();
    }
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .and_then(|ua| ua.split('/').next())
        .filter(|m| !m.is_empty())
        .unwrap_or("unknown")
        .to_string()
}

fn is_true(value: Option<&String>) -> bool {
    value.is_some_and(|v| v == "true" || v == "1")
}

/// Bodies are JSON, YAML for server-side apply, or protobuf for the built-in
/// kinds kubectl's generators create.
fn parse_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.starts_with(b"k8s\0") {
        return protobuf::decode(body).map_err(ApiError::bad_request);
    }
    serde_json::from_slice(body)
        .or_else(|_| serde_yaml::from_slice(body))
        .map_err(|e| {
            ApiError::bad_request(format!("the request body is neither JSON nor YAML: {e}"))
        })
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

/// A watch: the events after `resourceVersion` (or the current objects as
/// ADDED when none is given), then live changes, bookmarks when asked for,
/// until `timeoutSeconds`, the client leaves or the server stops.
fn watch_stream(
    shared: &Arc<Shared>,
    t: &ResourceType,
    namespace: Option<&str>,
    selector: Selector,
    table: Option<Option<String>>,
    metadata_only: bool,
    query: &Query,
) -> Result<Response, ApiError> {
    let from = query
        .get("resourceVersion")
        .filter(|rv| !rv.is_empty() && *rv != "0");
    let from = from
        .map(|rv| {
            rv.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {rv:?}")))
        })
        .transpose()?;
    let bookmarks = is_true(query.get("allowWatchBookmarks"));
    let send_initial_end = is_true(query.get("sendInitialEvents"));
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let filter = WatchFilter {
        t: t.clone(),
        namespace: namespace.map(str::to_string),
        selector,
        table,
        metadata_only,
    };

    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let opening: Result<Opening, ApiError> = {
        let state = shared.state();
        match from {
            None => Ok(Opening {
                events: state
                    .objects_of(t, namespace)
                    .filter(|(_, o)| filter.selector.matches(o))
                    .map(|(_, o)| filter.event_for("ADDED", o))
                    .collect(),
                changes: state.subscribe(),
                resource_version: state.resource_version(),
            }),
            Some(rv) => state.changes_since(rv).map(|subscription| Opening {
                events: subscription
                    .backlog
                    .iter()
                    .filter_map(|c| filter.event(c))
                    .collect(),
                changes: subscription.receiver,
                resource_version: state.resource_version(),
            }),
        }
    };
    let shared = shared.clone();
    let kind = t.kind.clone();
    let api_version = t.api_version();
    tokio::spawn(async move {
        let send = |value: Value| {
            let tx = tx.clone();
            async move { tx.send(Bytes::from(format!("{value}\n"))).await.is_ok() }
        };
        let Opening {
            events: opening,
            mut changes,
            resource_version: start_rv,
        } = match opening {
            Ok(opening) => opening,
            Err(gone) => {
                send(json!({"type": "ERROR", "object": gone.to_status()})).await;
                return;
            }
        };
        for e in opening {
            if !send(e).await {
                return;
            }
        }
        let bookmark = |rv: u64, initial_end: bool| {
            let mut metadata = json!({"resourceVersion": rv.to_string()});
            if initial_end {
                metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            event(
                "BOOKMARK",
                json!({"kind": kind, "apiVersion": api_version, "metadata": metadata}),
            )
        };
        if send_initial_end && !send(bookmark(start_rv, true)).await {
            return;
        }
        let mut shutdown = shared.shutdown.clone();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ticker = tokio::time::interval(shared.bookmark_interval);
        ticker.tick().await;
        // The last change this watch has passed (or filtered out).
        let mut delivered = start_rv;
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
                received = changes.recv() => match received {
                    Ok(change) => {
                        delivered = change.resource_version;
                        if let Some(e) = filter.event(&change) {
                            if !send(e).await { return; }
                        }
                    }
                    // A slow watcher catches up from the change history, as
                    // the kube-apiserver's watch cache serves it; only one
                    // that fell out of the history must list again.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        shared.catch_ups.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let resumed = shared.state().changes_since(delivered);
                        let subscription = match resumed {
                            Ok(subscription) => subscription,
                            Err(gone) => {
                                send(json!({"type": "ERROR", "object": gone.to_status()})).await;
                                return;
                            }
                        };
                        changes = subscription.receiver;
                        for change in subscription.backlog {
                            delivered = change.resource_version;
                            if let Some(e) = filter.event(&change) {
                                if !send(e).await { return; }
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = ticker.tick(), if bookmarks => {
                    // Only when every change up to now has been delivered, so
                    // resuming from the bookmark cannot skip one.
                    let caught_up = {
                        let state = shared.state();
                        changes.is_empty().then(|| state.resource_version())
                    };
                    if let Some(rv) = caught_up {
                        if !send(bookmark(rv, false)).await { return; }
                    }
                }
            }
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|line| (Ok::<_, Infallible>(line), rx))
    });
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::TRANSFER_ENCODING, "chunked")
        .body(Body::from_stream(stream))
        .expect("static response parts are valid"))
}

/// What a watch starts with: the events to send first, then live changes.
struct Opening {
    events: Vec<Value>,
    changes: broadcast::Receiver<Arc<Change>>,
    resource_version: u64,
}

fn event(type_: &str, object: Value) -> Value {
    json!({"type": type_, "object": object})
}

/// Which changes a watch sees, and as what: an object that starts matching
/// the selector is ADDED, one that stops matching is DELETED.
struct WatchFilter {
    t: ResourceType,
    namespace: Option<String>,
    selector: Selector,
    /// Send Tables (kubectl get --watch), with this `includeObject`.
    table: Option<Option<String>>,
    /// Send PartialObjectMetadata (metadata-only watches).
    metadata_only: bool,
}

impl WatchFilter {
    fn event(&self, change: &Change) -> Option<Value> {
        let key = &change.key;
        if key.group != self.t.storage_group() || key.plural != self.t.plural {
            return None;
        }
        if self
            .namespace
            .as_ref()
            .is_some_and(|ns| ns != &key.namespace)
        {
            return None;
        }
        let now = self.selector.matches(&change.object);
        let before = change
            .old
            .as_ref()
            .is_some_and(|o| self.selector.matches(o));
        let type_ = match (change.type_, before, now) {
            (ChangeType::Deleted, true, _) | (ChangeType::Deleted, _, true) => "DELETED",
            (ChangeType::Added, _, true) => "ADDED",
            (ChangeType::Modified, true, true) => "MODIFIED",
            (ChangeType::Modified, false, true) => "ADDED",
            (ChangeType::Modified, true, false) => "DELETED",
            _ => return None,
        };
        Some(self.event_for(type_, &change.object))
    }

    fn event_for(&self, type_: &str, object: &Value) -> Value {
        let object = present(&self.t, object);
        match &self.table {
            None if self.metadata_only => event(type_, table::partial_metadata(&object)),
            None => event(type_, object),
            Some(include) => {
                let rv = object
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let now = jiff::Timestamp::now();
                event(
                    type_,
                    table::table(&self.t, &[object], &rv, None, include.as_deref(), now),
                )
            }
        }
    }
}
