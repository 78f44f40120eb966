//! One pass of a running HarvestJob: validate against the channel, check the
//! bucket, create the harvest job once, follow it, publish the clip as VOD.

use std::time::Duration;

use jiff::Timestamp;
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::ResourceExt;

use super::status::Outcome;
use crate::api::harvest_job::{HarvestEndpoint, HarvestJob, HarvestPhase};
use crate::api::live_channel::LiveChannel;
use crate::aws::children::mediapackage::HarvestChild;
use crate::aws::children::mediapackagevod::{vod_id, AssetChild, ConfigurationChild, GroupChild};
use crate::aws::mediapackage::{HarvestStatus, NewHarvestJob, S3Destination};
use crate::aws::mediapackagevod::{
    NewAsset, PackagingConfigurationSpec, PackagingGroupSpec, VodDash, VodHls, VodPackage,
};
use crate::controller::context::Context;
use crate::controller::kit::driver::{AnnotationIds, IdStore};
use crate::controller::kit::{observe, owner_of, Steps};
use crate::controller::provider::Resolved;
use crate::plan::harvest::{self, Verdict, Window};

pub(super) use crate::plan::failure::Failure;

/// One pass: validate, harvest, follow, publish. Returns what to report and
/// when to look again.
pub(super) async fn step(
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
        Err(e) => {
            return (
                Err(Failure::retrying("KubernetesError", e.to_string())),
                retry,
            )
        }
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
    let provider = match crate::controller::provider::provider_for(
        api,
        hj,
        channel.spec.provider_ref.as_ref(),
    )
    .await
    {
        Ok(p) => p,
        Err(e) => {
            return (
                Err(Failure::retrying("KubernetesError", e.to_string())),
                retry,
            )
        }
    };
    let resolved = match observe::resolve(ctx, hj, provider.as_ref(), &namespace).await {
        Ok(r) => r,
        Err(e) => {
            let failure = Failure::from(&e);
            return (
                Ok(Outcome::pending("ProviderNotReady", failure.message)),
                retry,
            );
        }
    };
    let tags = match crate::aws::ownership::merge_tags(&resolved.defaults.tags, &hj.spec.tags) {
        Ok(tags) => tags,
        Err(message) => {
            return (
                Ok(Outcome::failed("TooManyTags", message)),
                Action::await_change(),
            )
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
                return (Err(Failure::aws("S3 bucket check", &e)), retry)
            }
            _ => {}
        }
    }
    match harvest_and_publish(hj, ctx, api, &resolved, &tags, window, endpoint_id).await {
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

/// Polls less often the longer a job runs, by the rule every kind follows,
/// from the job's recorded start (so a restart does not reset it), up to
/// five minutes: a harvest runs for as long as the window it copies.
fn backoff(hj: &HarvestJob, ctx: &Context) -> Duration {
    let started = hj
        .status
        .as_ref()
        .and_then(|s| s.started_at.as_deref())
        .and_then(|t| t.parse::<Timestamp>().ok());
    let age = started
        .map(|t| Duration::try_from(t.duration_until(Timestamp::now())).unwrap_or_default())
        .unwrap_or_default();
    crate::controller::context::poll_backoff(age, ctx.timing.poll, Duration::from_secs(300))
}

async fn harvest_and_publish(
    hj: &HarvestJob,
    ctx: &Context,
    api: &Api<HarvestJob>,
    resolved: &Resolved,
    tags: &crate::api::common::Tags,
    window: Window,
    endpoint_id: String,
) -> Result<Outcome, Failure> {
    let owner = owner_of(hj);
    let mut steps = Steps::for_object(api, hj, &ctx.recorder, false, false);
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
    let job = steps
        .ensure(&child, "MediaPackage harvest job")
        .await
        .map_err(|e| e.failure())?;
    let mut outcome = Outcome::pending("Pending", String::new());
    outcome.job = Some(job.clone());
    match job.status {
        HarvestStatus::Failed => {
            outcome.phase = HarvestPhase::Failed;
            outcome.reason = "HarvestFailed".into();
            outcome.message = format!("MediaPackage reports harvest job {} FAILED: check that the role {} can write to s3://{}", job.id, destination.role_arn, destination.bucket);
            steps
                .events
                .publish(true, "HarvestFailed", "Harvest", outcome.message.clone())
                .await;
            return Ok(outcome);
        }
        HarvestStatus::InProgress | HarvestStatus::Other(_) => {
            outcome.phase = HarvestPhase::Running;
            outcome.reason = "Harvesting".into();
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
        outcome.reason = "Harvested".into();
        outcome.message = format!("the clip is in s3://{}/{manifest_key}", destination.bucket);
        return Ok(outcome);
    };
    // Publish: packaging group, a configuration per format, the asset.
    let vod_api = resolved.apis.mediapackagevod.as_ref();
    let group = GroupChild {
        api: vod_api,
        owner: &owner,
        spec: PackagingGroupSpec {
            id: vod_id(&owner, "vod-group"),
            authorization: None,
            tags: owner.tags("vod-group", tags),
        },
    };
    let group = steps
        .ensure(&group, "MediaPackage VOD packaging group")
        .await
        .map_err(|e| e.failure())?;
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
                tags: owner.tags(child, tags),
            },
        };
        steps
            .ensure(&configuration, "MediaPackage VOD packaging configuration")
            .await
            .map_err(|e| e.failure())?;
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
            tags: owner.tags("vod-asset", tags),
        },
    };
    let asset = steps
        .ensure(&asset, "MediaPackage VOD asset")
        .await
        .map_err(|e| e.failure())?;
    let preferred = if vod.hls { "vod-hls" } else { "vod-dash" };
    outcome.vod_url = asset
        .egress_endpoints
        .iter()
        .find(|e| e.packaging_configuration_id == vod_id(&owner, preferred))
        .or(asset.egress_endpoints.first())
        .map(|e| e.url.clone());
    outcome.vod_asset = Some(asset.spec.id);
    if let Some(drifted) = steps.drift() {
        return Err(drifted);
    }
    outcome.phase = HarvestPhase::Succeeded;
    outcome.reason = "Published".into();
    outcome.message = format!(
        "the clip is in s3://{}/{manifest_key} and published as VOD",
        destination.bucket
    );
    Ok(outcome)
}
