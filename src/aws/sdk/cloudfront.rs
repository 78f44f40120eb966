//! CloudFront on aws-sdk-cloudfront, and key value store data on
//! aws-sdk-cloudfrontkeyvaluestore.

use async_trait::async_trait;
use aws_sdk_cloudfront as cf;
use aws_sdk_cloudfrontkeyvaluestore as kvs;
use aws_smithy_types::error::operation::BuildError;
use cf::types as t;

use crate::aws::clients::{sdk_client, SdkClients};
use crate::aws::cloudfront::*;
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::ownership::Tags;
use crate::aws::service::Service;

use super::{non_empty, paginate};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "CloudFront";
const KVS: &str = "CloudFrontKeyValueStore";

/// A request the SDK's builders refuse (a required field left empty).
fn build_err(operation: &'static str) -> impl Fn(BuildError) -> AwsError {
    super::build_err(SVC, operation)
}

pub struct SdkCloudFront {
    client: cf::Client,
}

impl SdkCloudFront {
    pub fn new(clients: &SdkClients) -> Self {
        Self {
            client: sdk_client!(aws_sdk_cloudfront, clients, Service::CloudFront),
        }
    }
}

// --- onair -> SDK

fn to_sdk_config(c: &DistributionConfig, op: &'static str) -> Result<t::DistributionConfig> {
    let b = build_err(op);
    let origins = c
        .origins
        .iter()
        .map(|o| {
            let headers = o
                .custom_headers
                .iter()
                .map(|h| {
                    t::OriginCustomHeader::builder()
                        .header_name(&h.name)
                        .header_value(&h.value)
                        .build()
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            t::Origin::builder()
                .id(&o.id)
                .domain_name(&o.domain_name)
                .origin_path(&o.origin_path)
                .custom_headers(
                    t::CustomHeaders::builder()
                        .quantity(headers.len() as i32)
                        .set_items(Some(headers))
                        .build()?,
                )
                .custom_origin_config(
                    t::CustomOriginConfig::builder()
                        .http_port(80)
                        .https_port(443)
                        .origin_protocol_policy(t::OriginProtocolPolicy::from(o.protocol.as_aws()))
                        .origin_ssl_protocols(
                            t::OriginSslProtocols::builder()
                                .quantity(1)
                                .items(t::SslProtocol::TlSv12)
                                .build()?,
                        )
                        .origin_read_timeout(30)
                        .origin_keepalive_timeout(5)
                        .build()?,
                )
                .build()
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(&b)?;
    let behaviors = c
        .behaviors
        .iter()
        .map(|x| cache_behavior(x).map_err(&b))
        .collect::<Result<Vec<_>>>()?;
    let d = &c.default_behavior;
    let (methods, functions) = (allowed_methods(d).map_err(&b)?, functions(d).map_err(&b)?);
    let default = t::DefaultCacheBehavior::builder()
        .target_origin_id(&d.target_origin_id)
        .viewer_protocol_policy(t::ViewerProtocolPolicy::from(d.viewer_protocol.as_aws()))
        .allowed_methods(methods)
        .compress(d.compress)
        .cache_policy_id(&d.cache_policy_id)
        .set_origin_request_policy_id(d.origin_request_policy_id.clone())
        .set_response_headers_policy_id(d.response_headers_policy_id.clone())
        .function_associations(functions)
        .set_realtime_log_config_arn(d.realtime_log_config_arn.clone())
        .build()
        .map_err(&b)?;
    let certificate = match &c.acm_certificate_arn {
        Some(arn) => t::ViewerCertificate::builder()
            .acm_certificate_arn(arn)
            .ssl_support_method(t::SslSupportMethod::SniOnly)
            .minimum_protocol_version(t::MinimumProtocolVersion::TlSv122021)
            .cloud_front_default_certificate(false)
            .build(),
        None => t::ViewerCertificate::builder()
            .cloud_front_default_certificate(true)
            .build(),
    };
    t::DistributionConfig::builder()
        .caller_reference(&c.caller_reference)
        .comment(&c.comment)
        .enabled(c.enabled)
        .price_class(t::PriceClass::from(c.price_class.as_aws()))
        .aliases(
            t::Aliases::builder()
                .quantity(c.aliases.len() as i32)
                .set_items(Some(c.aliases.clone()))
                .build()
                .map_err(&b)?,
        )
        .viewer_certificate(certificate)
        .origins(
            t::Origins::builder()
                .quantity(origins.len() as i32)
                .set_items(Some(origins))
                .build()
                .map_err(&b)?,
        )
        .default_cache_behavior(default)
        .cache_behaviors(
            t::CacheBehaviors::builder()
                .quantity(behaviors.len() as i32)
                .set_items(Some(behaviors))
                .build()
                .map_err(&b)?,
        )
        .web_acl_id(c.web_acl_id.clone().unwrap_or_default())
        .http_version(t::HttpVersion::Http2and3)
        .is_ipv6_enabled(true)
        .build()
        .map_err(&b)
}

fn allowed_methods(x: &CacheBehavior) -> std::result::Result<t::AllowedMethods, BuildError> {
    let methods = |m: &[&str]| m.iter().map(|m| t::Method::from(*m)).collect::<Vec<_>>();
    let allowed = methods(x.allowed_methods.methods());
    let cached = methods(x.allowed_methods.cached());
    t::AllowedMethods::builder()
        .quantity(allowed.len() as i32)
        .set_items(Some(allowed))
        .cached_methods(
            t::CachedMethods::builder()
                .quantity(cached.len() as i32)
                .set_items(Some(cached))
                .build()?,
        )
        .build()
}

fn functions(x: &CacheBehavior) -> std::result::Result<t::FunctionAssociations, BuildError> {
    let items = x
        .function_associations
        .iter()
        .map(|f| {
            t::FunctionAssociation::builder()
                .function_arn(&f.function_arn)
                .event_type(t::EventType::from(f.event.as_aws()))
                .build()
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    t::FunctionAssociations::builder()
        .quantity(items.len() as i32)
        .set_items(Some(items))
        .build()
}

fn cache_behavior(x: &CacheBehavior) -> std::result::Result<t::CacheBehavior, BuildError> {
    t::CacheBehavior::builder()
        .path_pattern(&x.path_pattern)
        .target_origin_id(&x.target_origin_id)
        .viewer_protocol_policy(t::ViewerProtocolPolicy::from(x.viewer_protocol.as_aws()))
        .allowed_methods(allowed_methods(x)?)
        .compress(x.compress)
        .cache_policy_id(&x.cache_policy_id)
        .set_origin_request_policy_id(x.origin_request_policy_id.clone())
        .set_response_headers_policy_id(x.response_headers_policy_id.clone())
        .function_associations(functions(x)?)
        .set_realtime_log_config_arn(x.realtime_log_config_arn.clone())
        .build()
}

// --- SDK -> onair

/// Empty strings (how CloudFront and emulators write "none") as `None`.
fn some(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The fields the default and ordered behaviours share, read the same way.
macro_rules! behavior_of {
    ($x:expr, $path:expr) => {{
        let x = $x;
        let mut function_associations: Vec<FunctionAssociation> = x
            .function_associations()
            .map(|f| f.items())
            .unwrap_or_default()
            .iter()
            .filter_map(|f| {
                Some(FunctionAssociation {
                    event: FunctionEvent::from_aws(f.event_type().as_str())?,
                    function_arn: f.function_arn().to_owned(),
                })
            })
            .collect();
        function_associations.sort_by_key(|f| f.event);
        CacheBehavior {
            path_pattern: $path,
            target_origin_id: x.target_origin_id().to_owned(),
            viewer_protocol: ViewerProtocol::from_aws(x.viewer_protocol_policy().as_str()),
            allowed_methods: AllowedMethods::from_methods(
                &x.allowed_methods()
                    .map(|m| m.items().iter().map(|m| m.as_str()).collect::<Vec<_>>())
                    .unwrap_or_default(),
            ),
            compress: x.compress().unwrap_or(false),
            cache_policy_id: x.cache_policy_id().unwrap_or_default().to_owned(),
            origin_request_policy_id: some(x.origin_request_policy_id()),
            response_headers_policy_id: some(x.response_headers_policy_id()),
            function_associations,
            realtime_log_config_arn: some(x.realtime_log_config_arn()),
        }
    }};
}

fn from_sdk_config(c: &t::DistributionConfig) -> DistributionConfig {
    let origins = c
        .origins()
        .map(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(|o| Origin {
            id: o.id().to_owned(),
            domain_name: o.domain_name().to_owned(),
            origin_path: o.origin_path().unwrap_or_default().to_owned(),
            protocol: o
                .custom_origin_config()
                .map(|c| OriginProtocol::from_aws(c.origin_protocol_policy().as_str()))
                .unwrap_or_default(),
            custom_headers: o
                .custom_headers()
                .map(|h| h.items())
                .unwrap_or_default()
                .iter()
                .map(|h| OriginHeader {
                    name: h.header_name().to_owned(),
                    value: h.header_value().to_owned(),
                })
                .collect(),
        })
        .collect();
    DistributionConfig {
        caller_reference: c.caller_reference().to_owned(),
        comment: c.comment().to_owned(),
        enabled: c.enabled(),
        price_class: c
            .price_class()
            .map(|p| PriceClass::from_aws(p.as_str()))
            .unwrap_or_default(),
        aliases: c.aliases().map(|a| a.items().to_vec()).unwrap_or_default(),
        acm_certificate_arn: c
            .viewer_certificate()
            .and_then(|v| some(v.acm_certificate_arn())),
        origins,
        default_behavior: c
            .default_cache_behavior()
            .map(|d| behavior_of!(d, String::new()))
            .unwrap_or_default(),
        behaviors: c
            .cache_behaviors()
            .map(|b| b.items())
            .unwrap_or_default()
            .iter()
            .map(|b| behavior_of!(b, b.path_pattern().to_owned()))
            .collect(),
        web_acl_id: some(c.web_acl_id()),
    }
}

fn distribution_of(
    d: Option<&t::Distribution>,
    etag: Option<&str>,
    op: &'static str,
) -> Result<Distribution> {
    let d = d.ok_or_else(|| missing(SVC, op, "Distribution"))?;
    Ok(Distribution {
        id: d.id().to_owned(),
        arn: d.arn().to_owned(),
        domain_name: d.domain_name().to_owned(),
        status: DistributionStatus::from_aws(d.status()),
        etag: etag.ok_or_else(|| missing(SVC, op, "ETag"))?.to_owned(),
        config: d
            .distribution_config()
            .map(from_sdk_config)
            .ok_or_else(|| missing(SVC, op, "DistributionConfig"))?,
    })
}

fn function_of(
    s: Option<&t::FunctionSummary>,
    etag: Option<&str>,
    op: &'static str,
) -> Result<Function> {
    let s = s.ok_or_else(|| missing(SVC, op, "FunctionSummary"))?;
    let config = s.function_config();
    let meta = s.function_metadata();
    Ok(Function {
        name: s.name().to_owned(),
        arn: meta
            .map(|m| m.function_arn().to_owned())
            .unwrap_or_default(),
        stage: meta
            .and_then(|m| m.stage())
            .map(|s| FunctionStage::from_aws(s.as_str()))
            .unwrap_or_default(),
        status: s.status().unwrap_or_default().to_owned(),
        comment: config.map(|c| c.comment().to_owned()).unwrap_or_default(),
        runtime: config
            .map(|c| c.runtime().as_str().to_owned())
            .unwrap_or_default(),
        key_value_store_arns: config
            .and_then(|c| c.key_value_store_associations())
            .map(|a| {
                a.items()
                    .iter()
                    .map(|i| i.key_value_store_arn().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        etag: etag.unwrap_or_default().to_owned(),
    })
}

fn function_config(spec: &FunctionSpec, op: &'static str) -> Result<t::FunctionConfig> {
    let b = build_err(op);
    let stores = spec
        .key_value_store_arns
        .iter()
        .map(|arn| {
            t::KeyValueStoreAssociation::builder()
                .key_value_store_arn(arn)
                .build()
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(&b)?;
    let mut config = t::FunctionConfig::builder()
        .comment(&spec.comment)
        .runtime(t::FunctionRuntime::from(FUNCTION_RUNTIME));
    if !stores.is_empty() {
        config = config.key_value_store_associations(
            t::KeyValueStoreAssociations::builder()
                .quantity(stores.len() as i32)
                .set_items(Some(stores))
                .build()
                .map_err(&b)?,
        );
    }
    config.build().map_err(&b)
}

fn store_of(
    s: Option<&t::KeyValueStore>,
    etag: Option<&str>,
    op: &'static str,
) -> Result<KeyValueStore> {
    let s = s.ok_or_else(|| missing(SVC, op, "KeyValueStore"))?;
    Ok(KeyValueStore {
        name: s.name().to_owned(),
        id: s.id().to_owned(),
        arn: s.arn().to_owned(),
        comment: s.comment().to_owned(),
        status: s.status().unwrap_or("READY").to_owned(),
        etag: etag.unwrap_or_default().to_owned(),
    })
}

fn realtime_of(r: Option<&t::RealtimeLogConfig>, op: &'static str) -> Result<RealtimeLogConfig> {
    let r = r.ok_or_else(|| missing(SVC, op, "RealtimeLogConfig"))?;
    let kinesis = r
        .end_points()
        .first()
        .and_then(|e| e.kinesis_stream_config());
    Ok(RealtimeLogConfig {
        name: r.name().to_owned(),
        arn: r.arn().to_owned(),
        sampling_rate: r.sampling_rate() as u32,
        fields: r.fields().to_vec(),
        kinesis_stream_arn: kinesis
            .map(|k| k.stream_arn().to_owned())
            .unwrap_or_default(),
        role_arn: kinesis.map(|k| k.role_arn().to_owned()).unwrap_or_default(),
    })
}

fn end_point(c: &RealtimeLogConfig, op: &'static str) -> Result<t::EndPoint> {
    let b = build_err(op);
    t::EndPoint::builder()
        .stream_type("Kinesis")
        .kinesis_stream_config(
            t::KinesisStreamConfig::builder()
                .role_arn(&c.role_arn)
                .stream_arn(&c.kinesis_stream_arn)
                .build()
                .map_err(&b)?,
        )
        .build()
        .map_err(&b)
}

/// The three policy kinds list the same fields under different accessors.
fn policy(id: &str, name: &str, comment: Option<&str>) -> Policy {
    Policy {
        id: id.to_owned(),
        name: name.to_owned(),
        comment: comment.unwrap_or_default().to_owned(),
    }
}

fn tags_of(tags: Tags, op: &'static str) -> Result<t::Tags> {
    let items = tags
        .into_iter()
        .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(build_err(op))?;
    Ok(t::Tags::builder().set_items(Some(items)).build())
}

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
        let out = self
            .client
            .create_realtime_log_config()
            .name(&config.name)
            .sampling_rate(config.sampling_rate.into())
            .set_fields(Some(config.fields.clone()))
            .end_points(end_point(&config, OP)?)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        realtime_of(out.realtime_log_config(), OP)
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
        let out = self
            .client
            .update_realtime_log_config()
            .name(&config.name)
            .sampling_rate(config.sampling_rate.into())
            .set_fields(Some(config.fields.clone()))
            .end_points(end_point(&config, OP)?)
            .send()
            .await
            .map_err(sdk_err(SVC, OP))?;
        realtime_of(out.realtime_log_config(), OP)
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
        paginate(move |marker| async move {
            let out = self
                .client
                .list_cache_policies()
                .r#type(t::CachePolicyType::from(owner.as_aws()))
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListCachePolicies"))?;
            let Some(list) = out.cache_policy_list() else {
                return Ok((Vec::new(), None));
            };
            let items = list.items().iter().filter_map(|s| {
                let p = s.cache_policy()?;
                let c = p.cache_policy_config()?;
                Some(policy(p.id(), c.name(), c.comment()))
            });
            Ok((items.collect(), non_empty(list.next_marker())))
        })
        .await
    }

    async fn list_origin_request_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        paginate(move |marker| async move {
            let out = self
                .client
                .list_origin_request_policies()
                .r#type(t::OriginRequestPolicyType::from(owner.as_aws()))
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListOriginRequestPolicies"))?;
            let Some(list) = out.origin_request_policy_list() else {
                return Ok((Vec::new(), None));
            };
            let items = list.items().iter().filter_map(|s| {
                let p = s.origin_request_policy()?;
                let c = p.origin_request_policy_config()?;
                Some(policy(p.id(), c.name(), c.comment()))
            });
            Ok((items.collect(), non_empty(list.next_marker())))
        })
        .await
    }

    async fn list_response_headers_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        paginate(move |marker| async move {
            let out = self
                .client
                .list_response_headers_policies()
                .r#type(t::ResponseHeadersPolicyType::from(owner.as_aws()))
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListResponseHeadersPolicies"))?;
            let Some(list) = out.response_headers_policy_list() else {
                return Ok((Vec::new(), None));
            };
            let items = list.items().iter().filter_map(|s| {
                let p = s.response_headers_policy()?;
                let c = p.response_headers_policy_config()?;
                Some(policy(p.id(), c.name(), c.comment()))
            });
            Ok((items.collect(), non_empty(list.next_marker())))
        })
        .await
    }
}

// --------------------------------------------------------------------------------
// Key value store data

pub struct SdkCloudFrontKvs {
    client: kvs::Client,
}

impl SdkCloudFrontKvs {
    pub fn new(clients: &SdkClients) -> Self {
        let (config, endpoint) = clients.for_service(Service::CloudFrontKeyValueStore);
        let mut builder = kvs::config::Builder::from(&config);
        // AWS's endpoint rules put the store's account id in front of the host
        // (`https://<account>.cloudfront-kvs.global.api.aws`), custom endpoints
        // included: `http://127.0.0.1:4566` would become `http://<account>.127.0.0.1:4566`.
        // An explicit endpoint (emulators, VPC endpoints) is therefore used as given.
        if let Some(url) = endpoint.or_else(|| config.endpoint_url().map(str::to_owned)) {
            builder = builder
                .endpoint_url(url.clone())
                .endpoint_resolver(FixedKvsEndpoint(url));
        }
        Self {
            client: kvs::Client::from_conf(builder.build()),
        }
    }
}

/// Resolves every key value store request to one URL, signed with SigV4A as AWS's
/// rules require (region set `*`, signing name `cloudfront-keyvaluestore`).
#[derive(Debug)]
struct FixedKvsEndpoint(String);

impl kvs::config::endpoint::ResolveEndpoint for FixedKvsEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a kvs::config::endpoint::Params,
    ) -> kvs::config::endpoint::EndpointFuture<'a> {
        use aws_smithy_types::endpoint::{Endpoint, EndpointAuthScheme};
        let endpoint = Endpoint::builder()
            .url(self.0.clone())
            .auth_scheme(
                EndpointAuthScheme::with_capacity("sigv4a", 2)
                    .put("signingName", "cloudfront-keyvaluestore".to_string())
                    .put("signingRegionSet", vec!["*".to_string().into()]),
            )
            .build();
        kvs::config::endpoint::EndpointFuture::ready(Ok(endpoint))
    }
}

#[async_trait]
impl CloudFrontKvsApi for SdkCloudFrontKvs {
    async fn describe_store(&self, kvs_arn: &str) -> Result<KvsData> {
        const OP: &str = "DescribeKeyValueStore";
        let out = self
            .client
            .describe_key_value_store()
            .kvs_arn(kvs_arn)
            .send()
            .await
            .map_err(sdk_err(KVS, OP))?;
        Ok(KvsData {
            etag: out.e_tag().to_owned(),
            item_count: out.item_count() as u64,
            total_size_bytes: out.total_size_in_bytes() as u64,
        })
    }

    async fn list_keys(&self, kvs_arn: &str) -> Result<Vec<KvsItem>> {
        let mut all = paginate(move |next| async move {
            let out = self
                .client
                .list_keys()
                .kvs_arn(kvs_arn)
                .set_next_token(next)
                .send()
                .await
                .map_err(sdk_err(KVS, "ListKeys"))?;
            let items = out.items().iter().map(|i| KvsItem {
                key: i.key().to_owned(),
                value: i.value().to_owned(),
            });
            Ok((items.collect(), non_empty(out.next_token())))
        })
        .await?;
        all.sort();
        Ok(all)
    }

    async fn update_keys(
        &self,
        kvs_arn: &str,
        if_match: &str,
        puts: Vec<KvsItem>,
        deletes: Vec<String>,
    ) -> Result<KvsData> {
        const OP: &str = "UpdateKeys";
        let build = super::build_err(KVS, OP);
        let puts = puts
            .into_iter()
            .map(|p| {
                kvs::types::PutKeyRequestListItem::builder()
                    .key(p.key)
                    .value(p.value)
                    .build()
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(&build)?;
        let deletes = deletes
            .into_iter()
            .map(|k| {
                kvs::types::DeleteKeyRequestListItem::builder()
                    .key(k)
                    .build()
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(build)?;
        let out = self
            .client
            .update_keys()
            .kvs_arn(kvs_arn)
            .if_match(if_match)
            .set_puts(Some(puts))
            .set_deletes(Some(deletes))
            .send()
            .await
            .map_err(sdk_err(KVS, OP))?;
        Ok(KvsData {
            etag: out.e_tag().to_owned(),
            item_count: out.item_count() as u64,
            total_size_bytes: out.total_size_in_bytes() as u64,
        })
    }
}
