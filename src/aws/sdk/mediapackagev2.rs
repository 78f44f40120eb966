//! MediaPackage v2 on aws-sdk-mediapackagev2.

use async_trait::async_trait;
use aws_sdk_mediapackagev2 as mp;
use mp::types as t;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{in_use_means_exists, sdk_err, AwsError};
use crate::aws::mediapackagev2::*;
use crate::aws::service::Service;

use super::{build_err, i32s, non_empty, non_empty_list, paginate, secs, tags_in, tags_out};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "MediaPackageV2";

sdk_adapter!(
    SdkMediaPackageV2,
    aws_sdk_mediapackagev2,
    Service::MediaPackageV2
);

/// A create's error, with a `ConflictException` of type
/// `RESOURCE_ALREADY_EXISTS` (the name is taken) read as AlreadyExists; any
/// other conflict stays a Conflict.
macro_rules! create_err {
    ($op:literal, $module:ident :: $Error:ident) => {
        |e: aws_smithy_runtime_api::client::result::SdkError<mp::operation::$module::$Error, _>| {
            let taken = matches!(
                e.as_service_error(),
                Some(mp::operation::$module::$Error::ConflictException(c))
                    if c.conflict_exception_type() == Some(&t::ConflictExceptionType::ResourceAlreadyExists)
            );
            let err = sdk_err(SVC, $op)(e);
            if taken {
                in_use_means_exists(err)
            } else {
                err
            }
        }
    };
}

/// Reads a channel from any SDK shape with a channel's accessors.
macro_rules! channel_of {
    ($c:expr) => {
        Channel {
            group: $c.channel_group_name().into(),
            name: $c.channel_name().into(),
            arn: $c.arn().into(),
            input_type: $c
                .input_type()
                .and_then(|i| InputType::from_aws(i.as_str())),
            description: $c.description().map(str::to_owned),
            ingest_endpoints: $c
                .ingest_endpoints()
                .iter()
                .map(|e| IngestEndpoint {
                    id: e.id().unwrap_or_default().into(),
                    url: e.url().unwrap_or_default().into(),
                })
                .collect(),
            tags: tags_out($c.tags()),
        }
    };
}

/// Same for channel groups.
macro_rules! group_of {
    ($g:expr) => {
        ChannelGroup {
            name: $g.channel_group_name().into(),
            arn: $g.arn().into(),
            egress_domain: $g.egress_domain().into(),
            description: $g.description().map(str::to_owned),
            tags: tags_out($g.tags()),
        }
    };
}

/// Same for the create, get and update answers of an endpoint, which are
/// distinct types with the same accessors.
macro_rules! endpoint_of {
    ($e:expr) => {{
        let hls = |m: &[t::GetHlsManifestConfiguration]| -> Vec<HlsManifest> {
            m.iter()
                .map(|m| {
                    hls_manifest_out(
                        m.manifest_name(),
                        m.child_manifest_name(),
                        m.manifest_window_seconds(),
                        m.program_date_time_interval_seconds(),
                        m.scte_hls(),
                    )
                })
                .collect()
        };
        let ll_hls = $e
            .low_latency_hls_manifests()
            .iter()
            .map(|m| {
                hls_manifest_out(
                    m.manifest_name(),
                    m.child_manifest_name(),
                    m.manifest_window_seconds(),
                    m.program_date_time_interval_seconds(),
                    m.scte_hls(),
                )
            })
            .collect();
        let url = |kind, name: &str, url: &str| ManifestUrl {
            kind,
            name: name.into(),
            url: url.into(),
        };
        let manifest_urls = ($e
            .hls_manifests()
            .iter()
            .map(|m| url(ManifestKind::Hls, m.manifest_name(), m.url())))
        .chain(
            $e.low_latency_hls_manifests()
                .iter()
                .map(|m| url(ManifestKind::LowLatencyHls, m.manifest_name(), m.url())),
        )
        .chain(
            $e.dash_manifests()
                .iter()
                .map(|m| url(ManifestKind::Dash, m.manifest_name(), m.url())),
        )
        .collect();
        OriginEndpoint {
            spec: OriginEndpointSpec {
                group: $e.channel_group_name().into(),
                channel: $e.channel_name().into(),
                name: $e.origin_endpoint_name().into(),
                container_type: ContainerType::from_aws($e.container_type().as_str())
                    .unwrap_or_default(),
                description: $e.description().map(str::to_owned),
                segment: segment_out($e.segment()),
                startover_window_seconds: secs($e.startover_window_seconds()),
                hls_manifests: hls($e.hls_manifests()),
                low_latency_hls_manifests: ll_hls,
                dash_manifests: $e.dash_manifests().iter().map(dash_manifest_out).collect(),
                tags: tags_out($e.tags()),
            },
            arn: $e.arn().into(),
            manifest_urls,
        }
    }};
}

fn hls_manifest_out(
    name: &str,
    child: Option<&str>,
    window: Option<i32>,
    program_date_time: Option<i32>,
    scte: Option<&t::ScteHls>,
) -> HlsManifest {
    HlsManifest {
        name: name.into(),
        child_manifest_name: child.map(str::to_owned),
        window_seconds: secs(window),
        program_date_time_interval_seconds: secs(program_date_time),
        ad_markers: scte
            .and_then(|s| s.ad_marker_hls())
            .map(|m| m.as_str().to_owned()),
    }
}

fn dash_manifest_out(m: &t::GetDashManifestConfiguration) -> DashManifest {
    DashManifest {
        name: m.manifest_name().into(),
        window_seconds: secs(m.manifest_window_seconds()),
        min_update_period_seconds: secs(m.min_update_period_seconds()),
        suggested_presentation_delay_seconds: secs(m.suggested_presentation_delay_seconds()),
        period_triggers: m
            .period_triggers()
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
    }
}

fn segment_out(s: Option<&t::Segment>) -> Segment {
    Segment {
        duration_seconds: secs(s.and_then(|s| s.segment_duration_seconds())),
        name: s.and_then(|s| s.segment_name()).map(str::to_owned),
        scte_filter: s
            .and_then(|s| s.scte())
            .map(|scte| {
                scte.scte_filter()
                    .iter()
                    .map(|f| f.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn segment_in(s: Segment) -> t::Segment {
    let scte = non_empty_list(s.scte_filter, |f| t::ScteFilter::from(f.as_str()))
        .map(|filter| t::Scte::builder().set_scte_filter(Some(filter)).build());
    t::Segment::builder()
        .set_segment_duration_seconds(i32s(s.duration_seconds))
        .set_segment_name(s.name)
        .set_scte(scte)
        .build()
}

fn scte_hls_in(ad_markers: Option<String>) -> Option<t::ScteHls> {
    ad_markers.map(|m| {
        t::ScteHls::builder()
            .ad_marker_hls(t::AdMarkerHls::from(m.as_str()))
            .build()
    })
}

/// An endpoint's manifests as the SDK's three optional lists, the same for
/// create and update.
type ManifestsIn = (
    Option<Vec<t::CreateHlsManifestConfiguration>>,
    Option<Vec<t::CreateLowLatencyHlsManifestConfiguration>>,
    Option<Vec<t::CreateDashManifestConfiguration>>,
);

fn manifests_in(s: &OriginEndpointSpec, op: &'static str) -> Result<ManifestsIn> {
    let built = build_err(SVC, op);
    // The two HLS kinds are distinct SDK types with the same setters.
    macro_rules! hls_in {
        ($list:expr, $Type:ty) => {
            $list
                .iter()
                .cloned()
                .map(|m| {
                    <$Type>::builder()
                        .manifest_name(m.name)
                        .set_child_manifest_name(m.child_manifest_name)
                        .set_manifest_window_seconds(i32s(m.window_seconds))
                        .set_program_date_time_interval_seconds(i32s(
                            m.program_date_time_interval_seconds,
                        ))
                        .set_scte_hls(scte_hls_in(m.ad_markers))
                        .build()
                        .map_err(&built)
                })
                .collect::<Result<Vec<_>>>()?
        };
    }
    let hls = hls_in!(s.hls_manifests, t::CreateHlsManifestConfiguration);
    let ll_hls = hls_in!(
        s.low_latency_hls_manifests,
        t::CreateLowLatencyHlsManifestConfiguration
    );
    let dash = s
        .dash_manifests
        .iter()
        .cloned()
        .map(|m| {
            t::CreateDashManifestConfiguration::builder()
                .manifest_name(m.name)
                .set_manifest_window_seconds(i32s(m.window_seconds))
                .set_min_update_period_seconds(i32s(m.min_update_period_seconds))
                .set_suggested_presentation_delay_seconds(i32s(
                    m.suggested_presentation_delay_seconds,
                ))
                .set_period_triggers(non_empty_list(m.period_triggers, |p| {
                    t::DashPeriodTrigger::from(p.as_str())
                }))
                .build()
                .map_err(&built)
        })
        .collect::<Result<Vec<_>>>()?;
    // Every list is sent, empty ones too: update replaces the endpoint's
    // settings, and an empty list is how a manifest removed from the spec
    // leaves it.
    Ok((Some(hls), Some(ll_hls), Some(dash)))
}

/// What create and update both set on an endpoint, on either's builder (they
/// are distinct types with the same setters).
macro_rules! settable {
    ($builder:expr, $spec:ident, $op:literal) => {{
        let (hls, ll_hls, dash) = manifests_in(&$spec, $op)?;
        $builder
            .channel_group_name($spec.group)
            .channel_name($spec.channel)
            .origin_endpoint_name($spec.name)
            .container_type(t::ContainerType::from($spec.container_type.as_aws()))
            .set_description($spec.description)
            .segment(segment_in($spec.segment))
            .set_startover_window_seconds(i32s($spec.startover_window_seconds))
            .set_hls_manifests(hls)
            .set_low_latency_hls_manifests(ll_hls)
            .set_dash_manifests(dash)
    }};
}

#[async_trait]
impl MediaPackageV2Api for SdkMediaPackageV2 {
    async fn create_channel_group(&self, g: NewChannelGroup) -> Result<ChannelGroup> {
        let out = self
            .client
            .create_channel_group()
            .channel_group_name(g.name)
            .set_description(g.description)
            .set_tags(Some(tags_in(g.tags)))
            .send()
            .await
            .map_err(create_err!(
                "CreateChannelGroup",
                create_channel_group::CreateChannelGroupError
            ))?;
        Ok(group_of!(out))
    }

    async fn get_channel_group(&self, name: &str) -> Result<ChannelGroup> {
        let out = self
            .client
            .get_channel_group()
            .channel_group_name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "GetChannelGroup"))?;
        Ok(group_of!(out))
    }

    async fn list_channel_groups(&self) -> Result<Vec<String>> {
        paginate(move |token| async move {
            let out = self
                .client
                .list_channel_groups()
                .set_next_token(token)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListChannelGroups"))?;
            let page = out
                .items()
                .iter()
                .map(|g| g.channel_group_name().to_owned());
            Ok((page.collect(), non_empty(out.next_token())))
        })
        .await
    }

    async fn delete_channel_group(&self, name: &str) -> Result<()> {
        let sent = self
            .client
            .delete_channel_group()
            .channel_group_name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteChannelGroup"));
        gone_is_deleted(sent.map(drop))
    }

    async fn create_channel(&self, c: NewChannel) -> Result<Channel> {
        let out = self
            .client
            .create_channel()
            .channel_group_name(c.group)
            .channel_name(c.name)
            .input_type(t::InputType::from(c.input_type.as_aws()))
            .set_description(c.description)
            .set_tags(Some(tags_in(c.tags)))
            .send()
            .await
            .map_err(create_err!(
                "CreateChannel",
                create_channel::CreateChannelError
            ))?;
        Ok(channel_of!(out))
    }

    async fn get_channel(&self, group: &str, name: &str) -> Result<Channel> {
        let out = self
            .client
            .get_channel()
            .channel_group_name(group)
            .channel_name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "GetChannel"))?;
        Ok(channel_of!(out))
    }

    async fn list_channels(&self, group: &str) -> Result<Vec<String>> {
        paginate(move |token| async move {
            let out = self
                .client
                .list_channels()
                .channel_group_name(group)
                .set_next_token(token)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListChannels"))?;
            let page = out.items().iter().map(|c| c.channel_name().to_owned());
            Ok((page.collect(), non_empty(out.next_token())))
        })
        .await
    }

    async fn delete_channel(&self, group: &str, name: &str) -> Result<()> {
        let sent = self
            .client
            .delete_channel()
            .channel_group_name(group)
            .channel_name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteChannel"));
        gone_is_deleted(sent.map(drop))
    }

    async fn put_channel_policy(&self, group: &str, channel: &str, policy: &str) -> Result<()> {
        self.client
            .put_channel_policy()
            .channel_group_name(group)
            .channel_name(channel)
            .policy(policy)
            .send()
            .await
            .map_err(sdk_err(SVC, "PutChannelPolicy"))?;
        Ok(())
    }

    async fn get_channel_policy(&self, group: &str, channel: &str) -> Result<String> {
        let out = self
            .client
            .get_channel_policy()
            .channel_group_name(group)
            .channel_name(channel)
            .send()
            .await
            .map_err(sdk_err(SVC, "GetChannelPolicy"))?;
        Ok(out.policy().to_owned())
    }

    async fn create_origin_endpoint(&self, s: OriginEndpointSpec) -> Result<OriginEndpoint> {
        let tags = tags_in(s.tags.clone());
        let out = settable!(
            self.client.create_origin_endpoint(),
            s,
            "CreateOriginEndpoint"
        )
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(create_err!(
            "CreateOriginEndpoint",
            create_origin_endpoint::CreateOriginEndpointError
        ))?;
        Ok(endpoint_of!(out))
    }

    async fn get_origin_endpoint(
        &self,
        group: &str,
        channel: &str,
        name: &str,
    ) -> Result<OriginEndpoint> {
        let out = self
            .client
            .get_origin_endpoint()
            .channel_group_name(group)
            .channel_name(channel)
            .origin_endpoint_name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "GetOriginEndpoint"))?;
        Ok(endpoint_of!(out))
    }

    async fn update_origin_endpoint(&self, s: OriginEndpointSpec) -> Result<OriginEndpoint> {
        let out = settable!(
            self.client.update_origin_endpoint(),
            s,
            "UpdateOriginEndpoint"
        )
        .send()
        .await
        .map_err(sdk_err(SVC, "UpdateOriginEndpoint"))?;
        Ok(endpoint_of!(out))
    }

    async fn delete_origin_endpoint(&self, group: &str, channel: &str, name: &str) -> Result<()> {
        let sent = self
            .client
            .delete_origin_endpoint()
            .channel_group_name(group)
            .channel_name(channel)
            .origin_endpoint_name(name)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteOriginEndpoint"));
        gone_is_deleted(sent.map(drop))
    }

    async fn list_origin_endpoints(&self, group: &str, channel: &str) -> Result<Vec<String>> {
        paginate(move |token| async move {
            let out = self
                .client
                .list_origin_endpoints()
                .channel_group_name(group)
                .channel_name(channel)
                .set_next_token(token)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListOriginEndpoints"))?;
            let page = out
                .items()
                .iter()
                .map(|e| e.origin_endpoint_name().to_owned());
            Ok((page.collect(), non_empty(out.next_token())))
        })
        .await
    }

    async fn put_origin_endpoint_policy(
        &self,
        group: &str,
        channel: &str,
        endpoint: &str,
        policy: &str,
    ) -> Result<()> {
        self.client
            .put_origin_endpoint_policy()
            .channel_group_name(group)
            .channel_name(channel)
            .origin_endpoint_name(endpoint)
            .policy(policy)
            .send()
            .await
            .map_err(sdk_err(SVC, "PutOriginEndpointPolicy"))?;
        Ok(())
    }

    async fn get_origin_endpoint_policy(
        &self,
        group: &str,
        channel: &str,
        endpoint: &str,
    ) -> Result<String> {
        let out = self
            .client
            .get_origin_endpoint_policy()
            .channel_group_name(group)
            .channel_name(channel)
            .origin_endpoint_name(endpoint)
            .send()
            .await
            .map_err(sdk_err(SVC, "GetOriginEndpointPolicy"))?;
        Ok(out.policy().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spellings the layer (and its simulation) accept are the SDK's.
    #[test]
    fn the_layers_enumerations_are_the_sdks() {
        assert_eq!(AD_MARKERS_HLS, t::AdMarkerHls::values());
        assert_eq!(DASH_PERIOD_TRIGGERS, t::DashPeriodTrigger::values());
        assert_eq!(SCTE_FILTERS, t::ScteFilter::values());
    }
}
