//! Leader election: several replicas run, the one holding a Lease reconciles.
//! The Lease is kept by kube-lease-manager; this module starts the work when
//! the lease is won, stops it as soon as it is lost, and releases the lease on
//! shutdown so another replica takes over at once instead of after expiry.

use std::future::Future;

use kube_lease_manager::LeaseManagerBuilder;
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// Which Lease, and who we are.
#[derive(Debug, Clone)]
pub struct LeaderSettings {
    pub lease_name: String,
    pub namespace: String,
    /// Unique per replica (the pod name).
    pub identity: String,
    /// How long a lease lasts without renewal.
    pub duration_seconds: u64,
    /// How long before expiry the holder renews it.
    pub grace_seconds: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot take part in leader election on Lease {namespace}/{lease}: {message}")]
pub struct LeaderError {
    lease: String,
    namespace: String,
    message: String,
}

/// Runs `work` while this replica holds the lease, until `shutdown` resolves.
/// Losing the lease aborts the work at once; winning it again starts it anew.
pub async fn run_as_leader<W, Fut>(
    client: kube::Client,
    settings: &LeaderSettings,
    shutdown: impl Future<Output = ()>,
    work: W,
) -> Result<(), LeaderError>
where
    W: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let manager = LeaseManagerBuilder::new(client, &settings.lease_name)
        .with_namespace(&settings.namespace)
        .with_identity(&settings.identity)
        .with_duration(settings.duration_seconds)
        .with_grace(settings.grace_seconds)
        .build()
        .await
        .map_err(|e| LeaderError {
            lease: settings.lease_name.clone(),
            namespace: settings.namespace.clone(),
            message: e.to_string(),
        })?;
    let (mut leading, election) = manager.watch().await;
    let mut running: Option<AbortOnDrop> = None;
    tokio::pin!(shutdown);
    loop {
        let is_leader = *leading.borrow_and_update();
        match (is_leader, running.is_some()) {
            (true, false) => {
                info!(identity = %settings.identity, lease = %settings.lease_name, "became the leader; reconciling");
                running = Some(AbortOnDrop(tokio::spawn(work())));
            }
            (false, true) => {
                warn!(identity = %settings.identity, lease = %settings.lease_name, "lost the lease; stopped reconciling");
                running = None;
            }
            _ => {}
        }
        tokio::select! {
            _ = &mut shutdown => break,
            changed = leading.changed() => if changed.is_err() {
                // The election task ended on its own: it failed. Stop working
                // and say why, so the process restarts instead of idling.
                drop(running.take());
                let message = match election.await {
                    Ok(Err(e)) => e.to_string(),
                    Ok(Ok(_)) => "the election ended unexpectedly".to_string(),
                    Err(e) => e.to_string(),
                };
                return Err(LeaderError {
                    lease: settings.lease_name.clone(),
                    namespace: settings.namespace.clone(),
                    message,
                });
            },
        }
    }
    // Dropping the work aborts it.
    drop(running.take());
    // Closing the channel makes the election task release the lease.
    drop(leading);
    let _ = election.await;
    info!(identity = %settings.identity, "released the lease");
    Ok(())
}

/// The work stops with its owner, even when the election future is dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
