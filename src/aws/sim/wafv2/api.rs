//! The WAFv2 calls on regex pattern sets, IP sets and web ACLs (a web ACL
//! cannot be deleted while a simulated distribution names it).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::checks::{check_addresses, check_name, check_patterns};
use super::entity::{
    add, check_lock, check_new, delete_set, find, find_current, summaries, Entity,
};
use super::errors::associated;
use super::{Result, SimWaf, State};
use crate::aws::ownership::Tags;
use crate::aws::sim::web_acl_link;
use crate::aws::wafv2::*;

#[async_trait]
impl WafApi for SimWaf {
    async fn create_regex_pattern_set(
        &self,
        name: &str,
        description: &str,
        patterns: Vec<String>,
        tags: Tags,
    ) -> Result<RegexPatternSet> {
        const OP: &str = "create_regex_pattern_set";
        check_name(OP, name)?;
        check_patterns(OP, &patterns)?;
        let kind = Kind {
            arn: "regexpatternset",
            entities: |s| &mut s.regex,
            limit: limits::REGEX_SETS_PER_ACCOUNT,
            what: "regex pattern sets",
        };
        self.create(OP, kind, name, tags, |_, entity, lock_token| {
            Ok(RegexPatternSet {
                entity,
                description: description.into(),
                patterns,
                lock_token,
            })
        })
    }

    async fn get_regex_pattern_set(&self, name: &str, id: &str) -> Result<RegexPatternSet> {
        let mut s = self.state();
        Ok(find("get_regex_pattern_set", &mut s.regex, name, id)?.clone())
    }

    async fn update_regex_pattern_set(
        &self,
        name: &str,
        id: &str,
        description: &str,
        patterns: Vec<String>,
        lock_token: &str,
    ) -> Result<String> {
        const OP: &str = "update_regex_pattern_set";
        check_patterns(OP, &patterns)?;
        let next = self.token();
        let mut s = self.state();
        let set = find_current(OP, &mut s.regex, name, id, lock_token)?;
        set.description = description.into();
        set.patterns = patterns;
        set.lock_token = next.clone();
        Ok(next)
    }

    async fn delete_regex_pattern_set(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        const OP: &str = "delete_regex_pattern_set";
        delete_set(
            OP,
            &mut self.state(),
            |s| &mut s.regex,
            name,
            id,
            lock_token,
        )
    }

    async fn list_regex_pattern_sets(&self) -> Result<Vec<WafSummary>> {
        Ok(summaries(&self.state().regex))
    }

    async fn create_ip_set(
        &self,
        name: &str,
        description: &str,
        version: IpVersion,
        addresses: Vec<String>,
        tags: Tags,
    ) -> Result<IpSet> {
        const OP: &str = "create_ip_set";
        check_name(OP, name)?;
        check_addresses(OP, version, &addresses)?;
        let kind = Kind {
            arn: "ipset",
            entities: |s| &mut s.ip,
            limit: limits::IP_SETS_PER_ACCOUNT,
            what: "IP sets",
        };
        self.create(OP, kind, name, tags, |_, entity, lock_token| {
            Ok(IpSet {
                entity,
                description: description.into(),
                version,
                addresses,
                lock_token,
            })
        })
    }

    async fn get_ip_set(&self, name: &str, id: &str) -> Result<IpSet> {
        let mut s = self.state();
        Ok(find("get_ip_set", &mut s.ip, name, id)?.clone())
    }

    async fn update_ip_set(
        &self,
        name: &str,
        id: &str,
        description: &str,
        addresses: Vec<String>,
        lock_token: &str,
    ) -> Result<String> {
        const OP: &str = "update_ip_set";
        let next = self.token();
        let mut s = self.state();
        let set = find(OP, &mut s.ip, name, id)?;
        check_addresses(OP, set.version, &addresses)?;
        check_lock(OP, set, lock_token)?;
        set.description = description.into();
        set.addresses = addresses;
        set.lock_token = next.clone();
        Ok(next)
    }

    async fn delete_ip_set(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        const OP: &str = "delete_ip_set";
        delete_set(OP, &mut self.state(), |s| &mut s.ip, name, id, lock_token)
    }

    async fn list_ip_sets(&self) -> Result<Vec<WafSummary>> {
        Ok(summaries(&self.state().ip))
    }

    async fn create_web_acl(&self, name: &str, spec: WebAclSpec, tags: Tags) -> Result<WebAcl> {
        const OP: &str = "create_web_acl";
        check_name(OP, name)?;
        let kind = Kind {
            arn: "webacl",
            entities: |s| &mut s.acls,
            limit: limits::WEB_ACLS_PER_ACCOUNT,
            what: "web ACLs",
        };
        self.create(OP, kind, name, tags, |s, entity, lock_token| {
            self.check_acl(OP, s, &spec)?;
            Ok(WebAcl {
                entity,
                capacity: spec.wcu(),
                spec,
                lock_token,
            })
        })
    }

    async fn get_web_acl(&self, name: &str, id: &str) -> Result<WebAcl> {
        let mut s = self.state();
        Ok(find("get_web_acl", &mut s.acls, name, id)?.clone())
    }

    async fn update_web_acl(
        &self,
        name: &str,
        id: &str,
        spec: WebAclSpec,
        lock_token: &str,
    ) -> Result<String> {
        const OP: &str = "update_web_acl";
        let next = self.token();
        let mut s = self.state();
        find(OP, &mut s.acls, name, id)?;
        self.check_acl(OP, &s, &spec)?;
        let acl = find_current(OP, &mut s.acls, name, id, lock_token)?;
        acl.capacity = spec.wcu();
        acl.spec = spec;
        acl.lock_token = next.clone();
        Ok(next)
    }

    async fn delete_web_acl(&self, name: &str, id: &str, lock_token: &str) -> Result<()> {
        const OP: &str = "delete_web_acl";
        // Read before taking the WAF lock: the CloudFront simulation takes its own
        // lock, then WAF's (to check web ACL ids), never the other way round.
        let distributions = web_acl_link::web_acl_ids(&self.0);
        let mut s = self.state();
        let acl = find_current(OP, &mut s.acls, name, id, lock_token)?;
        let arn = acl.entity.arn.clone();
        let users: Vec<_> = distributions
            .into_iter()
            .filter(|(_, acl)| *acl == arn)
            .map(|(id, _)| id)
            .collect();
        if !users.is_empty() {
            return Err(associated(
                OP,
                format!("Used by CloudFront distributions: {}", users.join(", ")),
            ));
        }
        s.acls.remove(id);
        s.tags.remove(&arn);
        Ok(())
    }

    async fn list_web_acls(&self) -> Result<Vec<WafSummary>> {
        Ok(summaries(&self.state().acls))
    }
}

/// One kind of entity: its ARN segment, where the state keeps it, and the
/// account's limit of it (as AWS words it: "regex pattern sets", "IP sets").
struct Kind<T> {
    arn: &'static str,
    entities: fn(&mut State) -> &mut BTreeMap<String, T>,
    limit: usize,
    what: &'static str,
}

impl SimWaf {
    /// What every create does once its request is checked: a new id and lock
    /// token, a name not yet taken and room under the account's limit, then
    /// `build` (which may still refuse, seeing the state) and storage with tags.
    fn create<T: Entity + Clone>(
        &self,
        op: &'static str,
        kind: Kind<T>,
        name: &str,
        tags: Tags,
        build: impl FnOnce(&State, WafRef, String) -> Result<T>,
    ) -> Result<T> {
        let (entity, lock_token) = (self.entity(kind.arn, name), self.token());
        let mut s = self.state();
        check_new(op, (kind.entities)(&mut s), name, kind.limit, kind.what)?;
        let x = build(&s, entity, lock_token)?;
        Ok(add(&mut s, kind.entities, x, tags))
    }
}
