//! Simulated CloudFront: ETags that change with every write and refuse stale
//! If-Match values, CallerReference idempotency, InProgress -> Deployed on the
//! simulation clock, disable-and-deploy before delete, functions in DEVELOPMENT and
//! LIVE, in-use checks (functions, key value stores, real-time log configs), AWS's
//! size limits, and key value store data with its own ETag.
//!
//! This module holds the records and the lookups the calls share; the calls,
//! their checks, the managed policies, errors and the KeyValueStore data API
//! have their own.

mod api;
mod errors;
mod kvs;
mod policies;
mod validate;

use std::collections::BTreeMap;
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use super::{lock, World};
use crate::aws::cloudfront::*;
use crate::aws::error::AwsError;
use crate::aws::ownership::Tags;

use errors::{not_found, stale};
pub(crate) use kvs::SimKvs;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Default)]
pub(crate) struct State {
    pub(super) distributions: BTreeMap<String, DistRec>,
    functions: BTreeMap<String, FuncRec>,
    stores: BTreeMap<String, StoreRec>,
    realtime: BTreeMap<String, RealtimeLogConfig>,
    tags: BTreeMap<String, Tags>,
}

pub(super) struct DistRec {
    pub(super) dist: Distribution,
    deployed_at: Duration,
}

#[derive(Clone)]
struct Stage {
    spec: FunctionSpec,
    etag: String,
}

struct FuncRec {
    arn: String,
    dev: Stage,
    live: Option<Stage>,
    published: bool,
}

struct StoreRec {
    store: KeyValueStore,
    ready_at: Duration,
    data_etag: String,
    items: BTreeMap<String, String>,
}

pub(crate) struct SimCloudFront(pub(crate) Arc<World>);

impl SimCloudFront {
    /// How many functions and key value stores exist (test inventories).
    pub(crate) fn edge_counts(&self) -> (usize, usize) {
        let s = self.state();
        (s.functions.len(), s.stores.len())
    }

    pub(crate) fn realtime_log_config_count(&self) -> usize {
        self.state().realtime.len()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        let now = self.0.clock.now();
        let mut s = lock(&self.0.cloudfront);
        for rec in s.distributions.values_mut() {
            if rec.dist.status == DistributionStatus::InProgress && now >= rec.deployed_at {
                rec.dist.status = DistributionStatus::Deployed;
            }
        }
        for rec in s.stores.values_mut() {
            if rec.store.status == "PROVISIONING" && now >= rec.ready_at {
                rec.store.status = "READY".into();
            }
        }
        s
    }

    fn etag(&self) -> String {
        format!("E{:X}", self.0.next_id() * 7919)
    }

    fn global_arn(&self, resource: &str) -> String {
        format!("arn:aws:cloudfront::{}:{resource}", self.0.account)
    }

    fn behaviors(s: &State) -> impl Iterator<Item = &CacheBehavior> {
        s.distributions.values().flat_map(|r| {
            std::iter::once(&r.dist.config.default_behavior).chain(&r.dist.config.behaviors)
        })
    }

    fn function(&self, s: &State, name: &str, stage: FunctionStage) -> Option<Function> {
        let rec = s.functions.get(name)?;
        let st = match stage {
            FunctionStage::Development => &rec.dev,
            FunctionStage::Live => rec.live.as_ref()?,
        };
        let used = Self::behaviors(s)
            .flat_map(|b| &b.function_associations)
            .any(|f| f.function_arn == rec.arn);
        let status = match (stage, rec.published, used) {
            (FunctionStage::Development, false, _) => "UNPUBLISHED",
            (_, _, true) => "DEPLOYED",
            _ => "UNASSOCIATED",
        };
        Some(Function {
            name: name.into(),
            arn: rec.arn.clone(),
            stage,
            status: status.into(),
            comment: st.spec.comment.clone(),
            runtime: FUNCTION_RUNTIME.into(),
            key_value_store_arns: st.spec.key_value_store_arns.clone(),
            etag: st.etag.clone(),
        })
    }

    fn dev_rec<'s>(
        &self,
        op: &'static str,
        s: &'s mut State,
        name: &str,
        if_match: &str,
    ) -> Result<&'s mut FuncRec> {
        let rec = s.functions.get_mut(name).ok_or_else(|| {
            not_found(
                op,
                "NoSuchFunctionExists",
                format!("The function '{name}' does not exist"),
            )
        })?;
        if rec.dev.etag != if_match {
            return Err(stale(op));
        }
        Ok(rec)
    }
}
