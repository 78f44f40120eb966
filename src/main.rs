//! The `onair` command line: a thin layer over the library.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// onair: run AWS live-streaming workflows (MediaLive, MediaPackage, CloudFront,
/// MediaTailor) from Kubernetes custom resources.
#[derive(Parser)]
#[command(name = "onair", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the operator: connect to Kubernetes (kubeconfig, or in-cluster), serve
    /// /healthz and /readyz, and run until SIGTERM or Ctrl-C (the reconcilers
    /// run inside this process).
    Run(onair::run::RunArgs),
    /// Run a local environment without a cluster. `--api-only` serves the local
    /// Kubernetes API server and writes a kubeconfig for it.
    #[cfg(feature = "sandbox")]
    Sandbox(onair::sandbox::SandboxArgs),
    /// Mint playback tokens for a TokenPolicy, or explain why the edge would
    /// refuse a URL (reads the policy, its keys and channels from the cluster).
    Token {
        #[command(subcommand)]
        command: onair::cli::token::TokenCommand,
    },
    /// Print the configuration every AWS resource of the LiveChannels in a
    /// file would get, without a cluster or AWS (ids AWS chooses are
    /// <placeholders>; secrets are never printed).
    Render(onair::cli::render::RenderArgs),
    /// Compare the LiveChannels in a file with what exists in AWS (their
    /// recorded ids are read from the cluster) and print what onair would
    /// create, update or delete. Exits 0 when in sync, 1 when not.
    Plan(onair::cli::render::PlanArgs),
    /// Insert one ad break now into a LiveChannel's MediaLive schedule (a
    /// SCTE-35 splice insert that an AdInsertion fills with ads).
    AdBreak(onair::cli::ad_break::AdBreakArgs),
    /// Summarise a LiveChannel's CMCD telemetry (CloudFront real-time logs in
    /// its Kinesis stream): requests, error rate, time to first byte, bitrates,
    /// buffer starvations, rebuffer ratio and sessions, overall and per edge.
    Telemetry(onair::cli::telemetry::TelemetryArgs),
    /// Print the least-privilege IAM policy for the operator's role: exactly
    /// the AWS calls onair makes, changes only to resources carrying onair's
    /// owner tag, and iam:PassRole only for the roles given with --pass-role.
    IamPolicy(onair::iam::IamPolicyArgs),
    /// Measure the design targets on the local API server and the AWS
    /// simulation: steady-state AWS calls per resync, convergence of many
    /// channels under AWS rate limits, peak memory.
    #[cfg(feature = "sandbox")]
    Bench(onair::bench::BenchArgs),
    /// Print every onair CustomResourceDefinition as YAML (pipe it to
    /// `kubectl apply -f -`), or write one file per CRD with --output-dir.
    Crd {
        /// Write `<plural>.onair.dev.yaml` files into this directory instead of
        /// printing.
        #[arg(long, conflicts_with = "reference")]
        output_dir: Option<PathBuf>,
        /// Print the Markdown field reference (the one in README.md) instead.
        #[arg(long)]
        reference: bool,
    },
}

/// glibc gives a thread that finds the malloc lock taken an arena of its
/// own, up to eight per core, and seldom hands their free pages back; and
/// once a large block is freed it raises its mmap threshold (up to 32 MiB),
/// so later large buffers (list and watch bodies, JSON of whole objects)
/// land in the heap and leave holes it cannot return. With a multi-threaded
/// runtime the process then holds far more than it uses. One arena and a
/// fixed 64 KiB mmap threshold (large blocks mapped and unmapped whole) keep
/// the resident set near the live heap: `onair bench --channels 1000
/// --ads-and-tokens --rate-scale 40 --max-concurrent-reconciles 64` peaked
/// at 74.6 MiB with two arenas and the dynamic threshold, 68.7 MiB with these
/// (docs/figures.md). The
/// environment's MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ win when set; set
/// before any thread starts.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let unset = |name: &str| std::env::var_os(name).is_none();
        // SAFETY: mallopt only sets allocator parameters; no thread runs yet.
        unsafe {
            if unset("MALLOC_ARENA_MAX") {
                libc::mallopt(libc::M_ARENA_MAX, 1);
            }
            if unset("MALLOC_MMAP_THRESHOLD_") {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024);
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    tune_malloc();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Token { command } => {
            return match onair::cli::token::main(command) {
                Ok(true) => std::process::ExitCode::SUCCESS,
                Ok(false) => std::process::ExitCode::from(1),
                Err(error) => {
                    eprintln!("onair: {error}");
                    std::process::ExitCode::from(2)
                }
            }
        }
        Command::Run(args) => onair::run::main(args),
        Command::AdBreak(args) => onair::cli::ad_break::main(args).map_err(onair::run::Error::Io),
        Command::Telemetry(args) => {
            onair::cli::telemetry::main(args).map_err(onair::run::Error::Io)
        }
        Command::IamPolicy(args) => onair::iam::main(args).map_err(onair::run::Error::Io),
        #[cfg(feature = "sandbox")]
        Command::Bench(args) => onair::bench::main(args).map_err(onair::run::Error::Io),
        Command::Render(args) => {
            onair::cli::render::render_main(args).map_err(|e| onair::run::Error::Io(e.to_string()))
        }
        Command::Plan(args) => {
            return match onair::cli::render::plan_main(args) {
                Ok(true) => std::process::ExitCode::SUCCESS,
                Ok(false) => std::process::ExitCode::from(1),
                Err(error) => {
                    eprintln!("onair: {error}");
                    std::process::ExitCode::from(2)
                }
            }
        }
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => onair::sandbox::main(args),
        Command::Crd {
            reference: true, ..
        } => {
            print!("{}", onair::reference::markdown());
            Ok(())
        }
        Command::Crd {
            output_dir: None, ..
        } => {
            print!("{}", onair::crd::all_yaml());
            Ok(())
        }
        Command::Crd {
            output_dir: Some(dir),
            ..
        } => write_crds(&dir),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("onair: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn write_crds(dir: &std::path::Path) -> Result<(), onair::run::Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| onair::run::Error::Io(format!("cannot create {}: {e}", dir.display())))?;
    for (name, contents) in onair::crd::files() {
        let path = dir.join(name);
        std::fs::write(&path, contents)
            .map_err(|e| onair::run::Error::Io(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}
