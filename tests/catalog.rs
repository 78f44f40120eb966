//! The catalog, the operator's one watch per kind, against the local API
//! server: a subscriber gets what the store held when it joined, then every
//! change, and never before the store holds it.

mod support;

use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::ResourceExt;
use onair::api::LiveChannel;
use support::operator::Operator;

#[tokio::test]
async fn a_subscriber_gets_the_store_then_each_change_once_the_store_has_it() {
    let op = Operator::start().await;
    let api: Api<LiveChannel> = Api::namespaced(op.client.clone(), "default");
    let mut channel = support::example_channel("first");
    channel.metadata.finalizers = Some(vec!["test/hold".into()]);
    api.create(&PostParams::default(), &channel).await.unwrap();

    let catalog = &op.ctx.catalog;
    let early = catalog.changes::<LiveChannel>(None);
    let store = catalog.store::<LiveChannel>(None);
    tokio::time::timeout(Duration::from_secs(10), store.wait_until_ready())
        .await
        .unwrap()
        .unwrap();
    // Joins after the first list: the store's objects come first.
    let mut late = catalog.changes::<LiveChannel>(None).boxed();
    let first = tokio::time::timeout(Duration::from_secs(5), late.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.name_any(), "first");
    assert!(first
        .metadata
        .managed_fields
        .as_ref()
        .is_none_or(|f| f.is_empty()));

    api.create(&PostParams::default(), &support::example_channel("second"))
        .await
        .unwrap();
    let patch = serde_json::json!({"metadata": {"labels": {"tier": "gold"}}});
    api.patch("first", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let mut early = early.boxed();
    for stream in [&mut early, &mut late] {
        let mut seen = Vec::new();
        while !(seen.contains(&"second".to_string()) && seen.contains(&"first/gold".to_string())) {
            let object = tokio::time::timeout(Duration::from_secs(5), stream.next())
                .await
                .expect("each change reaches every subscriber")
                .unwrap();
            // Passed on only once the store holds this version.
            let stored = store
                .get(&kube::runtime::reflector::ObjectRef::from_obj(
                    object.as_ref(),
                ))
                .unwrap();
            let version = |o: &LiveChannel| o.resource_version().unwrap().parse::<u64>().unwrap();
            assert!(
                version(&stored) >= version(&object),
                "the store is behind what its subscriber was told"
            );
            let label = object.labels().get("tier").cloned();
            seen.push(match label {
                Some(tier) => format!("{}/{tier}", object.name_any()),
                None => object.name_any(),
            });
        }
    }
    // A reconcile's read of one namespace.
    let objects = catalog.objects_in::<LiveChannel>("default").await.unwrap();
    assert_eq!(objects.len(), 2);
    assert!(catalog
        .objects_in::<LiveChannel>("elsewhere")
        .await
        .unwrap()
        .is_empty());
}

/// Reconciles that wait for a kind's first list at the same time all go on
/// once it is listed. (kube-runtime's `Store::wait_until_ready` wakes only
/// the last of its waiters: the others slept until the catalog's 30 s
/// timeout, which held every TokenPolicy for 30 s at a restart.)
#[tokio::test]
async fn every_reconcile_waiting_for_the_first_list_goes_on_once_listed() {
    let op = Operator::start().await;
    let api: Api<LiveChannel> = Api::namespaced(op.client.clone(), "default");
    api.create(&PostParams::default(), &support::example_channel("listed"))
        .await
        .unwrap();
    // A catalog of its own: no watch has listed yet.
    let catalog = std::sync::Arc::new(onair::k8s::catalog::Catalog::new(op.client.clone()));
    let waiting: Vec<_> = (0..16)
        .map(|_| {
            let catalog = catalog.clone();
            tokio::spawn(async move { catalog.objects_in::<LiveChannel>("default").await })
        })
        .collect();
    for waiter in waiting {
        // Well inside the catalog's own 30 s, so a waiter left asleep fails.
        let objects = tokio::time::timeout(Duration::from_secs(10), waiter)
            .await
            .expect("a waiting reconcile is woken when the kind is listed")
            .unwrap()
            .expect("the kind is listed");
        assert_eq!(objects.len(), 1);
    }
}

/// Each subscriber hears the objects there when it began as known, whether
/// it joined before the first list or after, and what moves after as later:
/// what lets a related kind's watch leave the first list's objects out and
/// still know the state each started from.
#[tokio::test]
async fn marked_changes_tell_the_first_lists_objects_from_later_ones() {
    use onair::k8s::catalog::Change;
    let op = Operator::start().await;
    let api: Api<LiveChannel> = Api::namespaced(op.client.clone(), "default");
    api.create(&PostParams::default(), &support::example_channel("there"))
        .await
        .unwrap();
    let catalog = onair::k8s::catalog::Catalog::new(op.client.clone());
    let before_the_list = catalog.marked_changes::<LiveChannel>(None).boxed();
    let listed = catalog.objects_in::<LiveChannel>("default").await.unwrap();
    assert_eq!(listed.len(), 1);
    let after_the_list = catalog.marked_changes::<LiveChannel>(None).boxed();
    api.create(&PostParams::default(), &support::example_channel("new"))
        .await
        .unwrap();
    for mut stream in [before_the_list, after_the_list] {
        let mut next = async || {
            tokio::time::timeout(Duration::from_secs(10), stream.next())
                .await
                .expect("a change is heard")
                .unwrap()
        };
        match next().await {
            Change::Known(object) => assert_eq!(object.name_any(), "there"),
            Change::Later(object) => panic!("{} came as a later change", object.name_any()),
        }
        match next().await {
            Change::Later(object) => assert_eq!(object.name_any(), "new"),
            Change::Known(object) => panic!("{} came as known", object.name_any()),
        }
    }
}
