//! WAFv2 in CLOUDFRONT scope: web ACLs, regex pattern sets and IP sets.
//!
//! WAF entities are addressed by name *and* id, and versioned by lock tokens: every
//! read answers the current `lock_token`, every update and delete takes it, and a stale
//! one is a `Conflict` (`WAFOptimisticLockException`): re-read, recompute, retry.
//! Names are unique per scope, so crash recovery lists and finds by name
//! (WAF creates take no idempotency token; a second create with the same name is
//! `AlreadyExists`).
//!
//! A web ACL attaches to a distribution through the distribution's own configuration
//! (its `web_acl_id` is the web ACL's ARN), not through AssociateWebACL.

use super::error::AwsError;
use super::intercept::aws_api;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// AWS WAF limits (fixed quotas, the same in every account).
pub mod limits {
    /// Regex patterns in one regex pattern set.
    pub const REGEX_PATTERNS_PER_SET: usize = 10;
    /// Characters in one regex pattern.
    pub const REGEX_PATTERN_MAX_LEN: usize = 200;
    /// Regex pattern sets per account and scope.
    pub const REGEX_SETS_PER_ACCOUNT: usize = 10;
    /// Addresses (CIDR) in one IP set.
    pub const IP_SET_MAX_ADDRESSES: usize = 10_000;
    /// IP sets per account and scope.
    pub const IP_SETS_PER_ACCOUNT: usize = 100;
    /// Web ACLs per account and scope.
    pub const WEB_ACLS_PER_ACCOUNT: usize = 100;
    /// Web ACL capacity units: beyond 1,500 AWS bills extra; 5,000 is the maximum.
    pub const WEB_ACL_MAX_WCU: u32 = 5_000;
    pub const WEB_ACL_INCLUDED_WCU: u32 = 1_500;
}

/// Name, id and ARN: what every WAF call needs to find an entity.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WafRef {
    pub name: String,
    pub id: String,
    pub arn: String,
}

/// An entity as listed, with the lock token to change it.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WafSummary {
    pub entity: WafRef,
    pub description: String,
    pub lock_token: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RegexPatternSet {
    pub entity: WafRef,
    pub description: String,
    /// At most [`limits::REGEX_PATTERNS_PER_SET`], each at most
    /// [`limits::REGEX_PATTERN_MAX_LEN`] characters.
    pub patterns: Vec<String>,
    pub lock_token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum IpVersion {
    #[default]
    V4,
    V6,
}

impl IpVersion {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::V4 => "IPV4",
            Self::V6 => "IPV6",
        }
    }
    pub fn from_aws(s: &str) -> Self {
        if s == "IPV6" {
            Self::V6
        } else {
            Self::V4
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct IpSet {
    pub entity: WafRef,
    pub description: String,
    pub version: IpVersion,
    /// CIDR blocks (`203.0.113.7/32`), at most [`limits::IP_SET_MAX_ADDRESSES`].
    pub addresses: Vec<String>,
    pub lock_token: String,
}

/// Where in the request a regex is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum MatchField {
    #[default]
    UriPath,
    QueryString,
}

/// A rule's match condition.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Statement {
    /// The field matches any pattern of the set (no text transformation).
    Regex { set_arn: String, field: MatchField },
    /// The client IP is in the set.
    IpSet { set_arn: String },
    /// Any of the statements matches (at least two).
    Or(Vec<Statement>),
}

impl Statement {
    /// Web ACL capacity units, as AWS counts them: 25 per regex pattern set
    /// reference, 1 per IP set reference, the sum for OR.
    pub fn wcu(&self) -> u32 {
        match self {
            Statement::Regex { .. } => 25,
            Statement::IpSet { .. } => 1,
            Statement::Or(s) => s.iter().map(Statement::wcu).sum(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RuleAction {
    /// Block; `status` overrides the default 403 (such as 401 for a revoked token).
    Block {
        status: Option<u16>,
    },
    Allow,
    Count,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    /// Unique in the web ACL; also its CloudWatch metric name.
    pub name: String,
    /// Lower runs first; unique in the web ACL.
    pub priority: u32,
    pub action: RuleAction,
    pub statement: Statement,
}

/// What onair decides about a web ACL. Metric names follow the rule and ACL names;
/// CloudWatch metrics and sampled requests are on.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WebAclSpec {
    pub description: String,
    /// The action when no rule matches: true = block, false = allow.
    pub default_block: bool,
    pub rules: Vec<Rule>,
}

impl WebAclSpec {
    pub fn wcu(&self) -> u32 {
        self.rules.iter().map(|r| r.statement.wcu()).sum()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WebAcl {
    pub entity: WafRef,
    pub spec: WebAclSpec,
    /// WCUs in use, as WAF computed them.
    pub capacity: u32,
    pub lock_token: String,
}

aws_api! {
    /// WAFv2 in CLOUDFRONT scope, as the reconcilers use it.
    pub trait WafApi: Service::Wafv2;

    /// AlreadyExists for a taken name; InvalidRequest beyond the limits.
    async fn create_regex_pattern_set(&self, name: &str, description: &str, patterns: Vec<String>, tags: Tags) -> Result<RegexPatternSet>;
    async fn get_regex_pattern_set(&self, name: &str, id: &str) -> Result<RegexPatternSet>;
    /// Replaces the patterns; answers the next lock token.
    async fn update_regex_pattern_set(&self, name: &str, id: &str, description: &str, patterns: Vec<String>, lock_token: &str) -> Result<String>;
    /// Conflict while a web ACL uses it.
    async fn delete_regex_pattern_set(&self, name: &str, id: &str, lock_token: &str) -> Result<()>;
    async fn list_regex_pattern_sets(&self) -> Result<Vec<WafSummary>>;

    async fn create_ip_set(&self, name: &str, description: &str, version: IpVersion, addresses: Vec<String>, tags: Tags) -> Result<IpSet>;
    async fn get_ip_set(&self, name: &str, id: &str) -> Result<IpSet>;
    async fn update_ip_set(&self, name: &str, id: &str, description: &str, addresses: Vec<String>, lock_token: &str) -> Result<String>;
    async fn delete_ip_set(&self, name: &str, id: &str, lock_token: &str) -> Result<()>;
    async fn list_ip_sets(&self) -> Result<Vec<WafSummary>>;

    async fn create_web_acl(&self, name: &str, spec: WebAclSpec, tags: Tags) -> Result<WebAcl>;
    async fn get_web_acl(&self, name: &str, id: &str) -> Result<WebAcl>;
    /// Replaces the whole web ACL; answers the next lock token.
    async fn update_web_acl(&self, name: &str, id: &str, spec: WebAclSpec, lock_token: &str) -> Result<String>;
    /// Conflict while a distribution uses it (remove it from the distribution first).
    async fn delete_web_acl(&self, name: &str, id: &str, lock_token: &str) -> Result<()>;
    async fn list_web_acls(&self) -> Result<Vec<WafSummary>>;
}
