//! Distribution configurations both ways: onair's [`DistributionConfig`] to the
//! SDK's (origins, behaviours, certificate) and back, for drift detection.

use aws_sdk_cloudfront::types as t;
use aws_smithy_types::error::operation::BuildError;

use crate::aws::cloudfront::*;
use crate::aws::error::{missing, AwsError};

use super::{build_err, SVC};

type Result<T> = std::result::Result<T, AwsError>;

// --- onair -> SDK

pub(super) fn to_sdk_config(
    c: &DistributionConfig,
    op: &'static str,
) -> Result<t::DistributionConfig> {
    let b = build_err(op);
    let origins = c
        .origins
        .iter()
        .map(|o| {
            let headers = o
                .custom_headers
                .iter()
                .map(|h| {
                    t::OriginCustomHeader::builder()
                        .header_name(&h.name)
                        .header_value(&h.value)
                        .build()
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            t::Origin::builder()
                .id(&o.id)
                .domain_name(&o.domain_name)
                .origin_path(&o.origin_path)
                .custom_headers(
                    t::CustomHeaders::builder()
                        .quantity(headers.len() as i32)
                        .set_items(Some(headers))
                        .build()?,
                )
                .custom_origin_config(
                    t::CustomOriginConfig::builder()
                        .http_port(80)
                        .https_port(443)
                        .origin_protocol_policy(t::OriginProtocolPolicy::from(o.protocol.as_aws()))
                        .origin_ssl_protocols(
                            t::OriginSslProtocols::builder()
                                .quantity(1)
                                .items(t::SslProtocol::TlSv12)
                                .build()?,
                        )
                        .origin_read_timeout(30)
                        .origin_keepalive_timeout(5)
                        .build()?,
                )
                .build()
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(&b)?;
    let behaviors = c
        .behaviors
        .iter()
        .map(|x| cache_behavior(x).map_err(&b))
        .collect::<Result<Vec<_>>>()?;
    let d = &c.default_behavior;
    let (methods, functions) = (allowed_methods(d).map_err(&b)?, functions(d).map_err(&b)?);
    let default = t::DefaultCacheBehavior::builder()
        .target_origin_id(&d.target_origin_id)
        .viewer_protocol_policy(t::ViewerProtocolPolicy::from(d.viewer_protocol.as_aws()))
        .allowed_methods(methods)
        .compress(d.compress)
        .cache_policy_id(&d.cache_policy_id)
        .set_origin_request_policy_id(d.origin_request_policy_id.clone())
        .set_response_headers_policy_id(d.response_headers_policy_id.clone())
        .function_associations(functions)
        .set_realtime_log_config_arn(d.realtime_log_config_arn.clone())
        .build()
        .map_err(&b)?;
    let certificate = match &c.acm_certificate_arn {
        Some(arn) => t::ViewerCertificate::builder()
            .acm_certificate_arn(arn)
            .ssl_support_method(t::SslSupportMethod::SniOnly)
            .minimum_protocol_version(t::MinimumProtocolVersion::TlSv122021)
            .cloud_front_default_certificate(false)
            .build(),
        None => t::ViewerCertificate::builder()
            .cloud_front_default_certificate(true)
            .build(),
    };
    t::DistributionConfig::builder()
        .caller_reference(&c.caller_reference)
        .comment(&c.comment)
        .enabled(c.enabled)
        .price_class(t::PriceClass::from(c.price_class.as_aws()))
        .aliases(
            t::Aliases::builder()
                .quantity(c.aliases.len() as i32)
                .set_items(Some(c.aliases.clone()))
                .build()
                .map_err(&b)?,
        )
        .viewer_certificate(certificate)
        .origins(
            t::Origins::builder()
                .quantity(origins.len() as i32)
                .set_items(Some(origins))
                .build()
                .map_err(&b)?,
        )
        .default_cache_behavior(default)
        .cache_behaviors(
            t::CacheBehaviors::builder()
                .quantity(behaviors.len() as i32)
                .set_items(Some(behaviors))
                .build()
                .map_err(&b)?,
        )
        .web_acl_id(c.web_acl_id.clone().unwrap_or_default())
        .http_version(t::HttpVersion::Http2and3)
        .is_ipv6_enabled(true)
        .build()
        .map_err(&b)
}

fn allowed_methods(x: &CacheBehavior) -> std::result::Result<t::AllowedMethods, BuildError> {
    let methods = |m: &[&str]| m.iter().map(|m| t::Method::from(*m)).collect::<Vec<_>>();
    let allowed = methods(x.allowed_methods.methods());
    let cached = methods(x.allowed_methods.cached());
    t::AllowedMethods::builder()
        .quantity(allowed.len() as i32)
        .set_items(Some(allowed))
        .cached_methods(
            t::CachedMethods::builder()
                .quantity(cached.len() as i32)
                .set_items(Some(cached))
                .build()?,
        )
        .build()
}

fn functions(x: &CacheBehavior) -> std::result::Result<t::FunctionAssociations, BuildError> {
    let items = x
        .function_associations
        .iter()
        .map(|f| {
            t::FunctionAssociation::builder()
                .function_arn(&f.function_arn)
                .event_type(t::EventType::from(f.event.as_aws()))
                .build()
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    t::FunctionAssociations::builder()
        .quantity(items.len() as i32)
        .set_items(Some(items))
        .build()
}

fn cache_behavior(x: &CacheBehavior) -> std::result::Result<t::CacheBehavior, BuildError> {
    t::CacheBehavior::builder()
        .path_pattern(&x.path_pattern)
        .target_origin_id(&x.target_origin_id)
        .viewer_protocol_policy(t::ViewerProtocolPolicy::from(x.viewer_protocol.as_aws()))
        .allowed_methods(allowed_methods(x)?)
        .compress(x.compress)
        .cache_policy_id(&x.cache_policy_id)
        .set_origin_request_policy_id(x.origin_request_policy_id.clone())
        .set_response_headers_policy_id(x.response_headers_policy_id.clone())
        .function_associations(functions(x)?)
        .set_realtime_log_config_arn(x.realtime_log_config_arn.clone())
        .build()
}

// --- SDK -> onair

/// Empty strings (how CloudFront and emulators write "none") as `None`.
fn some(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The fields the default and ordered behaviours share, read the same way.
macro_rules! behavior_of {
    ($x:expr, $path:expr) => {{
        let x = $x;
        let mut function_associations: Vec<FunctionAssociation> = x
            .function_associations()
            .map(|f| f.items())
            .unwrap_or_default()
            .iter()
            .filter_map(|f| {
                Some(FunctionAssociation {
                    event: FunctionEvent::from_aws(f.event_type().as_str())?,
                    function_arn: f.function_arn().to_owned(),
                })
            })
            .collect();
        function_associations.sort_by_key(|f| f.event);
        CacheBehavior {
            path_pattern: $path,
            target_origin_id: x.target_origin_id().to_owned(),
            viewer_protocol: ViewerProtocol::from_aws(x.viewer_protocol_policy().as_str()),
            allowed_methods: AllowedMethods::from_methods(
                &x.allowed_methods()
                    .map(|m| m.items().iter().map(|m| m.as_str()).collect::<Vec<_>>())
                    .unwrap_or_default(),
            ),
            compress: x.compress().unwrap_or(false),
            cache_policy_id: x.cache_policy_id().unwrap_or_default().to_owned(),
            origin_request_policy_id: some(x.origin_request_policy_id()),
            response_headers_policy_id: some(x.response_headers_policy_id()),
            function_associations,
            realtime_log_config_arn: some(x.realtime_log_config_arn()),
        }
    }};
}

fn from_sdk_config(c: &t::DistributionConfig) -> DistributionConfig {
    let origins = c
        .origins()
        .map(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(|o| Origin {
            id: o.id().to_owned(),
            domain_name: o.domain_name().to_owned(),
            origin_path: o.origin_path().unwrap_or_default().to_owned(),
            protocol: o
                .custom_origin_config()
                .map(|c| OriginProtocol::from_aws(c.origin_protocol_policy().as_str()))
                .unwrap_or_default(),
            custom_headers: o
                .custom_headers()
                .map(|h| h.items())
                .unwrap_or_default()
                .iter()
                .map(|h| OriginHeader {
                    name: h.header_name().to_owned(),
                    value: h.header_value().to_owned(),
                })
                .collect(),
        })
        .collect();
    DistributionConfig {
        caller_reference: c.caller_reference().to_owned(),
        comment: c.comment().to_owned(),
        enabled: c.enabled(),
        price_class: c
            .price_class()
            .map(|p| PriceClass::from_aws(p.as_str()))
            .unwrap_or_default(),
        aliases: c.aliases().map(|a| a.items().to_vec()).unwrap_or_default(),
        acm_certificate_arn: c
            .viewer_certificate()
            .and_then(|v| some(v.acm_certificate_arn())),
        origins,
        default_behavior: c
            .default_cache_behavior()
            .map(|d| behavior_of!(d, String::new()))
            .unwrap_or_default(),
        behaviors: c
            .cache_behaviors()
            .map(|b| b.items())
            .unwrap_or_default()
            .iter()
            .map(|b| behavior_of!(b, b.path_pattern().to_owned()))
            .collect(),
        web_acl_id: some(c.web_acl_id()),
    }
}

pub(super) fn distribution_of(
    d: Option<&t::Distribution>,
    etag: Option<&str>,
    op: &'static str,
) -> Result<Distribution> {
    let d = d.ok_or_else(|| missing(SVC, op, "Distribution"))?;
    Ok(Distribution {
        id: d.id().to_owned(),
        arn: d.arn().to_owned(),
        domain_name: d.domain_name().to_owned(),
        status: DistributionStatus::from_aws(d.status()),
        etag: etag.ok_or_else(|| missing(SVC, op, "ETag"))?.to_owned(),
        config: d
            .distribution_config()
            .map(from_sdk_config)
            .ok_or_else(|| missing(SVC, op, "DistributionConfig"))?,
    })
}
