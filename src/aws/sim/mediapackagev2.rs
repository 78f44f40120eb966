//! Simulated MediaPackage v2, as AWS documents it rather than as moto 5.2.5
//! does it: a taken name is refused (moto overwrites), a group with channels and
//! a channel with endpoints refuse deletion, deletes of what is gone succeed,
//! and endpoints are validated like AWS does (names, segment and window
//! bounds, DASH only on CMAF, HLS and LL-HLS manifests not sharing a name, the
//! container type fixed at creation).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::mediapackagev2::*;

type Result<T> = std::result::Result<T, AwsError>;

/// (group, channel) and (group, channel, endpoint): names are unique per parent.
type ChannelKey = (String, String);
type EndpointKey = (String, String, String);

#[derive(Default)]
pub(crate) struct State {
    groups: BTreeMap<String, ChannelGroup>,
    channels: BTreeMap<ChannelKey, (Channel, Option<String>)>,
    endpoints: BTreeMap<EndpointKey, (OriginEndpoint, Option<String>)>,
}

impl State {
    /// (channel groups, channels, origin endpoints).
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        (self.groups.len(), self.channels.len(), self.endpoints.len())
    }
}

pub(crate) struct SimMediaPackageV2(pub(crate) Arc<World>);

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new("MediaPackageV2", op, kind)
}

fn not_found(op: &'static str, what: &str, name: &str) -> AwsError {
    let message = format!("The specified {what} {name} doesn't exist.");
    err(op, ErrorKind::NotFound { message })
}

/// A create of a name in use: Conflict RESOURCE_ALREADY_EXISTS on AWS.
fn taken(op: &'static str, what: &str) -> AwsError {
    let message = format!("RESOURCE_ALREADY_EXISTS: {what} already exists");
    err(op, ErrorKind::AlreadyExists { message })
}

/// A resource's policy slot: replaced by put (`Some`), read by get (`None`).
/// Channels and endpoints keep theirs beside them, the same way.
fn policy_slot<K: Ord, T>(
    op: &'static str,
    slots: &mut BTreeMap<K, (T, Option<String>)>,
    key: &K,
    what: &str,
    name: &str,
    put: Option<&str>,
) -> Result<String> {
    let (_, slot) = slots
        .get_mut(key)
        .ok_or_else(|| not_found(op, what, name))?;
    if let Some(policy) = put {
        *slot = Some(policy.to_owned());
    }
    slot.clone()
        .ok_or_else(|| not_found(op, &format!("policy of {what}"), name))
}

fn invalid(op: &'static str, message: String) -> AwsError {
    err(op, ErrorKind::InvalidRequest { message })
}

fn key2(group: &str, channel: &str) -> ChannelKey {
    (group.to_owned(), channel.to_owned())
}

fn key3(group: &str, channel: &str, endpoint: &str) -> EndpointKey {
    (group.to_owned(), channel.to_owned(), endpoint.to_owned())
}

fn check_name(op: &'static str, what: &str, name: &str) -> Result<()> {
    if is_resource_name(name) {
        return Ok(());
    }
    Err(invalid(
        op,
        format!("{what} name {name:?} must be 1 to {MAX_NAME_LEN} letters, digits, '_' or '-'"),
    ))
}

fn check_policy(op: &'static str, policy: &str) -> Result<()> {
    let parsed: std::result::Result<serde_json::Value, _> = serde_json::from_str(policy);
    match parsed {
        Ok(v) if v.get("Statement").is_some() && policy.len() <= MAX_POLICY_LEN => Ok(()),
        _ => Err(invalid(
            op,
            format!("INVALID_POLICY: the policy must be a JSON IAM policy of at most {MAX_POLICY_LEN} characters"),
        )),
    }
}

/// Every value of `values` is one of AWS's `allowed` spellings of `what`.
fn check_values<'a>(
    op: &'static str,
    what: &str,
    values: impl IntoIterator<Item = &'a String>,
    allowed: &[&str],
) -> Result<()> {
    match values.into_iter().find(|v| !allowed.contains(&v.as_str())) {
        None => Ok(()),
        Some(v) => Err(invalid(
            op,
            format!("{what} {v:?} is not one of {}", allowed.join(", ")),
        )),
    }
}

/// What AWS checks of an endpoint's settings, on create and update alike.
fn check_endpoint(op: &'static str, s: &OriginEndpointSpec) -> Result<()> {
    check_name(op, "Origin endpoint", &s.name)?;
    check_values(op, "ScteFilter", &s.segment.scte_filter, SCTE_FILTERS)?;
    let markers = s
        .hls_manifests
        .iter()
        .chain(&s.low_latency_hls_manifests)
        .filter_map(|m| m.ad_markers.as_ref());
    check_values(op, "AdMarkerHls", markers, AD_MARKERS_HLS)?;
    let triggers = s.dash_manifests.iter().flat_map(|m| &m.period_triggers);
    check_values(op, "PeriodTriggers", triggers, DASH_PERIOD_TRIGGERS)?;
    if let Some(d) = s.segment.duration_seconds {
        if !SEGMENT_SECONDS.contains(&d) {
            return Err(invalid(
                op,
                format!("segmentDurationSeconds {d} must be between 1 and 30"),
            ));
        }
    }
    if s.startover_window_seconds.unwrap_or(0) > MAX_STARTOVER_SECONDS {
        return Err(invalid(
            op,
            format!("startoverWindowSeconds must be at most {MAX_STARTOVER_SECONDS}"),
        ));
    }
    if s.container_type == ContainerType::Ts && !s.dash_manifests.is_empty() {
        return Err(invalid(
            op,
            "TS_CONTAINER_TYPE_WITH_DASH_MANIFEST: DASH manifests need the CMAF container".into(),
        ));
    }
    let hls = s.hls_manifests.iter().chain(&s.low_latency_hls_manifests);
    let windows = hls
        .clone()
        .map(|m| (&m.name, m.window_seconds))
        .chain(s.dash_manifests.iter().map(|m| (&m.name, m.window_seconds)));
    for (name, window) in windows {
        if !is_manifest_name(name) {
            return Err(invalid(
                op,
                format!(
                    "manifest name {name:?} must be 1 to {MAX_NAME_LEN} letters, digits or '-'"
                ),
            ));
        }
        if window.is_some_and(|w| w < MIN_MANIFEST_WINDOW_SECONDS) {
            return Err(invalid(
                op,
                format!("manifestWindowSeconds of {name} must be at least {MIN_MANIFEST_WINDOW_SECONDS}"),
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(m) = hls.clone().find(|m| !seen.insert(&m.name)) {
        return Err(invalid(
            op,
            format!(
                "MANIFEST_NAME_COLLISION: two HLS or low-latency HLS manifests are named {}",
                m.name
            ),
        ));
    }
    if let Some(m) = hls.clone().find(|m| {
        m.ad_markers.as_deref() == Some("DATERANGE")
            && m.program_date_time_interval_seconds.unwrap_or(0) == 0
    }) {
        return Err(invalid(
            op,
            format!(
                "DATERANGE ad markers of {} need programDateTimeIntervalSeconds",
                m.name
            ),
        ));
    }
    Ok(())
}

impl SimMediaPackageV2 {
    fn channel_arn(&self, group: &str, channel: &str) -> String {
        self.0.arn(
            "mediapackagev2",
            &format!("channelGroup/{group}/channel/{channel}"),
        )
    }

    /// The endpoint as AWS answers it: its ARN and a URL per manifest on the
    /// group's egress domain.
    fn endpoint(&self, state: &State, spec: OriginEndpointSpec) -> OriginEndpoint {
        let domain = state
            .groups
            .get(&spec.group)
            .map(|g| g.egress_domain.clone())
            .unwrap_or_default();
        let base = format!(
            "https://{domain}/out/v1/{}/{}/{}",
            spec.group, spec.channel, spec.name
        );
        let url = |kind, name: &str, ext| ManifestUrl {
            kind,
            name: name.to_owned(),
            url: format!("{base}/{name}.{ext}"),
        };
        let manifest_urls = (spec
            .hls_manifests
            .iter()
            .map(|m| url(ManifestKind::Hls, &m.name, "m3u8")))
        .chain(
            spec.low_latency_hls_manifests
                .iter()
                .map(|m| url(ManifestKind::LowLatencyHls, &m.name, "m3u8")),
        )
        .chain(
            spec.dash_manifests
                .iter()
                .map(|m| url(ManifestKind::Dash, &m.name, "mpd")),
        )
        .collect();
        OriginEndpoint {
            arn: format!(
                "{}/originEndpoint/{}",
                self.channel_arn(&spec.group, &spec.channel),
                spec.name
            ),
            manifest_urls,
            spec,
        }
    }
}

#[async_trait]
impl MediaPackageV2Api for SimMediaPackageV2 {
    async fn create_channel_group(&self, g: NewChannelGroup) -> Result<ChannelGroup> {
        const OP: &str = "create_channel_group";
        check_name(OP, "Channel group", &g.name)?;
        let mut state = lock(&self.0.mediapackagev2);
        if state.groups.contains_key(&g.name) {
            return Err(taken(OP, &format!("channel group {}", g.name)));
        }
        let group = ChannelGroup {
            arn: self
                .0
                .arn("mediapackagev2", &format!("channelGroup/{}", g.name)),
            egress_domain: format!(
                "{:06x}.egress.{:06x}.mediapackagev2.{}.amazonaws.com",
                fastrand::u32(..1 << 24),
                fastrand::u32(..1 << 24),
                self.0.region
            ),
            name: g.name,
            description: g.description,
            tags: g.tags,
        };
        state.groups.insert(group.name.clone(), group.clone());
        Ok(group)
    }

    async fn get_channel_group(&self, name: &str) -> Result<ChannelGroup> {
        lock(&self.0.mediapackagev2)
            .groups
            .get(name)
            .cloned()
            .ok_or_else(|| not_found("get_channel_group", "channel group", name))
    }

    async fn list_channel_groups(&self) -> Result<Vec<String>> {
        Ok(lock(&self.0.mediapackagev2)
            .groups
            .keys()
            .cloned()
            .collect())
    }

    async fn delete_channel_group(&self, name: &str) -> Result<()> {
        let mut state = lock(&self.0.mediapackagev2);
        if state.channels.keys().any(|(g, _)| g == name) {
            return Err(err(
                "delete_channel_group",
                ErrorKind::Conflict {
                    message: format!("RESOURCE_IN_USE: channel group {name} still has channels; delete them first"),
                },
            ));
        }
        state.groups.remove(name);
        Ok(())
    }

    async fn create_channel(&self, c: NewChannel) -> Result<Channel> {
        const OP: &str = "create_channel";
        check_name(OP, "Channel", &c.name)?;
        let mut state = lock(&self.0.mediapackagev2);
        let Some(group) = state.groups.get(&c.group) else {
            return Err(not_found(OP, "channel group", &c.group));
        };
        let key = key2(&c.group, &c.name);
        if state.channels.contains_key(&key) {
            return Err(taken(OP, &format!("channel {} in {}", c.name, c.group)));
        }
        // The ingest hosts are the egress host's labels with the pipeline's suffix.
        let (prefix, rest) = group
            .egress_domain
            .split_once(".egress.")
            .unwrap_or(("ingest", &group.egress_domain));
        let path_end = match c.input_type {
            InputType::Hls => "/index",
            InputType::Cmaf => "/",
        };
        let ingest_endpoints = ["1", "2"]
            .into_iter()
            .map(|id| IngestEndpoint {
                id: id.into(),
                url: format!(
                    "https://{prefix}-{id}.ingest.{rest}/in/v1/{}/{id}/{}{path_end}",
                    c.group, c.name
                ),
            })
            .collect();
        let channel = Channel {
            arn: self.channel_arn(&c.group, &c.name),
            group: c.group,
            name: c.name,
            input_type: Some(c.input_type),
            description: c.description,
            ingest_endpoints,
            tags: c.tags,
        };
        state.channels.insert(key, (channel.clone(), None));
        Ok(channel)
    }

    async fn get_channel(&self, group: &str, name: &str) -> Result<Channel> {
        lock(&self.0.mediapackagev2)
            .channels
            .get(&key2(group, name))
            .map(|(c, _)| c.clone())
            .ok_or_else(|| not_found("get_channel", "channel", name))
    }

    async fn list_channels(&self, group: &str) -> Result<Vec<String>> {
        let state = lock(&self.0.mediapackagev2);
        if !state.groups.contains_key(group) {
            return Err(not_found("list_channels", "channel group", group));
        }
        Ok(state
            .channels
            .keys()
            .filter(|(g, _)| g == group)
            .map(|(_, c)| c.clone())
            .collect())
    }

    async fn delete_channel(&self, group: &str, name: &str) -> Result<()> {
        let mut state = lock(&self.0.mediapackagev2);
        if state
            .endpoints
            .keys()
            .any(|(g, c, _)| g == group && c == name)
        {
            return Err(err(
                "delete_channel",
                ErrorKind::Conflict {
                    message: format!("RESOURCE_IN_USE: channel {name} still has origin endpoints; delete them first"),
                },
            ));
        }
        state.channels.remove(&key2(group, name));
        Ok(())
    }

    async fn put_channel_policy(&self, group: &str, channel: &str, policy: &str) -> Result<()> {
        const OP: &str = "put_channel_policy";
        check_policy(OP, policy)?;
        let channels = &mut lock(&self.0.mediapackagev2).channels;
        policy_slot(
            OP,
            channels,
            &key2(group, channel),
            "channel",
            channel,
            Some(policy),
        )?;
        Ok(())
    }

    async fn get_channel_policy(&self, group: &str, channel: &str) -> Result<String> {
        const OP: &str = "get_channel_policy";
        let channels = &mut lock(&self.0.mediapackagev2).channels;
        policy_slot(
            OP,
            channels,
            &key2(group, channel),
            "channel",
            channel,
            None,
        )
    }

    async fn create_origin_endpoint(&self, spec: OriginEndpointSpec) -> Result<OriginEndpoint> {
        const OP: &str = "create_origin_endpoint";
        check_endpoint(OP, &spec)?;
        let mut state = lock(&self.0.mediapackagev2);
        if !state
            .channels
            .contains_key(&key2(&spec.group, &spec.channel))
        {
            return Err(not_found(OP, "channel", &spec.channel));
        }
        let key = key3(&spec.group, &spec.channel, &spec.name);
        if state.endpoints.contains_key(&key) {
            return Err(taken(OP, &format!("origin endpoint {}", spec.name)));
        }
        let endpoint = self.endpoint(&state, spec);
        state.endpoints.insert(key, (endpoint.clone(), None));
        Ok(endpoint)
    }

    async fn get_origin_endpoint(
        &self,
        group: &str,
        channel: &str,
        name: &str,
    ) -> Result<OriginEndpoint> {
        lock(&self.0.mediapackagev2)
            .endpoints
            .get(&key3(group, channel, name))
            .map(|(e, _)| e.clone())
            .ok_or_else(|| not_found("get_origin_endpoint", "origin endpoint", name))
    }

    async fn update_origin_endpoint(&self, spec: OriginEndpointSpec) -> Result<OriginEndpoint> {
        const OP: &str = "update_origin_endpoint";
        check_endpoint(OP, &spec)?;
        let mut state = lock(&self.0.mediapackagev2);
        let key = key3(&spec.group, &spec.channel, &spec.name);
        let Some((current, policy)) = state.endpoints.get(&key).cloned() else {
            return Err(not_found(OP, "origin endpoint", &spec.name));
        };
        if current.spec.container_type != spec.container_type {
            return Err(invalid(
                OP,
                "CONTAINER_TYPE_IMMUTABLE: the container type of an origin endpoint can't change"
                    .into(),
            ));
        }
        let spec = OriginEndpointSpec {
            tags: current.spec.tags,
            ..spec
        };
        let endpoint = self.endpoint(&state, spec);
        state.endpoints.insert(key, (endpoint.clone(), policy));
        Ok(endpoint)
    }

    async fn delete_origin_endpoint(&self, group: &str, channel: &str, name: &str) -> Result<()> {
        lock(&self.0.mediapackagev2)
            .endpoints
            .remove(&key3(group, channel, name));
        Ok(())
    }

    async fn list_origin_endpoints(&self, group: &str, channel: &str) -> Result<Vec<String>> {
        let state = lock(&self.0.mediapackagev2);
        if !state.channels.contains_key(&key2(group, channel)) {
            return Err(not_found("list_origin_endpoints", "channel", channel));
        }
        Ok(state
            .endpoints
            .keys()
            .filter(|(g, c, _)| g == group && c == channel)
            .map(|(_, _, e)| e.clone())
            .collect())
    }

    async fn put_origin_endpoint_policy(
        &self,
        group: &str,
        channel: &str,
        endpoint: &str,
        policy: &str,
    ) -> Result<()> {
        const OP: &str = "put_origin_endpoint_policy";
        check_policy(OP, policy)?;
        let endpoints = &mut lock(&self.0.mediapackagev2).endpoints;
        let key = key3(group, channel, endpoint);
        policy_slot(
            OP,
            endpoints,
            &key,
            "origin endpoint",
            endpoint,
            Some(policy),
        )?;
        Ok(())
    }

    async fn get_origin_endpoint_policy(
        &self,
        group: &str,
        channel: &str,
        endpoint: &str,
    ) -> Result<String> {
        const OP: &str = "get_origin_endpoint_policy";
        let endpoints = &mut lock(&self.0.mediapackagev2).endpoints;
        let key = key3(group, channel, endpoint);
        policy_slot(OP, endpoints, &key, "origin endpoint", endpoint, None)
    }
}
