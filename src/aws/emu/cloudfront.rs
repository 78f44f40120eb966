//! CloudFront's REST-XML API (version 2020-05-31) over any [`CloudFrontApi`]: what moto
//! lacks (UpdateFunction, PublishFunction, real-time log configs, cache / origin
//! request / response headers policies) and, for full-fidelity contract tests of the
//! distribution configuration (moto drops function associations), distributions too.
//! Also the CloudFront KeyValueStore data API (REST-JSON) over [`CloudFrontKvsApi`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};

use super::RestJsonError;
use crate::aws::cloudfront::*;
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::ownership::Tags;

type Api = Arc<dyn CloudFrontApi>;

const NS: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

pub fn router(api: Api) -> Router {
    Router::new()
        .route(
            "/2020-05-31/distribution",
            post(create_distribution).get(list_distributions),
        )
        .route(
            "/2020-05-31/distribution/{id}",
            get(get_distribution).delete(delete_distribution),
        )
        .route(
            "/2020-05-31/distribution/{id}/config",
            put(update_distribution),
        )
        .route("/2020-05-31/tagging", get(list_tags))
        .route("/2020-05-31/function", post(create_function))
        .route(
            "/2020-05-31/function/{name}",
            get(get_function)
                .put(update_function)
                .delete(delete_function),
        )
        .route(
            "/2020-05-31/function/{name}/describe",
            get(describe_function),
        )
        .route(
            "/2020-05-31/function/{name}/publish",
            post(publish_function),
        )
        .route("/2020-05-31/key-value-store", post(create_store))
        .route(
            "/2020-05-31/key-value-store/{name}",
            get(describe_store).delete(delete_store),
        )
        .route(
            "/2020-05-31/realtime-log-config",
            post(create_realtime).put(update_realtime),
        )
        .route("/2020-05-31/get-realtime-log-config", post(get_realtime))
        .route(
            "/2020-05-31/delete-realtime-log-config",
            post(delete_realtime),
        )
        .route("/2020-05-31/cache-policy", get(list_cache_policies))
        .route(
            "/2020-05-31/origin-request-policy",
            get(list_origin_request_policies),
        )
        .route(
            "/2020-05-31/response-headers-policy",
            get(list_response_headers_policies),
        )
        .with_state(api)
}

// --------------------------------------------------------------------------------
// A minimal XML reader and writer: the SDK writes plain elements (no CDATA, no
// comments, attributes only for namespaces), which is all this needs.

#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn text(&self, name: &str) -> String {
        self.child(name).map(|c| c.text.clone()).unwrap_or_default()
    }

    fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|s| !s.is_empty())
    }

    fn flag(&self, name: &str) -> bool {
        self.text(name) == "true"
    }

    /// `<list><Items><X/>...</Items></list>` (CloudFront's Quantity/Items lists).
    fn items(&self, list: &str) -> Vec<&Node> {
        self.child(list)
            .and_then(|l| l.child("Items"))
            .map(|i| i.children.iter().collect())
            .unwrap_or_default()
    }
}

fn parse_xml(input: &str) -> Result<Node, String> {
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut rest = input;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').ok_or("unterminated tag")?;
            let tag = &after[..end];
            rest = &after[end + 1..];
            if tag.starts_with('?') || tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let node = stack.pop().ok_or("unbalanced tags")?;
                if node.name != name.trim() {
                    return Err(format!("</{name}> closes <{}>", node.name));
                }
                stack
                    .last_mut()
                    .ok_or("unbalanced tags")?
                    .children
                    .push(node);
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag.split_whitespace().next().unwrap_or_default().to_owned();
            let node = Node {
                name,
                ..Default::default()
            };
            if self_closing {
                stack
                    .last_mut()
                    .ok_or("unbalanced tags")?
                    .children
                    .push(node);
            } else {
                stack.push(node);
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..end]);
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&text);
            }
            rest = &rest[end..];
        }
    }
    let mut root = stack.pop().ok_or("empty document")?;
    if !stack.is_empty() {
        return Err("unclosed elements".into());
    }
    root.children.pop().ok_or_else(|| "no root element".into())
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let entity = &rest[i + 1..i + end];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[i..=i + end]),
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn el(name: &str, inner: impl AsRef<str>) -> String {
    format!("<{name}>{}</{name}>", inner.as_ref())
}

fn txt(name: &str, value: impl std::fmt::Display) -> String {
    el(name, esc(&value.to_string()))
}

/// `<list><Quantity>n</Quantity><Items>...</Items></list>`.
fn list(name: &str, items: Vec<String>) -> String {
    el(
        name,
        format!(
            "{}{}",
            txt("Quantity", items.len()),
            el("Items", items.concat())
        ),
    )
}

fn doc(root: &str, inner: impl AsRef<str>) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><{root} xmlns=\"{NS}\">{}</{root}>",
        inner.as_ref()
    )
}

// --------------------------------------------------------------------------------
// Answers and errors

/// An [`AwsError`] as CloudFront answers it: status and an XML error document whose
/// code is the simulation's (its messages start with AWS's error code).
pub struct XmlError(pub AwsError);

impl IntoResponse for XmlError {
    fn into_response(self) -> Response {
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
            ErrorKind::Transient { message } => {
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

fn bad_xml(message: impl Into<String>) -> XmlError {
    XmlError(AwsError::new(
        "emulator",
        "request",
        ErrorKind::InvalidRequest {
            message: format!("MalformedXML: {}", message.into()),
        },
    ))
}

type Answer = Result<Response, XmlError>;

fn xml(status: StatusCode, etag: Option<&str>, body: String) -> Response {
    let mut r = (status, [("content-type", "text/xml")], body).into_response();
    if let Some(e) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        r.headers_mut().insert("etag", e);
    }
    r
}

fn body_of(bytes: &Bytes) -> Result<Node, XmlError> {
    let s = std::str::from_utf8(bytes).map_err(|_| bad_xml("the body is not UTF-8"))?;
    parse_xml(s).map_err(bad_xml)
}

fn if_match(h: &HeaderMap) -> String {
    h.get("if-match")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

// --------------------------------------------------------------------------------
// Distributions

fn behavior_xml(tag: &str, b: &CacheBehavior) -> String {
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

fn config_xml(c: &DistributionConfig) -> String {
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

fn distribution_xml(d: &Distribution) -> String {
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

fn behavior_of(n: &Node) -> CacheBehavior {
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

/// `<Tags><Items><Tag><Key/><Value/></Tag>...</Items></Tags>` under `n`.
fn tags_of(n: &Node) -> Tags {
    n.items("Tags")
        .iter()
        .map(|t| (t.text("Key"), t.text("Value")))
        .collect()
}

fn config_of(n: &Node) -> DistributionConfig {
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

async fn create_distribution(
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

async fn get_distribution(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    let d = api.get_distribution(&id).await.map_err(XmlError)?;
    Ok(xml(StatusCode::OK, Some(&d.etag), distribution_xml(&d)))
}

async fn update_distribution(
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

async fn delete_distribution(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    api.delete_distribution(&id, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_distributions(State(api): State<Api>) -> Answer {
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

async fn list_tags(State(api): State<Api>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let arn = q.get("Resource").cloned().unwrap_or_default();
    let tags = api.list_tags(&arn).await.map_err(XmlError)?;
    let items: String = tags
        .iter()
        .map(|(k, v)| el("Tag", format!("{}{}", txt("Key", k), txt("Value", v))))
        .collect();
    Ok(xml(StatusCode::OK, None, doc("Tags", el("Items", items))))
}

// --------------------------------------------------------------------------------
// Functions

fn function_xml(f: &Function) -> String {
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

fn spec_of(root: &Node) -> Result<FunctionSpec, XmlError> {
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

fn stage_of(q: &HashMap<String, String>) -> FunctionStage {
    q.get("Stage")
        .map(|s| FunctionStage::from_aws(s))
        .unwrap_or_default()
}

async fn create_function(State(api): State<Api>, body: Bytes) -> Answer {
    let root = body_of(&body)?;
    let f = api
        .create_function(&root.text("Name"), spec_of(&root)?, tags_of(&root))
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::CREATED, Some(&f.etag), function_xml(&f)))
}

async fn describe_function(
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

async fn get_function(
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

async fn update_function(
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

async fn publish_function(
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

async fn delete_function(
    State(api): State<Api>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    api.delete_function(&name, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// --------------------------------------------------------------------------------
// Key value stores (control plane)

fn store_xml(s: &KeyValueStore) -> String {
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

async fn create_store(State(api): State<Api>, body: Bytes) -> Answer {
    let root = body_of(&body)?;
    let s = api
        .create_key_value_store(&root.text("Name"), &root.text("Comment"), tags_of(&root))
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::CREATED, Some(&s.etag), store_xml(&s)))
}

async fn describe_store(State(api): State<Api>, Path(name): Path<String>) -> Answer {
    let s = api
        .describe_key_value_store(&name)
        .await
        .map_err(XmlError)?;
    Ok(xml(StatusCode::OK, Some(&s.etag), store_xml(&s)))
}

async fn delete_store(
    State(api): State<Api>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Answer {
    api.delete_key_value_store(&name, &if_match(&headers))
        .await
        .map_err(XmlError)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// --------------------------------------------------------------------------------
// Real-time log configurations

fn realtime_xml(root: &str, c: &RealtimeLogConfig) -> String {
    doc(
        root,
        el(
            "RealtimeLogConfig",
            [
                txt("ARN", &c.arn),
                txt("Name", &c.name),
                txt("SamplingRate", c.sampling_rate),
                el(
                    "EndPoints",
                    el(
                        "member",
                        format!(
                            "{}{}",
                            txt("StreamType", "Kinesis"),
                            el(
                                "KinesisStreamConfig",
                                format!(
                                    "{}{}",
                                    txt("RoleARN", &c.role_arn),
                                    txt("StreamARN", &c.kinesis_stream_arn)
                                )
                            )
                        ),
                    ),
                ),
                el(
                    "Fields",
                    c.fields.iter().map(|f| txt("Field", f)).collect::<String>(),
                ),
            ]
            .concat(),
        ),
    )
}

fn realtime_of(root: &Node) -> RealtimeLogConfig {
    let kinesis = root
        .child("EndPoints")
        .and_then(|e| e.children.first())
        .and_then(|m| m.child("KinesisStreamConfig"));
    RealtimeLogConfig {
        name: root.text("Name"),
        arn: String::new(),
        sampling_rate: root.text("SamplingRate").parse().unwrap_or(0),
        fields: root
            .child("Fields")
            .map(|f| f.children.iter().map(|c| c.text.clone()).collect())
            .unwrap_or_default(),
        kinesis_stream_arn: kinesis.map(|k| k.text("StreamARN")).unwrap_or_default(),
        role_arn: kinesis.map(|k| k.text("RoleARN")).unwrap_or_default(),
    }
}

/// Name from the request, or from the ARN (`.../realtime-log-config/<name>`).
fn realtime_name(root: &Node) -> String {
    root.opt("Name").unwrap_or_else(|| {
        root.text("ARN")
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    })
}

async fn create_realtime(State(api): State<Api>, body: Bytes) -> Answer {
    let c = api
        .create_realtime_log_config(realtime_of(&body_of(&body)?))
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::CREATED,
        None,
        realtime_xml("CreateRealtimeLogConfigResult", &c),
    ))
}

async fn update_realtime(State(api): State<Api>, body: Bytes) -> Answer {
    let c = api
        .update_realtime_log_config(realtime_of(&body_of(&body)?))
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::OK,
        None,
        realtime_xml("UpdateRealtimeLogConfigResult", &c),
    ))
}

async fn get_realtime(State(api): State<Api>, body: Bytes) -> Answer {
    let c = api
        .get_realtime_log_config(&realtime_name(&body_of(&body)?))
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::OK,
        None,
        realtime_xml("GetRealtimeLogConfigResult", &c),
    ))
}

async fn delete_realtime(State(api): State<Api>, body: Bytes) -> Answer {
    api.delete_realtime_log_config(&realtime_name(&body_of(&body)?))
        .await
        .map_err(XmlError)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// --------------------------------------------------------------------------------
// Policies

fn owner_of(q: &HashMap<String, String>) -> PolicyOwner {
    if q.get("Type").map(String::as_str) == Some("custom") {
        PolicyOwner::Custom
    } else {
        PolicyOwner::Managed
    }
}

/// One policy list: `kind` is `CachePolicy`, `OriginRequestPolicy` or
/// `ResponseHeadersPolicy`.
fn policies_xml(kind: &str, owner: PolicyOwner, policies: &[Policy]) -> String {
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

async fn list_cache_policies(
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

async fn list_origin_request_policies(
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

async fn list_response_headers_policies(
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

// --------------------------------------------------------------------------------
// Key value store data (REST-JSON), addressed by the store's ARN

type Kvs = Arc<dyn CloudFrontKvsApi>;

pub fn kvs_router(api: Kvs) -> Router {
    Router::new()
        .route("/key-value-stores/{arn}", get(kvs_describe))
        .route(
            "/key-value-stores/{arn}/keys",
            get(kvs_list).post(kvs_update),
        )
        .with_state(api)
}

fn with_etag(body: Value, etag: &str) -> Response {
    let mut r = Json(body).into_response();
    if let Ok(e) = HeaderValue::from_str(etag) {
        r.headers_mut().insert("etag", e);
    }
    r
}

async fn kvs_describe(
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

async fn kvs_list(
    State(api): State<Kvs>,
    Path(arn): Path<String>,
) -> Result<Response, RestJsonError> {
    let items = api.list_keys(&arn).await.map_err(RestJsonError)?;
    Ok(Json(json!({
        "Items": items.iter().map(|i| json!({ "Key": i.key, "Value": i.value })).collect::<Vec<_>>(),
    }))
    .into_response())
}

async fn kvs_update(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_reads_what_it_writes() {
        let doc = doc(
            "R",
            format!(
                "{}{}<E/>",
                txt("A", "x < y & \"z\""),
                list("L", vec![txt("I", 1), txt("I", 2)])
            ),
        );
        let root = parse_xml(&doc).unwrap();
        assert_eq!(root.name, "R");
        assert_eq!(root.text("A"), "x < y & \"z\"");
        assert_eq!(
            root.items("L")
                .iter()
                .map(|n| n.text.as_str())
                .collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert!(root.child("E").is_some());
        assert_eq!(unescape("&#x41;&#66;&bogus;"), "AB&bogus;");
    }
}
