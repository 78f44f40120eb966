//! An AwsProvider's own status: whether its credentials work, whom they act
//! as, and why not, checked against the AWS simulation (with faults for the
//! ways credentials fail) before any object uses the provider.

mod support;

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, Patch, PatchParams};
use onair::api::Condition;
use onair::api::{AwsProvider, ConditionStatus};
use onair::aws::sim::Fault;
use onair::aws::{ErrorKind, Service};
use onair::controller::aws_provider;
use support::operator::Operator;

/// The example's provider (examples/aws-provider.yaml), which every test
/// operator creates.
const PROVIDER: &str = "media-prod";

async fn check(op: &Operator) -> AwsProvider {
    let api = Api::<AwsProvider>::all(op.client.clone());
    let provider = api.get(PROVIDER).await.unwrap();
    aws_provider::reconcile(Arc::new(provider), op.ctx.clone())
        .await
        .unwrap();
    api.get(PROVIDER).await.unwrap()
}

fn condition<'a>(provider: &'a AwsProvider, type_: &str) -> Option<&'a Condition> {
    provider
        .status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
}

fn ready_of(provider: &AwsProvider) -> (ConditionStatus, String) {
    let ready = condition(provider, "Ready")
        .cloned()
        .expect("a Ready condition");
    (ready.status, ready.reason)
}

/// The events about the provider (in `default`, as for any cluster-scoped object), oldest
/// first: reason and how often it happened (the recorder folds repeats of a
/// reason into one Event's series).
async fn event_reasons(op: &Operator) -> Vec<(String, i32)> {
    op.events_in("default", |r| r.kind.as_deref() == Some("AwsProvider"))
        .await
        .into_iter()
        .map(|e| {
            let count = e.series.as_ref().map_or(1, |s| s.count);
            (e.reason.unwrap_or_default(), count)
        })
        .collect()
}

fn once(reasons: &[&str]) -> Vec<(String, i32)> {
    reasons.iter().map(|r| (r.to_string(), 1)).collect()
}

fn fail_identity(op: &Operator, kind: ErrorKind) {
    // More than the guard's retries of a transient failure.
    op.sim
        .faults()
        .inject(Service::Sts, "get_caller_identity", Fault::Error(kind), 20);
}

#[tokio::test]
async fn a_provider_says_whether_its_credentials_work_and_why_not() {
    let op = Operator::start().await;

    // Good credentials: whom onair acts as, in which account.
    let provider = check(&op).await;
    assert_eq!(
        ready_of(&provider),
        (ConditionStatus::True, "CredentialsVerified".into())
    );
    let status = provider.status.clone().unwrap();
    assert_eq!(status.account_id.as_deref(), Some(op.sim.account()));
    assert_eq!(
        status.identity_arn,
        Some(format!(
            "arn:aws:sts::{}:assumed-role/onair/onair",
            op.sim.account()
        ))
    );
    assert_eq!(status.region.as_deref(), Some("eu-west-1"));
    assert_eq!(status.observed_generation, provider.metadata.generation);
    assert!(status.last_checked_time.is_some());
    assert_eq!(
        op.sim.faults().calls(Service::Sts, "get_caller_identity"),
        1,
        "one STS call per check"
    );
    let checked = check(&op).await;
    assert_eq!(
        ready_of(&checked),
        (ConditionStatus::True, "CredentialsVerified".into())
    );
    assert_eq!(
        event_reasons(&op).await,
        once(&["CredentialsVerified"]),
        "checking again and finding the same is no new event"
    );

    // Refused keys: Ready=False and Stalled (the user must act), no account.
    fail_identity(
        &op,
        ErrorKind::AccessDenied {
            message: "The security token included in the request is invalid.".into(),
        },
    );
    let refused = check(&op).await;
    assert_eq!(
        ready_of(&refused),
        (ConditionStatus::False, "CredentialsRefused".into())
    );
    let stalled = condition(&refused, "Stalled").expect("Stalled");
    assert!(
        stalled
            .message
            .contains("security token included in the request is invalid")
            && stalled.message.contains("fix the operator's credentials"),
        "{}",
        stalled.message
    );
    assert_eq!(refused.status.as_ref().unwrap().account_id, None);

    // A role that cannot be assumed: the SDK's credential provider fails
    // before the call is sent, and the role is named.
    op.sim.faults().clear();
    fail_identity(
        &op,
        ErrorKind::Transient {
            message: "could not reach AWS: dispatch failure: other: an error occurred while loading credentials: service error: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/onair-operator/x is not authorized to perform: sts:AssumeRole".into(),
        },
    );
    let denied = check(&op).await;
    assert_eq!(
        ready_of(&denied),
        (ConditionStatus::False, "AssumeRoleDenied".into())
    );
    let message = &condition(&denied, "Ready").unwrap().message;
    assert!(
        message.contains("arn:aws:iam::123456789012:role/onair-operator"),
        "{message}"
    );

    // Unreachable (an unknown region, an endpoint down): Reconciling,
    // onair retries by itself.
    op.sim.faults().clear();
    fail_identity(
        &op,
        ErrorKind::Transient {
            message: "could not reach AWS: dns error: failed to lookup address information".into(),
        },
    );
    let unreachable = check(&op).await;
    assert_eq!(
        ready_of(&unreachable),
        (ConditionStatus::False, "AwsUnreachable".into())
    );
    assert!(condition(&unreachable, "Reconciling").is_some());
    assert!(condition(&unreachable, "Stalled").is_none());

    // Fixed: Ready again, the account back.
    op.sim.faults().clear();
    let fixed = check(&op).await;
    assert_eq!(
        ready_of(&fixed),
        (ConditionStatus::True, "CredentialsVerified".into())
    );
    assert_eq!(
        fixed.status.unwrap().account_id.as_deref(),
        Some(op.sim.account())
    );
    assert_eq!(
        event_reasons(&op).await,
        [
            ("CredentialsVerified".to_string(), 2),
            ("CredentialsRefused".to_string(), 1),
            ("AssumeRoleDenied".to_string(), 1),
            ("AwsUnreachable".to_string(), 1),
        ],
        "each transition is an event; the return to Ready repeats the first"
    );
}

#[tokio::test]
async fn the_controller_checks_at_each_spec_change_and_not_at_its_own_writes() {
    let op = Operator::start().await;
    let run = tokio::spawn(aws_provider::run(op.ctx.clone(), 2));
    let api = Api::<AwsProvider>::all(op.client.clone());
    let calls = || op.sim.faults().calls(Service::Sts, "get_caller_identity");
    let ready_at = |generation: i64| {
        let api = api.clone();
        async move {
            for _ in 0..200 {
                let provider = api.get(PROVIDER).await.unwrap();
                let status = provider.status.clone().unwrap_or_default();
                if status.observed_generation == Some(generation)
                    && ready_of_opt(&provider) == Some(ConditionStatus::True)
                {
                    return provider;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("the provider never became Ready at generation {generation}");
        }
    };
    let first = ready_at(1).await;
    assert_eq!(first.status.unwrap().region.as_deref(), Some("eu-west-1"));
    // Its own status write is no reason to check again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(calls(), 1, "the status write did not trigger another check");

    api.patch(
        PROVIDER,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"spec": {"region": "eu-central-1"}})),
    )
    .await
    .unwrap();
    let second = ready_at(2).await;
    assert_eq!(
        second.status.unwrap().region.as_deref(),
        Some("eu-central-1")
    );
    assert_eq!(calls(), 2, "a new spec is checked once");
    run.abort();
}

fn ready_of_opt(provider: &AwsProvider) -> Option<ConditionStatus> {
    condition(provider, "Ready").map(|c| c.status)
}

#[tokio::test]
async fn a_provider_whose_identity_lacks_permissions_says_which() {
    let op = Operator::start().await;
    // Working credentials: one read per service, each of a resource that
    // does not exist, and nothing written.
    let writes = op.sim.faults().writes();
    let good = check(&op).await;
    assert_eq!(
        ready_of(&good),
        (ConditionStatus::True, "CredentialsVerified".into())
    );
    for (service, probe, _) in onair::aws::probe::PROBES {
        assert_eq!(
            op.sim.faults().calls(service, probe),
            1,
            "{service:?} {probe}"
        );
    }
    assert_eq!(op.sim.faults().writes(), writes, "the probe writes nothing");

    // A policy without MediaLive and CloudFront: named, with the fix.
    for (service, probe) in [
        (Service::MediaLive, "describe_channel"),
        (Service::CloudFront, "get_distribution"),
    ] {
        op.sim.faults().inject(
            service,
            probe,
            Fault::Error(ErrorKind::AccessDenied {
                message: "not authorized".into(),
            }),
            1,
        );
    }
    let denied = check(&op).await;
    assert_eq!(
        ready_of(&denied),
        (ConditionStatus::False, "PermissionsMissing".into())
    );
    assert!(condition(&denied, "Stalled").is_some());
    let message = &condition(&denied, "Ready").unwrap().message;
    assert!(
        message.contains("AWS refused medialive:DescribeChannel, cloudfront:GetDistribution to ")
            && message.contains("onair iam-policy"),
        "{message}"
    );
    let status = denied.status.as_ref().unwrap();
    assert_eq!(
        status.account_id.as_deref(),
        Some(op.sim.account()),
        "whom it acts as is known"
    );

    // Granted: Ready at the next check.
    let granted = check(&op).await;
    assert_eq!(
        ready_of(&granted),
        (ConditionStatus::True, "CredentialsVerified".into())
    );
}
