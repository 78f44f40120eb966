//! `onair sandbox`: one command brings up the API server, the simulated AWS
//! and the operator, applies the examples and reports them all Ready; the
//! kubeconfig it writes works; SIGTERM stops it cleanly. Its API server has
//! no authentication: an address other machines reach is refused unless
//! `--insecure-allow-remote` is given, and then it warns.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use kube::api::Api;
use onair::api::{AdInsertion, HarvestJob, LiveChannel, TokenPolicy};

/// How many objects of kind `K` the cluster holds, in all namespaces.
async fn count<K>(client: &kube::Client) -> usize
where
    K: kube::Resource<DynamicType = ()> + Clone + std::fmt::Debug + serde::de::DeserializeOwned,
{
    Api::<K>::all(client.clone())
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .len()
}

#[test]
fn the_sandbox_runs_the_examples_until_every_object_is_ready() {
    let mut sandbox = support::sandbox::Sandbox::start("sandbox", &["--aws-speed", "60"], &[]);
    let ready = sandbox.wait_for_line(Duration::from_secs(240), |line| {
        line.starts_with("All 5 onair objects are Ready")
    });
    let text = sandbox.text();
    assert!(
        ready,
        "the sandbox never reported every object Ready:\n{text}"
    );
    let (kubeconfig, log_file) = (sandbox.kubeconfig.clone(), sandbox.log_file.clone());
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
    assert!(text.contains("AwsProvider media-prod: Ready"), "{text}");
    // Not a terminal: plain lines, no escape codes; the operator's logs went
    // to the file, plain too.
    assert!(!text.contains('\x1b'), "{text}");
    assert!(
        text.contains(&format!("Operator logs: {}", log_file.display())),
        "{text}"
    );
    let logs = std::fs::read_to_string(&log_file).unwrap();
    assert!(logs.contains("LiveChannel controller started"), "{logs}");
    assert!(!logs.contains('\x1b'), "{logs}");

    // The kubeconfig it printed reaches the same cluster.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = sandbox.client().await;
        let channel = Api::<LiveChannel>::namespaced(client.clone(), "default")
            .get("sports-1")
            .await
            .unwrap();
        let status = channel.status.unwrap();
        assert_eq!(status.channel_state.as_deref(), Some("RUNNING"));
        assert!(status.playback.and_then(|p| p.hls).is_some());
        assert_eq!(status.token_policy.as_deref(), Some("sports-1-tokens"));
        assert_eq!(count::<AdInsertion>(&client).await, 1, "AdInsertions");
        assert_eq!(count::<TokenPolicy>(&client).await, 1, "TokenPolicies");
        assert_eq!(count::<HarvestJob>(&client).await, 1, "HarvestJobs");
    });

    sandbox.stop();
}

/// `onair sandbox --api-only` with these flags, until it prints its first
/// line on stdout (then SIGTERM) or exits: (its exit status if it exited
/// by itself, that line, stderr).
fn api_only(tag: &str, flags: &[&str]) -> (Option<std::process::ExitStatus>, String, String) {
    let dir = support::scratch_dir(tag);
    let mut sandbox = Command::new(env!("CARGO_BIN_EXE_onair"))
        .args(["sandbox", "--api-only", "--kubeconfig"])
        .arg(dir.join("kubeconfig"))
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(sandbox.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let exited = if first.is_empty() {
        // Closed stdout without a line: it is exiting.
        Some(sandbox.wait().unwrap())
    } else {
        // Serving: stop it the way a user would.
        let killed = Command::new("kill")
            .args(["-TERM", &sandbox.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        sandbox.wait().unwrap();
        None
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut sandbox.stderr.take().unwrap(), &mut stderr).unwrap();
    (exited, first, stderr)
}

#[test]
fn the_sandbox_refuses_to_serve_other_machines_without_insecure_allow_remote() {
    for listen in ["0.0.0.0:0", "[::]:0", "192.0.2.10:0"] {
        let (exited, stdout, stderr) = api_only("sandbox-remote", &["--listen", listen]);
        let status = exited.unwrap_or_else(|| panic!("--listen {listen} was served: {stdout}"));
        assert!(!status.success(), "{listen}: {status}");
        assert!(stdout.is_empty(), "{listen}: {stdout}");
        assert!(
            stderr.contains(&format!("--listen {listen}"))
                && stderr.contains("not a loopback address")
                && stderr.contains("--insecure-allow-remote"),
            "{listen}: {stderr}"
        );
    }
    // Loopback, by any name, needs no flag.
    for listen in ["127.0.0.1:0", "[::1]:0", "localhost:0"] {
        let (exited, stdout, stderr) = api_only("sandbox-loopback", &["--listen", listen]);
        assert!(exited.is_none(), "{listen} was refused: {stderr}");
        assert!(
            stdout.starts_with("Local Kubernetes API server at http://"),
            "{listen}: {stdout}"
        );
        assert!(!stderr.contains("WARNING"), "{listen}: {stderr}");
    }
    // With the flag it serves, and says loudly what that means.
    let (exited, stdout, stderr) = api_only(
        "sandbox-allowed",
        &["--listen", "0.0.0.0:0", "--insecure-allow-remote"],
    );
    assert!(exited.is_none(), "refused with the flag: {stderr}");
    assert!(
        stdout.starts_with("Local Kubernetes API server at http://0.0.0.0:"),
        "{stdout}"
    );
    assert!(
        stderr.contains("WARNING")
            && stderr.contains("Anyone who can reach this address controls it"),
        "{stderr}"
    );
}
