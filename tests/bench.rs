//! `onair bench` end to end, small: the command that prints the scale figures
//! runs, converges and reports a steady state without writes. (The figures
//! themselves are measured with a release build; see docs/figures.md.)

use std::process::Command;

#[test]
fn a_small_bench_converges_and_reports_its_figures() {
    let output = Command::new(env!("CARGO_BIN_EXE_onair"))
        .args([
            "bench",
            "--channels",
            "3",
            "--ads-and-tokens",
            "--timeout-seconds",
            "180",
        ])
        .env("RUST_LOG", "warn")
        .output()
        .expect("onair runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for figure in [
        "converged: 3 channels Ready and RUNNING",
        "ratio to the bound of the calls made: ",
        "ratio to the necessary-calls bound: ",
        "steady-state AWS calls per channel per hour, at `onair run`'s resync of 600 s: 66.0",
        "steady state, one resync: 0 writes and 11.00 reads per channel (1.00 reads per resource",
        "first resync after converging: 0 writes and ",
        "CPU per no-op reconcile",
        "peak memory of the operator process",
        // A fresh operator against the 9 converged objects: at work, every
        // object looked at, nothing written to AWS.
        "cold start (a fresh operator, 9 Ready objects): first reconcile after ",
        "cold start calls: 0 writes and ",
        "cold start's bound (one resync's reads at the limits, ",
    ] {
        assert!(
            stdout.contains(figure),
            "{figure:?} missing from:\n{stdout}"
        );
    }
}
