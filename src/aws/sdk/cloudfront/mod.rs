//! CloudFront on aws-sdk-cloudfront, and key value store data on
//! aws-sdk-cloudfrontkeyvaluestore.
//!
//! Here the client and its calls; the conversions live in `distribution`
//! (distribution configurations) and `shapes` (the edge resources), the key value
//! store data client in `kvs`.

mod distribution;
mod kvs;
mod shapes;

pub use kvs::SdkCloudFrontKvs;

use async_trait::async_trait;
use aws_sdk_cloudfront as cf;
use aws_smithy_types::error::operation::BuildError;
use cf::types as t;

use crate::aws::clients::sdk_adapter;
use crate::aws::cloudfront::*;
use crate::aws::error::{sdk_err, AwsError};
use crate::aws::ownership::Tags;
use crate::aws::service::Service;

use super::{non_empty, paginate};
use distribution::{distribution_of, to_sdk_config};
use shapes::{end_point, function_config, function_of, policy, realtime_of, store_of, tags_of};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "CloudFront";

/// A request the SDK's builders refuse (a required field left empty).
fn build_err(operation: &'static str) -> impl Fn(BuildError) -> AwsError {
    super::build_err(SVC, operation)
}

/// Lists one kind of policy (cache, origin request, response headers): the three
/// calls and their pages differ only in names, each item holding its config.
macro_rules! list_policies {
    ($self:ident, $owner:ident, $call:ident, $kind:ident, $op:literal, $list:ident, $item:ident, $config:ident) => {
        paginate(move |marker| async move {
            let out = $self
                .client
                .$call()
                .r#type(t::$kind::from($owner.as_aws()))
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_err(SVC, $op))?;
            let Some(list) = out.$list() else {
                return Ok((Vec::new(), None));
            };
            let items = list.items().iter().filter_map(|s| {
                let p = s.$item()?;
                let c = p.$config()?;
                Some(policy(p.id(), c.name(), c.comment()))
            });
            Ok((items.collect(), non_empty(list.next_marker())))
        })
        .await
    };
}

/// Sends a whole real-time log configuration (create and update take the same).
macro_rules! send_realtime {
    ($request:expr, $config:ident, $op:ident) => {{
        let out = $request
            .name(&$config.name)
            .sampling_rate($config.sampling_rate.into())
            .set_fields(Some($config.fields.clone()))
            .end_points(end_point(&$config, $op)?)
            .send()
            .await
            .map_err(sdk_err(SVC, $op))?;
        realtime_of(out.realtime_log_config(), $op)
    }};
}

sdk_adapter!(SdkCloudFront, aws_sdk_cloudfront, Service::CloudFront);
#[async_trait]
impl CloudFrontApi for SdkCloudFront {
    async fn create_distribution(
        &self,
        config: DistributionConfig,
        tags: Tags,
    ) -> Result<Distribution> {
        const OP: &str = "CreateDistributionWithTags";
        let with_tags = t::DistributionConfigWithTags::builder()
            .distribution_config(to_sdk_config(&config, OP)?)
            .tags(tags_of(tags, OP)?)
            .build();
        let out = self
            .client
            .create_distribution_with_tags()
            .distribution_config_with_tags(with_tags)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        distribution_of(out.distribution(), out.e_tag(), OP)
    }

    async fn get_distribution(&self, id: &str) -> Result<Distribution> {
        const OP: &str = "GetDistribution";
        let out = self
            .client
            .get_distribution()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        distribution_of(out.distribution(), out.e_tag(), OP)
    }

    async fn update_distribution(
        &self,
        id: &str,
        config: DistributionConfig,
        if_match: &str,
    ) -> Result<Distribution> {
        const OP: &str = "UpdateDistribution";
        let out = self
            .client
            .update_distribution()
            .id(id)
            .if_match(if_match)
            .distribution_config(to_sdk_config(&config, OP)?)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        distribution_of(out.distribution(), out.e_tag(), OP)
    }

    async fn delete_distribution(&self, id: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_distribution()
            .id(id)
            .if_match(if_match)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteDistribution"))?;
        Ok(())
    }

    async fn list_distributions(&self) -> Result<Vec<DistributionSummary>> {
        paginate(move |marker| async move {
            let out = self
                .client
                .list_distributions()
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListDistributions"))?;
            let Some(list) = out.distribution_list() else {
                return Ok((Vec::new(), None));
            };
            let items = list
                .items()
                .iter()
                .map(|d| DistributionSummary {
                    id: d.id().to_owned(),
                    arn: d.arn().to_owned(),
                    domain_name: d.domain_name().to_owned(),
                    status: DistributionStatus::from_aws(d.status()),
                    enabled: d.enabled(),
                    comment: d.comment().to_owned(),
                })
                .collect();
            let next = non_empty(list.next_marker()).filter(|_| list.is_truncated());
            Ok((items, next))
        })
        .await
    }

    async fn find_distribution(&self, caller_reference: &str) -> Result<Option<Distribution>> {
        for summary in self.list_distributions().await? {
            match self.get_distribution(&summary.id).await {
                Ok(d) if d.config.caller_reference == caller_reference => return Ok(Some(d)),
                Ok(_) => {}
                // Deleted between the list and the read.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    async fn list_tags(&self, arn: &str) -> Result<Tags> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource(arn)
            .send()
            .await
            .map_err(sdk_err(SVC, "ListTagsForResource"))?;
        Ok(out
            .tags()
            .map(|t| t.items())
            .unwrap_or_default()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
            .collect())
    }

    async fn create_function(
        &self,
        name: &str,
        spec: FunctionSpec,
        tags: Tags,
    ) -> Result<Function> {
        const OP: &str = "CreateFunction";
        let out = self
            .client
            .create_function()
            .name(name)
            .function_config(function_config(&spec, OP)?)
            .function_code(aws_smithy_types::Blob::new(spec.code.into_bytes()))
            .tags(tags_of(tags, OP)?)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        function_of(out.function_summary(), out.e_tag(), OP)
    }

    async fn describe_function(&self, name: &str, stage: FunctionStage) -> Result<Function> {
        const OP: &str = "DescribeFunction";
        let out = self
            .client
            .describe_function()
            .name(name)
            .stage(t::FunctionStage::from(stage.as_aws()))
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        function_of(out.function_summary(), out.e_tag(), OP)
    }

    async fn get_function_code(&self, name: &str, stage: FunctionStage) -> Result<FunctionCode> {
        const OP: &str = "GetFunction";
        let out = self
            .client
            .get_function()
            .name(name)
            .stage(t::FunctionStage::from(stage.as_aws()))
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        Ok(FunctionCode {
            code: out
                .function_code()
                .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
                .unwrap_or_default(),
            etag: out.e_tag().unwrap_or_default().to_owned(),
        })
    }

    async fn update_function(
        &self,
        name: &str,
        spec: FunctionSpec,
        if_match: &str,
    ) -> Result<Function> {
        const OP: &str = "UpdateFunction";
        let out = self
            .client
            .update_function()
            .name(name)
            .if_match(if_match)
            .function_config(function_config(&spec, OP)?)
            .function_code(aws_smithy_types::Blob::new(spec.code.into_bytes()))
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        function_of(out.function_summary(), out.e_tag(), OP)
    }

    async fn publish_function(&self, name: &str, if_match: &str) -> Result<Function> {
        const OP: &str = "PublishFunction";
        let out = self
            .client
            .publish_function()
            .name(name)
            .if_match(if_match)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        // PublishFunction answers no ETag.
        function_of(out.function_summary(), None, OP)
    }

    async fn delete_function(&self, name: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_function()
            .name(name)
            .if_match(if_match)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteFunction"))?;
        Ok(())
    }

    async fn create_key_value_store(
        &self,
        name: &str,
        comment: &str,
        tags: Tags,
    ) -> Result<KeyValueStore> {
        const OP: &str = "CreateKeyValueStore";
        let out = self
            .client
            .create_key_value_store()
            .name(name)
            .comment(comment)
            .tags(tags_of(tags, OP)?)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        store_of(out.key_value_store(), out.e_tag(), OP)
    }

    async fn describe_key_value_store(&self, name: &str) -> Result<KeyValueStore> {
        const OP: &str = "DescribeKeyValueStore";
        let out = self
            .client
            .describe_key_value_store()
            .name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        store_of(out.key_value_store(), out.e_tag(), OP)
    }

    async fn delete_key_value_store(&self, name: &str, if_match: &str) -> Result<()> {
        self.client
            .delete_key_value_store()
            .name(name)
            .if_match(if_match)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteKeyValueStore"))?;
        Ok(())
    }

    async fn create_realtime_log_config(
        &self,
        config: RealtimeLogConfig,
    ) -> Result<RealtimeLogConfig> {
        const OP: &str = "CreateRealtimeLogConfig";
        send_realtime!(self.client.create_realtime_log_config(), config, OP)
    }

    async fn get_realtime_log_config(&self, name: &str) -> Result<RealtimeLogConfig> {
        const OP: &str = "GetRealtimeLogConfig";
        let out = self
            .client
            .get_realtime_log_config()
            .name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        realtime_of(out.realtime_log_config(), OP)
    }

    async fn update_realtime_log_config(
        &self,
        config: RealtimeLogConfig,
    ) -> Result<RealtimeLogConfig> {
        const OP: &str = "UpdateRealtimeLogConfig";
        send_realtime!(self.client.update_realtime_log_config(), config, OP)
    }

    async fn delete_realtime_log_config(&self, name: &str) -> Result<()> {
        self.client
            .delete_realtime_log_config()
            .name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteRealtimeLogConfig"))?;
        Ok(())
    }

    async fn list_cache_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        list_policies!(
            self,
            owner,
            list_cache_policies,
            CachePolicyType,
            "ListCachePolicies",
            cache_policy_list,
            cache_policy,
            cache_policy_config
        )
    }

    async fn list_origin_request_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        list_policies!(
            self,
            owner,
            list_origin_request_policies,
            OriginRequestPolicyType,
            "ListOriginRequestPolicies",
            origin_request_policy_list,
            origin_request_policy,
            origin_request_policy_config
        )
    }

    async fn list_response_headers_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        list_policies!(
            self,
            owner,
            list_response_headers_policies,
            ResponseHeadersPolicyType,
            "ListResponseHeadersPolicies",
            response_headers_policy_list,
            response_headers_policy,
            response_headers_policy_config
        )
    }
}
