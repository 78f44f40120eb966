//! The commands that are not the operator itself, each a thin layer over the
//! library: `onair render` and `onair plan` ([`render`]), `onair token`
//! ([`token`]), `onair telemetry` ([`telemetry`]) and `onair ad-break`
//! ([`ad_break`]). They sit above the reconcilers: they may use any layer,
//! and nothing but `main.rs` uses them.

pub mod ad_break;
pub mod render;
pub mod telemetry;
pub mod token;
