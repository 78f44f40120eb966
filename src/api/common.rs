//! Types shared by every onair custom resource: references, deletion policy,
//! status conditions and AWS tags.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// API group of every onair resource.
pub const GROUP: &str = "onair.dev";
/// The one served and stored version.
pub const VERSION: &str = "v1alpha1";
/// `kubectl get onair` lists every onair object.
pub const CATEGORY: &str = "onair";

/// What happens to the AWS resources when the object is deleted.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum DeletionPolicy {
    /// Delete every AWS resource the object created (the default).
    #[default]
    Delete,
    /// Leave the AWS resources in place and only remove the Kubernetes object.
    Retain,
}

/// Reference to a cluster-scoped `AwsProvider` (account, region, role).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct ProviderRef {
    /// Name of the AwsProvider.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
}

/// Reference to another object in the same namespace.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct LocalObjectRef {
    /// Name of the object, in the same namespace as this one.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
}

/// A key inside a Secret in the same namespace.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct SecretKeySelector {
    /// Name of the Secret, in the same namespace as this object.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Key inside the Secret's data.
    #[schemars(length(min = 1, max = 253))]
    pub key: String,
}

/// Status of a condition, as in `metav1.Condition`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

/// One status condition, in the standard `metav1.Condition` shape (type, status,
/// reason, message, lastTransitionTime, observedGeneration) so that kstatus,
/// Flux and Argo CD read health without custom code.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Condition type in CamelCase, such as `Ready` or `CdnReady`.
    #[serde(rename = "type")]
    #[schemars(length(min = 1, max = 316))]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: ConditionStatus,
    /// Machine-readable reason for the last transition, in CamelCase.
    #[schemars(length(min = 1, max = 1024))]
    pub reason: String,
    /// Human-readable explanation: what is happening and, when something is wrong,
    /// what to change.
    #[serde(default)]
    #[schemars(length(max = 32768))]
    pub message: String,
    /// When the status last changed (RFC 3339).
    #[schemars(extend("format" = "date-time"))]
    pub last_transition_time: String,
    /// The `metadata.generation` this condition was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub observed_generation: Option<i64>,
}

/// AWS resource tags added to everything this object creates, next to the tags onair
/// always sets (`onair.dev/owner-uid`, `onair.dev/namespace`, `onair.dev/name`).
pub type Tags = BTreeMap<String, String>;

/// Schema of [`Tags`]: AWS allows 50 tags and reserves the `aws:` prefix; onair
/// reserves `onair.dev/`.
pub fn tags_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "maxProperties": 40,
        "additionalProperties": { "type": "string", "maxLength": 256 },
        "x-kubernetes-validations": [{
            "rule": "self.all(k, size(k) >= 1 && size(k) <= 128 && !k.startsWith('aws:') && !k.startsWith('onair.dev/'))",
            "message": "tag keys must be 1 to 128 characters and must not start with 'aws:' or 'onair.dev/' (those prefixes are reserved)"
        }]
    })
}

/// IAM role ARN, in any partition.
pub const ROLE_ARN_PATTERN: &str =
    r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$";
/// AWS region name such as `eu-west-1` or `us-gov-west-1`.
pub const REGION_PATTERN: &str = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$";
/// IPv4 CIDR block such as `203.0.113.0/24`.
pub const IPV4_CIDR_PATTERN: &str = r"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$";
/// Why `cidr`, the value of field `field` (such as
/// `spec.input.rtmpPush.allowedCidrs[0]`), is not a network in CIDR
/// notation, in a sentence saying what to write instead; None when it is one.
/// The patterns check the shape; this checks what they cannot: no host bits
/// set (`203.0.113.7/24`), which AWS reads as the network or refuses,
/// neither of which the user may have meant. IPv4 and IPv6.
pub fn cidr_problem(field: &str, cidr: &str) -> Option<String> {
    let parsed = cidr.split_once('/').and_then(|(address, prefix)| {
        let address: std::net::IpAddr = address.parse().ok()?;
        // Digits only: `u8::from_str` would take `+24`.
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let prefix: u8 = prefix.parse().ok()?;
        Some((address, prefix))
    });
    let Some((address, prefix)) = parsed else {
        return Some(format!(
            "{field} {cidr:?} is not a CIDR block: write a network such as 203.0.113.0/24"
        ));
    };
    let (network, width) = match address {
        std::net::IpAddr::V4(a) if prefix <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            (std::net::IpAddr::V4((u32::from(a) & mask).into()), 32)
        }
        std::net::IpAddr::V6(a) if prefix <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            (std::net::IpAddr::V6((u128::from(a) & mask).into()), 128)
        }
        _ => {
            let most = if address.is_ipv4() { 32 } else { 128 };
            return Some(format!(
                "{field} {cidr:?} has a prefix length over {most}: write a network such as 203.0.113.0/24"
            ));
        }
    };
    (network != address).then(|| {
        format!(
            "{field} {cidr:?} has host bits set: write {network}/{prefix} for the network or {address}/{width} for the one address"
        )
    })
}

/// An `https://` URL.
pub const HTTPS_URL_PATTERN: &str = r"^https://[^\s/?#]+([/?#]\S*)?$";
/// An `http://` or `https://` URL.
pub const HTTP_URL_PATTERN: &str = r"^https?://[^\s/?#]+([/?#]\S*)?$";
/// A DNS host name (lower case, at least two labels), optionally a `*.` wildcard.
pub const HOSTNAME_PATTERN: &str = r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$";
/// An S3 bucket name.
pub const S3_BUCKET_PATTERN: &str = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";

#[cfg(test)]
mod tests {
    use super::*;

    const FIELD: &str = "spec.input.rtmpPush.allowedCidrs[0]";

    #[test]
    fn a_cidr_with_host_bits_says_what_to_write_instead() {
        assert_eq!(
            cidr_problem(FIELD, "203.0.113.7/24").as_deref(),
            Some(
                r#"spec.input.rtmpPush.allowedCidrs[0] "203.0.113.7/24" has host bits set: write 203.0.113.0/24 for the network or 203.0.113.7/32 for the one address"#
            )
        );
        assert_eq!(
            cidr_problem(FIELD, "2001:db8::1/64").as_deref(),
            Some(
                r#"spec.input.rtmpPush.allowedCidrs[0] "2001:db8::1/64" has host bits set: write 2001:db8::/64 for the network or 2001:db8::1/128 for the one address"#
            )
        );
        assert!(cidr_problem(FIELD, "10.1.2.3/0")
            .unwrap()
            .contains("write 0.0.0.0/0 for the network"));
    }

    #[test]
    fn networks_and_single_addresses_are_fine() {
        for cidr in [
            "203.0.113.0/24",
            "203.0.113.7/32",
            "0.0.0.0/0",
            "10.0.0.0/8",
            "2001:db8::/32",
            "2001:db8::1/128",
            "::/0",
        ] {
            assert_eq!(cidr_problem(FIELD, cidr), None, "{cidr}");
        }
    }

    #[test]
    fn what_is_not_a_cidr_at_all_is_said_too() {
        for cidr in [
            "203.0.113.0",
            "203.0.113.0/",
            "203.0.113.0/+8",
            "host/24",
            "10.0.0.0/33",
            "::/129",
        ] {
            let problem = cidr_problem(FIELD, cidr).unwrap_or_else(|| panic!("{cidr}"));
            assert!(
                problem.contains("write a network such as 203.0.113.0/24"),
                "{problem}"
            );
        }
    }

    #[test]
    fn the_schema_pattern_admits_what_the_check_then_judges() {
        let pattern = regex::Regex::new(IPV4_CIDR_PATTERN).unwrap();
        assert!(
            pattern.is_match("203.0.113.7/24"),
            "host bits pass the pattern"
        );
        assert!(cidr_problem(FIELD, "203.0.113.7/24").is_some());
    }
}
