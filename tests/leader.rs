//! Leader election against the local API server: exactly one of several
//! replicas works; when it stops (cleanly or killed), another takes over.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use onair::apiserver::LocalApiServer;
use onair::leader::{run_as_leader, LeaderSettings};
use tokio::sync::oneshot;

struct Replica {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    working: Arc<AtomicUsize>,
}

fn replica(server: &LocalApiServer, identity: &str) -> Replica {
    let settings = LeaderSettings {
        lease_name: "onair-leader".into(),
        namespace: "default".into(),
        identity: identity.into(),
        duration_seconds: 2,
        grace_seconds: 1,
    };
    let working = Arc::new(AtomicUsize::new(0));
    let (stop, stopped) = oneshot::channel::<()>();
    let client = server.client();
    let counter = working.clone();
    let task = tokio::spawn(async move {
        let work = move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                // Decrement when aborted: the guard drops with the task.
                let _guard = Leaving(counter);
                std::future::pending::<()>().await;
            }
        };
        run_as_leader(
            client,
            &settings,
            async {
                let _ = stopped.await;
            },
            work,
        )
        .await
        .unwrap();
    });
    Replica {
        stop: Some(stop),
        task,
        working,
    }
}

struct Leaving(Arc<AtomicUsize>);

impl Drop for Leaving {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn until(what: &str, timeout: Duration, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exactly_one_replica_works_and_another_takes_over() {
    let server = LocalApiServer::start().await.unwrap();
    let mut replicas = vec![
        replica(&server, "a"),
        replica(&server, "b"),
        replica(&server, "c"),
    ];
    let total = |rs: &[Replica]| {
        rs.iter()
            .map(|r| r.working.load(Ordering::SeqCst))
            .sum::<usize>()
    };
    until("one replica leads", Duration::from_secs(10), || {
        total(&replicas) == 1
    })
    .await;
    // And it stays one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(total(&replicas), 1);

    // A clean stop releases the lease: another replica takes over quickly.
    let leader = replicas
        .iter()
        .position(|r| r.working.load(Ordering::SeqCst) == 1)
        .unwrap();
    let mut stopped = replicas.remove(leader);
    stopped.stop.take().unwrap().send(()).unwrap();
    stopped.task.await.unwrap();
    until(
        "another replica leads after a clean stop",
        Duration::from_secs(5),
        || total(&replicas) == 1,
    )
    .await;

    for mut r in replicas {
        r.stop.take().unwrap().send(()).unwrap();
        r.task.await.unwrap();
    }
    server.stop().await;
}

/// Two `onair run` processes: one holds the Lease; kill -9 it and the other
/// takes over once the lease expires.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_leader_process_is_replaced_after_the_lease_expires() {
    use k8s_openapi::api::coordination::v1::Lease;
    use tokio::process::Command;

    let server = LocalApiServer::start().await.unwrap();
    let dir = support::scratch_dir("leader-processes");
    let kubeconfig = dir.join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let start = |identity: &str| {
        Command::new(env!("CARGO_BIN_EXE_onair"))
            .args([
                "run",
                "--health-addr",
                "127.0.0.1:0",
                "--identity",
                identity,
            ])
            .args([
                "--lease-duration-seconds",
                "3",
                "--lease-grace-seconds",
                "1",
            ])
            .env("KUBECONFIG", &kubeconfig)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    };
    let mut first = start("replica-a");
    let leases: kube::Api<Lease> = kube::Api::namespaced(server.client(), "default");
    let holder = || async {
        leases
            .get_opt("onair-leader")
            .await
            .unwrap()
            .and_then(|l| l.spec)
            .and_then(|s| s.holder_identity)
    };
    for _ in 0..250 {
        if holder().await.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(holder().await.as_deref(), Some("replica-a"));
    let mut second = start("replica-b");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        holder().await.as_deref(),
        Some("replica-a"),
        "one leader at a time"
    );

    // SIGKILL: no release; the lease must expire first.
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let killed_at = std::time::Instant::now();
    let mut took_over = None;
    for _ in 0..500 {
        if holder().await.as_deref() == Some("replica-b") {
            took_over = Some(killed_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took_over = took_over.expect("replica-b never took over");
    assert!(
        took_over < Duration::from_secs(8),
        "took over after {took_over:?}"
    );
    second.start_kill().unwrap();
    let _ = second.wait().await;
    server.stop().await;
}
