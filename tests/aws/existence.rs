//! S3, Kinesis and STS: shared scenarios on the simulation and on moto; the
//! per-provider cache keyed by the real account; AssumeRole with an external id.

use std::sync::Arc;

use onair::aws::accounts::ApisCache;
use onair::aws::clients::{RoleToAssume, SdkClients};
use onair::aws::guard::{Budgets, Limiters};
use onair::aws::sdk::kinesis::SdkKinesis;
use onair::aws::sdk::s3::SdkS3;
use onair::aws::sdk::sts::SdkSts;
use onair::aws::sim::Sim;
use onair::aws::Service;

use crate::moto::Moto;
use crate::scenarios::existence::*;

/// A raw aws-sdk client for setting up moto (onair itself never creates these).
pub(crate) fn raw_s3(clients: &SdkClients) -> aws_sdk_s3::Client {
    let (config, url) = clients.for_service(Service::S3);
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .endpoint_url(url.unwrap())
            .force_path_style(true)
            .build(),
    )
}

#[tokio::test]
async fn sim_s3_existence_checks() {
    let sim = Sim::default();
    sim.create_bucket("onair-vod");
    sim.put_s3_object("onair-vod", "clips/a/index.m3u8", b"#EXTM3U\n");
    s3_existence_checks(sim.s3(), "onair-vod", "clips/a/index.m3u8").await;
}

#[tokio::test]
async fn contract_s3_existence_checks_on_moto() {
    let moto = Moto::start();
    let clients = moto.clients().await;
    let raw = raw_s3(&clients);
    raw.create_bucket()
        .bucket("onair-vod")
        .send()
        .await
        .unwrap();
    raw.put_object()
        .bucket("onair-vod")
        .key("clips/a/index.m3u8")
        .body(b"#EXTM3U\n".to_vec().into())
        .send()
        .await
        .unwrap();
    s3_existence_checks(
        Arc::new(SdkS3::new(&clients)),
        "onair-vod",
        "clips/a/index.m3u8",
    )
    .await;
}

#[tokio::test]
async fn sim_kinesis_stream_summary() {
    let sim = Sim::default();
    sim.create_stream("onair-cmcd", 1);
    kinesis_stream_summary(sim.kinesis(), "onair-cmcd").await;
}

#[tokio::test]
async fn contract_kinesis_stream_summary_on_moto() {
    let moto = Moto::start();
    let clients = moto.clients().await;
    let (config, url) = clients.for_service(Service::Kinesis);
    let raw = aws_sdk_kinesis::Client::from_conf(
        aws_sdk_kinesis::config::Builder::from(&config)
            .endpoint_url(url.unwrap())
            .build(),
    );
    raw.create_stream()
        .stream_name("onair-cmcd")
        .shard_count(1)
        .send()
        .await
        .unwrap();
    kinesis_stream_summary(Arc::new(SdkKinesis::new(&clients)), "onair-cmcd").await;
}

#[tokio::test]
async fn sim_caller_identity() {
    let sim = Sim::default();
    sts_caller_identity(sim.sts(), sim.account()).await;
}

#[tokio::test]
async fn contract_caller_identity_on_moto() {
    let moto = Moto::start();
    sts_caller_identity(Arc::new(SdkSts::new(&moto.clients().await)), "123456789012").await;
}

#[tokio::test]
async fn an_assumed_role_with_an_external_id_acts_in_the_role_s_account() {
    let moto = Moto::start();
    let mut settings = crate::moto::settings(&moto.url);
    settings.assume_role = Some(RoleToAssume {
        role_arn: "arn:aws:iam::111122223333:role/onair-tenant".into(),
        external_id: Some("tenant-external-id".into()),
        session_name: Some("onair-test".into()),
    });
    let clients = SdkClients::load(settings).await;
    let id = onair::aws::sts::StsApi::get_caller_identity(&SdkSts::new(&clients))
        .await
        .unwrap();
    assert_eq!(id.account, "111122223333");
    assert!(
        id.arn.contains("assumed-role/onair-tenant/onair-test"),
        "{}",
        id.arn
    );
}

#[tokio::test]
async fn the_provider_cache_builds_apis_once_per_credentials_and_keys_them_by_account() {
    let moto = Moto::start();
    let cache = ApisCache::new(Limiters::new(Budgets::default()));
    let settings = crate::moto::settings(&moto.url);
    let a = cache.get(&settings).await.unwrap();
    let b = cache.get(&settings).await.unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(a.identity.account, "123456789012");
    // Another role is another entry, in its own account.
    let mut other = settings.clone();
    other.assume_role = Some(RoleToAssume {
        role_arn: "arn:aws:iam::111122223333:role/onair-tenant".into(),
        external_id: None,
        session_name: None,
    });
    let c = cache.get(&other).await.unwrap();
    assert!(!Arc::ptr_eq(&a, &c));
    assert_eq!(c.identity.account, "111122223333");
    // The APIs work.
    let err = c
        .apis
        .mediapackage
        .describe_channel("none")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    cache.forget(&settings).await;
    assert!(!Arc::ptr_eq(&a, &cache.get(&settings).await.unwrap()));
}

#[tokio::test]
async fn sim_telemetry_stream_and_delivery() {
    let sim = Sim::default();
    let backend = crate::scenarios::SimBackend(sim.clone());
    telemetry_stream_and_delivery(sim.kinesis(), sim.firehose(), &backend).await;
}

#[tokio::test]
async fn contract_telemetry_stream_and_delivery_on_moto() {
    let moto = Moto::start();
    let clients = moto.clients().await;
    telemetry_stream_and_delivery(
        Arc::new(SdkKinesis::new(&clients)),
        Arc::new(onair::aws::sdk::firehose::SdkFirehose::new(&clients)),
        &crate::scenarios::Emulated,
    )
    .await;
}
