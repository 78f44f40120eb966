//! The AWS simulation served to another process (`aws::remote`, what `onair
//! bench` uses so its figures are the operator's alone): calls answer as the
//! in-process simulation does, errors keep their kind, secrets cross whole,
//! and the simulation's throttling and counts apply.

use onair::aws::cloudfront::OriginHeader;
use onair::aws::medialive::MediaLiveApi;
use onair::aws::remote::RemoteSim;
use onair::aws::secret::{exposed_on_wire, SecretString};
use onair::aws::secretsmanager::{NewSecret, SecretsManagerApi};
use onair::aws::sim::Sim;
use onair::aws::sts::StsApi;
use onair::aws::wire::Remote;
use onair::aws::{ErrorKind, Service};

/// A simulation served on a free loopback port, and a client of it.
async fn served() -> (
    Sim,
    Remote<RemoteSim>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let sim = Sim::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(onair::aws::remote::serve(sim.clone(), listener));
    let remote = RemoteSim::connect(&url)
        .await
        .expect("the simulation answers");
    (sim, Remote(remote), server)
}

#[tokio::test]
async fn a_secret_crosses_the_wire_whole_both_ways() {
    let (sim, remote, server) = served().await;
    assert_eq!(remote.account(), sim.account());
    assert_eq!(remote.region(), sim.region());

    remote
        .create_secret(NewSecret {
            name: "onair/remote-test".into(),
            client_request_token: "0123456789abcdef0123456789abcdef".into(),
            description: None,
            value: SecretString::new("hunter2 \"quoted\" \\ and more"),
            tags: Default::default(),
        })
        .await
        .expect("created through the wire");
    let stored = sim
        .secretsmanager()
        .get_secret_value("onair/remote-test")
        .await
        .unwrap();
    assert_eq!(stored.value.expose(), "hunter2 \"quoted\" \\ and more");
    let read = remote.get_secret_value("onair/remote-test").await.unwrap();
    assert_eq!(read.value.expose(), "hunter2 \"quoted\" \\ and more");
    server.abort();
}

#[test]
fn secret_headers_serialize_redacted_except_on_the_wire() {
    let header = OriginHeader {
        name: "X-MediaPackage-CDNIdentifier".into(),
        value: "s3cr3t".into(),
    };
    let rendered = serde_json::to_string(&header).unwrap();
    assert!(!rendered.contains("s3cr3t"), "{rendered}");
    assert!(rendered.contains("<redacted>"), "{rendered}");
    let wire = exposed_on_wire(|| serde_json::to_string(&header).unwrap());
    let back: OriginHeader = serde_json::from_str(&wire).unwrap();
    assert_eq!(back, header);
}

#[tokio::test]
async fn errors_keep_their_kind_and_names() {
    let (sim, remote, server) = served().await;
    let local = sim.medialive().describe_channel("9999").await.unwrap_err();
    let over_the_wire = remote.describe_channel("9999").await.unwrap_err();
    assert!(matches!(over_the_wire.kind, ErrorKind::NotFound { .. }));
    assert_eq!(over_the_wire, local);

    // A call the simulation cannot read is refused, not retried.
    let unknown = remote
        .call::<()>(Service::Sts, "no_such_operation", vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown.kind, ErrorKind::InvalidRequest { message } if message.contains("no operation no_such_operation")),
        "{unknown}"
    );
    // An argument of the wrong type is named, its value never quoted.
    let mistyped = remote
        .call::<()>(
            Service::Kinesis,
            "get_records",
            vec![serde_json::json!("iterator"), serde_json::json!("hunter2")],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&mistyped.kind, ErrorKind::InvalidRequest { message } if message.contains("argument limit")),
        "{mistyped}"
    );
    assert!(!mistyped.to_string().contains("hunter2"), "{mistyped}");
    server.abort();
}

#[tokio::test]
async fn the_simulation_throttles_and_counts_the_calls() {
    let (_sim, remote, server) = served().await;
    remote.throttle(Service::Sts, 1).await.unwrap();
    remote.get_caller_identity().await.expect("within the rate");
    let second = remote.get_caller_identity().await.unwrap_err();
    assert!(
        matches!(second.kind, ErrorKind::Throttled { .. }),
        "{second}"
    );
    let stats = remote.stats().await.unwrap();
    assert_eq!(
        stats.calls_to(Service::Sts, |op| op == "get_caller_identity"),
        2
    );
    assert_eq!(stats.throttled.get(&Service::Sts), Some(&1));
    server.abort();
}

#[tokio::test]
async fn an_unreachable_simulation_is_a_transient_failure() {
    let (_sim, remote, server) = served().await;
    server.abort();
    let _ = server.await;
    let error = remote.get_caller_identity().await.unwrap_err();
    assert!(matches!(error.kind, ErrorKind::Transient { .. }), "{error}");
}
