//! A HarvestJob's status: phase, Job-like conditions, and what each reconcile
//! found (kept across reconciles).

use jiff::Timestamp;
use kube::api::Api;

use crate::api::harvest_job::{HarvestJob, HarvestJobStatus, HarvestPhase};
use crate::controller::conditions::{ConditionSet, Progress};
use crate::controller::kit::now;
use crate::k8s::report::write_status;
use crate::plan::harvest::Window;

/// Where the job stands, for status.
pub(super) struct Outcome {
    pub(super) phase: HarvestPhase,
    pub(super) reason: String,
    pub(super) message: String,
    pub(super) job: Option<crate::aws::mediapackage::HarvestJob>,
    pub(super) vod_url: Option<String>,
    pub(super) vod_asset: Option<String>,
}

impl Outcome {
    pub(super) fn pending(reason: impl Into<String>, message: String) -> Self {
        Self {
            phase: HarvestPhase::Pending,
            reason: reason.into(),
            message,
            job: None,
            vod_url: None,
            vod_asset: None,
        }
    }

    pub(super) fn failed(reason: impl Into<String>, message: String) -> Self {
        Self {
            phase: HarvestPhase::Failed,
            ..Self::pending(reason, message)
        }
    }
}

pub(super) fn finished(status: Option<&HarvestJobStatus>) -> bool {
    matches!(
        status.and_then(|s| s.phase),
        Some(HarvestPhase::Succeeded | HarvestPhase::Failed)
    )
}
/// Writes the status for `outcome` (keeping what earlier reconciles found).
pub(super) async fn write(
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
            outcome.reason.as_str()
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
        if failed {
            outcome.reason.as_str()
        } else {
            "NotFailed"
        },
        if failed { &outcome.message } else { "" },
    );
    let progress = match outcome.phase {
        HarvestPhase::Succeeded => Progress::Ready {
            reason: outcome.reason.clone(),
            message: outcome.message.clone(),
        },
        HarvestPhase::Failed => Progress::Stalled {
            reason: outcome.reason.clone(),
            message: outcome.message.clone(),
        },
        _ => Progress::Reconciling {
            reason: outcome.reason.clone(),
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
