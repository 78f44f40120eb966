//! What an object's rounds found at rest and as desired while the object
//! waits on AWS, so the rounds that follow read only what is still moving.
//!
//! A LiveChannel converging takes a dozen rounds (MediaLive starting, the
//! distribution deploying) and each round ensures every child. Without this
//! each round read every input, secret and endpoint again, though nothing
//! but the one moving resource could have changed: four times the calls the
//! work needs, against rate limits shared with the whole account.
//!
//! The rules, each for a reason:
//! - Only children at rest are kept ([`External::at_rest`]): a distribution
//!   deploying or a channel starting is read every round.
//! - A kept value is compared with the desired state of *this* round
//!   ([`External::up_to_date`]), so a change in what the object folds in (a
//!   TokenPolicy's function, an AdInsertion) is still seen at once; a
//!   value that no longer matches is read again before anything is written.
//! - A value is kept for the object's generation only: a new spec reads all.
//! - No longer than the resync interval, so drift made outside onair is found
//!   within one resync, the promise the steady state makes.
//! - Everything of an object is forgotten when it stops waiting, when a
//!   round fails (the next round reads all, so a child deleted out of band
//!   is found and recreated), and on a restart (memory only). Steady state
//!   keeps nothing, and its resync reads every resource.
//!
//! [`External::at_rest`]: crate::aws::children::External::at_rest
//! [`External::up_to_date`]: crate::aws::children::External::up_to_date

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

/// One child as it was read: its id, when, and what AWS answered.
struct Kept {
    id: String,
    generation: Option<i64>,
    at: Instant,
    observed: Arc<dyn Any + Send + Sync>,
}

/// Object key -> child -> what was kept of it.
#[derive(Default)]
pub struct WaitMemo {
    entries: Mutex<HashMap<String, HashMap<&'static str, Kept>>>,
}

impl WaitMemo {
    /// The memo of the object `key` at `generation` for one round, keeping
    /// values no longer than `keep`.
    pub fn of(&self, key: String, generation: Option<i64>, keep: Duration) -> Memo<'_> {
        Memo {
            memo: self,
            key,
            generation,
            keep,
        }
    }

    /// Forgets everything kept for the object `key`.
    pub fn forget_object(&self, key: &str) {
        self.lock().remove(key);
    }

    /// How many objects have something kept.
    #[cfg(test)]
    fn objects(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, HashMap<&'static str, Kept>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One object's view of the memo, for one round.
pub struct Memo<'a> {
    memo: &'a WaitMemo,
    key: String,
    generation: Option<i64>,
    keep: Duration,
}

impl Memo<'_> {
    /// What was kept of `child` under `id`, if it was kept at this
    /// generation and within the keeping time.
    pub fn recall<O: Clone + 'static>(&self, child: &'static str, id: &str) -> Option<O> {
        let entries = self.memo.lock();
        let kept = entries.get(&self.key)?.get(child)?;
        let fresh =
            kept.id == id && kept.generation == self.generation && kept.at.elapsed() < self.keep;
        if !fresh {
            return None;
        }
        kept.observed.downcast_ref::<O>().cloned()
    }

    /// `child` was just read under `id` and found at rest and as desired.
    pub fn keep<O: Clone + Send + Sync + 'static>(
        &self,
        child: &'static str,
        id: &str,
        observed: &O,
    ) {
        self.memo
            .lock()
            .entry(self.key.clone())
            .or_default()
            .insert(
                child,
                Kept {
                    id: id.to_string(),
                    generation: self.generation,
                    at: Instant::now(),
                    observed: Arc::new(observed.clone()),
                },
            );
    }

    /// `child` is moving, was written, or is gone: read it next time.
    pub fn forget(&self, child: &'static str) {
        let mut entries = self.memo.lock();
        if let Some(children) = entries.get_mut(&self.key) {
            children.remove(child);
            if children.is_empty() {
                entries.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn recalls_only_the_same_id_generation_and_type() {
        let memo = WaitMemo::default();
        let round = memo.of("LiveChannel/ns/a".into(), Some(1), HOUR);
        assert_eq!(round.recall::<String>("input", "i-1"), None);
        round.keep("input", "i-1", &"seen".to_string());
        assert_eq!(
            round.recall::<String>("input", "i-1").as_deref(),
            Some("seen")
        );
        assert_eq!(round.recall::<String>("input", "i-2"), None, "another id");
        assert_eq!(round.recall::<u32>("input", "i-1"), None, "another type");
        assert_eq!(round.recall::<String>("channel", "i-1"), None);
        let next_spec = memo.of("LiveChannel/ns/a".into(), Some(2), HOUR);
        assert_eq!(
            next_spec.recall::<String>("input", "i-1"),
            None,
            "a new spec reads all"
        );
        let other = memo.of("LiveChannel/ns/b".into(), Some(1), HOUR);
        assert_eq!(other.recall::<String>("input", "i-1"), None);
    }

    #[test]
    fn forgets_a_child_an_object_and_what_is_too_old() {
        let memo = WaitMemo::default();
        let round = memo.of("k".into(), None, HOUR);
        round.keep("input", "i-1", &1u8);
        round.keep("secret", "s-1", &2u8);
        round.forget("input");
        assert_eq!(round.recall::<u8>("input", "i-1"), None);
        assert_eq!(round.recall::<u8>("secret", "s-1"), Some(2));
        memo.forget_object("k");
        assert_eq!(round.recall::<u8>("secret", "s-1"), None);
        assert_eq!(memo.objects(), 0);

        let no_time = memo.of("k".into(), None, Duration::ZERO);
        no_time.keep("input", "i-1", &1u8);
        assert_eq!(
            no_time.recall::<u8>("input", "i-1"),
            None,
            "kept no longer than the resync"
        );
    }

    #[test]
    fn an_object_with_nothing_left_is_dropped() {
        let memo = WaitMemo::default();
        let round = memo.of("k".into(), None, HOUR);
        round.keep("input", "i-1", &1u8);
        round.forget("input");
        assert_eq!(memo.objects(), 0);
    }
}
