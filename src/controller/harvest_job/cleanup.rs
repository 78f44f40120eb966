//! The end of a HarvestJob: deleted `ttlSecondsAfterFinished` after it
//! finished; deletion removes the VOD resources (unless Retain), never S3.

use std::time::Duration;

use jiff::Timestamp;
use kube::api::{Api, DeleteParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;

use crate::api::harvest_job::HarvestJob;
use crate::aws::children::mediapackagevod::{vod_id, AssetAt, ConfigurationAt, GroupAt};
use crate::controller::context::Context;
use crate::controller::kit::deletion;
use crate::controller::kit::driver::{AnnotationIds, IdStore};
use crate::controller::kit::{owner_of, remove_child, Error};
use crate::controller::provider::recorded_provider;
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
    let mut ids = AnnotationIds::new(api.clone(), hj);
    // Only a job published with MediaPackage VOD made anything to delete.
    let made_vod = VOD_CHILDREN.iter().any(|c| ids.recorded(c).is_some());
    let made_in = made_vod.then(|| recorded_provider(hj).flatten());
    let resolved = match deletion::start(hj, ctx, api, hj.spec.deletion_policy, made_in).await? {
        deletion::Start::In(resolved) => resolved,
        deletion::Start::Done(action) => return Ok(action),
    };
    let owner = &owner_of(hj);
    let events = Events::new(&ctx.recorder, hj, false);
    let api_of_vod = resolved.apis.mediapackagevod.as_ref();
    let asset = AssetAt {
        api: api_of_vod,
        owner,
        id: vod_id(owner, "vod-asset"),
    };
    let configuration = |child| ConfigurationAt {
        api: api_of_vod,
        owner,
        child,
        id: vod_id(owner, child),
    };
    let group = GroupAt {
        api: api_of_vod,
        owner,
        id: vod_id(owner, "vod-group"),
    };
    let why = "the HarvestJob is being deleted";
    let removals = async {
        // The asset uses the configurations, which are in the group.
        let what = "MediaPackage VOD asset";
        if !remove_child(&mut ids, &events, &asset, what, why).await? {
            return Ok(vec![what]);
        }
        let what = "MediaPackage VOD packaging configuration";
        for child in ["vod-hls", "vod-dash"] {
            if !remove_child(&mut ids, &events, &configuration(child), what, why).await? {
                return Ok(vec![what]);
            }
        }
        let what = "MediaPackage VOD packaging group";
        let gone = remove_child(&mut ids, &events, &group, what, why).await?;
        Ok(if gone { Vec::new() } else { vec![what] })
    }
    .await;
    deletion::finish(hj, ctx, api, &events, removals).await
}

/// The children a job published with MediaPackage VOD records.
const VOD_CHILDREN: [&str; 4] = ["vod-asset", "vod-hls", "vod-dash", "vod-group"];
