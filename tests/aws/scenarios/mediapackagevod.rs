//! MediaPackage VOD scenario: a packaging group with HLS and DASH configurations, and
//! an asset made from a harvested clip.

use std::sync::Arc;

use onair::aws::mediapackagevod::*;
use onair::aws::ownership::Tags;

use super::owner;

pub fn hls_config(group: &str) -> PackagingConfigurationSpec {
    let o = owner();
    PackagingConfigurationSpec {
        id: o.resource_id("vod-hls", 128),
        packaging_group_id: group.into(),
        package: VodPackage::Hls(VodHls {
            segment_duration_seconds: Some(6),
            manifest_name: Some("index".into()),
            ad_markers: Some("PASSTHROUGH".into()),
        }),
        tags: o.tags("vod-hls", &Tags::new()),
    }
}

pub fn dash_config(group: &str) -> PackagingConfigurationSpec {
    let o = owner();
    PackagingConfigurationSpec {
        id: o.resource_id("vod-dash", 128),
        packaging_group_id: group.into(),
        package: VodPackage::Dash(VodDash {
            segment_duration_seconds: Some(2),
            manifest_name: Some("index".into()),
            segment_template_format: Some("NUMBER_WITH_TIMELINE".into()),
            period_triggers: vec!["ADS".into()],
        }),
        tags: o.tags("vod-dash", &Tags::new()),
    }
}

/// `source_arn` is an S3 object the backend can read.
pub async fn vod_group_configurations_asset(api: Arc<dyn MediaPackageVodApi>, source_arn: &str) {
    let o = owner();
    let group = PackagingGroupSpec {
        id: o.resource_id("vod", 128),
        authorization: Some(CdnAuthorization {
            cdn_identifier_secret_arn:
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:onair-cdn-AbCdEf".into(),
            secrets_role_arn: "arn:aws:iam::123456789012:role/MediaPackageSecrets".into(),
        }),
        tags: o.tags("vod", &Tags::new()),
    };
    let g = api.create_packaging_group(group.clone()).await.unwrap();
    assert_eq!(g.spec, group);
    assert!(g.domain_name.starts_with("https://"), "{}", g.domain_name);
    assert_eq!(api.describe_packaging_group(&group.id).await.unwrap(), g);
    let err = api.create_packaging_group(group.clone()).await.unwrap_err();
    assert!(err.is_already_exists(), "{err}");

    for spec in [hls_config(&group.id), dash_config(&group.id)] {
        let c = api
            .create_packaging_configuration(spec.clone())
            .await
            .unwrap();
        assert_eq!(c.spec, spec);
        assert_eq!(
            api.describe_packaging_configuration(&spec.id)
                .await
                .unwrap()
                .spec,
            spec
        );
    }

    let asset = NewAsset {
        id: o.resource_id("clip", 128),
        packaging_group_id: group.id.clone(),
        source_arn: source_arn.into(),
        source_role_arn: "arn:aws:iam::123456789012:role/MediaPackageVodRead".into(),
        resource_id: None,
        tags: o.tags("clip", &Tags::new()),
    };
    let a = api.create_asset(asset.clone()).await.unwrap();
    assert_eq!(a.spec, asset);
    let described = api.describe_asset(&asset.id).await.unwrap();
    let mut configs: Vec<_> = described
        .egress_endpoints
        .iter()
        .map(|e| e.packaging_configuration_id.clone())
        .collect();
    configs.sort();
    let mut expected = vec![hls_config(&group.id).id, dash_config(&group.id).id];
    expected.sort();
    assert_eq!(configs, expected);
    assert!(described
        .egress_endpoints
        .iter()
        .all(|e| e.url.starts_with("https://")));
    let err = api.create_asset(asset.clone()).await.unwrap_err();
    assert!(err.is_already_exists(), "{err}");

    let err = api.delete_packaging_group(&group.id).await.unwrap_err();
    assert!(err.is_conflict(), "in use: {err}");
    api.delete_asset(&asset.id).await.unwrap();
    api.delete_packaging_configuration(&hls_config(&group.id).id)
        .await
        .unwrap();
    api.delete_packaging_configuration(&dash_config(&group.id).id)
        .await
        .unwrap();
    api.delete_packaging_group(&group.id).await.unwrap();
    let err = api.describe_packaging_group(&group.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = api.describe_asset(&asset.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
