//! What a test can do to the simulation: throttle a service, fail or slow the next
//! calls of an operation, or "crash" after one (AWS did the work, the caller got an
//! error, as when the operator dies between the call and recording its result); and
//! what it can read: how many calls each operation received.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{Quota, RateLimiter};

use super::{lock, SimClock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::guard::Limiter;
use crate::aws::intercept::{Call, Interceptor};
use crate::aws::service::Service;

/// A fault injected into the next calls of one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer this error without doing anything.
    Error(ErrorKind),
    /// Wait this long, then do the call.
    Latency(Duration),
    /// Do the call (its change is applied), then answer a transient error.
    CrashAfter,
}

struct Rule {
    call: Call,
    fault: Fault,
    remaining: u32,
}

/// Faults, throttles and counters of one simulation.
pub struct FaultState {
    clock: SimClock,
    rules: Mutex<Vec<Rule>>,
    throttles: Mutex<HashMap<Service, Arc<Limiter<SimClock>>>>,
    calls: Mutex<BTreeMap<(Service, &'static str), u64>>,
    throttled: Mutex<BTreeMap<Service, u64>>,
    crash: Mutex<Option<CrashPoint>>,
    /// Random failures: percent of calls, and the (seeded) dice.
    random: Mutex<Option<(u32, fastrand::Rng)>>,
    /// Calls the random failures hit.
    random_hits: std::sync::atomic::AtomicU64,
}

/// A process crash armed to happen right after a given write.
struct CrashPoint {
    /// Writes still to let through before the one that crashes.
    remaining: u64,
    crashed: Arc<tokio::sync::Notify>,
}

/// Whether an operation may change something (all but reads).
fn is_write(operation: &str) -> bool {
    !crate::aws::intercept::is_read(operation)
}

impl FaultState {
    pub(crate) fn new(clock: SimClock) -> Self {
        Self {
            clock,
            rules: Mutex::default(),
            throttles: Mutex::default(),
            calls: Mutex::default(),
            throttled: Mutex::default(),
            crash: Mutex::default(),
            random: Mutex::default(),
            random_hits: Default::default(),
        }
    }

    /// Arms a crash: the `n`-th write from now (1 = the next) is applied by
    /// AWS, then its caller never hears back, as when the process dies right
    /// after the request. The returned notify fires at that moment; the test
    /// drops the caller's future (the "process") and starts a fresh one.
    pub fn crash_after_writes(&self, n: u64) -> Arc<tokio::sync::Notify> {
        let crashed = Arc::new(tokio::sync::Notify::new());
        *lock(&self.crash) = Some(CrashPoint {
            remaining: n.saturating_sub(1),
            crashed: crashed.clone(),
        });
        crashed
    }

    /// Whether this write is the armed crash point (then disarms it).
    fn crash_now(&self, call: Call) -> Option<Arc<tokio::sync::Notify>> {
        if !is_write(call.operation) {
            return None;
        }
        let mut crash = lock(&self.crash);
        let point = crash.as_mut()?;
        if point.remaining > 0 {
            point.remaining -= 1;
            return None;
        }
        crash.take().map(|p| p.crashed)
    }

    /// Makes `service` answer Throttled beyond `per_second` requests per second
    /// (token bucket with a burst of the same size), as AWS does past its quotas.
    pub fn throttle(&self, service: Service, per_second: u32) {
        let rate = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let limiter = RateLimiter::direct_with_clock(Quota::per_second(rate), self.clock.clone());
        lock(&self.throttles).insert(service, Arc::new(limiter));
    }

    /// Injects `fault` into the next `times` calls of `service`'s `operation` (the
    /// trait method name, such as `create_channel`).
    pub fn inject(&self, service: Service, operation: &'static str, fault: Fault, times: u32) {
        lock(&self.rules).push(Rule {
            call: Call { service, operation },
            fault,
            remaining: times,
        });
    }

    /// Fails `percent` of all calls at random, as a bad day at AWS does: a
    /// third answer Throttled, a third a server error, a third time out after
    /// AWS applied the change. `seed` makes a run repeatable; 0 turns it off.
    pub fn fail_randomly(&self, percent: u32, seed: u64) {
        *lock(&self.random) =
            (percent > 0).then(|| (percent.min(100), fastrand::Rng::with_seed(seed)));
    }

    /// The random fault for this call, if the dice say so.
    fn roll(&self) -> Option<Fault> {
        let mut random = lock(&self.random);
        let (percent, rng) = random.as_mut()?;
        if rng.u32(0..100) >= *percent {
            return None;
        }
        self.random_hits
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(match rng.u32(0..3) {
            0 => Fault::Error(ErrorKind::Throttled {
                message: "Rate exceeded (injected)".into(),
            }),
            1 => Fault::Error(ErrorKind::Transient {
                message: "HTTP 503 (injected)".into(),
            }),
            _ => Fault::CrashAfter,
        })
    }

    /// How many calls [`fail_randomly`](Self::fail_randomly) failed.
    pub fn random_failures(&self) -> u64 {
        self.random_hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Removes every injected fault and throttle (counters stay).
    pub fn clear(&self) {
        lock(&self.rules).clear();
        lock(&self.throttles).clear();
    }

    /// Calls received by `service`'s `operation`, answered or not.
    pub fn calls(&self, service: Service, operation: &str) -> u64 {
        lock(&self.calls)
            .iter()
            .filter(|((s, o), _)| *s == service && *o == operation)
            .map(|(_, n)| n)
            .sum()
    }

    /// Calls received by `service`, all operations.
    pub fn calls_to(&self, service: Service) -> u64 {
        lock(&self.calls)
            .iter()
            .filter(|((s, _), _)| *s == service)
            .map(|(_, n)| n)
            .sum()
    }

    /// Every (service, operation) and its count.
    pub fn all_calls(&self) -> BTreeMap<(Service, &'static str), u64> {
        lock(&self.calls).clone()
    }

    /// Calls that may change something, over every service: all but reads
    /// (`describe_*`, `list_*`, `get_*`, `head_*`, `find_*`). Steady state must keep this still.
    pub fn writes(&self) -> u64 {
        lock(&self.calls)
            .iter()
            .filter(|((_, op), _)| is_write(op))
            .map(|(_, n)| n)
            .sum()
    }

    /// Calls `service` answered with Throttled.
    pub fn throttled(&self, service: Service) -> u64 {
        lock(&self.throttled).get(&service).copied().unwrap_or(0)
    }

    fn take(&self, call: Call) -> Option<Fault> {
        let mut rules = lock(&self.rules);
        let i = rules
            .iter()
            .position(|r| r.call == call && r.remaining > 0)?;
        rules[i].remaining -= 1;
        let fault = rules[i].fault.clone();
        if rules[i].remaining == 0 {
            rules.remove(i);
        }
        Some(fault)
    }

    fn admit(&self, call: Call) -> Result<(), AwsError> {
        *lock(&self.calls)
            .entry((call.service, call.operation))
            .or_default() += 1;
        let limiter = lock(&self.throttles).get(&call.service).cloned();
        match limiter {
            Some(l) if l.check().is_err() => {
                *lock(&self.throttled).entry(call.service).or_default() += 1;
                Err(AwsError::new(
                    call.service.name(),
                    call.operation,
                    ErrorKind::Throttled {
                        message: "Rate exceeded".into(),
                    },
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The simulation's interceptor: counts, throttles and injects faults.
pub struct SimFaults(pub(crate) Arc<World>);

impl Interceptor for SimFaults {
    async fn around<'a, T, F, Fut>(&'a self, call: Call, mut f: F) -> Result<T, AwsError>
    where
        T: Send + 'a,
        F: FnMut() -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, AwsError>> + Send + 'a,
    {
        let faults = &self.0.faults;
        faults.admit(call)?;
        if let Some(crashed) = faults.crash_now(call) {
            let _ = f().await;
            crashed.notify_one();
            return std::future::pending().await;
        }
        match faults.take(call).or_else(|| faults.roll()) {
            None => f().await,
            Some(Fault::Latency(d)) => {
                tokio::time::sleep(d).await;
                f().await
            }
            Some(Fault::Error(kind)) => {
                Err(AwsError::new(call.service.name(), call.operation, kind))
            }
            Some(Fault::CrashAfter) => {
                f().await?;
                Err(AwsError::new(
                    call.service.name(),
                    call.operation,
                    ErrorKind::Transient {
                        message: "connection lost before the answer arrived (injected crash point)"
                            .into(),
                    },
                ))
            }
        }
    }
}
