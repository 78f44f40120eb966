//! The verbs on a resource path: get, list, create, update, patch, delete and
//! deletecollection, with their query parameters, request bodies and answers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::watch::watch_stream;
use super::{is_true, json_response, Query, Shared};
use crate::apiserver::error::ApiError;
use crate::apiserver::patch::PatchType;
use crate::apiserver::path::Target;
use crate::apiserver::protobuf;
use crate::apiserver::registry::ResourceType;
use crate::apiserver::selector::Selector;
use crate::apiserver::state::{Address, FieldValidation, WriteOptions};
use crate::apiserver::table;

pub(super) fn resource(
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
