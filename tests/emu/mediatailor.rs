//! MediaTailor's REST-JSON API (moto has no MediaTailor): playback configurations.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{tags, Answer, RestJsonError};
use onair::aws::mediatailor::*;

type Api = Arc<dyn MediaTailorApi>;

pub fn router(api: Api) -> Router {
    Router::new()
        .route("/playbackConfiguration", put(put_config))
        .route(
            "/playbackConfiguration/{name}",
            get(get_config).delete(delete_config),
        )
        .with_state(api)
}

fn config_json(c: &PlaybackConfig) -> Value {
    let s = &c.config;
    json!({
        "Name": s.name,
        "PlaybackConfigurationArn": c.arn,
        "AdDecisionServerUrl": s.ad_decision_server_url,
        "VideoContentSourceUrl": s.video_content_source_url,
        "CdnConfiguration": {
            "ContentSegmentUrlPrefix": s.content_segment_url_prefix,
            "AdSegmentUrlPrefix": s.ad_segment_url_prefix,
        },
        "SlateAdUrl": s.slate_ad_url,
        "PersonalizationThresholdSeconds": s.personalization_threshold_seconds,
        "ManifestProcessingRules": { "AdMarkerPassthrough": { "Enabled": s.ad_marker_passthrough } },
        "TranscodeProfileName": s.transcode_profile_name,
        "AvailSuppression": s.avail_suppression.as_ref().map(|a| json!({"Mode": a.mode, "Value": a.value, "FillPolicy": a.fill_policy})),
        "Bumper": s.bumper.as_ref().map(|b| json!({"StartUrl": b.start_url, "EndUrl": b.end_url})),
        "LivePreRollConfiguration": s.live_pre_roll.as_ref().map(|p| json!({"AdDecisionServerUrl": p.ad_decision_server_url, "MaxDurationSeconds": p.max_duration_seconds})),
        "ConfigurationAliases": s.configuration_aliases,
        "PlaybackEndpointPrefix": c.playback_endpoint_prefix,
        "HlsConfiguration": { "ManifestEndpointPrefix": c.hls_manifest_prefix },
        "DashConfiguration": { "ManifestEndpointPrefix": c.dash_manifest_prefix },
        "SessionInitializationEndpointPrefix": c.session_initialization_prefix,
        "tags": s.tags,
    })
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

async fn put_config(State(api): State<Api>, Json(b): Json<Value>) -> Answer {
    let config = PlaybackConfiguration {
        name: text(&b["Name"]).unwrap_or_default(),
        ad_decision_server_url: text(&b["AdDecisionServerUrl"]).unwrap_or_default(),
        video_content_source_url: text(&b["VideoContentSourceUrl"]).unwrap_or_default(),
        content_segment_url_prefix: text(&b["CdnConfiguration"]["ContentSegmentUrlPrefix"]),
        ad_segment_url_prefix: text(&b["CdnConfiguration"]["AdSegmentUrlPrefix"]),
        slate_ad_url: text(&b["SlateAdUrl"]),
        personalization_threshold_seconds: b["PersonalizationThresholdSeconds"]
            .as_u64()
            .map(|s| s as u32),
        ad_marker_passthrough: b["ManifestProcessingRules"]["AdMarkerPassthrough"]["Enabled"]
            .as_bool()
            .unwrap_or(false),
        transcode_profile_name: text(&b["TranscodeProfileName"]),
        avail_suppression: b
            .get("AvailSuppression")
            .filter(|a| a.is_object())
            .map(|a| AvailSuppression {
                mode: text(&a["Mode"]).unwrap_or_default(),
                value: text(&a["Value"]),
                fill_policy: text(&a["FillPolicy"]),
            }),
        bumper: b.get("Bumper").filter(|v| v.is_object()).map(|v| Bumper {
            start_url: text(&v["StartUrl"]),
            end_url: text(&v["EndUrl"]),
        }),
        live_pre_roll: b
            .get("LivePreRollConfiguration")
            .filter(|v| v.is_object())
            .map(|v| LivePreRoll {
                ad_decision_server_url: text(&v["AdDecisionServerUrl"]),
                max_duration_seconds: v["MaxDurationSeconds"].as_u64().unwrap_or_default() as u32,
            }),
        configuration_aliases: serde_json::from_value(b["ConfigurationAliases"].clone())
            .unwrap_or_default(),
        tags: tags(&b["tags"]),
    };
    let c = api
        .put_playback_configuration(config)
        .await
        .map_err(RestJsonError)?;
    Ok(Json(config_json(&c)))
}

async fn get_config(State(api): State<Api>, Path(name): Path<String>) -> Answer {
    let c = api
        .get_playback_configuration(&name)
        .await
        .map_err(RestJsonError)?;
    Ok(Json(config_json(&c)))
}

async fn delete_config(
    State(api): State<Api>,
    Path(name): Path<String>,
) -> Result<StatusCode, RestJsonError> {
    api.delete_playback_configuration(&name)
        .await
        .map_err(RestJsonError)?;
    Ok(StatusCode::NO_CONTENT)
}
