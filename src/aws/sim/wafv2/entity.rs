//! What regex pattern sets, IP sets and web ACLs share: lookups by name and id,
//! lock tokens, unique names under an account limit, tags and summaries, and
//! sets that cannot be deleted while a web ACL uses them.

use std::collections::BTreeMap;

use super::errors::{associated, duplicate, limits_exceeded, nonexistent, stale};
use super::{Result, State};
use crate::aws::ownership::Tags;
use crate::aws::wafv2::*;

/// What regex pattern sets, IP sets and web ACLs share in WAF: a name, id and ARN,
/// a lock token that changes with every write, and a listed summary. The calls on
/// them follow the same rules (unique names, a limit per account, stale tokens
/// refused), written once below over this trait.
pub(super) trait Entity {
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

/// Regex pattern sets and IP sets keep these fields alike.
macro_rules! set_entity {
    ($($set:ty),*) => {$(
        impl Entity for $set {
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
    )*};
}

set_entity!(RegexPatternSet, IpSet);

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
pub(super) fn find<'a, T: Entity>(
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
pub(super) fn check_lock<T: Entity>(op: &'static str, x: &T, lock_token: &str) -> Result<()> {
    if x.lock_token() != lock_token {
        return Err(stale(op));
    }
    Ok(())
}

/// [`find`], then [`check_lock`]: what every update and delete starts with.
pub(super) fn find_current<'a, T: Entity>(
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
pub(super) fn check_new<T: Entity>(
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
pub(super) fn add<T: Entity + Clone>(
    s: &mut State,
    entities: fn(&mut State) -> &mut BTreeMap<String, T>,
    x: T,
    tags: Tags,
) -> T {
    s.tags.insert(x.entity().arn.clone(), tags);
    entities(s).insert(x.entity().id.clone(), x.clone());
    x
}

pub(super) fn summaries<T: Entity>(map: &BTreeMap<String, T>) -> Vec<WafSummary> {
    map.values().map(T::summary).collect()
}

/// Deletes the regex pattern set or IP set `id` from the map `sets` picks, unless a
/// web ACL still uses it.
pub(super) fn delete_set<T: Entity>(
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
