//! The operator process as SREs see it: `onair run` against the local API
//! server (and the AWS simulation), watching one namespace, with JSON logs
//! naming the object on each reconcile's lines and Prometheus metrics on
//! `/metrics`.

mod support;

use std::time::Duration;

use kube::api::{Api, PostParams};
use onair::api::{AwsProvider, LiveChannel};
use tokio::io::AsyncReadExt;
use tokio::process::Command;

async fn get(port: u16, path: &str) -> Option<String> {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.ok()?;
    response
        .starts_with("HTTP/1.1 200")
        .then(|| response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()))
        .flatten()
}

/// The value of the first sample of `metric` whose labels contain all of `labels`.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_namespace_is_watched_logged_and_measured() {
    let server = support::server_with_crds().await;
    let client = server.client();
    let dir = support::scratch_dir("operations");
    let kubeconfig = dir.join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let provider: AwsProvider = support::example("aws-provider.yaml");
    Api::<AwsProvider>::all(client.clone())
        .create(&PostParams::default(), &provider)
        .await
        .unwrap();
    for namespace in ["team-a", "team-b"] {
        let ns: k8s_openapi::api::core::v1::Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": namespace}})).unwrap();
        Api::<k8s_openapi::api::core::v1::Namespace>::all(client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .unwrap();
        Api::<LiveChannel>::namespaced(client.clone(), namespace)
            .create(&PostParams::default(), &support::example_channel("news"))
            .await
            .unwrap();
    }
    let port = support::free_port();
    let log_path = dir.join("operator.log");
    let mut operator = Command::new(env!("CARGO_BIN_EXE_onair"))
        .args([
            "run",
            "--simulate-aws",
            "--leader-election=false",
            "--log-format",
            "json",
        ])
        .args(["--health-addr", &format!("127.0.0.1:{port}")])
        .args([
            "--watch-namespaces",
            "team-a",
            "--poll-seconds",
            "1",
            "--retry-seconds",
            "1",
        ])
        .env("KUBECONFIG", &kubeconfig)
        .env("RUST_LOG", "info,kube_runtime=info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    // team-a's channel is reconciled: AWS resources exist, status is written.
    let channels = |ns: &str| Api::<LiveChannel>::namespaced(client.clone(), ns);
    let mut reconciled = None;
    for _ in 0..600 {
        let lc = channels("team-a").get("news").await.unwrap();
        if lc
            .status
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .is_some_and(|r| r.input_id.is_some())
        {
            reconciled = Some(lc);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        reconciled.is_some(),
        "team-a's channel was never reconciled; logs:\n{}",
        std::fs::read_to_string(&log_path).unwrap()
    );

    // /metrics: reconciles, AWS calls and objects per state.
    let mut metrics = String::new();
    for _ in 0..100 {
        metrics = get(port, "/metrics").await.unwrap_or_default();
        if sample(
            &metrics,
            "onair_objects",
            &[r#"kind="LiveChannel""#, r#"state="Reconciling""#],
        ) == Some(1.0)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        sample(
            &metrics,
            "onair_reconciles_total",
            &[r#"kind="LiveChannel""#, r#"outcome="success""#]
        )
        .is_some_and(|n| n >= 1.0),
        "{metrics}"
    );
    assert!(
        sample(
            &metrics,
            "onair_aws_calls_total",
            &[
                r#"service="MediaLive""#,
                r#"operation="create_input""#,
                r#"outcome="ok""#
            ]
        ) == Some(1.0),
        "{metrics}"
    );
    assert!(
        sample(
            &metrics,
            "onair_reconcile_duration_seconds_count",
            &[r#"kind="LiveChannel""#]
        )
        .is_some(),
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "onair_objects",
            &[r#"kind="LiveChannel""#, r#"state="Reconciling""#]
        ),
        Some(1.0),
        "one channel in scope, still coming up: {metrics}"
    );
    assert!(
        metrics.contains("# TYPE onair_aws_throttle_wait_seconds counter"),
        "{metrics}"
    );

    // team-b is outside the scope: untouched, not even a finalizer.
    let other = channels("team-b").get("news").await.unwrap();
    assert!(other.status.is_none(), "{:?}", other.status);
    assert!(other.metadata.finalizers.unwrap_or_default().is_empty());

    operator.start_kill().unwrap();
    let _ = operator.wait().await;
    let logs = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // A reconcile's lines carry the object they are about.
    let about_news = lines.iter().any(|line| {
        line.to_string()
            .contains("LiveChannel.v1alpha1.onair.dev/news.team-a")
    });
    assert!(about_news, "no log line names the object:\n{logs}");
    assert!(!logs.contains("team-b"), "team-b is out of scope:\n{logs}");
    server.stop().await;
}
