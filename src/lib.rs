//! onair: a Kubernetes operator that runs AWS live-streaming workflows.
//!
//! See `shared/DESIGN.md` (and README.md) for the shape of the code.

pub mod api;
#[cfg(feature = "sandbox")]
pub mod apiserver;
pub mod aws;
#[cfg(feature = "sandbox")]
pub mod bench;
pub mod cli;
pub mod controller;
pub mod crd;
pub mod iam;
pub mod k8s;
pub mod leader;
pub mod metrics;
pub mod plan;
pub mod qoe;
pub mod reference;
pub mod run;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod schema;
pub mod token;
pub mod url;
