//! The HarvestJob reconciler: a live-to-VOD clip as a Kubernetes-native job.
//! Validate against the channel (no AWS call before the window is known to
//! work), create the harvest job once (deterministic id), follow it with
//! backoff, publish the clip as VOD, stop polling once finished, and delete
//! the object `ttlSecondsAfterFinished` later. Deletion removes the VOD asset
//! and its packaging (never the S3 objects).

use std::sync::Arc;

use jiff::Timestamp;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::{Resource, ResourceExt};
use tracing::{info, warn};

use crate::api::harvest_job::HarvestJob;
use crate::controller::context::Context;
use crate::k8s::finalizer;
use crate::k8s::report::Events;
use crate::plan::harvest::{self};

mod cleanup;
mod follow;
mod status;

use cleanup::{after_finish, cleanup};
use follow::step;
use status::{finished, write, Outcome};

pub use crate::controller::provider::PROVIDER_ANNOTATION;

pub use crate::controller::kit::Error;

pub async fn reconcile(hj: Arc<HarvestJob>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = hj.namespace().unwrap_or_default();
    let api: Api<HarvestJob> = Api::namespaced(ctx.client.clone(), &namespace);
    if let Some(paused) = crate::controller::kit::pause::hold(hj.as_ref(), &api, &ctx).await? {
        return Ok(paused);
    }
    if hj.meta().deletion_timestamp.is_some() {
        return cleanup(&hj, &ctx, &api).await;
    }
    let created = hj
        .metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0)
        .unwrap_or_else(Timestamp::now);
    let recorded = hj
        .status
        .as_ref()
        .and_then(|s| s.window_start.as_deref().zip(s.window_end.as_deref()));
    let window = match harvest::window(&hj.spec, created, recorded) {
        Ok(w) => w,
        Err(message) => {
            let outcome = Outcome::failed("InvalidWindow", message);
            write(&api, &hj, None, &outcome).await?;
            return Ok(Action::await_change());
        }
    };
    if finished(hj.status.as_ref()) {
        return after_finish(&hj, &ctx, &api).await;
    }
    if hj.status.is_none() {
        // Ready=False and the resolved window from the very first reconcile.
        let outcome = Outcome::pending("Pending", "checking the channel and the window".into());
        write(&api, &hj, Some(window), &outcome).await?;
    }
    finalizer::add(&api, hj.as_ref()).await?;

    let (outcome, next) = step(&hj, &ctx, &api, window).await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(failure) => {
            warn!(name = %hj.name_any(), %namespace, "{}", failure.message);
            Events::new(&ctx.recorder, hj.as_ref(), false)
                .publish(true, &failure.reason, "Reconcile", failure.message.clone())
                .await;
            Outcome::pending(failure.reason, failure.message)
        }
    };
    write(&api, &hj, Some(window), &outcome).await?;
    Ok(next)
}

/// Runs the HarvestJob controller for one namespace (None: all of them)
/// until the stream ends.
pub async fn run_in(ctx: Arc<Context>, concurrency: u16, namespace: Option<String>) {
    let namespace = namespace.as_deref();
    info!("HarvestJob controller started");
    let (store, changes) = crate::controller::primary::<HarvestJob>(&ctx, namespace);
    let controller = Controller::for_shared_stream(changes, store);
    crate::controller::kit::run_kind(controller, concurrency, reconcile, ctx).await;
}
