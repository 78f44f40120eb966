//! The SDK shapes of the edge resources: functions, key value stores, real-time
//! log configurations, policies, and CloudFront's tag list.

use aws_sdk_cloudfront::types as t;

use crate::aws::cloudfront::*;
use crate::aws::error::{missing, AwsError};
use crate::aws::ownership::Tags;

use super::{build_err, SVC};

type Result<T> = std::result::Result<T, AwsError>;

pub(super) fn function_of(
    s: Option<&t::FunctionSummary>,
    etag: Option<&str>,
    op: &'static str,
) -> Result<Function> {
    let s = s.ok_or_else(|| missing(SVC, op, "FunctionSummary"))?;
    let config = s.function_config();
    let meta = s.function_metadata();
    Ok(Function {
        name: s.name().to_owned(),
        arn: meta
            .map(|m| m.function_arn().to_owned())
            .unwrap_or_default(),
        stage: meta
            .and_then(|m| m.stage())
            .map(|s| FunctionStage::from_aws(s.as_str()))
            .unwrap_or_default(),
        status: s.status().unwrap_or_default().to_owned(),
        comment: config.map(|c| c.comment().to_owned()).unwrap_or_default(),
        runtime: config
            .map(|c| c.runtime().as_str().to_owned())
            .unwrap_or_default(),
        key_value_store_arns: config
            .and_then(|c| c.key_value_store_associations())
            .map(|a| {
                a.items()
                    .iter()
                    .map(|i| i.key_value_store_arn().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        etag: etag.unwrap_or_default().to_owned(),
    })
}

pub(super) fn function_config(spec: &FunctionSpec, op: &'static str) -> Result<t::FunctionConfig> {
    let b = build_err(op);
    let stores = spec
        .key_value_store_arns
        .iter()
        .map(|arn| {
            t::KeyValueStoreAssociation::builder()
                .key_value_store_arn(arn)
                .build()
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(&b)?;
    let mut config = t::FunctionConfig::builder()
        .comment(&spec.comment)
        .runtime(t::FunctionRuntime::from(FUNCTION_RUNTIME));
    if !stores.is_empty() {
        config = config.key_value_store_associations(
            t::KeyValueStoreAssociations::builder()
                .quantity(stores.len() as i32)
                .set_items(Some(stores))
                .build()
                .map_err(&b)?,
        );
    }
    config.build().map_err(&b)
}

pub(super) fn store_of(
    s: Option<&t::KeyValueStore>,
    etag: Option<&str>,
    op: &'static str,
) -> Result<KeyValueStore> {
    let s = s.ok_or_else(|| missing(SVC, op, "KeyValueStore"))?;
    Ok(KeyValueStore {
        name: s.name().to_owned(),
        id: s.id().to_owned(),
        arn: s.arn().to_owned(),
        comment: s.comment().to_owned(),
        status: s.status().unwrap_or("READY").to_owned(),
        etag: etag.unwrap_or_default().to_owned(),
    })
}

pub(super) fn realtime_of(
    r: Option<&t::RealtimeLogConfig>,
    op: &'static str,
) -> Result<RealtimeLogConfig> {
    let r = r.ok_or_else(|| missing(SVC, op, "RealtimeLogConfig"))?;
    let kinesis = r
        .end_points()
        .first()
        .and_then(|e| e.kinesis_stream_config());
    Ok(RealtimeLogConfig {
        name: r.name().to_owned(),
        arn: r.arn().to_owned(),
        sampling_rate: r.sampling_rate() as u32,
        fields: r.fields().to_vec(),
        kinesis_stream_arn: kinesis
            .map(|k| k.stream_arn().to_owned())
            .unwrap_or_default(),
        role_arn: kinesis.map(|k| k.role_arn().to_owned()).unwrap_or_default(),
    })
}

pub(super) fn end_point(c: &RealtimeLogConfig, op: &'static str) -> Result<t::EndPoint> {
    let b = build_err(op);
    t::EndPoint::builder()
        .stream_type("Kinesis")
        .kinesis_stream_config(
            t::KinesisStreamConfig::builder()
                .role_arn(&c.role_arn)
                .stream_arn(&c.kinesis_stream_arn)
                .build()
                .map_err(&b)?,
        )
        .build()
        .map_err(&b)
}

/// The three policy kinds list the same fields under different accessors.
pub(super) fn policy(id: &str, name: &str, comment: Option<&str>) -> Policy {
    Policy {
        id: id.to_owned(),
        name: name.to_owned(),
        comment: comment.unwrap_or_default().to_owned(),
    }
}

pub(super) fn tags_of(tags: Tags, op: &'static str) -> Result<t::Tags> {
    let items = tags
        .into_iter()
        .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(build_err(op))?;
    Ok(t::Tags::builder().set_items(Some(items)).build())
}
