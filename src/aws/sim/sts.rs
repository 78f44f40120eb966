//! Simulated STS: the simulation's account.

use std::sync::Arc;

use async_trait::async_trait;

use super::World;
use crate::aws::error::AwsError;
use crate::aws::sts::*;

pub(crate) struct SimSts(pub(crate) Arc<World>);

#[async_trait]
impl StsApi for SimSts {
    async fn get_caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        Ok(CallerIdentity {
            account: self.0.account.clone(),
            arn: format!("arn:aws:sts::{}:assumed-role/onair/onair", self.0.account),
            user_id: "AROAONAIRSIMULATION:onair".into(),
        })
    }
}
