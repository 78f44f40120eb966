//! The real implementations of the service traits, on the official aws-sdk crates.

pub mod cloudfront;
pub mod medialive;
pub mod mediatailor;
pub mod wafv2;
