//! STS: who onair is in AWS. The account id keys the guard's rate limiters (see
//! [`provider`](super::provider)); AssumeRole with an external id is done by the SDK's
//! credentials provider in [`clients`](super::clients).

use super::error::AwsError;
use super::intercept::aws_api;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CallerIdentity {
    pub account: String,
    /// The user's or assumed role session's ARN.
    pub arn: String,
    pub user_id: String,
}

aws_api! {
    /// STS, as onair uses it.
    pub trait StsApi: Service::Sts;

    async fn get_caller_identity(&self) -> Result<CallerIdentity>;
}
