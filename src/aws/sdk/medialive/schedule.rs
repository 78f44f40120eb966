//! Schedule actions (the ad breaks onair writes) both ways.

use aws_sdk_medialive::types as t;

use crate::aws::medialive::*;

pub(super) fn schedule_action(a: ScheduleAction) -> t::ScheduleAction {
    let start = match a.start {
        ScheduleStart::Immediate => t::ScheduleActionStartSettings::builder()
            .immediate_mode_schedule_action_start_settings(
                t::ImmediateModeScheduleActionStartSettings::builder().build(),
            ),
        ScheduleStart::Fixed(time) => t::ScheduleActionStartSettings::builder()
            .fixed_mode_schedule_action_start_settings(
                t::FixedModeScheduleActionStartSettings::builder()
                    .time(time)
                    .build(),
            ),
    }
    .build();
    let settings = match a.kind {
        ScheduleActionKind::SpliceInsert {
            splice_event_id,
            duration_ms,
        } => t::ScheduleActionSettings::builder().scte35_splice_insert_settings(
            t::Scte35SpliceInsertScheduleActionSettings::builder()
                .splice_event_id(i64::from(splice_event_id))
                // SCTE-35 durations are in 90 kHz ticks.
                .duration(i64::try_from(duration_ms.saturating_mul(90)).unwrap_or(i64::MAX))
                .build(),
        ),
        ScheduleActionKind::ReturnToNetwork { splice_event_id } => {
            t::ScheduleActionSettings::builder().scte35_return_to_network_settings(
                t::Scte35ReturnToNetworkScheduleActionSettings::builder()
                    .splice_event_id(i64::from(splice_event_id))
                    .build(),
            )
        }
    }
    .build();
    t::ScheduleAction::builder()
        .action_name(a.name)
        .schedule_action_start_settings(start)
        .schedule_action_settings(settings)
        .build()
}

/// Actions onair did not write (other kinds) are left out.
pub(super) fn schedule_action_from(a: &t::ScheduleAction) -> Option<ScheduleAction> {
    let start = a.schedule_action_start_settings()?;
    let start = match start
        .fixed_mode_schedule_action_start_settings()
        .and_then(|f| f.time())
    {
        Some(time) => ScheduleStart::Fixed(time.into()),
        None => ScheduleStart::Immediate,
    };
    let s = a.schedule_action_settings()?;
    let kind = if let Some(i) = s.scte35_splice_insert_settings() {
        ScheduleActionKind::SpliceInsert {
            splice_event_id: i.splice_event_id().unwrap_or_default() as u32,
            duration_ms: (i.duration().unwrap_or_default() / 90) as u64,
        }
    } else if let Some(r) = s.scte35_return_to_network_settings() {
        ScheduleActionKind::ReturnToNetwork {
            splice_event_id: r.splice_event_id().unwrap_or_default() as u32,
        }
    } else {
        return None;
    };
    Some(ScheduleAction {
        name: a.action_name().unwrap_or_default().into(),
        start,
        kind,
    })
}
