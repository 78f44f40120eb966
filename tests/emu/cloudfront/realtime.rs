//! Real-time log configurations: their XML (Kinesis endpoint, fields, sampling
//! rate) and the calls, which name a configuration by name or by ARN.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::answer::{body_of, xml, Answer, XmlError};
use super::xml::{doc, el, txt, Node};
use super::Api;
use onair::aws::cloudfront::*;

pub(super) fn realtime_xml(root: &str, c: &RealtimeLogConfig) -> String {
    doc(
        root,
        el(
            "RealtimeLogConfig",
            [
                txt("ARN", &c.arn),
                txt("Name", &c.name),
                txt("SamplingRate", c.sampling_rate),
                el(
                    "EndPoints",
                    el(
                        "member",
                        format!(
                            "{}{}",
                            txt("StreamType", "Kinesis"),
                            el(
                                "KinesisStreamConfig",
                                format!(
                                    "{}{}",
                                    txt("RoleARN", &c.role_arn),
                                    txt("StreamARN", &c.kinesis_stream_arn)
                                )
                            )
                        ),
                    ),
                ),
                el(
                    "Fields",
                    c.fields.iter().map(|f| txt("Field", f)).collect::<String>(),
                ),
            ]
            .concat(),
        ),
    )
}

pub(super) fn realtime_of(root: &Node) -> RealtimeLogConfig {
    let kinesis = root
        .child("EndPoints")
        .and_then(|e| e.children.first())
        .and_then(|m| m.child("KinesisStreamConfig"));
    RealtimeLogConfig {
        name: root.text("Name"),
        arn: String::new(),
        sampling_rate: root.text("SamplingRate").parse().unwrap_or(0),
        fields: root
            .child("Fields")
            .map(|f| f.children.iter().map(|c| c.text.clone()).collect())
            .unwrap_or_default(),
        kinesis_stream_arn: kinesis.map(|k| k.text("StreamARN")).unwrap_or_default(),
        role_arn: kinesis.map(|k| k.text("RoleARN")).unwrap_or_default(),
    }
}

/// Name from the request, or from the ARN (`.../realtime-log-config/<name>`).
pub(super) fn realtime_name(root: &Node) -> String {
    root.opt("Name").unwrap_or_else(|| {
        root.text("ARN")
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    })
}

pub(super) async fn create_realtime(State(api): State<Api>, body: Bytes) -> Answer {
    let c = api
        .create_realtime_log_config(realtime_of(&body_of(&body)?))
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::CREATED,
        None,
        realtime_xml("CreateRealtimeLogConfigResult", &c),
    ))
}

pub(super) async fn update_realtime(State(api): State<Api>, body: Bytes) -> Answer {
    let c = api
        .update_realtime_log_config(realtime_of(&body_of(&body)?))
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::OK,
        None,
        realtime_xml("UpdateRealtimeLogConfigResult", &c),
    ))
}

pub(super) async fn get_realtime(State(api): State<Api>, body: Bytes) -> Answer {
    let c = api
        .get_realtime_log_config(&realtime_name(&body_of(&body)?))
        .await
        .map_err(XmlError)?;
    Ok(xml(
        StatusCode::OK,
        None,
        realtime_xml("GetRealtimeLogConfigResult", &c),
    ))
}

pub(super) async fn delete_realtime(State(api): State<Api>, body: Bytes) -> Answer {
    api.delete_realtime_log_config(&realtime_name(&body_of(&body)?))
        .await
        .map_err(XmlError)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
