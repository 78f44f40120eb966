//! Which statement of the policy grants an action: the owner tag, the actions
//! AWS cannot scope, those limited by name, and the verbs that read or create.

/// The tag every AWS resource onair creates carries ([`Owner::tags`]): the
/// policy lets onair create only what carries it and change or delete only
/// what has it, where AWS can check tags.
///
/// [`Owner::tags`]: crate::aws::ownership::Owner::tags
pub(super) const OWNER_TAG: &str = crate::aws::ownership::TAG_OWNER_UID;

/// The shape of a Kubernetes uid, which ends every name onair derives
/// (`<namespace>-<name>-<child>-<uid>`, [`resource_id`]), in IAM's glob.
///
/// [`resource_id`]: crate::aws::ownership::Owner::resource_id
pub(super) const UID_GLOB: &str = "????????-????-????-????-????????????";

/// Write actions AWS authorizes on `"*"` alone (the Service Authorization
/// Reference lists no resource type for them) and for which onair's requests
/// carry no condition key to check: the only writes on every resource.
pub const UNSCOPED: &[&str] = &[
    // No resource type and no condition key at all.
    "cloudfront:CreateFunction",
    "cloudfront:CreateKeyValueStore",
    "cloudfront:CreateRealtimeLogConfig",
    "kinesis:UpdateShardCount",
    // aws:RequestTag is offered, but onair's CreateHarvestJob carries no tags,
    // so the condition would refuse every job. What it can do is bounded by
    // the role it must pass (iam:PassRole on the listed roles only).
    "mediapackage:CreateHarvestJob",
];

/// CloudFront has no tag condition keys for functions, key value stores and
/// real-time log configurations: these actions are limited by ARN instead.
pub(super) const BY_NAME: &[&str] = &[
    "cloudfront:UpdateFunction",
    "cloudfront:PublishFunction",
    "cloudfront:DeleteFunction",
    "cloudfront:UpdateRealtimeLogConfig",
    "cloudfront:DeleteRealtimeLogConfig",
    "cloudfront:DeleteKeyValueStore",
    "cloudfront-keyvaluestore:UpdateKeys",
];

/// The tagging actions AWS also checks when a create carries tags.
pub(super) const TAGGING: &[&str] = &[
    "TagResource",
    "CreateTags",
    "AddTagsToStream",
    "TagDeliveryStream",
];

/// Which statement of the policy grants an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Grant {
    /// Creates, and the tagging they imply.
    Create,
    /// Changes, starts, stops and deletions of a resource that exists.
    Change,
    SecretCreate,
    SecretChange,
    SecretRead,
    /// See [`BY_NAME`].
    ByName,
    /// See [`UNSCOPED`].
    Unscoped,
    /// Describe, Get and List.
    Read,
}

pub(super) fn is_read(action: &str) -> bool {
    let verb = action.split_once(':').map_or(action, |(_, verb)| verb);
    ["Describe", "Get", "List"]
        .iter()
        .any(|prefix| verb.starts_with(prefix))
}

pub(super) fn grant(action: &str) -> Grant {
    let verb = action.split_once(':').map_or(action, |(_, verb)| verb);
    let creates = verb.starts_with("Create")
        || TAGGING.contains(&verb)
        // An upsert that always sends the whole configuration, tags included.
        || action == "mediatailor:PutPlaybackConfiguration";
    if UNSCOPED.contains(&action) {
        Grant::Unscoped
    } else if action.starts_with("secretsmanager:") {
        if is_read(action) {
            Grant::SecretRead
        } else if creates {
            Grant::SecretCreate
        } else {
            Grant::SecretChange
        }
    } else if BY_NAME.contains(&action) {
        Grant::ByName
    } else if is_read(action) {
        Grant::Read
    } else if creates {
        Grant::Create
    } else {
        Grant::Change
    }
}
