//! A LiveChannel's resources composed from its spec and the ids known so far:
//! the one place that says which spec field goes where. The reconciler calls
//! these with real ids as it creates children; `onair render` calls them with
//! placeholders and prints the result.

use serde::Serialize;

use crate::api::live_channel::{DesiredState, LiveChannelSpec};
use crate::aws::cloudfront::DistributionConfig;
use crate::aws::medialive::{ChannelSettings, InputSettings, InputType, PackagingDestination};
use crate::aws::mediapackage::{CdnAuthorization, OriginEndpointSpec};
use crate::aws::ownership::{Owner, Tags};
use crate::aws::secret::SecretString;

use super::cloudfront::{distribution, DistributionInputs, Policies};
use super::medialive;
use super::mediapackage::{endpoint, Format};

/// Whether the channel has origin protection (a CDN that sends the secret).
pub fn protects(spec: &LiveChannelSpec) -> bool {
    spec.cdn.enabled && spec.cdn.origin_protection
}

/// MediaPackage's CDN authorization, when protected.
pub fn authorization(
    spec: &LiveChannelSpec,
    secret_arn: &str,
    secrets_role_arn: Option<&str>,
) -> Option<CdnAuthorization> {
    protects(spec).then(|| CdnAuthorization {
        cdn_identifier_secret_arn: secret_arn.to_string(),
        secrets_role_arn: secrets_role_arn.unwrap_or_default().to_string(),
    })
}

/// The MediaPackage channel's id: unique per account and region, so derived
/// from the owner's uid (creation is idempotent).
pub fn packaging_channel_id(owner: &Owner) -> String {
    owner.resource_id("packaging-channel", crate::aws::mediapackage::MAX_ID_LEN)
}

/// The CDN-authorization secret's name (names are unique per account).
pub fn cdn_secret_name(owner: &Owner) -> String {
    format!("onair/{}", owner.resource_id("cdn-secret", 200))
}

/// The endpoint id of `format` (deterministic, so creation is idempotent).
pub fn endpoint_id(owner: &Owner, format: Format) -> String {
    owner.resource_id(format.child(), crate::aws::mediapackage::MAX_ID_LEN)
}

/// The desired endpoint of `format`, None when the spec turns it off.
pub fn origin_endpoint(
    spec: &LiveChannelSpec,
    owner: &Owner,
    format: Format,
    packaging_channel_id: &str,
    authorization: Option<CdnAuthorization>,
) -> Option<OriginEndpointSpec> {
    endpoint(
        &spec.packaging,
        format,
        &endpoint_id(owner, format),
        packaging_channel_id,
        authorization,
    )
}

/// The distribution, when the spec asks for a CDN.
pub fn distribution_config(
    spec: &LiveChannelSpec,
    owner: &Owner,
    packaging_urls: &[String],
    cdn_identifier: Option<&SecretString>,
    policies: &Policies,
    folded: super::cloudfront::Folded,
) -> Option<DistributionConfig> {
    spec.cdn.enabled.then(|| {
        distribution(&DistributionInputs {
            caller_reference: String::new(),
            comment: format!("onair LiveChannel {}/{}", owner.namespace, owner.name),
            cdn: &spec.cdn,
            packaging_urls,
            cdn_identifier,
            policies,
            viewer_request_function: folded.viewer_request_function,
            web_acl_arn: folded.web_acl_arn,
            realtime_log_config_arn: folded.realtime_log_config_arn,
            ad_origins: folded.ad_origins,
        })
    })
}

/// The MediaLive channel's settings.
pub fn channel_settings(
    spec: &LiveChannelSpec,
    role_arn: Option<&str>,
    input_id: &str,
    packaging_channel_id: &str,
) -> ChannelSettings {
    ChannelSettings {
        name: String::new(),
        role_arn: role_arn.map(str::to_string),
        input_ids: vec![input_id.to_string()],
        packaging: vec![PackagingDestination::V1 {
            channel_id: packaging_channel_id.to_string(),
        }],
        encoding: medialive::encoding(&spec.encoding),
    }
}

/// Everything `onair render` prints for one LiveChannel: each AWS resource
/// and the configuration it gets. Ids AWS chooses are `<placeholders>`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rendered {
    pub live_channel: String,
    pub tags: Tags,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_security_group: Option<RenderedSecurityGroup>,
    pub input: RenderedInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdn_secret: Option<RenderedSecret>,
    pub packaging_channel: RenderedPackagingChannel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hls_endpoint: Option<OriginEndpointSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dash_endpoint: Option<OriginEndpointSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<DistributionConfig>,
    pub channel: RenderedChannel,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedSecurityGroup {
    pub allowed_cidrs: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedInput {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: InputType,
    pub settings: InputSettings,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedSecret {
    pub name: String,
    /// Never the value: it is generated in AWS and stays there.
    pub value: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedPackagingChannel {
    pub id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedChannel {
    pub name: String,
    pub channel_class: &'static str,
    pub state: DesiredState,
    pub settings: ChannelSettings,
}

/// A placeholder for an id AWS chooses at creation.
fn placeholder(what: &str) -> String {
    format!("<{what}>")
}

/// The configuration of every resource, without AWS: ids AWS would choose
/// are placeholders; the MediaPackage ids are the real deterministic ones.
pub fn render(
    spec: &LiveChannelSpec,
    owner: &Owner,
    tags: Tags,
    media_live_role: Option<&str>,
    secrets_role: Option<&str>,
    policies: &Policies,
) -> Rendered {
    let cidrs = medialive::security_group_cidrs(&spec.input);
    let group_id = cidrs
        .as_ref()
        .map(|_| placeholder("input security group id"));
    let passphrases: Vec<Option<String>> = spec
        .input
        .srt_caller
        .iter()
        .flat_map(|s| s.sources.iter())
        .map(|s| {
            s.passphrase_secret_ref
                .as_ref()
                .map(|_| placeholder("SRT passphrase secret ARN"))
        })
        .collect();
    let (input_type, settings) = medialive::input(&spec.input, group_id.as_deref(), &passphrases);
    let secret_arn = placeholder("CDN-authorization secret ARN");
    let authorization = authorization(spec, &secret_arn, secrets_role);
    let packaging_channel_id = packaging_channel_id(owner);
    let hls = origin_endpoint(
        spec,
        owner,
        Format::Hls,
        &packaging_channel_id,
        authorization.clone(),
    );
    let dash = origin_endpoint(
        spec,
        owner,
        Format::Dash,
        &packaging_channel_id,
        authorization,
    );
    let identifier = SecretString::new("<generated>".to_string());
    let distribution = distribution_config(
        spec,
        owner,
        &["https://<MediaPackage endpoint host>/out/v1/<id>/index.m3u8".to_string()],
        protects(spec).then_some(&identifier),
        policies,
        Default::default(),
    );
    Rendered {
        live_channel: format!("{}/{}", owner.namespace, owner.name),
        tags,
        input_security_group: cidrs.map(|allowed_cidrs| RenderedSecurityGroup { allowed_cidrs }),
        input: RenderedInput {
            name: owner.display_name("input", 128),
            type_: input_type,
            settings,
        },
        cdn_secret: protects(spec).then(|| RenderedSecret {
            name: cdn_secret_name(owner),
            value: "<generated at creation, never shown>",
        }),
        packaging_channel: RenderedPackagingChannel {
            id: packaging_channel_id.clone(),
        },
        hls_endpoint: hls,
        dash_endpoint: dash,
        distribution,
        channel: RenderedChannel {
            name: owner.display_name("channel", 128),
            channel_class: medialive::channel_class(spec.encoding.channel_class),
            state: spec.state,
            settings: channel_settings(
                spec,
                media_live_role,
                &placeholder("input id"),
                &packaging_channel_id,
            ),
        },
    }
}
