//! What a LiveChannel spec must hold that its schema cannot say (segment
//! lengths against the GOP, SRT ports, CIDRs without host bits), and the IAM
//! roles its resources use: checked before any AWS call, so a bad spec is a
//! `Ready=False` condition and never a half-built channel.

use crate::api::live_channel::LiveChannelSpec;
use crate::plan::failure::Failure;

/// Checks the spec can be built at all, before any AWS call.
pub fn validate(spec: &LiveChannelSpec, resolved_roles: &Roles) -> Result<(), Failure> {
    let invalid = Failure::invalid_spec;
    let gop = spec.encoding.gop_seconds;
    for (name, enabled, seconds) in [
        (
            "packaging.hls",
            spec.packaging.hls.enabled,
            spec.packaging.hls.segment_seconds,
        ),
        (
            "packaging.dash",
            spec.packaging.dash.enabled,
            spec.packaging.dash.segment_seconds,
        ),
    ] {
        if enabled && seconds % gop != 0 {
            return Err(invalid(format!(
                "{name}.segmentSeconds ({seconds}) must be a multiple of encoding.gopSeconds ({gop}): segments start on keyframes"
            )));
        }
    }
    // The schema's pattern admits host bits (`203.0.113.7/24`), which AWS
    // would read as a network the user did not write, or refuse.
    let cidrs = spec.input.rtmp_push.iter().flat_map(|p| &p.allowed_cidrs);
    for (i, cidr) in cidrs.enumerate() {
        let field = format!("spec.input.rtmpPush.allowedCidrs[{i}]");
        if let Some(problem) = crate::api::common::cidr_problem(&field, cidr) {
            return Err(invalid(problem));
        }
    }
    // The schema's pattern admits any five digits, but SRT listeners listen
    // on ports 1 to 65535 (the plan reads the port as a u16): refuse the rest
    // here rather than hand MediaLive port 0.
    for source in spec.input.srt_caller.iter().flat_map(|s| &s.sources) {
        let port = source.url.rsplit_once(':').map_or("", |(_, port)| port);
        if !port.parse::<u16>().is_ok_and(|port| port != 0) {
            return Err(invalid(format!(
                "input.srtCaller.sources: {} names no valid port: SRT listeners listen on ports 1 to 65535",
                source.url
            )));
        }
    }
    if resolved_roles.media_live.is_none() {
        return Err(invalid("no role for MediaLive: set encoding.roleArn, or mediaLiveRoleArn on the AwsProvider (or the operator's --media-live-role-arn)".into()));
    }
    if spec.cdn.enabled
        && spec.cdn.origin_protection
        && resolved_roles.media_package_secrets.is_none()
    {
        return Err(invalid("origin protection needs a role MediaPackage reads the CDN secret with: set mediaPackageSecretsRoleArn on the AwsProvider (or the operator's --media-package-secrets-role-arn), or set cdn.originProtection to false".into()));
    }
    Ok(())
}

/// The roles the channel's resources use.
pub struct Roles {
    pub media_live: Option<String>,
    pub media_package_secrets: Option<String>,
}

impl Roles {
    /// The spec's own role, else the provider's defaults (`media_live` and
    /// `media_package_secrets` role ARNs, if it has them).
    pub fn of(
        spec: &LiveChannelSpec,
        media_live_default: Option<&String>,
        media_package_secrets: Option<&String>,
    ) -> Self {
        Self {
            media_live: spec
                .encoding
                .role_arn
                .clone()
                .or_else(|| media_live_default.cloned()),
            media_package_secrets: media_package_secrets.cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srt_channel(url: &str) -> LiveChannelSpec {
        serde_json::from_value(serde_json::json!({
            "state": "Idle",
            "input": {"type": "SrtCaller", "srtCaller": {"sources": [{"url": url}]}}
        }))
        .expect("a LiveChannel spec")
    }

    #[test]
    fn an_allowed_cidr_with_host_bits_is_refused_with_what_to_write() {
        let roles = Roles {
            media_live: Some("arn:aws:iam::123456789012:role/ml".into()),
            media_package_secrets: Some("arn:aws:iam::123456789012:role/mp".into()),
        };
        let push = |cidrs: &[&str]| -> LiveChannelSpec {
            serde_json::from_value(serde_json::json!({
                "state": "Idle",
                "input": {"type": "RtmpPush", "rtmpPush": {"allowedCidrs": cidrs, "streamNames": ["live/a"]}}
            }))
            .expect("a LiveChannel spec")
        };
        assert_eq!(
            validate(&push(&["203.0.113.0/24", "198.51.100.7/32"]), &roles),
            Ok(())
        );
        let failure = validate(&push(&["203.0.113.0/24", "198.51.100.7/24"]), &roles).unwrap_err();
        assert_eq!(failure.reason, "InvalidSpec");
        assert!(failure.stalled);
        assert_eq!(
            failure.message,
            r#"spec.input.rtmpPush.allowedCidrs[1] "198.51.100.7/24" has host bits set: write 198.51.100.0/24 for the network or 198.51.100.7/32 for the one address"#
        );
    }

    #[test]
    fn srt_ports_outside_1_to_65535_are_refused() {
        let roles = Roles {
            media_live: Some("arn:aws:iam::123456789012:role/ml".into()),
            media_package_secrets: Some("arn:aws:iam::123456789012:role/mp".into()),
        };
        for url in ["srt://encoder.example:9000", "srt://encoder.example:65535"] {
            assert_eq!(validate(&srt_channel(url), &roles), Ok(()), "{url}");
        }
        // Found by the spec_to_aws fuzz target: both became port 0.
        for url in ["srt://encoder.example:000", "srt://encoder.example:65536"] {
            let failure = validate(&srt_channel(url), &roles).expect_err(url);
            assert_eq!(failure.reason, "InvalidSpec");
            assert!(failure.stalled);
        }
    }
}
