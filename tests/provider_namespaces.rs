//! An AwsProvider's `allowedNamespaces`: objects elsewhere get Ready=False
//! (ProviderNotAllowed) and nothing in AWS, deletion included; objects in a
//! listed namespace work as with any provider.

mod support;

use kube::api::{Api, Patch, PatchParams, PostParams};
use onair::api::{AwsProvider, ConditionStatus};
use support::operator::{condition, on_air, one_of_each, Operator, NS};

/// The example provider under another name, limited to `namespaces`.
async fn provider(op: &Operator, name: &str, namespaces: &[&str]) {
    let mut provider: AwsProvider = support::example("aws-provider.yaml");
    provider.metadata.name = Some(name.into());
    provider.spec.allowed_namespaces = Some(namespaces.iter().map(|n| n.to_string()).collect());
    Api::<AwsProvider>::all(op.client.clone())
        .create(&PostParams::default(), &provider)
        .await
        .unwrap();
}

fn using(name: &str, provider: &str) -> onair::api::LiveChannel {
    let mut channel = support::example_channel(name);
    channel.spec.provider_ref = Some(onair::api::common::ProviderRef {
        name: provider.into(),
    });
    channel
}

#[tokio::test]
async fn a_provider_serves_only_the_namespaces_it_lists() {
    let op = Operator::start().await;
    provider(&op, "team-a-only", &["team-a"]).await;
    provider(&op, "shared", &["team-a", NS]).await;

    // Elsewhere: refused before AWS, and said so.
    let calls = op.sim.faults().all_calls();
    op.apply(&using("refused", "team-a-only")).await;
    op.reconcile("refused").await.unwrap().unwrap();
    let lc = op.get("refused").await;
    let ready = condition(lc.as_ref(), "Ready").cloned().unwrap();
    assert_eq!(ready.status, ConditionStatus::False);
    assert_eq!(ready.reason, "ProviderNotAllowed");
    assert_eq!(
        ready.message,
        format!("AwsProvider \"team-a-only\" does not allow namespace \"{NS}\" (spec.allowedNamespaces); ask its owner to add the namespace or use another provider")
    );
    assert!(condition(lc.as_ref(), "Stalled").is_some());
    assert_eq!(op.sim.faults().all_calls(), calls, "no AWS call at all");

    // Listed: an ordinary channel.
    op.apply(&using("welcome", "shared")).await;
    let welcome = op.settle("welcome", on_air).await.unwrap();
    assert_eq!(op.inventory().await, one_of_each());

    // Deleting goes through the provider too: an object that carries the
    // ids of another's resources (annotations anyone who can edit it can
    // write) cannot delete them through a provider that refuses its
    // namespace. It waits, saying why, until deletionPolicy Retain lets
    // it go with nothing touched.
    let mut forger = using("forger", "team-a-only");
    forger.metadata.annotations = Some(
        welcome
            .metadata
            .annotations
            .clone()
            .unwrap()
            .into_iter()
            .filter(|(k, _)| k.ends_with("-id"))
            .collect(),
    );
    op.apply(&forger).await;
    op.reconcile("forger").await.unwrap().unwrap();
    let calls = op.sim.faults().all_calls();
    op.delete("forger").await;
    op.reconcile("forger").await.unwrap().unwrap();
    let lc = op.get("forger").await.expect("the finalizer holds it");
    let stalled = condition(Some(&lc), "Stalled").cloned().unwrap();
    assert_eq!(stalled.reason, "ProviderNotAllowed");
    assert!(
        stalled
            .message
            .contains("cannot be deleted until this is fixed"),
        "{}",
        stalled.message
    );
    assert_eq!(op.sim.faults().all_calls(), calls, "no AWS call at all");
    op.patch_spec("forger", serde_json::json!({"deletionPolicy": "Retain"}))
        .await;
    op.reconcile("forger").await;
    assert!(op.get("forger").await.is_none());
    assert_eq!(
        op.inventory().await,
        one_of_each(),
        "welcome's resources stay"
    );
    assert!(on_air(op.get("welcome").await.as_ref()));

    // A channel whose namespace is listed later is served from then on.
    let writes = op.sim.faults().writes();
    Api::<AwsProvider>::all(op.client.clone())
        .patch(
            "team-a-only",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"allowedNamespaces": ["team-a", NS]}})),
        )
        .await
        .unwrap();
    op.reconcile("refused").await.unwrap().unwrap();
    let ready = condition(op.get("refused").await.as_ref(), "Ready")
        .cloned()
        .unwrap();
    assert_ne!(ready.reason, "ProviderNotAllowed", "{}", ready.message);
    assert!(op.sim.faults().writes() > writes);
}

#[tokio::test]
async fn allowed_namespaces_are_namespace_names() {
    let op = Operator::start().await;
    let api: Api<kube::api::DynamicObject> = Api::all_with(
        op.client.clone(),
        &kube::api::ApiResource::erase::<AwsProvider>(&()),
    );
    let with = |namespaces: serde_json::Value| {
        serde_json::from_value::<kube::api::DynamicObject>(serde_json::json!({
            "apiVersion": "onair.dev/v1alpha1",
            "kind": "AwsProvider",
            "metadata": {"name": "p"},
            "spec": {"region": "eu-west-1", "allowedNamespaces": namespaces},
        }))
        .unwrap()
    };
    // Duplicates are refused by kube-apiserver (list-type set), which the
    // local server does not check.
    for bad in [
        serde_json::json!(["Team-A"]),
        serde_json::json!(["team_a"]),
        serde_json::json!(["-team"]),
        serde_json::json!(["a".repeat(64)]),
        serde_json::json!([]),
    ] {
        let refused = api
            .create(&PostParams::default(), &with(bad.clone()))
            .await
            .expect_err(&format!("{bad} is refused"));
        assert!(
            refused.to_string().contains("allowedNamespaces"),
            "{bad}: {refused}"
        );
    }
    api.create(
        &PostParams::default(),
        &with(serde_json::json!(["team-a", NS])),
    )
    .await
    .unwrap();
}
