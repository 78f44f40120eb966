//! What a reconciler reads of the related objects it watches, as the
//! fingerprints its watches compare: a change to a related object wakes the
//! reconciler only when it moves something the reconciler reads.
//!
//! While a thousand channels converge, each one's status changes a dozen
//! times (conditions, resources, URLs). Passing every such change on woke
//! the channel's TokenPolicy each time, and every policy round reads its
//! function and its store from CloudFront, the service with the lowest
//! rate: a third of the CloudFront calls a channel cost went there. A policy
//! reads of a channel only its spec and its playback URLs
//! (`token::policy::PolicyInputs::assemble`), and a channel reads of its
//! policy only the function and web ACL it folds into its distribution
//! (`controller::live_channel::apply`).
//!
//! Each fingerprint covers the generation (the whole spec) and whether the
//! object is being deleted; an object deleted for good always passes (see
//! `controller::only_when_changed`). Adding a read of a related object means
//! adding it here too: the tests below name each field.

use std::hash::{Hash, Hasher};

use kube::Resource;

use crate::api::{AdInsertion, LiveChannel, TokenPolicy};

/// The hash a watch compares: the generation, whether the object is being
/// deleted, and `read` (what the watcher reads of its status).
pub fn fingerprint<K: Resource>(object: &K, read: impl Hash) -> Option<u64> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    object.meta().generation.hash(&mut hasher);
    object.meta().deletion_timestamp.is_some().hash(&mut hasher);
    read.hash(&mut hasher);
    Some(hasher.finish())
}

/// A channel, as a TokenPolicy protecting it reads it: its playback URLs
/// (the paths the token check covers, the host of the URLs it mints).
pub fn channel_for_policy(lc: &LiveChannel) -> Option<u64> {
    let playback = lc.status.as_ref().and_then(|s| s.playback.as_ref());
    fingerprint(lc, playback.map(|p| (p.hls.as_deref(), p.dash.as_deref())))
}

/// An AdInsertion, as the TokenPolicy of its channel reads it: which channel
/// it serves (its spec), so MediaTailor's paths are protected too.
pub fn ad_for_policy(adi: &AdInsertion) -> Option<u64> {
    fingerprint(adi, ())
}

/// A TokenPolicy, as the channels it names read it: the function and web ACL
/// they attach to their distributions.
pub fn policy_for_channel(tp: &TokenPolicy) -> Option<u64> {
    let status = tp.status.as_ref();
    fingerprint(
        tp,
        (
            status.and_then(|s| s.function_arn.as_deref()),
            status.and_then(|s| s.web_acl_arn.as_deref()),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> crate::api::Condition {
        crate::api::Condition {
            type_: "Ready".into(),
            status: crate::api::ConditionStatus::False,
            reason: "Reconciling".into(),
            message: "creating".into(),
            last_transition_time: "2026-12-07T00:00:00Z".into(),
            observed_generation: Some(1),
        }
    }

    fn channel() -> LiveChannel {
        serde_yaml::from_str(include_str!("../../examples/live-channel.yaml")).unwrap()
    }

    #[test]
    fn a_policy_wakes_for_a_channels_spec_playback_and_deletion_only() {
        let mut lc = channel();
        let first = channel_for_policy(&lc);
        let mut status = crate::api::LiveChannelStatus::default();
        status.conditions.push(ready());
        status.observed_generation = Some(3);
        lc.status = Some(status.clone());
        assert_eq!(
            channel_for_policy(&lc),
            first,
            "conditions and the rest of the status"
        );
        status.playback = Some(crate::api::live_channel::PlaybackUrls {
            hls: Some("https://d1.cloudfront.net/out/v1/x/index.m3u8".into()),
            ..Default::default()
        });
        lc.status = Some(status);
        let with_playback = channel_for_policy(&lc);
        assert_ne!(with_playback, first, "playback URLs");
        lc.metadata.generation = Some(2);
        assert_ne!(channel_for_policy(&lc), with_playback, "the spec");
        let spec_changed = channel_for_policy(&lc);
        lc.metadata.deletion_timestamp = Some(
            k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(jiff::Timestamp::UNIX_EPOCH),
        );
        assert_ne!(channel_for_policy(&lc), spec_changed, "deletion");
    }

    #[test]
    fn a_channel_wakes_for_its_policys_function_and_web_acl() {
        let mut tp: TokenPolicy =
            serde_yaml::from_str(include_str!("../../examples/token-policy.yaml")).unwrap();
        let first = policy_for_channel(&tp);
        let mut status = crate::api::token_policy::TokenPolicyStatus::default();
        status.conditions.push(ready());
        tp.status = Some(status.clone());
        assert_eq!(policy_for_channel(&tp), first, "conditions");
        status.function_arn = Some("arn:aws:cloudfront::1:function/f".into());
        tp.status = Some(status.clone());
        let with_function = policy_for_channel(&tp);
        assert_ne!(with_function, first, "the function");
        status.web_acl_arn = Some("arn:aws:wafv2:us-east-1:1:global/webacl/w".into());
        tp.status = Some(status);
        assert_ne!(policy_for_channel(&tp), with_function, "the web ACL");
    }

    #[test]
    fn a_policy_wakes_for_an_ad_insertions_spec_only() {
        let mut adi: AdInsertion =
            serde_yaml::from_str(include_str!("../../examples/ad-insertion.yaml")).unwrap();
        let first = ad_for_policy(&adi);
        adi.status = Some(Default::default());
        assert_eq!(ad_for_policy(&adi), first);
        adi.metadata.generation = Some(2);
        assert_ne!(ad_for_policy(&adi), first);
    }
}
