//! The simulated CloudFront KeyValueStore data API, over the control plane's
//! stores: keys and values with AWS's size limits, and the data's own ETag.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::{Result, StoreRec};
use crate::aws::cloudfront::*;
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::sim::{lock, World};

const KVS: &str = "CloudFrontKeyValueStore";

/// Simulated CloudFront KeyValueStore data API, over the same stores.
pub(crate) struct SimKvs(pub(crate) Arc<World>);

fn kvs_err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new(KVS, op, kind)
}

impl SimKvs {
    fn with_store<T>(
        &self,
        op: &'static str,
        arn: &str,
        f: impl FnOnce(&mut StoreRec) -> Result<T>,
    ) -> Result<T> {
        let now = self.0.clock.now();
        let mut s = lock(&self.0.cloudfront);
        let rec = s
            .stores
            .values_mut()
            .find(|r| r.store.arn == arn)
            .ok_or_else(|| {
                kvs_err(
                    op,
                    ErrorKind::NotFound {
                        message: format!("ResourceNotFoundException: no key value store '{arn}'"),
                    },
                )
            })?;
        if now < rec.ready_at {
            return Err(kvs_err(
                op,
                ErrorKind::Conflict {
                    message: "ConflictException: the key value store is still PROVISIONING".into(),
                },
            ));
        }
        f(rec)
    }
}

fn data(rec: &StoreRec) -> KvsData {
    KvsData {
        etag: rec.data_etag.clone(),
        item_count: rec.items.len() as u64,
        total_size_bytes: size(&rec.items),
    }
}

fn size(items: &BTreeMap<String, String>) -> u64 {
    items.iter().map(|(k, v)| (k.len() + v.len()) as u64).sum()
}

#[async_trait]
impl CloudFrontKvsApi for SimKvs {
    async fn describe_store(&self, kvs_arn: &str) -> Result<KvsData> {
        self.with_store("describe_store", kvs_arn, |rec| Ok(data(rec)))
    }

    async fn list_keys(&self, kvs_arn: &str) -> Result<Vec<KvsItem>> {
        self.with_store("list_keys", kvs_arn, |rec| {
            Ok(rec
                .items
                .iter()
                .map(|(k, v)| KvsItem {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect())
        })
    }

    async fn update_keys(
        &self,
        kvs_arn: &str,
        if_match: &str,
        puts: Vec<KvsItem>,
        deletes: Vec<String>,
    ) -> Result<KvsData> {
        const OP: &str = "update_keys";
        let invalid = |message: String| kvs_err(OP, ErrorKind::InvalidRequest { message });
        if puts.len() + deletes.len() > KVS_MAX_KEYS_PER_UPDATE {
            return Err(invalid(format!(
                "ValidationException: at most {KVS_MAX_KEYS_PER_UPDATE} keys per update ({} puts, {} deletes)",
                puts.len(),
                deletes.len()
            )));
        }
        for key in puts.iter().map(|p| &p.key).chain(&deletes) {
            if key.is_empty() || key.len() > KVS_MAX_KEY_BYTES {
                return Err(invalid(format!(
                    "ValidationException: keys are 1 to {KVS_MAX_KEY_BYTES} bytes ({} bytes)",
                    key.len()
                )));
            }
        }
        if let Some(p) = puts.iter().find(|p| p.value.len() > KVS_MAX_VALUE_BYTES) {
            return Err(invalid(format!(
                "ValidationException: the value of '{}' is {} bytes; at most {KVS_MAX_VALUE_BYTES}",
                p.key,
                p.value.len()
            )));
        }
        if let Some(k) = puts.iter().find(|p| deletes.contains(&p.key)) {
            return Err(invalid(format!(
                "ValidationException: key '{}' is both put and deleted",
                k.key
            )));
        }
        let etag = format!("KV{:X}", self.0.next_id() * 104_729);
        self.with_store(OP, kvs_arn, |rec| {
            if rec.data_etag != if_match {
                return Err(kvs_err(
                    OP,
                    ErrorKind::Conflict {
                        message: "ConflictException: the ETag does not match the key value store's current version".into(),
                    },
                ));
            }
            let mut items = rec.items.clone();
            for k in &deletes {
                items.remove(k);
            }
            for p in puts {
                items.insert(p.key, p.value);
            }
            if size(&items) > KVS_MAX_STORE_BYTES {
                return Err(kvs_err(
                    OP,
                    ErrorKind::InvalidRequest {
                        message: format!(
                            "ServiceQuotaExceededException: the key value store would hold {} bytes; at most {KVS_MAX_STORE_BYTES}",
                            size(&items)
                        ),
                    },
                ));
            }
            rec.items = items;
            rec.data_etag = etag;
            Ok(data(rec))
        })
    }
}
