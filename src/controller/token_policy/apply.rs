//! One reconcile of a TokenPolicy: read what it references, then bring its
//! key value store, function and (for WAF revocation) pattern set and web
//! ACL to the desired state, in that order: the function reads the store,
//! the web ACL uses the pattern set.

use crate::controller::kit::observe;
use std::collections::BTreeMap;
use std::time::Duration;

use kube::api::Api;
use kube::ResourceExt;

use crate::api::common::ProviderRef;
use crate::api::token_policy::{RevocationMethod, TokenPolicy};
use crate::aws::children::edge::{
    store_ready, FunctionChild, FunctionState, PatternSetChild, StoreChild, WebAclAt, WebAclChild,
};
use crate::aws::children::External;
use crate::aws::cloudfront::{FunctionSpec, KeyValueStore, KvsData};
use crate::aws::ownership::{Owner, Tags};
use crate::controller::context::Context;
use crate::controller::kit::driver::IdStore;
use crate::controller::kit::{aws_at, owner_of, unix_now, Step, StepError, Steps};
use crate::controller::provider::provider_for;
use crate::plan::failure::Failure;
use crate::plan::token_policy::{
    age_key, enforced_sessions, fits_in_store, protecting, revocation_ttl_seconds, store_bytes,
    store_entries, store_writes, waf_patterns, NAME_LIMIT, WAF_NAME_LIMIT,
};
use crate::token::function;
use crate::token::policy::{InputError, PolicyInputs};

/// AWS names of a policy's resources, from its uid.
pub struct Names {
    pub store: String,
    pub function: String,
    pub pattern_set: String,
    pub web_acl: String,
}

impl Names {
    pub fn of(owner: &Owner) -> Self {
        Self {
            store: owner.resource_id("tokens", NAME_LIMIT),
            function: owner.resource_id("tokens", NAME_LIMIT),
            pattern_set: owner.resource_id("revoked", WAF_NAME_LIMIT),
            web_acl: owner.resource_id("revocation", WAF_NAME_LIMIT),
        }
    }
}

/// The comment on a policy's function: whose it is.
pub fn function_comment(owner: &Owner) -> String {
    format!("onair TokenPolicy {}/{}", owner.namespace, owner.name)
}

/// What one reconcile found and did, for the status.
#[derive(Debug, Default)]
pub struct Observed {
    pub store: Option<KeyValueStore>,
    pub key_ids: Vec<String>,
    pub function: Option<FunctionState>,
    pub web_acl_arn: Option<String>,
    /// Sessions whose revocation is in force.
    pub revoked: usize,
    /// Revocations that ended (entryTtlSeconds) but are still listed.
    pub ended: usize,
    /// When the next listed revocation ends (for WAF, which must drop it).
    pub next_end: Option<u64>,
}

/// Where the policy stands.
pub enum Outcome {
    Ready,
    /// Waiting for AWS (a store provisioning) or a web ACL to be detached.
    Waiting {
        reason: &'static str,
        message: String,
    },
    Failed(Failure),
}

pub fn invalid(reason: &str, message: String) -> Failure {
    Failure::stalled(reason, message)
}

/// The channels' common AwsProvider: a function and its store live in one
/// account, so every channel of a policy must use the same one.
pub fn common_provider(inputs: &PolicyInputs) -> Result<Option<ProviderRef>, Failure> {
    let mut providers = inputs.channels.iter().map(|c| c.spec.provider_ref.clone());
    let first = providers.next().flatten();
    if providers.any(|p| p.as_ref().map(|r| &r.name) != first.as_ref().map(|r| &r.name)) {
        return Err(invalid(
            "ChannelsInDifferentAccounts",
            "the channels in channelRefs use different AwsProviders; a TokenPolicy's function and keys live in one account, so split it into one policy per provider".into(),
        ));
    }
    Ok(first)
}

/// A channel can run one viewer-request function: the oldest policy naming
/// it wins, a later one is refused with the other's name.
pub fn claimed_elsewhere(
    tp: &TokenPolicy,
    all: &[std::sync::Arc<TokenPolicy>],
) -> Option<(String, String)> {
    tp.spec.channel_refs.iter().find_map(|c| {
        protecting(all, &c.name)
            .filter(|winner| winner.name_any() != tp.name_any())
            .filter(|winner| age_key(winner) < age_key(tp))
            .map(|winner| (c.name.clone(), winner.name_any()))
    })
}

pub struct Apply<'a> {
    pub ctx: &'a Context,
    pub tp: &'a TokenPolicy,
    pub owner: Owner,
    pub names: Names,
    pub tags: Tags,
    /// The children's ids and events.
    pub steps: Steps<'a, TokenPolicy>,
    pub observed: Observed,
}

impl<'a> Apply<'a> {
    pub fn new(ctx: &'a Context, tp: &'a TokenPolicy, api: &Api<TokenPolicy>) -> Self {
        let owner = owner_of(tp);
        let spec_unchanged =
            tp.status.as_ref().and_then(|s| s.observed_generation) == tp.metadata.generation;
        Self {
            ctx,
            tp,
            names: Names::of(&owner),
            owner,
            tags: Tags::new(),
            steps: Steps::for_object(api, tp, &ctx.recorder, spec_unchanged, false)
                .remembering(ctx.memo_of(tp)),
            observed: Observed::default(),
        }
    }

    /// The store a previous round recorded (its name, and its ARN in the
    /// status), read through its keys alone: the data plane answers only
    /// for a store that exists and is READY, so a settled policy's resync
    /// spends one read on it, not two. Anything else (never recorded, gone,
    /// still provisioning, an error) is left to the control plane.
    async fn settled_store(
        &self,
        kvs: &dyn crate::aws::cloudfront::CloudFrontKvsApi,
    ) -> Option<(KeyValueStore, Vec<crate::aws::cloudfront::KvsItem>)> {
        let recorded = self.steps.ids.recorded(StoreChild::CHILD)?;
        let arn = self.tp.status.as_ref()?.key_value_store_arn.clone()?;
        if recorded != self.names.store {
            return None;
        }
        let keys = kvs.list_keys(&arn).await.ok()?;
        let store = KeyValueStore {
            name: recorded,
            // The ARN ends in the store's id: arn:aws:cloudfront::<account>:key-value-store/<id>.
            id: arn.rsplit('/').next()?.to_string(),
            arn,
            comment: String::new(),
            status: "READY".into(),
            // The control-plane ETag only serves deletion, which reads it.
            etag: String::new(),
        };
        Some((store, keys))
    }

    /// The whole reconcile; `Ok(None)` when everything is as desired, else
    /// what the policy waits for.
    pub async fn run(&mut self, api: &Api<TokenPolicy>) -> (Outcome, Option<Duration>) {
        let namespace = self.owner.namespace.clone();
        let spec = &self.tp.spec;
        let catalog = &self.ctx.catalog;
        let (ad_insertions, others) = match (
            catalog
                .objects_in::<crate::api::AdInsertion>(&namespace)
                .await,
            catalog.objects_in::<TokenPolicy>(&namespace).await,
        ) {
            (Ok(ads), Ok(policies)) => (ads, policies),
            (Err(e), _) | (_, Err(e)) => return (kube_failure(e), None),
        };
        let inputs =
            match PolicyInputs::load(&self.ctx.client, &namespace, spec, &ad_insertions).await {
                Ok(inputs) => inputs,
                Err(InputError::Invalid { reason, message }) => {
                    return (Outcome::Failed(invalid(reason, message)), None)
                }
                Err(e @ InputError::Kube { .. }) => return (kube_failure(e), None),
            };
        if let Some((channel, other)) = claimed_elsewhere(self.tp, &others) {
            let message = format!("the LiveChannel \"{channel}\" is already protected by TokenPolicy \"{other}\"; a channel runs one token check, so name it in one policy only");
            return (
                Outcome::Failed(invalid("ChannelAlreadyProtected", message)),
                None,
            );
        }
        let provider = match common_provider(&inputs) {
            Ok(p) => p,
            Err(f) => return (Outcome::Failed(f), None),
        };
        let provider = match provider_for(api, self.tp, provider.as_ref()).await {
            Ok(p) => p,
            Err(e) => return (kube_failure(e), None),
        };
        let namespace = self.tp.namespace().unwrap_or_default();
        let resolved =
            match observe::resolve(self.ctx, self.tp, provider.as_ref(), &namespace).await {
                Ok(r) => r,
                Err(e) => {
                    let f = Failure::from(&e);
                    return (Outcome::Failed(f), None);
                }
            };
        self.tags = resolved.defaults.tags.clone();
        match self.converge(&inputs, &resolved.apis).await {
            Ok(outcome) => {
                let outcome = match (outcome, self.steps.drift()) {
                    (Outcome::Ready, Some(drifted)) => Outcome::Failed(drifted),
                    (outcome, _) => outcome,
                };
                let next_end = self.observed.next_end.map(|end| {
                    Duration::from_secs(end.saturating_sub(unix_now())) + Duration::from_secs(1)
                });
                (outcome, next_end)
            }
            Err(e) => {
                let failure = e.failure();
                self.steps
                    .events
                    .publish(true, &failure.reason, "Reconcile", failure.message.clone())
                    .await;
                (Outcome::Failed(failure), None)
            }
        }
    }

    async fn converge(
        &mut self,
        inputs: &PolicyInputs,
        apis: &crate::aws::apis::AwsApis,
    ) -> Step<Outcome> {
        let spec = &self.tp.spec;
        let tags = self.tags.clone();
        let owner = self.owner.clone();
        // 1. The store, and the keys and revocations in it.
        let store_child = StoreChild {
            api: apis.cloudfront.as_ref(),
            owner: &owner,
            tags: &tags,
            name: self.names.store.clone(),
        };
        let kvs = apis.cloudfront_kvs.as_ref();
        let what = "CloudFront key value store keys";
        let (store, current) = match self.settled_store(kvs).await {
            Some(settled) => settled,
            None => {
                let store = self
                    .steps
                    .ensure(&store_child, "CloudFront key value store")
                    .await?;
                self.observed.store = Some(store.clone());
                if !store_ready(&store) {
                    return Ok(Outcome::Waiting {
                        reason: "KeyValueStoreProvisioning",
                        message: format!(
                            "CloudFront is provisioning key value store {}",
                            store.name
                        ),
                    });
                }
                let current = kvs.list_keys(&store.arn).await.map_err(aws_at(what))?;
                (store, current)
            }
        };
        self.observed.store = Some(store.clone());
        let current: BTreeMap<String, String> =
            current.into_iter().map(|i| (i.key, i.value)).collect();
        let now = unix_now();
        let desired = store_entries(
            &inputs.keys,
            &inputs.revoked,
            &current,
            now,
            revocation_ttl_seconds(spec),
        );
        if !fits_in_store(&desired) {
            return Err(StepError {
                what,
                error: crate::controller::kit::driver::DriverError::Invalid {
                    reason: "RevocationListTooLarge",
                    message: format!(
                        "the signing keys and revoked sessions need {} bytes, more than a CloudFront key value store's 5 MB; remove ended revocations from the list",
                        store_bytes(&desired)
                    ),
                },
            });
        }
        let writes = store_writes(&current, &desired);
        if !writes.is_empty() {
            let mut etag = kvs
                .describe_store(&store.arn)
                .await
                .map_err(aws_at(what))?
                .etag;
            let (mut put, mut deleted) = (0, 0);
            for write in writes {
                put += write.puts.len();
                deleted += write.deletes.len();
                let KvsData { etag: next, .. } = kvs
                    .update_keys(&store.arn, &etag, write.puts, write.deletes)
                    .await
                    .map_err(aws_at(what))?;
                etag = next;
            }
            self.steps.events
                .publish(
                    false,
                    "KeysUpdated",
                    "UpdateKeyValueStoreKeys",
                    format!(
                        "Key value store {}: wrote {put} and removed {deleted} entries; signing keys now {}",
                        store.name,
                        inputs.keys.0.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
                .await;
        }
        self.observed.key_ids = inputs.keys.0.keys().cloned().collect();
        let enforced = enforced_sessions(&desired, now);
        self.observed.revoked = enforced.len();
        self.observed.ended = inputs.revoked.len() - enforced.len();
        self.observed.next_end = desired
            .iter()
            .filter(|(k, _)| k.starts_with("r:"))
            .filter_map(|(_, v)| v.parse::<u64>().ok())
            .filter(|end| *end > now)
            .min();

        // 2. The function, published.
        let config = inputs.edge_config(spec);
        let code = function::source(&config, &store.id);
        if let Err(message) = function::check_size(&code) {
            return Err(StepError {
                what: "CloudFront function",
                error: crate::controller::kit::driver::DriverError::Invalid {
                    reason: "FunctionTooLarge",
                    message,
                },
            });
        }
        let function_child = FunctionChild {
            api: apis.cloudfront.as_ref(),
            verified: &self.ctx.verified_functions,
            owner: &owner,
            tags: &tags,
            name: self.names.function.clone(),
            spec: FunctionSpec {
                comment: function_comment(&owner),
                code,
                key_value_store_arns: vec![store.arn.clone()],
            },
        };
        let function = self
            .steps
            .ensure(&function_child, "CloudFront function")
            .await?;
        self.observed.function = Some(function);

        // 3. WAF revocation, or none.
        let waf = spec.revocation.enabled && spec.revocation.method == RevocationMethod::Waf;
        let patterns = if waf {
            waf_patterns(&enforced, &spec.token.query_parameter).map_err(|e| StepError {
                what: "WAF regex pattern set",
                error: crate::controller::kit::driver::DriverError::Invalid {
                    reason: "TooManySessionsForWaf",
                    message: e.to_string(),
                },
            })?
        } else {
            Vec::new()
        };
        let set_child = PatternSetChild {
            api: apis.wafv2.as_ref(),
            owner: &owner,
            tags: &tags,
            name: self.names.pattern_set.clone(),
            patterns,
        };
        if waf {
            let set = self
                .steps
                .ensure(&set_child, "WAF regex pattern set")
                .await?;
            let acl_spec = WebAclChild::spec_for(&owner, &set.entity.arn, spec.failure_status_code);
            let acl_child = WebAclChild {
                api: apis.wafv2.as_ref(),
                owner: &owner,
                tags: &tags,
                name: self.names.web_acl.clone(),
                spec: acl_spec,
            };
            let acl = self.steps.ensure(&acl_child, "WAF web ACL").await?;
            self.observed.web_acl_arn = Some(acl.entity.arn);
            return Ok(Outcome::Ready);
        }
        // Revocation moved off WAF: the channels drop the web ACL (the status
        // no longer names it), then it and its patterns go.
        let why = "the policy no longer revokes sessions through WAF";
        let acl = WebAclAt {
            api: apis.wafv2.as_ref(),
            name: self.names.web_acl.clone(),
        };
        let recorded = |child: &str| self.steps.ids.recorded(child).is_some();
        if recorded(WebAclChild::CHILD) || recorded(PatternSetChild::CHILD) {
            if !self.steps.remove(&acl, "WAF web ACL", why).await? {
                return Ok(Outcome::Waiting {
                    reason: "DetachingWebAcl",
                    message: "waiting for the channels' distributions to drop the WAF web ACL before deleting it".into(),
                });
            }
            self.steps
                .remove(&set_child.at(), "WAF regex pattern set", why)
                .await?;
        }
        Ok(Outcome::Ready)
    }
}

/// Kubernetes could not be read (or written): retried, not the user's to fix.
fn kube_failure(e: impl std::fmt::Display) -> Outcome {
    Outcome::Failed(Failure::retrying("KubernetesError", e.to_string()))
}
