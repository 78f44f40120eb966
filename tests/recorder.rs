//! onair's event recorder against the local API server: one Event per
//! object, reason and action, a repeat folded into its series.

mod support;

use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::Resource;
use onair::api::LiveChannel;
use onair::k8s::recorder::{Event, EventType, Recorder};

fn event(action: &str, note: &str) -> Event {
    Event {
        type_: EventType::Normal,
        reason: "Deleting".into(),
        note: Some(note.into()),
        action: action.into(),
        secondary: None,
    }
}

#[tokio::test]
async fn a_repeat_extends_its_series_and_another_action_is_another_event() {
    let server = support::server_with_crds().await;
    let channels: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    let channel = channels
        .create(&PostParams::default(), &support::example_channel("news"))
        .await
        .unwrap();
    let recorder = Recorder::new(server.client(), "onair".into());
    let stopping = event("DeleteMediaLiveChannel", "Deleting channel 1: stopping");
    recorder
        .publish(&stopping, &channel.object_ref(&()))
        .await
        .unwrap();
    // A status write moves the resourceVersion: still the same series.
    let patch = serde_json::json!({"metadata": {"labels": {"a": "b"}}});
    let channel = channels
        .patch("news", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    recorder
        .publish(&stopping, &channel.object_ref(&()))
        .await
        .unwrap();
    // A new note is a new Event: kube-apiserver holds an Event's note
    // immutable.
    let deleting = event("DeleteMediaLiveChannel", "Deleting channel 1: deleting");
    recorder
        .publish(&deleting, &channel.object_ref(&()))
        .await
        .unwrap();
    recorder
        .publish(
            &event("DeleteMediaLiveInput", "Deleting input 2"),
            &channel.object_ref(&()),
        )
        .await
        .unwrap();

    let events: Api<k8s_openapi::api::events::v1::Event> =
        Api::namespaced(server.client(), "default");
    let mut listed = events.list(&ListParams::default()).await.unwrap().items;
    listed.sort_by_key(|e| (e.action.clone(), e.note.clone()));
    assert_eq!(listed.len(), 3, "{listed:?}");
    let channel_event = &listed[1];
    assert_eq!(
        channel_event.action.as_deref(),
        Some("DeleteMediaLiveChannel")
    );
    assert_eq!(channel_event.series.as_ref().map(|s| s.count), Some(2));
    assert_eq!(
        channel_event.note.as_deref(),
        Some("Deleting channel 1: stopping"),
        "a series keeps its note"
    );
    assert_eq!(
        listed[0].note.as_deref(),
        Some("Deleting channel 1: deleting")
    );
    assert!(listed[0].series.is_none());
    assert_eq!(
        channel_event.regarding.as_ref().unwrap().name.as_deref(),
        Some("news")
    );
    assert!(listed[2].series.is_none());
    assert_eq!(recorder.remembered(), 3);
    server.stop().await;
}
