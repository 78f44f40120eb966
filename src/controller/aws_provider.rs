//! The AwsProvider reconciler: checks that a provider's credentials work
//! (STS GetCallerIdentity through its region, endpoint and role) and says so
//! on its status, so that `kubectl get awsproviders` shows a broken provider
//! before any object fails on it. Checked at every change of the spec and
//! every `--resync-seconds`; a failed check is retried after `timing.retry`.
//! Working credentials are then probed with one read per service
//! ([`aws::probe`](crate::aws::probe)), so a role without onair's
//! permissions shows here too.
//! It makes no AWS resource and needs no finalizer.

use std::sync::Arc;

use futures::StreamExt;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::{predicates, reflector, watcher, WatchStreamExt};
use kube::Resource;
use tracing::info;

use crate::api::{AwsProvider, AwsProviderStatus, ConditionStatus, Conditioned};
use crate::controller::conditions::{ConditionSet, Progress};
use crate::controller::context::Context;
use crate::controller::kit::{now, Error};
use crate::k8s::report::{write_status, Events};
use crate::plan::aws_provider::{check_failed, permissions_missing, verified};

/// Checks one AwsProvider's credentials and writes what it found.
pub async fn reconcile(provider: Arc<AwsProvider>, ctx: Arc<Context>) -> Result<Action, Error> {
    if provider.meta().deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let api = Api::<AwsProvider>::all(ctx.client.clone());
    let previous = provider.current_status();
    let mut status = AwsProviderStatus {
        observed_generation: provider.meta().generation,
        region: Some(provider.spec.region.clone()),
        last_checked_time: Some(now()),
        ..previous.clone()
    };
    let (progress, next) = match ctx.providers.check(&provider.spec).await {
        Ok((identity, apis)) => {
            let denied = crate::aws::probe::denied(&apis).await;
            let progress = match permissions_missing(&denied, &identity) {
                Some(failure) => Progress::from(&failure),
                None => Progress::Ready {
                    reason: "CredentialsVerified".into(),
                    message: verified(&identity, &provider.spec),
                },
            };
            status.account_id = Some(identity.account);
            status.identity_arn = Some(identity.arn);
            (progress, Action::requeue(ctx.timing.resync))
        }
        Err(error) => {
            // Whom the credentials act as is not known any more.
            status.account_id = None;
            status.identity_arn = None;
            let failure = check_failed(&error, &provider.spec);
            (Progress::from(&failure), Action::requeue(ctx.timing.retry))
        }
    };
    let mut conditions = ConditionSet::new(&previous.conditions, provider.meta().generation, now());
    conditions.summarize(&progress);
    status.conditions = conditions.into_vec();
    if let Some((warning, reason, message)) = transition(&previous, &progress) {
        Events::new(&ctx.recorder, provider.as_ref(), false)
            .publish(warning, reason, "CheckCredentials", message.to_string())
            .await;
    }
    write_status(&api, provider.as_ref(), &status).await?;
    Ok(next)
}

/// The event a check gives: one when the provider turns Ready or stops
/// being, or fails for another reason; none when nothing changed, so a
/// provider checked every few minutes does not fill its events.
fn transition<'a>(
    previous: &AwsProviderStatus,
    progress: &'a Progress,
) -> Option<(bool, &'a str, &'a str)> {
    let (ready, reason, message) = match progress {
        Progress::Ready { reason, message } => (true, reason, message),
        Progress::Reconciling { reason, message } | Progress::Stalled { reason, message } => {
            (false, reason, message)
        }
    };
    let before = previous.conditions.iter().find(|c| c.type_ == "Ready");
    let unchanged = before.is_some_and(|c| {
        (c.status == ConditionStatus::True) == ready && c.reason == reason.as_str()
    });
    (!unchanged).then_some((!ready, reason.as_str(), message.as_str()))
}

/// Runs the AwsProvider controller (cluster-wide: AwsProviders are cluster
/// scoped) until the stream ends.
pub async fn run(ctx: Arc<Context>, concurrency: u16) {
    info!("AwsProvider controller started");
    let api = Api::<AwsProvider>::all(ctx.client.clone());
    let (reader, writer) = reflector::store();
    // Only a new spec checks again: the status this controller writes (and
    // its time of check) would otherwise trigger the next check at once.
    let changes = reflector(writer, watcher(api, watcher::Config::default()))
        .default_backoff()
        .applied_objects()
        .predicate_filter(predicates::generation, Default::default())
        .boxed();
    let controller = Controller::for_stream(changes, reader);
    crate::controller::kit::run_kind(controller, concurrency, reconcile, ctx).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Condition;

    fn status_with_ready(status: ConditionStatus, reason: &str) -> AwsProviderStatus {
        AwsProviderStatus {
            conditions: vec![Condition {
                type_: "Ready".into(),
                status,
                reason: reason.into(),
                message: "before".into(),
                last_transition_time: "2026-01-01T00:00:00Z".into(),
                observed_generation: Some(1),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn only_a_change_of_state_or_reason_is_an_event() {
        let ready = Progress::Ready {
            reason: "CredentialsVerified".into(),
            message: "works".into(),
        };
        let refused = Progress::Stalled {
            reason: "CredentialsRefused".into(),
            message: "refused".into(),
        };
        let first = AwsProviderStatus::default();
        assert_eq!(
            transition(&first, &ready),
            Some((false, "CredentialsVerified", "works"))
        );
        let good = status_with_ready(ConditionStatus::True, "CredentialsVerified");
        assert_eq!(transition(&good, &ready), None, "checked again, still fine");
        assert_eq!(
            transition(&good, &refused),
            Some((true, "CredentialsRefused", "refused"))
        );
        let bad = status_with_ready(ConditionStatus::False, "CredentialsRefused");
        assert_eq!(transition(&bad, &refused), None);
        let unreachable = Progress::Reconciling {
            reason: "AwsUnreachable".into(),
            message: "down".into(),
        };
        assert_eq!(
            transition(&bad, &unreachable),
            Some((true, "AwsUnreachable", "down"))
        );
        assert_eq!(
            transition(&bad, &ready),
            Some((false, "CredentialsVerified", "works"))
        );
    }
}
