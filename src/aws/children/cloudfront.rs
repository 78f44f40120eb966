//! The CloudFront distribution of a LiveChannel as a child: created with an
//! owner-derived CallerReference, updated with the ETag it was read with, and
//! deleted the only way CloudFront allows (disable, wait until Deployed, delete).

use async_trait::async_trait;

use crate::aws::cloudfront::{CloudFrontApi, Distribution, DistributionConfig, DistributionStatus};
use crate::aws::error::AwsError;
use crate::aws::ownership::{Owner, Tags};

use super::{create_token, deletion, found, External, Located};

pub struct DistributionChild<'a> {
    pub api: &'a dyn CloudFrontApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    /// The desired configuration; its `caller_reference` is set here at creation
    /// and kept from the distribution afterwards (CloudFront never changes it).
    pub config: DistributionConfig,
}

impl DistributionChild<'_> {
    pub const CHILD: &'static str = "distribution";

    /// The configuration as CloudFront keeps it: function associations sorted by
    /// event, the caller reference of the distribution that exists.
    fn desired_for(&self, caller_reference: &str) -> DistributionConfig {
        let mut config = self.config.clone();
        config.caller_reference = caller_reference.to_string();
        for b in std::iter::once(&mut config.default_behavior).chain(config.behaviors.iter_mut()) {
            b.function_associations.sort_by_key(|f| f.event);
        }
        config
    }
}

/// Whether CloudFront serves the distribution's current configuration everywhere.
pub fn deployed(distribution: &Distribution) -> bool {
    distribution.status == DistributionStatus::Deployed
}

/// Where the distribution is.
pub struct DistributionAt<'a> {
    pub api: &'a dyn CloudFrontApi,
    pub owner: &'a Owner,
}

#[async_trait]
impl Located for DistributionAt<'_> {
    type Observed = Distribution;

    fn child(&self) -> &'static str {
        DistributionChild::CHILD
    }

    fn id_of(observed: &Distribution) -> String {
        observed.id.clone()
    }

    async fn find_unrecorded(
        &self,
        replacing: Option<&str>,
    ) -> Result<Option<Distribution>, AwsError> {
        // The CallerReference is derived from the owner's uid: whatever carries
        // it was created by this owner.
        self.api
            .find_distribution(&create_token(self.owner, self.child(), replacing))
            .await
    }

    /// Disable, wait for the deployment, delete: one step per call.
    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        let Some(current) = found(self.api.get_distribution(id).await)? else {
            return Ok(true);
        };
        let step = if current.config.enabled {
            let mut disabled = current.config.clone();
            disabled.enabled = false;
            self.api
                .update_distribution(id, disabled, &current.etag)
                .await
                .map(|_| ())
        } else if deployed(&current) {
            return deletion(self.api.delete_distribution(id, &current.etag).await);
        } else {
            Ok(())
        };
        match step {
            Err(e) if e.is_conflict() => Ok(false),
            other => other.map(|()| false),
        }
    }
}

#[async_trait]
impl<'a> External for DistributionChild<'a> {
    type Observed = Distribution;
    type At = DistributionAt<'a>;

    fn at(&self) -> DistributionAt<'a> {
        DistributionAt {
            api: self.api,
            owner: self.owner,
        }
    }

    /// Deployed: a distribution in progress is read every round.
    fn at_rest(&self, observed: &Distribution) -> bool {
        observed.status == crate::aws::cloudfront::DistributionStatus::Deployed
    }

    async fn observe(&self, id: &str) -> Result<Option<Distribution>, AwsError> {
        found(self.api.get_distribution(id).await)
    }

    async fn create(&self, replacing: Option<&str>) -> Result<Distribution, AwsError> {
        let config = self.desired_for(&create_token(self.owner, Self::CHILD, replacing));
        self.api
            .create_distribution(config, self.owner.tags(Self::CHILD, self.tags))
            .await
    }

    fn up_to_date(&self, observed: &Distribution) -> bool {
        observed.config == self.desired_for(&observed.config.caller_reference)
    }

    /// Origins, behaviours, functions, the web ACL and real-time logs that
    /// AdInsertions, TokenPolicies and telemetry fold in: if the rest is as
    /// desired, the update follows them (no drift).
    fn follows_inputs(&self, observed: &Distribution) -> bool {
        let desired = self.desired_for(&observed.config.caller_reference);
        let mut mine = observed.config.clone();
        mine.origins.clone_from(&desired.origins);
        mine.behaviors.clone_from(&desired.behaviors);
        mine.web_acl_id.clone_from(&desired.web_acl_id);
        let folded = |b: &mut crate::aws::cloudfront::CacheBehavior,
                      from: &crate::aws::cloudfront::CacheBehavior| {
            b.function_associations
                .clone_from(&from.function_associations);
            b.realtime_log_config_arn
                .clone_from(&from.realtime_log_config_arn);
        };
        folded(&mut mine.default_behavior, &desired.default_behavior);
        for b in std::iter::once(&mut mine.default_behavior).chain(mine.behaviors.iter_mut()) {
            b.function_associations.sort_by_key(|f| f.event);
        }
        mine == desired
    }

    fn changes(&self, observed: &Distribution) -> Vec<String> {
        let desired = self.desired_for(&observed.config.caller_reference);
        let mut lines = crate::plan::diff::changes(&observed.config, &desired);
        // Header values are secrets: say that the origin protection header
        // changes, never what it is.
        if lines.is_empty() && observed.config != desired {
            lines.push("origins[].customHeaders: the CDN identifier changes (rotation)".into());
        }
        lines
    }

    async fn update(&self, observed: Distribution) -> Result<Distribution, AwsError> {
        // A stale ETag (someone changed it since the read) answers Conflict: the
        // next reconcile reads again and recomputes, never overwriting blindly.
        let config = self.desired_for(&observed.config.caller_reference);
        self.api
            .update_distribution(&observed.id, config, &observed.etag)
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::aws::cloudfront::{CacheBehavior, Origin};
    use crate::aws::service::Service;
    use crate::aws::sim::{Fault, Sim};
    use crate::controller::kit::driver::{ensure, remove, Action, MemoryIds};

    fn config(comment: &str) -> DistributionConfig {
        DistributionConfig {
            comment: comment.into(),
            enabled: true,
            origins: vec![Origin {
                id: "mediapackage".into(),
                domain_name: "abc.mediapackage.eu-west-1.amazonaws.com".into(),
                ..Default::default()
            }],
            default_behavior: CacheBehavior {
                target_origin_id: "mediapackage".into(),
                cache_policy_id: "08627262-05a9-4f76-9ded-b50ca2e3a84f".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn created_once_updated_with_its_etag_and_deleted_after_disabling() {
        let sim = Sim::default();
        let api = sim.cloudfront();
        let owner = Owner::new("5b0d4c8e-2f1a-4e3b-9c7d-6a5b4c3d2e1f", "media", "news");
        let tags = Tags::new();
        let mut ids = MemoryIds::default();
        sim.faults().inject(
            Service::CloudFront,
            "create_distribution",
            Fault::CrashAfter,
            1,
        );
        let child = DistributionChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            config: config("one"),
        };
        assert!(ensure(&child, &mut ids).await.is_err());
        let (first, action) = ensure(&child, &mut ids).await.unwrap();
        assert_eq!(action, Action::Adopted);
        assert_eq!(api.list_distributions().await.unwrap().len(), 1);
        assert_eq!(ensure(&child, &mut ids).await.unwrap().1, Action::Unchanged);

        let changed = DistributionChild {
            config: config("two"),
            ..child
        };
        let (updated, action) = ensure(&changed, &mut ids).await.unwrap();
        assert_eq!(action, Action::Updated);
        assert_eq!(
            updated.config.caller_reference,
            first.config.caller_reference
        );

        let mut steps = 0;
        while !remove(&changed.at(), &mut ids).await.unwrap() {
            sim.advance(Duration::from_secs(60));
            steps += 1;
            assert!(steps < 20, "the distribution was never deleted");
        }
        assert!(steps >= 2, "disable and wait for the deployment first");
        assert!(api.list_distributions().await.unwrap().is_empty());
    }

    #[test]
    fn folded_changes_are_no_drift_but_other_changes_are() {
        let owner = Owner::new("5b0d4c8e-2f1a-4e3b-9c7d-6a5b4c3d2e1f", "media", "news");
        let tags = Tags::new();
        let sim = Sim::default();
        let api = sim.cloudfront();
        let mut desired = config("one");
        desired.default_behavior.function_associations =
            vec![crate::aws::cloudfront::FunctionAssociation {
                event: crate::aws::cloudfront::FunctionEvent::ViewerRequest,
                function_arn: "arn:aws:cloudfront::123456789012:function/tokens".into(),
            }];
        desired.web_acl_id = Some("arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1".into());
        let child = DistributionChild {
            api: api.as_ref(),
            owner: &owner,
            tags: &tags,
            config: desired,
        };
        let observed = |config: DistributionConfig| Distribution {
            id: "E1".into(),
            arn: String::new(),
            domain_name: String::new(),
            status: DistributionStatus::Deployed,
            etag: String::new(),
            config,
        };
        // A TokenPolicy came along: only folded parts differ.
        assert!(child.follows_inputs(&observed(config("one"))));
        // Someone changed the comment in the console: drift.
        assert!(!child.follows_inputs(&observed(config("edited"))));
    }
}
