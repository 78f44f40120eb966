//! A TokenPolicy's AWS resources as children: the CloudFront key value store
//! (signing keys, revoked sessions), the CloudFront Function that checks
//! tokens (kept published: LIVE runs the desired code), and for WAF
//! revocation a regex pattern set and the web ACL that uses it. Names derive
//! from the policy's uid, so a crash before an id is recorded is recovered by
//! name, never duplicated.

mod function;
mod store;
mod waf;

pub use function::{FunctionAt, FunctionChild, FunctionState};
pub use store::{store_ready, StoreAt, StoreChild};
pub use waf::{PatternSetAt, PatternSetChild, WebAclAt, WebAclChild, NO_SESSION_PATTERN};

use crate::aws::cloudfront::CloudFrontApi;
use crate::aws::error::AwsError;
use crate::aws::ownership::Owner;

use super::found;

/// Whether an owner's resource found by name carries its tags (CloudFront
/// names are account-wide: a same-named resource of someone else is not ours).
async fn tagged_by(
    api: &dyn CloudFrontApi,
    owner: &Owner,
    child: &str,
    arn: &str,
) -> Result<bool, AwsError> {
    Ok(found(api.list_tags(arn).await)?.is_some_and(|tags| owner.owns(child, &tags)))
}
