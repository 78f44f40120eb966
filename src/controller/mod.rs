//! The reconcilers and what they share. Being built: today the condition
//! bookkeeping, the shared child-resource driver and the MediaLive children.

pub mod children;
pub mod conditions;
pub mod medialive;
pub mod mediapackage;
