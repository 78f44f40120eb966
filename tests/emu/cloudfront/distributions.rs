//! Distributions: their configuration in CloudFront's XML both ways (function
//! associations included, which moto drops), and the calls on them and their tags.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;

use super::answer::bad_xml;
use super::answer::{body_of, if_match, xml, Answer, XmlError};
use super::xml::{doc, el, list, tags_of, txt, Node};
use super::Api;
use onair::aws::cloudfront::*;
use onair::aws::ownership::Tags;

pub(super) fn behavior_xml(tag: &str, b: &CacheBehavior) -> String {
    let methods = |m: &[&str]| m.iter().map(|m| txt("Method", m)).collect::<Vec<_>>();
    let allowed = el(
        "AllowedMethods",
        format!(
            "{}{}{}",
            txt("Quantity", b.allowed_methods.methods().len()),
            el("Items", methods(b.allowed_methods.methods()).concat()),
            list("CachedMethods", methods(b.allowed_methods.cached()))
        ),
    );
    let functions = list(
        "FunctionAssociations",
        b.function_associations
            .iter()
            .map(|f| {
                el(
                    "FunctionAssociation",
                    format!(
                        "{}{}",
                        txt("FunctionARN", &f.function_arn),
                        txt("EventType", f.event.as_aws())
                    ),
                )
            })
            .collect(),
    );
    let mut inner = String::new();
    if tag == "CacheBehavior" {
        inner.push_str(&txt("PathPattern", &b.path_pattern));
    }
    inner.push_str(&txt("TargetOriginId", &b.target_origin_id));
    inner.push_str(&txt("ViewerProtocolPolicy", b.viewer_protocol.as_aws()));
    inner.push_str(&allowed);
    inner.push_str(&txt("Compress", b.compress));
    inner.push_str(&functions);
    if let Some(a) = &b.realtime_log_config_arn {
        inner.push_str(&txt("RealtimeLogConfigArn", a));
    }
    inner.push_str(&txt("CachePolicyId", &b.cache_policy_id));
    if let Some(p) = &b.origin_request_policy_id {
        inner.push_str(&txt("OriginRequestPolicyId", p));
    }
    if let Some(p) = &b.response_headers_policy_id {
        inner.push_str(&txt("ResponseHeadersPolicyId", p));
    }
    el(tag, inner)
}

pub(super) fn config_xml(c: &DistributionConfig) -> String {
    let origins = c
        .origins
        .iter()
        .map(|o| {
            let headers = list(
                "CustomHeaders",
                o.custom_headers
                    .iter()
                    .map(|h| {
                        el(
                            "OriginCustomHeader",
                            format!(
                                "{}{}",
                                txt("HeaderName", &h.name),
                                txt("HeaderValue", &h.value)
                            ),
                        )
                    })
                    .collect(),
            );
            el(
                "Origin",
                format!(
                    "{}{}{}{}{}",
                    txt("Id", &o.id),
                    txt("DomainName", &o.domain_name),
                    txt("OriginPath", &o.origin_path),
                    headers,
                    el(
                        "CustomOriginConfig",
                        format!(
                            "{}{}{}{}",
                            txt("HTTPPort", 80),
                            txt("HTTPSPort", 443),
                            txt("OriginProtocolPolicy", o.protocol.as_aws()),
                            list("OriginSslProtocols", vec![txt("SslProtocol", "TLSv1.2")])
                        )
                    )
                ),
            )
        })
        .collect();
    let certificate = match &c.acm_certificate_arn {
        Some(arn) => format!(
            "{}{}{}{}",
            txt("CloudFrontDefaultCertificate", false),
            txt("ACMCertificateArn", arn),
            txt("SSLSupportMethod", "sni-only"),
            txt("MinimumProtocolVersion", "TLSv1.2_2021")
        ),
        None => txt("CloudFrontDefaultCertificate", true),
    };
    [
        txt("CallerReference", &c.caller_reference),
        list(
            "Aliases",
            c.aliases.iter().map(|a| txt("CNAME", a)).collect(),
        ),
        list("Origins", origins),
        behavior_xml("DefaultCacheBehavior", &c.default_behavior),
        list(
            "CacheBehaviors",
            c.behaviors
                .iter()
                .map(|b| behavior_xml("CacheBehavior", b))
                .collect(),
        ),
        txt("Comment", &c.comment),
        txt("PriceClass", c.price_class.as_aws()),
        txt("Enabled", c.enabled),
        el("ViewerCertificate", certificate),
        txt("WebACLId", c.web_acl_id.as_deref().unwrap_or_default()),
        txt("HttpVersion", "http2and3"),
        txt("IsIPV6Enabled", true),
    ]
    .concat()
}

pub(super) fn distribution_xml(d: &Distribution) -> String {
    doc(
        "Distribution",
        format!(
            "{}{}{}{}{}{}{}",
            txt("Id", &d.id),
            txt("ARN", &d.arn),
            txt("Status", d.status.as_aws()),
            txt("LastModifiedTime", "2026-11-26T00:00:00Z"),
            txt("InProgressInvalidationBatches", 0),
            txt("DomainName", &d.domain_name),
            el("DistributionConfig", config_xml(&d.config)),
        ),
    )
}

pub(super) fn behavior_of(n: &Node) -> CacheBehavior {
    let mut function_associations: Vec<FunctionAssociation> = n
        .items("FunctionAssociations")
        .iter()
        .filter_map(|f| {
            Some(FunctionAssociation {
                event: FunctionEvent::from_aws(&f.text("EventType"))?,
                function_arn: f.text("FunctionARN"),
            })
        })
        .collect();
    function_associations.sort_by_key(|f| f.event);
    let methods: Vec<String> = n
        .child("AllowedMethods")
        .and_then(|m| m.child("Items"))
        .map(|i| i.children.iter().map(|m| m.text.clone()).collect())
        .unwrap_or_default();
    CacheBehavior {
        path_pattern: n.text("PathPattern"),
        target_origin_id: n.text("TargetOriginId"),
        viewer_protocol: ViewerProtocol::from_aws(&n.text("ViewerProtocolPolicy")),
        allowed_methods: AllowedMethods::from_methods(&methods),
        compress: n.flag("Compress"),
        cache_policy_id: n.text("CachePolicyId"),
        origin_request_policy_id: n.opt("OriginRequestPolicyId"),
        response_headers_policy_id: n.opt("ResponseHeadersPolicyId"),
        function_associations,
        realtime_log_config_arn: n.opt("RealtimeLogConfigArn"),
    }
}

pub(super) fn config_of(n: &Node) -> DistributionConfig {
    DistributionConfig {
        caller_reference: n.text("CallerReference"),
        comment: n.text("Comment"),
        enabled: n.flag("Enabled"),
        price_class: PriceClass::from_aws(&n.text("PriceClass")),
        aliases: n.items("Aliases").iter().map(|a| a.text.clone()).collect(),
        acm_certificate_arn: n
            .child("ViewerCertificate")
            .and_then(|v| v.opt("ACMCertificateArn")),
        origins: n
            .items("Origins")
            .iter()
            .map(|o| Origin {
                id: o.text("Id"),
                domain_name: o.text("DomainName"),
                origin_path: o.text("OriginPath"),
                protocol: OriginProtocol::from_aws(
                    &o.child("CustomOriginConfig")
                        .map(|c| c.text("OriginProtocolPolicy"))
                        .unwrap_or_default(),
                ),
                custom_headers: o
                    .items("CustomHeaders")
                    .iter()
                    .map(|h| OriginHeader {
                        name: h.text("HeaderName"),
                        value: h.text("HeaderValue"),
                    })
                    .collect(),
            })
            .collect(),
        default_behavior: n
            .child("DefaultCacheBehavior")
            .map(behavior_of)
            .unwrap_or_default(),
        behaviors: n
            .items("CacheBehaviors")
            .into_iter()
            .map(behavior_of)
            .collect(),
        web_acl_id: n.opt("WebACLId"),
    }
}

pub(super) async fn create_distribution(
    State(api): State<Api>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Answer {
    let root = body_of(&body)?;
    let (config, tags) = if q.contains_key("WithTags") {
        let config = root
            .child("DistributionConfig")
            .ok_or_else(|| bad_xml("DistributionConfig is required"))?;
        (config_of(config), tags_of(&root))
    } else {
        (config_of(&root), Tags::new())
    };
    let d = api
        .create_distribution(config, tags)
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::CREATED,
        Some(&d.etag),
        distribution_xml(&d),
    ))
}

pub(super) async fn get_distribution(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    let d = api.get_distribution(&id).await.map_err(XmlError)?;
    Ok(xml(StatusCode::OK, Some(&d.etag), distribution_xml(&d)))
}

pub(super) async fn update_distribution(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let config = config_of(&body_of(&body)?);
    let d = api
        .update_distribution(&id, config, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::OK, Some(&d.etag), distribution_xml(&d)))
}

pub(super) async fn delete_distribution(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    api.delete_distribution(&id, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn list_distributions(State(api): State<Api>) -> Answer {
    let all = api.list_distributions().await.map_err(XmlError)?;
    let items: Vec<String> = all
        .iter()
        .map(|d| {
            el(
                "DistributionSummary",
                [
                    txt("Id", &d.id),
                    txt("ARN", &d.arn),
                    txt("Status", d.status.as_aws()),
                    txt("LastModifiedTime", "2026-11-26T00:00:00Z"),
                    txt("DomainName", &d.domain_name),
                    txt("Comment", &d.comment),
                    txt("Enabled", d.enabled),
                ]
                .concat(),
            )
        })
        .collect();
    let body = doc(
        "DistributionList",
        format!(
            "{}{}{}{}{}",
            txt("Marker", ""),
            txt("MaxItems", 1000),
            txt("IsTruncated", false),
            txt("Quantity", items.len()),
            el("Items", items.concat())
        ),
    );
    Ok(xml(StatusCode::OK, None, body))
}

pub(super) async fn list_tags(
    State(api): State<Api>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let arn = q.get("Resource").cloned().unwrap_or_default();
    let tags = api.list_tags(&arn).await.map_err(XmlError)?;
    let items: String = tags
        .iter()
        .map(|(k, v)| el("Tag", format!("{}{}", txt("Key", k), txt("Value", v))))
        .collect();
    Ok(xml(StatusCode::OK, None, doc("Tags", el("Items", items))))
}
