//! MediaPackage's REST-JSON API for what moto lacks: harvest jobs.
//!
//! Errors are answered as MediaPackage does: an id in use is 422
//! UnprocessableEntityException ("... already exists"), which the SDK adapter reads
//! back as AlreadyExists; other kinds as [`RestJsonError`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{bad_request, text, RestJsonError};
use onair::aws::error::{AwsError, ErrorKind};
use onair::aws::mediapackage::*;

type Api = Arc<dyn MediaPackageApi>;

pub fn router(api: Api) -> Router {
    Router::new()
        .route("/harvest_jobs", post(create_job).get(list_jobs))
        .route("/harvest_jobs/{id}", get(describe_job))
        .with_state(api)
}

/// MediaPackage's own error shapes.
pub struct MpError(pub AwsError);

impl IntoResponse for MpError {
    fn into_response(self) -> Response {
        match self.0.kind {
            ErrorKind::AlreadyExists { message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                [(
                    HeaderName::from_static("x-amzn-errortype"),
                    "UnprocessableEntityException",
                )],
                Json(json!({ "message": message })),
            )
                .into_response(),
            ErrorKind::InvalidRequest { message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                [(
                    HeaderName::from_static("x-amzn-errortype"),
                    "UnprocessableEntityException",
                )],
                Json(json!({ "message": message })),
            )
                .into_response(),
            _ => RestJsonError(self.0).into_response(),
        }
    }
}

type Answer = Result<Json<Value>, MpError>;

fn iso(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn job_json(j: &HarvestJob) -> Value {
    json!({
        "id": j.id,
        "arn": j.arn,
        "channelId": j.channel_id,
        "originEndpointId": j.origin_endpoint_id,
        "startTime": iso(j.start_time),
        "endTime": iso(j.end_time),
        "createdAt": j.created_at.map(iso),
        "status": j.status.as_aws(),
        "s3Destination": {
            "bucketName": j.s3_destination.bucket_name,
            "manifestKey": j.s3_destination.manifest_key,
            "roleArn": j.s3_destination.role_arn,
        },
    })
}

fn time(v: &Value, field: &str) -> Result<jiff::Timestamp, MpError> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| MpError(bad_request(format!("{field} is not an ISO 8601 time")).0))
}

async fn create_job(State(api): State<Api>, Json(b): Json<Value>) -> Answer {
    let s3 = &b["s3Destination"];
    let job = NewHarvestJob {
        id: text(&b["id"]),
        origin_endpoint_id: text(&b["originEndpointId"]),
        start_time: time(&b["startTime"], "startTime")?,
        end_time: time(&b["endTime"], "endTime")?,
        s3_destination: S3Destination {
            bucket_name: text(&s3["bucketName"]),
            manifest_key: text(&s3["manifestKey"]),
            role_arn: text(&s3["roleArn"]),
        },
    };
    let j = api.create_harvest_job(job).await.map_err(MpError)?;
    Ok(Json(job_json(&j)))
}

async fn describe_job(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    let j = api.describe_harvest_job(&id).await.map_err(MpError)?;
    Ok(Json(job_json(&j)))
}

async fn list_jobs(State(api): State<Api>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let channel = q.get("includeChannelId").cloned().unwrap_or_default();
    let mut jobs = api.list_harvest_jobs(&channel).await.map_err(MpError)?;
    if let Some(status) = q.get("includeStatus") {
        jobs.retain(|j| j.status.as_aws() == status);
    }
    Ok(Json(json!({
        "harvestJobs": jobs.iter().map(job_json).collect::<Vec<_>>(),
    })))
}
