//! Who owns an AWS resource, and the names and tokens derived from it.
//!
//! Everything onair creates carries owner tags, and every create call carries an
//! idempotency token (or a caller-chosen id) derived from the owning object's uid: a
//! retry after a crash between "AWS created it" and "onair recorded it" then finds or
//! returns the same resource instead of making a second one. One helper for both, so
//! the token, the id and the tags never disagree.

use std::collections::BTreeMap;

/// Tags as onair passes them to every service (converted to each service's shape by
/// its adapter).
pub type Tags = BTreeMap<String, String>;

pub const TAG_OWNER_UID: &str = "onair.dev/owner-uid";
pub const TAG_NAMESPACE: &str = "onair.dev/namespace";
pub const TAG_NAME: &str = "onair.dev/name";
/// Which child of the owner this resource is (`input`, `channel`, `hls`...), so that
/// crash recovery by tag can tell siblings apart.
pub const TAG_CHILD: &str = "onair.dev/child";

/// The Kubernetes object that owns AWS resources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub uid: String,
    pub namespace: String,
    pub name: String,
}

/// Tags AWS takes on one resource.
pub const AWS_TAG_LIMIT: usize = 50;
/// The owner tags [`Owner::tags`] adds to every resource.
pub const OWNER_TAG_COUNT: usize = 4;

/// The tags of an object's resources before the owner tags: its AwsProvider's,
/// then the object's own (which win on the same key). Each side fits the
/// schema's 40, together they may not fit AWS's 50: the error is the sentence
/// for the object's Ready=False condition, given before any AWS call.
pub fn merge_tags(
    provider: &crate::api::common::Tags,
    own: &crate::api::common::Tags,
) -> Result<crate::api::common::Tags, String> {
    let mut tags = provider.clone();
    tags.extend(own.clone());
    let total = tags.len() + OWNER_TAG_COUNT;
    if total > AWS_TAG_LIMIT {
        return Err(format!(
            "the AwsProvider's tags ({}) and this object's spec.tags ({}) make {} distinct tags, and onair adds {OWNER_TAG_COUNT}: {total} is over AWS's {AWS_TAG_LIMIT} per resource; remove at least {} of them",
            provider.len(),
            own.len(),
            tags.len(),
            total - AWS_TAG_LIMIT
        ));
    }
    Ok(tags)
}

impl Owner {
    pub fn new(
        uid: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            uid: uid.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// Tags for the child resource `child`: the provider's and user's `extra` tags,
    /// then the owner tags, which win so nobody can forge or drop ownership.
    pub fn tags(&self, child: &str, extra: &Tags) -> Tags {
        let mut tags = extra.clone();
        tags.insert(TAG_OWNER_UID.into(), self.uid.clone());
        tags.insert(TAG_NAMESPACE.into(), self.namespace.clone());
        tags.insert(TAG_NAME.into(), self.name.clone());
        tags.insert(TAG_CHILD.into(), child.into());
        tags
    }

    /// Whether `tags` say the resource is this owner's child `child`.
    pub fn owns(&self, child: &str, tags: &Tags) -> bool {
        tags.get(TAG_OWNER_UID) == Some(&self.uid)
            && tags.get(TAG_CHILD).map(String::as_str) == Some(child)
    }

    /// Idempotency token for creating `child`: MediaLive RequestId, CloudFront
    /// CallerReference, Secrets Manager ClientRequestToken (32 to 64 characters,
    /// which a uid plus a short child name fits). The uid is unique over the
    /// cluster's lifetime, so a deleted and recreated object gets new resources.
    pub fn token(&self, child: &str) -> String {
        let mut t = format!("{}-{}", self.uid, sanitize(child));
        t.truncate(64);
        t
    }

    /// Caller-chosen resource id (MediaPackage channels and endpoints, MediaTailor
    /// configurations): unique per account and region, so derived from the uid;
    /// letters, digits, `-` and `_` only, and at most `max_len` long. The readable
    /// `namespace-name` prefix is shortened first; the uid is never cut.
    pub fn resource_id(&self, child: &str, max_len: usize) -> String {
        let tail = format!("-{}-{}", sanitize(child), sanitize(&self.uid));
        let budget = max_len.saturating_sub(tail.len());
        let mut head = sanitize(&format!("{}-{}", self.namespace, self.name));
        head.truncate(budget);
        let head = head.trim_end_matches('-');
        if head.is_empty() {
            tail[1..].chars().take(max_len).collect()
        } else {
            format!("{head}{tail}")
        }
    }

    /// Readable name (MediaLive channel and input names, which AWS does not require
    /// to be unique): `namespace-name-child`, cut to `max_len`.
    pub fn display_name(&self, child: &str, max_len: usize) -> String {
        let mut n = sanitize(&format!("{}-{}-{}", self.namespace, self.name, child));
        n.truncate(max_len);
        n
    }
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(prefix: &str, n: usize) -> crate::api::common::Tags {
        (0..n)
            .map(|i| (format!("{prefix}{i}"), "v".into()))
            .collect()
    }

    #[test]
    fn merged_tags_must_leave_room_for_the_owner_tags() {
        // The object's value wins on a shared key; shared keys count once.
        let mut own = tags("own-", 1);
        own.insert("team".into(), "object".into());
        let mut provider = tags("provider-", 1);
        provider.insert("team".into(), "provider".into());
        let merged = merge_tags(&provider, &own).unwrap();
        assert_eq!(merged.len(), 3);
        assert_eq!(merged["team"], "object");
        assert_eq!(merge_tags(&tags("p", 40), &tags("o", 6)).unwrap().len(), 46);
        assert_eq!(
            merge_tags(&tags("x", 40), &tags("x", 40)).unwrap().len(),
            40
        );
        let refused = merge_tags(&tags("p", 30), &tags("o", 20)).unwrap_err();
        assert!(
            refused.contains("(30)") && refused.contains("(20)"),
            "{refused}"
        );
        assert!(refused.contains("54 is over AWS's 50"), "{refused}");
        assert!(refused.contains("remove at least 4"), "{refused}");
    }

    fn owner() -> Owner {
        Owner::new(
            "0b3c6a2e-7f5d-4d1a-9c3e-2a1b4c5d6e7f",
            "media",
            "sports.one",
        )
    }

    #[test]
    fn ids_and_tokens_are_deterministic_and_within_aws_rules() {
        let o = owner();
        assert_eq!(o.token("channel"), o.token("channel"));
        assert_ne!(o.token("channel"), o.token("input"));
        assert!((32..=64).contains(&o.token("channel").len()));
        let id = o.resource_id("hls", 64);
        assert_eq!(
            id,
            "media-sports-one-hls-0b3c6a2e-7f5d-4d1a-9c3e-2a1b4c5d6e7f"
        );
        let long = Owner::new(o.uid.clone(), "n".repeat(63), "x".repeat(200));
        let id = long.resource_id("hls", 64);
        assert!(id.len() <= 64 && id.ends_with(&o.uid), "{id}");
        assert!(id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn owner_tags_win_over_user_tags() {
        let o = owner();
        let mut extra = Tags::new();
        extra.insert(TAG_OWNER_UID.into(), "forged".into());
        extra.insert("team".into(), "video".into());
        let tags = o.tags("channel", &extra);
        assert_eq!(tags[TAG_OWNER_UID], o.uid);
        assert_eq!(tags["team"], "video");
        assert!(o.owns("channel", &tags));
        assert!(!o.owns("input", &tags));
    }
}
