//! Web ACL contents both ways: onair's rules and statements to the SDK's and
//! back, the default action and the CloudWatch visibility each rule carries.

use aws_sdk_wafv2::types as t;
use aws_smithy_types::error::operation::BuildError;

use crate::aws::error::AwsError;
use crate::aws::wafv2::*;

use super::build_err;

type Result<T> = std::result::Result<T, AwsError>;

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

pub(super) fn visibility(name: &str) -> std::result::Result<t::VisibilityConfig, BuildError> {
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

pub(super) fn to_rules(spec: &WebAclSpec, op: &'static str) -> Result<Vec<t::Rule>> {
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

pub(super) fn from_rule(r: &t::Rule) -> Option<Rule> {
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

pub(super) fn default_action(block: bool) -> t::DefaultAction {
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
