//! `onair sandbox`: one command brings up the API server, the simulated AWS
//! and the operator, applies the examples and reports them all Ready; the
//! kubeconfig it writes works; SIGTERM stops it cleanly.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kube::api::Api;
use onair::api::{AdInsertion, HarvestJob, LiveChannel, TokenPolicy};

#[test]
fn the_sandbox_runs_the_examples_until_every_object_is_ready() {
    let dir = support::scratch_dir("sandbox");
    let kubeconfig = dir.join("kubeconfig");
    let mut sandbox = Command::new(env!("CARGO_BIN_EXE_onair"))
        .args(["sandbox", "--aws-speed", "60", "--kubeconfig"])
        .arg(&kubeconfig)
        .current_dir(support::repo())
        .env_remove("AWS_ENDPOINT_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = sandbox.stdout.take().unwrap();
    let (lines, received) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut output = Vec::new();
    let ready = loop {
        match received.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                let done = line.starts_with("All 4 onair objects are Ready");
                output.push(line);
                if done {
                    break true;
                }
            }
            Err(_) => break false,
        }
    };
    let text = output.join("\n");
    if !ready {
        let _ = sandbox.kill();
        panic!("the sandbox never reported every object Ready:\n{text}");
    }
    assert!(
        text.contains(&format!("export KUBECONFIG={}", kubeconfig.display())),
        "{text}"
    );
    for kind in [
        "AwsProvider",
        "Secret",
        "LiveChannel",
        "AdInsertion",
        "TokenPolicy",
        "HarvestJob",
    ] {
        assert!(
            text.contains(&format!("applied {kind} ")),
            "{kind} not applied:\n{text}"
        );
    }
    assert!(
        text.contains("LiveChannel default/sports-1: Ready (Running)"),
        "{text}"
    );

    // The kubeconfig it printed reaches the same cluster.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&kubeconfig).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
        let client = kube::Client::try_from(config).unwrap();
        let channel = Api::<LiveChannel>::namespaced(client.clone(), "default")
            .get("sports-1")
            .await
            .unwrap();
        let status = channel.status.unwrap();
        assert_eq!(status.channel_state.as_deref(), Some("RUNNING"));
        assert!(status.playback.and_then(|p| p.hls).is_some());
        assert_eq!(status.token_policy.as_deref(), Some("sports-1-tokens"));
        assert_eq!(
            Api::<AdInsertion>::all(client.clone())
                .list(&Default::default())
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        assert_eq!(
            Api::<TokenPolicy>::all(client.clone())
                .list(&Default::default())
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        assert_eq!(
            Api::<HarvestJob>::all(client)
                .list(&Default::default())
                .await
                .unwrap()
                .items
                .len(),
            1
        );
    });

    let killed = Command::new("kill")
        .args(["-TERM", &sandbox.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stop = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = sandbox.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < stop, "the sandbox did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}
