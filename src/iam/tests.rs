use std::collections::BTreeSet;

use serde_json::Value;

use super::grant::{is_read, BY_NAME, TAGGING};
use super::roles::partition;
use super::*;
use crate::aws::ownership::Owner;

fn resources(statement: &Value) -> Vec<String> {
    match &statement["Resource"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
        other => panic!("Resource {other}"),
    }
}

fn actions_of(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
        other => panic!("Action {other}"),
    }
}

/// The owner-tag condition on `key` (`aws:RequestTag` or `aws:ResourceTag`).
fn has_owner_tag(statement: &Value, key: &str) -> bool {
    statement["Condition"]["StringLike"][format!("{key}/onair.dev/owner-uid")] == "?*"
}

/// IAM's ARN glob: `*` any run of characters, `?` any one.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.chars().next() {
        None => text.is_empty(),
        Some('*') => (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .any(|i| glob(&pattern[1..], &text[i..])),
        Some(c) => {
            text.chars().next().is_some_and(|t| c == '?' || c == t)
                && glob(
                    &pattern[c.len_utf8()..],
                    &text[text.chars().next().unwrap().len_utf8()..],
                )
        }
    }
}

/// The service roles the sample passes, one of each kind and two for
/// MediaPackage.
const SAMPLE_PASS_ROLES: [&str; 5] = [
    "medialive=arn:aws:iam::123456789012:role/MediaLiveAccessRole",
    "mediapackage=arn:aws:iam::123456789012:role/MediaPackageSecretsRole",
    "mediapackage=arn:aws:iam::123456789012:role/HarvestRole",
    "cloudfront=arn:aws:iam::123456789012:role/CloudFrontRealtimeLogRole",
    "firehose=arn:aws:iam::123456789012:role/FirehoseRole",
];

/// The AwsProvider roles the sample may assume, in two accounts.
const SAMPLE_ASSUME_ROLES: [&str; 2] = [
    "arn:aws:iam::123456789012:role/onair-operator",
    "arn:aws:iam::210987654321:role/onair-operator",
];

fn sample_policy() -> Value {
    let roles: Vec<PassRole> = SAMPLE_PASS_ROLES
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    policy(&roles, &SAMPLE_ASSUME_ROLES.map(String::from), "aws")
}

#[test]
fn the_provider_probes_name_the_actions_that_allow_them_and_the_policy_grants_them() {
    let p = policy(&[], &[], "aws");
    let probed_secret = format!(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:{}-AbCdEf",
        crate::aws::probe::PROBE_SECRET
    );
    for (service, operation, action) in crate::aws::probe::PROBES {
        let allowing = actions(service, operation).expect("an operation of the aws layer");
        assert!(
            allowing.contains(&action),
            "{service:?} {operation}: {allowing:?}"
        );
        // What the probe reads is within what the policy grants: a probe
        // the policy refuses would call a correctly granted identity broken.
        let granted = p["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| actions_of(s).iter().any(|a| a == action))
            .flat_map(resources)
            .any(|r| r == "*" || glob(&r, &probed_secret));
        assert!(
            granted,
            "the policy does not grant {action} on what the probe reads"
        );
    }
}

#[test]
fn every_operation_of_the_aws_layer_has_its_actions() {
    let missing: Vec<String> = operations()
        .into_iter()
        .filter(|(s, op)| actions(*s, op).is_none())
        .map(|(s, op)| format!("{}::{op}", s.name()))
        .collect();
    assert!(missing.is_empty(), "add IAM actions for {missing:?}");
    assert!(operations().len() > 90);
}

#[test]
fn only_reads_and_documented_actions_reach_every_resource() {
    let p = sample_policy();
    let statements = p["Statement"].as_array().unwrap();
    let mut sids = BTreeSet::new();
    for s in statements {
        assert!(sids.insert(s["Sid"].as_str().unwrap()), "Sids are unique");
        assert_eq!(s["Effect"], "Allow");
        assert!(!actions_of(s).is_empty());
        if !resources(s).iter().any(|r| r == "*") {
            continue;
        }
        let tagged = has_owner_tag(s, "aws:RequestTag") || has_owner_tag(s, "aws:ResourceTag");
        let reads = actions_of(s).iter().all(|a| is_read(a));
        let unscopable = actions_of(s).iter().all(|a| UNSCOPED.contains(&a.as_str()));
        assert!(
            tagged || reads || unscopable,
            "{} grants writes on every resource without a tag condition",
            s["Sid"]
        );
    }
    // Nothing but those three kinds: no PassRole or AssumeRole on "*".
    assert!(statements
        .iter()
        .filter(|s| s["Action"] == "iam:PassRole" || s["Action"] == "sts:AssumeRole")
        .all(|s| !resources(s).contains(&"*".to_string())));
    assert!(!p.to_string().contains("\"*:*\""), "no wildcard actions");
}

#[test]
fn creates_carry_and_changes_require_the_owner_tag() {
    let p = sample_policy();
    let statements = p["Statement"].as_array().unwrap();
    let granting = |action: &str| -> &Value {
        let found: Vec<&Value> = statements
            .iter()
            .filter(|s| actions_of(s).iter().any(|a| a == action))
            .collect();
        assert_eq!(found.len(), 1, "{action} is granted once");
        found[0]
    };
    let all: BTreeSet<&str> = operations()
        .into_iter()
        .flat_map(|(s, op)| actions(s, op).unwrap_or_default().iter().copied())
        .collect();
    for action in all {
        let s = granting(action);
        let verb = action.split_once(':').unwrap().1;
        if is_read(action) || UNSCOPED.contains(&action) {
            continue;
        }
        if BY_NAME.contains(&action) {
            assert!(!resources(s).contains(&"*".to_string()), "{action}");
        } else if verb.starts_with("Create")
            || TAGGING.contains(&verb)
            || verb == "PutPlaybackConfiguration"
        {
            assert!(
                has_owner_tag(s, "aws:RequestTag"),
                "{action} needs the tag in the request"
            );
        } else {
            assert!(
                has_owner_tag(s, "aws:ResourceTag"),
                "{action} needs the tag on the resource"
            );
        }
    }
    // The ones that matter most, by name.
    for action in [
        "medialive:DeleteChannel",
        "medialive:StartChannel",
        "medialive:UpdateChannel",
        "medialive:BatchUpdateSchedule",
        "mediapackage:DeleteOriginEndpoint",
        "mediatailor:DeletePlaybackConfiguration",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "wafv2:UpdateWebACL",
        "kinesis:DeleteStream",
        "firehose:DeleteDeliveryStream",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
    ] {
        assert!(
            has_owner_tag(granting(action), "aws:ResourceTag"),
            "{action}"
        );
    }
    for action in [
        "medialive:CreateChannel",
        "medialive:CreateTags",
        "mediapackage:CreateOriginEndpoint",
        "mediatailor:PutPlaybackConfiguration",
        "cloudfront:CreateDistribution",
        "cloudfront:TagResource",
        "secretsmanager:CreateSecret",
    ] {
        assert!(
            has_owner_tag(granting(action), "aws:RequestTag"),
            "{action}"
        );
    }
    // Secrets stay limited to onair's names whatever the verb.
    for action in [
        "secretsmanager:GetSecretValue",
        "secretsmanager:CreateSecret",
    ] {
        assert_eq!(
            resources(granting(action)),
            ["arn:aws:secretsmanager:*:*:secret:onair/*"]
        );
    }
}

#[test]
fn cloudfront_edge_patterns_match_the_names_onair_gives() {
    let p = sample_policy();
    let s = p["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "ChangeCloudFrontEdgeByName")
        .unwrap()
        .clone();
    let patterns = resources(&s);
    let owner = Owner::new(
        "0b3c6a2e-7f5d-4d1a-9c3e-2a1b4c5d6e7f",
        "media",
        "sports.one",
    );
    let long = Owner::new(owner.uid.clone(), "n".repeat(63), "x".repeat(200));
    let arn = |kind: &str, name: &str| format!("arn:aws:cloudfront::123456789012:{kind}/{name}");
    let matched = |arn: &str| patterns.iter().any(|p| glob(p, arn));
    for o in [&owner, &long] {
        let function = o.resource_id("tokens", crate::plan::token_policy::NAME_LIMIT);
        assert!(matched(&arn("function", &function)), "{function}");
        let config = crate::plan::telemetry::config_name(o);
        assert!(matched(&arn("realtime-log-config", &config)), "{config}");
    }
    assert!(!matched(&arn("function", "viewer-request-redirect")));
    assert!(!matched(&arn("realtime-log-config", "all-requests")));
    assert!(!matched(&arn("distribution", "E2QWRUHAPOMQZL")));
}

#[test]
fn pass_role_goes_only_to_the_listed_roles_and_their_service() {
    let p = sample_policy();
    let passing: Vec<&Value> = p["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Action"] == "iam:PassRole")
        .collect();
    assert_eq!(passing.len(), 4, "one statement per service");
    let to = |principal: &str| {
        passing
            .iter()
            .find(|s| s["Condition"]["StringEquals"]["iam:PassedToService"] == principal)
            .map(|s| resources(s))
            .unwrap_or_default()
    };
    assert_eq!(
        to("medialive.amazonaws.com"),
        ["arn:aws:iam::123456789012:role/MediaLiveAccessRole"]
    );
    assert_eq!(
        to("mediapackage.amazonaws.com"),
        [
            "arn:aws:iam::123456789012:role/HarvestRole",
            "arn:aws:iam::123456789012:role/MediaPackageSecretsRole"
        ]
    );
    assert_eq!(to("firehose.amazonaws.com").len(), 1);
    assert_eq!(to("cloudfront.amazonaws.com").len(), 1);
    for s in &passing {
        assert_eq!(
            s["Condition"].as_object().unwrap().len(),
            1,
            "only StringEquals iam:PassedToService"
        );
    }

    let bare = policy(&[], &[], "aws").to_string();
    assert!(!bare.contains("iam:PassRole") && !bare.contains("sts:AssumeRole"));
    assert!(missing_roles_note(&[])
        .unwrap()
        .contains("--pass-role SERVICE=ROLE_ARN"));
    let one: PassRole = "medialive=arn:aws:iam::123456789012:role/ml"
        .parse()
        .unwrap();
    let note = missing_roles_note(&[one]).unwrap();
    assert!(
        note.contains("mediapackage, cloudfront, firehose"),
        "{note}"
    );
    let all: Vec<PassRole> = PassedTo::ALL
        .iter()
        .map(|s| {
            format!("{}=arn:aws:iam::123456789012:role/r", s.name())
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(missing_roles_note(&all), None);
}

#[test]
fn pass_role_arguments_name_a_service_and_a_role() {
    let bare = "arn:aws:iam::123456789012:role/ml"
        .parse::<PassRole>()
        .unwrap_err();
    assert!(bare.contains("SERVICE=ROLE_ARN"), "{bare}");
    let unknown = "s3=arn:aws:iam::123456789012:role/ml"
        .parse::<PassRole>()
        .unwrap_err();
    assert!(
        unknown.contains("medialive, mediapackage, cloudfront, firehose"),
        "{unknown}"
    );
    let not_a_role = "medialive=arn:aws:iam::123456789012:user/ml"
        .parse::<PassRole>()
        .unwrap_err();
    assert!(not_a_role.contains("not an IAM role ARN"), "{not_a_role}");
    // '=' is allowed in role names.
    let odd: PassRole = "mediapackage=arn:aws-us-gov:iam::123456789012:role/a=b"
        .parse()
        .unwrap();
    assert_eq!(odd.service, PassedTo::MediaPackage);
    assert_eq!(odd.arn, "arn:aws-us-gov:iam::123456789012:role/a=b");
    assert!(partition("aws-cn").is_ok() && partition("azure").is_err());
    let gov = policy(&[], &[], "aws-us-gov").to_string();
    assert!(gov.contains("arn:aws-us-gov:secretsmanager:") && !gov.contains("arn:aws:"));
}

#[test]
fn each_part_fits_in_a_managed_policy_and_together_they_are_the_whole() {
    // The sample's five roles to pass and two to assume: what a real
    // deployment's changes part carries.
    let roles: Vec<PassRole> = SAMPLE_PASS_ROLES
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let assume = SAMPLE_ASSUME_ROLES.map(String::from);
    let part = |p| policy_part(p, &roles, &assume, "aws");
    let (changes, reads) = (part(Part::Changes), part(Part::Reads));
    for (name, document) in [("changes", &changes), ("reads", &reads)] {
        // IAM counts a managed policy's characters without whitespace: 6,144.
        let size = document
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .count();
        assert!(size <= 6144, "the {name} policy has {size} characters");
    }
    let statements = |d: &Value| d["Statement"].as_array().unwrap().clone();
    let by_sid = |mut v: Vec<Value>| {
        v.sort_by_key(|s| s["Sid"].to_string());
        v
    };
    let mut together = statements(&changes);
    together.extend(statements(&reads));
    assert_eq!(
        by_sid(together),
        by_sid(statements(&policy(&roles, &assume, "aws")))
    );
    assert!(statements(&reads)
        .iter()
        .all(|s| actions_of(s).iter().all(|a| is_read(a))));
    assert!(statements(&changes)
        .iter()
        .all(|s| actions_of(s).iter().all(|a| !is_read(a))));
    let grants = |d: &Value, action: &str| {
        statements(d)
            .iter()
            .any(|s| actions_of(s).contains(&action.to_string()))
    };
    assert!(grants(&changes, "medialive:StartChannel"));
    assert!(grants(&changes, "iam:PassRole") && grants(&changes, "sts:AssumeRole"));
    assert!(grants(&reads, "medialive:DescribeChannel"));
}
