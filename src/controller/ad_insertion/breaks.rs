//! An AdInsertion's recurring ad breaks: SCTE-35 splice inserts kept a few
//! intervals ahead in the MediaLive channel's schedule, on a fixed grid from
//! the object's creation, so no encoder change is needed.

use jiff::Timestamp;

use crate::api::ad_insertion::AdBreakSchedule;
use crate::aws::error::AwsError;
use crate::aws::medialive::{MediaLiveApi, ScheduleAction, ScheduleActionKind, ScheduleStart};
use crate::plan::mediatailor::{break_prefix, next_breaks};

/// What is in the schedule after this pass.
pub struct Scheduled {
    pub next: Option<Timestamp>,
    /// Breaks added now.
    pub added: usize,
}

fn action(prefix: &str, at: Timestamp, duration_seconds: u32) -> ScheduleAction {
    let epoch = at.as_second();
    ScheduleAction {
        name: format!("{prefix}{epoch}"),
        start: ScheduleStart::Fixed(at.to_string()),
        kind: ScheduleActionKind::SpliceInsert {
            // A stable id per break (SCTE-35 event ids are 32-bit).
            splice_event_id: (epoch % i64::from(u32::MAX)) as u32,
            duration_ms: u64::from(duration_seconds) * 1000,
        },
    }
}

/// Keeps the next breaks of `schedule` in the channel's schedule; reads the
/// schedule once and writes only what is missing.
pub async fn keep_ahead(
    api: &dyn MediaLiveApi,
    channel_id: &str,
    owner_uid: &str,
    anchor: Timestamp,
    schedule: &AdBreakSchedule,
    now: Timestamp,
) -> Result<Scheduled, AwsError> {
    let prefix = break_prefix(owner_uid);
    let existing = api.describe_schedule(channel_id).await?;
    let wanted: Vec<ScheduleAction> = next_breaks(anchor, schedule.interval_seconds, now)
        .into_iter()
        .map(|at| action(&prefix, at, schedule.duration_seconds))
        .collect();
    let missing: Vec<ScheduleAction> = wanted
        .iter()
        .filter(|w| !existing.iter().any(|e| e.name == w.name))
        .cloned()
        .collect();
    let added = missing.len();
    if !missing.is_empty() {
        api.batch_update_schedule(channel_id, missing, Vec::new())
            .await?;
    }
    Ok(Scheduled {
        next: next_breaks(anchor, schedule.interval_seconds, now)
            .first()
            .copied(),
        added,
    })
}

/// Removes this AdInsertion's breaks that have not happened yet.
pub async fn clear(
    api: &dyn MediaLiveApi,
    channel_id: &str,
    owner_uid: &str,
    now: Timestamp,
) -> Result<usize, AwsError> {
    let prefix = break_prefix(owner_uid);
    let ours: Vec<String> = api
        .describe_schedule(channel_id)
        .await?
        .into_iter()
        .filter(|a| a.name.starts_with(&prefix))
        .filter(|a| match &a.start {
            ScheduleStart::Fixed(at) => at.parse::<Timestamp>().is_ok_and(|t| t > now),
            ScheduleStart::Immediate => false,
        })
        .map(|a| a.name)
        .collect();
    let n = ours.len();
    if n > 0 {
        api.batch_update_schedule(channel_id, Vec::new(), ours)
            .await?;
    }
    Ok(n)
}

/// One break now (`onair ad-break`): a splice insert at once.
pub async fn insert_now(
    api: &dyn MediaLiveApi,
    channel_id: &str,
    duration_seconds: u32,
    now: Timestamp,
) -> Result<String, AwsError> {
    let mut break_now = action("onair-manual-", now, duration_seconds);
    break_now.start = ScheduleStart::Immediate;
    let name = break_now.name.clone();
    api.batch_update_schedule(channel_id, vec![break_now], Vec::new())
        .await?;
    Ok(name)
}
