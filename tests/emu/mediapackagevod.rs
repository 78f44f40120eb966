//! MediaPackage VOD's REST-JSON API (moto has none): packaging groups, packaging
//! configurations and assets.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::mediapackage::MpError;
use super::{opt, secs, tags, text};
use onair::aws::mediapackagevod::*;

type Api = Arc<dyn MediaPackageVodApi>;
type Answer = Result<Json<Value>, MpError>;
type Deleted = Result<(StatusCode, Json<Value>), MpError>;

pub fn router(api: Api) -> Router {
    Router::new()
        .route("/packaging_groups", post(create_group))
        .route(
            "/packaging_groups/{id}",
            get(describe_group).delete(delete_group),
        )
        .route("/packaging_configurations", post(create_config))
        .route(
            "/packaging_configurations/{id}",
            get(describe_config).delete(delete_config),
        )
        .route("/assets", post(create_asset))
        .route("/assets/{id}", get(describe_asset).delete(delete_asset))
        .with_state(api)
}

fn group_json(g: &PackagingGroup) -> Value {
    json!({
        "id": g.spec.id,
        "arn": g.arn,
        "domainName": g.domain_name,
        "authorization": g.spec.authorization.as_ref().map(|a| json!({
            "cdnIdentifierSecret": a.cdn_identifier_secret_arn,
            "secretsRoleArn": a.secrets_role_arn,
        })),
        "tags": g.spec.tags,
    })
}

fn config_json(c: &PackagingConfiguration) -> Value {
    let mut v = json!({
        "id": c.spec.id,
        "arn": c.arn,
        "packagingGroupId": c.spec.packaging_group_id,
        "tags": c.spec.tags,
    });
    match &c.spec.package {
        VodPackage::Hls(h) => {
            v["hlsPackage"] = json!({
                "segmentDurationSeconds": h.segment_duration_seconds,
                "hlsManifests": [{ "manifestName": h.manifest_name, "adMarkers": h.ad_markers }],
            })
        }
        VodPackage::Dash(d) => {
            v["dashPackage"] = json!({
                "segmentDurationSeconds": d.segment_duration_seconds,
                "segmentTemplateFormat": d.segment_template_format,
                "periodTriggers": d.period_triggers,
                "dashManifests": [{ "manifestName": d.manifest_name }],
            })
        }
    }
    v
}

fn asset_json(a: &Asset) -> Value {
    json!({
        "id": a.spec.id,
        "arn": a.arn,
        "packagingGroupId": a.spec.packaging_group_id,
        "sourceArn": a.spec.source_arn,
        "sourceRoleArn": a.spec.source_role_arn,
        "resourceId": a.spec.resource_id,
        "tags": a.spec.tags,
        "egressEndpoints": a.egress_endpoints.iter().map(|e| json!({
            "packagingConfigurationId": e.packaging_configuration_id,
            "url": e.url,
            "status": e.status,
        })).collect::<Vec<_>>(),
    })
}

async fn create_group(State(api): State<Api>, Json(b): Json<Value>) -> Answer {
    let a = &b["authorization"];
    let spec = PackagingGroupSpec {
        id: text(&b["id"]),
        authorization: a.is_object().then(|| CdnAuthorization {
            cdn_identifier_secret_arn: text(&a["cdnIdentifierSecret"]),
            secrets_role_arn: text(&a["secretsRoleArn"]),
        }),
        tags: tags(&b["tags"]),
    };
    let g = api.create_packaging_group(spec).await.map_err(MpError)?;
    Ok(Json(group_json(&g)))
}

async fn describe_group(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    let g = api.describe_packaging_group(&id).await.map_err(MpError)?;
    Ok(Json(group_json(&g)))
}

async fn delete_group(State(api): State<Api>, Path(id): Path<String>) -> Deleted {
    api.delete_packaging_group(&id).await.map_err(MpError)?;
    Ok((StatusCode::ACCEPTED, Json(json!({}))))
}

async fn create_config(State(api): State<Api>, Json(b): Json<Value>) -> Answer {
    let package = if b["dashPackage"].is_object() {
        let d = &b["dashPackage"];
        VodPackage::Dash(VodDash {
            segment_duration_seconds: secs(&d["segmentDurationSeconds"]),
            manifest_name: opt(&d["dashManifests"][0]["manifestName"]),
            segment_template_format: opt(&d["segmentTemplateFormat"]),
            period_triggers: super::strings(&d["periodTriggers"]),
        })
    } else {
        let h = &b["hlsPackage"];
        VodPackage::Hls(VodHls {
            segment_duration_seconds: secs(&h["segmentDurationSeconds"]),
            manifest_name: opt(&h["hlsManifests"][0]["manifestName"]),
            ad_markers: opt(&h["hlsManifests"][0]["adMarkers"]),
        })
    };
    let spec = PackagingConfigurationSpec {
        id: text(&b["id"]),
        packaging_group_id: text(&b["packagingGroupId"]),
        package,
        tags: tags(&b["tags"]),
    };
    let c = api
        .create_packaging_configuration(spec)
        .await
        .map_err(MpError)?;
    Ok(Json(config_json(&c)))
}

async fn describe_config(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    let c = api
        .describe_packaging_configuration(&id)
        .await
        .map_err(MpError)?;
    Ok(Json(config_json(&c)))
}

async fn delete_config(State(api): State<Api>, Path(id): Path<String>) -> Deleted {
    api.delete_packaging_configuration(&id)
        .await
        .map_err(MpError)?;
    Ok((StatusCode::ACCEPTED, Json(json!({}))))
}

async fn create_asset(State(api): State<Api>, Json(b): Json<Value>) -> Answer {
    let asset = NewAsset {
        id: text(&b["id"]),
        packaging_group_id: text(&b["packagingGroupId"]),
        source_arn: text(&b["sourceArn"]),
        source_role_arn: text(&b["sourceRoleArn"]),
        resource_id: opt(&b["resourceId"]),
        tags: tags(&b["tags"]),
    };
    let a = api.create_asset(asset).await.map_err(MpError)?;
    Ok(Json(asset_json(&a)))
}

async fn describe_asset(State(api): State<Api>, Path(id): Path<String>) -> Answer {
    let a = api.describe_asset(&id).await.map_err(MpError)?;
    Ok(Json(asset_json(&a)))
}

async fn delete_asset(State(api): State<Api>, Path(id): Path<String>) -> Deleted {
    api.delete_asset(&id).await.map_err(MpError)?;
    Ok((StatusCode::ACCEPTED, Json(json!({}))))
}
