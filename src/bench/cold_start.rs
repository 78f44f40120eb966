//! The restart the bench measures after the resyncs: the converged objects
//! stay, the operator that made them goes, and a fresh one (empty stores,
//! caches and memo, new rate budgets: what a new `onair run` pod holds)
//! starts against the same world. Every object is Ready, so the figures are
//! how soon the new operator is at work, how long it takes to look at
//! everything once, and that it writes nothing to AWS while it does.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::aws::remote::{RemoteSim, SimStats};
use crate::aws::Service;

use super::bound::Bound;
use super::operator::Operator;

/// What a restart is measured against.
pub struct Restart<'a> {
    pub client: &'a kube::Client,
    pub sim: &'a std::sync::Arc<RemoteSim>,
    pub rates: &'a BTreeMap<Service, u32>,
    pub services: &'a [Service],
    pub kinds: &'a [&'a str],
    pub channels: usize,
    pub ads_and_tokens: bool,
    pub max_concurrent_reconciles: u16,
    pub timeout: Duration,
}

/// No AWS call for this long, every object reconciled and none in flight:
/// the new operator has looked at everything.
const QUIET: Duration = Duration::from_secs(3);

/// How often the bench looks at the simulation's counts.
const LOOK: Duration = Duration::from_millis(100);

/// What one restart showed.
pub struct Figures {
    /// From the start to the first reconcile finished.
    pub first_reconcile: Duration,
    /// From the start until the reconciles finished reached the objects.
    pub every_object: Duration,
    /// From the start to the last AWS call of the restart.
    pub last_call: Duration,
    pub reconciles: u64,
    pub calls: SimStats,
    /// The peak resident set from the start (None: it could not be reset,
    /// so the process's peak covers the converging run too).
    pub peak_memory: Option<String>,
}

impl Restart<'_> {
    /// Starts a fresh operator, waits until it has reconciled every object
    /// and AWS has been quiet for a while, and stops it.
    pub async fn measure(&self) -> Result<Figures, String> {
        let metrics = crate::metrics::global();
        let reconciled = || {
            self.kinds
                .iter()
                .map(|kind| metrics.reconciles_finished(kind))
                .sum::<u64>()
        };
        let in_flight = || {
            self.kinds
                .iter()
                .map(|kind| metrics.reconciles_in_flight(kind))
                .sum::<i64>()
        };
        let objects = (self.channels * self.kinds.len()) as u64;
        let reconciled_before = reconciled();
        let before = self.sim.stats().await?;
        let peak_reset = super::process::reset_peak_memory();
        let start = Instant::now();
        let operator = Operator::start(
            self.client,
            self.sim,
            self.rates,
            self.ads_and_tokens,
            self.max_concurrent_reconciles,
        );
        let (mut first_reconcile, mut every_object) = (None, None);
        let mut calls_seen = before.total();
        let mut last_call = Duration::ZERO;
        loop {
            tokio::time::sleep(LOOK).await;
            let now = start.elapsed();
            let reconciles = reconciled() - reconciled_before;
            if reconciles > 0 {
                first_reconcile.get_or_insert(now);
            }
            if reconciles >= objects {
                every_object.get_or_insert(now);
            }
            let calls = self.sim.stats().await?.total();
            if calls != calls_seen {
                calls_seen = calls;
                last_call = now;
            }
            if every_object.is_some() && in_flight() == 0 && now - last_call >= QUIET {
                break;
            }
            if now > self.timeout {
                return Err(format!(
                    "the restarted operator reconciled {reconciles} times for {objects} objects and had not settled within {} s",
                    self.timeout.as_secs()
                ));
            }
        }
        drop(operator);
        let after = self.sim.stats().await?;
        Ok(Figures {
            first_reconcile: first_reconcile.unwrap_or_default(),
            every_object: every_object.unwrap_or_default(),
            last_call,
            reconciles: reconciled() - reconciled_before,
            calls: after.since(&before),
            peak_memory: peak_reset.then(super::process::peak_memory),
        })
    }

    /// Prints `figures`, with the bound the rate limits set on reading
    /// every resource once (`resync`: one no-op resync's calls).
    pub fn print(&self, figures: &Figures, resync: &SimStats) {
        let objects = self.channels * self.kinds.len();
        println!(
            "\ncold start (a fresh operator, {objects} Ready objects): first reconcile after {:.2} s; {} reconciles for {objects} objects after {:.1} s; the last AWS call after {:.1} s",
            figures.first_reconcile.as_secs_f64(),
            figures.reconciles,
            figures.every_object.as_secs_f64(),
            figures.last_call.as_secs_f64(),
        );
        println!(
            "cold start calls: {} (target 0 writes)",
            super::calls::writes_and_reads(&figures.calls, self.channels)
        );
        let bound = Bound::busiest(resync.calls_per_service(self.services), self.rates);
        println!(
            "cold start's bound (one resync's reads at the limits, {} the busiest): {:.1} s; ratio {:.2}",
            bound.bottleneck_name(),
            bound.seconds,
            bound.ratio(figures.last_call.as_secs_f64())
        );
        match &figures.peak_memory {
            Some(peak) => println!(
                "peak memory during the cold start (the converging operator's freed memory stays mapped in this process): {peak}"
            ),
            None => println!(
                "peak memory during the cold start: not measured apart (this kernel refused to reset VmHWM)"
            ),
        }
    }
}
