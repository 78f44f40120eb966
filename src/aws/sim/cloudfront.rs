//! Simulated CloudFront: ETags that change with every write and refuse stale
//! If-Match values, CallerReference idempotency, InProgress -> Deployed on the
//! simulation clock, disable-and-deploy before delete, functions in DEVELOPMENT and
//! LIVE, in-use checks (functions, key value stores, real-time log configs), AWS's
//! size limits, and key value store data with its own ETag.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::cloudfront::*;
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::ownership::Tags;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Default)]
pub(crate) struct State {
    distributions: BTreeMap<String, DistRec>,
    functions: BTreeMap<String, FuncRec>,
    stores: BTreeMap<String, StoreRec>,
    realtime: BTreeMap<String, RealtimeLogConfig>,
    tags: BTreeMap<String, Tags>,
}

struct DistRec {
    dist: Distribution,
    deployed_at: Duration,
}

#[derive(Clone)]
struct Stage {
    spec: FunctionSpec,
    etag: String,
}

struct FuncRec {
    arn: String,
    dev: Stage,
    live: Option<Stage>,
    published: bool,
}

struct StoreRec {
    store: KeyValueStore,
    ready_at: Duration,
    data_etag: String,
    items: BTreeMap<String, String>,
}

/// Managed policies as AWS lists them (names and ids from the CloudFront Developer
/// Guide).
const MANAGED_CACHE: &[(&str, &str)] = &[
    ("2e54312d-136d-493c-8eb9-b001f22f67d2", "Managed-Amplify"),
    (
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        "Managed-CachingDisabled",
    ),
    (
        "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "Managed-CachingOptimized",
    ),
    (
        "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
        "Managed-CachingOptimizedForUncompressedObjects",
    ),
    (
        "08627262-05a9-4f76-9ded-b50ca2e3a84f",
        "Managed-Elemental-MediaPackage",
    ),
    (
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        "Managed-UseOriginCacheControlHeaders",
    ),
    (
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
        "Managed-UseOriginCacheControlHeaders-QueryStrings",
    ),
];
const MANAGED_ORIGIN_REQUEST: &[(&str, &str)] = &[
    ("216adef6-5c7f-47e4-b989-5492eafa07d3", "Managed-AllViewer"),
    (
        "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        "Managed-AllViewerAndCloudFrontHeaders-2022-06",
    ),
    (
        "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "Managed-AllViewerExceptHostHeader",
    ),
    (
        "59781a5b-3903-41f3-afcb-af62929ccde1",
        "Managed-CORS-CustomOrigin",
    ),
    (
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        "Managed-CORS-S3Origin",
    ),
    (
        "775133bc-15f2-49f9-abea-afb2e0bf67d2",
        "Managed-Elemental-MediaTailor-PersonalizedManifests",
    ),
    (
        "acba4595-bd28-49b8-b9fe-13317c0390fa",
        "Managed-UserAgentRefererHeaders",
    ),
];
const MANAGED_RESPONSE_HEADERS: &[(&str, &str)] = &[
    ("60669652-455b-4ae9-85a4-c4c02393f86c", "Managed-SimpleCORS"),
    (
        "5cc3b908-e619-4b99-88e5-2cf7f45965bd",
        "Managed-CORS-With-Preflight",
    ),
    (
        "67f7725c-6f97-4210-82d7-5512b31e9d03",
        "Managed-SecurityHeadersPolicy",
    ),
    (
        "e61eb60c-9c35-4d20-a928-2b84e02af89c",
        "Managed-CORS-and-SecurityHeadersPolicy",
    ),
    (
        "eaab4381-ed33-4a86-88ca-d9558dc6cd63",
        "Managed-CORS-with-preflight-and-SecurityHeadersPolicy",
    ),
];

fn policies(list: &[(&str, &str)], owner: PolicyOwner) -> Vec<Policy> {
    match owner {
        PolicyOwner::Custom => vec![],
        PolicyOwner::Managed => list
            .iter()
            .map(|(id, name)| Policy {
                id: (*id).into(),
                name: (*name).into(),
                comment: String::new(),
            })
            .collect(),
    }
}

const SVC: &str = "CloudFront";
const KVS: &str = "CloudFrontKeyValueStore";

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new(SVC, op, kind)
}

/// AWS's error code leads the message, so users and tests see which refusal it is.
fn conflict(op: &'static str, code: &str, message: impl AsRef<str>) -> AwsError {
    err(
        op,
        ErrorKind::Conflict {
            message: format!("{code}: {}", message.as_ref()),
        },
    )
}

fn invalid(op: &'static str, code: &str, message: impl AsRef<str>) -> AwsError {
    err(
        op,
        ErrorKind::InvalidRequest {
            message: format!("{code}: {}", message.as_ref()),
        },
    )
}

fn not_found(op: &'static str, code: &str, message: impl AsRef<str>) -> AwsError {
    err(
        op,
        ErrorKind::NotFound {
            message: format!("{code}: {}", message.as_ref()),
        },
    )
}

fn stale(op: &'static str) -> AwsError {
    conflict(
        op,
        "PreconditionFailed",
        "The precondition given in one or more of the request-header fields evaluated to false.",
    )
}

fn valid_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub(crate) struct SimCloudFront(pub(crate) Arc<World>);

impl SimCloudFront {
    /// How many functions and key value stores exist (test inventories).
    pub(crate) fn edge_counts(&self) -> (usize, usize) {
        let s = self.state();
        (s.functions.len(), s.stores.len())
    }

    pub(crate) fn realtime_log_config_count(&self) -> usize {
        self.state().realtime.len()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        let now = self.0.clock.now();
        let mut s = lock(&self.0.cloudfront);
        for rec in s.distributions.values_mut() {
            if rec.dist.status == DistributionStatus::InProgress && now >= rec.deployed_at {
                rec.dist.status = DistributionStatus::Deployed;
            }
        }
        for rec in s.stores.values_mut() {
            if rec.store.status == "PROVISIONING" && now >= rec.ready_at {
                rec.store.status = "READY".into();
            }
        }
        s
    }

    fn etag(&self) -> String {
        format!("E{:X}", self.0.next_id() * 7919)
    }

    fn global_arn(&self, resource: &str) -> String {
        format!("arn:aws:cloudfront::{}:{resource}", self.0.account)
    }

    fn validate(&self, op: &'static str, s: &State, c: &DistributionConfig) -> Result<()> {
        if c.caller_reference.is_empty() {
            return Err(invalid(
                op,
                "InvalidArgument",
                "CallerReference is required",
            ));
        }
        if c.comment.len() > 128 {
            return Err(invalid(
                op,
                "InvalidArgument",
                "The comment can have at most 128 characters",
            ));
        }
        if c.origins.is_empty() {
            return Err(invalid(
                op,
                "InvalidArgument",
                "A distribution needs at least one origin",
            ));
        }
        let mut ids = BTreeSet::new();
        for o in &c.origins {
            if !ids.insert(o.id.as_str()) {
                return Err(invalid(
                    op,
                    "InvalidArgument",
                    format!("Origin id '{}' is used twice", o.id),
                ));
            }
            if o.custom_headers.len() > 10 {
                return Err(invalid(
                    op,
                    "TooManyOriginCustomHeaders",
                    format!("Origin '{}' has more than 10 custom headers", o.id),
                ));
            }
        }
        if c.behaviors.len() > MAX_CACHE_BEHAVIORS {
            return Err(invalid(
                op,
                "TooManyCacheBehaviors",
                format!(
                    "Your request contains more CacheBehaviors than are allowed per distribution ({} > {MAX_CACHE_BEHAVIORS})",
                    c.behaviors.len()
                ),
            ));
        }
        if !c.aliases.is_empty() && c.acm_certificate_arn.is_none() {
            return Err(invalid(
                op,
                "InvalidViewerCertificate",
                "Alternate domain names need a certificate that covers them",
            ));
        }
        if let Some(acl) = &c.web_acl_id {
            if !super::wafv2::web_acl_exists(&self.0, acl) {
                return Err(invalid(
                    op,
                    "InvalidWebACLId",
                    format!(
                        "Web ACL '{acl}' does not exist (CLOUDFRONT scope web ACL ARN expected)"
                    ),
                ));
            }
        }
        if !c.default_behavior.path_pattern.is_empty() {
            return Err(invalid(
                op,
                "InvalidArgument",
                "The default cache behaviour has no path pattern",
            ));
        }
        let mut patterns = BTreeSet::new();
        for b in std::iter::once(&c.default_behavior).chain(&c.behaviors) {
            let is_default = std::ptr::eq(b, &c.default_behavior);
            if !is_default && (b.path_pattern.is_empty() || !patterns.insert(&b.path_pattern)) {
                return Err(invalid(
                    op,
                    "InvalidArgument",
                    format!(
                        "Cache behaviour path pattern '{}' is empty or used twice",
                        b.path_pattern
                    ),
                ));
            }
            if !ids.contains(b.target_origin_id.as_str()) {
                return Err(invalid(
                    op,
                    "NoSuchOrigin",
                    format!(
                        "One or more of your origins or origin groups do not exist: '{}'",
                        b.target_origin_id
                    ),
                ));
            }
            if !MANAGED_CACHE.iter().any(|(id, _)| *id == b.cache_policy_id) {
                return Err(invalid(
                    op,
                    "NoSuchCachePolicy",
                    format!("The cache policy '{}' does not exist", b.cache_policy_id),
                ));
            }
            if let Some(p) = &b.origin_request_policy_id {
                if !MANAGED_ORIGIN_REQUEST.iter().any(|(id, _)| id == p) {
                    return Err(invalid(
                        op,
                        "NoSuchOriginRequestPolicy",
                        format!("The origin request policy '{p}' does not exist"),
                    ));
                }
            }
            if let Some(p) = &b.response_headers_policy_id {
                if !MANAGED_RESPONSE_HEADERS.iter().any(|(id, _)| id == p) {
                    return Err(invalid(
                        op,
                        "NoSuchResponseHeadersPolicy",
                        format!("The response headers policy '{p}' does not exist"),
                    ));
                }
            }
            let mut events = BTreeSet::new();
            for f in &b.function_associations {
                if !events.insert(f.event) {
                    return Err(invalid(
                        op,
                        "InvalidFunctionAssociation",
                        format!("More than one function for {}", f.event.as_aws()),
                    ));
                }
                let published = s
                    .functions
                    .values()
                    .any(|r| r.arn == f.function_arn && r.live.is_some());
                if !published {
                    return Err(invalid(
                        op,
                        "InvalidFunctionAssociation",
                        format!(
                            "The function '{}' does not exist or is not published to LIVE",
                            f.function_arn
                        ),
                    ));
                }
            }
            if let Some(arn) = &b.realtime_log_config_arn {
                if !s.realtime.values().any(|r| &r.arn == arn) {
                    return Err(invalid(
                        op,
                        "NoSuchRealtimeLogConfig",
                        format!("The real-time log configuration '{arn}' does not exist"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn behaviors(s: &State) -> impl Iterator<Item = &CacheBehavior> {
        s.distributions.values().flat_map(|r| {
            std::iter::once(&r.dist.config.default_behavior).chain(&r.dist.config.behaviors)
        })
    }

    fn function(&self, s: &State, name: &str, stage: FunctionStage) -> Option<Function> {
        let rec = s.functions.get(name)?;
        let st = match stage {
            FunctionStage::Development => &rec.dev,
            FunctionStage::Live => rec.live.as_ref()?,
        };
        let used = Self::behaviors(s)
            .flat_map(|b| &b.function_associations)
            .any(|f| f.function_arn == rec.arn);
        let status = match (stage, rec.published, used) {
            (FunctionStage::Development, false, _) => "UNPUBLISHED",
            (_, _, true) => "DEPLOYED",
            _ => "UNASSOCIATED",
        };
        Some(Function {
            name: name.into(),
            arn: rec.arn.clone(),
            stage,
            status: status.into(),
            comment: st.spec.comment.clone(),
            runtime: FUNCTION_RUNTIME.into(),
            key_value_store_arns: st.spec.key_value_store_arns.clone(),
            etag: st.etag.clone(),
        })
    }

    fn check_function(&self, op: &'static str, s: &State, spec: &FunctionSpec) -> Result<()> {
        if spec.code.len() > MAX_FUNCTION_CODE_BYTES {
            return Err(invalid(
                op,
                "FunctionSizeLimitExceeded",
                format!(
                    "The function code is {} bytes; the limit is {MAX_FUNCTION_CODE_BYTES}",
                    spec.code.len()
                ),
            ));
        }
        if spec.key_value_store_arns.len() > 1 {
            return Err(invalid(
                op,
                "InvalidArgument",
                "A function can be associated with at most one key value store",
            ));
        }
        for arn in &spec.key_value_store_arns {
            if !s.stores.values().any(|r| &r.store.arn == arn) {
                return Err(invalid(
                    op,
                    "EntityNotFound",
                    format!("The key value store '{arn}' does not exist"),
                ));
            }
        }
        Ok(())
    }

    fn dev_rec<'s>(
        &self,
        op: &'static str,
        s: &'s mut State,
        name: &str,
        if_match: &str,
    ) -> Result<&'s mut FuncRec> {
        let rec = s.functions.get_mut(name).ok_or_else(|| {
            not_found(
                op,
                "NoSuchFunctionExists",
                format!("The function '{name}' does not exist"),
            )
        })?;
        if rec.dev.etag != if_match {
            return Err(stale(op));
        }
        Ok(rec)
    }
}

#[async_trait]
impl CloudFrontApi for SimCloudFront {
    async fn create_distribution(
        &self,
        config: DistributionConfig,
        tags: Tags,
    ) -> Result<Distribution> {
        const OP: &str = "create_distribution";
        let config = normalized(config);
        let now = self.0.clock.now();
        let mut s = self.state();
        if let Some(rec) = s
            .distributions
            .values()
            .find(|r| r.dist.config.caller_reference == config.caller_reference)
        {
            if rec.dist.config == config {
                return Ok(rec.dist.clone());
            }
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!(
                        "DistributionAlreadyExists: The caller reference that you are using to create a distribution is associated with another distribution. Already exists: {}",
                        rec.dist.id
                    ),
                },
            ));
        }
        self.validate(OP, &s, &config)?;
        let n = self.0.next_id();
        let id = format!("E{n:X}SIM");
        let arn = self.global_arn(&format!("distribution/{id}"));
        let dist = Distribution {
            domain_name: format!("d{n:x}sim.cloudfront.net"),
            arn: arn.clone(),
            id: id.clone(),
            status: DistributionStatus::InProgress,
            etag: self.etag(),
            config,
        };
        s.tags.insert(arn, tags);
        s.distributions.insert(
            id,
            DistRec {
                dist: dist.clone(),
                deployed_at: now + self.0.timings.distribution_deploy,
            },
        );
        Ok(dist)
    }

    async fn get_distribution(&self, id: &str) -> Result<Distribution> {
        self.state()
            .distributions
            .get(id)
            .map(|r| r.dist.clone())
            .ok_or_else(|| no_distribution("get_distribution", id))
    }

    async fn update_distribution(
        &self,
        id: &str,
        config: DistributionConfig,
        if_match: &str,
    ) -> Result<Distribution> {
        const OP: &str = "update_distribution";
        let now = self.0.clock.now();
        let etag = self.etag();
        let mut s = self.state();
        let current = s
            .distributions
            .get(id)
            .ok_or_else(|| no_distribution(OP, id))?;
        if current.dist.etag != if_match {
            return Err(stale(OP));
        }
        if current.dist.config.caller_reference != config.caller_reference {
            return Err(invalid(
                OP,
                "IllegalUpdate",
                "Origin and CallerReference cannot be updated.",
            ));
        }
        self.validate(OP, &s, &config)?;
        let config = normalized(config);
        let rec = s.distributions.get_mut(id).expect("checked above");
        rec.dist.config = config;
        rec.dist.etag = etag;
        rec.dist.status = DistributionStatus::InProgress;
        rec.deployed_at = now + self.0.timings.distribution_deploy;
        Ok(rec.dist.clone())
    }

    async fn delete_distribution(&self, id: &str, if_match: &str) -> Result<()> {
        const OP: &str = "delete_distribution";
        let mut s = self.state();
        let rec = s
            .distributions
            .get(id)
            .ok_or_else(|| no_distribution(OP, id))?;
        if rec.dist.etag != if_match {
            return Err(stale(OP));
        }
        if rec.dist.config.enabled {
            return Err(conflict(
                OP,
                "DistributionNotDisabled",
                "The distribution you are trying to delete has not been disabled.",
            ));
        }
        if rec.dist.status != DistributionStatus::Deployed {
            return Err(conflict(
                OP,
                "DistributionNotDisabled",
                "The distribution is disabled but its deployment is still InProgress; delete it once Deployed.",
            ));
        }
        let arn = rec.dist.arn.clone();
        s.distributions.remove(id);
        s.tags.remove(&arn);
        Ok(())
    }

    async fn list_distributions(&self) -> Result<Vec<DistributionSummary>> {
        Ok(self
            .state()
            .distributions
            .values()
            .map(|r| DistributionSummary {
                id: r.dist.id.clone(),
                arn: r.dist.arn.clone(),
                domain_name: r.dist.domain_name.clone(),
                status: r.dist.status.clone(),
                enabled: r.dist.config.enabled,
                comment: r.dist.config.comment.clone(),
            })
            .collect())
    }

    async fn find_distribution(&self, caller_reference: &str) -> Result<Option<Distribution>> {
        Ok(self
            .state()
            .distributions
            .values()
            .find(|r| r.dist.config.caller_reference == caller_reference)
            .map(|r| r.dist.clone()))
    }

    async fn list_tags(&self, arn: &str) -> Result<Tags> {
        self.state().tags.get(arn).cloned().ok_or_else(|| {
            not_found(
                "list_tags",
                "NoSuchResource",
                format!("The resource '{arn}' does not exist"),
            )
        })
    }

    async fn create_function(
        &self,
        name: &str,
        spec: FunctionSpec,
        tags: Tags,
    ) -> Result<Function> {
        const OP: &str = "create_function";
        if !valid_name(name, 64) {
            return Err(invalid(
                OP,
                "InvalidArgument",
                format!("Function name '{name}' must be 1 to 64 letters, digits, '-' or '_'"),
            ));
        }
        let etag = self.etag();
        let mut s = self.state();
        if s.functions.contains_key(name) {
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!(
                        "FunctionAlreadyExists: A function named '{name}' already exists"
                    ),
                },
            ));
        }
        self.check_function(OP, &s, &spec)?;
        let arn = self.global_arn(&format!("function/{name}"));
        s.tags.insert(arn.clone(), tags);
        s.functions.insert(
            name.into(),
            FuncRec {
                arn,
                dev: Stage { spec, etag },
                live: None,
                published: false,
            },
        );
        Ok(self
            .function(&s, name, FunctionStage::Development)
            .expect("just inserted"))
    }

    async fn describe_function(&self, name: &str, stage: FunctionStage) -> Result<Function> {
        let s = self.state();
        self.function(&s, name, stage).ok_or_else(|| {
            not_found(
                "describe_function",
                "NoSuchFunctionExists",
                format!("The function '{name}' has no {} stage", stage.as_aws()),
            )
        })
    }

    async fn get_function_code(&self, name: &str, stage: FunctionStage) -> Result<FunctionCode> {
        let s = self.state();
        let st = s.functions.get(name).and_then(|r| match stage {
            FunctionStage::Development => Some(&r.dev),
            FunctionStage::Live => r.live.as_ref(),
        });
        st.map(|st| FunctionCode {
            code: st.spec.code.clone(),
            etag: st.etag.clone(),
        })
        .ok_or_else(|| {
            not_found(
                "get_function_code",
                "NoSuchFunctionExists",
                format!("The function '{name}' has no {} stage", stage.as_aws()),
            )
        })
    }

    async fn update_function(
        &self,
        name: &str,
        spec: FunctionSpec,
        if_match: &str,
    ) -> Result<Function> {
        const OP: &str = "update_function";
        let etag = self.etag();
        let mut s = self.state();
        self.dev_rec(OP, &mut s, name, if_match)?;
        self.check_function(OP, &s, &spec)?;
        let rec = s.functions.get_mut(name).expect("checked above");
        rec.dev = Stage { spec, etag };
        rec.published = false;
        Ok(self
            .function(&s, name, FunctionStage::Development)
            .expect("exists"))
    }

    async fn publish_function(&self, name: &str, if_match: &str) -> Result<Function> {
        const OP: &str = "publish_function";
        let etag = self.etag();
        let mut s = self.state();
        let rec = self.dev_rec(OP, &mut s, name, if_match)?;
        rec.live = Some(Stage {
            spec: rec.dev.spec.clone(),
            etag,
        });
        rec.published = true;
        let mut live = self
            .function(&s, name, FunctionStage::Live)
            .expect("exists");
        // PublishFunction answers no ETag (describe LIVE for it).
        live.etag.clear();
        Ok(live)
    }

    async fn delete_function(&self, name: &str, if_match: &str) -> Result<()> {
        const OP: &str = "delete_function";
        let mut s = self.state();
        let arn = self.dev_rec(OP, &mut s, name, if_match)?.arn.clone();
        if Self::behaviors(&s)
            .flat_map(|b| &b.function_associations)
            .any(|f| f.function_arn == arn)
        {
            return Err(conflict(
                OP,
                "FunctionInUse",
                format!(
                    "Cannot delete function '{name}': it is in use by one or more distributions"
                ),
            ));
        }
        s.functions.remove(name);
        s.tags.remove(&arn);
        Ok(())
    }

    async fn create_key_value_store(
        &self,
        name: &str,
        comment: &str,
        tags: Tags,
    ) -> Result<KeyValueStore> {
        const OP: &str = "create_key_value_store";
        if !valid_name(name, 64) {
            return Err(invalid(
                OP,
                "InvalidArgument",
                format!(
                    "Key value store name '{name}' must be 1 to 64 letters, digits, '-' or '_'"
                ),
            ));
        }
        let now = self.0.clock.now();
        let (etag, data_etag) = (self.etag(), self.etag());
        let mut s = self.state();
        if s.stores.contains_key(name) {
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!(
                        "EntityAlreadyExists: A key value store named '{name}' already exists"
                    ),
                },
            ));
        }
        let n = self.0.next_id();
        let id = format!("{n:08x}-5111-4e1a-9000-{n:012x}");
        let store = KeyValueStore {
            name: name.into(),
            arn: self.global_arn(&format!("key-value-store/{id}")),
            id,
            comment: comment.into(),
            status: "PROVISIONING".into(),
            etag,
        };
        s.tags.insert(store.arn.clone(), tags);
        s.stores.insert(
            name.into(),
            StoreRec {
                store: store.clone(),
                ready_at: now + self.0.timings.key_value_store_create,
                data_etag,
                items: BTreeMap::new(),
            },
        );
        Ok(store)
    }

    async fn describe_key_value_store(&self, name: &str) -> Result<KeyValueStore> {
        self.state()
            .stores
            .get(name)
            .map(|r| r.store.clone())
            .ok_or_else(|| no_store("describe_key_value_store", name))
    }

    async fn delete_key_value_store(&self, name: &str, if_match: &str) -> Result<()> {
        const OP: &str = "delete_key_value_store";
        let mut s = self.state();
        let rec = s.stores.get(name).ok_or_else(|| no_store(OP, name))?;
        if rec.store.etag != if_match {
            return Err(stale(OP));
        }
        let arn = rec.store.arn.clone();
        let used = s.functions.values().any(|f| {
            std::iter::once(&f.dev)
                .chain(&f.live)
                .any(|st| st.spec.key_value_store_arns.contains(&arn))
        });
        if used {
            return Err(conflict(
                OP,
                "CannotDeleteEntityWhileInUse",
                format!("The key value store '{name}' is associated with a function"),
            ));
        }
        s.stores.remove(name);
        s.tags.remove(&arn);
        Ok(())
    }

    async fn create_realtime_log_config(
        &self,
        mut config: RealtimeLogConfig,
    ) -> Result<RealtimeLogConfig> {
        const OP: &str = "create_realtime_log_config";
        check_realtime(OP, &config)?;
        let mut s = self.state();
        if s.realtime.contains_key(&config.name) {
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!(
                        "RealtimeLogConfigAlreadyExists: '{}' already exists",
                        config.name
                    ),
                },
            ));
        }
        config.arn = self.global_arn(&format!("realtime-log-config/{}", config.name));
        s.realtime.insert(config.name.clone(), config.clone());
        Ok(config)
    }

    async fn get_realtime_log_config(&self, name: &str) -> Result<RealtimeLogConfig> {
        self.state()
            .realtime
            .get(name)
            .cloned()
            .ok_or_else(|| no_realtime("get_realtime_log_config", name))
    }

    async fn update_realtime_log_config(
        &self,
        mut config: RealtimeLogConfig,
    ) -> Result<RealtimeLogConfig> {
        const OP: &str = "update_realtime_log_config";
        check_realtime(OP, &config)?;
        let mut s = self.state();
        let rec = s
            .realtime
            .get_mut(&config.name)
            .ok_or_else(|| no_realtime(OP, &config.name))?;
        config.arn = rec.arn.clone();
        *rec = config.clone();
        Ok(config)
    }

    async fn delete_realtime_log_config(&self, name: &str) -> Result<()> {
        const OP: &str = "delete_realtime_log_config";
        let mut s = self.state();
        let arn = s
            .realtime
            .get(name)
            .ok_or_else(|| no_realtime(OP, name))?
            .arn
            .clone();
        if Self::behaviors(&s).any(|b| b.realtime_log_config_arn.as_ref() == Some(&arn)) {
            return Err(conflict(
                OP,
                "RealtimeLogConfigInUse",
                format!("Cannot delete '{name}': a cache behaviour uses it"),
            ));
        }
        s.realtime.remove(name);
        Ok(())
    }

    async fn list_cache_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        Ok(policies(MANAGED_CACHE, owner))
    }

    async fn list_origin_request_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        Ok(policies(MANAGED_ORIGIN_REQUEST, owner))
    }

    async fn list_response_headers_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        Ok(policies(MANAGED_RESPONSE_HEADERS, owner))
    }
}

fn check_realtime(op: &'static str, c: &RealtimeLogConfig) -> Result<()> {
    if !valid_name(&c.name, 128) {
        return Err(invalid(op, "InvalidArgument", "Name is required"));
    }
    if !(1..=100).contains(&c.sampling_rate) {
        return Err(invalid(
            op,
            "InvalidArgument",
            format!("SamplingRate must be 1 to 100, not {}", c.sampling_rate),
        ));
    }
    if c.fields.is_empty() {
        return Err(invalid(
            op,
            "InvalidArgument",
            "At least one field is required",
        ));
    }
    if !c.kinesis_stream_arn.starts_with("arn:") || !c.role_arn.starts_with("arn:") {
        return Err(invalid(
            op,
            "InvalidArgument",
            "A Kinesis stream ARN and a role ARN are required",
        ));
    }
    Ok(())
}

/// The configuration as CloudFront answers it: function associations by event.
fn normalized(mut c: DistributionConfig) -> DistributionConfig {
    for b in std::iter::once(&mut c.default_behavior).chain(c.behaviors.iter_mut()) {
        b.function_associations.sort_by_key(|f| f.event);
    }
    c
}

/// (distribution id, web ACL ARN) of every distribution with a web ACL.
pub(crate) fn web_acl_ids(world: &World) -> Vec<(String, String)> {
    lock(&world.cloudfront)
        .distributions
        .values()
        .filter_map(|r| Some((r.dist.id.clone(), r.dist.config.web_acl_id.clone()?)))
        .collect()
}

fn no_distribution(op: &'static str, id: &str) -> AwsError {
    not_found(
        op,
        "NoSuchDistribution",
        format!("The specified distribution '{id}' does not exist."),
    )
}

fn no_store(op: &'static str, name: &str) -> AwsError {
    not_found(
        op,
        "EntityNotFound",
        format!("The key value store '{name}' does not exist"),
    )
}

fn no_realtime(op: &'static str, name: &str) -> AwsError {
    not_found(
        op,
        "NoSuchRealtimeLogConfig",
        format!("The real-time log configuration '{name}' does not exist"),
    )
}

/// Simulated CloudFront KeyValueStore data API, over the same stores.
pub(crate) struct SimKvs(pub(crate) Arc<World>);

fn kvs_err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new(KVS, op, kind)
}

impl SimKvs {
    fn with_store<T>(
        &self,
        op: &'static str,
        arn: &str,
        f: impl FnOnce(&mut StoreRec) -> Result<T>,
    ) -> Result<T> {
        let now = self.0.clock.now();
        let mut s = lock(&self.0.cloudfront);
        let rec = s
            .stores
            .values_mut()
            .find(|r| r.store.arn == arn)
            .ok_or_else(|| {
                kvs_err(
                    op,
                    ErrorKind::NotFound {
                        message: format!("ResourceNotFoundException: no key value store '{arn}'"),
                    },
                )
            })?;
        if now < rec.ready_at {
            return Err(kvs_err(
                op,
                ErrorKind::Conflict {
                    message: "ConflictException: the key value store is still PROVISIONING".into(),
                },
            ));
        }
        f(rec)
    }
}

fn data(rec: &StoreRec) -> KvsData {
    KvsData {
        etag: rec.data_etag.clone(),
        item_count: rec.items.len() as u64,
        total_size_bytes: size(&rec.items),
    }
}

fn size(items: &BTreeMap<String, String>) -> u64 {
    items.iter().map(|(k, v)| (k.len() + v.len()) as u64).sum()
}

#[async_trait]
impl CloudFrontKvsApi for SimKvs {
    async fn describe_store(&self, kvs_arn: &str) -> Result<KvsData> {
        self.with_store("describe_store", kvs_arn, |rec| Ok(data(rec)))
    }

    async fn list_keys(&self, kvs_arn: &str) -> Result<Vec<KvsItem>> {
        self.with_store("list_keys", kvs_arn, |rec| {
            Ok(rec
                .items
                .iter()
                .map(|(k, v)| KvsItem {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect())
        })
    }

    async fn update_keys(
        &self,
        kvs_arn: &str,
        if_match: &str,
        puts: Vec<KvsItem>,
        deletes: Vec<String>,
    ) -> Result<KvsData> {
        const OP: &str = "update_keys";
        let invalid = |message: String| kvs_err(OP, ErrorKind::InvalidRequest { message });
        if puts.len() + deletes.len() > KVS_MAX_KEYS_PER_UPDATE {
            return Err(invalid(format!(
                "ValidationException: at most {KVS_MAX_KEYS_PER_UPDATE} keys per update ({} puts, {} deletes)",
                puts.len(),
                deletes.len()
            )));
        }
        for key in puts.iter().map(|p| &p.key).chain(&deletes) {
            if key.is_empty() || key.len() > KVS_MAX_KEY_BYTES {
                return Err(invalid(format!(
                    "ValidationException: keys are 1 to {KVS_MAX_KEY_BYTES} bytes ({} bytes)",
                    key.len()
                )));
            }
        }
        if let Some(p) = puts.iter().find(|p| p.value.len() > KVS_MAX_VALUE_BYTES) {
            return Err(invalid(format!(
                "ValidationException: the value of '{}' is {} bytes; at most {KVS_MAX_VALUE_BYTES}",
                p.key,
                p.value.len()
            )));
        }
        if let Some(k) = puts.iter().find(|p| deletes.contains(&p.key)) {
            return Err(invalid(format!(
                "ValidationException: key '{}' is both put and deleted",
                k.key
            )));
        }
        let etag = format!("KV{:X}", self.0.next_id() * 104_729);
        self.with_store(OP, kvs_arn, |rec| {
            if rec.data_etag != if_match {
                return Err(kvs_err(
                    OP,
                    ErrorKind::Conflict {
                        message: "ConflictException: the ETag does not match the key value store's current version".into(),
                    },
                ));
            }
            let mut items = rec.items.clone();
            for k in &deletes {
                items.remove(k);
            }
            for p in puts {
                items.insert(p.key, p.value);
            }
            if size(&items) > KVS_MAX_STORE_BYTES {
                return Err(kvs_err(
                    OP,
                    ErrorKind::InvalidRequest {
                        message: format!(
                            "ServiceQuotaExceededException: the key value store would hold {} bytes; at most {KVS_MAX_STORE_BYTES}",
                            size(&items)
                        ),
                    },
                ));
            }
            rec.items = items;
            rec.data_etag = etag;
            Ok(data(rec))
        })
    }
}
