//! The LiveChannel reconciler: stages in their own files —
//! resolve the provider and validate (here), create and update children
//! ([`apply`]), delete them in order ([`cleanup`]), build the status
//! ([`status`]).

pub mod apply;
pub mod cleanup;
pub mod status;

use std::sync::Arc;

use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::{Resource, ResourceExt};
use tracing::{info, warn};

use crate::api::live_channel::LiveChannel;
use crate::controller::context::Context;
use crate::controller::kit::{now, observe, Error};
use crate::controller::provider::Resolved;
use crate::k8s::finalizer;
use crate::k8s::report::{write_status, Events};
use crate::plan::failure::{merged_tags, Failure};
use crate::plan::live_channel_validation::{validate, Roles};

use apply::Apply;
use status::Observed;

/// Checks the spec can be built, and the object's and its provider's tags
/// fit AWS's limit together, before any AWS call.
fn check(lc: &LiveChannel, resolved: &Resolved, roles: &Roles) -> Result<(), Failure> {
    validate(&lc.spec, roles)?;
    merged_tags(&resolved.defaults.tags, &lc.spec.tags).map(drop)
}

/// The roles the channel's resources use: its own, else its provider's.
fn roles_of(lc: &LiveChannel, resolved: &Resolved) -> Roles {
    Roles::of(
        &lc.spec,
        resolved.defaults.media_live_role_arn.as_ref(),
        resolved.defaults.media_package_secrets_role_arn.as_ref(),
    )
}

/// Reconciles one LiveChannel once: the whole of what the operator does for it.
pub async fn reconcile(lc: Arc<LiveChannel>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = lc.namespace().unwrap_or_default();
    let api: Api<LiveChannel> = Api::namespaced(ctx.client.clone(), &namespace);
    if let Some(paused) = crate::controller::kit::pause::hold(lc.as_ref(), &api, &ctx).await? {
        return Ok(paused);
    }
    if lc.meta().deletion_timestamp.is_some() {
        ctx.settled(lc.as_ref());
        return cleanup::run(&lc, &ctx, &api).await;
    }
    // Where the RBAC lets onair read no Secret, a channel naming one says
    // what to change rather than fail on the API server's refusal.
    if names_a_secret(&lc) {
        if let Err(message) = ctx
            .secret_access
            .check(&namespace, "input.srtCaller.sources[].passphraseSecretRef")
        {
            let failure = Failure::stalled("SecretsNotReadable", message);
            report_failure(&api, &lc, &ctx, &failure).await?;
            return Ok(Action::requeue(ctx.timing.resync));
        }
    }
    // Ready=False from the very first reconcile (kstatus), and the finalizer
    // before the first AWS resource exists.
    if lc.status.is_none() {
        let (status, _) = status::build(
            &lc.spec,
            None,
            lc.metadata.generation,
            &now(),
            &Observed::default(),
            None,
        );
        write_status(&api, lc.as_ref(), &status).await?;
    }
    let first_round = finalizer::add(&api, lc.as_ref()).await?;

    let provider = lc.spec.provider_ref.as_ref();
    let resolved = match observe::resolve(&ctx, lc.as_ref(), provider, &namespace).await {
        Ok(resolved) => resolved,
        Err(e) => {
            let failure = Failure::from(&e);
            report_failure(&api, &lc, &ctx, &failure).await?;
            return Ok(Action::requeue(ctx.timing.retry));
        }
    };
    let roles = roles_of(&lc, &resolved);
    if let Err(failure) = check(&lc, &resolved, &roles) {
        report_failure(&api, &lc, &ctx, &failure).await?;
        // Nothing will change until the spec (or the provider) does.
        return Ok(Action::requeue(ctx.timing.resync));
    }
    run_apply(&lc, &ctx, &api, &resolved, &roles, first_round).await
}

async fn run_apply(
    lc: &LiveChannel,
    ctx: &Context,
    api: &Api<LiveChannel>,
    resolved: &Resolved,
    roles: &Roles,
    first_round: bool,
) -> Result<Action, Error> {
    let mut apply = Apply::new(ctx, lc, api, resolved, roles, false);
    apply.steps.ids = apply.steps.ids.first_round(first_round);
    let result = apply.run().await;
    let failure = crate::controller::kit::observe::together(
        apply.steps.drift(),
        result.err().map(|e| e.failure()),
    );
    let (mut status, settled) = status::build(
        &lc.spec,
        lc.status.as_ref(),
        lc.metadata.generation,
        &now(),
        &apply.observed,
        failure.as_ref(),
    );
    if let Some(rotated) = apply.rotated.take() {
        status.cdn_secret_rotation = Some(rotated);
        status.cdn_secret_rotated_at = Some(now());
    }
    write_status(api, lc, &status).await?;
    match failure {
        Some(f) => {
            ctx.round_failed(lc);
            warn!(name = %lc.name_any(), namespace = %lc.namespace().unwrap_or_default(), reason = %f.reason, "{}", f.message);
            apply
                .steps
                .events
                .publish(true, &f.reason, "Reconcile", f.message)
                .await;
            // Observed drift stays until someone acts: the resync looks again.
            let again = if crate::controller::kit::observe::is_observe_only(lc) {
                ctx.timing.resync
            } else {
                ctx.timing.retry
            };
            Ok(Action::requeue(again))
        }
        None => {
            let next = if settled {
                ctx.settled(lc);
                ctx.timing.resync
            } else {
                ctx.poll_after(lc)
            };
            Ok(Action::requeue(apply.wake_in.map_or(next, |w| w.min(next))))
        }
    }
}

/// What `onair plan` says about one LiveChannel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `= in sync`, `~ update` (with indented field changes), `+ create`,
    /// `- delete` lines, in the reconciler's order.
    pub lines: Vec<String>,
    pub in_sync: bool,
}

/// The reconciler in dry-run mode: what one reconcile of `lc` would do, with
/// reads only (nothing is written to AWS or Kubernetes).
pub async fn plan(ctx: &Context, lc: &LiveChannel, api: &Api<LiveChannel>) -> Result<Plan, String> {
    let resolved = ctx
        .providers
        .resolve(
            lc.spec.provider_ref.as_ref(),
            &lc.namespace().unwrap_or_default(),
        )
        .await
        .map_err(|e| e.to_string())?;
    let roles = roles_of(lc, &resolved);
    check(lc, &resolved, &roles).map_err(|f| f.message)?;
    let mut dry = Apply::new(ctx, lc, api, &resolved, &roles, true);
    let result = dry.run().await;
    let mut lines = dry.steps.plan.take().unwrap_or_default();
    match result {
        Ok(()) => {}
        Err(e)
            if matches!(
                e.error,
                crate::controller::kit::driver::DriverError::NotCreated
            ) =>
        {
            lines.push(format!(
                "+ everything that depends on the {}: created after it",
                e.what
            ));
        }
        Err(e) => return Err(e.failure().message),
    }
    let in_sync = lines
        .iter()
        .all(|l| l.starts_with('=') || l.starts_with(' '));
    Ok(Plan { lines, in_sync })
}

/// Writes a failure that stopped the reconcile before any AWS resource was
/// touched. Nothing was read from AWS either, so what the status knew stays:
/// a running channel whose spec needs a fix is still on air, with the same
/// ingest and playback URLs and resources (what its TokenPolicy and
/// AdInsertion build on), and its finer conditions say what they said.
async fn report_failure(
    api: &Api<LiveChannel>,
    lc: &LiveChannel,
    ctx: &Context,
    failure: &Failure,
) -> Result<(), Error> {
    ctx.round_failed(lc);
    let (status, _) = status::build(
        &lc.spec,
        lc.status.as_ref(),
        lc.metadata.generation,
        &now(),
        &Observed::default(),
        Some(failure),
    );
    let status = match &lc.status {
        Some(previous) => status::keep_known(previous, status),
        None => status,
    };
    write_status(api, lc, &status).await?;
    Events::new(&ctx.recorder, lc, false)
        .publish(true, &failure.reason, "Reconcile", failure.message.clone())
        .await;
    Ok(())
}

/// Runs the LiveChannel controller for one namespace (None: all of them)
/// until the stream ends.
pub async fn run_in(ctx: Arc<Context>, concurrency: u16, namespace: Option<String>) {
    let namespace = namespace.as_deref();
    let (reader, changes) = crate::controller::primary::<LiveChannel>(&ctx, namespace);
    // A changed Secret (an SRT passphrase) reaches AWS at once, not at the
    // next resync. Metadata only: Secret values never pass through the watch.
    let store = reader.clone();
    let secrets = crate::k8s::secret_access::watch(&ctx.client, &ctx.secret_access, namespace);
    info!("LiveChannel controller started");
    // AdInsertions fold behaviours into the channel's distribution.
    let ad_insertions =
        crate::controller::related_changes::<crate::api::AdInsertion>(&ctx, namespace);
    // A TokenPolicy's function and web ACL, and channels it stopped naming.
    let token_policies =
        crate::controller::changes_read(&ctx, namespace, crate::plan::watched::policy_for_channel);
    let channels = reader.clone();
    let controller = Controller::for_shared_stream(changes, reader)
        .watches_shared_stream(token_policies, move |tp: Arc<crate::api::TokenPolicy>| {
            let name = tp.name_any();
            crate::controller::related(&channels, tp.namespace(), |lc: &LiveChannel| {
                let named = tp.spec.channel_refs.iter().any(|c| c.name == lc.name_any());
                let folded = lc.status.as_ref().and_then(|s| s.token_policy.as_deref())
                    == Some(name.as_str());
                named || folded
            })
        })
        .watches_shared_stream(ad_insertions, |adi: Arc<crate::api::AdInsertion>| {
            adi.namespace().map(|ns| {
                kube::runtime::reflector::ObjectRef::new(&adi.spec.channel_ref.name).within(&ns)
            })
        })
        .watches_stream(secrets, move |secret| {
            let name = secret.name_any();
            crate::controller::related(&store, secret.namespace(), |lc: &LiveChannel| {
                uses_secret(lc, &name)
            })
        });
    crate::controller::kit::run_kind(controller, concurrency, reconcile, ctx).await;
}

/// Whether the channel reads the Secret `name` (of its own namespace).
fn uses_secret(lc: &LiveChannel, name: &str) -> bool {
    secrets_named(lc).any(|r| r.name == name)
}

/// Whether the channel reads any Secret.
fn names_a_secret(lc: &LiveChannel) -> bool {
    secrets_named(lc).next().is_some()
}

fn secrets_named(lc: &LiveChannel) -> impl Iterator<Item = &crate::api::common::SecretKeySelector> {
    lc.spec
        .input
        .srt_caller
        .iter()
        .flat_map(|s| s.sources.iter())
        .filter_map(|s| s.passphrase_secret_ref.as_ref())
}
