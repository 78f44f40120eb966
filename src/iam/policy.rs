//! The policy documents: one statement per grant, then iam:PassRole per
//! service and sts:AssumeRole for AwsProvider roles, in two parts (see
//! [`Part`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::actions::{actions, operations};
use super::grant::{grant, Grant, OWNER_TAG, UID_GLOB};
use super::roles::{PassRole, PassedTo};

/// Which of the two documents a statement is in. IAM caps a managed policy
/// at 6,144 characters (whitespace not counted), and onair's calls need more:
/// the reads (Describe, Get and List on `*`, and the reads of onair's
/// secrets) are one policy and everything that changes something the other,
/// both attached to the operator's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// Creates, changes, deletions, iam:PassRole and sts:AssumeRole.
    Changes,
    /// Describe, Get and List calls.
    Reads,
}

/// One part of the policy (see [`Part`]), with the arguments of [`policy`].
pub fn policy_part(
    part: Part,
    pass_roles: &[PassRole],
    assume_roles: &[String],
    partition: &str,
) -> Value {
    let mut document = policy(pass_roles, assume_roles, partition);
    let reads = [READ_SID, SECRET_READ_SID];
    if let Some(statements) = document["Statement"].as_array_mut() {
        statements.retain(|s| {
            let read = reads.iter().any(|sid| s["Sid"] == *sid);
            read == (part == Part::Reads)
        });
    }
    document
}

const READ_SID: &str = "DescribeAndList";
const SECRET_READ_SID: &str = "ReadOnairSecrets";

/// The whole policy, both parts in one document (what tests check whole).
/// `pass_roles`: the service roles onair may hand to
/// AWS services (none: no iam:PassRole at all); `assume_roles`: AwsProvider
/// roles the operator may assume (none: no sts:AssumeRole at all);
/// `partition`: of the ARNs (`aws`, `aws-cn`, `aws-us-gov`).
pub fn policy(pass_roles: &[PassRole], assume_roles: &[String], partition: &str) -> Value {
    let mut by_grant: BTreeMap<Grant, BTreeSet<&'static str>> = BTreeMap::new();
    for (service, operation) in operations() {
        for action in actions(service, operation).unwrap_or_default() {
            by_grant.entry(grant(action)).or_default().insert(action);
        }
    }
    let owner_tag = |key: &str| json!({"StringLike": {format!("{key}/{OWNER_TAG}"): "?*"}});
    // onair names every secret it creates onair/...: nothing else is
    // readable or writable.
    let secrets = json!(format!("arn:{partition}:secretsmanager:*:*:secret:onair/*"));
    let mut statements: Vec<Value> = by_grant
        .into_iter()
        .map(|(grant, actions)| {
            let (sid, resource, condition) = match grant {
                // The resource does not exist yet, so AWS authorizes these on
                // "*" (or a wildcard id): what limits them is that the request
                // carries onair's owner tag. aws:TagKeys (the keys a request
                // sets) could only say the same, since user tags are free.
                Grant::Create => (
                    "CreateOnlyWithOnairOwnerTag",
                    json!("*"),
                    Some(owner_tag("aws:RequestTag")),
                ),
                // Only what onair created (adopted resources carry the tag by
                // definition: that is how onair recognizes them).
                Grant::Change => (
                    "ChangeOnlyOnairTagged",
                    json!("*"),
                    Some(owner_tag("aws:ResourceTag")),
                ),
                Grant::SecretCreate => (
                    "CreateOnairSecrets",
                    secrets.clone(),
                    Some(owner_tag("aws:RequestTag")),
                ),
                Grant::SecretChange => (
                    "ChangeOnairSecrets",
                    secrets.clone(),
                    Some(owner_tag("aws:ResourceTag")),
                ),
                // Reads probe names that may not exist yet (see Read), so no
                // tag condition; the name limits them to onair's secrets.
                Grant::SecretRead => (SECRET_READ_SID, secrets.clone(), None),
                // Functions and real-time log configurations by the names
                // onair gives them (`...-tokens-<uid>`, `...-cmcd-<uid>`); key
                // value stores have ARNs by random id, so only their type.
                Grant::ByName => (
                    "ChangeCloudFrontEdgeByName",
                    json!([
                        format!("arn:{partition}:cloudfront::*:function/*tokens-{UID_GLOB}"),
                        format!(
                            "arn:{partition}:cloudfront::*:realtime-log-config/*cmcd-{UID_GLOB}"
                        ),
                        format!("arn:{partition}:cloudfront::*:key-value-store/*"),
                    ]),
                    None,
                ),
                Grant::Unscoped => ("NoResourceLevelPermissions", json!("*"), None),
                // List* calls are authorized on "*" only. Describe and Get on
                // "*" too, without a tag condition: onair probes the ids it
                // derives before creating (and after deleting), and a tag
                // condition on a resource that does not exist answers
                // AccessDenied where onair needs NotFound. They read
                // configuration; the secrets they could read are above.
                Grant::Read => (READ_SID, json!("*"), None),
            };
            let mut statement = json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions.into_iter().collect::<Vec<_>>(),
                "Resource": resource,
            });
            if let Some(condition) = condition {
                statement["Condition"] = condition;
            }
            statement
        })
        .collect();
    // Each service role goes to the service that assumes it, and no other
    // role anywhere: a role ARN in a namespaced object cannot lend the
    // operator's rights to a role of its choosing.
    for service in PassedTo::ALL {
        let arns: BTreeSet<&str> = pass_roles
            .iter()
            .filter(|r| r.service == service)
            .map(|r| r.arn.as_str())
            .collect();
        if !arns.is_empty() {
            statements.push(json!({
                "Sid": service.sid(),
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": arns,
                "Condition": {"StringEquals": {"iam:PassedToService": service.principal()}},
            }));
        }
    }
    if !assume_roles.is_empty() {
        let arns: BTreeSet<&str> = assume_roles.iter().map(String::as_str).collect();
        statements.push(json!({
            "Sid": "AssumeAwsProviderRoles",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": arns,
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}
