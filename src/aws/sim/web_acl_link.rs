//! The one link between the CloudFront and WAF simulations: distributions name
//! web ACLs. Both sides look it up here, in the world's state, so neither
//! simulation module imports the other. Lock order: CloudFront before WAF.

use super::{lock, World};

/// Whether a web ACL with this ARN exists (the CloudFront simulation's check of a
/// distribution's web ACL id).
pub(super) fn web_acl_exists(world: &World, arn: &str) -> bool {
    lock(&world.wafv2)
        .acls
        .values()
        .any(|a| a.entity.arn == arn)
}

/// (distribution id, web ACL ARN) of every distribution with a web ACL.
pub(super) fn web_acl_ids(world: &World) -> Vec<(String, String)> {
    lock(&world.cloudfront)
        .distributions
        .values()
        .filter_map(|r| Some((r.dist.id.clone(), r.dist.config.web_acl_id.clone()?)))
        .collect()
}
