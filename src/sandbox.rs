//! `onair sandbox`: a local environment to try onair without a cluster.
//! Today it serves the local Kubernetes API server (`--api-only`); the
//! simulated AWS and the operator join it in the sandbox issue.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::apiserver::{LocalApiServer, Options};
use crate::run::{init_logging, shutdown_signal, Error, LogFormat};

/// Flags of `onair sandbox`.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Serve only the local Kubernetes API server (no simulated AWS, no operator).
    #[arg(long)]
    pub api_only: bool,
    /// Where to write a kubeconfig for the local API server.
    #[arg(long)]
    pub kubeconfig: PathBuf,
    /// Address to listen on; port 0 picks a free loopback port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
}

pub fn main(args: SandboxArgs) -> Result<(), Error> {
    init_logging(LogFormat::Text);
    if !args.api_only {
        return Err(Error::Io(
            "only `onair sandbox --api-only` is available in this version: it serves the local \
             Kubernetes API server; add --api-only"
                .into(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let options = Options {
            listen: args.listen,
            ..Options::default()
        };
        let server = LocalApiServer::start_with(options)
            .await
            .map_err(|e| Error::Io(format!("cannot listen on {}: {e}", args.listen)))?;
        server
            .write_kubeconfig(&args.kubeconfig)
            .map_err(|e| Error::Io(format!("cannot write {}: {e}", args.kubeconfig.display())))?;
        tracing::info!(
            url = %server.url(),
            kubeconfig = %args.kubeconfig.display(),
            "local Kubernetes API server ready"
        );
        shutdown_signal().await;
        server.stop().await;
        tracing::info!("stopped");
        Ok(())
    })
}
