//! The real implementations of the service traits, on the official aws-sdk crates.

pub mod cloudfront;
pub mod kinesis;
pub mod medialive;
pub mod mediapackage;
pub mod mediapackagevod;
pub mod mediatailor;
pub mod s3;
pub mod secretsmanager;
pub mod sts;
pub mod wafv2;
