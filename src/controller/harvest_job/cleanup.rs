//! The end of a HarvestJob: deleted `ttlSecondsAfterFinished` after it
//! finished; deletion removes the VOD resources (unless Retain), never S3.

use std::time::Duration;

use jiff::Timestamp;
use kube::api::{Api, DeleteParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use tracing::warn;

use crate::api::common::DeletionPolicy;
use crate::api::harvest_job::HarvestJob;
use crate::aws::children::mediapackagevod::{vod_id, AssetAt, ConfigurationAt, GroupAt};
use crate::aws::children::Located;
use crate::controller::context::Context;
use crate::controller::kit::driver::{remove, AnnotationIds, DriverError, IdStore};
use crate::controller::kit::{owner_of, Error};
use crate::controller::provider::recorded_provider;
use crate::k8s::finalizer;
use crate::k8s::report::Events;

/// A finished job: nothing is polled; the object goes `ttlSecondsAfterFinished`
/// after it finished.
pub(super) async fn after_finish(
    hj: &HarvestJob,
    ctx: &Context,
    api: &Api<HarvestJob>,
) -> Result<Action, Error> {
    let Some(ttl) = hj.spec.ttl_seconds_after_finished else {
        return Ok(Action::await_change());
    };
    let completed = hj
        .status
        .as_ref()
        .and_then(|s| s.completed_at.as_deref())
        .and_then(|t| t.parse::<Timestamp>().ok())
        .unwrap_or_else(Timestamp::now);
    let due = completed + jiff::SignedDuration::from_secs(i64::from(ttl));
    let now = Timestamp::now();
    if due > now {
        let wait = Duration::try_from(now.duration_until(due)).unwrap_or_default();
        return Ok(Action::requeue(wait + Duration::from_millis(100)));
    }
    Events::new(&ctx.recorder, hj, false)
        .publish(false, "Expired", "Delete", format!("Deleting the HarvestJob {ttl} s after it finished (ttlSecondsAfterFinished); the clip in S3 stays"))
        .await;
    api.delete(&hj.name_any(), &DeleteParams::background())
        .await?;
    Ok(Action::await_change())
}

/// Deletion: the VOD asset, its configurations and group (unless Retain),
/// never the S3 objects; then the finalizer goes.
pub(super) async fn cleanup(
    hj: &HarvestJob,
    ctx: &Context,
    api: &Api<HarvestJob>,
) -> Result<Action, Error> {
    if !finalizer::has_finalizer(hj) {
        return Ok(Action::await_change());
    }
    let mut ids = AnnotationIds::new(api.clone(), hj);
    let has_vod = ["vod-asset", "vod-hls", "vod-dash", "vod-group"]
        .iter()
        .any(|c| ids.recorded(c).is_some());
    if hj.spec.deletion_policy == DeletionPolicy::Retain || !has_vod {
        finalizer::remove(api, hj).await?;
        return Ok(Action::await_change());
    }
    let provider = recorded_provider(hj).flatten();
    let resolved = match ctx
        .providers
        .resolve(provider.as_ref(), &hj.namespace().unwrap_or_default())
        .await
    {
        Ok(r) => r,
        Err(e) => {
            warn!(name = %hj.name_any(), error = %e, "cannot delete the VOD asset yet");
            return Ok(Action::requeue(ctx.timing.retry));
        }
    };
    let owner = owner_of(hj);
    let events = Events::new(&ctx.recorder, hj, false);
    let vod_api = resolved.apis.mediapackagevod.as_ref();
    let owner = &owner;
    let asset = AssetAt {
        api: vod_api,
        owner,
        id: vod_id(owner, "vod-asset"),
    };
    let configuration = |child| ConfigurationAt {
        api: vod_api,
        owner,
        child,
        id: vod_id(owner, child),
    };
    let (hls, dash) = (configuration("vod-hls"), configuration("vod-dash"));
    let group = GroupAt {
        api: vod_api,
        owner,
        id: vod_id(owner, "vod-group"),
    };
    let mut done = true;
    for (result, what) in [
        (removed(&asset, &mut ids).await, "MediaPackage VOD asset"),
        (
            removed(&hls, &mut ids).await,
            "MediaPackage VOD packaging configuration",
        ),
        (
            removed(&dash, &mut ids).await,
            "MediaPackage VOD packaging configuration",
        ),
        (
            removed(&group, &mut ids).await,
            "MediaPackage VOD packaging group",
        ),
    ] {
        match result {
            Ok(Some(id)) => {
                events
                    .publish(
                        false,
                        "Deleted",
                        "Delete",
                        format!("Deleted {what} {id}: the HarvestJob is being deleted"),
                    )
                    .await
            }
            Ok(None) => {}
            Err(e) => {
                done = false;
                warn!(name = %hj.name_any(), error = %e, "cannot delete {what} yet");
            }
        }
    }
    if done
        && ["vod-asset", "vod-hls", "vod-dash", "vod-group"]
            .iter()
            .all(|c| ids.recorded(c).is_none())
    {
        finalizer::remove(api, hj).await?;
        return Ok(Action::await_change());
    }
    Ok(Action::requeue(ctx.timing.poll))
}

/// Removes a recorded child; the id it had when it is gone now.
async fn removed<L: Located>(
    child: &L,
    ids: &mut AnnotationIds<HarvestJob>,
) -> Result<Option<String>, DriverError> {
    let Some(id) = ids.recorded(child.child()) else {
        return Ok(None);
    };
    Ok(remove(child, ids).await?.then_some(id))
}
