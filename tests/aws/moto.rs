//! A moto server per test, on a free loopback port, stopped when dropped.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

    fn start_env(env: &[(&str, &str)]) -> Self {
        let port = crate::support::free_port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not listen on port {port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
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
