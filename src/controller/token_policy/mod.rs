//! The TokenPolicy reconciler: signing keys in a CloudFront key value store,
//! the generated token-checking function (published to LIVE), and for WAF
//! revocation a regex pattern set and web ACL. The channels' distributions
//! use the function and web ACL once the status names them: the LiveChannel
//! reconciler, the one writer of a distribution, watches TokenPolicies.
//!
//! Rotation never refuses a valid token: the Secret's keys all verify, new
//! keys reach the store before removed ones leave it, and the function reads
//! keys from the store (a rotation does not republish it).

pub mod apply;

use std::sync::Arc;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Resource, ResourceExt};
use tracing::info;

use crate::api::token_policy::{TokenPolicy, TokenPolicyStatus};
use crate::api::{AdInsertion, LiveChannel};
use crate::aws::children::edge::{
    FunctionAt, PatternSetAt, PatternSetChild, StoreAt, WebAclAt, WebAclChild,
};
use crate::controller::conditions::{ConditionSet, Progress};
use crate::controller::context::Context;
use crate::controller::kit::deletion;
use crate::controller::kit::driver::{AnnotationIds, IdStore};
use crate::controller::kit::{now, owner_of, remove_child, Error};
use crate::controller::provider::recorded_provider;
use crate::k8s::finalizer;
use crate::k8s::report::{write_status, Events};

use apply::{Apply, Names, Observed, Outcome};

pub async fn reconcile(tp: Arc<TokenPolicy>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = tp.namespace().unwrap_or_default();
    let api: Api<TokenPolicy> = Api::namespaced(ctx.client.clone(), &namespace);
    if let Some(paused) = crate::controller::kit::pause::hold(tp.as_ref(), &api, &ctx).await? {
        return Ok(paused);
    }
    if tp.meta().deletion_timestamp.is_some() {
        ctx.settled(tp.as_ref());
        return cleanup(&tp, &ctx, &api).await;
    }
    // The signing keys are a Secret: where the RBAC lets onair read none,
    // say what to change rather than fail on the API server's refusal.
    if let Err(message) = ctx.secret_access.check(&namespace, "signingKeys.secretRef") {
        let outcome = Outcome::Failed(apply::invalid("SecretsNotReadable", message));
        write(&api, &tp, &outcome, &Observed::default()).await?;
        ctx.settled(tp.as_ref());
        return Ok(Action::requeue(ctx.timing.resync));
    }
    if tp.status.is_none() {
        let first = Outcome::Waiting {
            reason: "Pending",
            message: "reading the signing keys and channels".into(),
        };
        write(&api, &tp, &first, &Observed::default()).await?;
    }
    let first_round = finalizer::add(&api, tp.as_ref()).await?;
    let mut step = Apply::new(&ctx, &tp, &api);
    step.steps.ids = step.steps.ids.first_round(first_round);
    let (outcome, revocation_ends_in) = step.run(&api).await;
    write(&api, &tp, &outcome, &step.observed).await?;
    if !matches!(outcome, Outcome::Waiting { .. }) {
        ctx.settled(tp.as_ref());
    }
    let next = match &outcome {
        Outcome::Ready => {
            revocation_ends_in.map_or(ctx.timing.resync, |d| d.min(ctx.timing.resync))
        }
        Outcome::Waiting { .. } => ctx.poll_after(tp.as_ref()),
        Outcome::Failed(f) if f.stalled => ctx.timing.resync,
        Outcome::Failed(_) => ctx.timing.retry,
    };
    Ok(Action::requeue(next))
}

async fn write(
    api: &Api<TokenPolicy>,
    tp: &TokenPolicy,
    outcome: &Outcome,
    observed: &Observed,
) -> Result<(), kube::Error> {
    let previous = tp.status.clone().unwrap_or_default();
    let mut set = ConditionSet::new(&previous.conditions, tp.metadata.generation, now());
    let function = observed.function.as_ref();
    let published = function.is_some_and(|f| f.published());
    let keys_ready = !observed.key_ids.is_empty();
    let waf = tp.spec.revocation.enabled
        && tp.spec.revocation.method == crate::api::token_policy::RevocationMethod::Waf;
    let progress = match outcome {
        Outcome::Ready => Progress::Ready {
            reason: "Ready".into(),
            message: format!(
                "tokens are checked at the edge of {} channel(s) with keys {}",
                tp.spec.channel_refs.len(),
                observed.key_ids.join(", ")
            ),
        },
        Outcome::Waiting { reason, message } => Progress::Reconciling {
            reason: (*reason).into(),
            message: message.clone(),
        },
        Outcome::Failed(f) => Progress::from(f),
    };
    let (waiting_reason, waiting_message) = match &progress {
        Progress::Ready { .. } => ("", String::new()),
        Progress::Reconciling { reason, message } | Progress::Stalled { reason, message } => {
            (reason.as_str(), message.clone())
        }
    };
    if keys_ready {
        set.set_bool(
            "KeysReady",
            true,
            "KeysInStore",
            &format!(
                "signing keys {} are in the key value store",
                observed.key_ids.join(", ")
            ),
        );
    } else {
        set.set_bool("KeysReady", false, waiting_reason, &waiting_message);
    }
    if published {
        set.set_bool(
            "FunctionReady",
            true,
            "Published",
            "the token check is published (LIVE)",
        );
    } else {
        set.set_bool("FunctionReady", false, waiting_reason, &waiting_message);
    }
    let revocation_message = match (tp.spec.revocation.enabled, waf) {
        (false, _) => "revocation is off".to_string(),
        (true, _) if observed.ended > 0 => format!(
            "{} session(s) revoked; {} listed revocation(s) ended after entryTtlSeconds and can be removed from the list",
            observed.revoked, observed.ended
        ),
        (true, true) => format!("{} session(s) blocked by the WAF web ACL", observed.revoked),
        (true, false) => format!("{} session(s) refused by the token check", observed.revoked),
    };
    let revocation_ready = matches!(outcome, Outcome::Ready) || (keys_ready && !waf);
    if revocation_ready {
        set.set_bool("RevocationReady", true, "Enforced", &revocation_message);
    } else {
        set.set_bool("RevocationReady", false, waiting_reason, &waiting_message);
    }
    set.summarize(&progress);
    let failed = matches!(outcome, Outcome::Failed(_));
    // A failed reconcile says nothing new about AWS: keep what was known.
    let keep =
        |now: Option<String>, before: Option<String>| if failed { now.or(before) } else { now };
    let status = TokenPolicyStatus {
        observed_generation: tp.metadata.generation,
        conditions: set.into_vec(),
        function_arn: keep(
            function.filter(|f| f.published()).map(|f| f.arn.clone()),
            previous.function_arn,
        ),
        function_stage: keep(
            function.map(|f| if f.published() { "LIVE" } else { "DEVELOPMENT" }.to_string()),
            previous.function_stage,
        ),
        key_value_store_arn: keep(
            observed.store.as_ref().map(|s| s.arn.clone()),
            previous.key_value_store_arn,
        ),
        key_ids: if failed && observed.key_ids.is_empty() {
            previous.key_ids
        } else {
            observed.key_ids.clone()
        },
        web_acl_arn: if failed {
            observed.web_acl_arn.clone().or(previous.web_acl_arn)
        } else {
            observed.web_acl_arn.clone()
        },
        revoked_sessions: if failed && observed.key_ids.is_empty() {
            previous.revoked_sessions
        } else {
            u32::try_from(observed.revoked).unwrap_or(u32::MAX)
        },
    };
    write_status(api, tp, &status).await
}

/// Deletion: the channels drop the function and web ACL first (they ignore a
/// policy being deleted), then the web ACL, patterns, function and store go,
/// each once AWS no longer reports it in use.
async fn cleanup(tp: &TokenPolicy, ctx: &Context, api: &Api<TokenPolicy>) -> Result<Action, Error> {
    let made_in = recorded_provider(tp);
    let resolved = match deletion::start(tp, ctx, api, tp.spec.deletion_policy, made_in).await? {
        deletion::Start::In(resolved) => resolved,
        deletion::Start::Done(action) => return Ok(action),
    };
    let apis = &resolved.apis;
    let owner = owner_of(tp);
    let names = Names::of(&owner);
    let events = Events::new(&ctx.recorder, tp, false);
    let mut ids = AnnotationIds::new(api.clone(), tp);
    let why = "the TokenPolicy is being deleted";
    let acl = WebAclAt {
        api: apis.wafv2.as_ref(),
        name: names.web_acl.clone(),
    };
    let set = PatternSetAt {
        api: apis.wafv2.as_ref(),
        name: names.pattern_set.clone(),
    };
    let function = FunctionAt {
        api: apis.cloudfront.as_ref(),
        verified: &ctx.verified_functions,
        owner: &owner,
        name: names.function.clone(),
    };
    let store = StoreAt {
        api: apis.cloudfront.as_ref(),
        owner: &owner,
        name: names.store.clone(),
    };
    let waiting = async {
        let waf = tp.spec.revocation.method == crate::api::token_policy::RevocationMethod::Waf;
        // Look for unrecorded WAF entities only where the policy may have made them.
        let what = "WAF web ACL";
        if (waf || ids.recorded(WebAclChild::CHILD).is_some())
            && !remove_child(&mut ids, &events, &acl, what, why).await?
        {
            return Ok(vec![what]);
        }
        let what = "WAF regex pattern set";
        if (waf || ids.recorded(PatternSetChild::CHILD).is_some())
            && !remove_child(&mut ids, &events, &set, what, why).await?
        {
            return Ok(vec![what]);
        }
        // In use by a distribution still deploying without it: look again.
        let what = "CloudFront function";
        if !remove_child(&mut ids, &events, &function, what, why).await? {
            return Ok(vec![what]);
        }
        let what = "CloudFront key value store";
        if !remove_child(&mut ids, &events, &store, what, why).await? {
            return Ok(vec![what]);
        }
        Ok(Vec::new())
    }
    .await;
    deletion::finish(tp, ctx, api, &events, waiting).await
}

/// Runs the TokenPolicy controller for one namespace (None: all of them)
/// until the stream ends. A changed signing Secret (a rotation) or
/// revocation ConfigMap reaches the edge at once; so does a channel getting
/// its playback paths or an AdInsertion.
pub async fn run_in(ctx: Arc<Context>, concurrency: u16, namespace: Option<String>) {
    let namespace = namespace.as_deref();
    let client = ctx.client.clone();
    let (store, changes) = crate::controller::primary::<TokenPolicy>(&ctx, namespace);
    let controller = Controller::for_shared_stream(changes, store.clone());
    let (s1, s2, s3, s4) = (store.clone(), store.clone(), store.clone(), store);
    let secrets = crate::k8s::secret_access::watch(&client, &ctx.secret_access, namespace);
    let config_maps = watcher(
        crate::k8s::scoped::<PartialObjectMeta<ConfigMap>>(&client, namespace),
        watcher::Config::default(),
    )
    .default_backoff()
    .touched_objects();
    info!("TokenPolicy controller started");
    let controller = controller
        .watches_stream(secrets, move |secret| {
            let name = secret.name_any();
            crate::controller::related(&s1, secret.namespace(), |tp| {
                tp.spec.signing_keys.secret_ref.name == name
            })
        })
        .watches_stream(config_maps, move |map| {
            let name = map.name_any();
            crate::controller::related(&s2, map.namespace(), |tp| {
                tp.spec
                    .revocation
                    .config_map_ref
                    .as_ref()
                    .is_some_and(|r| r.name == name)
            })
        })
        .watches_shared_stream(
            crate::controller::changes_read(
                &ctx,
                namespace,
                crate::plan::watched::channel_for_policy,
            ),
            move |lc: Arc<LiveChannel>| {
                let name = lc.name_any();
                crate::controller::related(&s3, lc.namespace(), |tp| {
                    crate::plan::token_policy::names_channel(tp, &name)
                })
            },
        )
        .watches_shared_stream(
            crate::controller::changes_read(&ctx, namespace, crate::plan::watched::ad_for_policy),
            move |adi: Arc<AdInsertion>| {
                let channel = adi.spec.channel_ref.name.clone();
                crate::controller::related(&s4, adi.namespace(), |tp| {
                    crate::plan::token_policy::names_channel(tp, &channel)
                })
            },
        );
    crate::controller::kit::run_kind(controller, concurrency, reconcile, ctx).await;
}
