//! WAFv2 (CLOUDFRONT scope) on aws-sdk-wafv2.

use async_trait::async_trait;
use aws_sdk_wafv2 as waf;
use aws_smithy_types::error::operation::BuildError;
use waf::types as t;

use crate::aws::clients::{sdk_client, SdkClients};
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::ownership::Tags;
use crate::aws::service::Service;
use crate::aws::wafv2::*;

use super::{non_empty, paginate};

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

pub struct SdkWaf {
    client: waf::Client,
}

impl SdkWaf {
    pub fn new(clients: &SdkClients) -> Self {
        Self {
            client: sdk_client!(aws_sdk_wafv2, clients, Service::Wafv2),
        }
    }
}

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

/// Metric names allow letters, digits and `-_#:./`; anything else becomes `-`.
fn metric(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_#:./".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(128)
        .collect()
}

fn visibility(name: &str) -> std::result::Result<t::VisibilityConfig, BuildError> {
    t::VisibilityConfig::builder()
        .sampled_requests_enabled(true)
        .cloud_watch_metrics_enabled(true)
        .metric_name(metric(name))
        .build()
}

fn to_statement(s: &Statement) -> std::result::Result<t::Statement, BuildError> {
    Ok(match s {
        Statement::Regex { set_arn, field } => {
            let field = match field {
                MatchField::UriPath => t::FieldToMatch::builder()
                    .uri_path(t::UriPath::builder().build())
                    .build(),
                MatchField::QueryString => t::FieldToMatch::builder()
                    .query_string(t::QueryString::builder().build())
                    .build(),
            };
            t::Statement::builder()
                .regex_pattern_set_reference_statement(
                    t::RegexPatternSetReferenceStatement::builder()
                        .arn(set_arn)
                        .field_to_match(field)
                        .text_transformations(
                            t::TextTransformation::builder()
                                .priority(0)
                                .r#type(t::TextTransformationType::None)
                                .build()?,
                        )
                        .build()?,
                )
                .build()
        }
        Statement::IpSet { set_arn } => t::Statement::builder()
            .ip_set_reference_statement(t::IpSetReferenceStatement::builder().arn(set_arn).build()?)
            .build(),
        Statement::Or(v) => t::Statement::builder()
            .or_statement(
                t::OrStatement::builder()
                    .set_statements(Some(
                        v.iter()
                            .map(to_statement)
                            .collect::<std::result::Result<Vec<_>, _>>()?,
                    ))
                    .build()?,
            )
            .build(),
    })
}

fn from_statement(s: &t::Statement) -> Option<Statement> {
    if let Some(r) = s.regex_pattern_set_reference_statement() {
        let field = match r.field_to_match() {
            Some(f) if f.query_string().is_some() => MatchField::QueryString,
            _ => MatchField::UriPath,
        };
        return Some(Statement::Regex {
            set_arn: r.arn().to_owned(),
            field,
        });
    }
    if let Some(i) = s.ip_set_reference_statement() {
        return Some(Statement::IpSet {
            set_arn: i.arn().to_owned(),
        });
    }
    s.or_statement()
        .map(|o| Statement::Or(o.statements().iter().filter_map(from_statement).collect()))
}

fn to_rules(spec: &WebAclSpec, op: &'static str) -> Result<Vec<t::Rule>> {
    let rule = |r: &Rule| -> std::result::Result<t::Rule, BuildError> {
        let action = match r.action {
            RuleAction::Block { status } => {
                let mut block = t::BlockAction::builder();
                if let Some(code) = status {
                    block = block.custom_response(
                        t::CustomResponse::builder()
                            .response_code(code.into())
                            .build()?,
                    );
                }
                t::RuleAction::builder().block(block.build()).build()
            }
            RuleAction::Allow => t::RuleAction::builder()
                .allow(t::AllowAction::builder().build())
                .build(),
            RuleAction::Count => t::RuleAction::builder()
                .count(t::CountAction::builder().build())
                .build(),
        };
        t::Rule::builder()
            .name(&r.name)
            .priority(r.priority as i32)
            .statement(to_statement(&r.statement)?)
            .action(action)
            .visibility_config(visibility(&r.name)?)
            .build()
    };
    spec.rules
        .iter()
        .map(rule)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(build_err(op))
}

fn from_rule(r: &t::Rule) -> Option<Rule> {
    let a = r.action()?;
    let action = if let Some(b) = a.block() {
        RuleAction::Block {
            status: b.custom_response().map(|c| c.response_code() as u16),
        }
    } else if a.allow().is_some() {
        RuleAction::Allow
    } else {
        RuleAction::Count
    };
    Some(Rule {
        name: r.name().to_owned(),
        priority: r.priority() as u32,
        action,
        statement: from_statement(r.statement()?)?,
    })
}

fn default_action(block: bool) -> t::DefaultAction {
    if block {
        t::DefaultAction::builder()
            .block(t::BlockAction::builder().build())
            .build()
    } else {
        t::DefaultAction::builder()
            .allow(t::AllowAction::builder().build())
            .build()
    }
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
        let s = out.summary().ok_or_else(|| missing(SVC, OP, "Summary"))?;
        let summary = summary_of!(s);
        Ok(RegexPatternSet {
            entity: summary.entity,
            description: description.into(),
            patterns,
            lock_token: summary.lock_token,
        })
    }

    async fn get_regex_pattern_set(&self, name: &str, id: &str) -> Result<RegexPatternSet> {
        const OP: &str = "GetRegexPatternSet";
        let out = self
            .client
            .get_regex_pattern_set()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
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
        let out = self
            .client
            .update_regex_pattern_set()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .description(description)
            .set_regular_expression_list(Some(regexes(&patterns)))
            .lock_token(lock_token)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        Ok(out.next_lock_token().unwrap_or_default().to_owned())
    }

    async fn delete_regex_pattern_set(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        self.client
            .delete_regex_pattern_set()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .lock_token(lock_token)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteRegexPatternSet"))?;
        Ok(())
    }

    async fn list_regex_pattern_sets(&self) -> Result<Vec<WafSummary>> {
        paginate(move |marker| async move {
            let out = self
                .client
                .list_regex_pattern_sets()
                .scope(t::Scope::Cloudfront)
                .set_next_marker(marker)
                .limit(100)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListRegexPatternSets"))?;
            let page = out.regex_pattern_sets();
            let next = next_marker(out.next_marker(), page.len());
            Ok((page.iter().map(|s| summary_of!(s)).collect(), next))
        })
        .await
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
        let s = out.summary().ok_or_else(|| missing(SVC, OP, "Summary"))?;
        let summary = summary_of!(s);
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
        let out = self
            .client
            .get_ip_set()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
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
        let out = self
            .client
            .update_ip_set()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .description(description)
            .set_addresses(Some(addresses))
            .lock_token(lock_token)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        Ok(out.next_lock_token().unwrap_or_default().to_owned())
    }

    async fn delete_ip_set(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        self.client
            .delete_ip_set()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .lock_token(lock_token)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteIPSet"))?;
        Ok(())
    }

    async fn list_ip_sets(&self) -> Result<Vec<WafSummary>> {
        paginate(move |marker| async move {
            let out = self
                .client
                .list_ip_sets()
                .scope(t::Scope::Cloudfront)
                .set_next_marker(marker)
                .limit(100)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListIPSets"))?;
            let page = out.ip_sets();
            let next = next_marker(out.next_marker(), page.len());
            Ok((page.iter().map(|s| summary_of!(s)).collect(), next))
        })
        .await
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
        let s = out.summary().ok_or_else(|| missing(SVC, OP, "Summary"))?;
        let summary = summary_of!(s);
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
        let out = self
            .client
            .get_web_acl()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
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
        let out = self
            .client
            .update_web_acl()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .description(&spec.description)
            .default_action(default_action(spec.default_block))
            .set_rules(Some(to_rules(&spec, OP)?))
            .visibility_config(visibility(name).map_err(build_err(OP))?)
            .lock_token(lock_token)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        Ok(out.next_lock_token().unwrap_or_default().to_owned())
    }

    async fn delete_web_acl(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        self.client
            .delete_web_acl()
            .name(name)
            .scope(t::Scope::Cloudfront)
            .id(id)
            .lock_token(lock_token)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteWebACL"))?;
        Ok(())
    }

    async fn list_web_acls(&self) -> Result<Vec<WafSummary>> {
        paginate(move |marker| async move {
            let out = self
                .client
                .list_web_acls()
                .scope(t::Scope::Cloudfront)
                .set_next_marker(marker)
                .limit(100)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListWebACLs"))?;
            let page = out.web_acls();
            let next = next_marker(out.next_marker(), page.len());
            Ok((page.iter().map(|s| summary_of!(s)).collect(), next))
        })
        .await
    }
}
