//! A TokenPolicy's edge state, pure: the key value store's entries (signing
//! keys and revoked sessions), the writes that bring the store there in an
//! order that never refuses a valid token, and the WAF patterns that block
//! revoked sessions.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;

use crate::api::token_policy::{TokenPolicy, TokenPolicySpec};
use crate::aws::cloudfront::{KvsItem, KVS_MAX_KEYS_PER_UPDATE, KVS_MAX_STORE_BYTES};
use crate::aws::wafv2::limits::{REGEX_PATTERNS_PER_SET, REGEX_PATTERN_MAX_LEN};
use crate::token::config::{key_entry, revoked_entry};
use crate::token::Keys;

/// CloudFront function and key value store names: 1 to 64 letters, digits, `-`, `_`.
pub const NAME_LIMIT: usize = 64;
/// WAF entity names: 1 to 128.
pub const WAF_NAME_LIMIT: usize = 128;

/// The store's desired entries at time `now`: every signing key, and every
/// revoked session with the time its revocation ends. A session keeps the end
/// time it got when first revoked (read back from `current`), so re-listing
/// it does not extend it; an ended revocation stays in the store (ignored by
/// the edge) while the session is listed, so it is not revoked anew.
pub fn store_entries(
    keys: &Keys,
    revoked: &BTreeSet<String>,
    current: &BTreeMap<String, String>,
    now: u64,
    entry_ttl_seconds: u64,
) -> BTreeMap<String, String> {
    let mut entries: BTreeMap<String, String> = keys
        .0
        .iter()
        .map(|(id, key)| {
            (
                key_entry(id),
                base64::engine::general_purpose::STANDARD.encode(key),
            )
        })
        .collect();
    for session in revoked {
        let entry = revoked_entry(session);
        let until = current
            .get(&entry)
            .filter(|v| v.parse::<u64>().is_ok())
            .cloned()
            .unwrap_or_else(|| (now + entry_ttl_seconds).to_string());
        entries.insert(entry, until);
    }
    entries
}

/// How long a revocation is enforced: `entryTtlSeconds`, and never shorter
/// than a token revoked at once can still live at the edge.
pub fn revocation_ttl_seconds(spec: &TokenPolicySpec) -> u64 {
    u64::from(spec.revocation.entry_ttl_seconds).max(
        u64::from(spec.token.max_ttl_seconds) + crate::token::config::NOT_BEFORE_LEEWAY_SECONDS,
    )
}

/// The sessions whose revocation has not ended at `now`.
pub fn enforced_sessions(entries: &BTreeMap<String, String>, now: u64) -> Vec<String> {
    entries
        .iter()
        .filter_map(|(k, v)| {
            let session = k.strip_prefix("r:")?;
            (v.parse::<u64>().ok()? > now).then(|| session.to_string())
        })
        .collect()
}

/// The store's size as CloudFront counts it (keys and values).
pub fn store_bytes(entries: &BTreeMap<String, String>) -> u64 {
    entries
        .iter()
        .map(|(k, v)| (k.len() + v.len()) as u64)
        .sum()
}

/// Whether the entries fit in one store.
pub fn fits_in_store(entries: &BTreeMap<String, String>) -> bool {
    store_bytes(entries) <= KVS_MAX_STORE_BYTES
}

/// One UpdateKeys call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreWrite {
    pub puts: Vec<KvsItem>,
    pub deletes: Vec<String>,
}

/// The calls that turn `current` into `desired`, at most
/// [`KVS_MAX_KEYS_PER_UPDATE`] keys each. Every put comes before any delete,
/// so a new signing key is at the edge before an old one leaves, and a crash
/// between calls leaves a store that accepts at least what both states accept.
pub fn store_writes(
    current: &BTreeMap<String, String>,
    desired: &BTreeMap<String, String>,
) -> Vec<StoreWrite> {
    let puts: Vec<KvsItem> = desired
        .iter()
        .filter(|(k, v)| current.get(*k) != Some(*v))
        .map(|(k, v)| KvsItem {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    let deletes: Vec<String> = current
        .keys()
        .filter(|k| !desired.contains_key(*k))
        .cloned()
        .collect();
    let mut writes: Vec<StoreWrite> = puts
        .chunks(KVS_MAX_KEYS_PER_UPDATE)
        .map(|c| StoreWrite {
            puts: c.to_vec(),
            deletes: Vec::new(),
        })
        .collect();
    writes.extend(deletes.chunks(KVS_MAX_KEYS_PER_UPDATE).map(|c| StoreWrite {
        puts: Vec::new(),
        deletes: c.to_vec(),
    }));
    writes
}

/// Revoked sessions that do not fit in one WAF regex pattern set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{sessions} revoked sessions need {needed} WAF regex patterns, and a pattern set holds {REGEX_PATTERNS_PER_SET} of at most {REGEX_PATTERN_MAX_LEN} characters; shorten the list or use revocation.method KeyValueStore, which holds far more")]
pub struct TooManyForWaf {
    pub sessions: usize,
    pub needed: usize,
}

/// Regex patterns matching a request that carries a token of one of
/// `sessions`: in the path (`/<session>.<jwt>/...`) or in the query
/// (`<parameter>=<session>.<jwt>` or `manifest.<parameter>=...`). The `\.`
/// after the id keeps `abc` from blocking `abcd`. Sessions are packed into as
/// few patterns as fit the length limit.
pub fn waf_patterns(
    sessions: &[String],
    query_parameter: &str,
) -> Result<Vec<String>, TooManyForWaf> {
    let parameter = regex_escape(query_parameter);
    let head = format!("(^/|(^|&)(manifest\\.)?{parameter}=)(");
    let tail = ")\\.";
    let room = REGEX_PATTERN_MAX_LEN - head.len() - tail.len();
    let mut groups: Vec<String> = Vec::new();
    for session in sessions {
        // Session ids are letters, digits, `-` and `_`: nothing to escape.
        match groups.last_mut() {
            Some(group) if group.len() + 1 + session.len() <= room => {
                group.push('|');
                group.push_str(session);
            }
            _ => groups.push(session.clone()),
        }
    }
    if groups.len() > REGEX_PATTERNS_PER_SET || groups.iter().any(|g| g.len() > room) {
        return Err(TooManyForWaf {
            sessions: sessions.len(),
            needed: groups.len(),
        });
    }
    Ok(groups
        .into_iter()
        .map(|g| format!("{head}{g}{tail}"))
        .collect())
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escape = !(c.is_ascii_alphanumeric() || c == '_' || c == '-');
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

/// The TokenPolicy whose check runs at `channel`'s edge: the oldest one
/// naming it that is not being deleted (a later one is refused as claimed
/// elsewhere).
pub fn protecting<'a>(
    policies: &'a [std::sync::Arc<TokenPolicy>],
    channel: &str,
) -> Option<&'a std::sync::Arc<TokenPolicy>> {
    policies
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| names_channel(p, channel))
        .min_by_key(|p| age_key(p))
}

/// Older first; the name breaks ties.
pub fn age_key(tp: &TokenPolicy) -> (Option<jiff::Timestamp>, String) {
    (
        tp.metadata.creation_timestamp.as_ref().map(|t| t.0),
        tp.metadata.name.clone().unwrap_or_default(),
    )
}

/// Whether the policy lists `channel` in its channelRefs.
pub fn names_channel(tp: &TokenPolicy, channel: &str) -> bool {
    tp.spec.channel_refs.iter().any(|c| c.name == channel)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ids: &[&str]) -> Keys {
        Keys(
            ids.iter()
                .map(|id| (id.to_string(), vec![1u8; 32]))
                .collect(),
        )
    }

    fn sessions(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_revocation_keeps_the_end_it_got_when_first_listed() {
        let first = store_entries(
            &keys(&["k1"]),
            &sessions(&["s1"]),
            &BTreeMap::new(),
            1000,
            60,
        );
        assert_eq!(first["r:s1"], "1060");
        assert!(first["k:k1"].len() > 40);
        let later = store_entries(&keys(&["k1"]), &sessions(&["s1", "s2"]), &first, 2000, 60);
        assert_eq!(later["r:s1"], "1060", "not extended by listing it again");
        assert_eq!(later["r:s2"], "2060");
        assert_eq!(enforced_sessions(&later, 2000), ["s2"]);
        let removed = store_entries(&keys(&["k1"]), &sessions(&[]), &later, 2001, 60);
        assert!(!removed.keys().any(|k| k.starts_with("r:")));
        assert!(fits_in_store(&later));
    }

    #[test]
    fn a_revocation_outlives_every_token_it_revokes() {
        let spec = |ttl: u32, max_ttl: u32| -> TokenPolicySpec {
            serde_json::from_value(serde_json::json!({
                "channelRefs": [{"name": "news"}],
                "signingKeys": {"secretRef": {"name": "keys"}, "activeKeyId": "k1"},
                "token": {"maxTtlSeconds": max_ttl},
                "revocation": {"enabled": true, "entryTtlSeconds": ttl}
            }))
            .unwrap()
        };
        assert_eq!(revocation_ttl_seconds(&spec(86400, 3600)), 86400);
        // The schema refuses this spec; the edge would still be safe.
        assert_eq!(
            revocation_ttl_seconds(&spec(60, 3600)),
            3660,
            "max TTL + leeway"
        );
    }

    #[test]
    fn writes_add_before_they_remove_and_respect_the_batch_limit() {
        let current = store_entries(&keys(&["old"]), &BTreeSet::new(), &BTreeMap::new(), 0, 60);
        let many: BTreeSet<String> = (0..120).map(|i| format!("s{i}")).collect();
        let desired = store_entries(&keys(&["new"]), &many, &current, 0, 60);
        let writes = store_writes(&current, &desired);
        assert!(writes
            .iter()
            .all(|w| w.puts.len() + w.deletes.len() <= KVS_MAX_KEYS_PER_UPDATE));
        let last = writes.last().unwrap();
        assert_eq!(last.deletes, ["k:old"]);
        assert!(writes[..writes.len() - 1]
            .iter()
            .all(|w| w.deletes.is_empty()));
        assert_eq!(writes.iter().map(|w| w.puts.len()).sum::<usize>(), 121);
        assert!(
            store_writes(&desired, &desired).is_empty(),
            "steady state writes nothing"
        );
    }

    #[test]
    fn waf_patterns_match_whole_session_ids_in_path_and_query() {
        let patterns = waf_patterns(&["abc".into(), "x_1".into()], "tok.en").unwrap();
        assert_eq!(patterns, [r"(^/|(^|&)(manifest\.)?tok\.en=)(abc|x_1)\."]);
        let matcher = regex::Regex::new(&patterns[0]).unwrap();
        let re = |s: &str| matcher.is_match(s);
        assert!(re("/abc.eyJ/out/v1/a/index.m3u8"));
        assert!(re("tok.en=x_1.eyJ"));
        assert!(re("a=1&manifest.tok.en=abc.eyJ"));
        assert!(
            !re("/abcd.eyJ/out/v1/a/index.m3u8"),
            "a longer id is another session"
        );
        assert!(!re("/out/v1/abc.eyJ"));
    }

    #[test]
    fn too_many_sessions_for_waf_is_an_error_not_a_truncation() {
        let few: Vec<String> = (0..40).map(|i| format!("session-{i:04}")).collect();
        let patterns = waf_patterns(&few, "token").unwrap();
        assert!(patterns.len() <= REGEX_PATTERNS_PER_SET);
        assert!(patterns.iter().all(|p| p.len() <= REGEX_PATTERN_MAX_LEN));
        let many: Vec<String> = (0..400).map(|i| format!("session-{i:04}")).collect();
        let e = waf_patterns(&many, "token").unwrap_err();
        assert_eq!(e.sessions, 400);
        assert!(e.to_string().contains("KeyValueStore"));
    }
}
