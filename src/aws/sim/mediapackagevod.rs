//! Simulated MediaPackage VOD: caller-chosen ids, groups that refuse deletion while
//! in use, assets whose source must exist in the simulated S3 and that become
//! PLAYABLE on every configuration of their group.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::mediapackagevod::*;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Default)]
pub(crate) struct State {
    groups: BTreeMap<String, PackagingGroup>,
    configs: BTreeMap<String, PackagingConfiguration>,
    assets: BTreeMap<String, NewAsset>,
}

pub(crate) struct SimMediaPackageVod(pub(crate) Arc<World>);

impl State {
    /// (packaging groups, packaging configurations, assets).
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        (self.groups.len(), self.configs.len(), self.assets.len())
    }
}

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new("MediaPackageVod", op, kind)
}

fn not_found(op: &'static str, what: &str, id: &str) -> AwsError {
    err(
        op,
        ErrorKind::NotFound {
            message: format!("{what} with id={id} not found"),
        },
    )
}

fn exists(op: &'static str, what: &str, id: &str) -> AwsError {
    err(
        op,
        ErrorKind::AlreadyExists {
            message: format!("{what} with id {id} already exists"),
        },
    )
}

impl SimMediaPackageVod {
    fn asset(&self, state: &State, a: &NewAsset) -> Asset {
        let domain = state
            .groups
            .get(&a.packaging_group_id)
            .map(|g| g.domain_name.clone())
            .unwrap_or_default();
        let resource = a.resource_id.clone().unwrap_or_else(|| a.id.clone());
        Asset {
            arn: self.0.arn("mediapackage-vod", &format!("assets/{}", a.id)),
            egress_endpoints: state
                .configs
                .values()
                .filter(|c| c.spec.packaging_group_id == a.packaging_group_id)
                .map(|c| {
                    let (name, ext) = match &c.spec.package {
                        VodPackage::Hls(h) => (h.manifest_name.clone(), "m3u8"),
                        VodPackage::Dash(d) => (d.manifest_name.clone(), "mpd"),
                    };
                    EgressEndpoint {
                        packaging_configuration_id: c.spec.id.clone(),
                        url: format!(
                            "{domain}/out/v1/{resource}/{}/{}.{ext}",
                            c.spec.id,
                            name.unwrap_or_else(|| "index".into())
                        ),
                        status: "PLAYABLE".into(),
                    }
                })
                .collect(),
            spec: a.clone(),
        }
    }
}

#[async_trait]
impl MediaPackageVodApi for SimMediaPackageVod {
    async fn create_packaging_group(&self, spec: PackagingGroupSpec) -> Result<PackagingGroup> {
        const OP: &str = "create_packaging_group";
        let mut state = lock(&self.0.mediapackagevod);
        if state.groups.contains_key(&spec.id) {
            return Err(exists(OP, "Packaging group", &spec.id));
        }
        let g = PackagingGroup {
            arn: self
                .0
                .arn("mediapackage-vod", &format!("packaging-groups/{}", spec.id)),
            domain_name: format!(
                "https://{:012x}.egress.mediapackage-vod.{}.amazonaws.com",
                fastrand::u64(..1 << 48),
                self.0.region
            ),
            spec,
        };
        state.groups.insert(g.spec.id.clone(), g.clone());
        Ok(g)
    }

    async fn describe_packaging_group(&self, id: &str) -> Result<PackagingGroup> {
        lock(&self.0.mediapackagevod)
            .groups
            .get(id)
            .cloned()
            .ok_or_else(|| not_found("describe_packaging_group", "packaging group", id))
    }

    async fn delete_packaging_group(&self, id: &str) -> Result<()> {
        const OP: &str = "delete_packaging_group";
        let mut state = lock(&self.0.mediapackagevod);
        if !state.groups.contains_key(id) {
            return Err(not_found(OP, "packaging group", id));
        }
        let in_use = state
            .configs
            .values()
            .any(|c| c.spec.packaging_group_id == id)
            || state.assets.values().any(|a| a.packaging_group_id == id);
        if in_use {
            return Err(err(
                OP,
                ErrorKind::Conflict {
                    message: format!(
                        "packaging group {id} still has packaging configurations or assets"
                    ),
                },
            ));
        }
        state.groups.remove(id);
        Ok(())
    }

    async fn create_packaging_configuration(
        &self,
        spec: PackagingConfigurationSpec,
    ) -> Result<PackagingConfiguration> {
        const OP: &str = "create_packaging_configuration";
        let mut state = lock(&self.0.mediapackagevod);
        if state.configs.contains_key(&spec.id) {
            return Err(exists(OP, "Packaging configuration", &spec.id));
        }
        if !state.groups.contains_key(&spec.packaging_group_id) {
            return Err(err(
                OP,
                ErrorKind::InvalidRequest {
                    message: format!("packaging group {} does not exist", spec.packaging_group_id),
                },
            ));
        }
        let c = PackagingConfiguration {
            arn: self.0.arn(
                "mediapackage-vod",
                &format!("packaging-configurations/{}", spec.id),
            ),
            spec,
        };
        state.configs.insert(c.spec.id.clone(), c.clone());
        Ok(c)
    }

    async fn describe_packaging_configuration(&self, id: &str) -> Result<PackagingConfiguration> {
        lock(&self.0.mediapackagevod)
            .configs
            .get(id)
            .cloned()
            .ok_or_else(|| {
                not_found(
                    "describe_packaging_configuration",
                    "packaging configuration",
                    id,
                )
            })
    }

    async fn delete_packaging_configuration(&self, id: &str) -> Result<()> {
        lock(&self.0.mediapackagevod)
            .configs
            .remove(id)
            .map(|_| ())
            .ok_or_else(|| {
                not_found(
                    "delete_packaging_configuration",
                    "packaging configuration",
                    id,
                )
            })
    }

    async fn create_asset(&self, a: NewAsset) -> Result<Asset> {
        const OP: &str = "create_asset";
        super::mediapackage::settle(&self.0);
        let source = a
            .source_arn
            .strip_prefix("arn:aws:s3:::")
            .and_then(|p| p.split_once('/'))
            .map(|(b, k)| (b.to_owned(), k.to_owned()));
        let readable = source.is_some_and(|s| lock(&self.0.s3).contains_key(&s));
        let mut state = lock(&self.0.mediapackagevod);
        if state.assets.contains_key(&a.id) {
            return Err(exists(OP, "Asset", &a.id));
        }
        if !state.groups.contains_key(&a.packaging_group_id) {
            return Err(err(
                OP,
                ErrorKind::InvalidRequest {
                    message: format!("packaging group {} does not exist", a.packaging_group_id),
                },
            ));
        }
        if !readable {
            return Err(err(
                OP,
                ErrorKind::InvalidRequest {
                    message: format!("cannot read the source {}", a.source_arn),
                },
            ));
        }
        state.assets.insert(a.id.clone(), a.clone());
        Ok(self.asset(&state, &a))
    }

    async fn describe_asset(&self, id: &str) -> Result<Asset> {
        let state = lock(&self.0.mediapackagevod);
        let a = state
            .assets
            .get(id)
            .ok_or_else(|| not_found("describe_asset", "asset", id))?;
        Ok(self.asset(&state, a))
    }

    async fn delete_asset(&self, id: &str) -> Result<()> {
        lock(&self.0.mediapackagevod)
            .assets
            .remove(id)
            .map(|_| ())
            .ok_or_else(|| not_found("delete_asset", "asset", id))
    }
}
