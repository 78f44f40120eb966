//! MediaPackage VOD on aws-sdk-mediapackagevod.

use async_trait::async_trait;
use aws_sdk_mediapackagevod as vod;
use vod::types as t;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{sdk_err, AwsError};
use crate::aws::mediapackage::already_exists;
use crate::aws::mediapackagevod::*;
use crate::aws::service::Service;

use super::{i32s, secs, tags_in, tags_out};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "MediaPackageVod";

sdk_adapter!(
    SdkMediaPackageVod,
    aws_sdk_mediapackagevod,
    Service::MediaPackageVod
);

macro_rules! group_of {
    ($g:expr) => {
        PackagingGroup {
            spec: PackagingGroupSpec {
                id: $g.id().unwrap_or_default().into(),
                authorization: $g.authorization().map(|a| CdnAuthorization {
                    cdn_identifier_secret_arn: a.cdn_identifier_secret().unwrap_or_default().into(),
                    secrets_role_arn: a.secrets_role_arn().unwrap_or_default().into(),
                }),
                tags: tags_out($g.tags()),
            },
            arn: $g.arn().unwrap_or_default().into(),
            domain_name: $g.domain_name().unwrap_or_default().into(),
        }
    };
}

macro_rules! config_of {
    ($c:expr) => {
        PackagingConfiguration {
            spec: PackagingConfigurationSpec {
                id: $c.id().unwrap_or_default().into(),
                packaging_group_id: $c.packaging_group_id().unwrap_or_default().into(),
                package: package_out($c.hls_package(), $c.dash_package()),
                tags: tags_out($c.tags()),
            },
            arn: $c.arn().unwrap_or_default().into(),
        }
    };
}

macro_rules! asset_of {
    ($a:expr) => {
        Asset {
            spec: NewAsset {
                id: $a.id().unwrap_or_default().into(),
                packaging_group_id: $a.packaging_group_id().unwrap_or_default().into(),
                source_arn: $a.source_arn().unwrap_or_default().into(),
                source_role_arn: $a.source_role_arn().unwrap_or_default().into(),
                resource_id: $a.resource_id().map(str::to_owned),
                tags: tags_out($a.tags()),
            },
            arn: $a.arn().unwrap_or_default().into(),
            egress_endpoints: $a
                .egress_endpoints()
                .iter()
                .map(|e| EgressEndpoint {
                    packaging_configuration_id: e
                        .packaging_configuration_id()
                        .unwrap_or_default()
                        .into(),
                    url: e.url().unwrap_or_default().into(),
                    status: e.status().unwrap_or_default().into(),
                })
                .collect(),
        }
    };
}

fn package_out(hls: Option<&t::HlsPackage>, dash: Option<&t::DashPackage>) -> VodPackage {
    if let (None, Some(d)) = (hls, dash) {
        let m = d.dash_manifests().first();
        return VodPackage::Dash(VodDash {
            segment_duration_seconds: secs(d.segment_duration_seconds()),
            manifest_name: m.and_then(|m| m.manifest_name()).map(str::to_owned),
            segment_template_format: d.segment_template_format().map(|f| f.as_str().into()),
            period_triggers: d
                .period_triggers()
                .iter()
                .map(|p| p.as_str().into())
                .collect(),
        });
    }
    let m = hls.and_then(|h| h.hls_manifests().first());
    VodPackage::Hls(VodHls {
        segment_duration_seconds: secs(hls.and_then(|h| h.segment_duration_seconds())),
        manifest_name: m.and_then(|m| m.manifest_name()).map(str::to_owned),
        ad_markers: m.and_then(|m| m.ad_markers()).map(|a| a.as_str().into()),
    })
}

#[async_trait]
impl MediaPackageVodApi for SdkMediaPackageVod {
    async fn create_packaging_group(&self, s: PackagingGroupSpec) -> Result<PackagingGroup> {
        let auth = s.authorization.map(|a| {
            t::Authorization::builder()
                .cdn_identifier_secret(a.cdn_identifier_secret_arn)
                .secrets_role_arn(a.secrets_role_arn)
                .build()
        });
        let out = self
            .client
            .create_packaging_group()
            .id(s.id)
            .set_authorization(auth)
            .set_tags(Some(tags_in(s.tags)))
            .send()
            .await
            .map_err(sdk_err(SVC, "CreatePackagingGroup"))
            .map_err(already_exists)?;
        Ok(group_of!(out))
    }

    async fn describe_packaging_group(&self, id: &str) -> Result<PackagingGroup> {
        let out = self
            .client
            .describe_packaging_group()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribePackagingGroup"))?;
        Ok(group_of!(out))
    }

    async fn delete_packaging_group(&self, id: &str) -> Result<()> {
        self.client
            .delete_packaging_group()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeletePackagingGroup"))?;
        Ok(())
    }

    async fn create_packaging_configuration(
        &self,
        s: PackagingConfigurationSpec,
    ) -> Result<PackagingConfiguration> {
        const OP: &str = "CreatePackagingConfiguration";
        let req = self
            .client
            .create_packaging_configuration()
            .id(s.id)
            .packaging_group_id(s.packaging_group_id)
            .set_tags(Some(tags_in(s.tags)));
        let req = match s.package {
            VodPackage::Hls(h) => req.hls_package(
                t::HlsPackage::builder()
                    .hls_manifests(
                        t::HlsManifest::builder()
                            .set_manifest_name(h.manifest_name)
                            .set_ad_markers(h.ad_markers.as_deref().map(t::AdMarkers::from))
                            .build(),
                    )
                    .set_segment_duration_seconds(i32s(h.segment_duration_seconds))
                    .build(),
            ),
            VodPackage::Dash(d) => req.dash_package(
                t::DashPackage::builder()
                    .dash_manifests(
                        t::DashManifest::builder()
                            .set_manifest_name(d.manifest_name)
                            .build(),
                    )
                    .set_segment_duration_seconds(i32s(d.segment_duration_seconds))
                    .set_segment_template_format(
                        d.segment_template_format
                            .as_deref()
                            .map(t::SegmentTemplateFormat::from),
                    )
                    .set_period_triggers((!d.period_triggers.is_empty()).then(|| {
                        d.period_triggers
                            .iter()
                            .map(|p| t::PeriodTriggersElement::from(p.as_str()))
                            .collect()
                    }))
                    .build(),
            ),
        };
        let out = req
            .send()
            .await
            .map_err(sdk_err(SVC, OP))
            .map_err(already_exists)?;
        Ok(config_of!(out))
    }

    async fn describe_packaging_configuration(&self, id: &str) -> Result<PackagingConfiguration> {
        let out = self
            .client
            .describe_packaging_configuration()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribePackagingConfiguration"))?;
        Ok(config_of!(out))
    }

    async fn delete_packaging_configuration(&self, id: &str) -> Result<()> {
        self.client
            .delete_packaging_configuration()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeletePackagingConfiguration"))?;
        Ok(())
    }

    async fn create_asset(&self, a: NewAsset) -> Result<Asset> {
        let out = self
            .client
            .create_asset()
            .id(a.id)
            .packaging_group_id(a.packaging_group_id)
            .source_arn(a.source_arn)
            .source_role_arn(a.source_role_arn)
            .set_resource_id(a.resource_id)
            .set_tags(Some(tags_in(a.tags)))
            .send()
            .await
            .map_err(sdk_err(SVC, "CreateAsset"))
            .map_err(already_exists)?;
        Ok(asset_of!(out))
    }

    async fn describe_asset(&self, id: &str) -> Result<Asset> {
        let out = self
            .client
            .describe_asset()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribeAsset"))?;
        Ok(asset_of!(out))
    }

    async fn delete_asset(&self, id: &str) -> Result<()> {
        self.client
            .delete_asset()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteAsset"))?;
        Ok(())
    }
}
