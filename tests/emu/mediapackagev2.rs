//! MediaPackage v2's REST-JSON API for what moto 5.2.5 lacks: origin
//! endpoints, resource policies, channel listing, and the conflicts AWS
//! answers (moto overwrites a taken name). Groups and channels are served too,
//! so one SDK client can run the whole scenario here.
//!
//! Errors are answered as MediaPackage v2 does: a taken name is 409
//! `ConflictException` with `ConflictExceptionType` RESOURCE_ALREADY_EXISTS, a
//! parent with children 409 RESOURCE_IN_USE, invalid settings 400
//! `ValidationException`, a missing resource 404 `ResourceNotFoundException`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{opt, secs, strings, tags, text, RestJsonError};
use onair::aws::error::{AwsError, ErrorKind};
use onair::aws::mediapackagev2::*;

type Api = Arc<dyn MediaPackageV2Api>;
type Answer = Result<Json<Value>, V2Error>;

const GROUP: &str = "/channelGroup/{group}";
const CHANNEL: &str = "/channelGroup/{group}/channel/{channel}";
const ENDPOINT: &str = "/channelGroup/{group}/channel/{channel}/originEndpoint/{endpoint}";

pub fn router(api: Api) -> Router {
    Router::new()
        .route("/channelGroup", post(create_group).get(list_groups))
        .route(GROUP, get(get_group).delete(delete_group))
        .route(
            &format!("{GROUP}/channel"),
            post(create_channel).get(list_channels),
        )
        .route(CHANNEL, get(get_channel).delete(delete_channel))
        .route(
            &format!("{CHANNEL}/policy"),
            get(get_channel_policy).put(put_channel_policy),
        )
        .route(
            &format!("{CHANNEL}/originEndpoint"),
            post(create_endpoint).get(list_endpoints),
        )
        .route(
            ENDPOINT,
            get(get_endpoint)
                .put(update_endpoint)
                .delete(delete_endpoint),
        )
        .route(
            &format!("{ENDPOINT}/policy"),
            get(get_endpoint_policy).post(put_endpoint_policy),
        )
        .with_state(api)
}

/// MediaPackage v2's own error shapes.
pub struct V2Error(pub AwsError);

impl IntoResponse for V2Error {
    fn into_response(self) -> Response {
        let (status, code, message, conflict) = match self.0.kind {
            ErrorKind::AlreadyExists { message } => (
                StatusCode::CONFLICT,
                "ConflictException",
                message,
                Some("RESOURCE_ALREADY_EXISTS"),
            ),
            ErrorKind::Conflict { message } => (
                StatusCode::CONFLICT,
                "ConflictException",
                message,
                Some("RESOURCE_IN_USE"),
            ),
            ErrorKind::NotFound { message } => (
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                message,
                None,
            ),
            ErrorKind::InvalidRequest { message } => (
                StatusCode::BAD_REQUEST,
                "ValidationException",
                message,
                None,
            ),
            _ => return RestJsonError(self.0).into_response(),
        };
        (
            status,
            [(HeaderName::from_static("x-amzn-errortype"), code)],
            Json(json!({ "Message": message, "ConflictExceptionType": conflict })),
        )
            .into_response()
    }
}

/// Times are not kept by the layer; AWS always answers them.
const NOW: f64 = 1_765_000_000.0;

/// The answers disagree on the case of the tags key: `tags` for
/// GetChannelGroup and UpdateOriginEndpoint, `Tags` elsewhere (the SDK's
/// deserializers follow AWS's model).
fn group_json(g: &ChannelGroup, tags_key: &str) -> Value {
    let mut v = json!({
        "ChannelGroupName": g.name,
        "Arn": g.arn,
        "EgressDomain": g.egress_domain,
        "Description": g.description,
        "CreatedAt": NOW,
        "ModifiedAt": NOW,
    });
    v[tags_key] = json!(g.tags);
    v
}

fn channel_json(c: &Channel) -> Value {
    json!({
        "ChannelGroupName": c.group,
        "ChannelName": c.name,
        "Arn": c.arn,
        "InputType": c.input_type.map(InputType::as_aws),
        "Description": c.description,
        "IngestEndpoints": c.ingest_endpoints.iter().map(|e| json!({"Id": e.id, "Url": e.url})).collect::<Vec<_>>(),
        "CreatedAt": NOW,
        "ModifiedAt": NOW,
        "Tags": c.tags,
    })
}

fn hls_json(m: &HlsManifest, url: Option<&str>) -> Value {
    json!({
        "ManifestName": m.name,
        "Url": url,
        "ChildManifestName": m.child_manifest_name,
        "ManifestWindowSeconds": m.window_seconds,
        "ProgramDateTimeIntervalSeconds": m.program_date_time_interval_seconds,
        "ScteHls": m.ad_markers.as_ref().map(|a| json!({"AdMarkerHls": a})),
    })
}

/// `tags_key`: the answers disagree on its case (see [`group_json`]).
fn endpoint_json(e: &OriginEndpoint, tags_key: &str) -> Value {
    let s = &e.spec;
    let url = |name: &str| e.url_of(name);
    let mut v = json!({
        "ChannelGroupName": s.group,
        "ChannelName": s.channel,
        "OriginEndpointName": s.name,
        "Arn": e.arn,
        "ContainerType": s.container_type.as_aws(),
        "Description": s.description,
        "Segment": {
            "SegmentDurationSeconds": s.segment.duration_seconds,
            "SegmentName": s.segment.name,
            "Scte": {"ScteFilter": s.segment.scte_filter},
        },
        "StartoverWindowSeconds": s.startover_window_seconds,
        "HlsManifests": s.hls_manifests.iter().map(|m| hls_json(m, url(&m.name))).collect::<Vec<_>>(),
        "LowLatencyHlsManifests": s.low_latency_hls_manifests.iter().map(|m| hls_json(m, url(&m.name))).collect::<Vec<_>>(),
        "DashManifests": s.dash_manifests.iter().map(|m| json!({
            "ManifestName": m.name,
            "Url": url(&m.name),
            "ManifestWindowSeconds": m.window_seconds,
            "MinUpdatePeriodSeconds": m.min_update_period_seconds,
            "SuggestedPresentationDelaySeconds": m.suggested_presentation_delay_seconds,
            "PeriodTriggers": m.period_triggers,
        })).collect::<Vec<_>>(),
        "CreatedAt": NOW,
        "ModifiedAt": NOW,
    });
    v[tags_key] = json!(s.tags);
    v
}

fn hls_in(v: &Value) -> Vec<HlsManifest> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|m| HlsManifest {
            name: text(&m["ManifestName"]),
            child_manifest_name: opt(&m["ChildManifestName"]),
            window_seconds: secs(&m["ManifestWindowSeconds"]),
            program_date_time_interval_seconds: secs(&m["ProgramDateTimeIntervalSeconds"]),
            ad_markers: opt(&m["ScteHls"]["AdMarkerHls"]),
        })
        .collect()
}

/// An endpoint's settings from a create or update body.
fn endpoint_in(group: String, channel: String, name: String, b: &Value) -> OriginEndpointSpec {
    let seg = &b["Segment"];
    OriginEndpointSpec {
        group,
        channel,
        name,
        container_type: ContainerType::from_aws(b["ContainerType"].as_str().unwrap_or(""))
            .unwrap_or_default(),
        description: opt(&b["Description"]),
        segment: Segment {
            duration_seconds: secs(&seg["SegmentDurationSeconds"]),
            name: opt(&seg["SegmentName"]),
            scte_filter: strings(&seg["Scte"]["ScteFilter"]),
        },
        startover_window_seconds: secs(&b["StartoverWindowSeconds"]),
        hls_manifests: hls_in(&b["HlsManifests"]),
        low_latency_hls_manifests: hls_in(&b["LowLatencyHlsManifests"]),
        dash_manifests: b["DashManifests"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| DashManifest {
                name: text(&m["ManifestName"]),
                window_seconds: secs(&m["ManifestWindowSeconds"]),
                min_update_period_seconds: secs(&m["MinUpdatePeriodSeconds"]),
                suggested_presentation_delay_seconds: secs(&m["SuggestedPresentationDelaySeconds"]),
                period_triggers: strings(&m["PeriodTriggers"]),
            })
            .collect(),
        tags: tags(&b["Tags"]),
    }
}

/// A list answer of names only: the SDK fills the other required fields of
/// each item with defaults, and the layer reads only the names.
fn items(names: Vec<String>, key: &str) -> Json<Value> {
    Json(json!({ "Items": names.iter().map(|n| json!({ key: n })).collect::<Vec<_>>() }))
}

async fn create_group(State(api): State<Api>, Json(b): Json<Value>) -> Answer {
    let g = NewChannelGroup {
        name: text(&b["ChannelGroupName"]),
        description: opt(&b["Description"]),
        tags: tags(&b["tags"]),
    };
    let g = api.create_channel_group(g).await.map_err(V2Error)?;
    Ok(Json(group_json(&g, "Tags")))
}

async fn get_group(State(api): State<Api>, Path(group): Path<String>) -> Answer {
    let g = api.get_channel_group(&group).await.map_err(V2Error)?;
    Ok(Json(group_json(&g, "tags")))
}

async fn list_groups(State(api): State<Api>) -> Answer {
    let names = api.list_channel_groups().await.map_err(V2Error)?;
    Ok(items(names, "ChannelGroupName"))
}

async fn delete_group(State(api): State<Api>, Path(group): Path<String>) -> Answer {
    api.delete_channel_group(&group).await.map_err(V2Error)?;
    Ok(Json(json!({})))
}

async fn create_channel(
    State(api): State<Api>,
    Path(group): Path<String>,
    Json(b): Json<Value>,
) -> Answer {
    let c = NewChannel {
        group,
        name: text(&b["ChannelName"]),
        input_type: b["InputType"]
            .as_str()
            .and_then(InputType::from_aws)
            .unwrap_or_default(),
        description: opt(&b["Description"]),
        tags: tags(&b["tags"]),
    };
    let c = api.create_channel(c).await.map_err(V2Error)?;
    Ok(Json(channel_json(&c)))
}

async fn get_channel(
    State(api): State<Api>,
    Path((group, channel)): Path<(String, String)>,
) -> Answer {
    let c = api.get_channel(&group, &channel).await.map_err(V2Error)?;
    Ok(Json(channel_json(&c)))
}

async fn list_channels(State(api): State<Api>, Path(group): Path<String>) -> Answer {
    let names = api.list_channels(&group).await.map_err(V2Error)?;
    Ok(items(names, "ChannelName"))
}

async fn delete_channel(
    State(api): State<Api>,
    Path((group, channel)): Path<(String, String)>,
) -> Answer {
    api.delete_channel(&group, &channel)
        .await
        .map_err(V2Error)?;
    Ok(Json(json!({})))
}

async fn put_channel_policy(
    State(api): State<Api>,
    Path((group, channel)): Path<(String, String)>,
    Json(b): Json<Value>,
) -> Answer {
    api.put_channel_policy(&group, &channel, &text(&b["Policy"]))
        .await
        .map_err(V2Error)?;
    Ok(Json(json!({})))
}

async fn get_channel_policy(
    State(api): State<Api>,
    Path((group, channel)): Path<(String, String)>,
) -> Answer {
    let policy = api
        .get_channel_policy(&group, &channel)
        .await
        .map_err(V2Error)?;
    Ok(Json(json!({
        "ChannelGroupName": group, "ChannelName": channel, "Policy": policy,
    })))
}

async fn create_endpoint(
    State(api): State<Api>,
    Path((group, channel)): Path<(String, String)>,
    Json(b): Json<Value>,
) -> Answer {
    let spec = endpoint_in(group, channel, text(&b["OriginEndpointName"]), &b);
    let e = api.create_origin_endpoint(spec).await.map_err(V2Error)?;
    Ok(Json(endpoint_json(&e, "Tags")))
}

async fn get_endpoint(
    State(api): State<Api>,
    Path((group, channel, endpoint)): Path<(String, String, String)>,
) -> Answer {
    let e = api
        .get_origin_endpoint(&group, &channel, &endpoint)
        .await
        .map_err(V2Error)?;
    Ok(Json(endpoint_json(&e, "Tags")))
}

async fn update_endpoint(
    State(api): State<Api>,
    Path((group, channel, endpoint)): Path<(String, String, String)>,
    Json(b): Json<Value>,
) -> Answer {
    let spec = endpoint_in(group, channel, endpoint, &b);
    let e = api.update_origin_endpoint(spec).await.map_err(V2Error)?;
    Ok(Json(endpoint_json(&e, "tags")))
}

async fn delete_endpoint(
    State(api): State<Api>,
    Path((group, channel, endpoint)): Path<(String, String, String)>,
) -> Answer {
    api.delete_origin_endpoint(&group, &channel, &endpoint)
        .await
        .map_err(V2Error)?;
    Ok(Json(json!({})))
}

async fn list_endpoints(
    State(api): State<Api>,
    Path((group, channel)): Path<(String, String)>,
) -> Answer {
    let names = api
        .list_origin_endpoints(&group, &channel)
        .await
        .map_err(V2Error)?;
    Ok(items(names, "OriginEndpointName"))
}

async fn put_endpoint_policy(
    State(api): State<Api>,
    Path((group, channel, endpoint)): Path<(String, String, String)>,
    Json(b): Json<Value>,
) -> Answer {
    api.put_origin_endpoint_policy(&group, &channel, &endpoint, &text(&b["Policy"]))
        .await
        .map_err(V2Error)?;
    Ok(Json(json!({})))
}

async fn get_endpoint_policy(
    State(api): State<Api>,
    Path((group, channel, endpoint)): Path<(String, String, String)>,
) -> Answer {
    let policy = api
        .get_origin_endpoint_policy(&group, &channel, &endpoint)
        .await
        .map_err(V2Error)?;
    Ok(Json(json!({
        "ChannelGroupName": group, "ChannelName": channel,
        "OriginEndpointName": endpoint, "Policy": policy,
    })))
}
