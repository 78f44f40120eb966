//! Pure planning: a custom object's spec (and what it references) becomes the
//! desired configuration of each AWS resource it owns, and a comparison with
//! what AWS reports becomes the step to take. No I/O here: the reconcilers
//! act on these answers, and `onair render` / `onair plan` print them.

pub mod aws_provider;
pub mod cloudfront;
pub mod diff;
pub mod failure;
pub mod harvest;
pub mod live_channel;
pub mod live_channel_validation;
pub mod medialive;
pub mod mediapackage;
pub mod mediatailor;
pub mod telemetry;
pub mod token_policy;
pub mod watched;
