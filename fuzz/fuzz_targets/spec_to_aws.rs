//! A LiveChannel's way from YAML to AWS requests, as `onair render` and the
//! reconciler take it: admission against the CRD (schema and CEL rules, as
//! the API server does), the typed object, the controller's own check
//! (`apply::validate`), then the plan (`plan::live_channel::render`), whose
//! requests the simulated AWS services must accept.
//!
//! The input is JSON: one LiveChannel, or an array of objects as in a file
//! given to `onair render` (a LiveChannel and the AwsProvider it names).
//! Properties: whatever is admitted deserializes, and admission is
//! idempotent; whatever passes the controller's check renders the same way
//! twice, within AWS's documented limits (MediaPackage ids, MediaLive
//! ladders and inputs, CloudFront origins and behaviours, tags), with no
//! secret in the output; and the simulation, which refuses what AWS refuses,
//! accepts every create request in the reconciler's order.

#![no_main]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use onair::api::live_channel::{ChannelClass, InputType as SpecInputType, LiveChannel};
use onair::api::AwsProvider;
use onair::aws::medialive::{NewChannel, NewInput};
use onair::aws::mediapackage::NewChannel as NewPackagingChannel;
use onair::aws::ownership::{Owner, Tags};
use onair::aws::sim::{Sim, SimTimings};
use onair::plan::cloudfront::{Policies, CDN_IDENTIFIER_HEADER};
use onair::plan::live_channel::{render, Rendered};
use onair::plan::live_channel_validation::{validate, Roles};
use onair_fuzz::{admit, runtime, valid_name};
use serde_json::Value;

/// The operator's own defaults (`--media-live-role-arn` and
/// `--media-package-secrets-role-arn`), for channels whose provider names none.
const OPERATOR_MEDIALIVE_ROLE: &str = "arn:aws:iam::123456789012:role/MediaLiveAccessRole";
const OPERATOR_SECRETS_ROLE: &str = "arn:aws:iam::123456789012:role/MediaPackageSecretsRole";
/// What the API server would give the object.
const UID: &str = "5c4b3a29-1d0e-4f8a-9b7c-6d5e4f3a2b1c";
/// The placeholder `render` shows for the CDN identifier (a secret).
const IDENTIFIER_PLACEHOLDER: &str = "<generated>";

/// AWS tag limits (MediaLive, MediaPackage, CloudFront, Secrets Manager):
/// 50 tags a resource, keys 1 to 128 characters, values up to 256, no `aws:`.
const MAX_TAGS: usize = 50;

fn is_aws_id(id: &str) -> bool {
    (1..=256).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_tags(tags: &Tags) {
    assert!(
        tags.len() <= MAX_TAGS,
        "{} tags: AWS takes {MAX_TAGS}",
        tags.len()
    );
    for (key, value) in tags {
        let chars = key.chars().count();
        assert!((1..=128).contains(&chars), "tag key {key:?}");
        assert!(value.chars().count() <= 256, "tag value of {key:?}");
        assert!(
            !key.to_ascii_lowercase().starts_with("aws:"),
            "{key:?} is reserved"
        );
    }
}

fn ipv4_cidr(cidr: &str) -> bool {
    let Some((address, bits)) = cidr.split_once('/') else {
        return false;
    };
    address.parse::<std::net::Ipv4Addr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 32)
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let documents = match value {
        Value::Array(items) => items,
        single => vec![single],
    };
    let mut channel: Option<LiveChannel> = None;
    let mut providers: BTreeMap<String, AwsProvider> = BTreeMap::new();
    for document in documents.iter().take(4) {
        match document.get("kind").and_then(Value::as_str) {
            Some("LiveChannel") => {
                let Some(lc) = admit::<LiveChannel>(document) else {
                    return;
                };
                channel.get_or_insert(lc);
            }
            Some("AwsProvider") => {
                let Some(p) = admit::<AwsProvider>(document) else {
                    return;
                };
                let name = p.metadata.name.clone().unwrap_or_default();
                providers.insert(name, p);
            }
            _ => {}
        }
    }
    let Some(lc) = channel else {
        return;
    };
    let namespace = lc
        .metadata
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    if !valid_name(&namespace, 63) || namespace.contains('.') {
        return;
    }
    let spec = &lc.spec;
    // As the reconciler resolves it: the provider's defaults, else the operator's.
    let provider = match &spec.provider_ref {
        None => None,
        Some(r) => match providers.get(&r.name) {
            Some(p) => Some(p.spec.clone()),
            // An AwsProvider not in the input: the reconciler waits for it
            // and renders nothing.
            None => return,
        },
    };
    let roles = Roles {
        media_live: spec.encoding.role_arn.clone().or_else(|| {
            provider
                .as_ref()
                .map_or(Some(OPERATOR_MEDIALIVE_ROLE.into()), |p| {
                    p.media_live_role_arn.clone()
                })
        }),
        media_package_secrets: provider
            .as_ref()
            .map_or(Some(OPERATOR_SECRETS_ROLE.into()), |p| {
                p.media_package_secrets_role_arn.clone()
            }),
    };
    if let Err(failure) = validate(spec, &roles) {
        assert_eq!(failure.reason, "InvalidSpec");
        assert!(failure.stalled, "a spec error waits for the user");
        return;
    }
    // Segments start on keyframes: MediaPackage segment lengths are whole GOPs.
    for (enabled, seconds) in [
        (
            spec.packaging.hls.enabled,
            spec.packaging.hls.segment_seconds,
        ),
        (
            spec.packaging.dash.enabled,
            spec.packaging.dash.segment_seconds,
        ),
    ] {
        assert!(!enabled || seconds % spec.encoding.gop_seconds == 0);
    }

    let owner = Owner::new(UID, namespace, lc.metadata.name.clone().unwrap_or_default());
    // The reconciler's own merge: a provider's and an object's tags that
    // together leave no room for onair's owner tags are refused (TooManyTags).
    let provider_tags = provider
        .as_ref()
        .map(|p| p.tags.clone())
        .unwrap_or_default();
    let Ok(tags) = onair::aws::ownership::merge_tags(&provider_tags, &spec.tags) else {
        return;
    };
    let policies = Policies::managed();
    let draw = || {
        render(
            spec,
            &owner,
            tags.clone(),
            roles.media_live.as_deref(),
            roles.media_package_secrets.as_deref(),
            &policies,
        )
    };
    let rendered = draw();
    let text = serde_json::to_string(&rendered).expect("a plan serializes");
    assert_eq!(
        text,
        serde_json::to_string(&draw()).expect("a plan serializes"),
        "rendering is deterministic"
    );
    check_plan(spec, &owner, &rendered, &text);
    submit(&owner, spec.encoding.channel_class, rendered);
});

/// AWS's documented limits, on the rendered requests.
fn check_plan(
    spec: &onair::api::live_channel::LiveChannelSpec,
    owner: &Owner,
    r: &Rendered,
    text: &str,
) {
    // Every resource gets the merged tags plus the owner's four.
    check_tags(&owner.tags("channel", &r.tags));

    // MediaPackage: caller-chosen ids, unique.
    assert!(
        is_aws_id(&r.packaging_channel.id),
        "{}",
        r.packaging_channel.id
    );
    let endpoints: Vec<_> = r.hls_endpoint.iter().chain(&r.dash_endpoint).collect();
    assert!(!endpoints.is_empty(), "packaging needs an endpoint");
    let mut ids = BTreeSet::from([r.packaging_channel.id.as_str()]);
    for e in &endpoints {
        assert!(is_aws_id(&e.id), "{}", e.id);
        assert!(ids.insert(&e.id), "endpoint id {} used twice", e.id);
        assert_eq!(e.channel_id, r.packaging_channel.id);
    }

    // MediaLive: one ingest source per pipeline, a push input's allow list.
    let pipelines = match spec.encoding.channel_class {
        ChannelClass::SinglePipeline => 1,
        ChannelClass::Standard => 2,
    };
    let settings = &r.input.settings;
    let sources = match spec.input.type_ {
        SpecInputType::RtmpPush => settings.stream_names.len(),
        SpecInputType::UrlPull => settings.source_urls.len(),
        SpecInputType::SrtCaller => settings.srt_sources.len(),
    };
    assert_eq!(sources, pipelines, "ingest sources per pipeline");
    if let Some(group) = &r.input_security_group {
        assert!((1..=10).contains(&group.allowed_cidrs.len()));
        assert!(
            group.allowed_cidrs.iter().all(|c| ipv4_cidr(c)),
            "{group:?}"
        );
    }
    for (source, given) in settings
        .srt_sources
        .iter()
        .zip(spec.input.srt_caller.iter().flat_map(|s| &s.sources))
    {
        // The listener MediaLive calls is the one the spec names.
        assert!(!source.address.is_empty());
        assert_ne!(
            source.port, 0,
            "no SRT listener listens on port 0 ({})",
            given.url
        );
        let (address, port) = given.url["srt://".len()..]
            .rsplit_once(':')
            .expect("the schema's srt://host:port");
        assert_eq!(source.address, address);
        assert_eq!(
            Ok(u32::from(source.port)),
            port.parse::<u32>(),
            "MediaLive calls the port the spec names ({})",
            given.url
        );
        assert!((120..=15_000).contains(&source.minimum_latency_ms));
    }
    let encoding = &r.channel.settings.encoding;
    assert!((1..=8).contains(&encoding.renditions.len()));
    let mut names = BTreeSet::new();
    for v in &encoding.renditions {
        assert!(names.insert(&v.name), "rendition {} twice", v.name);
        // H.264 output limits: even dimensions up to UHD, QVBR max bitrate
        // 1,000 to 80,000,000 bit/s, a positive frame rate.
        assert!((128..=3840).contains(&v.width) && v.width % 2 == 0, "{v:?}");
        assert!(
            (96..=2160).contains(&v.height) && v.height % 2 == 0,
            "{v:?}"
        );
        assert!((1_000..=80_000_000).contains(&v.max_bitrate), "{v:?}");
        assert!(
            v.framerate_numerator >= 1 && v.framerate_denominator >= 1,
            "{v:?}"
        );
    }
    assert!([32_000, 44_100, 48_000].contains(&encoding.audio_sample_rate));
    assert!((16_000..=320_000).contains(&encoding.audio_bitrate));
    assert!((1..=10).contains(&encoding.gop_seconds));
    assert!(
        r.channel.settings.role_arn.is_some(),
        "validate asks for a role"
    );

    // CloudFront.
    if let Some(d) = &r.distribution {
        assert!(d.comment.chars().count() <= 128);
        let mut origins = BTreeSet::new();
        for o in &d.origins {
            assert!(origins.insert(o.id.as_str()), "origin id {} twice", o.id);
            assert!(o.custom_headers.len() <= 10);
            for h in &o.custom_headers {
                assert_eq!(h.name, CDN_IDENTIFIER_HEADER);
                assert_eq!(h.value, IDENTIFIER_PLACEHOLDER, "a secret in the plan");
            }
        }
        assert!(d.default_behavior.path_pattern.is_empty());
        assert!(d.behaviors.len() <= onair::aws::cloudfront::MAX_CACHE_BEHAVIORS);
        let mut patterns = BTreeSet::new();
        for b in std::iter::once(&d.default_behavior).chain(&d.behaviors) {
            assert!(
                origins.contains(b.target_origin_id.as_str()),
                "{}",
                b.target_origin_id
            );
            if !std::ptr::eq(b, &d.default_behavior) {
                assert!(patterns.insert(&b.path_pattern), "{} twice", b.path_pattern);
            }
        }
        assert!(d.aliases.len() <= 10);
        assert!(d.aliases.is_empty() || d.acm_certificate_arn.is_some());
    }
    if let Some(secret) = &r.cdn_secret {
        // Secrets Manager names: 1 to 512 of `A-Za-z0-9/_+=.@-`.
        assert!((1..=512).contains(&secret.name.len()));
        assert!(secret
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b)));
    }
    // No secret reaches the printed plan: origin header values (the CDN
    // identifier) are redacted when serialized, even the placeholder.
    let printed: Value = serde_json::from_str(text).expect("the plan is JSON");
    for origin in printed
        .pointer("/distribution/origins")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for header in origin["customHeaders"].as_array().into_iter().flatten() {
            assert_eq!(
                header["value"], "<redacted>",
                "a secret in the printed plan"
            );
        }
    }
    if let Some(secret) = printed.get("cdnSecret") {
        assert_eq!(secret["value"], "<generated at creation, never shown>");
    }
}

/// Sends the plan's create requests, in the reconciler's order, to the
/// simulated services: AWS must accept every one.
fn submit(owner: &Owner, class: ChannelClass, r: Rendered) {
    let sim = Sim::new(SimTimings {
        channel_propagation: Duration::ZERO,
        ..SimTimings::default()
    });
    runtime().block_on(async {
        let tags = |child: &str| owner.tags(child, &r.tags);
        let medialive = sim.medialive();
        let mut settings = r.input.settings.clone();
        if let Some(group) = &r.input_security_group {
            let group = medialive
                .create_input_security_group(
                    group.allowed_cidrs.clone(),
                    tags("input-security-group"),
                )
                .await
                .expect("MediaLive accepts the input security group");
            settings.security_group_ids = vec![group.id];
        }
        let input = medialive
            .create_input(NewInput {
                request_id: owner.token("input"),
                name: r.input.name.clone(),
                input_type: r.input.type_,
                settings,
                tags: tags("input"),
            })
            .await
            .expect("MediaLive accepts the input");
        let mediapackage = sim.mediapackage();
        mediapackage
            .create_channel(NewPackagingChannel {
                id: r.packaging_channel.id.clone(),
                description: Some(format!(
                    "onair LiveChannel {}/{}",
                    owner.namespace, owner.name
                )),
                tags: tags("packaging-channel"),
            })
            .await
            .expect("MediaPackage accepts the channel");
        for endpoint in r.hls_endpoint.iter().chain(&r.dash_endpoint) {
            mediapackage
                .create_origin_endpoint(endpoint.clone())
                .await
                .expect("MediaPackage accepts the endpoint");
        }
        if let Some(mut config) = r.distribution.clone() {
            config.caller_reference = owner.token("distribution");
            sim.cloudfront()
                .create_distribution(config, tags("distribution"))
                .await
                .expect("CloudFront accepts the distribution");
        }
        let mut settings = r.channel.settings.clone();
        settings.name.clone_from(&r.channel.name);
        settings.input_ids = vec![input.id];
        medialive
            .create_channel(NewChannel {
                request_id: owner.token("channel"),
                channel_class: onair::plan::medialive::channel_class(class).into(),
                settings,
                tags: tags("channel"),
            })
            .await
            .expect("MediaLive accepts the channel");
    });
}
