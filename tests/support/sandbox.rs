//! `onair sandbox` as a user runs it: a child process whose stdout (not a
//! terminal, so plain lines) is read as it comes, with its kubeconfig and
//! log file in a scratch directory.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Sandbox {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every stdout line read so far.
    pub output: Vec<String>,
    pub kubeconfig: PathBuf,
    pub log_file: PathBuf,
}

impl Sandbox {
    /// Starts `onair sandbox` with `flags`, in the repository (so
    /// `examples/` is found), with `env` set and `AWS_ENDPOINT_URL` only if
    /// `env` sets it.
    pub fn start(tag: &str, flags: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = super::scratch_dir(tag);
        let kubeconfig = dir.join("kubeconfig");
        let log_file = dir.join("sandbox.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_onair"));
        command
            .arg("sandbox")
            .args(flags)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("--log-file")
            .arg(&log_file)
            .current_dir(super::repo())
            .env_remove("AWS_ENDPOINT_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            lines,
            output: Vec::new(),
            kubeconfig,
            log_file,
        }
    }

    /// Reads lines until one `matches` (true) or `within` passes (false).
    pub fn wait_for_line(&mut self, within: Duration, matches: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + within;
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => {
                    let found = matches(&line);
                    self.output.push(line);
                    if found {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
    }

    /// The output so far, one string.
    pub fn text(&self) -> String {
        self.output.join("\n")
    }

    /// A client of the sandbox's API server, through the kubeconfig it wrote.
    pub async fn client(&self) -> kube::Client {
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&self.kubeconfig).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
        kube::Client::try_from(config).unwrap()
    }

    /// Stops it as Ctrl-C would; it must exit cleanly.
    pub fn stop(mut self) {
        let status =
            super::sigterm_and_wait(&mut self.child, Duration::from_secs(20), "the sandbox");
        assert!(status.success(), "{status}");
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // A failed test must not leave the process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
