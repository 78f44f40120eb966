//! STS on aws-sdk-sts.

use async_trait::async_trait;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::service::Service;
use crate::aws::sts::*;

sdk_adapter!(SdkSts, aws_sdk_sts, Service::Sts);

#[async_trait]
impl StsApi for SdkSts {
    async fn get_caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        let out = self
            .client
            .get_caller_identity()
            .send()
            .await
            .map_err(sdk_err("STS", "GetCallerIdentity"))?;
        Ok(CallerIdentity {
            account: out
                .account()
                .ok_or_else(|| missing("STS", "GetCallerIdentity", "Account"))?
                .into(),
            arn: out.arn().unwrap_or_default().into(),
            user_id: out.user_id().unwrap_or_default().into(),
        })
    }
}
