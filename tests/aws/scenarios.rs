//! Scenarios written once over the service traits, run against the simulation and
//! against the SDK implementation on an HTTP emulator.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use onair::aws::medialive::*;
use onair::aws::ownership::{Owner, Tags};
use onair::aws::sim::Sim;

/// What differs between the backends a scenario runs on.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Lets AWS-side time pass (a transition, a deployment).
    async fn settle(&self);
}

pub struct SimBackend(pub Sim);

#[async_trait]
impl Backend for SimBackend {
    async fn settle(&self) {
        self.0.advance(Duration::from_secs(600));
    }
}

/// moto moves states on the next describe by itself.
pub struct Emulated;

#[async_trait]
impl Backend for Emulated {
    async fn settle(&self) {}
}

pub fn owner() -> Owner {
    Owner::new("5c0ffee0-1234-4abc-9def-000000000001", "media", "news")
}

pub fn encoding() -> Encoding {
    Encoding {
        renditions: vec![
            VideoRendition {
                name: "720p".into(),
                width: 1280,
                height: 720,
                max_bitrate: 2_700_000,
                framerate_numerator: 30,
                framerate_denominator: 1,
            },
            VideoRendition {
                name: "288p".into(),
                width: 512,
                height: 288,
                max_bitrate: 400_000,
                framerate_numerator: 30,
                framerate_denominator: 1,
            },
        ],
        audio_bitrate: 96_000,
        audio_sample_rate: 48_000,
        gop_seconds: 2,
    }
}

pub fn new_pull_input(o: &Owner) -> NewInput {
    NewInput {
        request_id: o.token("input"),
        name: o.display_name("input", 128),
        input_type: InputType::UrlPull,
        settings: InputSettings {
            source_urls: vec!["https://example.com/live/source.m3u8".into()],
            ..Default::default()
        },
        tags: o.tags("input", &Tags::new()),
    }
}

/// A pull input and a channel on it, both `o`'s: (input, channel).
pub async fn input_and_channel(api: &dyn MediaLiveApi, o: &Owner) -> (Input, Channel) {
    let input = api.create_input(new_pull_input(o)).await.unwrap();
    let channel = api.create_channel(new_channel(o, &input.id)).await.unwrap();
    (input, channel)
}

pub fn new_channel(o: &Owner, input_id: &str) -> NewChannel {
    NewChannel {
        request_id: o.token("channel"),
        channel_class: "SINGLE_PIPELINE".into(),
        settings: ChannelSettings {
            name: o.display_name("channel", 128),
            role_arn: Some("arn:aws:iam::123456789012:role/MediaLiveAccess".into()),
            input_ids: vec![input_id.into()],
            packaging: vec![PackagingDestination::V1 {
                channel_id: o.resource_id("mp", 64),
            }],
            encoding: encoding(),
        },
        tags: o.tags("channel", &Tags::new()),
    }
}

async fn settled_channel(api: &dyn MediaLiveApi, b: &dyn Backend, id: &str) -> Channel {
    b.settle().await;
    api.describe_channel(id).await.unwrap()
}

/// Input and channel lifecycle: create, settle to IDLE, start, stop, update, delete.
pub async fn medialive_channel_lifecycle(api: Arc<dyn MediaLiveApi>, b: &dyn Backend) {
    let o = owner();
    let input = api.create_input(new_pull_input(&o)).await.unwrap();
    assert_eq!(input.input_type, Some(InputType::UrlPull));
    assert!(o.owns("input", &input.tags), "{:?}", input.tags);
    let described = api.describe_input(&input.id).await.unwrap();
    assert_eq!(
        described.settings.source_urls,
        vec!["https://example.com/live/source.m3u8".to_string()]
    );
    assert!(api
        .list_inputs()
        .await
        .unwrap()
        .iter()
        .any(|i| i.id == input.id && o.owns("input", &i.tags)));
    let moved = InputSettings {
        source_urls: vec!["https://example.com/live/backup.m3u8".into()],
        ..Default::default()
    };
    let updated = api.update_input(&input.id, moved.clone()).await.unwrap();
    assert_eq!(updated.settings.source_urls, moved.source_urls);
    assert_eq!(
        api.describe_input(&input.id)
            .await
            .unwrap()
            .settings
            .source_urls,
        moved.source_urls
    );

    let created = api
        .create_channel(new_channel(&o, &input.id))
        .await
        .unwrap();
    assert!(o.owns("channel", &created.tags));
    let ch = settled_channel(&*api, b, &created.id).await;
    assert_eq!(ch.state, ChannelState::Idle);
    assert_eq!(
        ch.settings.encoding,
        encoding(),
        "encoding reads back as written"
    );
    assert_eq!(ch.settings.input_ids, vec![input.id.clone()]);
    assert_eq!(
        ch.settings.packaging,
        new_channel(&o, &input.id).settings.packaging
    );
    assert!(api
        .list_channels()
        .await
        .unwrap()
        .iter()
        .any(|c| c.id == ch.id && o.owns("channel", &c.tags)));

    api.start_channel(&ch.id).await.unwrap();
    assert_eq!(
        settled_channel(&*api, b, &ch.id).await.state,
        ChannelState::Running
    );
    api.stop_channel(&ch.id).await.unwrap();
    assert_eq!(
        settled_channel(&*api, b, &ch.id).await.state,
        ChannelState::Idle
    );

    let mut settings = ch.settings.clone();
    settings.encoding.renditions.pop();
    // A MediaPackage v2 destination (CMAF Ingest) reads back as one.
    settings.packaging = vec![PackagingDestination::V2 {
        channel_group: "onair".into(),
        channel_name: o.resource_id("v2", 256),
    }];
    let updated = api.update_channel(&ch.id, settings.clone()).await.unwrap();
    assert_eq!(updated.settings.encoding.renditions.len(), 1);
    assert_eq!(updated.settings.packaging, settings.packaging);
    assert_eq!(
        settled_channel(&*api, b, &ch.id).await.settings.packaging,
        settings.packaging
    );

    api.delete_channel(&ch.id).await.unwrap();
    b.settle().await;
    match api.describe_channel(&ch.id).await {
        Ok(c) => assert_eq!(c.state, ChannelState::Deleted),
        Err(e) => assert!(e.is_not_found(), "{e}"),
    }
    api.delete_input(&input.id).await.unwrap();
}

/// Input security groups: create, update CIDRs, attach, refuse delete while used.
pub async fn medialive_security_groups(api: Arc<dyn MediaLiveApi>, _b: &dyn Backend) {
    let o = owner();
    let g = api
        .create_input_security_group(vec!["203.0.113.0/24".into()], o.tags("isg", &Tags::new()))
        .await
        .unwrap();
    assert_eq!(g.cidrs, vec!["203.0.113.0/24".to_string()]);
    let g2 = api
        .update_input_security_group(
            &g.id,
            vec!["203.0.113.0/24".into(), "198.51.100.7/32".into()],
        )
        .await
        .unwrap();
    assert_eq!(g2.cidrs.len(), 2);
    assert_eq!(
        api.describe_input_security_group(&g.id)
            .await
            .unwrap()
            .cidrs,
        g2.cidrs
    );
    let listed = api.list_input_security_groups().await.unwrap();
    assert!(listed
        .iter()
        .any(|x| x.id == g.id && o.owns("isg", &x.tags)));
    api.delete_input_security_group(&g.id).await.unwrap();
    let err = api.describe_input_security_group(&g.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// Ad breaks: SCTE-35 splice insert and return, read back, deleted.
pub async fn medialive_schedule(api: Arc<dyn MediaLiveApi>, channel_id: &str) {
    let breaks = vec![
        ScheduleAction {
            name: "break-1".into(),
            start: ScheduleStart::Immediate,
            kind: ScheduleActionKind::SpliceInsert {
                splice_event_id: 1,
                duration_ms: 30_000,
            },
        },
        ScheduleAction {
            name: "return-1".into(),
            start: ScheduleStart::Fixed("2030-01-01T00:00:00.000Z".into()),
            kind: ScheduleActionKind::ReturnToNetwork { splice_event_id: 1 },
        },
    ];
    api.batch_update_schedule(channel_id, breaks.clone(), vec![])
        .await
        .unwrap();
    assert_eq!(api.describe_schedule(channel_id).await.unwrap(), breaks);
    let err = api
        .batch_update_schedule(channel_id, breaks[..1].to_vec(), vec![])
        .await
        .unwrap_err();
    assert!(
        !err.is_retryable(),
        "duplicate action names are refused: {err}"
    );
    api.batch_update_schedule(channel_id, vec![], vec!["break-1".into()])
        .await
        .unwrap();
    assert_eq!(
        api.describe_schedule(channel_id).await.unwrap(),
        breaks[1..].to_vec()
    );
}

/// MediaTailor: put creates, put again replaces the whole configuration (a field left
/// out reverts), get reads it back, delete removes it.
pub async fn mediatailor_upsert(api: Arc<dyn onair::aws::mediatailor::MediaTailorApi>) {
    use onair::aws::mediatailor::PlaybackConfiguration;
    let o = owner();
    let full = PlaybackConfiguration {
        name: o.resource_id("ads", 64),
        ad_decision_server_url:
            "https://ads.example.com/vast?duration=[session.avail_duration_secs]".into(),
        video_content_source_url: "https://origin.example.com/out/v1/abc".into(),
        content_segment_url_prefix: Some("https://d111111abcdef8.cloudfront.net/out/v1/abc".into()),
        ad_segment_url_prefix: Some("https://d111111abcdef8.cloudfront.net".into()),
        slate_ad_url: Some("https://example.com/slate.mp4".into()),
        personalization_threshold_seconds: Some(2),
        ad_marker_passthrough: true,
        transcode_profile_name: Some("onair-1080p".into()),
        avail_suppression: Some(onair::aws::mediatailor::AvailSuppression {
            mode: "BEHIND_LIVE_EDGE".into(),
            value: Some("00:00:30".into()),
            fill_policy: Some("PARTIAL_AVAIL".into()),
        }),
        bumper: Some(onair::aws::mediatailor::Bumper {
            start_url: Some("https://example.com/bumper-in.mp4".into()),
            end_url: None,
        }),
        live_pre_roll: Some(onair::aws::mediatailor::LivePreRoll {
            ad_decision_server_url: Some("https://ads.example.com/preroll".into()),
            max_duration_seconds: 30,
        }),
        configuration_aliases: [(
            "player_params.origin".to_string(),
            [("eu".to_string(), "https://eu.example.com".to_string())].into(),
        )]
        .into(),
        tags: o.tags("ads", &Tags::new()),
    };
    let created = api.put_playback_configuration(full.clone()).await.unwrap();
    assert_eq!(created.config, full);
    assert!(created.hls_manifest_prefix.is_some() && created.playback_endpoint_prefix.is_some());
    assert_eq!(
        api.get_playback_configuration(&full.name)
            .await
            .unwrap()
            .config,
        full
    );

    let smaller = PlaybackConfiguration {
        slate_ad_url: None,
        transcode_profile_name: None,
        avail_suppression: None,
        bumper: None,
        live_pre_roll: None,
        configuration_aliases: Default::default(),
        personalization_threshold_seconds: None,
        ad_marker_passthrough: false,
        ..full.clone()
    };
    api.put_playback_configuration(smaller.clone())
        .await
        .unwrap();
    assert_eq!(
        api.get_playback_configuration(&full.name)
            .await
            .unwrap()
            .config,
        smaller
    );

    api.delete_playback_configuration(&full.name).await.unwrap();
    let err = api
        .get_playback_configuration(&full.name)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

pub mod existence;
pub mod mediapackage;
pub mod mediapackagev2;
pub mod mediapackagevod;
pub mod secretsmanager;
