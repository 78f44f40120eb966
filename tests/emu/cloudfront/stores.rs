//! Key value stores: the control plane (REST-XML, by name) and the data API
//! (REST-JSON, by the store's ARN) over [`CloudFrontKvsApi`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::answer::{body_of, if_match, xml, Answer, XmlError};
use super::xml::{doc, tags_of, txt};
use super::Api;
use crate::emu::RestJsonError;
use onair::aws::cloudfront::*;

pub(super) fn store_xml(s: &KeyValueStore) -> String {
    doc(
        "KeyValueStore",
        [
            txt("Name", &s.name),
            txt("Id", &s.id),
            txt("Comment", &s.comment),
            txt("ARN", &s.arn),
            txt("Status", &s.status),
            txt("LastModifiedTime", "2026-11-26T00:00:00Z"),
        ]
        .concat(),
    )
}

pub(super) async fn create_store(State(api): State<Api>, body: Bytes) -> Answer {
    let root = body_of(&body)?;
    let s = api
        .create_key_value_store(&root.text("Name"), &root.text("Comment"), tags_of(&root))
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::CREATED, Some(&s.etag), store_xml(&s)))
}

pub(super) async fn describe_store(State(api): State<Api>, Path(name): Path<String>) -> Answer {
    let s = api
        .describe_key_value_store(&name)
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::OK, Some(&s.etag), store_xml(&s)))
}

pub(super) async fn delete_store(
    State(api): State<Api>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    api.delete_key_value_store(&name, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) type Kvs = Arc<dyn CloudFrontKvsApi>;

pub fn kvs_router(api: Kvs) -> Router {
    Router::new()
        .route("/key-value-stores/{arn}", get(kvs_describe))
        .route(
            "/key-value-stores/{arn}/keys",
            get(kvs_list).post(kvs_update),
        )
        .with_state(api)
}

pub(super) fn with_etag(body: Value, etag: &str) -> Response {
    let mut r = Json(body).into_response();
    if let Ok(e) = HeaderValue::from_str(etag) {
        r.headers_mut().insert("etag", e);
    }
    r
}

pub(super) async fn kvs_describe(
    State(api): State<Kvs>,
    Path(arn): Path<String>,
) -> Result<Response, RestJsonError> {
    let d = api.describe_store(&arn).await.map_err(RestJsonError)?;
    Ok(with_etag(
        json!({
            "KvsARN": arn,
            "ItemCount": d.item_count,
            "TotalSizeInBytes": d.total_size_bytes,
            "Created": 1_764_115_200,
            "LastModified": 1_764_115_200,
            "Status": "READY",
        }),
        &d.etag,
    ))
}

pub(super) async fn kvs_list(
    State(api): State<Kvs>,
    Path(arn): Path<String>,
) -> Result<Response, RestJsonError> {
    let items = api.list_keys(&arn).await.map_err(RestJsonError)?;
    Ok(Json(json!({
        "Items": items.iter().map(|i| json!({ "Key": i.key, "Value": i.value })).collect::<Vec<_>>(),
    }))
    .into_response())
}

pub(super) async fn kvs_update(
    State(api): State<Kvs>,
    Path(arn): Path<String>,
    headers: HeaderMap,
    Json(b): Json<Value>,
) -> Result<Response, RestJsonError> {
    let puts = b["Puts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| KvsItem {
                    key: p["Key"].as_str().unwrap_or_default().to_owned(),
                    value: p["Value"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let deletes = b["Deletes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["Key"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let d = api
        .update_keys(&arn, &if_match(&headers), puts, deletes)
        .await
        .map_err(RestJsonError)?;
    Ok(with_etag(
        json!({ "ItemCount": d.item_count, "TotalSizeInBytes": d.total_size_bytes }),
        &d.etag,
    ))
}
