//! A TokenPolicy's AWS resources as children: the CloudFront key value store
//! (signing keys, revoked sessions), the CloudFront Function that checks
//! tokens (kept published: LIVE runs the desired code), and for WAF
//! revocation a regex pattern set and the web ACL that uses it. Names derive
//! from the policy's uid, so a crash before an id is recorded is recovered by
//! name, never duplicated.

use async_trait::async_trait;

use crate::aws::cloudfront::{CloudFrontApi, Function, FunctionSpec, FunctionStage, KeyValueStore};
use crate::aws::error::AwsError;
use crate::aws::ownership::{Owner, Tags};
use crate::aws::wafv2::{
    MatchField, RegexPatternSet, Rule, RuleAction, Statement, WafApi, WafSummary, WebAcl,
    WebAclSpec,
};

use super::verified::VerifiedContent;
use super::{deletion, found, External};

/// Whether an owner's resource found by name carries its tags (CloudFront
/// names are account-wide: a same-named resource of someone else is not ours).
async fn tagged_by(
    api: &dyn CloudFrontApi,
    owner: &Owner,
    child: &str,
    arn: &str,
) -> Result<bool, AwsError> {
    Ok(found(api.list_tags(arn).await)?.is_some_and(|tags| owner.owns(child, &tags)))
}

// ------------------------------------------------------------------------
// Key value store

pub struct StoreChild<'a> {
    pub api: &'a dyn CloudFrontApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub name: String,
}

impl StoreChild<'_> {
    pub const CHILD: &'static str = "key-value-store";
}

/// Keys can be written once the store is READY (it starts PROVISIONING).
pub fn store_ready(store: &KeyValueStore) -> bool {
    store.status == "READY"
}

#[async_trait]
impl External for StoreChild<'_> {
    type Observed = KeyValueStore;

    fn child(&self) -> &'static str {
        Self::CHILD
    }

    fn id_of(observed: &KeyValueStore) -> String {
        observed.name.clone()
    }

    async fn observe(&self, id: &str) -> Result<Option<KeyValueStore>, AwsError> {
        found(self.api.describe_key_value_store(id).await)
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<KeyValueStore>, AwsError> {
        let Some(store) = found(self.api.describe_key_value_store(&self.name).await)? else {
            return Ok(None);
        };
        Ok(tagged_by(self.api, self.owner, Self::CHILD, &store.arn)
            .await?
            .then_some(store))
    }

    async fn create(&self, _: Option<&str>) -> Result<KeyValueStore, AwsError> {
        let comment = format!(
            "onair TokenPolicy {}/{}: signing keys and revoked sessions",
            self.owner.namespace, self.owner.name
        );
        self.api
            .create_key_value_store(
                &self.name,
                &comment,
                self.owner.tags(Self::CHILD, self.tags),
            )
            .await
    }

    /// Refused while a function is associated with it: `Ok(false)`, try again
    /// once the function is gone.
    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        let Some(store) = found(self.api.describe_key_value_store(id).await)? else {
            return Ok(true);
        };
        deletion(self.api.delete_key_value_store(id, &store.etag).await)
    }
}

// ------------------------------------------------------------------------
// Function

pub struct FunctionChild<'a> {
    pub api: &'a dyn CloudFrontApi,
    /// LIVE code already verified at its ETag: its GetFunction is skipped.
    pub verified: &'a VerifiedContent,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub name: String,
    /// Code and key value store association.
    pub spec: FunctionSpec,
}

/// A function as it stands in both stages.
#[derive(Debug, Clone)]
pub struct FunctionState {
    pub name: String,
    pub arn: String,
    /// DEVELOPMENT: what update and publish start from.
    pub development: FunctionSpec,
    pub development_etag: String,
    /// The code LIVE runs, once published.
    pub live_code: Option<String>,
}

impl FunctionState {
    /// LIVE runs what DEVELOPMENT holds.
    pub fn published(&self) -> bool {
        self.live_code.as_deref() == Some(self.development.code.as_str())
    }
}

impl FunctionChild<'_> {
    pub const CHILD: &'static str = "function";

    /// Both stages, LIVE first: when LIVE already runs the desired code
    /// and configuration (every resync of a settled policy), DEVELOPMENT is
    /// not read. It only matters to a change (its ETag is what update and
    /// publish take), and the next change reads it. LIVE's code is read only
    /// when its ETag has moved since this process last found it as desired
    /// ([`VerifiedContent`]), so a settled function costs one read.
    async fn read(&self, name: &str) -> Result<Option<FunctionState>, AwsError> {
        let live = found(self.api.describe_function(name, FunctionStage::Live).await)?;
        let runs_desired = |live: &Function, code: &str| FunctionState {
            name: live.name.clone(),
            arn: live.arn.clone(),
            development: self.spec.clone(),
            // Never used: nothing is updated or published.
            development_etag: String::new(),
            live_code: Some(code.to_string()),
        };
        let configured = live.as_ref().is_some_and(|live| {
            live.comment == self.spec.comment
                && live.key_value_store_arns == self.spec.key_value_store_arns
        });
        if let Some(live) = live.as_ref().filter(|_| configured) {
            if self.verified.holds(&live.arn, &live.etag, &self.spec.code) {
                return Ok(Some(runs_desired(live, &self.spec.code)));
            }
        }
        let live_code = match &live {
            Some(_) => found(self.api.get_function_code(name, FunctionStage::Live).await)?,
            None => None,
        };
        if let (Some(live), Some(code)) = (&live, &live_code) {
            if configured && code.code == self.spec.code {
                self.verified.record(&live.arn, &live.etag, &code.code);
                return Ok(Some(runs_desired(live, &code.code)));
            }
        }
        let Some(dev) = found(
            self.api
                .describe_function(name, FunctionStage::Development)
                .await,
        )?
        else {
            return Ok(None);
        };
        let code = self
            .api
            .get_function_code(name, FunctionStage::Development)
            .await?;
        Ok(Some(FunctionState {
            name: dev.name,
            arn: dev.arn,
            development: FunctionSpec {
                comment: dev.comment,
                code: code.code,
                key_value_store_arns: dev.key_value_store_arns,
            },
            development_etag: code.etag,
            live_code: live_code.map(|l| l.code),
        }))
    }

    async fn publish(&self, state: FunctionState) -> Result<FunctionState, AwsError> {
        self.api
            .publish_function(&state.name, &state.development_etag)
            .await?;
        Ok(FunctionState {
            live_code: Some(state.development.code.clone()),
            ..state
        })
    }
}

#[async_trait]
impl External for FunctionChild<'_> {
    type Observed = FunctionState;

    fn child(&self) -> &'static str {
        Self::CHILD
    }

    fn id_of(observed: &FunctionState) -> String {
        observed.name.clone()
    }

    async fn observe(&self, id: &str) -> Result<Option<FunctionState>, AwsError> {
        self.read(id).await
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<FunctionState>, AwsError> {
        let Some(state) = self.read(&self.name).await? else {
            return Ok(None);
        };
        Ok(tagged_by(self.api, self.owner, Self::CHILD, &state.arn)
            .await?
            .then_some(state))
    }

    /// Created in DEVELOPMENT and published at once: behaviours can only use
    /// a LIVE function. A crash in between is finished by `update`.
    async fn create(&self, _: Option<&str>) -> Result<FunctionState, AwsError> {
        let created = self
            .api
            .create_function(
                &self.name,
                self.spec.clone(),
                self.owner.tags(Self::CHILD, self.tags),
            )
            .await?;
        let state = FunctionState {
            name: created.name,
            arn: created.arn,
            development: self.spec.clone(),
            development_etag: created.etag,
            live_code: None,
        };
        self.publish(state).await
    }

    fn up_to_date(&self, observed: &FunctionState) -> bool {
        observed.development == self.spec && observed.published()
    }

    /// The code follows the channels' paths and AdInsertions as well as the
    /// spec; a code change alone is not taken for drift.
    fn follows_inputs(&self, observed: &FunctionState) -> bool {
        observed.development.code != self.spec.code
            && observed.development.key_value_store_arns == self.spec.key_value_store_arns
    }

    fn changes(&self, observed: &FunctionState) -> Vec<String> {
        let mut lines = Vec::new();
        if observed.development.code != self.spec.code {
            lines.push(format!(
                "code: {} bytes -> {} bytes",
                observed.development.code.len(),
                self.spec.code.len()
            ));
        }
        if observed.development.key_value_store_arns != self.spec.key_value_store_arns {
            lines.push("keyValueStoreAssociations: changes".into());
        }
        if !observed.published() {
            lines.push("stage: publish to LIVE".into());
        }
        lines
    }

    /// Update DEVELOPMENT if it differs, then publish: CloudFront moves every
    /// behaviour that uses the function to the new code.
    async fn update(&self, observed: FunctionState) -> Result<FunctionState, AwsError> {
        let state = if observed.development == self.spec {
            observed
        } else {
            let updated = self
                .api
                .update_function(
                    &observed.name,
                    self.spec.clone(),
                    &observed.development_etag,
                )
                .await?;
            FunctionState {
                development: self.spec.clone(),
                development_etag: updated.etag,
                live_code: observed.live_code,
                ..observed
            }
        };
        self.publish(state).await
    }

    /// Refused while a distribution uses it: `Ok(false)` until the channels
    /// have dropped it.
    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        let Some(dev) = found(
            self.api
                .describe_function(id, FunctionStage::Development)
                .await,
        )?
        else {
            return Ok(true);
        };
        self.verified.forget(&dev.arn);
        deletion(self.api.delete_function(id, &dev.etag).await)
    }
}

// ------------------------------------------------------------------------
// WAF: the revoked sessions' patterns and the web ACL blocking them

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

#[async_trait]
impl External for PatternSetChild<'_> {
    type Observed = RegexPatternSet;

    fn child(&self) -> &'static str {
        Self::CHILD
    }

    fn id_of(observed: &RegexPatternSet) -> String {
        observed.entity.id.clone()
    }

    async fn observe(&self, id: &str) -> Result<Option<RegexPatternSet>, AwsError> {
        found(self.api.get_regex_pattern_set(&self.name, id).await)
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

#[async_trait]
impl External for WebAclChild<'_> {
    type Observed = WebAcl;

    fn child(&self) -> &'static str {
        Self::CHILD
    }

    fn id_of(observed: &WebAcl) -> String {
        observed.entity.id.clone()
    }

    async fn observe(&self, id: &str) -> Result<Option<WebAcl>, AwsError> {
        found(self.api.get_web_acl(&self.name, id).await)
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<WebAcl>, AwsError> {
        let listed = self.api.list_web_acls().await?;
        match named(&listed, &self.name) {
            Some(s) => found(self.api.get_web_acl(&self.name, &s.entity.id).await),
            None => Ok(None),
        }
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
