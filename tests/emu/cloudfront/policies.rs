//! The cache, origin request and response headers policy lists, managed or
//! custom, in one XML shape.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;

use super::answer::{xml, Answer, XmlError};
use super::xml::{doc, el, txt};
use super::Api;
use onair::aws::cloudfront::*;

pub(super) fn owner_of(q: &HashMap<String, String>) -> PolicyOwner {
    if q.get("Type").map(String::as_str) == Some("custom") {
        PolicyOwner::Custom
    } else {
        PolicyOwner::Managed
    }
}

/// One policy list: `kind` is `CachePolicy`, `OriginRequestPolicy` or
/// `ResponseHeadersPolicy`.
pub(super) fn policies_xml(kind: &str, owner: PolicyOwner, policies: &[Policy]) -> String {
    let items: String = policies
        .iter()
        .map(|p| {
            el(
                &format!("{kind}Summary"),
                format!(
                    "{}{}",
                    txt("Type", owner.as_aws()),
                    el(
                        kind,
                        format!(
                            "{}{}{}",
                            txt("Id", &p.id),
                            txt("LastModifiedTime", "2026-11-26T00:00:00Z"),
                            el(
                                &format!("{kind}Config"),
                                format!("{}{}", txt("Comment", &p.comment), txt("Name", &p.name)),
                            )
                        ),
                    )
                ),
            )
        })
        .collect();
    doc(
        &format!("{kind}List"),
        format!(
            "{}{}{}",
            txt("MaxItems", 100),
            txt("Quantity", policies.len()),
            el("Items", items)
        ),
    )
}

pub(super) async fn list_cache_policies(
    State(api): State<Api>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let owner = owner_of(&q);
    let p = api.list_cache_policies(owner).await.map_err(XmlError)?;
    Ok(xml(
        StatusCode::OK,
        None,
        policies_xml("CachePolicy", owner, &p),
    ))
}

pub(super) async fn list_origin_request_policies(
    State(api): State<Api>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let owner = owner_of(&q);
    let p = api
        .list_origin_request_policies(owner)
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::OK,
        None,
        policies_xml("OriginRequestPolicy", owner, &p),
    ))
}

pub(super) async fn list_response_headers_policies(
    State(api): State<Api>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let owner = owner_of(&q);
    let p = api
        .list_response_headers_policies(owner)
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::OK,
        None,
        policies_xml("ResponseHeadersPolicy", owner, &p),
    ))
}
