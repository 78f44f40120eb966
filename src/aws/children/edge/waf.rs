//! WAF session revocation: the revoked sessions' regex pattern set and the
//! web ACL blocking them.

use async_trait::async_trait;

use crate::aws::children::{deletion, found, External, Located};
use crate::aws::error::AwsError;
use crate::aws::ownership::{Owner, Tags};
use crate::aws::wafv2::{
    MatchField, RegexPatternSet, Rule, RuleAction, Statement, WafApi, WafSummary, WebAcl,
    WebAclSpec,
};

/// WAF ids are recorded; names derive from the owner's uid, so an unrecorded
/// one is found by listing names.
fn named<'s>(listed: &'s [WafSummary], name: &str) -> Option<&'s WafSummary> {
    listed.iter().find(|s| s.entity.name == name)
}

/// A pattern no request with a token can match (`~` is never in a session
/// id): WAF wants at least one pattern in a set, and the set stays while
/// nothing is revoked so the web ACL need not change.
pub const NO_SESSION_PATTERN: &str = r"^/~onair-no-revoked-session~\.";

pub struct PatternSetChild<'a> {
    pub api: &'a dyn WafApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub name: String,
    pub patterns: Vec<String>,
}

impl PatternSetChild<'_> {
    pub const CHILD: &'static str = "revoked-sessions";

    fn desired(&self) -> Vec<String> {
        if self.patterns.is_empty() {
            vec![NO_SESSION_PATTERN.to_string()]
        } else {
            self.patterns.clone()
        }
    }

    fn description(&self) -> String {
        format!(
            "onair TokenPolicy {}/{}: revoked sessions",
            self.owner.namespace, self.owner.name
        )
    }
}

/// Where the revoked sessions' regex pattern set is.
pub struct PatternSetAt<'a> {
    pub api: &'a dyn WafApi,
    pub name: String,
}

#[async_trait]
impl Located for PatternSetAt<'_> {
    type Observed = RegexPatternSet;

    fn child(&self) -> &'static str {
        PatternSetChild::CHILD
    }

    fn id_of(observed: &RegexPatternSet) -> String {
        observed.entity.id.clone()
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<RegexPatternSet>, AwsError> {
        let listed = self.api.list_regex_pattern_sets().await?;
        match named(&listed, &self.name) {
            Some(s) => found(
                self.api
                    .get_regex_pattern_set(&self.name, &s.entity.id)
                    .await,
            ),
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        let Some(set) = found(self.api.get_regex_pattern_set(&self.name, id).await)? else {
            return Ok(true);
        };
        deletion(
            self.api
                .delete_regex_pattern_set(&self.name, id, &set.lock_token)
                .await,
        )
    }
}

#[async_trait]
impl<'a> External for PatternSetChild<'a> {
    type Observed = RegexPatternSet;
    type At = PatternSetAt<'a>;

    fn at(&self) -> PatternSetAt<'a> {
        PatternSetAt {
            api: self.api,
            name: self.name.clone(),
        }
    }

    fn at_rest(&self, _: &RegexPatternSet) -> bool {
        true
    }

    async fn observe(&self, id: &str) -> Result<Option<RegexPatternSet>, AwsError> {
        found(self.api.get_regex_pattern_set(&self.name, id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<RegexPatternSet, AwsError> {
        self.api
            .create_regex_pattern_set(
                &self.name,
                &self.description(),
                self.desired(),
                self.owner.tags(Self::CHILD, self.tags),
            )
            .await
    }

    fn up_to_date(&self, observed: &RegexPatternSet) -> bool {
        observed.patterns == self.desired()
    }

    fn changes(&self, observed: &RegexPatternSet) -> Vec<String> {
        vec![format!(
            "patterns: {} -> {}",
            observed.patterns.len(),
            self.desired().len()
        )]
    }

    /// A stale lock token is a Conflict: the next reconcile reads again.
    async fn update(&self, observed: RegexPatternSet) -> Result<RegexPatternSet, AwsError> {
        let lock_token = self
            .api
            .update_regex_pattern_set(
                &self.name,
                &observed.entity.id,
                &self.description(),
                self.desired(),
                &observed.lock_token,
            )
            .await?;
        Ok(RegexPatternSet {
            patterns: self.desired(),
            lock_token,
            ..observed
        })
    }
}

pub struct WebAclChild<'a> {
    pub api: &'a dyn WafApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub name: String,
    pub spec: WebAclSpec,
}

impl WebAclChild<'_> {
    pub const CHILD: &'static str = "web-acl";

    /// Allow by default; block a token of a revoked session, in the path or
    /// the query, with the policy's failure status.
    pub fn spec_for(owner: &Owner, pattern_set_arn: &str, failure_status: u16) -> WebAclSpec {
        let set = |field| Statement::Regex {
            set_arn: pattern_set_arn.to_string(),
            field,
        };
        WebAclSpec {
            description: format!(
                "onair TokenPolicy {}/{}: session revocation",
                owner.namespace, owner.name
            ),
            default_block: false,
            rules: vec![Rule {
                name: "revoked-sessions".into(),
                priority: 0,
                action: RuleAction::Block {
                    status: Some(failure_status),
                },
                statement: Statement::Or(vec![
                    set(MatchField::UriPath),
                    set(MatchField::QueryString),
                ]),
            }],
        }
    }
}

/// Where the web ACL is.
pub struct WebAclAt<'a> {
    pub api: &'a dyn WafApi,
    pub name: String,
}

#[async_trait]
impl Located for WebAclAt<'_> {
    type Observed = WebAcl;

    fn child(&self) -> &'static str {
        WebAclChild::CHILD
    }

    fn id_of(observed: &WebAcl) -> String {
        observed.entity.id.clone()
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<WebAcl>, AwsError> {
        let listed = self.api.list_web_acls().await?;
        match named(&listed, &self.name) {
            Some(s) => found(self.api.get_web_acl(&self.name, &s.entity.id).await),
            None => Ok(None),
        }
    }

    /// Refused while a distribution uses it: `Ok(false)` until the channels
    /// have dropped it.
    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        let Some(acl) = found(self.api.get_web_acl(&self.name, id).await)? else {
            return Ok(true);
        };
        deletion(
            self.api
                .delete_web_acl(&self.name, id, &acl.lock_token)
                .await,
        )
    }
}

#[async_trait]
impl<'a> External for WebAclChild<'a> {
    type Observed = WebAcl;
    type At = WebAclAt<'a>;

    fn at(&self) -> WebAclAt<'a> {
        WebAclAt {
            api: self.api,
            name: self.name.clone(),
        }
    }

    fn at_rest(&self, _: &WebAcl) -> bool {
        true
    }

    async fn observe(&self, id: &str) -> Result<Option<WebAcl>, AwsError> {
        found(self.api.get_web_acl(&self.name, id).await)
    }

    async fn create(&self, _: Option<&str>) -> Result<WebAcl, AwsError> {
        self.api
            .create_web_acl(
                &self.name,
                self.spec.clone(),
                self.owner.tags(Self::CHILD, self.tags),
            )
            .await
    }

    fn up_to_date(&self, observed: &WebAcl) -> bool {
        observed.spec == self.spec
    }

    fn changes(&self, observed: &WebAcl) -> Vec<String> {
        crate::plan::diff::changes(&format!("{:?}", observed.spec), &format!("{:?}", self.spec))
    }

    async fn update(&self, observed: WebAcl) -> Result<WebAcl, AwsError> {
        let lock_token = self
            .api
            .update_web_acl(
                &self.name,
                &observed.entity.id,
                self.spec.clone(),
                &observed.lock_token,
            )
            .await?;
        Ok(WebAcl {
            spec: self.spec.clone(),
            lock_token,
            ..observed
        })
    }
}
