//! CloudFront: the distribution a LiveChannel's `cdn` asks for, with origin
//! protection, and the behaviours, function and web ACL that AdInsertion and
//! TokenPolicy objects fold into it (the LiveChannel reconciler is the one
//! writer of its distribution).

use crate::api::live_channel::{CdnSpec, PriceClass as SpecPriceClass};
use crate::aws::cloudfront::{
    AllowedMethods, CacheBehavior, DistributionConfig, FunctionAssociation, FunctionEvent, Origin,
    OriginHeader, OriginProtocol, PriceClass, ViewerProtocol,
};
use crate::aws::secret::SecretString;

/// The header CloudFront sends and MediaPackage's CDN authorization checks.
pub const CDN_IDENTIFIER_HEADER: &str = "X-MediaPackage-CDNIdentifier";

/// The origin id of the MediaPackage endpoints' host.
pub const PACKAGING_ORIGIN: &str = "mediapackage";
/// The origin ids of MediaTailor's manifest and ad-segment hosts.
pub const MEDIATAILOR_ORIGIN: &str = "mediatailor";
pub const MEDIATAILOR_SEGMENTS_ORIGIN: &str = "mediatailor-segments";

/// The id of the managed Elemental-MediaPackage cache policy (the same in
/// every account; the reconciler still looks it up by name).
pub const ELEMENTAL_MEDIAPACKAGE_POLICY_ID: &str = "08627262-05a9-4f76-9ded-b50ca2e3a84f";

/// Ids of the managed policies the behaviours use (looked up by name once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policies {
    /// Managed-Elemental-MediaPackage: caches segments and manifests as
    /// MediaPackage intends, keeps query strings out of the cache key.
    pub mediapackage_cache: String,
    /// Managed-CachingDisabled: personalized MediaTailor manifests.
    pub caching_disabled: String,
    /// Managed-CachingOptimized: transcoded ad segments.
    pub caching_optimized: String,
    /// Managed-AllViewerExceptHostHeader (origin request): MediaTailor sees
    /// the viewer's headers and query (session parameters, player_params).
    pub all_viewer_except_host: String,
}

impl Policies {
    /// The managed policies' ids, which are the same in every account (the
    /// reconciler still reads them by name once per account).
    pub fn managed() -> Self {
        Self {
            mediapackage_cache: ELEMENTAL_MEDIAPACKAGE_POLICY_ID.into(),
            caching_disabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad".into(),
            caching_optimized: "658327ea-f89d-4fab-a63d-7e88639e58f6".into(),
            all_viewer_except_host: "b689b0a8-53d0-40ab-baf2-68738e2966ac".into(),
        }
    }
}

/// MediaTailor's hosts, when AdInsertions serve the channel's viewers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdOrigins {
    /// `<id>.mediatailor.<region>.amazonaws.com`: manifests and sessions (`/v1/*`).
    pub manifest_host: String,
    /// `segments.mediatailor.<region>.amazonaws.com`: transcoded ads (`/tm/*`).
    pub segments_host: String,
}

/// What other objects fold into a channel's distribution: MediaTailor's
/// hosts (AdInsertion), the token check and revocation web ACL (TokenPolicy).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    pub ad_origins: Option<AdOrigins>,
    /// A published CloudFront Function, run on every viewer request (but
    /// MediaTailor's ad segments, which carry no token of their own).
    pub viewer_request_function: Option<String>,
    /// A WAF web ACL (session revocation).
    pub web_acl_arn: Option<String>,
    /// CMCD telemetry's real-time log configuration, on every behaviour.
    pub realtime_log_config_arn: Option<String>,
}

/// What the distribution is built from, besides the spec.
#[derive(Debug, Clone)]
pub struct DistributionInputs<'a> {
    pub caller_reference: String,
    pub comment: String,
    pub cdn: &'a CdnSpec,
    /// The MediaPackage endpoints' URLs (HLS first). The first one's host is
    /// the default origin; an endpoint on another host gets its own origin and
    /// a behaviour for its path.
    pub packaging_urls: &'a [String],
    /// The CDN identifier, when origin protection is on (a secret).
    pub cdn_identifier: Option<&'a SecretString>,
    pub policies: &'a Policies,
    /// A TokenPolicy's published function, checked on every viewer request.
    pub viewer_request_function: Option<String>,
    /// A TokenPolicy's WAF web ACL (revocation).
    pub web_acl_arn: Option<String>,
    /// CMCD telemetry's real-time log configuration.
    pub realtime_log_config_arn: Option<String>,
    /// Server-side ad insertion (AdInsertion objects of the channel).
    pub ad_origins: Option<AdOrigins>,
}

pub use crate::url::host_of;

/// The whole distribution configuration (UpdateDistribution replaces it all).
pub fn distribution(inputs: &DistributionInputs<'_>) -> DistributionConfig {
    let custom_headers: Vec<OriginHeader> = inputs
        .cdn_identifier
        .filter(|_| inputs.cdn.origin_protection)
        .map(|identifier| OriginHeader {
            name: CDN_IDENTIFIER_HEADER.into(),
            value: identifier.expose().to_string(),
        })
        .into_iter()
        .collect();
    let function_associations: Vec<FunctionAssociation> = inputs
        .viewer_request_function
        .iter()
        .map(|arn| FunctionAssociation {
            event: FunctionEvent::ViewerRequest,
            function_arn: arn.clone(),
        })
        .collect();
    let behavior = |path_pattern: String, origin: &str| CacheBehavior {
        path_pattern,
        target_origin_id: origin.into(),
        viewer_protocol: ViewerProtocol::RedirectToHttps,
        allowed_methods: AllowedMethods::GetHeadOptions,
        compress: true,
        cache_policy_id: inputs.policies.mediapackage_cache.clone(),
        origin_request_policy_id: None,
        response_headers_policy_id: None,
        function_associations: function_associations.clone(),
        realtime_log_config_arn: inputs.realtime_log_config_arn.clone(),
    };
    let origin = |id: String, host: &str| Origin {
        id,
        domain_name: host.to_string(),
        origin_path: String::new(),
        protocol: OriginProtocol::HttpsOnly,
        custom_headers: custom_headers.clone(),
    };
    let default_host = inputs
        .packaging_urls
        .first()
        .and_then(|u| host_of(u))
        .unwrap_or_default();
    let mut origins = vec![origin(PACKAGING_ORIGIN.into(), default_host)];
    let mut behaviors = Vec::new();
    for url in inputs.packaging_urls.iter().skip(1) {
        let Some(host) = host_of(url).filter(|h| *h != default_host) else {
            continue;
        };
        let id = format!("{PACKAGING_ORIGIN}-{}", origins.len() + 1);
        // The endpoint's own directory (`/out/v1/<hash>/*`) goes to its host.
        let path = url.split_once(host).map_or("", |(_, p)| p);
        let directory = path.rsplit_once('/').map_or(path, |(d, _)| d);
        behaviors.push(behavior(format!("{directory}/*"), &id));
        origins.push(origin(id, host));
    }
    if let Some(ads) = &inputs.ad_origins {
        // MediaTailor personalizes manifests per viewer: never cached, every
        // viewer header and query parameter passed on; its ad segments are
        // plain files.
        let mut manifests = behavior("/v1/*".into(), MEDIATAILOR_ORIGIN);
        manifests.cache_policy_id = inputs.policies.caching_disabled.clone();
        manifests.origin_request_policy_id = Some(inputs.policies.all_viewer_except_host.clone());
        let mut ad_segments = behavior("/tm/*".into(), MEDIATAILOR_SEGMENTS_ORIGIN);
        ad_segments.cache_policy_id = inputs.policies.caching_optimized.clone();
        ad_segments.function_associations.clear();
        behaviors.push(manifests);
        behaviors.push(ad_segments);
        for (id, host) in [
            (MEDIATAILOR_ORIGIN, &ads.manifest_host),
            (MEDIATAILOR_SEGMENTS_ORIGIN, &ads.segments_host),
        ] {
            origins.push(Origin {
                id: id.into(),
                domain_name: host.clone(),
                origin_path: String::new(),
                protocol: OriginProtocol::HttpsOnly,
                // MediaTailor checks no CDN identifier: the secret stays home.
                custom_headers: Vec::new(),
            });
        }
    }
    DistributionConfig {
        caller_reference: inputs.caller_reference.clone(),
        comment: inputs.comment.chars().take(128).collect(),
        enabled: true,
        price_class: match inputs.cdn.price_class {
            SpecPriceClass::All => PriceClass::All,
            SpecPriceClass::P200 => PriceClass::PriceClass200,
            SpecPriceClass::P100 => PriceClass::PriceClass100,
        },
        aliases: inputs.cdn.aliases.clone(),
        acm_certificate_arn: inputs.cdn.certificate_arn.clone(),
        origins,
        default_behavior: behavior(String::new(), PACKAGING_ORIGIN),
        behaviors,
        web_acl_id: inputs.web_acl_arn.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identifier() -> &'static SecretString {
        static ID: std::sync::OnceLock<SecretString> = std::sync::OnceLock::new();
        ID.get_or_init(|| SecretString::new("0123456789abcdef".to_string()))
    }

    fn urls() -> &'static [String] {
        static URLS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        URLS.get_or_init(|| {
            vec!["https://abc.mediapackage.eu-west-1.amazonaws.com/out/v1/h1/index.m3u8".into()]
        })
    }

    fn inputs<'a>(cdn: &'a CdnSpec, policies: &'a Policies) -> DistributionInputs<'a> {
        DistributionInputs {
            caller_reference: "ref".into(),
            comment: "onair media/news".into(),
            cdn,
            packaging_urls: urls(),
            cdn_identifier: Some(identifier()),
            policies,
            viewer_request_function: None,
            web_acl_arn: None,
            realtime_log_config_arn: None,
            ad_origins: None,
        }
    }

    #[test]
    fn origin_protection_sends_the_identifier_header() {
        let policies = Policies {
            mediapackage_cache: "p-mp".into(),
            ..Policies::managed()
        };
        let cdn = CdnSpec::default();
        let config = distribution(&inputs(&cdn, &policies));
        let origin = &config.origins[0];
        assert_eq!(
            origin.domain_name,
            "abc.mediapackage.eu-west-1.amazonaws.com"
        );
        assert_eq!(origin.custom_headers[0].name, CDN_IDENTIFIER_HEADER);
        assert_eq!(config.default_behavior.cache_policy_id, "p-mp");
        assert!(
            !format!("{config:?}").contains("0123456789abcdef"),
            "Debug never shows the identifier"
        );

        let open = CdnSpec {
            origin_protection: false,
            ..CdnSpec::default()
        };
        assert!(distribution(&inputs(&open, &policies)).origins[0]
            .custom_headers
            .is_empty());
    }

    #[test]
    fn tokens_revocation_and_telemetry_fold_into_the_default_behaviour() {
        let policies = Policies {
            mediapackage_cache: "p-mp".into(),
            ..Policies::managed()
        };
        let cdn = CdnSpec {
            aliases: vec!["live.example.com".into()],
            certificate_arn: Some("arn:aws:acm:us-east-1:123456789012:certificate/x".into()),
            price_class: SpecPriceClass::P100,
            ..CdnSpec::default()
        };
        let mut with = inputs(&cdn, &policies);
        with.viewer_request_function =
            Some("arn:aws:cloudfront::123456789012:function/tokens".into());
        with.web_acl_arn = Some("arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1".into());
        with.realtime_log_config_arn =
            Some("arn:aws:cloudfront::123456789012:realtime-log-config/cmcd".into());
        let config = distribution(&with);
        assert_eq!(config.default_behavior.function_associations.len(), 1);
        assert!(
            config.web_acl_id.is_some()
                && config.default_behavior.realtime_log_config_arn.is_some()
        );
        assert_eq!(config.aliases, ["live.example.com"]);
        assert_eq!(config.price_class, PriceClass::PriceClass100);
        assert_eq!(
            host_of("https://abc.example.com/out/v1/x/index.m3u8"),
            Some("abc.example.com")
        );
    }

    #[test]
    fn an_endpoint_on_another_host_gets_its_own_origin_and_path() {
        let policies = Policies {
            mediapackage_cache: "p-mp".into(),
            ..Policies::managed()
        };
        let cdn = CdnSpec::default();
        let urls = vec![
            "https://abc.mediapackage.eu-west-1.amazonaws.com/out/v1/h1/index.m3u8".to_string(),
            "https://def.mediapackage.eu-west-1.amazonaws.com/out/v1/d2/index.mpd".to_string(),
        ];
        let mut with = inputs(&cdn, &policies);
        with.packaging_urls = &urls;
        let config = distribution(&with);
        assert_eq!(config.origins.len(), 2);
        assert_eq!(
            config.origins[1].domain_name,
            "def.mediapackage.eu-west-1.amazonaws.com"
        );
        assert_eq!(config.origins[1].custom_headers.len(), 1, "protected too");
        assert_eq!(config.behaviors[0].path_pattern, "/out/v1/d2/*");
        assert_eq!(config.behaviors[0].target_origin_id, config.origins[1].id);
        // The same host twice: one origin.
        let same = vec![
            urls[0].clone(),
            urls[0].replace("h1/index.m3u8", "d2/index.mpd"),
        ];
        with.packaging_urls = &same;
        assert_eq!(distribution(&with).origins.len(), 1);
    }

    #[test]
    fn ad_insertion_adds_mediatailor_origins_and_behaviours() {
        let policies = Policies::managed();
        let cdn = CdnSpec::default();
        let mut with = inputs(&cdn, &policies);
        with.ad_origins = Some(AdOrigins {
            manifest_host: "abc.mediatailor.eu-west-1.amazonaws.com".into(),
            segments_host: "segments.mediatailor.eu-west-1.amazonaws.com".into(),
        });
        let config = distribution(&with);
        let paths: Vec<&str> = config
            .behaviors
            .iter()
            .map(|b| b.path_pattern.as_str())
            .collect();
        assert_eq!(paths, ["/v1/*", "/tm/*"]);
        assert_eq!(
            config.behaviors[0].cache_policy_id,
            policies.caching_disabled
        );
        assert!(config.behaviors[0].origin_request_policy_id.is_some());
        assert_eq!(config.origins.len(), 3);
        with.realtime_log_config_arn =
            Some("arn:aws:cloudfront::123456789012:realtime-log-config/cmcd".into());
        let logged = distribution(&with);
        assert!(
            std::iter::once(&logged.default_behavior)
                .chain(&logged.behaviors)
                .all(|b| b.realtime_log_config_arn == with.realtime_log_config_arn),
            "CMCD is logged on every behaviour, MediaTailor's included"
        );
        assert!(
            config.origins[1].custom_headers.is_empty(),
            "no CDN identifier to MediaTailor"
        );
        with.ad_origins = None;
        assert!(distribution(&with).behaviors.is_empty());
    }
}
