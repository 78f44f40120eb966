//! A local Kubernetes API server, in process, over real HTTP on loopback.
//!
//! No kube-apiserver can run on the machines onair is developed and tested on,
//! so this one stands in for it: the unchanged kube-rs client and the real
//! `kubectl` talk to it. It follows the Kubernetes API conventions where the
//! operator and users rely on them: discovery, CRDs that register their
//! resources (validated against their OpenAPI schema and CEL rules), namespaces,
//! resourceVersion and conflicts, generation, the status subresource,
//! finalizers and deletionTimestamp, merge / JSON / strategic patches and
//! server-side apply with field managers, label and field selectors, list
//! pagination, watches with bookmarks and 410 Gone, and Table output.
//!
//! State lives in memory and ends with the server. Tests and `onair sandbox`
//! start it with [`LocalApiServer::start`].

mod error;
mod events;
mod http;
mod managed;
mod openapi;
mod patch;
mod path;
mod protobuf;
mod registry;
mod selector;
mod state;
mod table;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How the server behaves where tests want to control it.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// How many changes watches can resume from; older resourceVersions get 410.
    pub history: usize,
    /// How often a watch that asked for bookmarks gets one.
    pub bookmark_interval: Duration,
    /// Changes a watch may fall behind before it catches up from the history.
    pub watch_buffer: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            history: 10_000,
            bookmark_interval: Duration::from_secs(5),
            watch_buffer: 4096,
        }
    }
}

/// A running server. Stop it with [`LocalApiServer::stop`]; dropping it stops
/// it too, without waiting.
pub struct LocalApiServer {
    address: SocketAddr,
    shared: Arc<http::Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl LocalApiServer {
    /// Starts a server on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(options.listen).await?;
        let address = listener.local_addr()?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(http::Shared {
            state: Mutex::new(state::State::new(options.history, options.watch_buffer)),
            bookmark_interval: options.bookmark_interval,
            catch_ups: Default::default(),
            shutdown: shutdown_rx.clone(),
        });
        let router = axum::Router::new()
            .fallback(http::handle)
            .with_state(shared.clone());
        let mut stop = shutdown_rx;
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            });
            if let Err(error) = serving.await {
                tracing::error!(%error, "local API server failed");
            }
        });
        Ok(Self {
            address,
            shared,
            shutdown,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A kubeconfig for this server (context `onair-local`, namespace `default`).
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: onair-local\n  cluster:\n    server: {url}\n\
             contexts:\n- name: onair-local\n  context:\n    cluster: onair-local\n    user: onair-local\n    namespace: default\n\
             current-context: onair-local\nusers:\n- name: onair-local\n  user: {{}}\npreferences: {{}}\n",
            url = self.url()
        )
    }

    /// Writes the kubeconfig atomically (a reader never sees half a file).
    pub fn write_kubeconfig(&self, path: &Path) -> std::io::Result<()> {
        let partial = path.with_extension("partial");
        std::fs::write(&partial, self.kubeconfig())?;
        std::fs::rename(&partial, path)
    }

    /// A kube-rs client for this server, default namespace `default`.
    pub fn client(&self) -> kube::Client {
        let url = self.url().parse().expect("the server URL is a valid URI");
        kube::Client::try_from(kube::Config::new(url))
            .expect("a plain-HTTP client needs no TLS setup")
    }

    /// The current resourceVersion of the store.
    pub fn resource_version(&self) -> u64 {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .resource_version()
    }

    /// How many times a watch fell behind and caught up from the history.
    pub fn watch_catch_ups(&self) -> u64 {
        self.shared
            .catch_ups
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets the change history (as etcd compaction does): watches from an
    /// earlier resourceVersion get 410 Gone and must list again.
    pub fn compact(&self) {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .compact();
    }

    /// Stops serving: ends every watch, then waits for connections to close.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let aborter = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                aborter.abort();
            }
        }
    }
}

impl Drop for LocalApiServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
