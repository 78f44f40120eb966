//! Simulated WAFv2 (CLOUDFRONT scope): lock tokens that change with every write and
//! refuse stale ones, unique names, AWS's limits (patterns per regex set and their
//! length, addresses per IP set, sets and web ACLs per account, web ACL capacity
//! units), and sets or web ACLs that cannot be deleted while something uses them
//! (a web ACL while a simulated distribution names it).
//!
//! This module holds the state and the ids; the calls, their checks, the rules
//! every entity follows and the errors have their own.

mod api;
mod checks;
mod entity;
mod errors;

use std::collections::BTreeMap;
use std::sync::{Arc, MutexGuard};

use super::{lock, World};
use crate::aws::error::AwsError;
use crate::aws::ownership::Tags;
use crate::aws::wafv2::*;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Default)]
pub(crate) struct State {
    regex: BTreeMap<String, RegexPatternSet>,
    ip: BTreeMap<String, IpSet>,
    pub(super) acls: BTreeMap<String, WebAcl>,
    tags: BTreeMap<String, Tags>,
}

impl State {
    /// Web ACL names (and ids) using the set `arn`.
    fn users_of(&self, arn: &str) -> Vec<String> {
        fn uses(s: &Statement, arn: &str) -> bool {
            match s {
                Statement::Regex { set_arn, .. } | Statement::IpSet { set_arn } => set_arn == arn,
                Statement::Or(v) => v.iter().any(|s| uses(s, arn)),
            }
        }
        self.acls
            .values()
            .filter(|a| a.spec.rules.iter().any(|r| uses(&r.statement, arn)))
            .map(|a| a.entity.name.clone())
            .collect()
    }
}

pub(crate) struct SimWaf(pub(crate) Arc<World>);

impl SimWaf {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.0.wafv2)
    }

    fn token(&self) -> String {
        let n = self.0.next_id();
        format!("{n:08x}-10c4-4e0a-8000-{:012x}", n * 31)
    }

    fn entity(&self, kind: &str, name: &str) -> WafRef {
        let n = self.0.next_id();
        let id = format!("{n:08x}-a1f0-4c2b-9d3e-{:012x}", n * 17);
        WafRef {
            arn: format!(
                "arn:aws:wafv2:us-east-1:{}:global/{kind}/{name}/{id}",
                self.0.account
            ),
            name: name.into(),
            id,
        }
    }
}
