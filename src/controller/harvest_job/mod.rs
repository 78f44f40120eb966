//! The HarvestJob reconciler: a live-to-VOD clip as a Kubernetes-native job.
//! Validate against the channel (no AWS call before the window is known to
//! work), create the harvest job once (deterministic id), follow it with
//! backoff, publish the clip as VOD, stop polling once finished, and delete
//! the object `ttlSecondsAfterFinished` later. Deletion removes the VOD asset
//! and its packaging (never the S3 objects).

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use tracing::{info, warn};

use crate::api::common::{DeletionPolicy, ProviderRef};
use crate::api::harvest_job::{HarvestEndpoint, HarvestJob, HarvestJobStatus, HarvestPhase};
use crate::api::live_channel::LiveChannel;
use crate::aws::mediapackage::{HarvestStatus, NewHarvestJob, S3Destination};
use crate::aws::mediapackagevod::{
    NewAsset, PackagingConfigurationSpec, PackagingGroupSpec, VodDash, VodHls, VodPackage,
};
use crate::aws::ownership::Owner;
use crate::controller::children::{ensure, remove, AnnotationIds, DriverError, External, IdStore};
use crate::controller::conditions::{ConditionSet, Progress};
use crate::controller::context::Context;
use crate::controller::finalizer;
use crate::controller::live_channel::now;
use crate::controller::mediapackage::HarvestChild;
use crate::controller::provider::Resolved;
use crate::controller::report::{write_status, Events};
use crate::controller::vod::{vod_id, AssetChild, ConfigurationChild, GroupChild};
use crate::plan::harvest::{self, Verdict, Window};

/// The annotation naming the AwsProvider the job's resources live in (the
/// channel's when the job started; empty for the operator's own account), so
/// deletion finds them even after the channel is gone.
pub const PROVIDER_ANNOTATION: &str = "onair.dev/provider";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Kubernetes API error: {0}")]
    Kube(#[from] kube::Error),
}

fn owner_of(hj: &HarvestJob) -> Owner {
    Owner::new(
        hj.uid().unwrap_or_default(),
        hj.namespace().unwrap_or_default(),
        hj.name_any(),
    )
}

/// Where the job stands, for status.
struct Outcome {
    phase: HarvestPhase,
    reason: &'static str,
    message: String,
    job: Option<crate::aws::mediapackage::HarvestJob>,
    vod_url: Option<String>,
    vod_asset: Option<String>,
}

impl Outcome {
    fn pending(reason: &'static str, message: String) -> Self {
        Self {
            phase: HarvestPhase::Pending,
            reason,
            message,
            job: None,
            vod_url: None,
            vod_asset: None,
        }
    }

    fn failed(reason: &'static str, message: String) -> Self {
        Self {
            phase: HarvestPhase::Failed,
            ..Self::pending(reason, message)
        }
    }
}

fn finished(status: Option<&HarvestJobStatus>) -> bool {
    matches!(
        status.and_then(|s| s.phase),
        Some(HarvestPhase::Succeeded | HarvestPhase::Failed)
    )
}

pub async fn reconcile(hj: Arc<HarvestJob>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = hj.namespace().unwrap_or_default();
    let api: Api<HarvestJob> = Api::namespaced(ctx.client.clone(), &namespace);
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
            warn!(name = %hj.name_any(), %namespace, "{}", failure.1);
            Events::new(&ctx.recorder, hj.as_ref(), false)
                .publish(true, failure.0, "Reconcile", failure.1.clone())
                .await;
            Outcome::pending(failure.0, failure.1)
        }
    };
    write(&api, &hj, Some(window), &outcome).await?;
    Ok(next)
}

type Failure = (&'static str, String);

/// One pass: validate, harvest, follow, publish. Returns what to report and
/// when to look again.
async fn step(
    hj: &HarvestJob,
    ctx: &Context,
    api: &Api<HarvestJob>,
    window: Window,
) -> (Result<Outcome, Failure>, Action) {
    let retry = Action::requeue(ctx.timing.retry);
    let namespace = hj.namespace().unwrap_or_default();
    let channels: Api<LiveChannel> = Api::namespaced(ctx.client.clone(), &namespace);
    let channel = match channels.get_opt(&hj.spec.channel_ref.name).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            let message = format!(
                "the LiveChannel \"{}\" does not exist in namespace {namespace}; the job starts once it does",
                hj.spec.channel_ref.name
            );
            return (Ok(Outcome::pending("ChannelNotFound", message)), retry);
        }
        Err(e) => return (Err(("KubernetesError", e.to_string())), retry),
    };
    let now = Timestamp::now();
    match harvest::check(&hj.spec, window, &channel.spec, now) {
        Verdict::Invalid(message) => {
            return (
                Ok(Outcome::failed("InvalidWindow", message)),
                Action::await_change(),
            )
        }
        Verdict::WaitUntil(end) => {
            let wait = Duration::try_from(now.duration_until(end)).unwrap_or_default();
            let message = format!(
                "the clip ends at {end}, in the future: the harvest starts once it has passed"
            );
            return (
                Ok(Outcome::pending("WindowNotOver", message)),
                Action::requeue(wait.min(ctx.timing.resync) + Duration::from_secs(1)),
            );
        }
        Verdict::Go => {}
    }
    let resources = channel.status.as_ref().and_then(|s| s.resources.as_ref());
    let endpoint_id = resources.and_then(|r| match hj.spec.endpoint {
        HarvestEndpoint::Hls => r.hls_endpoint_id.clone(),
        HarvestEndpoint::Dash => r.dash_endpoint_id.clone(),
    });
    let Some(endpoint_id) = endpoint_id else {
        let message = format!(
            "the LiveChannel \"{}\" has no {:?} endpoint yet; the job starts once it has",
            hj.spec.channel_ref.name, hj.spec.endpoint
        );
        return (Ok(Outcome::pending("ChannelNotReady", message)), retry);
    };
    // The job's resources live where the channel's do; remember where.
    let provider = match recorded_provider(hj) {
        Some(p) => p,
        None => {
            let name = channel
                .spec
                .provider_ref
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default();
            let patch =
                serde_json::json!({"metadata": {"annotations": {PROVIDER_ANNOTATION: name}}});
            if let Err(e) = api
                .patch(
                    &hj.name_any(),
                    &PatchParams::default(),
                    &Patch::Merge(&patch),
                )
                .await
            {
                return (Err(("KubernetesError", e.to_string())), retry);
            }
            channel.spec.provider_ref.clone()
        }
    };
    let resolved = match ctx.providers.resolve(provider.as_ref()).await {
        Ok(r) => r,
        Err(e) => {
            let failure = crate::controller::live_channel::resolve_failure(&e);
            return (
                Ok(Outcome::pending("ProviderNotReady", failure.message)),
                retry,
            );
        }
    };
    // Before the job exists: a bucket that is not there fails now, with a
    // sentence, rather than as a FAILED job later. (onair's own credentials
    // may not be allowed to look: then MediaPackage will tell.)
    if IdStore::recorded(&AnnotationIds::new(api.clone(), hj), "harvest-job").is_none() {
        let bucket = &hj.spec.destination.bucket;
        match resolved.apis.s3.head_bucket(bucket).await {
            Err(e) if e.is_not_found() => {
                let message = format!("the S3 bucket \"{bucket}\" (destination.bucket) does not exist in the channel's account: create it, or fix the name");
                return (
                    Ok(Outcome::failed("BucketNotFound", message)),
                    Action::await_change(),
                );
            }
            Err(e) if !matches!(e.kind, crate::aws::ErrorKind::AccessDenied { .. }) => {
                return (
                    Err(("AwsUnavailable", format!("S3 bucket check: {e}"))),
                    retry,
                )
            }
            _ => {}
        }
    }
    match harvest_and_publish(hj, ctx, api, &resolved, window, endpoint_id).await {
        Ok(outcome) => {
            let next = match outcome.phase {
                HarvestPhase::Running | HarvestPhase::Pending => Action::requeue(backoff(hj, ctx)),
                _ => Action::requeue(Duration::from_secs(1)),
            };
            (Ok(outcome), next)
        }
        Err(e) => (Err(e), retry),
    }
}

/// Polls less often the longer a job runs: `poll` at first, growing with
/// its age up to five minutes.
fn backoff(hj: &HarvestJob, ctx: &Context) -> Duration {
    let started = hj
        .status
        .as_ref()
        .and_then(|s| s.started_at.as_deref())
        .and_then(|t| t.parse::<Timestamp>().ok());
    let age = started
        .map(|t| Duration::try_from(t.duration_until(Timestamp::now())).unwrap_or_default())
        .unwrap_or_default();
    (age / 10).clamp(ctx.timing.poll, Duration::from_secs(300))
}

fn recorded_provider(hj: &HarvestJob) -> Option<Option<ProviderRef>> {
    let name = hj.annotations().get(PROVIDER_ANNOTATION)?;
    Some((!name.is_empty()).then(|| ProviderRef { name: name.clone() }))
}

fn aws_failure(what: &str, e: &DriverError) -> Failure {
    match e {
        DriverError::Aws(e) => {
            let f = crate::controller::live_channel::apply::aws_failure(what, e);
            (
                if f.stalled {
                    "AwsRejected"
                } else {
                    "AwsUnavailable"
                },
                f.message,
            )
        }
        other => ("KubernetesError", format!("{what}: {other}")),
    }
}

async fn harvest_and_publish(
    hj: &HarvestJob,
    ctx: &Context,
    api: &Api<HarvestJob>,
    resolved: &Resolved,
    window: Window,
    endpoint_id: String,
) -> Result<Outcome, Failure> {
    let owner = owner_of(hj);
    let mut ids = AnnotationIds::new(api.clone(), hj);
    let events = Events::new(&ctx.recorder, hj, false);
    let destination = &hj.spec.destination;
    let manifest_key = harvest::manifest_key(&hj.spec, &hj.name_any());
    let child = HarvestChild {
        api: resolved.apis.mediapackage.as_ref(),
        job: NewHarvestJob {
            id: owner.resource_id("harvest", crate::aws::mediapackage::MAX_ID_LEN),
            origin_endpoint_id: endpoint_id,
            start_time: window.start,
            end_time: window.end,
            s3_destination: S3Destination {
                bucket_name: destination.bucket.clone(),
                manifest_key: manifest_key.clone(),
                role_arn: destination.role_arn.clone(),
            },
        },
    };
    let (job, action) = ensure(&child, &mut ids)
        .await
        .map_err(|e| aws_failure("MediaPackage harvest job", &e))?;
    events
        .child(action, "MediaPackage harvest job", &job.id)
        .await;
    let mut outcome = Outcome::pending("Pending", String::new());
    outcome.job = Some(job.clone());
    match job.status {
        HarvestStatus::Failed => {
            outcome.phase = HarvestPhase::Failed;
            outcome.reason = "HarvestFailed";
            outcome.message = format!("MediaPackage reports harvest job {} FAILED: check that the role {} can write to s3://{}", job.id, destination.role_arn, destination.bucket);
            events
                .publish(true, "HarvestFailed", "Harvest", outcome.message.clone())
                .await;
            return Ok(outcome);
        }
        HarvestStatus::InProgress | HarvestStatus::Other(_) => {
            outcome.phase = HarvestPhase::Running;
            outcome.reason = "Harvesting";
            outcome.message = format!(
                "MediaPackage is harvesting the clip into s3://{}/{manifest_key}",
                destination.bucket
            );
            return Ok(outcome);
        }
        HarvestStatus::Succeeded => {}
    }
    let Some(vod) = &hj.spec.vod else {
        outcome.phase = HarvestPhase::Succeeded;
        outcome.reason = "Harvested";
        outcome.message = format!("the clip is in s3://{}/{manifest_key}", destination.bucket);
        return Ok(outcome);
    };
    // Publish: packaging group, a configuration per format, the asset.
    let vod_api = resolved.apis.mediapackagevod.as_ref();
    let mut tags = resolved.defaults.tags.clone();
    tags.extend(hj.spec.tags.clone());
    let group = GroupChild {
        api: vod_api,
        owner: &owner,
        spec: PackagingGroupSpec {
            id: vod_id(&owner, "vod-group"),
            authorization: None,
            tags: owner.tags("vod-group", &tags),
        },
    };
    let (group, action) = ensure(&group, &mut ids)
        .await
        .map_err(|e| aws_failure("MediaPackage VOD packaging group", &e))?;
    events
        .child(action, "MediaPackage VOD packaging group", &group.spec.id)
        .await;
    for (wanted, child, package) in [
        (
            vod.hls,
            "vod-hls",
            VodPackage::Hls(VodHls {
                segment_duration_seconds: Some(6),
                manifest_name: Some("index".into()),
                ad_markers: None,
            }),
        ),
        (
            vod.dash,
            "vod-dash",
            VodPackage::Dash(VodDash {
                segment_duration_seconds: Some(2),
                manifest_name: Some("index".into()),
                segment_template_format: Some("NUMBER_WITH_TIMELINE".into()),
                period_triggers: Vec::new(),
            }),
        ),
    ] {
        if !wanted {
            continue;
        }
        let configuration = ConfigurationChild {
            api: vod_api,
            owner: &owner,
            child,
            spec: PackagingConfigurationSpec {
                id: vod_id(&owner, child),
                packaging_group_id: group.spec.id.clone(),
                package,
                tags: owner.tags(child, &tags),
            },
        };
        let (c, action) = ensure(&configuration, &mut ids)
            .await
            .map_err(|e| aws_failure("MediaPackage VOD packaging configuration", &e))?;
        events
            .child(
                action,
                "MediaPackage VOD packaging configuration",
                &c.spec.id,
            )
            .await;
    }
    let asset = AssetChild {
        api: vod_api,
        owner: &owner,
        asset: NewAsset {
            id: vod_id(&owner, "vod-asset"),
            packaging_group_id: group.spec.id.clone(),
            source_arn: format!("arn:aws:s3:::{}/{manifest_key}", destination.bucket),
            source_role_arn: vod.role_arn.clone(),
            resource_id: None,
            tags: owner.tags("vod-asset", &tags),
        },
    };
    let (asset, action) = ensure(&asset, &mut ids)
        .await
        .map_err(|e| aws_failure("MediaPackage VOD asset", &e))?;
    events
        .child(action, "MediaPackage VOD asset", &asset.spec.id)
        .await;
    let preferred = if vod.hls { "vod-hls" } else { "vod-dash" };
    outcome.vod_url = asset
        .egress_endpoints
        .iter()
        .find(|e| e.packaging_configuration_id == vod_id(&owner, preferred))
        .or(asset.egress_endpoints.first())
        .map(|e| e.url.clone());
    outcome.vod_asset = Some(asset.spec.id);
    outcome.phase = HarvestPhase::Succeeded;
    outcome.reason = "Published";
    outcome.message = format!(
        "the clip is in s3://{}/{manifest_key} and published as VOD",
        destination.bucket
    );
    Ok(outcome)
}

/// Writes the status for `outcome` (keeping what earlier reconciles found).
async fn write(
    api: &Api<HarvestJob>,
    hj: &HarvestJob,
    window: Option<Window>,
    outcome: &Outcome,
) -> Result<(), kube::Error> {
    let previous = hj.status.clone().unwrap_or_default();
    let mut set = ConditionSet::new(&previous.conditions, hj.metadata.generation, now());
    let succeeded = outcome.phase == HarvestPhase::Succeeded;
    let failed = outcome.phase == HarvestPhase::Failed;
    set.set_bool(
        "Complete",
        succeeded,
        if succeeded {
            outcome.reason
        } else {
            "NotComplete"
        },
        if succeeded {
            &outcome.message
        } else {
            "the clip is not harvested yet"
        },
    );
    set.set_bool(
        "Failed",
        failed,
        if failed { outcome.reason } else { "NotFailed" },
        if failed { &outcome.message } else { "" },
    );
    let progress = match outcome.phase {
        HarvestPhase::Succeeded => Progress::Ready {
            reason: outcome.reason.into(),
            message: outcome.message.clone(),
        },
        HarvestPhase::Failed => Progress::Stalled {
            reason: outcome.reason.into(),
            message: outcome.message.clone(),
        },
        _ => Progress::Reconciling {
            reason: outcome.reason.into(),
            message: outcome.message.clone(),
        },
    };
    set.summarize(&progress);
    let job = outcome.job.as_ref();
    let status = HarvestJobStatus {
        observed_generation: hj.metadata.generation,
        conditions: set.into_vec(),
        phase: Some(outcome.phase),
        harvest_job_id: job.map(|j| j.id.clone()).or(previous.harvest_job_id),
        window_start: window
            .map(|w| w.start.to_string())
            .or(previous.window_start),
        window_end: window.map(|w| w.end.to_string()).or(previous.window_end),
        manifest_uri: job
            .map(|j| {
                format!(
                    "s3://{}/{}",
                    j.s3_destination.bucket_name, j.s3_destination.manifest_key
                )
            })
            .or(previous.manifest_uri),
        started_at: previous
            .started_at
            .or_else(|| job.map(|j| j.created_at.unwrap_or_else(Timestamp::now).to_string())),
        completed_at: previous
            .completed_at
            .or_else(|| (succeeded || failed).then(now)),
        vod_playback_url: outcome.vod_url.clone().or(previous.vod_playback_url),
        vod_asset_id: outcome.vod_asset.clone().or(previous.vod_asset_id),
    };
    write_status(api, hj, &status).await
}

/// A finished job: nothing is polled; the object goes `ttlSecondsAfterFinished`
/// after it finished.
async fn after_finish(
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
async fn cleanup(hj: &HarvestJob, ctx: &Context, api: &Api<HarvestJob>) -> Result<Action, Error> {
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
    let resolved = match ctx.providers.resolve(provider.as_ref()).await {
        Ok(r) => r,
        Err(e) => {
            warn!(name = %hj.name_any(), error = %e, "cannot delete the VOD asset yet");
            return Ok(Action::requeue(ctx.timing.retry));
        }
    };
    let owner = owner_of(hj);
    let events = Events::new(&ctx.recorder, hj, false);
    let vod_api = resolved.apis.mediapackagevod.as_ref();
    let asset = AssetChild {
        api: vod_api,
        owner: &owner,
        asset: NewAsset {
            id: vod_id(&owner, "vod-asset"),
            ..Default::default()
        },
    };
    let hls = ConfigurationChild {
        api: vod_api,
        owner: &owner,
        child: "vod-hls",
        spec: PackagingConfigurationSpec {
            id: vod_id(&owner, "vod-hls"),
            ..Default::default()
        },
    };
    let dash = ConfigurationChild {
        api: vod_api,
        owner: &owner,
        child: "vod-dash",
        spec: PackagingConfigurationSpec {
            id: vod_id(&owner, "vod-dash"),
            ..Default::default()
        },
    };
    let group = GroupChild {
        api: vod_api,
        owner: &owner,
        spec: PackagingGroupSpec {
            id: vod_id(&owner, "vod-group"),
            ..Default::default()
        },
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
async fn removed<E: External>(
    child: &E,
    ids: &mut AnnotationIds<HarvestJob>,
) -> Result<Option<String>, DriverError> {
    let Some(id) = ids.recorded(child.child()) else {
        return Ok(None);
    };
    Ok(remove(child, ids).await?.then_some(id))
}

fn error_policy(hj: Arc<HarvestJob>, error: &Error, ctx: Arc<Context>) -> Action {
    warn!(name = %hj.name_any(), %error, "HarvestJob reconcile failed; retrying");
    Action::requeue(ctx.timing.retry)
}

/// Runs the HarvestJob controller until the stream ends.
pub async fn run(ctx: Arc<Context>, concurrency: u16) {
    let api = Api::<HarvestJob>::all(ctx.client.clone());
    info!("HarvestJob controller started");
    Controller::new(api, watcher::Config::default())
        .with_config(kube::runtime::controller::Config::default().concurrency(concurrency))
        .run(reconcile, error_policy, ctx)
        .for_each(|_| async {})
        .await;
}
