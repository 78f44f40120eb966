//! MediaPackage v1 on aws-sdk-mediapackage.

use async_trait::async_trait;
use aws_sdk_mediapackage as mp;
use jiff::Timestamp;
use mp::types as t;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::mediapackage::*;
use crate::aws::secret::SecretString;
use crate::aws::service::Service;

use super::{i32s, non_empty_list, paginate, secs, tags_in, tags_out};

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "MediaPackage";

sdk_adapter!(SdkMediaPackage, aws_sdk_mediapackage, Service::MediaPackage);

/// Reads a channel from any SDK shape with a channel's accessors.
macro_rules! channel_of {
    ($c:expr) => {
        Channel {
            id: $c.id().unwrap_or_default().into(),
            arn: $c.arn().unwrap_or_default().into(),
            description: $c.description().map(str::to_owned),
            ingest_endpoints: $c
                .hls_ingest()
                .map(|h| h.ingest_endpoints())
                .unwrap_or_default()
                .iter()
                .map(|e| IngestEndpoint {
                    id: e.id().unwrap_or_default().into(),
                    url: e.url().unwrap_or_default().into(),
                    username: e.username().unwrap_or_default().into(),
                    password: SecretString::new(e.password().unwrap_or_default()),
                })
                .collect(),
            tags: tags_out($c.tags()),
        }
    };
}

/// Same for endpoints (`OriginEndpoint` and the outputs that repeat its fields).
macro_rules! endpoint_of {
    ($e:expr) => {
        OriginEndpoint {
            spec: OriginEndpointSpec {
                id: $e.id().unwrap_or_default().into(),
                channel_id: $e.channel_id().unwrap_or_default().into(),
                description: $e.description().map(str::to_owned),
                manifest_name: $e.manifest_name().map(str::to_owned),
                package: package_out($e.hls_package(), $e.dash_package()),
                startover_window_seconds: secs($e.startover_window_seconds()),
                time_delay_seconds: secs($e.time_delay_seconds()),
                authorization: $e.authorization().map(|a| CdnAuthorization {
                    cdn_identifier_secret_arn: a.cdn_identifier_secret().unwrap_or_default().into(),
                    secrets_role_arn: a.secrets_role_arn().unwrap_or_default().into(),
                }),
                tags: tags_out($e.tags()),
            },
            arn: $e.arn().unwrap_or_default().into(),
            url: $e.url().unwrap_or_default().into(),
        }
    };
}

/// Same for harvest jobs.
macro_rules! job_of {
    ($j:expr, $op:expr) => {{
        let time = |v: Option<&str>, field: &str| -> Result<Timestamp> {
            v.and_then(|s| s.parse().ok())
                .ok_or_else(|| missing(SVC, $op, field))
        };
        let s3 = $j.s3_destination();
        HarvestJob {
            id: $j.id().unwrap_or_default().into(),
            arn: $j.arn().unwrap_or_default().into(),
            channel_id: $j.channel_id().unwrap_or_default().into(),
            origin_endpoint_id: $j.origin_endpoint_id().unwrap_or_default().into(),
            start_time: time($j.start_time(), "startTime")?,
            end_time: time($j.end_time(), "endTime")?,
            s3_destination: S3Destination {
                bucket_name: s3.and_then(|d| d.bucket_name()).unwrap_or_default().into(),
                manifest_key: s3.and_then(|d| d.manifest_key()).unwrap_or_default().into(),
                role_arn: s3.and_then(|d| d.role_arn()).unwrap_or_default().into(),
            },
            status: HarvestStatus::from_aws($j.status().map(|s| s.as_str()).unwrap_or("")),
            created_at: $j.created_at().and_then(|s| s.parse().ok()),
        }
    }};
}

fn package_out(hls: Option<&t::HlsPackage>, dash: Option<&t::DashPackage>) -> Package {
    match (hls, dash) {
        (_, Some(d)) if hls.is_none() => Package::Dash(DashPackage {
            segment_duration_seconds: secs(d.segment_duration_seconds()),
            manifest_window_seconds: secs(d.manifest_window_seconds()),
            segment_template_format: d.segment_template_format().map(|f| f.as_str().to_owned()),
            ad_triggers: d.ad_triggers().iter().map(|a| a.as_str().into()).collect(),
            period_triggers: d
                .period_triggers()
                .iter()
                .map(|p| p.as_str().into())
                .collect(),
        }),
        (h, _) => {
            let h = h
                .cloned()
                .unwrap_or_else(|| t::HlsPackage::builder().build());
            Package::Hls(HlsPackage {
                segment_duration_seconds: secs(h.segment_duration_seconds()),
                playlist_window_seconds: secs(h.playlist_window_seconds()),
                ad_markers: h.ad_markers().map(|m| m.as_str().to_owned()),
                ad_triggers: h.ad_triggers().iter().map(|a| a.as_str().into()).collect(),
            })
        }
    }
}

fn hls_in(h: HlsPackage) -> t::HlsPackage {
    t::HlsPackage::builder()
        .set_segment_duration_seconds(i32s(h.segment_duration_seconds))
        .set_playlist_window_seconds(i32s(h.playlist_window_seconds))
        .set_ad_markers(h.ad_markers.as_deref().map(t::AdMarkers::from))
        .set_ad_triggers(non_empty_list(h.ad_triggers, |a| {
            t::AdTriggersElement::from(a.as_str())
        }))
        .build()
}

fn dash_in(d: DashPackage) -> t::DashPackage {
    t::DashPackage::builder()
        .set_segment_duration_seconds(i32s(d.segment_duration_seconds))
        .set_manifest_window_seconds(i32s(d.manifest_window_seconds))
        .set_segment_template_format(
            d.segment_template_format
                .as_deref()
                .map(t::SegmentTemplateFormat::from),
        )
        .set_ad_triggers(non_empty_list(d.ad_triggers, |a| {
            t::AdTriggersElement::from(a.as_str())
        }))
        .set_period_triggers(non_empty_list(d.period_triggers, |p| {
            t::PeriodTriggersElement::from(p.as_str())
        }))
        .build()
}

/// An endpoint's package as the SDK's pair of optional HLS and DASH packages, the
/// same for create and update.
fn package_in(p: Package) -> (Option<t::HlsPackage>, Option<t::DashPackage>) {
    match p {
        Package::Hls(h) => (Some(hls_in(h)), None),
        Package::Dash(d) => (None, Some(dash_in(d))),
    }
}

fn authorization_in(a: Option<CdnAuthorization>) -> Option<t::Authorization> {
    a.map(|a| {
        t::Authorization::builder()
            .cdn_identifier_secret(a.cdn_identifier_secret_arn)
            .secrets_role_arn(a.secrets_role_arn)
            .build()
    })
}

/// Writes an AWS timestamp as MediaPackage wants it (ISO 8601, UTC, seconds).
fn iso(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An endpoint's id and what create and update both set, on either's
/// builder (they are distinct types with the same setters).
macro_rules! settable {
    ($builder:expr, $spec:ident) => {{
        let (hls, dash) = package_in($spec.package);
        $builder
            .id($spec.id)
            .set_description($spec.description)
            .set_manifest_name($spec.manifest_name)
            .set_hls_package(hls)
            .set_dash_package(dash)
            .set_startover_window_seconds(i32s($spec.startover_window_seconds))
            .set_time_delay_seconds(i32s($spec.time_delay_seconds))
            .set_authorization(authorization_in($spec.authorization))
    }};
}

#[async_trait]
impl MediaPackageApi for SdkMediaPackage {
    async fn create_channel(&self, c: NewChannel) -> Result<Channel> {
        let out = self
            .client
            .create_channel()
            .id(c.id)
            .set_description(c.description)
            .set_tags(Some(tags_in(c.tags)))
            .send()
            .await
            .map_err(sdk_err(SVC, "CreateChannel"))
            .map_err(already_exists)?;
        Ok(channel_of!(out))
    }

    async fn describe_channel(&self, id: &str) -> Result<Channel> {
        let out = self
            .client
            .describe_channel()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribeChannel"))?;
        Ok(channel_of!(out))
    }

    async fn list_channels(&self) -> Result<Vec<Channel>> {
        paginate(move |token| async move {
            let out = self
                .client
                .list_channels()
                .set_next_token(token)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListChannels"))?;
            let page = out.channels().iter().map(|c| channel_of!(c)).collect();
            Ok((page, out.next_token().map(str::to_owned)))
        })
        .await
    }

    async fn delete_channel(&self, id: &str) -> Result<()> {
        self.client
            .delete_channel()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteChannel"))?;
        Ok(())
    }

    async fn create_origin_endpoint(&self, s: OriginEndpointSpec) -> Result<OriginEndpoint> {
        let create = self
            .client
            .create_origin_endpoint()
            .channel_id(s.channel_id)
            .set_tags(Some(tags_in(s.tags)));
        let out = settable!(create, s)
            .send()
            .await
            .map_err(sdk_err(SVC, "CreateOriginEndpoint"))
            .map_err(already_exists)
            .map_err(channel_not_ready)?;
        Ok(endpoint_of!(out))
    }

    async fn describe_origin_endpoint(&self, id: &str) -> Result<OriginEndpoint> {
        let out = self
            .client
            .describe_origin_endpoint()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribeOriginEndpoint"))?;
        Ok(endpoint_of!(out))
    }

    async fn update_origin_endpoint(&self, s: OriginEndpointSpec) -> Result<OriginEndpoint> {
        let out = settable!(self.client.update_origin_endpoint(), s)
            .send()
            .await
            .map_err(sdk_err(SVC, "UpdateOriginEndpoint"))?;
        Ok(endpoint_of!(out))
    }

    async fn delete_origin_endpoint(&self, id: &str) -> Result<()> {
        self.client
            .delete_origin_endpoint()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DeleteOriginEndpoint"))?;
        Ok(())
    }

    async fn list_origin_endpoints(&self, channel_id: &str) -> Result<Vec<OriginEndpoint>> {
        let mut all = paginate(move |token| async move {
            let out = self
                .client
                .list_origin_endpoints()
                .channel_id(channel_id)
                .set_next_token(token)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListOriginEndpoints"))?;
            let page = out.origin_endpoints().iter().map(|e| endpoint_of!(e));
            Ok((page.collect(), out.next_token().map(str::to_owned)))
        })
        .await?;
        // moto ignores the filter; AWS applies it. Filtering again costs nothing.
        all.retain(|e| e.spec.channel_id == channel_id);
        Ok(all)
    }

    async fn create_harvest_job(&self, j: NewHarvestJob) -> Result<HarvestJob> {
        let out = self
            .client
            .create_harvest_job()
            .id(j.id)
            .origin_endpoint_id(j.origin_endpoint_id)
            .start_time(iso(j.start_time))
            .end_time(iso(j.end_time))
            .s3_destination(
                t::S3Destination::builder()
                    .bucket_name(j.s3_destination.bucket_name)
                    .manifest_key(j.s3_destination.manifest_key)
                    .role_arn(j.s3_destination.role_arn)
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_err(SVC, "CreateHarvestJob"))
            .map_err(already_exists)?;
        Ok(job_of!(out, "CreateHarvestJob"))
    }

    async fn describe_harvest_job(&self, id: &str) -> Result<HarvestJob> {
        let out = self
            .client
            .describe_harvest_job()
            .id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribeHarvestJob"))?;
        Ok(job_of!(out, "DescribeHarvestJob"))
    }

    async fn list_harvest_jobs(&self, channel_id: &str) -> Result<Vec<HarvestJob>> {
        paginate(move |token| async move {
            let out = self
                .client
                .list_harvest_jobs()
                .include_channel_id(channel_id)
                .set_next_token(token)
                .send()
                .await
                .map_err(sdk_err(SVC, "ListHarvestJobs"))?;
            let mut page = Vec::new();
            for j in out.harvest_jobs() {
                page.push(job_of!(j, "ListHarvestJobs"));
            }
            Ok((page, out.next_token().map(str::to_owned)))
        })
        .await
    }
}
