//! The commands that are not the operator itself, each a thin layer over the
//! library: `onair render` and `onair plan` ([`render`], with
//! [`render_token_policy`] for TokenPolicies and `objects` reading the
//! file), `onair token`
//! ([`token`]), `onair telemetry` ([`telemetry`]) and `onair ad-break`
//! ([`ad_break`]). They sit above the reconcilers: they may use any layer,
//! and nothing but `main.rs` uses them.

pub mod ad_break;
mod objects;
pub mod render;
pub mod render_token_policy;
pub mod telemetry;
pub mod token;
