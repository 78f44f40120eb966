//! What CloudFront refuses before a write: distribution configurations (origins,
//! behaviours, policies, functions, real-time logs, web ACLs), function code and
//! real-time log configurations, and names.

use std::collections::BTreeSet;

use super::errors::invalid;
use super::policies::{MANAGED_CACHE, MANAGED_ORIGIN_REQUEST, MANAGED_RESPONSE_HEADERS};
use super::{Result, SimCloudFront, State};
use crate::aws::cloudfront::*;
use crate::aws::sim::web_acl_link;

impl SimCloudFront {
    pub(super) fn validate(
        &self,
        op: &'static str,
        s: &State,
        c: &DistributionConfig,
    ) -> Result<()> {
        if c.caller_reference.is_empty() {
            return Err(invalid(
                op,
                "InvalidArgument",
                "CallerReference is required",
            ));
        }
        if c.comment.len() > 128 {
            return Err(invalid(
                op,
                "InvalidArgument",
                "The comment can have at most 128 characters",
            ));
        }
        if c.origins.is_empty() {
            return Err(invalid(
                op,
                "InvalidArgument",
                "A distribution needs at least one origin",
            ));
        }
        let mut ids = BTreeSet::new();
        for o in &c.origins {
            if !ids.insert(o.id.as_str()) {
                return Err(invalid(
                    op,
                    "InvalidArgument",
                    format!("Origin id '{}' is used twice", o.id),
                ));
            }
            if o.custom_headers.len() > 10 {
                return Err(invalid(
                    op,
                    "TooManyOriginCustomHeaders",
                    format!("Origin '{}' has more than 10 custom headers", o.id),
                ));
            }
        }
        if c.behaviors.len() > MAX_CACHE_BEHAVIORS {
            return Err(invalid(
                op,
                "TooManyCacheBehaviors",
                format!(
                    "Your request contains more CacheBehaviors than are allowed per distribution ({} > {MAX_CACHE_BEHAVIORS})",
                    c.behaviors.len()
                ),
            ));
        }
        if !c.aliases.is_empty() && c.acm_certificate_arn.is_none() {
            return Err(invalid(
                op,
                "InvalidViewerCertificate",
                "Alternate domain names need a certificate that covers them",
            ));
        }
        if let Some(acl) = &c.web_acl_id {
            if !web_acl_link::web_acl_exists(&self.0, acl) {
                return Err(invalid(
                    op,
                    "InvalidWebACLId",
                    format!(
                        "Web ACL '{acl}' does not exist (CLOUDFRONT scope web ACL ARN expected)"
                    ),
                ));
            }
        }
        if !c.default_behavior.path_pattern.is_empty() {
            return Err(invalid(
                op,
                "InvalidArgument",
                "The default cache behaviour has no path pattern",
            ));
        }
        let mut patterns = BTreeSet::new();
        for b in std::iter::once(&c.default_behavior).chain(&c.behaviors) {
            let is_default = std::ptr::eq(b, &c.default_behavior);
            if !is_default && (b.path_pattern.is_empty() || !patterns.insert(&b.path_pattern)) {
                return Err(invalid(
                    op,
                    "InvalidArgument",
                    format!(
                        "Cache behaviour path pattern '{}' is empty or used twice",
                        b.path_pattern
                    ),
                ));
            }
            if !ids.contains(b.target_origin_id.as_str()) {
                return Err(invalid(
                    op,
                    "NoSuchOrigin",
                    format!(
                        "One or more of your origins or origin groups do not exist: '{}'",
                        b.target_origin_id
                    ),
                ));
            }
            if !MANAGED_CACHE.iter().any(|(id, _)| *id == b.cache_policy_id) {
                return Err(invalid(
                    op,
                    "NoSuchCachePolicy",
                    format!("The cache policy '{}' does not exist", b.cache_policy_id),
                ));
            }
            if let Some(p) = &b.origin_request_policy_id {
                if !MANAGED_ORIGIN_REQUEST.iter().any(|(id, _)| id == p) {
                    return Err(invalid(
                        op,
                        "NoSuchOriginRequestPolicy",
                        format!("The origin request policy '{p}' does not exist"),
                    ));
                }
            }
            if let Some(p) = &b.response_headers_policy_id {
                if !MANAGED_RESPONSE_HEADERS.iter().any(|(id, _)| id == p) {
                    return Err(invalid(
                        op,
                        "NoSuchResponseHeadersPolicy",
                        format!("The response headers policy '{p}' does not exist"),
                    ));
                }
            }
            let mut events = BTreeSet::new();
            for f in &b.function_associations {
                if !events.insert(f.event) {
                    return Err(invalid(
                        op,
                        "InvalidFunctionAssociation",
                        format!("More than one function for {}", f.event.as_aws()),
                    ));
                }
                let published = s
                    .functions
                    .values()
                    .any(|r| r.arn == f.function_arn && r.live.is_some());
                if !published {
                    return Err(invalid(
                        op,
                        "InvalidFunctionAssociation",
                        format!(
                            "The function '{}' does not exist or is not published to LIVE",
                            f.function_arn
                        ),
                    ));
                }
            }
            if let Some(arn) = &b.realtime_log_config_arn {
                if !s.realtime.values().any(|r| &r.arn == arn) {
                    return Err(invalid(
                        op,
                        "NoSuchRealtimeLogConfig",
                        format!("The real-time log configuration '{arn}' does not exist"),
                    ));
                }
            }
        }
        Ok(())
    }

    pub(super) fn check_function(
        &self,
        op: &'static str,
        s: &State,
        spec: &FunctionSpec,
    ) -> Result<()> {
        if spec.code.len() > MAX_FUNCTION_CODE_BYTES {
            return Err(invalid(
                op,
                "FunctionSizeLimitExceeded",
                format!(
                    "The function code is {} bytes; the limit is {MAX_FUNCTION_CODE_BYTES}",
                    spec.code.len()
                ),
            ));
        }
        if spec.key_value_store_arns.len() > 1 {
            return Err(invalid(
                op,
                "InvalidArgument",
                "A function can be associated with at most one key value store",
            ));
        }
        for arn in &spec.key_value_store_arns {
            if !s.stores.values().any(|r| &r.store.arn == arn) {
                return Err(invalid(
                    op,
                    "EntityNotFound",
                    format!("The key value store '{arn}' does not exist"),
                ));
            }
        }
        Ok(())
    }
}

pub(super) fn check_realtime(op: &'static str, c: &RealtimeLogConfig) -> Result<()> {
    if !valid_name(&c.name, 128) {
        return Err(invalid(op, "InvalidArgument", "Name is required"));
    }
    if !(1..=100).contains(&c.sampling_rate) {
        return Err(invalid(
            op,
            "InvalidArgument",
            format!("SamplingRate must be 1 to 100, not {}", c.sampling_rate),
        ));
    }
    if c.fields.is_empty() {
        return Err(invalid(
            op,
            "InvalidArgument",
            "At least one field is required",
        ));
    }
    if !c.kinesis_stream_arn.starts_with("arn:") || !c.role_arn.starts_with("arn:") {
        return Err(invalid(
            op,
            "InvalidArgument",
            "A Kinesis stream ARN and a role ARN are required",
        ));
    }
    Ok(())
}

/// The configuration as CloudFront answers it: function associations by event.
pub(super) fn normalized(mut c: DistributionConfig) -> DistributionConfig {
    for b in std::iter::once(&mut c.default_behavior).chain(c.behaviors.iter_mut()) {
        b.function_associations.sort_by_key(|f| f.event);
    }
    c
}

pub(super) fn valid_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
