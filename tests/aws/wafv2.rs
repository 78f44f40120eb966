//! WAFv2 (CLOUDFRONT scope): the revocation web ACL scenario on the simulation and on
//! moto through the real SDK client, and AWS's limits and lock tokens on the
//! simulation.

use std::sync::Arc;

use onair::aws::ownership::Tags;
use onair::aws::sdk::wafv2::SdkWaf;
use onair::aws::sim::Sim;
use onair::aws::wafv2::*;
use onair::aws::ErrorKind;

use crate::moto::Moto;
use crate::scenarios::owner;

/// The session revocation web ACL: block (401) when the URI path or the query string
/// matches a revoked-session pattern, or the client IP is listed.
pub fn revocation_acl(regex_arn: &str, ip_arn: &str) -> WebAclSpec {
    WebAclSpec {
        description: "onair revoked sessions".into(),
        default_block: false,
        rules: vec![
            Rule {
                name: "revoked-sessions".into(),
                priority: 0,
                action: RuleAction::Block { status: Some(401) },
                statement: Statement::Or(vec![
                    Statement::Regex {
                        set_arn: regex_arn.into(),
                        field: MatchField::UriPath,
                    },
                    Statement::Regex {
                        set_arn: regex_arn.into(),
                        field: MatchField::QueryString,
                    },
                ]),
            },
            Rule {
                name: "blocked-ips".into(),
                priority: 1,
                action: RuleAction::Block { status: None },
                statement: Statement::IpSet {
                    set_arn: ip_arn.into(),
                },
            },
        ],
    }
}

/// Sets and the web ACL: create, read with lock tokens, update, refuse a stale token,
/// list, delete in dependency order.
pub async fn waf_revocation(api: Arc<dyn WafApi>) {
    let o = owner();
    let tags = o.tags("waf", &Tags::new());
    let patterns = vec![
        r"^/(s-1|s-2)\.".to_string(),
        r"(^|&)ssn=(s-1|s-2)(&|$)".to_string(),
    ];
    let set = api
        .create_regex_pattern_set(
            "onair-revoked",
            "revoked sessions",
            patterns.clone(),
            tags.clone(),
        )
        .await
        .unwrap();
    assert!(!set.lock_token.is_empty() && set.entity.arn.contains("regexpatternset"));
    let got = api
        .get_regex_pattern_set(&set.entity.name, &set.entity.id)
        .await
        .unwrap();
    assert_eq!(got.patterns, patterns);
    let more = vec![r"^/(s-1|s-2|s-3)\.".to_string()];
    let next = api
        .update_regex_pattern_set(
            &set.entity.name,
            &set.entity.id,
            "revoked sessions",
            more.clone(),
            &got.lock_token,
        )
        .await
        .unwrap();
    assert_ne!(next, got.lock_token);
    let err = api
        .update_regex_pattern_set(
            &set.entity.name,
            &set.entity.id,
            "",
            more.clone(),
            &got.lock_token,
        )
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "a stale lock token is refused: {err}");
    assert_eq!(
        api.get_regex_pattern_set(&set.entity.name, &set.entity.id)
            .await
            .unwrap()
            .patterns,
        more
    );

    let ips = api
        .create_ip_set(
            "onair-blocked",
            "",
            IpVersion::V4,
            vec!["203.0.113.7/32".into()],
            tags.clone(),
        )
        .await
        .unwrap();
    let got_ips = api
        .get_ip_set(&ips.entity.name, &ips.entity.id)
        .await
        .unwrap();
    assert_eq!(got_ips.addresses, vec!["203.0.113.7/32".to_string()]);
    api.update_ip_set(
        &ips.entity.name,
        &ips.entity.id,
        "",
        vec!["203.0.113.7/32".into(), "198.51.100.0/24".into()],
        &got_ips.lock_token,
    )
    .await
    .unwrap();
    assert_eq!(
        api.get_ip_set(&ips.entity.name, &ips.entity.id)
            .await
            .unwrap()
            .addresses
            .len(),
        2
    );

    let spec = revocation_acl(&set.entity.arn, &ips.entity.arn);
    let acl = api
        .create_web_acl("onair-media-news", spec.clone(), tags)
        .await
        .unwrap();
    let got = api
        .get_web_acl(&acl.entity.name, &acl.entity.id)
        .await
        .unwrap();
    assert_eq!(got.spec, spec, "rules read back as written");
    assert_eq!(got.entity.arn, acl.entity.arn);
    let mut fewer = spec.clone();
    fewer.rules.pop();
    let next = api
        .update_web_acl(
            &acl.entity.name,
            &acl.entity.id,
            fewer.clone(),
            &got.lock_token,
        )
        .await
        .unwrap();
    let err = api
        .update_web_acl(
            &acl.entity.name,
            &acl.entity.id,
            fewer.clone(),
            &got.lock_token,
        )
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(
        api.get_web_acl(&acl.entity.name, &acl.entity.id)
            .await
            .unwrap()
            .spec,
        fewer
    );
    assert!(api
        .list_web_acls()
        .await
        .unwrap()
        .iter()
        .any(|s| s.entity.name == "onair-media-news" && s.lock_token == next));
    assert!(api
        .list_regex_pattern_sets()
        .await
        .unwrap()
        .iter()
        .any(|s| s.entity.id == set.entity.id));
    assert!(api
        .list_ip_sets()
        .await
        .unwrap()
        .iter()
        .any(|s| s.entity.id == ips.entity.id));

    api.delete_web_acl(&acl.entity.name, &acl.entity.id, &next)
        .await
        .unwrap();
    let set_now = api
        .get_regex_pattern_set(&set.entity.name, &set.entity.id)
        .await
        .unwrap();
    api.delete_regex_pattern_set(&set.entity.name, &set.entity.id, &set_now.lock_token)
        .await
        .unwrap();
    let ips_now = api
        .get_ip_set(&ips.entity.name, &ips.entity.id)
        .await
        .unwrap();
    api.delete_ip_set(&ips.entity.name, &ips.entity.id, &ips_now.lock_token)
        .await
        .unwrap();
    let err = api
        .get_web_acl(&acl.entity.name, &acl.entity.id)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn sim_waf_revocation() {
    waf_revocation(Sim::default().wafv2()).await;
}

#[tokio::test]
async fn contract_waf_revocation_on_moto() {
    let moto = Moto::start();
    waf_revocation(Arc::new(SdkWaf::new(&moto.clients().await))).await;
}

fn invalid(e: &onair::aws::AwsError) -> bool {
    matches!(e.kind, ErrorKind::InvalidRequest { .. })
}

#[tokio::test]
async fn sim_waf_limits_are_clear_errors() {
    let api = Sim::default().wafv2();
    let eleven: Vec<String> = (0..11).map(|i| format!("^/s{i}\\.")).collect();
    let err = api
        .create_regex_pattern_set("too-many", "", eleven, Tags::new())
        .await
        .unwrap_err();
    assert!(invalid(&err), "{err}");
    assert!(
        err.to_string().contains("WAFLimitsExceededException")
            && err.to_string().contains("at most 10 patterns"),
        "{err}"
    );
    let err = api
        .create_regex_pattern_set("too-long", "", vec!["a".repeat(201)], Tags::new())
        .await
        .unwrap_err();
    assert!(invalid(&err) && err.to_string().contains("200"), "{err}");

    let err = api
        .create_regex_pattern_set("broken", "", vec!["^/(s-1".into()], Tags::new())
        .await
        .unwrap_err();
    assert!(
        invalid(&err) && err.to_string().contains("REGEX_PATTERN"),
        "{err}"
    );

    let set = api
        .create_regex_pattern_set("ok", "", vec!["a".repeat(200)], Tags::new())
        .await
        .unwrap();
    let err = api
        .update_regex_pattern_set(
            "ok",
            &set.entity.id,
            "",
            (0..11).map(|i| i.to_string()).collect(),
            &set.lock_token,
        )
        .await
        .unwrap_err();
    assert!(invalid(&err), "updates obey the same limits: {err}");

    let many: Vec<String> = (0..10_001)
        .map(|i| format!("10.{}.{}.{}/32", i / 65536, (i / 256) % 256, i % 256))
        .collect();
    let err = api
        .create_ip_set("big", "", IpVersion::V4, many, Tags::new())
        .await
        .unwrap_err();
    assert!(invalid(&err) && err.to_string().contains("10000"), "{err}");
    let err = api
        .create_ip_set(
            "v6-in-v4",
            "",
            IpVersion::V4,
            vec!["2001:db8::/32".into()],
            Tags::new(),
        )
        .await
        .unwrap_err();
    assert!(invalid(&err), "{err}");

    for i in 1..10 {
        api.create_regex_pattern_set(&format!("set-{i}"), "", vec![], Tags::new())
            .await
            .unwrap();
    }
    let err = api
        .create_regex_pattern_set("set-11", "", vec![], Tags::new())
        .await
        .unwrap_err();
    assert!(
        invalid(&err) && err.to_string().contains("at most 10 regex pattern sets"),
        "{err}"
    );
    let err = api
        .create_regex_pattern_set("ok", "", vec![], Tags::new())
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "names are unique: {err}");
}

#[tokio::test]
async fn sim_waf_capacity_and_references() {
    let api = Sim::default().wafv2();
    let set = api
        .create_regex_pattern_set("revoked", "", vec!["^/x\\.".into()], Tags::new())
        .await
        .unwrap();
    let ips = api
        .create_ip_set("ips", "", IpVersion::V4, vec![], Tags::new())
        .await
        .unwrap();
    let spec = revocation_acl(&set.entity.arn, &ips.entity.arn);
    assert_eq!(spec.wcu(), 51);
    // 200 regex rules of 25 WCUs each: 5,000 is the most a web ACL may use.
    let big = WebAclSpec {
        rules: (0..201)
            .map(|i| Rule {
                name: format!("r{i}"),
                priority: i,
                action: RuleAction::Count,
                statement: Statement::Regex {
                    set_arn: set.entity.arn.clone(),
                    field: MatchField::UriPath,
                },
            })
            .collect(),
        ..Default::default()
    };
    let err = api
        .create_web_acl("big", big, Tags::new())
        .await
        .unwrap_err();
    assert!(
        invalid(&err) && err.to_string().contains("5025 WCUs"),
        "{err}"
    );

    let mut dangling = spec.clone();
    dangling.rules[1].statement = Statement::IpSet {
        set_arn: "arn:aws:wafv2:us-east-1:123456789012:global/ipset/nope/0".into(),
    };
    let err = api
        .create_web_acl("dangling", dangling, Tags::new())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");

    let acl = api.create_web_acl("acl", spec, Tags::new()).await.unwrap();
    assert_eq!(acl.capacity, 51);
    let err = api
        .delete_regex_pattern_set("revoked", &set.entity.id, &set.lock_token)
        .await
        .unwrap_err();
    assert!(
        err.is_conflict() && err.to_string().contains("WAFAssociatedItemException"),
        "a set in use is kept: {err}"
    );
    let err = api
        .delete_web_acl("acl", &acl.entity.id, "stale")
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    api.delete_web_acl("acl", &acl.entity.id, &acl.lock_token)
        .await
        .unwrap();
    api.delete_regex_pattern_set("revoked", &set.entity.id, &set.lock_token)
        .await
        .unwrap();
}

/// A web ACL attaches through the distribution's config, and cannot be deleted while
/// a distribution names it.
#[tokio::test]
async fn sim_web_acl_attached_to_a_distribution() {
    let sim = Sim::default();
    let (waf, cf) = (sim.wafv2(), sim.cloudfront());
    let set = waf
        .create_regex_pattern_set("revoked", "", vec![], Tags::new())
        .await
        .unwrap();
    let ips = waf
        .create_ip_set("ips", "", IpVersion::V4, vec![], Tags::new())
        .await
        .unwrap();
    let acl = waf
        .create_web_acl(
            "acl",
            revocation_acl(&set.entity.arn, &ips.entity.arn),
            Tags::new(),
        )
        .await
        .unwrap();
    let mut config = crate::cloudfront::distribution_config(&owner(), None);
    config.web_acl_id = Some("arn:aws:wafv2:us-east-1:123456789012:global/webacl/nope/0".into());
    let err = cf
        .create_distribution(config.clone(), Tags::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("InvalidWebACLId"), "{err}");
    config.web_acl_id = Some(acl.entity.arn.clone());
    let d = cf.create_distribution(config, Tags::new()).await.unwrap();
    let err = waf
        .delete_web_acl("acl", &acl.entity.id, &acl.lock_token)
        .await
        .unwrap_err();
    assert!(
        err.is_conflict() && err.to_string().contains(&d.id),
        "{err}"
    );
    let mut detached = d.config.clone();
    detached.web_acl_id = None;
    cf.update_distribution(&d.id, detached, &d.etag)
        .await
        .unwrap();
    waf.delete_web_acl("acl", &acl.entity.id, &acl.lock_token)
        .await
        .unwrap();
}
