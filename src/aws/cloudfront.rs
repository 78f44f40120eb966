//! CloudFront: distributions, functions, key value stores (and their keys, through the
//! separate CloudFront KeyValueStore data API), real-time log configurations, and the
//! managed cache / origin request / response headers policies.
//!
//! Optimistic concurrency is explicit: every read of something CloudFront versions
//! (distributions, functions, key value stores and their keys) answers its `etag`, and
//! every change takes the ETag it was computed from as `if_match`. A stale ETag is a
//! `Conflict` (AWS's `PreconditionFailed`, or `ConflictException` for key value store
//! data): re-read and compute the change again. Reads never hide an ETag from callers
//! and the adapters never re-read behind a caller's back, so a reconciler cannot
//! overwrite a change it has not seen.

use std::fmt;

use super::error::AwsError;
use super::intercept::aws_api;
use super::ownership::Tags;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// At most this many cache behaviours (besides the default one) per distribution.
pub const MAX_CACHE_BEHAVIORS: usize = 75;
/// CloudFront Functions: code size limit.
pub const MAX_FUNCTION_CODE_BYTES: usize = 10 * 1024;
/// Key value store data: keys and values per UpdateKeys call, key and value sizes,
/// and the whole store.
pub const KVS_MAX_KEYS_PER_UPDATE: usize = 50;
pub const KVS_MAX_KEY_BYTES: usize = 512;
pub const KVS_MAX_VALUE_BYTES: usize = 1024;
pub const KVS_MAX_STORE_BYTES: u64 = 5 * 1024 * 1024;
/// The only runtime onair uses (`crypto.createHmac`, key value stores).
pub const FUNCTION_RUNTIME: &str = "cloudfront-js-2.0";

// --------------------------------------------------------------------------------
// Distributions

/// A header CloudFront adds to every request to an origin. Values are usually
/// secrets (MediaPackage CDN authorization's `X-MediaPackage-CDNIdentifier`), so
/// `Debug` never prints them.
#[derive(Clone, PartialEq, Eq, Default, serde::Deserialize)]
pub struct OriginHeader {
    pub name: String,
    pub value: String,
}

/// Rendered (`onair render`) with the value hidden, as `Debug` prints it; only
/// the simulation's wire ([`super::secret::exposed_on_wire`]) carries it.
impl serde::Serialize for OriginHeader {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut header = serializer.serialize_struct("OriginHeader", 2)?;
        header.serialize_field("name", &self.name)?;
        header.serialize_field("value", super::secret::shown(&self.value))?;
        header.end()
    }
}

impl fmt::Debug for OriginHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginHeader")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// How CloudFront connects to a custom origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginProtocol {
    HttpOnly,
    MatchViewer,
    #[default]
    HttpsOnly,
}

impl OriginProtocol {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::HttpOnly => "http-only",
            Self::MatchViewer => "match-viewer",
            Self::HttpsOnly => "https-only",
        }
    }
    pub fn from_aws(s: &str) -> Self {
        match s {
            "http-only" => Self::HttpOnly,
            "match-viewer" => Self::MatchViewer,
            _ => Self::HttpsOnly,
        }
    }
}

/// A custom origin (MediaPackage endpoint host, MediaTailor hosts). The adapter sends
/// fixed, sensible transport settings: ports 80/443, TLSv1.2, 30 s read timeout,
/// 5 s keep-alive.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    /// Unique within the distribution; behaviours name it as their target.
    pub id: String,
    /// Host name only, such as `abc.mediapackage.eu-west-1.amazonaws.com`.
    pub domain_name: String,
    /// Prefix added to every request path, such as `/out/v1`; empty for none.
    pub origin_path: String,
    pub protocol: OriginProtocol,
    pub custom_headers: Vec<OriginHeader>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewerProtocol {
    AllowAll,
    #[default]
    RedirectToHttps,
    HttpsOnly,
}

impl ViewerProtocol {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::AllowAll => "allow-all",
            Self::RedirectToHttps => "redirect-to-https",
            Self::HttpsOnly => "https-only",
        }
    }
    pub fn from_aws(s: &str) -> Self {
        match s {
            "allow-all" => Self::AllowAll,
            "https-only" => Self::HttpsOnly,
            _ => Self::RedirectToHttps,
        }
    }
}

/// The method sets CloudFront accepts for a behaviour. GET and HEAD responses are
/// always cached; OPTIONS too when allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AllowedMethods {
    #[default]
    GetHead,
    GetHeadOptions,
    /// GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE.
    All,
}

impl AllowedMethods {
    pub fn methods(self) -> &'static [&'static str] {
        match self {
            Self::GetHead => &["GET", "HEAD"],
            Self::GetHeadOptions => &["GET", "HEAD", "OPTIONS"],
            Self::All => &["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        }
    }
    /// The set from any order of AWS's method names.
    pub fn from_methods<S: AsRef<str>>(methods: &[S]) -> Self {
        let has = |m: &str| methods.iter().any(|x| x.as_ref().eq_ignore_ascii_case(m));
        if has("POST") || has("PUT") || has("DELETE") || has("PATCH") {
            Self::All
        } else if has("OPTIONS") {
            Self::GetHeadOptions
        } else {
            Self::GetHead
        }
    }
    /// Methods whose responses are cached: OPTIONS only when allowed.
    pub fn cached(self) -> &'static [&'static str] {
        match self {
            Self::GetHead => &["GET", "HEAD"],
            _ => &["GET", "HEAD", "OPTIONS"],
        }
    }
}

/// When a CloudFront Function runs.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum FunctionEvent {
    #[default]
    ViewerRequest,
    ViewerResponse,
}

impl FunctionEvent {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::ViewerRequest => "viewer-request",
            Self::ViewerResponse => "viewer-response",
        }
    }
    pub fn from_aws(s: &str) -> Option<Self> {
        match s {
            "viewer-request" => Some(Self::ViewerRequest),
            "viewer-response" => Some(Self::ViewerResponse),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionAssociation {
    pub event: FunctionEvent,
    /// The function's ARN; the function must be published (LIVE).
    pub function_arn: String,
}

/// A cache behaviour. The default behaviour has an empty `path_pattern`.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheBehavior {
    /// Such as `/out/*`; empty for the default behaviour.
    pub path_pattern: String,
    pub target_origin_id: String,
    pub viewer_protocol: ViewerProtocol,
    pub allowed_methods: AllowedMethods,
    pub compress: bool,
    /// Required: onair uses policies, not the legacy ForwardedValues/TTL settings.
    pub cache_policy_id: String,
    pub origin_request_policy_id: Option<String>,
    pub response_headers_policy_id: Option<String>,
    /// At most one per event type, sorted by event.
    pub function_associations: Vec<FunctionAssociation>,
    pub realtime_log_config_arn: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PriceClass {
    /// North America, Europe, Israel.
    #[serde(rename = "PriceClass_100")]
    PriceClass100,
    #[serde(rename = "PriceClass_200")]
    PriceClass200,
    #[default]
    #[serde(rename = "PriceClass_All")]
    All,
}

impl PriceClass {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::PriceClass100 => "PriceClass_100",
            Self::PriceClass200 => "PriceClass_200",
            Self::All => "PriceClass_All",
        }
    }
    pub fn from_aws(s: &str) -> Self {
        match s {
            "PriceClass_100" => Self::PriceClass100,
            "PriceClass_200" => Self::PriceClass200,
            _ => Self::All,
        }
    }
}

/// The whole configuration of a distribution: UpdateDistribution replaces it all, so
/// it is always sent complete (get, change, put back with the ETag).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DistributionConfig {
    /// Idempotency token, fixed at creation ([`Owner::token`](super::ownership::Owner::token)).
    pub caller_reference: String,
    /// At most 128 characters.
    pub comment: String,
    pub enabled: bool,
    pub price_class: PriceClass,
    /// Alternate domain names; they need `acm_certificate_arn`.
    pub aliases: Vec<String>,
    /// ACM certificate (us-east-1) for the aliases, served by SNI with TLSv1.2_2021;
    /// `None`: CloudFront's default `*.cloudfront.net` certificate.
    pub acm_certificate_arn: Option<String>,
    pub origins: Vec<Origin>,
    pub default_behavior: CacheBehavior,
    /// In order of precedence; at most [`MAX_CACHE_BEHAVIORS`].
    pub behaviors: Vec<CacheBehavior>,
    /// WAFv2 web ACL ARN (CLOUDFRONT scope).
    pub web_acl_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DistributionStatus {
    InProgress,
    Deployed,
    Other(String),
}

impl DistributionStatus {
    pub fn from_aws(s: &str) -> Self {
        match s {
            "InProgress" => Self::InProgress,
            "Deployed" => Self::Deployed,
            o => Self::Other(o.into()),
        }
    }
    pub fn as_aws(&self) -> &str {
        match self {
            Self::InProgress => "InProgress",
            Self::Deployed => "Deployed",
            Self::Other(o) => o,
        }
    }
}

/// A distribution as read: configuration, deployment status, and the ETag to send
/// with the next update or delete.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Distribution {
    pub id: String,
    pub arn: String,
    /// `d111111abcdef8.cloudfront.net`.
    pub domain_name: String,
    pub status: DistributionStatus,
    pub etag: String,
    pub config: DistributionConfig,
}

/// One entry of ListDistributions.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DistributionSummary {
    pub id: String,
    pub arn: String,
    pub domain_name: String,
    pub status: DistributionStatus,
    pub enabled: bool,
    pub comment: String,
}

// --------------------------------------------------------------------------------
// Functions

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum FunctionStage {
    #[default]
    Development,
    Live,
}

impl FunctionStage {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::Development => "DEVELOPMENT",
            Self::Live => "LIVE",
        }
    }
    pub fn from_aws(s: &str) -> Self {
        if s == "LIVE" {
            Self::Live
        } else {
            Self::Development
        }
    }
}

/// What a function is made of. The runtime is always [`FUNCTION_RUNTIME`].
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FunctionSpec {
    pub comment: String,
    /// JavaScript source, at most [`MAX_FUNCTION_CODE_BYTES`].
    pub code: String,
    /// At most one key value store ARN.
    pub key_value_store_arns: Vec<String>,
}

impl fmt::Debug for FunctionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionSpec")
            .field("comment", &self.comment)
            .field("code", &format_args!("<{} bytes>", self.code.len()))
            .field("key_value_store_arns", &self.key_value_store_arns)
            .finish()
    }
}

/// A function's metadata in one stage (DescribeFunction; no code).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Function {
    pub name: String,
    pub arn: String,
    pub stage: FunctionStage,
    /// `UNPUBLISHED`, `UNASSOCIATED` or `DEPLOYED` as CloudFront reports it.
    pub status: String,
    pub comment: String,
    pub runtime: String,
    pub key_value_store_arns: Vec<String>,
    /// The ETag of this stage: DEVELOPMENT's is what update, publish and delete take.
    pub etag: String,
}

/// A function's code in one stage (GetFunction), to compare with the desired code.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FunctionCode {
    pub code: String,
    pub etag: String,
}

impl fmt::Debug for FunctionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionCode")
            .field("code", &format_args!("<{} bytes>", self.code.len()))
            .field("etag", &self.etag)
            .finish()
    }
}

// --------------------------------------------------------------------------------
// Key value stores

/// A key value store (control plane).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyValueStore {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub comment: String,
    /// `PROVISIONING`, `READY` or `FAILED`: keys can be written once `READY`.
    pub status: String,
    /// The control-plane ETag (DeleteKeyValueStore's If-Match); not the data ETag.
    pub etag: String,
}

/// The data side of a store (CloudFront KeyValueStore API's DescribeKeyValueStore).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KvsData {
    /// The data ETag: UpdateKeys' If-Match. Changes with every write.
    pub etag: String,
    pub item_count: u64,
    pub total_size_bytes: u64,
}

/// One key and its value. Values may be secrets (signing keys): `Debug` hides them.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct KvsItem {
    pub key: String,
    pub value: String,
}

impl fmt::Debug for KvsItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KvsItem({:?} = <redacted>)", self.key)
    }
}

// --------------------------------------------------------------------------------
// Real-time logs and policies

/// A real-time log configuration: sampled request logs to a Kinesis data stream
/// (CMCD telemetry). Updated without ETags.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RealtimeLogConfig {
    pub name: String,
    /// Filled by CloudFront; ignored on create and update.
    pub arn: String,
    /// Percentage of requests logged, 1 to 100.
    pub sampling_rate: u32,
    /// Field names as CloudFront spells them (`timestamp`, `c-ip`, `cs-uri-stem`,
    /// `cmcd-session-id`...), in order.
    pub fields: Vec<String>,
    pub kinesis_stream_arn: String,
    /// A role CloudFront assumes to write to the stream.
    pub role_arn: String,
}

/// Which policies to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PolicyOwner {
    /// AWS's managed policies (`Managed-CachingDisabled`...).
    Managed,
    /// The account's own.
    Custom,
}

impl PolicyOwner {
    pub fn as_aws(self) -> &'static str {
        match self {
            Self::Managed => "managed",
            Self::Custom => "custom",
        }
    }
}

/// A cache, origin request or response headers policy.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    pub id: String,
    /// Managed policies' names start with `Managed-`.
    pub name: String,
    pub comment: String,
}

/// Well-known managed policy names.
pub mod managed {
    pub const CACHING_DISABLED: &str = "Managed-CachingDisabled";
    pub const CACHING_OPTIMIZED: &str = "Managed-CachingOptimized";
    pub const ELEMENTAL_MEDIAPACKAGE: &str = "Managed-Elemental-MediaPackage";
    pub const ALL_VIEWER: &str = "Managed-AllViewer";
    pub const ALL_VIEWER_EXCEPT_HOST_HEADER: &str = "Managed-AllViewerExceptHostHeader";
    pub const MEDIATAILOR_PERSONALIZED_MANIFESTS: &str =
        "Managed-Elemental-MediaTailor-PersonalizedManifests";
    pub const CORS_WITH_PREFLIGHT: &str = "Managed-CORS-With-Preflight";
    pub const SIMPLE_CORS: &str = "Managed-SimpleCORS";
}

/// Finds a policy by name in a list (such as [`managed::CACHING_DISABLED`]).
pub fn policy_named<'a>(policies: &'a [Policy], name: &str) -> Option<&'a Policy> {
    policies.iter().find(|p| p.name == name)
}

aws_api! {
    /// CloudFront's control plane, as the reconcilers use it.
    pub trait CloudFrontApi: Service::CloudFront;

    /// CreateDistributionWithTags. The same `caller_reference` with the same config
    /// answers the existing distribution; with a different config, AlreadyExists
    /// (then [`find_distribution`](Self::find_distribution) recovers it).
    async fn create_distribution(&self, config: DistributionConfig, tags: Tags) -> Result<Distribution>;
    /// GetDistribution: the configuration, status and ETag in one read.
    async fn get_distribution(&self, id: &str) -> Result<Distribution>;
    /// Replaces the whole configuration. `if_match` is the ETag the change was
    /// computed from; Conflict when stale. The caller reference cannot change.
    async fn update_distribution(&self, id: &str, config: DistributionConfig, if_match: &str) -> Result<Distribution>;
    /// Conflict unless disabled and Deployed, or when `if_match` is stale.
    async fn delete_distribution(&self, id: &str, if_match: &str) -> Result<()>;
    async fn list_distributions(&self) -> Result<Vec<DistributionSummary>>;
    /// The distribution created with `caller_reference`, for crash recovery when the
    /// id was never recorded. Reads every distribution's configuration (ListDistributions
    /// carries no caller reference): a recovery path, not a steady-state read.
    async fn find_distribution(&self, caller_reference: &str) -> Result<Option<Distribution>>;
    /// Tags of a distribution, function or key value store, by ARN.
    async fn list_tags(&self, arn: &str) -> Result<Tags>;

    /// CreateFunction (DEVELOPMENT stage). AlreadyExists for a taken name: names are
    /// caller-chosen and unique per account, so derive them from the owner.
    async fn create_function(&self, name: &str, spec: FunctionSpec, tags: Tags) -> Result<Function>;
    async fn describe_function(&self, name: &str, stage: FunctionStage) -> Result<Function>;
    /// GetFunction: the code of one stage, and that stage's ETag.
    async fn get_function_code(&self, name: &str, stage: FunctionStage) -> Result<FunctionCode>;
    /// Replaces DEVELOPMENT's code and configuration; `if_match` is DEVELOPMENT's ETag.
    async fn update_function(&self, name: &str, spec: FunctionSpec, if_match: &str) -> Result<Function>;
    /// Copies DEVELOPMENT to LIVE (every behaviour using the function then runs it).
    /// Answers LIVE's metadata without an ETag (PublishFunction answers none).
    async fn publish_function(&self, name: &str, if_match: &str) -> Result<Function>;
    /// Conflict (FunctionInUse) while a distribution uses it.
    async fn delete_function(&self, name: &str, if_match: &str) -> Result<()>;

    /// PROVISIONING at first; keys can be written once READY. AlreadyExists for a
    /// taken name (caller-chosen, unique per account).
    async fn create_key_value_store(&self, name: &str, comment: &str, tags: Tags) -> Result<KeyValueStore>;
    async fn describe_key_value_store(&self, name: &str) -> Result<KeyValueStore>;
    /// Conflict while a function is associated with it.
    async fn delete_key_value_store(&self, name: &str, if_match: &str) -> Result<()>;

    async fn create_realtime_log_config(&self, config: RealtimeLogConfig) -> Result<RealtimeLogConfig>;
    async fn get_realtime_log_config(&self, name: &str) -> Result<RealtimeLogConfig>;
    async fn update_realtime_log_config(&self, config: RealtimeLogConfig) -> Result<RealtimeLogConfig>;
    /// Conflict while a behaviour uses it.
    async fn delete_realtime_log_config(&self, name: &str) -> Result<()>;

    async fn list_cache_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>>;
    async fn list_origin_request_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>>;
    async fn list_response_headers_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>>;
}

aws_api! {
    /// The data of key value stores (the CloudFront KeyValueStore API), addressed by
    /// the store's ARN.
    pub trait CloudFrontKvsApi: Service::CloudFrontKeyValueStore;

    /// The data ETag and size.
    async fn describe_store(&self, kvs_arn: &str) -> Result<KvsData>;
    /// Every key and value, sorted by key (all pages).
    async fn list_keys(&self, kvs_arn: &str) -> Result<Vec<KvsItem>>;
    /// UpdateKeys: puts and deletes in one atomic change, at most
    /// [`KVS_MAX_KEYS_PER_UPDATE`] together. Answers the new data ETag.
    async fn update_keys(&self, kvs_arn: &str, if_match: &str, puts: Vec<KvsItem>, deletes: Vec<String>) -> Result<KvsData>;
}
