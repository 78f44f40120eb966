//! MediaLive: simulation behaviour, and the SDK implementation over HTTP (moto for
//! inputs and channels, onair's emulator for security groups and schedules).

use std::sync::Arc;
use std::time::Duration;

use onair::aws::medialive::*;
use onair::aws::ownership::Tags;
use onair::aws::sdk::medialive::SdkMediaLive;
use onair::aws::sim::Sim;

use crate::emulator::medialive_over;
use crate::moto::Moto;
use crate::scenarios::*;

// --- shared scenarios on the simulation

#[tokio::test]
async fn sim_channel_lifecycle() {
    let sim = Sim::default();
    medialive_channel_lifecycle(sim.medialive(), &SimBackend(sim.clone())).await;
}

#[tokio::test]
async fn sim_security_groups() {
    let sim = Sim::default();
    medialive_security_groups(sim.medialive(), &SimBackend(sim.clone())).await;
}

#[tokio::test]
async fn sim_schedule() {
    let sim = Sim::default();
    let api = sim.medialive();
    let (_, ch) = input_and_channel(api.as_ref(), &owner()).await;
    medialive_schedule(api, &ch.id).await;
}

// --- the same scenarios through the real SDK client over HTTP

#[tokio::test]
async fn contract_channel_lifecycle_on_moto() {
    let moto = Moto::start();
    let api = Arc::new(SdkMediaLive::new(&moto.clients().await));
    medialive_channel_lifecycle(api, &Emulated).await;
}

#[tokio::test]
async fn contract_security_groups_on_the_emulator() {
    let sim = Sim::default();
    let (api, _server) = medialive_over(&sim).await;
    medialive_security_groups(api, &SimBackend(sim.clone())).await;
}

#[tokio::test]
async fn contract_schedule_on_the_emulator() {
    let sim = Sim::default();
    let (_, ch) = input_and_channel(sim.medialive().as_ref(), &owner()).await;
    let (api, _server) = medialive_over(&sim).await;
    medialive_schedule(api, &ch.id).await;
}

#[tokio::test]
async fn contract_errors_keep_their_kind_over_http() {
    let sim = Sim::default();
    let (api, _server) = medialive_over(&sim).await;
    let err = api
        .describe_input_security_group("404404")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.operation, "DescribeInputSecurityGroup");

    let g = api
        .create_input_security_group(vec!["203.0.113.0/24".into()], Tags::new())
        .await
        .unwrap();
    let mut new = new_pull_input(&owner());
    new.input_type = InputType::RtmpPush;
    new.settings = InputSettings {
        security_group_ids: vec![g.id.clone()],
        stream_names: vec!["live/a".into()],
        ..Default::default()
    };
    sim.medialive().create_input(new).await.unwrap();
    let err = api.delete_input_security_group(&g.id).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(
        err.to_string().contains("is used by inputs"),
        "AWS's message is kept: {err}"
    );

    let err = api
        .update_input_security_group(&g.id, vec!["x".into(); 11])
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind, onair::aws::ErrorKind::InvalidRequest { .. }),
        "{err}"
    );
}

// --- behaviour only the simulation proves (moto does not model it)

#[tokio::test]
async fn sim_create_is_idempotent_by_request_id() {
    let sim = Sim::default();
    let api = sim.medialive();
    let o = owner();
    let a = api.create_input(new_pull_input(&o)).await.unwrap();
    let b = api.create_input(new_pull_input(&o)).await.unwrap();
    assert_eq!(a.id, b.id);
    let c1 = api.create_channel(new_channel(&o, &a.id)).await.unwrap();
    let c2 = api.create_channel(new_channel(&o, &a.id)).await.unwrap();
    assert_eq!(c1.id, c2.id);
    assert_eq!(api.list_channels().await.unwrap().len(), 1);
}

#[tokio::test]
async fn sim_channel_states_refuse_calls_like_aws() {
    let sim = Sim::default();
    let api = sim.medialive();
    let (input, ch) = input_and_channel(api.as_ref(), &owner()).await;
    assert_eq!(ch.state, ChannelState::Creating);
    for err in [
        api.start_channel(&ch.id).await.unwrap_err(),
        api.delete_channel(&ch.id).await.unwrap_err(),
        api.update_channel(&ch.id, ch.settings.clone())
            .await
            .unwrap_err(),
        api.stop_channel(&ch.id).await.unwrap_err(),
    ] {
        assert!(err.is_conflict(), "{err}");
    }
    sim.advance(Duration::from_secs(5));
    assert_eq!(
        api.describe_channel(&ch.id).await.unwrap().state,
        ChannelState::Idle
    );

    api.start_channel(&ch.id).await.unwrap();
    assert_eq!(
        api.describe_channel(&ch.id).await.unwrap().state,
        ChannelState::Starting
    );
    assert!(api
        .update_channel(&ch.id, ch.settings.clone())
        .await
        .unwrap_err()
        .is_conflict());
    assert!(api.delete_channel(&ch.id).await.unwrap_err().is_conflict());
    sim.advance(Duration::from_secs(60));
    let running = api.describe_channel(&ch.id).await.unwrap();
    assert_eq!(
        (running.state, running.pipelines_running),
        (ChannelState::Running, 1)
    );
    assert!(api.start_channel(&ch.id).await.unwrap_err().is_conflict());

    // An attached input cannot be deleted before its channel.
    assert_eq!(
        api.describe_input(&input.id).await.unwrap().state,
        InputState::Attached
    );
    let err = api.delete_input(&input.id).await.unwrap_err();
    assert!(
        err.is_conflict() && err.to_string().contains("delete the channel first"),
        "{err}"
    );

    api.stop_channel(&ch.id).await.unwrap();
    sim.advance(Duration::from_secs(20));
    assert_eq!(
        api.delete_channel(&ch.id).await.unwrap().state,
        ChannelState::Deleting
    );
    sim.advance(Duration::from_secs(10));
    // Deleted channels answer DELETED for a while, then not found.
    assert_eq!(
        api.describe_channel(&ch.id).await.unwrap().state,
        ChannelState::Deleted
    );
    assert_eq!(
        api.describe_input(&input.id).await.unwrap().state,
        InputState::Detached
    );
    api.delete_input(&input.id).await.unwrap();
    sim.advance(Duration::from_secs(300));
    assert!(api
        .describe_channel(&ch.id)
        .await
        .unwrap_err()
        .is_not_found());
    assert!(api
        .describe_input(&input.id)
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn sim_an_input_serves_one_channel() {
    let sim = Sim::default();
    let api = sim.medialive();
    let (input, _) = input_and_channel(api.as_ref(), &owner()).await;
    let other = onair::aws::ownership::Owner::new(
        "another-uid-0000000000000000000000000",
        "media",
        "other",
    );
    let err = api
        .create_channel(new_channel(&other, &input.id))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already attached"), "{err}");
}
