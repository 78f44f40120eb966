//! WAFv2 (CLOUDFRONT scope) on aws-sdk-wafv2.
//!
//! Here the client and its calls on regex pattern sets, IP sets and web ACLs;
//! the rules of a web ACL are converted in `rules`.

mod rules;

use async_trait::async_trait;
use aws_sdk_wafv2 as waf;
use aws_smithy_types::error::operation::BuildError;
use waf::types as t;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::ownership::Tags;
use crate::aws::service::Service;
use crate::aws::wafv2::*;

use super::{non_empty, paginate};
use rules::{default_action, from_rule, to_rules, visibility};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "WAFV2";

fn build_err(operation: &'static str) -> impl Fn(BuildError) -> AwsError {
    super::build_err(SVC, operation)
}

/// The end of a WAF list: no (or an empty) marker, or an empty page (so a marker
/// answered with nothing cannot keep the loop going).
fn next_marker(marker: Option<&str>, page_len: usize) -> Option<String> {
    non_empty(marker).filter(|_| page_len > 0)
}

sdk_adapter!(SdkWaf, aws_sdk_wafv2, Service::Wafv2);

fn tags_of(tags: Tags, op: &'static str) -> Result<Vec<t::Tag>> {
    tags.into_iter()
        .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(build_err(op))
}

fn regexes(patterns: &[String]) -> Vec<t::Regex> {
    patterns
        .iter()
        .map(|p| t::Regex::builder().regex_string(p).build())
        .collect()
}

fn entity(name: Option<&str>, id: Option<&str>, arn: Option<&str>) -> WafRef {
    WafRef {
        name: name.unwrap_or_default().to_owned(),
        id: id.unwrap_or_default().to_owned(),
        arn: arn.unwrap_or_default().to_owned(),
    }
}

macro_rules! summary_of {
    ($s:expr) => {{
        let s = $s;
        WafSummary {
            entity: entity(s.name(), s.id(), s.arn()),
            description: s.description().unwrap_or_default().to_owned(),
            lock_token: s.lock_token().unwrap_or_default().to_owned(),
        }
    }};
}

/// What CreateRegexPatternSet, CreateIPSet and CreateWebACL answer: a summary.
macro_rules! created {
    ($out:ident, $op:ident) => {
        summary_of!($out.summary().ok_or_else(|| missing(SVC, $op, "Summary"))?)
    };
}

/// A call on one WAF entity, which every kind addresses by name, scope
/// (CLOUDFRONT) and id, with the rest of its input as `setter(value)`s; sent,
/// its output (or the error of `$op`).
macro_rules! on_entity {
    ($self:ident, $call:ident, $op:expr, $name:expr, $id:expr $(, $setter:ident($($value:expr),*))*) => {
        $self
            .client
            .$call()
            .name($name)
            .scope(t::Scope::Cloudfront)
            .id($id)
            $(.$setter($($value),*))*
            .send()
            .await
            .map_err(sdk_err(SVC, $op))?
    };
}

/// Deletes a WAF entity: every kind is deleted by name, id and lock token.
macro_rules! delete {
    ($self:ident, $call:ident, $op:literal, $name:ident, $id:ident, $lock_token:ident) => {{
        on_entity!($self, $call, $op, $name, $id, lock_token($lock_token));
        Ok(())
    }};
}

/// Lists every entity of a kind as summaries, 100 a page.
macro_rules! list_summaries {
    ($self:ident, $call:ident, $page:ident, $op:literal) => {
        paginate(move |marker| async move {
            let out = $self
                .client
                .$call()
                .scope(t::Scope::Cloudfront)
                .set_next_marker(marker)
                .limit(100)
                .send()
                .await
                .map_err(sdk_err(SVC, $op))?;
            let page = out.$page();
            let next = next_marker(out.next_marker(), page.len());
            Ok((page.iter().map(|s| summary_of!(s)).collect(), next))
        })
        .await
    };
}

#[async_trait]
impl WafApi for SdkWaf {
    async fn create_regex_pattern_set(
        &self,
        name: &str,
        description: &str,
        patterns: Vec<String>,
        tags: Tags,
    ) -> Result<RegexPatternSet> {
        const OP: &str = "CreateRegexPatternSet";
        let out = self
            .client
            .create_regex_pattern_set()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .description(description)
            .set_regular_expression_list(Some(regexes(&patterns)))
            .set_tags(Some(tags_of(tags, OP)?))
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        let summary = created!(out, OP);
        Ok(RegexPatternSet {
            entity: summary.entity,
            description: description.into(),
            patterns,
            lock_token: summary.lock_token,
        })
    }

    async fn get_regex_pattern_set(&self, name: &str, id: &str) -> Result<RegexPatternSet> {
        const OP: &str = "GetRegexPatternSet";
        let out = on_entity!(self, get_regex_pattern_set, OP, name, id);
        let set = out
            .regex_pattern_set()
            .ok_or_else(|| missing(SVC, OP, "RegexPatternSet"))?;
        Ok(RegexPatternSet {
            entity: entity(set.name(), set.id(), set.arn()),
            description: set.description().unwrap_or_default().to_owned(),
            patterns: set
                .regular_expression_list()
                .iter()
                .filter_map(|r| r.regex_string().map(str::to_owned))
                .collect(),
            lock_token: out.lock_token().unwrap_or_default().to_owned(),
        })
    }

    async fn update_regex_pattern_set(
        &self,
        name: &str,
        id: &str,
        description: &str,
        patterns: Vec<String>,
        lock_token: &str,
    ) -> Result<String> {
        const OP: &str = "UpdateRegexPatternSet";
        let out = on_entity!(
            self,
            update_regex_pattern_set,
            OP,
            name,
            id,
            description(description),
            set_regular_expression_list(Some(regexes(&patterns))),
            lock_token(lock_token)
        );
        Ok(out.next_lock_token().unwrap_or_default().to_owned())
    }

    async fn delete_regex_pattern_set(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        delete!(
            self,
            delete_regex_pattern_set,
            "DeleteRegexPatternSet",
            name,
            id,
            lock_token
        )
    }

    async fn list_regex_pattern_sets(&self) -> Result<Vec<WafSummary>> {
        list_summaries!(
            self,
            list_regex_pattern_sets,
            regex_pattern_sets,
            "ListRegexPatternSets"
        )
    }

    async fn create_ip_set(
        &self,
        name: &str,
        description: &str,
        version: IpVersion,
        addresses: Vec<String>,
        tags: Tags,
    ) -> Result<IpSet> {
        const OP: &str = "CreateIPSet";
        let out = self
            .client
            .create_ip_set()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .description(description)
            .ip_address_version(t::IpAddressVersion::from(version.as_aws()))
            .set_addresses(Some(addresses.clone()))
            .set_tags(Some(tags_of(tags, OP)?))
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        let summary = created!(out, OP);
        Ok(IpSet {
            entity: summary.entity,
            description: description.into(),
            version,
            addresses,
            lock_token: summary.lock_token,
        })
    }

    async fn get_ip_set(&self, name: &str, id: &str) -> Result<IpSet> {
        const OP: &str = "GetIPSet";
        let out = on_entity!(self, get_ip_set, OP, name, id);
        let set = out.ip_set().ok_or_else(|| missing(SVC, OP, "IPSet"))?;
        Ok(IpSet {
            entity: entity(Some(set.name()), Some(set.id()), Some(set.arn())),
            description: set.description().unwrap_or_default().to_owned(),
            version: IpVersion::from_aws(set.ip_address_version().as_str()),
            addresses: set.addresses().to_vec(),
            lock_token: out.lock_token().unwrap_or_default().to_owned(),
        })
    }

    async fn update_ip_set(
        &self,
        name: &str,
        id: &str,
        description: &str,
        addresses: Vec<String>,
        lock_token: &str,
    ) -> Result<String> {
        const OP: &str = "UpdateIPSet";
        let out = on_entity!(
            self,
            update_ip_set,
            OP,
            name,
            id,
            description(description),
            set_addresses(Some(addresses)),
            lock_token(lock_token)
        );
        Ok(out.next_lock_token().unwrap_or_default().to_owned())
    }

    async fn delete_ip_set(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        delete!(self, delete_ip_set, "DeleteIPSet", name, id, lock_token)
    }

    async fn list_ip_sets(&self) -> Result<Vec<WafSummary>> {
        list_summaries!(self, list_ip_sets, ip_sets, "ListIPSets")
    }

    async fn create_web_acl(&self, name: &str, spec: WebAclSpec, tags: Tags) -> Result<WebAcl> {
        const OP: &str = "CreateWebACL";
        let out = self
            .client
            .create_web_acl()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .description(&spec.description)
            .default_action(default_action(spec.default_block))
            .set_rules(Some(to_rules(&spec, OP)?))
            .visibility_config(visibility(name).map_err(build_err(OP))?)
            .set_tags(Some(tags_of(tags, OP)?))
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        let summary = created!(out, OP);
        Ok(WebAcl {
            entity: summary.entity,
            // CreateWebACL answers no capacity: AWS's count for these statements.
            capacity: spec.wcu(),
            spec,
            lock_token: summary.lock_token,
        })
    }

    async fn get_web_acl(&self, name: &str, id: &str) -> Result<WebAcl> {
        const OP: &str = "GetWebACL";
        let out = on_entity!(self, get_web_acl, OP, name, id);
        let acl = out.web_acl().ok_or_else(|| missing(SVC, OP, "WebACL"))?;
        Ok(WebAcl {
            entity: entity(Some(acl.name()), Some(acl.id()), Some(acl.arn())),
            spec: WebAclSpec {
                description: acl.description().unwrap_or_default().to_owned(),
                default_block: acl.default_action().is_some_and(|a| a.block().is_some()),
                rules: acl.rules().iter().filter_map(from_rule).collect(),
            },
            capacity: acl.capacity() as u32,
            lock_token: out.lock_token().unwrap_or_default().to_owned(),
        })
    }

    async fn update_web_acl(
        &self,
        name: &str,
        id: &str,
        spec: WebAclSpec,
        lock_token: &str,
    ) -> Result<String> {
        const OP: &str = "UpdateWebACL";
        let out = on_entity!(
            self,
            update_web_acl,
            OP,
            name,
            id,
            description(&spec.description),
            default_action(default_action(spec.default_block)),
            set_rules(Some(to_rules(&spec, OP)?)),
            visibility_config(visibility(name).map_err(build_err(OP))?),
            lock_token(lock_token)
        );
        Ok(out.next_lock_token().unwrap_or_default().to_owned())
    }

    async fn delete_web_acl(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        delete!(self, delete_web_acl, "DeleteWebACL", name, id, lock_token)
    }

    async fn list_web_acls(&self) -> Result<Vec<WafSummary>> {
        list_summaries!(self, list_web_acls, web_acls, "ListWebACLs")
    }
}
