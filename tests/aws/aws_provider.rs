//! An AwsProvider's credentials check through the real SDK, against moto:
//! good credentials, keys AWS does not know, a role the operator may not
//! assume (moto checking IAM like AWS), an identity without onair's
//! permissions (the per-service probes refused) and an endpoint that does
//! not answer.
//! What each looks like to the SDK is what the status classification has to
//! read, so it is proven here rather than assumed.

use std::sync::Arc;

use kube::api::{Api, Patch, PatchParams};
use onair::api::{AwsProvider, ConditionStatus};
use onair::aws::sim::Sim;
use onair::controller::aws_provider;
use onair::controller::provider::ProviderDefaults;

use crate::moto::Moto;
use crate::support::operator::Operator;

const PROVIDER: &str = "media-prod";
const ROLE: &str = "arn:aws:iam::123456789012:role/onair-operator";

/// The operator with the real SDK, on `keys` (access key id, secret).
async fn operator(moto: &Moto, keys: (&str, &str)) -> Operator {
    let settings = onair::aws::clients::ClientSettings {
        static_credentials: Some((keys.0.into(), keys.1.into())),
        ..crate::moto::settings(&moto.url)
    };
    let factory = crate::operator::sdk_providers(settings, ProviderDefaults::default());
    Operator::start_custom(Sim::default(), factory).await
}

/// Points the example provider at `endpoint`, with or without its role;
/// checks it; the Ready condition's status, reason and message, and the
/// account the status names.
async fn check(
    op: &Operator,
    endpoint: &str,
    assume_role: bool,
) -> (ConditionStatus, String, String, Option<String>) {
    let api = Api::<AwsProvider>::all(op.client.clone());
    let role = assume_role.then(|| serde_json::json!({"roleArn": ROLE}));
    let patch = serde_json::json!({"spec": {
        "region": "us-east-1",
        "endpointUrl": endpoint,
        "assumeRole": role,
    }});
    api.patch(PROVIDER, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let provider = api.get(PROVIDER).await.unwrap();
    aws_provider::reconcile(Arc::new(provider), op.ctx.clone())
        .await
        .unwrap();
    let status = api.get(PROVIDER).await.unwrap().status.unwrap();
    let ready = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .cloned()
        .unwrap();
    (ready.status, ready.reason, ready.message, status.account_id)
}

#[tokio::test]
async fn working_credentials_and_an_endpoint_that_does_not_answer() {
    let moto = Moto::start();
    let op = operator(&moto, ("testing", "testing")).await;

    let (status, reason, message, account) = check(&op, &moto.url, true).await;
    assert_eq!(
        (status, reason.as_str()),
        (ConditionStatus::True, "CredentialsVerified"),
        "{message}"
    );
    assert_eq!(account.as_deref(), Some("123456789012"));
    assert!(
        message.contains("assumed-role/onair-operator"),
        "the role was assumed: {message}"
    );

    // Nothing listens there: the SDK cannot connect, to STS or (with a role)
    // to AssumeRole first. Either way it is unreachable, not refused.
    let closed = format!("http://127.0.0.1:{}", crate::support::free_port());
    for assume_role in [false, true] {
        let (status, reason, message, account) = check(&op, &closed, assume_role).await;
        assert_eq!(
            (status, reason.as_str()),
            (ConditionStatus::False, "AwsUnreachable"),
            "assumeRole {assume_role}: {message}"
        );
        assert!(
            message.contains(&format!("spec.endpointUrl ({closed}) answers")),
            "{message}"
        );
        assert_eq!(account, None);
    }
}

#[tokio::test]
async fn unknown_keys_and_a_role_the_operator_may_not_assume() {
    // Two unchecked calls: an IAM user and its access key.
    let moto = Moto::start_checking_iam_after(2);
    let created = std::process::Command::new(crate::support::python())
        .args([
            "-c",
            "import boto3, sys\n\
             iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x')\n\
             iam.create_user(UserName='no-permissions')\n\
             key = iam.create_access_key(UserName='no-permissions')['AccessKey']\n\
             print(key['AccessKeyId'], key['SecretAccessKey'])",
            &moto.url,
        ])
        .output()
        .expect("run python");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let created = String::from_utf8(created.stdout).unwrap();
    let (id, secret) = created.trim().split_once(' ').unwrap();

    // Keys AWS does not know.
    let strangers = operator(&moto, ("AKIAUNKNOWNKEY000000", "not-a-secret-moto-knows")).await;
    let (status, reason, message, account) = check(&strangers, &moto.url, false).await;
    assert_eq!(
        (status, reason.as_str()),
        (ConditionStatus::False, "CredentialsRefused"),
        "{message}"
    );
    assert_eq!(account, None);
    assert!(
        !message.contains("not-a-secret-moto-knows"),
        "never the secret key"
    );

    // A user allowed nothing: assuming the role is refused, and the status
    // names the role to fix.
    let user = operator(&moto, (id, secret)).await;
    let (status, reason, message, _) = check(&user, &moto.url, true).await;
    assert_eq!(
        (status, reason.as_str()),
        (ConditionStatus::False, "AssumeRoleDenied"),
        "{message}"
    );
    assert!(message.contains(ROLE), "{message}");
    assert!(!message.contains(secret), "never the secret key");

    // The same user on its own keys: the credentials work, and each
    // service's probe is refused, so the provider names what to grant.
    let (status, reason, message, account) = check(&user, &moto.url, false).await;
    assert_eq!(
        (status, reason.as_str()),
        (ConditionStatus::False, "PermissionsMissing"),
        "{message}"
    );
    assert_eq!(account.as_deref(), Some("123456789012"));
    // (moto does not check IAM for MediaTailor; the others it does.)
    for action in [
        "medialive:DescribeChannel",
        "mediapackage:DescribeChannel",
        "cloudfront:GetDistribution",
        "wafv2:GetWebACL",
        "secretsmanager:DescribeSecret",
    ] {
        assert!(message.contains(action), "{action}: {message}");
    }
    assert!(message.contains("user/no-permissions"), "{message}");
}
