//! What WAF refuses in a request: names, regex patterns, IP addresses, and web
//! ACL rules (unique names and priorities, sets that exist, capacity units).

use std::net::IpAddr;

use super::errors::{invalid_parameter, limits_exceeded, nonexistent};
use super::{Result, SimWaf, State};
use crate::aws::wafv2::*;

pub(super) fn check_name(op: &'static str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid_parameter(
            op,
            "NAME",
            format!("'{name}' is not 1 to 128 letters, digits, '-' or '_'"),
        ))
    }
}

pub(super) fn check_patterns(op: &'static str, patterns: &[String]) -> Result<()> {
    if patterns.len() > limits::REGEX_PATTERNS_PER_SET {
        return Err(limits_exceeded(
            op,
            format!(
                "A regex pattern set holds at most {} patterns; this one has {}.",
                limits::REGEX_PATTERNS_PER_SET,
                patterns.len()
            ),
        ));
    }
    if let Some(p) = patterns
        .iter()
        .find(|p| p.is_empty() || p.chars().count() > limits::REGEX_PATTERN_MAX_LEN)
    {
        return Err(invalid_parameter(
            op,
            "REGEX_PATTERN",
            format!(
                "a regex pattern has 1 to {} characters; this one has {}",
                limits::REGEX_PATTERN_MAX_LEN,
                p.chars().count()
            ),
        ));
    }
    // AWS WAF refuses what does not compile; like the regex crate, it supports no
    // backreferences or lookaround.
    if let Some((p, e)) = patterns
        .iter()
        .find_map(|p| regex::Regex::new(p).err().map(|e| (p, e)))
    {
        return Err(invalid_parameter(
            op,
            "REGEX_PATTERN",
            format!("'{p}' is not a valid regular expression: {e}"),
        ));
    }
    Ok(())
}

pub(super) fn check_addresses(
    op: &'static str,
    version: IpVersion,
    addresses: &[String],
) -> Result<()> {
    if addresses.len() > limits::IP_SET_MAX_ADDRESSES {
        return Err(limits_exceeded(
            op,
            format!(
                "An IP set holds at most {} addresses; this one has {}.",
                limits::IP_SET_MAX_ADDRESSES,
                addresses.len()
            ),
        ));
    }
    for a in addresses {
        let parsed = a.split_once('/').and_then(|(ip, len)| {
            let ip: IpAddr = ip.parse().ok()?;
            let len: u8 = len.parse().ok()?;
            Some((ip, len))
        });
        let ok = match (parsed, version) {
            (Some((IpAddr::V4(_), len)), IpVersion::V4) => (1..=32).contains(&len),
            (Some((IpAddr::V6(_), len)), IpVersion::V6) => (1..=128).contains(&len),
            _ => false,
        };
        if !ok {
            return Err(invalid_parameter(
                op,
                "IP_ADDRESS",
                format!(
                    "'{a}' is not an {} address in CIDR notation",
                    version.as_aws()
                ),
            ));
        }
    }
    Ok(())
}

impl SimWaf {
    pub(super) fn check_acl(&self, op: &'static str, s: &State, spec: &WebAclSpec) -> Result<()> {
        let mut names = std::collections::BTreeSet::new();
        let mut priorities = std::collections::BTreeSet::new();
        for r in &spec.rules {
            check_name(op, &r.name)?;
            if !names.insert(&r.name) || !priorities.insert(r.priority) {
                return Err(invalid_parameter(
                    op,
                    "RULE",
                    format!("rule names and priorities must be unique ('{}')", r.name),
                ));
            }
            self.check_statement(op, s, &r.statement)?;
        }
        let wcu = spec.wcu();
        if wcu > limits::WEB_ACL_MAX_WCU {
            return Err(limits_exceeded(
                op,
                format!(
                    "The web ACL needs {wcu} WCUs; the maximum is {}.",
                    limits::WEB_ACL_MAX_WCU
                ),
            ));
        }
        Ok(())
    }

    fn check_statement(&self, op: &'static str, s: &State, st: &Statement) -> Result<()> {
        match st {
            Statement::Regex { set_arn, .. } => {
                if !s.regex.values().any(|r| &r.entity.arn == set_arn) {
                    return Err(nonexistent(op, set_arn));
                }
            }
            Statement::IpSet { set_arn } => {
                if !s.ip.values().any(|r| &r.entity.arn == set_arn) {
                    return Err(nonexistent(op, set_arn));
                }
            }
            Statement::Or(v) => {
                if v.len() < 2 {
                    return Err(invalid_parameter(
                        op,
                        "STATEMENT",
                        "an OR statement needs at least two statements",
                    ));
                }
                for st in v {
                    self.check_statement(op, s, st)?;
                }
            }
        }
        Ok(())
    }
}
