//! `onair bench --kubeconfig`: the scale benchmark against a real
//! kube-apiserver (with the AWS simulation as always). Small here, so it
//! proves the path; docs/figures.md gives the figures of a larger run
//! (`ONAIR_REALK8S_BENCH_CHANNELS=200 cargo test --release --test realk8s
//! bench -- --nocapture`).

use std::process::Command;

use super::control_plane::ControlPlane;

#[test]
fn onair_bench_runs_against_a_real_kube_apiserver() {
    let channels =
        std::env::var("ONAIR_REALK8S_BENCH_CHANNELS").unwrap_or_else(|_| "5".to_string());
    let plane = ControlPlane::start("bench");
    let output = Command::new(env!("CARGO_BIN_EXE_onair"))
        .args(["bench", "--ads-and-tokens", "--timeout-seconds", "600"])
        .args(["--channels", &channels])
        .arg("--kubeconfig")
        .arg(&plane.admin_kubeconfig)
        .env("RUST_LOG", "warn")
        .output()
        .expect("onair runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for figure in [
        "Kubernetes: the cluster of ".to_string(),
        format!("converged: {channels} channels Ready and RUNNING"),
        "ratio to the bound of the calls made: ".to_string(),
        "ratio to the necessary-calls bound: ".to_string(),
        // One read per AWS resource and no write in a resync, as on the
        // local server.
        "steady state, one resync: 0 writes and 11.00 reads per channel (1.00 reads per resource"
            .to_string(),
        "first resync after converging: 0 writes and ".to_string(),
        "peak memory of the operator process".to_string(),
        // A restart against the converged objects writes nothing to AWS.
        format!(
            "cold start (a fresh operator, {} Ready objects): first reconcile after ",
            3 * channels.parse::<usize>().expect("a channel count")
        ),
        "cold start calls: 0 writes and ".to_string(),
    ] {
        assert!(
            stdout.contains(&figure),
            "{figure:?} missing from:\n{stdout}"
        );
    }
}
