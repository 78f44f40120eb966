//! Prometheus metrics, served on `/metrics` next to the health endpoints.
//!
//! One registry per process, reached through [`global`]: the AWS guard (deep
//! in the AWS layer) and the reconcilers record into it without a handle
//! threaded through every call. Names follow Prometheus conventions
//! (`onair_` prefix, `_total` counters, `_seconds` units).
//!
//! kube-runtime does not expose its scheduler queue, so the work waiting is
//! seen as reconciles in flight plus objects per state.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReconcileLabels {
    pub kind: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Outcome {
    #[allow(non_camel_case_types)]
    success,
    #[allow(non_camel_case_types)]
    error,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AwsCallLabels {
    pub service: String,
    pub operation: String,
    /// `ok`, or the error kind (`throttled`, `not_found`, `conflict`, ...).
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ServiceLabels {
    pub service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub kind: String,
    /// `Ready`, `Reconciling` or `Stalled` (from the object's conditions).
    pub state: String,
}

pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    reconcile_seconds: Family<KindLabels, Histogram>,
    in_flight: Family<KindLabels, Gauge>,
    aws_calls: Family<AwsCallLabels, Counter>,
    aws_retries: Family<ServiceLabels, Counter>,
    throttle_wait_seconds: Family<ServiceLabels, Counter<f64, std::sync::atomic::AtomicU64>>,
    objects: Family<StateLabels, Gauge>,
    leader: Gauge,
    /// The state last written for each object: the `objects` gauge counts these.
    states: Mutex<HashMap<(String, String), String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("onair");
        let reconciles = Family::<ReconcileLabels, Counter>::default();
        registry.register(
            "reconciles",
            "Reconciles finished, per kind and outcome",
            reconciles.clone(),
        );
        let reconcile_seconds = Family::<KindLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.005, 2.0, 14))
        });
        registry.register(
            "reconcile_duration_seconds",
            "Time one reconcile takes, per kind",
            reconcile_seconds.clone(),
        );
        let in_flight = Family::<KindLabels, Gauge>::default();
        registry.register(
            "reconciles_in_flight",
            "Reconciles running now, per kind",
            in_flight.clone(),
        );
        let aws_calls = Family::<AwsCallLabels, Counter>::default();
        registry.register(
            "aws_calls",
            "AWS calls finished (after the guard's retries), per service, operation and outcome",
            aws_calls.clone(),
        );
        let aws_retries = Family::<ServiceLabels, Counter>::default();
        registry.register(
            "aws_retries",
            "AWS calls retried by the guard after throttling or a transient failure",
            aws_retries.clone(),
        );
        let throttle_wait_seconds =
            Family::<ServiceLabels, Counter<f64, std::sync::atomic::AtomicU64>>::default();
        registry.register(
            "aws_throttle_wait_seconds",
            "Time calls waited for the rate budget or backed off after throttling",
            throttle_wait_seconds.clone(),
        );
        let objects = Family::<StateLabels, Gauge>::default();
        registry.register(
            "objects",
            "Objects per kind and state (Ready, Reconciling, Stalled), as last written",
            objects.clone(),
        );
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this replica reconciles (it holds the lease, or runs without leader election), else 0",
            leader.clone(),
        );
        Self {
            leader,
            registry,
            reconciles,
            reconcile_seconds,
            in_flight,
            aws_calls,
            aws_retries,
            throttle_wait_seconds,
            objects,
            states: Mutex::default(),
        }
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }

    pub fn aws_call(&self, service: &str, operation: &str, outcome: &str) {
        self.aws_calls
            .get_or_create(&AwsCallLabels {
                service: service.to_string(),
                operation: operation.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    pub fn aws_retry(&self, service: &str) {
        self.aws_retries
            .get_or_create(&ServiceLabels {
                service: service.to_string(),
            })
            .inc();
    }

    pub fn throttle_wait(&self, service: &str, seconds: f64) {
        if seconds > 0.0 {
            self.throttle_wait_seconds
                .get_or_create(&ServiceLabels {
                    service: service.to_string(),
                })
                .inc_by(seconds);
        }
    }

    /// Records the state an object's status was just written with; `None`
    /// forgets it (the object is gone).
    pub fn object_state(&self, kind: &str, object: &str, state: Option<&str>) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let key = (kind.to_string(), object.to_string());
        let gauge = |state: &str| {
            self.objects.get_or_create(&StateLabels {
                kind: kind.to_string(),
                state: state.to_string(),
            })
        };
        if let Some(old) = states.remove(&key) {
            gauge(&old).dec();
        }
        if let Some(state) = state {
            gauge(state).inc();
            states.insert(key, state.to_string());
        }
    }

    /// Forgets every object's state (the `objects` gauge drops to 0): a
    /// replica that stops reconciling no longer speaks for the objects, so
    /// sums over replicas count each object once, from the leader.
    pub fn forget_objects(&self) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        for ((kind, _), state) in states.drain() {
            self.objects
                .get_or_create(&StateLabels { kind, state })
                .dec();
        }
    }

    /// How many objects of `kind` were last written in `state` (what the
    /// `objects` gauge shows): progress without listing the objects.
    pub fn objects_in_state(&self, kind: &str, state: &str) -> usize {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states
            .iter()
            .filter(|((k, _), s)| k == kind && s.as_str() == state)
            .count()
    }
}

impl Metrics {
    /// Reconciles of `kind` finished so far, whatever their outcome.
    pub fn reconciles_finished(&self, kind: &str) -> u64 {
        [Outcome::success, Outcome::error]
            .into_iter()
            .map(|outcome| {
                self.reconciles
                    .get_or_create(&ReconcileLabels {
                        kind: kind.to_string(),
                        outcome,
                    })
                    .get()
            })
            .sum()
    }

    /// Reconciles of `kind` running now.
    pub fn reconciles_in_flight(&self, kind: &str) -> i64 {
        self.in_flight
            .get_or_create(&KindLabels {
                kind: kind.to_string(),
            })
            .get()
    }
}

/// While alive, this replica is the one reconciling (`onair_leader` 1): the
/// reconcilers hold one for as long as they run, and dropping it (the lease
/// lost, the work aborted) sets the gauge back to 0.
pub struct Leading(());

impl Leading {
    pub fn start() -> Self {
        global().leader.set(1);
        Self(())
    }
}

impl Drop for Leading {
    fn drop(&mut self) {
        global().leader.set(0);
        global().forget_objects();
    }
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

/// Runs one reconcile of a `kind`, counting it, timing it and keeping the
/// in-flight gauge.
pub async fn reconcile<T, E>(kind: &str, work: impl Future<Output = Result<T, E>>) -> Result<T, E> {
    let metrics = global();
    let labels = KindLabels {
        kind: kind.to_string(),
    };
    // Counted down on drop too: a reconcile cancelled mid-flight (the lease
    // lost, the process stopping) must not stay in the gauge.
    struct InFlight(Gauge);
    impl Drop for InFlight {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
    let in_flight = InFlight(metrics.in_flight.get_or_create(&labels).clone());
    in_flight.0.inc();
    let started = Instant::now();
    let result = work.await;
    drop(in_flight);
    metrics
        .reconcile_seconds
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    metrics
        .reconciles
        .get_or_create(&ReconcileLabels {
            kind: kind.to_string(),
            outcome: if result.is_ok() {
                Outcome::success
            } else {
                Outcome::error
            },
        })
        .inc();
    result
}

/// The state a status says, from its kstatus conditions.
pub fn state_of(conditions: &serde_json::Value) -> Option<&'static str> {
    let find = |type_: &str| {
        conditions
            .as_array()?
            .iter()
            .find(|c| c["type"] == type_)
            .map(|c| c["status"] == "True")
    };
    match (find("Ready")?, find("Stalled").unwrap_or(false)) {
        (true, _) => Some("Ready"),
        (false, true) => Some("Stalled"),
        (false, false) => Some("Reconciling"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_reconcile_leaves_the_in_flight_gauge() {
        use futures::FutureExt;
        // A kind of this test's own: the registry is the process's.
        let kind = "CancelledInFlightTest";
        let mut work = Box::pin(reconcile(kind, std::future::pending::<Result<(), ()>>()));
        assert!(work.as_mut().now_or_never().is_none());
        assert_eq!(global().reconciles_in_flight(kind), 1);
        drop(work);
        assert_eq!(global().reconciles_in_flight(kind), 0);
        // Cancelled, it did not finish: no outcome is counted.
        assert_eq!(global().reconciles_finished(kind), 0);
        let finished = reconcile(kind, async { Ok::<(), ()>(()) }).now_or_never();
        assert_eq!(finished, Some(Ok(())));
        assert_eq!(global().reconciles_finished(kind), 1);
        assert_eq!(global().reconciles_in_flight(kind), 0);
    }

    #[test]
    fn objects_move_between_states_and_leave() {
        let m = Metrics::new();
        m.object_state("LiveChannel", "media/news", Some("Reconciling"));
        m.object_state("LiveChannel", "media/news", Some("Ready"));
        m.object_state("LiveChannel", "media/sport", Some("Stalled"));
        assert_eq!(m.objects_in_state("LiveChannel", "Ready"), 1);
        assert_eq!(m.objects_in_state("LiveChannel", "Stalled"), 1);
        assert_eq!(m.objects_in_state("AdInsertion", "Ready"), 0);
        let text = m.encode();
        assert!(
            text.contains(r#"onair_objects{kind="LiveChannel",state="Ready"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"onair_objects{kind="LiveChannel",state="Reconciling"} 0"#),
            "{text}"
        );
        m.object_state("LiveChannel", "media/news", None);
        assert!(m
            .encode()
            .contains(r#"onair_objects{kind="LiveChannel",state="Ready"} 0"#));
    }

    #[test]
    fn the_leader_gauge_is_one_while_the_reconcilers_run() {
        let leading = Leading::start();
        assert!(global().encode().contains("\nonair_leader 1\n"));
        drop(leading);
        assert!(global().encode().contains("\nonair_leader 0\n"));
    }

    #[test]
    fn a_replica_that_stops_leading_stops_counting_objects() {
        let m = Metrics::new();
        m.object_state("TokenPolicy", "media/a", Some("Stalled"));
        m.object_state("TokenPolicy", "media/b", Some("Ready"));
        m.forget_objects();
        assert_eq!(m.objects_in_state("TokenPolicy", "Stalled"), 0);
        let text = m.encode();
        assert!(
            text.contains(r#"onair_objects{kind="TokenPolicy",state="Stalled"} 0"#),
            "{text}"
        );
        // Leading again, it counts what it writes afresh.
        m.object_state("TokenPolicy", "media/a", Some("Ready"));
        assert_eq!(m.objects_in_state("TokenPolicy", "Ready"), 1);
    }

    #[test]
    fn states_come_from_the_conditions() {
        let c = |ready: &str, stalled: bool| {
            let mut v = vec![serde_json::json!({"type": "Ready", "status": ready})];
            if stalled {
                v.push(serde_json::json!({"type": "Stalled", "status": "True"}));
            }
            serde_json::Value::Array(v)
        };
        assert_eq!(state_of(&c("True", false)), Some("Ready"));
        assert_eq!(state_of(&c("False", true)), Some("Stalled"));
        assert_eq!(state_of(&c("False", false)), Some("Reconciling"));
        assert_eq!(state_of(&serde_json::json!([])), None);
    }

    #[tokio::test]
    async fn reconciles_and_aws_calls_are_counted() {
        let m = global();
        let _ = reconcile("Probe", async { Ok::<_, ()>(()) }).await;
        let _ = reconcile("Probe", async { Err::<(), _>(()) }).await;
        m.aws_call("MediaLive", "CreateChannel", "throttled");
        m.throttle_wait("MediaLive", 0.5);
        let text = m.encode();
        assert!(
            text.contains(r#"onair_reconciles_total{kind="Probe",outcome="success"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"onair_reconciles_total{kind="Probe",outcome="error"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"onair_reconcile_duration_seconds_count{kind="Probe"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"onair_aws_calls_total{service="MediaLive",operation="CreateChannel",outcome="throttled"}"#), "{text}");
        assert!(
            text.contains(r#"onair_aws_throttle_wait_seconds_total{service="MediaLive"}"#),
            "{text}"
        );
    }
}
