//! A real control plane for one test, in the manner of controller-runtime's
//! envtest and the Rust `envtest` crate: etcd and kube-apiserver (built by
//! `.ci/k8s-env` from the pinned Go modules) on free loopback ports, with
//! temporary data directories, certificates made at start (`probe certs`),
//! RBAC authorization, ServiceAccount token issuance, and an admin kubeconfig.
//! Everything stops, and the directory goes, when the value is dropped.
//!
//! Unlike envtest, which disables RBAC-relevant checks by default, this one
//! runs `--authorization-mode=RBAC` and keeps every default admission plugin:
//! the operator's ServiceAccount meets the chart's RBAC as it would in a
//! cluster. There is no controller-manager, scheduler or kubelet: nothing
//! runs pods, namespaces never finish terminating and no garbage collector
//! follows owner references.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::support;

/// Where `.ci/k8s-env` leaves the binaries (or `ONAIR_REALK8S_BIN`). The
/// tests fail, never skip, when one is missing.
pub fn bin(tool: &str) -> PathBuf {
    let dir = std::env::var_os("ONAIR_REALK8S_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| support::repo().join("tests/realk8s/bin"));
    let path = dir.join(tool);
    assert!(
        path.is_file(),
        "{} is missing: run `bash .ci/setup` (it builds kube-apiserver, etcd, kubectl, helm \
         and probe from the Go modules in tests/realk8s/go once and caches them)",
        path.display()
    );
    path
}

/// A running etcd + kube-apiserver pair.
pub struct ControlPlane {
    pub dir: PathBuf,
    pub url: String,
    /// Kubeconfig of a cluster admin (client certificate, group system:masters).
    pub admin_kubeconfig: PathBuf,
    etcd: Child,
    apiserver: Child,
}

impl ControlPlane {
    /// Starts one and waits until /readyz answers ok (RBAC's bootstrap roles
    /// included). A port taken between choosing and binding is retried.
    pub fn start(tag: &str) -> Self {
        let mut last = String::new();
        for _ in 0..3 {
            match Self::try_start(tag) {
                Ok(plane) => return plane,
                Err(error) => last = error,
            }
        }
        panic!("the control plane did not start: {last}");
    }

    fn try_start(tag: &str) -> Result<Self, String> {
        let started = Instant::now();
        let dir = support::scratch_dir(&format!("realk8s-{tag}"));
        let pki = dir.join("pki");
        run_ok(Command::new(bin("probe")).arg("certs").arg(&pki))?;
        let [client_port, peer_port, secure_port] = free_ports();

        let etcd_log = std::fs::File::create(dir.join("etcd.log")).map_err(|e| e.to_string())?;
        let client_url = format!("http://127.0.0.1:{client_port}");
        let peer_url = format!("http://127.0.0.1:{peer_port}");
        let etcd = dies_with_parent(&mut Command::new(bin("etcd")))
            .arg("--name=test")
            .arg(format!("--data-dir={}", dir.join("etcd").display()))
            .arg(format!("--listen-client-urls={client_url}"))
            .arg(format!("--advertise-client-urls={client_url}"))
            .arg(format!("--listen-peer-urls={peer_url}"))
            .arg(format!("--initial-advertise-peer-urls={peer_url}"))
            .arg(format!("--initial-cluster=test={peer_url}"))
            // A test's data is thrown away: skip the disk syncs that make
            // etcd slow on shared disks.
            .arg("--unsafe-no-fsync")
            .arg("--log-level=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(etcd_log)
            .spawn()
            .map_err(|e| format!("cannot start etcd: {e}"))?;

        let apiserver_log =
            std::fs::File::create(dir.join("kube-apiserver.log")).map_err(|e| e.to_string())?;
        let file = |name: &str| pki.join(name).display().to_string();
        let apiserver = dies_with_parent(&mut Command::new(bin("kube-apiserver")))
            .arg(format!("--etcd-servers={client_url}"))
            .arg("--bind-address=127.0.0.1")
            .arg("--advertise-address=127.0.0.1")
            // The `kubernetes` Service's endpoints cannot be a loopback
            // address, and nothing here needs them.
            .arg("--endpoint-reconciler-type=none")
            .arg(format!("--secure-port={secure_port}"))
            .arg(format!("--tls-cert-file={}", file("apiserver.crt")))
            .arg(format!("--tls-private-key-file={}", file("apiserver.key")))
            .arg(format!("--client-ca-file={}", file("ca.crt")))
            .arg("--authorization-mode=RBAC")
            .arg("--service-account-issuer=https://kubernetes.default.svc.cluster.local")
            .arg(format!("--service-account-key-file={}", file("sa.pub")))
            .arg(format!(
                "--service-account-signing-key-file={}",
                file("sa.key")
            ))
            // Only an address plan for Service objects; nothing routes it.
            .arg("--service-cluster-ip-range=10.96.0.0/24")
            .arg(format!("--cert-dir={}", dir.join("certs").display()))
            .arg("--profiling=false")
            .arg("--v=1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(apiserver_log)
            .spawn()
            .map_err(|e| format!("cannot start kube-apiserver: {e}"))?;

        let url = format!("https://127.0.0.1:{secure_port}");
        let admin_kubeconfig = dir.join("admin.kubeconfig");
        write_kubeconfig(
            &admin_kubeconfig,
            &url,
            &pki.join("ca.crt"),
            &format!(
                "client-certificate: {}\n    client-key: {}",
                file("admin.crt"),
                file("admin.key")
            ),
            "default",
        );
        let mut plane = Self {
            dir,
            url,
            admin_kubeconfig,
            etcd,
            apiserver,
        };
        plane.wait_ready(Duration::from_secs(120))?;
        eprintln!(
            "realk8s: control plane {tag} ready at {} in {:.1} s",
            plane.url,
            started.elapsed().as_secs_f64()
        );
        Ok(plane)
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        let mut last = String::new();
        while Instant::now() < deadline {
            let exited = [
                ("etcd", &mut self.etcd),
                ("kube-apiserver", &mut self.apiserver),
            ]
            .into_iter()
            .find_map(|(name, child)| Some((name, child.try_wait().ok()??)));
            if let Some((name, status)) = exited {
                return Err(format!(
                    "{name} exited with {status}:\n{}",
                    self.log_tail(name)
                ));
            }
            let out = Command::new(bin("kubectl"))
                .arg("--kubeconfig")
                .arg(&self.admin_kubeconfig)
                .args(["get", "--raw", "/readyz"])
                .stdin(Stdio::null())
                .output()
                .map_err(|e| e.to_string())?;
            if out.status.success() && out.stdout.starts_with(b"ok") {
                return Ok(());
            }
            last = String::from_utf8_lossy(&out.stderr).into_owned();
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(format!(
            "kube-apiserver not ready within {limit:?} ({last}):\n{}",
            self.log_tail("kube-apiserver")
        ))
    }

    /// The last lines a component logged (for failure messages).
    pub fn log_tail(&self, name: &str) -> String {
        let text =
            std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// A kube-rs client acting as the cluster admin.
    pub async fn admin_client(&self) -> kube::Client {
        client_for(&self.admin_kubeconfig).await
    }

    /// A kubeconfig that authenticates with a token of ServiceAccount
    /// `namespace/name` (the TokenRequest API, as `kubectl create token`),
    /// defaulting to that namespace, as a pod's mounted token would.
    pub fn service_account_kubeconfig(&self, namespace: &str, name: &str) -> PathBuf {
        let out = Command::new(bin("kubectl"))
            .arg("--kubeconfig")
            .arg(&self.admin_kubeconfig)
            .args(["create", "token", name, "-n", namespace, "--duration=2h"])
            .stdin(Stdio::null())
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "kubectl create token {namespace}/{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let path = self.dir.join(format!("{namespace}-{name}.kubeconfig"));
        write_kubeconfig(
            &path,
            &self.url,
            &self.dir.join("pki/ca.crt"),
            &format!("token: {token}"),
            namespace,
        );
        path
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        for child in [&mut self.apiserver, &mut self.etcd] {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "realk8s: kube-apiserver's last lines ({}):\n{}",
                self.dir.display(),
                self.log_tail("kube-apiserver")
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub async fn client_for(kubeconfig: &Path) -> kube::Client {
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(kubeconfig).expect("the kubeconfig parses"),
        &Default::default(),
    )
    .await
    .expect("the kubeconfig is usable");
    kube::Client::try_from(config).expect("a client")
}

fn write_kubeconfig(path: &Path, url: &str, ca: &Path, user: &str, namespace: &str) {
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: realk8s
  cluster:
    server: {url}
    certificate-authority: {ca}
users:
- name: user
  user:
    {user}
contexts:
- name: realk8s
  context:
    cluster: realk8s
    user: user
    namespace: {namespace}
current-context: realk8s
",
        ca = ca.display()
    );
    std::fs::write(path, text).expect("the kubeconfig is written");
}

/// Distinct free loopback ports (each bound once by the OS, then released).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<std::net::TcpListener> = (0..N)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port"))
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().unwrap().port())
}

/// Ends the child with the thread that started it, even when the test
/// process dies without unwinding (a control plane never outlives its test).
pub fn dies_with_parent(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        })
    }
}

fn run_ok(command: &mut Command) -> Result<(), String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{command:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
