//! Simulated WAFv2 (CLOUDFRONT scope): lock tokens that change with every write and
//! refuse stale ones, unique names, AWS's limits (patterns per regex set and their
//! length, addresses per IP set, sets and web ACLs per account, web ACL capacity
//! units), and sets or web ACLs that cannot be deleted while something uses them
//! (a web ACL while a simulated distribution names it).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, MutexGuard};

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::ownership::Tags;
use crate::aws::wafv2::*;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Default)]
pub(crate) struct State {
    regex: BTreeMap<String, RegexPatternSet>,
    ip: BTreeMap<String, IpSet>,
    acls: BTreeMap<String, WebAcl>,
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

const SVC: &str = "WAFV2";

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new(SVC, op, kind)
}

fn limits_exceeded(op: &'static str, message: impl AsRef<str>) -> AwsError {
    err(
        op,
        ErrorKind::InvalidRequest {
            message: format!(
                "WAFLimitsExceededException: AWS WAF couldn't perform the operation because you exceeded your resource limit. {}",
                message.as_ref()
            ),
        },
    )
}

fn invalid_parameter(op: &'static str, field: &str, message: impl AsRef<str>) -> AwsError {
    err(
        op,
        ErrorKind::InvalidRequest {
            message: format!(
                "WAFInvalidParameterException: Error reason: {}, field: {field}",
                message.as_ref()
            ),
        },
    )
}

fn nonexistent(op: &'static str, what: &str) -> AwsError {
    err(
        op,
        ErrorKind::NotFound {
            message: format!(
                "WAFNonexistentItemException: AWS WAF couldn't perform the operation because your resource doesn't exist ({what})"
            ),
        },
    )
}

fn stale(op: &'static str) -> AwsError {
    err(
        op,
        ErrorKind::Conflict {
            message: "WAFOptimisticLockException: AWS WAF couldn't save your changes because someone changed the resource after you started to edit it. Reapply your changes.".into(),
        },
    )
}

fn associated(op: &'static str, message: String) -> AwsError {
    err(
        op,
        ErrorKind::Conflict {
            message: format!(
                "WAFAssociatedItemException: AWS WAF couldn't perform the operation because your resource is being used by another resource or it's associated with another resource. {message}"
            ),
        },
    )
}

fn duplicate(op: &'static str, name: &str) -> AwsError {
    err(
        op,
        ErrorKind::AlreadyExists {
            message: format!(
                "WAFDuplicateItemException: AWS WAF couldn't perform the operation because some resource in your request is a duplicate of an existing one ({name})"
            ),
        },
    )
}

fn check_name(op: &'static str, name: &str) -> Result<()> {
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

fn check_patterns(op: &'static str, patterns: &[String]) -> Result<()> {
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

fn check_addresses(op: &'static str, version: IpVersion, addresses: &[String]) -> Result<()> {
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

    fn check_acl(&self, op: &'static str, s: &State, spec: &WebAclSpec) -> Result<()> {
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

/// What regex pattern sets, IP sets and web ACLs share in WAF: a name, id and ARN,
/// a lock token that changes with every write, and a listed summary. The calls on
/// them follow the same rules (unique names, a limit per account, stale tokens
/// refused), written once below over this trait.
trait Entity {
    fn entity(&self) -> &WafRef;
    fn description(&self) -> &str;
    fn lock_token(&self) -> &str;

    fn summary(&self) -> WafSummary {
        WafSummary {
            entity: self.entity().clone(),
            description: self.description().to_owned(),
            lock_token: self.lock_token().to_owned(),
        }
    }
}

impl Entity for RegexPatternSet {
    fn entity(&self) -> &WafRef {
        &self.entity
    }
    fn description(&self) -> &str {
        &self.description
    }
    fn lock_token(&self) -> &str {
        &self.lock_token
    }
}

impl Entity for IpSet {
    fn entity(&self) -> &WafRef {
        &self.entity
    }
    fn description(&self) -> &str {
        &self.description
    }
    fn lock_token(&self) -> &str {
        &self.lock_token
    }
}

impl Entity for WebAcl {
    fn entity(&self) -> &WafRef {
        &self.entity
    }
    fn description(&self) -> &str {
        &self.spec.description
    }
    fn lock_token(&self) -> &str {
        &self.lock_token
    }
}

/// The entity `id`, if its name is `name` too (WAF wants both).
fn find<'a, T: Entity>(
    op: &'static str,
    map: &'a mut BTreeMap<String, T>,
    name: &str,
    id: &str,
) -> Result<&'a mut T> {
    map.get_mut(id)
        .filter(|x| x.entity().name == name)
        .ok_or_else(|| nonexistent(op, &format!("{name}/{id}")))
}

/// Refuses a write with a lock token other than the entity's current one.
fn check_lock<T: Entity>(op: &'static str, x: &T, lock_token: &str) -> Result<()> {
    if x.lock_token() != lock_token {
        return Err(stale(op));
    }
    Ok(())
}

/// [`find`], then [`check_lock`]: what every update and delete starts with.
fn find_current<'a, T: Entity>(
    op: &'static str,
    map: &'a mut BTreeMap<String, T>,
    name: &str,
    id: &str,
    lock_token: &str,
) -> Result<&'a mut T> {
    let x = find(op, map, name, id)?;
    check_lock(op, x, lock_token)?;
    Ok(x)
}

/// Refuses a new entity whose name is taken, or one past the account's `limit` of
/// `what` (as AWS words it: "regex pattern sets", "IP sets", "web ACLs").
fn check_new<T: Entity>(
    op: &'static str,
    map: &BTreeMap<String, T>,
    name: &str,
    limit: usize,
    what: &str,
) -> Result<()> {
    if map.values().any(|r| r.entity().name == name) {
        return Err(duplicate(op, name));
    }
    if map.len() >= limit {
        return Err(limits_exceeded(
            op,
            format!("An account has at most {limit} {what} per scope."),
        ));
    }
    Ok(())
}

/// Stores a new entity under its id, with its tags under its ARN, and answers it.
fn add<T: Entity + Clone>(
    s: &mut State,
    entities: fn(&mut State) -> &mut BTreeMap<String, T>,
    x: T,
    tags: Tags,
) -> T {
    s.tags.insert(x.entity().arn.clone(), tags);
    entities(s).insert(x.entity().id.clone(), x.clone());
    x
}

fn summaries<T: Entity>(map: &BTreeMap<String, T>) -> Vec<WafSummary> {
    map.values().map(T::summary).collect()
}

/// Deletes the regex pattern set or IP set `id` from the map `sets` picks, unless a
/// web ACL still uses it.
fn delete_set<T: Entity>(
    op: &'static str,
    s: &mut State,
    sets: fn(&mut State) -> &mut BTreeMap<String, T>,
    name: &str,
    id: &str,
    lock_token: &str,
) -> Result<()> {
    let arn = find_current(op, sets(s), name, id, lock_token)?
        .entity()
        .arn
        .clone();
    let users = s.users_of(&arn);
    if !users.is_empty() {
        return Err(associated(
            op,
            format!("Used by web ACLs: {}", users.join(", ")),
        ));
    }
    sets(s).remove(id);
    s.tags.remove(&arn);
    Ok(())
}

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
        let (entity, lock_token) = (self.entity("regexpatternset", name), self.token());
        let mut s = self.state();
        let limit = limits::REGEX_SETS_PER_ACCOUNT;
        check_new(OP, &s.regex, name, limit, "regex pattern sets")?;
        let set = RegexPatternSet {
            entity,
            description: description.into(),
            patterns,
            lock_token,
        };
        Ok(add(&mut s, |s| &mut s.regex, set, tags))
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
        let (entity, lock_token) = (self.entity("ipset", name), self.token());
        let mut s = self.state();
        check_new(OP, &s.ip, name, limits::IP_SETS_PER_ACCOUNT, "IP sets")?;
        let set = IpSet {
            entity,
            description: description.into(),
            version,
            addresses,
            lock_token,
        };
        Ok(add(&mut s, |s| &mut s.ip, set, tags))
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
        let (entity, lock_token) = (self.entity("webacl", name), self.token());
        let mut s = self.state();
        check_new(OP, &s.acls, name, limits::WEB_ACLS_PER_ACCOUNT, "web ACLs")?;
        self.check_acl(OP, &s, &spec)?;
        let acl = WebAcl {
            entity,
            capacity: spec.wcu(),
            spec,
            lock_token,
        };
        Ok(add(&mut s, |s| &mut s.acls, acl, tags))
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
        let distributions = super::cloudfront::web_acl_ids(&self.0);
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

/// Whether a web ACL with this ARN exists (the CloudFront simulation's check of a
/// distribution's web ACL id).
pub(crate) fn web_acl_exists(world: &World, arn: &str) -> bool {
    lock(&world.wafv2)
        .acls
        .values()
        .any(|a| a.entity.arn == arn)
}
