//! `onair run` starts, connects through a standard kubeconfig, serves /healthz and
//! /readyz, and exits cleanly on SIGTERM.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A stand-in for kube-apiserver that answers only `GET /version`: enough for the
/// connection check `onair run` makes before it reports ready.
fn serve_version_endpoint() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = r#"{"major":"1","minor":"33","gitVersion":"v1.33.0-test","gitCommit":"","gitTreeState":"","buildDate":"","goVersion":"","compiler":"","platform":"linux/amd64"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    Some((status, body))
}

fn wait_for(port: u16, path: &str, status: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some((got, body)) = http_get(port, path) {
            if got == status {
                return body;
            }
        }
        assert!(Instant::now() < deadline, "{path} never answered {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn run_serves_health_becomes_ready_and_stops_on_sigterm() {
    let api_port = serve_version_endpoint();
    let dir = std::env::temp_dir().join(format!("onair-run-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: http://127.0.0.1:{api_port}\n\
             users:\n- name: t\n  user:\n    token: test\ncontexts:\n- name: t\n  context:\n    cluster: t\n    user: t\n\
             current-context: t\n"
        ),
    )
    .unwrap();
    let health_port = support::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_onair"))
        .args([
            "run",
            "--health-addr",
            &format!("127.0.0.1:{health_port}"),
            "--log-format",
            "json",
            // The stub API server answers only /version; leader election has
            // its own tests (tests/leader.rs).
            "--leader-election=false",
        ])
        .env("KUBECONFIG", &kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    assert_eq!(wait_for(health_port, "/healthz", 200), "ok");
    assert_eq!(wait_for(health_port, "/readyz", 200), "ok");

    let status = support::sigterm_and_wait(&mut child, Duration::from_secs(15), "onair run");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(status.success(), "exit status {status}; logs:\n{logs}");
    // JSON logs: one object per line, and the shutdown is logged.
    for line in logs.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
    }
    assert!(logs.contains("connected to the Kubernetes API"), "{logs}");
    assert!(logs.contains("\"stopped\""), "{logs}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn run_without_credentials_says_what_to_fix() {
    let out = Command::new(env!("CARGO_BIN_EXE_onair"))
        .args([
            "run",
            "--health-addr",
            &format!("127.0.0.1:{}", support::free_port()),
        ])
        .env("KUBECONFIG", "/nonexistent/onair-test-kubeconfig")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot find Kubernetes credentials"),
        "{stderr}"
    );
}
