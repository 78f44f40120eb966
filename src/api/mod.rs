//! The onair custom resources (API group `onair.dev`, version `v1alpha1`).
//!
//! One file per kind; `common` holds what they share. These types are the single
//! source of the CRD schemas in `crds/` and in the Helm chart.

// kube's `printcolumn(...)` attributes repeat `type_ = ...` by design; clippy mistakes
// them for duplicated attributes.
#![allow(clippy::duplicated_attributes)]

pub mod ad_insertion;
pub mod aws_provider;
pub mod common;
pub mod harvest_job;
pub mod live_channel;
pub mod token_policy;

pub use ad_insertion::{AdInsertion, AdInsertionSpec, AdInsertionStatus};
pub use aws_provider::{AwsProvider, AwsProviderSpec, AwsProviderStatus};
pub use common::{Condition, ConditionStatus, DeletionPolicy};
pub use harvest_job::{HarvestJob, HarvestJobSpec, HarvestJobStatus};
pub use live_channel::{LiveChannel, LiveChannelSpec, LiveChannelStatus};
pub use token_policy::{TokenPolicy, TokenPolicySpec, TokenPolicyStatus};

/// A kind whose status keeps conditions: what lets the steps every kind
/// shares (`controller::kit::deletion`, `controller::kit::pause`) report on
/// any of them.
pub trait Conditioned {
    type Status: Default + Clone + serde::Serialize + Send + Sync;

    /// The status as it stands (the default before the first write).
    fn current_status(&self) -> Self::Status;

    /// The conditions as they stand, without copying the status.
    fn conditions(&self) -> &[Condition];

    fn conditions_mut(status: &mut Self::Status) -> &mut Vec<Condition>;
}

macro_rules! conditioned {
    ($($kind:ty => $status:ty),* $(,)?) => {$(
        impl Conditioned for $kind {
            type Status = $status;

            fn current_status(&self) -> $status {
                self.status.clone().unwrap_or_default()
            }

            fn conditions(&self) -> &[Condition] {
                self.status.as_ref().map_or(&[], |s| &s.conditions)
            }

            fn conditions_mut(status: &mut $status) -> &mut Vec<Condition> {
                &mut status.conditions
            }
        }
    )*};
}

conditioned!(
    AdInsertion => AdInsertionStatus,
    AwsProvider => AwsProviderStatus,
    HarvestJob => HarvestJobStatus,
    LiveChannel => LiveChannelStatus,
    TokenPolicy => TokenPolicyStatus,
);
