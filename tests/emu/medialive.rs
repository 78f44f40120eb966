//! MediaLive's REST-JSON API for what moto lacks: input security groups and schedules.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{bad_request, strings, tags, Answer, RestJsonError};
use onair::aws::medialive::*;

type Api = Arc<dyn MediaLiveApi>;

pub fn router(api: Api) -> Router {
    Router::new()
        .route(
            "/prod/inputSecurityGroups",
            get(list_groups).post(create_group),
        )
        .route(
            "/prod/inputSecurityGroups/{id}",
            get(describe_group).put(update_group).delete(delete_group),
        )
        .route(
            "/prod/channels/{id}/schedule",
            put(batch_update_schedule).get(describe_schedule),
        )
        .with_state(api)
}

fn group_json(g: &SecurityGroup) -> Value {
    json!({
        "id": g.id,
        "arn": g.arn,
        "inputs": g.inputs,
        "state": if g.inputs.is_empty() { "IDLE" } else { "IN_USE" },
        "tags": g.tags,
        "whitelistRules": g.cidrs.iter().map(|c| json!({ "cidr": c })).collect::<Vec<_>>(),
    })
}

fn cidrs(body: &Value) -> Vec<String> {
    body["whitelistRules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .filter_map(|r| r["cidr"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn create_group(State(api): State<Api>, Json(body): Json<Value>) -> Answer {
    let g = api
        .create_input_security_group(cidrs(&body), tags(&body["tags"]))
        .await
        .map_err(RestJsonError)?;
    Ok(Json(json!({ "securityGroup": group_json(&g) })))
}

async fn describe_group(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    let g = api
        .describe_input_security_group(&id)
        .await
        .map_err(RestJsonError)?;
    Ok(Json(group_json(&g)))
}

async fn update_group(
    State(api): State<Api>,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Answer {
    let g = api
        .update_input_security_group(&id, cidrs(&body))
        .await
        .map_err(RestJsonError)?;
    Ok(Json(json!({ "securityGroup": group_json(&g) })))
}

async fn delete_group(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    api.delete_input_security_group(&id)
        .await
        .map_err(RestJsonError)?;
    Ok(Json(json!({})))
}

async fn list_groups(State(api): State<Api>) -> Answer {
    let groups = api
        .list_input_security_groups()
        .await
        .map_err(RestJsonError)?;
    Ok(Json(
        json!({ "inputSecurityGroups": groups.iter().map(group_json).collect::<Vec<_>>() }),
    ))
}

fn action_json(a: &ScheduleAction) -> Value {
    let start = match &a.start {
        ScheduleStart::Immediate => json!({ "immediateModeScheduleActionStartSettings": {} }),
        ScheduleStart::Fixed(time) => {
            json!({ "fixedModeScheduleActionStartSettings": { "time": time } })
        }
    };
    let settings = match a.kind {
        ScheduleActionKind::SpliceInsert {
            splice_event_id,
            duration_ms,
        } => json!({
            "scte35SpliceInsertSettings": { "spliceEventId": splice_event_id, "duration": duration_ms * 90 }
        }),
        ScheduleActionKind::ReturnToNetwork { splice_event_id } => json!({
            "scte35ReturnToNetworkSettings": { "spliceEventId": splice_event_id }
        }),
    };
    json!({ "actionName": a.name, "scheduleActionStartSettings": start, "scheduleActionSettings": settings })
}

fn action_from(v: &Value) -> Result<ScheduleAction, RestJsonError> {
    let name = v["actionName"]
        .as_str()
        .ok_or_else(|| bad_request("actionName is required"))?;
    let start = match v["scheduleActionStartSettings"]["fixedModeScheduleActionStartSettings"]
        ["time"]
        .as_str()
    {
        Some(t) => ScheduleStart::Fixed(t.into()),
        None => ScheduleStart::Immediate,
    };
    let s = &v["scheduleActionSettings"];
    let event = |x: &Value| x["spliceEventId"].as_u64().map(|n| n as u32);
    let kind = if let Some(id) = event(&s["scte35SpliceInsertSettings"]) {
        ScheduleActionKind::SpliceInsert {
            splice_event_id: id,
            duration_ms: s["scte35SpliceInsertSettings"]["duration"]
                .as_u64()
                .unwrap_or(0)
                / 90,
        }
    } else if let Some(id) = event(&s["scte35ReturnToNetworkSettings"]) {
        ScheduleActionKind::ReturnToNetwork {
            splice_event_id: id,
        }
    } else {
        return Err(bad_request(format!(
            "schedule action '{name}' is of a kind this emulator does not know"
        )));
    };
    Ok(ScheduleAction {
        name: name.into(),
        start,
        kind,
    })
}

async fn batch_update_schedule(
    State(api): State<Api>,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Answer {
    let creates = body["creates"]["scheduleActions"]
        .as_array()
        .map(|a| a.iter().map(action_from).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default();
    let deletes = strings(&body["deletes"]["actionNames"]);
    let before = api.describe_schedule(&id).await.map_err(RestJsonError)?;
    api.batch_update_schedule(&id, creates.clone(), deletes.clone())
        .await
        .map_err(RestJsonError)?;
    let deleted: Vec<Value> = before
        .iter()
        .filter(|a| deletes.contains(&a.name))
        .map(action_json)
        .collect();
    Ok(Json(json!({
        "creates": { "scheduleActions": creates.iter().map(action_json).collect::<Vec<_>>() },
        "deletes": { "scheduleActions": deleted },
    })))
}

async fn describe_schedule(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    let actions = api.describe_schedule(&id).await.map_err(RestJsonError)?;
    Ok(Json(
        json!({ "scheduleActions": actions.iter().map(action_json).collect::<Vec<_>>() }),
    ))
}
