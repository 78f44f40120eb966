//! The two "done when" tests of the AWS layer (issue 4), on the simulation behind the
//! production guard, with tokio's paused clock: no wall-clock waits or assertions.

use std::sync::Arc;
use std::time::Duration;

use onair::aws::guard::{Budget, Budgets, Limiters};
use onair::aws::intercept::Intercepted;
use onair::aws::medialive::MediaLiveApi;
use onair::aws::ownership::Tags;
use onair::aws::sim::{Fault, Sim};
use onair::aws::{ErrorKind, Service};

use crate::scenarios::{new_channel, new_pull_input, owner};

fn guarded(sim: &Sim, budgets: Budgets) -> Arc<dyn MediaLiveApi> {
    let guard = Limiters::new(budgets).guard(sim.account(), sim.region());
    Arc::new(Intercepted::new(guard, sim.medialive()))
}

/// 20 callers at once against MediaLive throttled at 2 requests per second: every
/// call succeeds, and they take the time the rate implies.
async fn throttled_service_slows_callers(guard_rate: u32) -> (u64, Duration) {
    let sim = Sim::default();
    sim.faults().throttle(Service::MediaLive, 2);
    let mut budgets = Budgets::default();
    budgets
        .overrides
        .insert(Service::MediaLive, Budget::per_second(guard_rate));
    let api = guarded(&sim, budgets);
    let start = tokio::time::Instant::now();
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let api = api.clone();
            tokio::spawn(async move {
                api.create_input_security_group(vec![format!("203.0.113.{i}/32")], Tags::new())
                    .await
            })
        })
        .collect();
    for c in calls {
        c.await.unwrap().expect("no error reaches the caller");
    }
    let elapsed = start.elapsed();
    let throttled = sim.faults().throttled(Service::MediaLive);
    sim.faults().clear();
    assert_eq!(
        sim.medialive()
            .list_input_security_groups()
            .await
            .unwrap()
            .len(),
        20
    );
    // 2 in the first burst, then 2 per second: at least 9 s for 20.
    assert!(
        elapsed >= Duration::from_secs(9),
        "callers were not slowed: {elapsed:?}"
    );
    (throttled, elapsed)
}

#[tokio::test(start_paused = true)]
async fn throttled_service_slows_callers_without_errors_when_the_budget_matches() {
    let (throttled, _) = throttled_service_slows_callers(2).await;
    // The guard's limiter keeps the pace, so AWS rarely has to say no.
    assert!(throttled <= 2, "{throttled} throttled answers");
}

#[tokio::test(start_paused = true)]
async fn throttled_service_slows_callers_without_errors_when_the_budget_is_too_high() {
    let (throttled, elapsed) = throttled_service_slows_callers(10).await;
    // AWS said no often; retries with backoff absorbed every refusal.
    assert!(throttled > 0);
    assert!(elapsed < Duration::from_secs(600), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_create_retried_after_a_crash_point_makes_no_second_resource() {
    let sim = Sim::default();
    let api = guarded(&sim, Budgets::default());
    let o = owner();
    sim.faults()
        .inject(Service::MediaLive, "create_input", Fault::CrashAfter, 1);
    let input = api
        .create_input(new_pull_input(&o))
        .await
        .expect("the guard retries the crash");
    sim.faults()
        .inject(Service::MediaLive, "create_channel", Fault::CrashAfter, 1);
    let channel = api
        .create_channel(new_channel(&o, &input.id))
        .await
        .unwrap();

    // Both creates reached AWS twice, yet each made one resource: the retry carried
    // the same RequestId.
    assert_eq!(sim.faults().calls(Service::MediaLive, "create_input"), 2);
    assert_eq!(sim.faults().calls(Service::MediaLive, "create_channel"), 2);
    let channels = api.list_channels().await.unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0].id, channel.id);
    assert_eq!(api.list_inputs().await.unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_reconciler_retrying_after_a_crash_gets_the_same_channel() {
    // Without the guard: the first call fails as if the operator died, and the next
    // reconcile sends the same create again.
    let sim = Sim::default();
    let api = sim.medialive();
    let o = owner();
    let input = api.create_input(new_pull_input(&o)).await.unwrap();
    sim.faults()
        .inject(Service::MediaLive, "create_channel", Fault::CrashAfter, 1);
    let err = api
        .create_channel(new_channel(&o, &input.id))
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    let channel = api
        .create_channel(new_channel(&o, &input.id))
        .await
        .unwrap();
    let channels = api.list_channels().await.unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0].id, channel.id);
}

#[tokio::test(start_paused = true)]
async fn the_guard_does_not_retry_what_retrying_cannot_fix() {
    let sim = Sim::default();
    let api = guarded(&sim, Budgets::default());
    let invalid = ErrorKind::InvalidRequest {
        message: "bad".into(),
    };
    sim.faults()
        .inject(Service::MediaLive, "list_inputs", Fault::Error(invalid), 1);
    let err = api.list_inputs().await.unwrap_err();
    assert!(matches!(err.kind, ErrorKind::InvalidRequest { .. }));
    assert_eq!(sim.faults().calls(Service::MediaLive, "list_inputs"), 1);

    // Transient failures are retried a bounded number of times, then reported.
    let transient = ErrorKind::Transient {
        message: "500".into(),
    };
    sim.faults().inject(
        Service::MediaLive,
        "list_channels",
        Fault::Error(transient),
        100,
    );
    let err = api.list_channels().await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(
        sim.faults().calls(Service::MediaLive, "list_channels"),
        5,
        "1 call + 4 retries"
    );
}

#[tokio::test(start_paused = true)]
async fn injected_latency_delays_the_call() {
    let sim = Sim::default();
    let api = sim.medialive();
    sim.faults().inject(
        Service::MediaLive,
        "list_inputs",
        Fault::Latency(Duration::from_secs(3)),
        1,
    );
    let start = tokio::time::Instant::now();
    api.list_inputs().await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn every_caller_in_one_account_shares_one_limiter() {
    // Two reconcilers' API sets for the same account and region, budget 1 request per
    // second: together they are held to it.
    let sim = Sim::default();
    let mut budgets = Budgets::default();
    budgets
        .overrides
        .insert(Service::MediaTailor, Budget::per_second(1));
    let limiters = Limiters::new(budgets);
    let a = onair::aws::AwsApis::sim(&sim, limiters.guard(sim.account(), sim.region()));
    let b = onair::aws::AwsApis::sim(&sim, limiters.guard(sim.account(), sim.region()));
    let start = tokio::time::Instant::now();
    for api in [&a, &b, &a, &b] {
        let err = api
            .mediatailor
            .get_playback_configuration("none")
            .await
            .unwrap_err();
        assert!(err.is_not_found());
    }
    assert!(
        start.elapsed() >= Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    // Another account has its own budget.
    let other = onair::aws::AwsApis::sim(&sim, limiters.guard("210987654321", sim.region()));
    let start = tokio::time::Instant::now();
    let _ = other.mediatailor.get_playback_configuration("none").await;
    assert_eq!(start.elapsed(), Duration::ZERO);
}
