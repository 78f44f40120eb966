//! Status conditions in the shape kstatus, Flux and Argo CD read: `Ready`,
//! finer conditions (`InputReady`, `CdnReady`, ...) and the abnormal-true pair
//! `Reconciling` / `Stalled`, which are present only while true.

use crate::api::{Condition, ConditionStatus};

/// Where an object stands overall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Everything is as desired.
    Ready { reason: String, message: String },
    /// Work is under way (AWS is creating, starting, deploying...).
    Reconciling { reason: String, message: String },
    /// Progress needs the user: invalid input, an AWS failure to look at.
    Stalled { reason: String, message: String },
}

impl From<&crate::plan::failure::Failure> for Progress {
    /// A failure: Stalled when the user has to act, else Reconciling (onair
    /// retries).
    fn from(failure: &crate::plan::failure::Failure) -> Self {
        let (reason, message) = (failure.reason.clone(), failure.message.clone());
        if failure.stalled {
            Progress::Stalled { reason, message }
        } else {
            Progress::Reconciling { reason, message }
        }
    }
}

/// The condition the pause annotation sets (see [`kit::pause`](crate::controller::kit::pause)).
pub const PAUSED: &str = "Paused";

/// The conditions of one status write, built from the previous ones so that
/// `lastTransitionTime` only moves when a condition's status changes.
pub struct ConditionSet {
    conditions: Vec<Condition>,
    generation: Option<i64>,
    now: String,
}

impl ConditionSet {
    /// A reconcile that writes conditions got past the pause: a `Paused`
    /// condition from before does not carry over.
    pub fn new(previous: &[Condition], generation: Option<i64>, now: impl Into<String>) -> Self {
        Self {
            conditions: previous
                .iter()
                .filter(|c| c.type_ != PAUSED)
                .cloned()
                .collect(),
            generation,
            now: now.into(),
        }
    }

    /// Sets a condition; its transition time changes only with its status.
    pub fn set(&mut self, type_: &str, status: ConditionStatus, reason: &str, message: &str) {
        let fresh = Condition {
            type_: type_.to_string(),
            status,
            reason: reason.to_string(),
            message: message.to_string(),
            last_transition_time: self.now.clone(),
            observed_generation: self.generation,
        };
        match self.conditions.iter_mut().find(|c| c.type_ == type_) {
            Some(existing) if existing.status == status => {
                existing.reason = fresh.reason;
                existing.message = fresh.message;
                existing.observed_generation = fresh.observed_generation;
            }
            Some(existing) => *existing = fresh,
            None => self.conditions.push(fresh),
        }
    }

    pub fn set_bool(&mut self, type_: &str, ok: bool, reason: &str, message: &str) {
        let status = if ok {
            ConditionStatus::True
        } else {
            ConditionStatus::False
        };
        self.set(type_, status, reason, message);
    }

    pub fn remove(&mut self, type_: &str) {
        self.conditions.retain(|c| c.type_ != type_);
    }

    /// `Ready` and the kstatus pair from the overall progress.
    pub fn summarize(&mut self, progress: &Progress) {
        match progress {
            Progress::Ready { reason, message } => {
                self.set_bool("Ready", true, reason, message);
                self.remove("Reconciling");
                self.remove("Stalled");
            }
            Progress::Reconciling { reason, message } => {
                self.set_bool("Ready", false, reason, message);
                self.set_bool("Reconciling", true, reason, message);
                self.remove("Stalled");
            }
            Progress::Stalled { reason, message } => {
                self.set_bool("Ready", false, reason, message);
                self.set_bool("Stalled", true, reason, message);
                self.remove("Reconciling");
            }
        }
    }

    pub fn into_vec(self) -> Vec<Condition> {
        self.conditions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reconciling() -> Progress {
        Progress::Reconciling {
            reason: "ChannelStarting".into(),
            message: "MediaLive is starting the channel".into(),
        }
    }

    #[test]
    fn transition_times_move_only_with_status() {
        let mut first = ConditionSet::new(&[], Some(1), "2026-01-01T00:00:00Z");
        first.summarize(&reconciling());
        let first = first.into_vec();
        let mut second = ConditionSet::new(&first, Some(2), "2026-01-01T00:05:00Z");
        second.summarize(&Progress::Reconciling {
            reason: "ChannelStarting".into(),
            message: "still starting".into(),
        });
        let second = second.into_vec();
        let ready = second.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(ready.last_transition_time, "2026-01-01T00:00:00Z");
        assert_eq!(ready.message, "still starting");
        assert_eq!(ready.observed_generation, Some(2));

        let mut third = ConditionSet::new(&second, Some(2), "2026-01-01T00:09:00Z");
        third.summarize(&Progress::Ready {
            reason: "Running".into(),
            message: "on air".into(),
        });
        let third = third.into_vec();
        let ready = third.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(ready.status, ConditionStatus::True);
        assert_eq!(ready.last_transition_time, "2026-01-01T00:09:00Z");
    }

    #[test]
    fn kstatus_pair_is_present_only_while_true() {
        let mut set = ConditionSet::new(&[], Some(1), "2026-01-01T00:00:00Z");
        set.summarize(&Progress::Stalled {
            reason: "InvalidSpec".into(),
            message: "fix it".into(),
        });
        let types: Vec<String> = set.into_vec().into_iter().map(|c| c.type_).collect();
        assert_eq!(types, ["Ready", "Stalled"]);
        let mut set = ConditionSet::new(&[], Some(1), "2026-01-01T00:00:00Z");
        set.summarize(&reconciling());
        set.summarize(&Progress::Ready {
            reason: "Running".into(),
            message: String::new(),
        });
        let types: Vec<String> = set.into_vec().into_iter().map(|c| c.type_).collect();
        assert_eq!(types, ["Ready"]);
    }
}
