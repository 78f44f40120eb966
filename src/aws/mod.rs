//! The AWS side of onair: one small trait per service, implemented on the aws-sdk
//! crates ([`sdk`]) and by an in-memory simulation ([`sim`]), both wrapped by the same
//! [`guard`] (shared rate limits, retries). Reconcilers see only the traits and
//! onair's own request and response types, never SDK types.
//!
//! ```text
//! error      AwsError: one error type, one mapping from every SDK error
//! service    the services and their default request budgets
//! intercept  aws_api! (trait + decorator), Interceptor, Intercepted
//! guard      rate limiters per (account, region, service), retry with full jitter
//! clients    SDK configuration per (region, credentials): default chain, AssumeRole,
//!            endpoint overrides, ring-only TLS, SDK retries off
//! ownership  owner tags, idempotency tokens, deterministic ids
//! medialive ... one module per service: its trait and types
//! sdk/       the real implementations
//! sim/       the simulation
//! remote     the simulation in another process (every trait over one protocol)
//! ```

pub mod accounts;
pub mod apis;
pub mod children;
pub mod clients;
pub mod cloudfront;
pub mod error;
pub mod firehose;
pub mod guard;
pub mod intercept;
pub mod kinesis;
pub mod medialive;
pub mod mediapackage;
pub mod mediapackagev2;
pub mod mediapackagevod;
pub mod mediatailor;
pub mod ownership;
pub mod probe;
#[cfg(feature = "sandbox")]
pub mod remote;
pub mod s3;
#[cfg(feature = "aws-sdk")]
pub mod sdk;
pub mod secret;
pub mod secretsmanager;
pub mod service;
#[cfg(feature = "sandbox")]
pub mod sim;
pub mod sts;
pub mod wafv2;
#[cfg(feature = "sandbox")]
pub mod wire;

pub use apis::AwsApis;
pub use error::{AwsError, ErrorKind};
pub use service::Service;
