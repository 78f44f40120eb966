//! Key value store data on aws-sdk-cloudfrontkeyvaluestore: the store's keys,
//! read and updated through a fixed endpoint signed with SigV4A.

use async_trait::async_trait;
use aws_sdk_cloudfrontkeyvaluestore as kvs;

use crate::aws::clients::SdkClients;
use crate::aws::cloudfront::*;
use crate::aws::error::{sdk_err, AwsError};
use crate::aws::service::Service;

use crate::aws::sdk::{build_err, non_empty, paginate};

type Result<T> = std::result::Result<T, AwsError>;

const KVS: &str = "CloudFrontKeyValueStore";

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

/// A store's ETag and size, as DescribeKeyValueStore and UpdateKeys both answer.
fn kvs_data(etag: &str, item_count: i32, total_size_bytes: i64) -> KvsData {
    KvsData {
        etag: etag.to_owned(),
        item_count: item_count as u64,
        total_size_bytes: total_size_bytes as u64,
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
        Ok(kvs_data(
            out.e_tag(),
            out.item_count(),
            out.total_size_in_bytes(),
        ))
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
        let build = build_err(KVS, OP);
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
        Ok(kvs_data(
            out.e_tag(),
            out.item_count(),
            out.total_size_in_bytes(),
        ))
    }
}
