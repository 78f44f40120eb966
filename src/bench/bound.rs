//! The lower bounds that AWS's rate limits set on the time to converge: each
//! service serves at most its rate, so the calls sent to the busiest one take
//! at least their count divided by that rate. The bench prints two of them:
//!
//! - the bound of the calls onair made (every call it sent, polls included):
//!   how well onair schedules the calls it chose to make;
//! - the necessary-calls bound: only the writes (create, update, delete,
//!   start, put, tag) and one read per resource, what any operator must
//!   send. The gap between the two is what waiting costs: polls while AWS
//!   creates, starts and deploys.

use std::collections::BTreeMap;

use crate::aws::intercept::is_read;
use crate::aws::remote::SimStats;
use crate::aws::Service;

/// The time the busiest service needs for its calls, at its rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub seconds: f64,
    /// The busiest service (none when no service had a call).
    pub bottleneck: Option<Service>,
}

/// The time `calls` take at `rate` requests per second.
pub fn seconds_at(calls: u64, rate: u32) -> f64 {
    calls as f64 / f64::from(rate)
}

impl Bound {
    /// The busiest of `calls` (per service) at `rates` (requests per second).
    /// A service without a rate is not limited, so it bounds nothing.
    pub fn busiest(
        calls: impl IntoIterator<Item = (Service, u64)>,
        rates: &BTreeMap<Service, u32>,
    ) -> Bound {
        let mut bound = Bound {
            seconds: 0.0,
            bottleneck: None,
        };
        for (service, n) in calls {
            let Some(&rate) = rates.get(&service).filter(|&&rate| rate > 0) else {
                continue;
            };
            let seconds = seconds_at(n, rate);
            if seconds > bound.seconds {
                bound = Bound {
                    seconds,
                    bottleneck: Some(service),
                };
            }
        }
        bound
    }

    /// How many times this bound `elapsed` is (1.0: as fast as the limits allow).
    pub fn ratio(&self, elapsed: f64) -> f64 {
        elapsed / self.seconds.max(f64::EPSILON)
    }

    pub fn bottleneck_name(&self) -> &'static str {
        self.bottleneck.map_or("none", Service::name)
    }
}

/// What one service must be sent: its writes while converging, and one
/// read per resource. A no-op resync reads each resource once (the bench
/// checks that figure against its target beside this one), so its reads are
/// the reads counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Necessary {
    pub writes: u64,
    pub reads: u64,
}

impl Necessary {
    pub fn calls(&self) -> u64 {
        self.writes + self.reads
    }
}

/// The necessary calls of each of `services`, from the simulation's counts
/// when the objects converged, and before and after one no-op resync.
pub fn necessary(
    services: &[Service],
    converged: &SimStats,
    resync_before: &SimStats,
    resync_after: &SimStats,
) -> BTreeMap<Service, Necessary> {
    let reads = |stats: &SimStats, service| stats.calls_to(service, is_read);
    services
        .iter()
        .map(|&service| {
            let necessary = Necessary {
                writes: converged.calls_to(service, |operation| !is_read(operation)),
                reads: reads(resync_after, service).saturating_sub(reads(resync_before, service)),
            };
            (service, necessary)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates() -> BTreeMap<Service, u32> {
        BTreeMap::from([(Service::MediaLive, 10), (Service::CloudFront, 2)])
    }

    #[test]
    fn the_busiest_service_at_its_rate_sets_the_bound() {
        let bound = Bound::busiest(
            [(Service::MediaLive, 100), (Service::CloudFront, 30)],
            &rates(),
        );
        assert_eq!(bound.seconds, 15.0);
        assert_eq!(bound.bottleneck, Some(Service::CloudFront));
        assert_eq!(bound.ratio(30.0), 2.0);
        assert_eq!(bound.bottleneck_name(), Service::CloudFront.name());
    }

    #[test]
    fn a_service_without_a_rate_or_calls_bounds_nothing() {
        let bound = Bound::busiest(
            [(Service::MediaTailor, 1_000), (Service::MediaLive, 0)],
            &rates(),
        );
        assert_eq!(bound.seconds, 0.0);
        assert_eq!(bound.bottleneck, None);
        assert_eq!(bound.bottleneck_name(), "none");
        assert!(bound.ratio(1.0).is_finite());
    }

    #[test]
    fn the_necessary_calls_are_the_writes_and_one_resyncs_reads() {
        // Converging: 3 creates, 1 start and 40 polls to MediaLive.
        let converged = SimStats::of_calls(&[
            (Service::MediaLive, "create_channel", 3),
            (Service::MediaLive, "start_channel", 1),
            (Service::MediaLive, "describe_channel", 40),
        ]);
        // The resync then reads the 3 resources once each.
        let after = SimStats::of_calls(&[
            (Service::MediaLive, "create_channel", 3),
            (Service::MediaLive, "start_channel", 1),
            (Service::MediaLive, "describe_channel", 41),
            (Service::MediaLive, "list_inputs", 2),
        ]);
        let necessary = necessary(
            &[Service::MediaLive, Service::CloudFront],
            &converged,
            &converged,
            &after,
        );
        let medialive = necessary[&Service::MediaLive];
        assert_eq!(
            medialive,
            Necessary {
                writes: 4,
                reads: 3
            }
        );
        assert_eq!(medialive.calls(), 7);
        assert_eq!(necessary[&Service::CloudFront], Necessary::default());
    }
}
