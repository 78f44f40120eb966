//! CloudFront Functions: their XML, code in base64, the DEVELOPMENT and LIVE
//! stages, and the calls (UpdateFunction and PublishFunction among them).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;

use super::answer::bad_xml;
use super::answer::{body_of, if_match, xml, Answer, XmlError};
use super::xml::{doc, el, list, tags_of, txt, Node};
use super::Api;
use onair::aws::cloudfront::*;

pub(super) fn function_xml(f: &Function) -> String {
    let stores = if f.key_value_store_arns.is_empty() {
        String::new()
    } else {
        list(
            "KeyValueStoreAssociations",
            f.key_value_store_arns
                .iter()
                .map(|a| el("KeyValueStoreAssociation", txt("KeyValueStoreARN", a)))
                .collect(),
        )
    };
    doc(
        "FunctionSummary",
        format!(
            "{}{}{}{}",
            txt("Name", &f.name),
            txt("Status", &f.status),
            el(
                "FunctionConfig",
                format!(
                    "{}{}{stores}",
                    txt("Comment", &f.comment),
                    txt("Runtime", &f.runtime)
                ),
            ),
            el(
                "FunctionMetadata",
                format!(
                    "{}{}{}{}",
                    txt("FunctionARN", &f.arn),
                    txt("Stage", f.stage.as_aws()),
                    txt("CreatedTime", "2026-11-26T00:00:00Z"),
                    txt("LastModifiedTime", "2026-11-26T00:00:00Z")
                ),
            ),
        ),
    )
}

pub(super) fn spec_of(root: &Node) -> Result<FunctionSpec, XmlError> {
    let config = root.child("FunctionConfig");
    let code = base64::engine::general_purpose::STANDARD
        .decode(root.text("FunctionCode").trim())
        .map_err(|_| bad_xml("FunctionCode is not base64"))?;
    Ok(FunctionSpec {
        comment: config.map(|c| c.text("Comment")).unwrap_or_default(),
        code: String::from_utf8(code).map_err(|_| bad_xml("FunctionCode is not UTF-8"))?,
        key_value_store_arns: config
            .map(|c| {
                c.items("KeyValueStoreAssociations")
                    .iter()
                    .map(|a| a.text("KeyValueStoreARN"))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

pub(super) fn stage_of(q: &HashMap<String, String>) -> FunctionStage {
    q.get("Stage")
        .map(|s| FunctionStage::from_aws(s))
        .unwrap_or_default()
}

pub(super) async fn create_function(State(api): State<Api>, body: Bytes) -> Answer {
    let root = body_of(&body)?;
    let f = api
        .create_function(&root.text("Name"), spec_of(&root)?, tags_of(&root))
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::CREATED, Some(&f.etag), function_xml(&f)))
}

pub(super) async fn describe_function(
    State(api): State<Api>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let f = api
        .describe_function(&name, stage_of(&q))
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::OK, Some(&f.etag), function_xml(&f)))
}

pub(super) async fn get_function(
    State(api): State<Api>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let c = api
        .get_function_code(&name, stage_of(&q))
        .await
        .map_err(XmlError)?;
    let mut r = (
        StatusCode::OK,
        [("content-type", "application/octet-stream")],
        c.code,
    )
        .into_response();
    if let Ok(e) = HeaderValue::from_str(&c.etag) {
        r.headers_mut().insert("etag", e);
    }
    Ok(r)
}

pub(super) async fn update_function(
    State(api): State<Api>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let root = body_of(&body)?;
    let f = api
        .update_function(&name, spec_of(&root)?, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    let mut r = xml(StatusCode::OK, Some(&f.etag), function_xml(&f));
    // UpdateFunction's ETag travels in a header AWS spells `ETtag`.
    if let Ok(e) = HeaderValue::from_str(&f.etag) {
        r.headers_mut().insert(HeaderName::from_static("ettag"), e);
    }
    Ok(r)
}

pub(super) async fn publish_function(
    State(api): State<Api>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let f = api
        .publish_function(&name, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::OK, None, function_xml(&f)))
}

pub(super) async fn delete_function(
    State(api): State<Api>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    api.delete_function(&name, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
