//! The guard every AWS call goes through: one rate limiter per service and account
//! shared by all reconcilers, and retries with exponential backoff and full jitter for
//! throttling and transient failures, so neither ever reaches a user as an error while
//! the retry budget lasts.
//!
//! The guard is an [`Interceptor`]: it wraps any implementation of a service trait,
//! the SDK one in production and the simulation in tests, the same way.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder, Retryable};
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use super::error::{AwsError, ErrorKind};
use super::intercept::{Call, Interceptor};
use super::service::Service;

/// A clock on tokio's time, so that tests with paused time (`start_paused`) see the
/// limiter's waits pass instantly and deterministically. Instants are the time since
/// the clock was made.
#[derive(Clone, Debug)]
pub struct TokioClock {
    origin: tokio::time::Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        Self {
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.origin)
    }
}

/// A GCRA rate limiter on any clock that measures time as a `Duration`.
pub type Limiter<C = TokioClock> =
    RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<Duration>>;

/// Waits until `limiter` lets one request through. Sleeps with tokio, not governor's
/// own timer, so paused time in tests applies.
pub async fn acquire<C: Clock<Instant = Duration>>(limiter: &Limiter<C>, clock: &C) {
    while let Err(not_until) = limiter.check() {
        tokio::time::sleep(not_until.wait_time_from(clock.now())).await;
    }
}

/// Requests per second (and burst) for one service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

impl Budget {
    /// `n` requests per second with a burst of `n`. Zero is taken as one.
    pub fn per_second(n: u32) -> Self {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Self {
            per_second: n,
            burst: n,
        }
    }

    pub fn quota(self) -> Quota {
        Quota::per_second(self.per_second).allow_burst(self.burst)
    }
}

/// How long to keep retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First backoff ceiling; doubles with each attempt.
    pub min_delay: Duration,
    /// Largest backoff ceiling.
    pub max_delay: Duration,
    /// Retries after throttling. Generous: throttling is a normal wait.
    pub throttled_retries: u32,
    /// Retries after transient failures (5xx, timeouts). Fewer: a service that is
    /// down is better reported and retried by the reconciler's requeue.
    pub transient_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            throttled_retries: 15,
            transient_retries: 4,
        }
    }
}

/// Request budgets per service (rate and requests in flight), and the retry
/// policy. `Default` takes each service's [`Service::default_rate`] and
/// [`DEFAULT_CONCURRENCY`].
#[derive(Clone, Debug, Default)]
pub struct Budgets {
    pub overrides: BTreeMap<Service, Budget>,
    /// Requests in flight at once per service and account.
    pub concurrency: BTreeMap<Service, u32>,
    pub retry: RetryPolicy,
}

/// Requests in flight per service and account unless told otherwise: enough
/// to keep the rate budget busy, few enough that a slow service does not tie
/// up every reconcile.
pub const DEFAULT_CONCURRENCY: u32 = 16;

impl Budgets {
    pub fn budget(&self, service: Service) -> Budget {
        self.overrides
            .get(&service)
            .copied()
            .unwrap_or_else(|| Budget::per_second(service.default_rate()))
    }

    pub fn concurrency(&self, service: Service) -> u32 {
        self.concurrency
            .get(&service)
            .copied()
            .unwrap_or(DEFAULT_CONCURRENCY)
    }

    /// Reads rate overrides such as `medialive=2,cloudfront=1` (the operator's
    /// `--aws-budgets` flag), in requests per second.
    pub fn parse_overrides(&mut self, spec: &str) -> Result<(), String> {
        for (service, rate) in per_service(spec, "requests-per-second")? {
            self.overrides.insert(service, Budget::per_second(rate));
        }
        Ok(())
    }

    /// Reads concurrency overrides such as `medialive=4` (`--aws-concurrency`).
    pub fn parse_concurrency(&mut self, spec: &str) -> Result<(), String> {
        for (service, n) in per_service(spec, "requests-in-flight")? {
            self.concurrency.insert(service, n);
        }
        Ok(())
    }
}

/// `service=n,...` with positive `n`; `unit` names n in messages.
fn per_service(spec: &str, unit: &str) -> Result<Vec<(Service, u32)>, String> {
    let mut out = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, n) = item
            .split_once('=')
            .ok_or_else(|| format!("`{item}` is not of the form service={unit}"))?;
        let service = Service::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("`{name}` is not an AWS service onair calls"))?;
        let n: u32 = n
            .trim()
            .parse()
            .ok()
            .filter(|r| *r > 0)
            .ok_or_else(|| format!("`{n}` is not a positive number of {unit}"))?;
        out.push((service, n));
    }
    Ok(out)
}

/// All rate limiters of the process, one per (account, region, service); global
/// services use the region `global`. Every guard for the same account and region
/// shares them, whichever AwsProvider or reconciler it serves.
#[derive(Default)]
pub struct Limiters {
    budgets: Budgets,
    clock: TokioClock,
    map: Mutex<HashMap<(String, String, Service), Gate>>,
}

/// What one service of one account lets through: a rate and a number of
/// requests in flight.
#[derive(Clone)]
struct Gate {
    limiter: Arc<Limiter>,
    in_flight: Arc<tokio::sync::Semaphore>,
}

impl Limiters {
    pub fn new(budgets: Budgets) -> Arc<Self> {
        Arc::new(Self {
            budgets,
            clock: TokioClock::default(),
            map: Mutex::default(),
        })
    }

    /// The guard for one account and region.
    pub fn guard(self: &Arc<Self>, account: &str, region: &str) -> Guard {
        let mut map = self.map.lock().expect("limiter map poisoned");
        let limiters = Service::ALL
            .into_iter()
            .map(|service| {
                let scope = if service.is_global() {
                    "global"
                } else {
                    region
                };
                let key = (account.to_owned(), scope.to_owned(), service);
                let gate = map
                    .entry(key)
                    .or_insert_with(|| Gate {
                        limiter: Arc::new(RateLimiter::direct_with_clock(
                            self.budgets.budget(service).quota(),
                            self.clock.clone(),
                        )),
                        in_flight: Arc::new(tokio::sync::Semaphore::new(
                            self.budgets.concurrency(service) as usize,
                        )),
                    })
                    .clone();
                (service, gate)
            })
            .collect();
        Guard {
            limiters,
            clock: self.clock.clone(),
            retry: self.budgets.retry,
        }
    }
}

/// Rate limit and retry around each call, for one account and region.
#[derive(Clone)]
pub struct Guard {
    limiters: HashMap<Service, Gate>,
    clock: TokioClock,
    retry: RetryPolicy,
}

/// Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): sleep a
/// uniformly random time up to the exponential ceiling, which spreads callers that
/// were throttled together better than a fixed or partly random delay.
fn full_jitter(ceiling: Duration) -> Duration {
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

impl Interceptor for Guard {
    fn around<'a, T, F, Fut>(
        &'a self,
        call: Call,
        mut f: F,
    ) -> impl Future<Output = Result<T, AwsError>> + Send + 'a
    where
        T: Send + 'a,
        F: FnMut() -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, AwsError>> + Send + 'a,
    {
        let limiter = self.limiters.get(&call.service).cloned();
        let clock = self.clock.clone();
        let retry = self.retry;
        let transient_seen = AtomicU32::new(0);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(retry.min_delay)
            .with_max_delay(retry.max_delay)
            .with_max_times(retry.throttled_retries.max(retry.transient_retries) as usize)
            .build()
            .map(full_jitter as fn(Duration) -> Duration);
        async move {
            let attempt = || {
                // Futures are lazy: the call starts only after the limiter allows it.
                let fut = f();
                let limiter = limiter.clone();
                let clock = clock.clone();
                async move {
                    // A slot first (held for the call), then the rate: a call
                    // waiting for a slot does not use up the rate budget.
                    let _slot = match &limiter {
                        Some(gate) => {
                            let slot = gate.in_flight.clone().acquire_owned().await.ok();
                            let waiting = tokio::time::Instant::now();
                            acquire(&gate.limiter, &clock).await;
                            crate::metrics::global().throttle_wait(
                                call.service.name(),
                                waiting.elapsed().as_secs_f64(),
                            );
                            slot
                        }
                        None => None,
                    };
                    fut.await
                }
            };
            let throttled_seen = AtomicU32::new(0);
            let result = attempt
                .retry(backoff)
                .sleep(tokio::time::sleep)
                .when(|e: &AwsError| match e.kind {
                    ErrorKind::Throttled { .. } => {
                        throttled_seen.fetch_add(1, Ordering::Relaxed) < retry.throttled_retries
                    }
                    ErrorKind::Transient { .. } => {
                        transient_seen.fetch_add(1, Ordering::Relaxed) < retry.transient_retries
                    }
                    _ => false,
                })
                .notify(|e: &AwsError, delay: Duration| {
                    let metrics = crate::metrics::global();
                    metrics.aws_retry(call.service.name());
                    if e.is_throttled() {
                        metrics.throttle_wait(call.service.name(), delay.as_secs_f64());
                    }
                    tracing::debug!(service = %call.service, operation = call.operation,
                        error = %e, request_id = e.request_id.as_deref().unwrap_or(""),
                        ?delay, "retrying AWS call");
                })
                .await;
            let outcome = match &result {
                Ok(_) => "ok",
                Err(e) => e.kind.label(),
            };
            if let Err(e) = &result {
                // Conditions leave the request id out (it changes at every
                // attempt); here it is, for AWS Support. Debug: the caller
                // reports the failure itself, and many are expected answers
                // (an absent resource, a permission probe's refusal).
                tracing::debug!(service = %call.service, operation = call.operation,
                    error = %e.summary(), request_id = e.request_id.as_deref().unwrap_or(""),
                    "AWS call failed");
            }
            crate::metrics::global().aws_call(call.service.name(), call.operation, outcome);
            result
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_in_flight_stay_within_the_services_concurrency() {
        let mut budgets = Budgets::default();
        budgets.parse_concurrency("medialive=2").unwrap();
        budgets.parse_overrides("medialive=1000").unwrap();
        let guard = Limiters::new(budgets).guard("123456789012", "eu-west-1");
        let now = Arc::new(AtomicU32::new(0));
        let most = Arc::new(AtomicU32::new(0));
        let calls = (0..10).map(|_| {
            let (now, most, guard) = (now.clone(), most.clone(), guard.clone());
            async move {
                let call = Call {
                    service: Service::MediaLive,
                    operation: "describe_channel",
                };
                guard
                    .around(call, || {
                        let (now, most) = (now.clone(), most.clone());
                        async move {
                            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(n, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            now.fetch_sub(1, Ordering::SeqCst);
                            Ok::<_, AwsError>(())
                        }
                    })
                    .await
            }
        });
        for result in futures::future::join_all(calls).await {
            result.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        assert!(Budgets::default()
            .parse_concurrency("medialive=0")
            .unwrap_err()
            .contains("requests-in-flight"));
    }

    #[test]
    fn budgets_read_overrides_and_explain_mistakes() {
        let mut b = Budgets::default();
        b.parse_overrides("medialive=2, CloudFront=1").unwrap();
        assert_eq!(b.budget(Service::MediaLive), Budget::per_second(2));
        assert_eq!(b.budget(Service::CloudFront), Budget::per_second(1));
        assert_eq!(b.budget(Service::MediaTailor), Budget::per_second(5));
        assert!(b
            .parse_overrides("medialive")
            .unwrap_err()
            .contains("service=requests-per-second"));
        assert!(b
            .parse_overrides("ec2=3")
            .unwrap_err()
            .contains("not an AWS service onair calls"));
        assert!(b
            .parse_overrides("medialive=0")
            .unwrap_err()
            .contains("positive"));
    }
}
