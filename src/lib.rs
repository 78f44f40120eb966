//! onair: a Kubernetes operator that runs AWS live-streaming workflows.
//!
//! See `shared/DESIGN.md` (and README.md) for the shape of the code.

pub mod ad_break;
pub mod api;
pub mod apiserver;
pub mod aws;
pub mod bench;
pub mod controller;
pub mod crd;
pub mod iam;
pub mod leader;
pub mod metrics;
pub mod plan;
pub mod reference;
pub mod render;
pub mod run;
pub mod sandbox;
pub mod schema;
pub mod telemetry;
pub mod token;
