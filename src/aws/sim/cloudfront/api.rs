//! The CloudFront control-plane calls: distributions (CallerReference
//! idempotency, If-Match, disable-and-deploy before delete), functions, key value
//! stores, real-time log configurations and the managed policy lists.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::errors::{
    already_exists, conflict, invalid, no_distribution, no_realtime, no_store, not_found, stale,
};
use super::policies::{policies, MANAGED_CACHE, MANAGED_ORIGIN_REQUEST, MANAGED_RESPONSE_HEADERS};
use super::validate::{check_realtime, normalized, valid_name};
use super::{DistRec, FuncRec, Result, SimCloudFront, Stage, StoreRec};
use crate::aws::cloudfront::*;
use crate::aws::ownership::Tags;

#[async_trait]
impl CloudFrontApi for SimCloudFront {
    async fn create_distribution(
        &self,
        config: DistributionConfig,
        tags: Tags,
    ) -> Result<Distribution> {
        const OP: &str = "create_distribution";
        let config = normalized(config);
        let now = self.0.clock.now();
        let mut s = self.state();
        if let Some(rec) = s
            .distributions
            .values()
            .find(|r| r.dist.config.caller_reference == config.caller_reference)
        {
            if rec.dist.config == config {
                return Ok(rec.dist.clone());
            }
            return Err(already_exists(OP, "DistributionAlreadyExists", format!("The caller reference that you are using to create a distribution is associated with another distribution. Already exists: {}", rec.dist.id)));
        }
        self.validate(OP, &s, &config)?;
        let n = self.0.next_id();
        let id = format!("E{n:X}SIM");
        let arn = self.global_arn(&format!("distribution/{id}"));
        let dist = Distribution {
            domain_name: format!("d{n:x}sim.cloudfront.net"),
            arn: arn.clone(),
            id: id.clone(),
            status: DistributionStatus::InProgress,
            etag: self.etag(),
            config,
        };
        s.tags.insert(arn, tags);
        s.distributions.insert(
            id,
            DistRec {
                dist: dist.clone(),
                deployed_at: now + self.0.timings.distribution_deploy,
            },
        );
        Ok(dist)
    }

    async fn get_distribution(&self, id: &str) -> Result<Distribution> {
        self.state()
            .distributions
            .get(id)
            .map(|r| r.dist.clone())
            .ok_or_else(|| no_distribution("get_distribution", id))
    }

    async fn update_distribution(
        &self,
        id: &str,
        config: DistributionConfig,
        if_match: &str,
    ) -> Result<Distribution> {
        const OP: &str = "update_distribution";
        let now = self.0.clock.now();
        let etag = self.etag();
        let mut s = self.state();
        let current = s
            .distributions
            .get(id)
            .ok_or_else(|| no_distribution(OP, id))?;
        if current.dist.etag != if_match {
            return Err(stale(OP));
        }
        if current.dist.config.caller_reference != config.caller_reference {
            return Err(invalid(
                OP,
                "IllegalUpdate",
                "Origin and CallerReference cannot be updated.",
            ));
        }
        self.validate(OP, &s, &config)?;
        let config = normalized(config);
        let rec = s.distributions.get_mut(id).expect("checked above");
        rec.dist.config = config;
        rec.dist.etag = etag;
        rec.dist.status = DistributionStatus::InProgress;
        rec.deployed_at = now + self.0.timings.distribution_deploy;
        Ok(rec.dist.clone())
    }

    async fn delete_distribution(&self, id: &str, if_match: &str) -> Result<()> {
        const OP: &str = "delete_distribution";
        let mut s = self.state();
        let rec = s
            .distributions
            .get(id)
            .ok_or_else(|| no_distribution(OP, id))?;
        if rec.dist.etag != if_match {
            return Err(stale(OP));
        }
        if rec.dist.config.enabled {
            return Err(conflict(
                OP,
                "DistributionNotDisabled",
                "The distribution you are trying to delete has not been disabled.",
            ));
        }
        if rec.dist.status != DistributionStatus::Deployed {
            return Err(conflict(
                OP,
                "DistributionNotDisabled",
                "The distribution is disabled but its deployment is still InProgress; delete it once Deployed.",
            ));
        }
        let arn = rec.dist.arn.clone();
        s.distributions.remove(id);
        s.tags.remove(&arn);
        Ok(())
    }

    async fn list_distributions(&self) -> Result<Vec<DistributionSummary>> {
        Ok(self
            .state()
            .distributions
            .values()
            .map(|r| DistributionSummary {
                id: r.dist.id.clone(),
                arn: r.dist.arn.clone(),
                domain_name: r.dist.domain_name.clone(),
                status: r.dist.status.clone(),
                enabled: r.dist.config.enabled,
                comment: r.dist.config.comment.clone(),
            })
            .collect())
    }

    async fn find_distribution(&self, caller_reference: &str) -> Result<Option<Distribution>> {
        Ok(self
            .state()
            .distributions
            .values()
            .find(|r| r.dist.config.caller_reference == caller_reference)
            .map(|r| r.dist.clone()))
    }

    async fn list_tags(&self, arn: &str) -> Result<Tags> {
        self.state().tags.get(arn).cloned().ok_or_else(|| {
            not_found(
                "list_tags",
                "NoSuchResource",
                format!("The resource '{arn}' does not exist"),
            )
        })
    }

    async fn create_function(
        &self,
        name: &str,
        spec: FunctionSpec,
        tags: Tags,
    ) -> Result<Function> {
        const OP: &str = "create_function";
        if !valid_name(name, 64) {
            return Err(invalid(
                OP,
                "InvalidArgument",
                format!("Function name '{name}' must be 1 to 64 letters, digits, '-' or '_'"),
            ));
        }
        let etag = self.etag();
        let mut s = self.state();
        if s.functions.contains_key(name) {
            return Err(already_exists(
                OP,
                "FunctionAlreadyExists",
                format!("A function named '{name}' already exists"),
            ));
        }
        self.check_function(OP, &s, &spec)?;
        let arn = self.global_arn(&format!("function/{name}"));
        s.tags.insert(arn.clone(), tags);
        s.functions.insert(
            name.into(),
            FuncRec {
                arn,
                dev: Stage { spec, etag },
                live: None,
                published: false,
            },
        );
        Ok(self
            .function(&s, name, FunctionStage::Development)
            .expect("just inserted"))
    }

    async fn describe_function(&self, name: &str, stage: FunctionStage) -> Result<Function> {
        let s = self.state();
        self.function(&s, name, stage).ok_or_else(|| {
            not_found(
                "describe_function",
                "NoSuchFunctionExists",
                format!("The function '{name}' has no {} stage", stage.as_aws()),
            )
        })
    }

    async fn get_function_code(&self, name: &str, stage: FunctionStage) -> Result<FunctionCode> {
        let s = self.state();
        let st = s.functions.get(name).and_then(|r| match stage {
            FunctionStage::Development => Some(&r.dev),
            FunctionStage::Live => r.live.as_ref(),
        });
        st.map(|st| FunctionCode {
            code: st.spec.code.clone(),
            etag: st.etag.clone(),
        })
        .ok_or_else(|| {
            not_found(
                "get_function_code",
                "NoSuchFunctionExists",
                format!("The function '{name}' has no {} stage", stage.as_aws()),
            )
        })
    }

    async fn update_function(
        &self,
        name: &str,
        spec: FunctionSpec,
        if_match: &str,
    ) -> Result<Function> {
        const OP: &str = "update_function";
        let etag = self.etag();
        let mut s = self.state();
        self.dev_rec(OP, &mut s, name, if_match)?;
        self.check_function(OP, &s, &spec)?;
        let rec = s.functions.get_mut(name).expect("checked above");
        rec.dev = Stage { spec, etag };
        rec.published = false;
        Ok(self
            .function(&s, name, FunctionStage::Development)
            .expect("exists"))
    }

    async fn publish_function(&self, name: &str, if_match: &str) -> Result<Function> {
        const OP: &str = "publish_function";
        let etag = self.etag();
        let mut s = self.state();
        let rec = self.dev_rec(OP, &mut s, name, if_match)?;
        rec.live = Some(Stage {
            spec: rec.dev.spec.clone(),
            etag,
        });
        rec.published = true;
        let mut live = self
            .function(&s, name, FunctionStage::Live)
            .expect("exists");
        // PublishFunction answers no ETag (describe LIVE for it).
        live.etag.clear();
        Ok(live)
    }

    async fn delete_function(&self, name: &str, if_match: &str) -> Result<()> {
        const OP: &str = "delete_function";
        let mut s = self.state();
        let arn = self.dev_rec(OP, &mut s, name, if_match)?.arn.clone();
        if Self::behaviors(&s)
            .flat_map(|b| &b.function_associations)
            .any(|f| f.function_arn == arn)
        {
            return Err(conflict(
                OP,
                "FunctionInUse",
                format!(
                    "Cannot delete function '{name}': it is in use by one or more distributions"
                ),
            ));
        }
        s.functions.remove(name);
        s.tags.remove(&arn);
        Ok(())
    }

    async fn create_key_value_store(
        &self,
        name: &str,
        comment: &str,
        tags: Tags,
    ) -> Result<KeyValueStore> {
        const OP: &str = "create_key_value_store";
        if !valid_name(name, 64) {
            return Err(invalid(
                OP,
                "InvalidArgument",
                format!(
                    "Key value store name '{name}' must be 1 to 64 letters, digits, '-' or '_'"
                ),
            ));
        }
        let now = self.0.clock.now();
        let (etag, data_etag) = (self.etag(), self.etag());
        let mut s = self.state();
        if s.stores.contains_key(name) {
            return Err(already_exists(
                OP,
                "EntityAlreadyExists",
                format!("A key value store named '{name}' already exists"),
            ));
        }
        let n = self.0.next_id();
        let id = format!("{n:08x}-5111-4e1a-9000-{n:012x}");
        let store = KeyValueStore {
            name: name.into(),
            arn: self.global_arn(&format!("key-value-store/{id}")),
            id,
            comment: comment.into(),
            status: "PROVISIONING".into(),
            etag,
        };
        s.tags.insert(store.arn.clone(), tags);
        s.stores.insert(
            name.into(),
            StoreRec {
                store: store.clone(),
                ready_at: now + self.0.timings.key_value_store_create,
                data_etag,
                items: BTreeMap::new(),
            },
        );
        Ok(store)
    }

    async fn describe_key_value_store(&self, name: &str) -> Result<KeyValueStore> {
        self.state()
            .stores
            .get(name)
            .map(|r| r.store.clone())
            .ok_or_else(|| no_store("describe_key_value_store", name))
    }

    async fn delete_key_value_store(&self, name: &str, if_match: &str) -> Result<()> {
        const OP: &str = "delete_key_value_store";
        let mut s = self.state();
        let rec = s.stores.get(name).ok_or_else(|| no_store(OP, name))?;
        if rec.store.etag != if_match {
            return Err(stale(OP));
        }
        let arn = rec.store.arn.clone();
        let used = s.functions.values().any(|f| {
            std::iter::once(&f.dev)
                .chain(&f.live)
                .any(|st| st.spec.key_value_store_arns.contains(&arn))
        });
        if used {
            return Err(conflict(
                OP,
                "CannotDeleteEntityWhileInUse",
                format!("The key value store '{name}' is associated with a function"),
            ));
        }
        s.stores.remove(name);
        s.tags.remove(&arn);
        Ok(())
    }

    async fn create_realtime_log_config(
        &self,
        mut config: RealtimeLogConfig,
    ) -> Result<RealtimeLogConfig> {
        const OP: &str = "create_realtime_log_config";
        check_realtime(OP, &config)?;
        let mut s = self.state();
        if s.realtime.contains_key(&config.name) {
            return Err(already_exists(
                OP,
                "RealtimeLogConfigAlreadyExists",
                format!("'{}' already exists", config.name),
            ));
        }
        config.arn = self.global_arn(&format!("realtime-log-config/{}", config.name));
        s.realtime.insert(config.name.clone(), config.clone());
        Ok(config)
    }

    async fn get_realtime_log_config(&self, name: &str) -> Result<RealtimeLogConfig> {
        self.state()
            .realtime
            .get(name)
            .cloned()
            .ok_or_else(|| no_realtime("get_realtime_log_config", name))
    }

    async fn update_realtime_log_config(
        &self,
        mut config: RealtimeLogConfig,
    ) -> Result<RealtimeLogConfig> {
        const OP: &str = "update_realtime_log_config";
        check_realtime(OP, &config)?;
        let mut s = self.state();
        let rec = s
            .realtime
            .get_mut(&config.name)
            .ok_or_else(|| no_realtime(OP, &config.name))?;
        config.arn = rec.arn.clone();
        *rec = config.clone();
        Ok(config)
    }

    async fn delete_realtime_log_config(&self, name: &str) -> Result<()> {
        const OP: &str = "delete_realtime_log_config";
        let mut s = self.state();
        let arn = s
            .realtime
            .get(name)
            .ok_or_else(|| no_realtime(OP, name))?
            .arn
            .clone();
        if Self::behaviors(&s).any(|b| b.realtime_log_config_arn.as_ref() == Some(&arn)) {
            return Err(conflict(
                OP,
                "RealtimeLogConfigInUse",
                format!("Cannot delete '{name}': a cache behaviour uses it"),
            ));
        }
        s.realtime.remove(name);
        Ok(())
    }

    async fn list_cache_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        Ok(policies(MANAGED_CACHE, owner))
    }

    async fn list_origin_request_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        Ok(policies(MANAGED_ORIGIN_REQUEST, owner))
    }

    async fn list_response_headers_policies(&self, owner: PolicyOwner) -> Result<Vec<Policy>> {
        Ok(policies(MANAGED_RESPONSE_HEADERS, owner))
    }
}
