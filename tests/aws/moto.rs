//! A moto server per test, on a free loopback port, stopped when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use onair::aws::clients::{ClientSettings, SdkClients};

pub struct Moto {
    child: Child,
    pub url: String,
}

fn moto_server() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        bin.exists(),
        "{} is missing: run `bash .ci/setup` to install the pinned moto server",
        bin.display()
    );
    bin
}

impl Moto {
    pub fn start() -> Self {
        Self::start_env(&[])
    }

    /// A moto that checks credentials and IAM permissions like AWS, after
    /// the first `unchecked` calls (which set up users and keys).
    pub fn start_checking_iam_after(unchecked: u32) -> Self {
        Self::start_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", &unchecked.to_string())])
    }

    /// Starts moto on a free port. The port is free when chosen, not
    /// necessarily when moto binds it: another test's server may take it
    /// first, and then a connect would reach that one (and fail once it
    /// stops). So this waits for moto's own word that it listens ("Running
    /// on", which werkzeug prints after binding) and tries another port
    /// when it exits instead.
    fn start_env(env: &[(&str, &str)]) -> Self {
        for _attempt in 0..5 {
            let port = crate::support::free_port();
            let mut child = Command::new(moto_server())
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start moto_server");
            let stderr = child.stderr.take().expect("piped stderr");
            let (listening, told) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                use std::io::BufRead;
                let mut told = Some(listening);
                // Read to the end: moto blocks once a pipe nobody reads is full.
                for line in std::io::BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if line.contains("Running on") {
                        if let Some(listening) = told.take() {
                            let _ = listening.send(true);
                        }
                    }
                }
                if let Some(listening) = told {
                    let _ = listening.send(false);
                }
            });
            match told.recv_timeout(Duration::from_secs(60)) {
                Ok(true) => {
                    return Self {
                        child,
                        url: format!("http://127.0.0.1:{port}"),
                    }
                }
                // The port was taken in the meantime: moto exited.
                Ok(false) => {
                    let _ = child.wait();
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("moto did not listen on port {port} within 60 s");
                }
            }
        }
        panic!("moto found no free port in 5 attempts");
    }

    pub async fn clients(&self) -> SdkClients {
        SdkClients::load(settings(&self.url)).await
    }
}

/// Settings for an emulator at `url`: fixed credentials, us-east-1.
pub fn settings(url: &str) -> ClientSettings {
    ClientSettings {
        region: "us-east-1".into(),
        endpoint_url: Some(url.into()),
        static_credentials: Some(("testing".into(), "testing".into())),
        ..Default::default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
