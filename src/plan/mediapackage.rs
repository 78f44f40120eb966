//! MediaPackage: the origin endpoints a LiveChannel's packaging asks for.

use crate::api::live_channel::{DashSegmentTemplate, HlsAdMarkers, PackagingSpec};
use crate::aws::mediapackage::{
    CdnAuthorization, DashPackage, HlsPackage, OriginEndpointSpec, Package,
};

/// SCTE-35 messages treated as ad avails, as in the workshop's endpoints.
const AD_TRIGGERS: [&str; 5] = [
    "SPLICE_INSERT",
    "PROVIDER_ADVERTISEMENT",
    "DISTRIBUTOR_ADVERTISEMENT",
    "PROVIDER_PLACEMENT_OPPORTUNITY",
    "DISTRIBUTOR_PLACEMENT_OPPORTUNITY",
];

/// Which endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Hls,
    Dash,
}

impl Format {
    /// The child name (annotation `onair.dev/<child>-id`, tags).
    pub fn child(self) -> &'static str {
        match self {
            Format::Hls => "hls-endpoint",
            Format::Dash => "dash-endpoint",
        }
    }
}

/// The desired endpoint of `format`, or None when the spec turns it off.
/// `id` and `channel_id` are the MediaPackage ids; `authorization` is origin
/// protection (the CDN-identifier secret and the role MediaPackage reads it with).
pub fn endpoint(
    spec: &PackagingSpec,
    format: Format,
    id: &str,
    channel_id: &str,
    authorization: Option<CdnAuthorization>,
) -> Option<OriginEndpointSpec> {
    let package = match format {
        Format::Hls if spec.hls.enabled => Package::Hls(HlsPackage {
            segment_duration_seconds: Some(spec.hls.segment_seconds),
            playlist_window_seconds: Some(spec.hls.manifest_window_seconds),
            ad_markers: Some(
                match spec.hls.ad_markers {
                    HlsAdMarkers::None => "NONE",
                    HlsAdMarkers::Passthrough => "PASSTHROUGH",
                    HlsAdMarkers::Scte35Enhanced => "SCTE35_ENHANCED",
                }
                .into(),
            ),
            ad_triggers: AD_TRIGGERS.iter().map(|t| t.to_string()).collect(),
        }),
        Format::Dash if spec.dash.enabled => Package::Dash(DashPackage {
            segment_duration_seconds: Some(spec.dash.segment_seconds),
            manifest_window_seconds: Some(spec.dash.manifest_window_seconds),
            segment_template_format: Some(
                match spec.dash.segment_template {
                    DashSegmentTemplate::NumberWithTimeline => "NUMBER_WITH_TIMELINE",
                    DashSegmentTemplate::TimeWithTimeline => "TIME_WITH_TIMELINE",
                    DashSegmentTemplate::NumberWithDuration => "NUMBER_WITH_DURATION",
                }
                .into(),
            ),
            ad_triggers: AD_TRIGGERS.iter().map(|t| t.to_string()).collect(),
            // A new period at each ad, which MediaTailor needs to insert ads.
            period_triggers: vec!["ADS".into()],
        }),
        _ => return None,
    };
    Some(OriginEndpointSpec {
        id: id.to_string(),
        channel_id: channel_id.to_string(),
        description: None,
        manifest_name: Some("index".into()),
        package,
        startover_window_seconds: (spec.startover_window_seconds > 0)
            .then_some(spec.startover_window_seconds),
        time_delay_seconds: None,
        authorization,
        tags: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_packaging_spec() {
        let mut spec = PackagingSpec {
            startover_window_seconds: 7200,
            ..PackagingSpec::default()
        };
        let hls = endpoint(&spec, Format::Hls, "e1", "c1", None).unwrap();
        match &hls.package {
            Package::Hls(p) => {
                assert_eq!(p.ad_markers.as_deref(), Some("PASSTHROUGH"));
                assert_eq!(p.segment_duration_seconds, Some(spec.hls.segment_seconds));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(hls.startover_window_seconds, Some(7200));
        let dash = endpoint(&spec, Format::Dash, "e2", "c1", None).unwrap();
        assert!(matches!(&dash.package, Package::Dash(p) if p.period_triggers == ["ADS"]));
        spec.dash.enabled = false;
        spec.startover_window_seconds = 0;
        assert!(endpoint(&spec, Format::Dash, "e2", "c1", None).is_none());
        assert_eq!(
            endpoint(&spec, Format::Hls, "e1", "c1", None)
                .unwrap()
                .startover_window_seconds,
            None
        );
    }
}
