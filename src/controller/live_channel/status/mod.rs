//! The status of a LiveChannel, from what one reconcile observed. Pure: no
//! I/O, unit-tested.

use crate::api::live_channel::{
    DesiredState, IngestEndpoint, LiveChannelResources, LiveChannelSpec, LiveChannelStatus,
    PlaybackUrls, UpdateStrategy,
};
use crate::aws::children::medialive::ChannelProgress;
use crate::aws::cloudfront::Distribution;
use crate::aws::medialive::{Input, InputState, SecurityGroup};
use crate::aws::mediapackage::{Channel as PackagingChannel, OriginEndpoint};
use crate::controller::conditions::{ConditionSet, Progress};
use crate::plan::failure::Failure;
use crate::plan::medialive::ChannelStep;
use crate::url::host_of;

/// What one reconcile saw of each child (None: not reached, or not wanted).
#[derive(Debug, Default, Clone)]
pub struct Observed {
    pub security_group: Option<SecurityGroup>,
    pub input: Option<Input>,
    pub secret_arn: Option<String>,
    pub packaging_channel: Option<PackagingChannel>,
    pub hls: Option<OriginEndpoint>,
    pub dash: Option<OriginEndpoint>,
    pub distribution: Option<Distribution>,
    /// A distribution no longer wanted (cdn turned off) is being removed.
    pub distribution_removing: bool,
    pub channel: Option<ChannelProgress>,
    /// The channel was not started because input, packaging or CDN is not ready.
    pub start_held: bool,
    /// The TokenPolicy folded into the distribution.
    pub token_policy: Option<String>,
    /// CMCD telemetry: the stream records go to, and the real-time log
    /// configuration once it exists.
    pub telemetry_stream: Option<crate::aws::kinesis::StreamSummary>,
    pub realtime_log_config: Option<crate::aws::cloudfront::RealtimeLogConfig>,
    /// Firehose delivery onward to S3, when asked for.
    pub telemetry_delivery: Option<crate::aws::firehose::DeliveryStream>,
}

impl Observed {
    pub fn input_ready(&self) -> bool {
        self.input
            .as_ref()
            .is_some_and(|i| matches!(i.state, InputState::Detached | InputState::Attached))
    }

    pub fn packaging_ready(&self, spec: &LiveChannelSpec) -> bool {
        self.packaging_channel.is_some()
            && (self.hls.is_some() || !spec.packaging.hls.enabled)
            && (self.dash.is_some() || !spec.packaging.dash.enabled)
    }

    /// Deployed at least once: serving viewers (a later update deploying keeps
    /// serving the previous configuration).
    pub fn cdn_ready(&self, spec: &LiveChannelSpec) -> bool {
        if !spec.cdn.enabled {
            return !self.distribution_removing;
        }
        self.distribution.as_ref().is_some_and(|d| {
            crate::aws::children::cloudfront::deployed(d) || self.channel_running()
        })
    }

    fn channel_running(&self) -> bool {
        self.channel.as_ref().is_some_and(|c| {
            matches!(
                c.channel.state,
                crate::aws::medialive::ChannelState::Running
            )
        })
    }
}

/// The playback URL of an endpoint through the CDN: same path, CDN host.
fn through_cdn(endpoint_url: &str, cdn_host: &str) -> Option<String> {
    let host = host_of(endpoint_url)?;
    let path = endpoint_url.split_once(host)?.1;
    Some(format!("https://{cdn_host}{path}"))
}

/// The whole status, and whether everything is settled (steady state).
pub fn build(
    spec: &LiveChannelSpec,
    previous: Option<&LiveChannelStatus>,
    generation: Option<i64>,
    now: &str,
    observed: &Observed,
    failure: Option<&Failure>,
) -> (LiveChannelStatus, bool) {
    let previous_conditions = previous.map(|s| s.conditions.as_slice()).unwrap_or(&[]);
    let mut set = ConditionSet::new(previous_conditions, generation, now);

    let input_ready = observed.input_ready();
    set.set_bool(
        "InputReady",
        input_ready,
        if input_ready { "Available" } else { "Creating" },
        if input_ready {
            "the MediaLive input exists"
        } else {
            "the MediaLive input is being created"
        },
    );
    let packaging_ready = observed.packaging_ready(spec);
    set.set_bool(
        "PackagingReady",
        packaging_ready,
        if packaging_ready {
            "Available"
        } else {
            "Creating"
        },
        if packaging_ready {
            "the MediaPackage channel and endpoints exist"
        } else {
            "the MediaPackage channel and endpoints are being created"
        },
    );
    let cdn_ready = observed.cdn_ready(spec);
    let (cdn_reason, cdn_message) = match (&observed.distribution, spec.cdn.enabled) {
        (_, false) if observed.distribution_removing => (
            "Removing",
            "cdn.enabled is false: the distribution is being disabled and deleted",
        ),
        (_, false) => (
            "Disabled",
            "cdn.enabled is false: players use the origin URLs",
        ),
        (Some(d), true) if crate::aws::children::cloudfront::deployed(d) => {
            ("Deployed", "the CloudFront distribution is deployed")
        }
        (Some(_), true) if cdn_ready => (
            "Deploying",
            "CloudFront is deploying a change; viewers are served the previous configuration meanwhile",
        ),
        (Some(_), true) => (
            "Deploying",
            "CloudFront is deploying the distribution (this takes a few minutes)",
        ),
        (None, true) => ("Creating", "the CloudFront distribution is being created"),
    };
    set.set_bool("CdnReady", cdn_ready, cdn_reason, cdn_message);

    let (encoder_ready, encoder_reason, encoder_message, pending) = encoder(spec, observed);
    set.set_bool(
        "EncoderReady",
        encoder_ready,
        &encoder_reason,
        &encoder_message,
    );
    match pending {
        Some(message) => set.set_bool("UpdatePending", true, "WaitingForIdle", &message),
        None => set.set_bool(
            "UpdatePending",
            false,
            "UpToDate",
            "the channel runs with the settings in the spec",
        ),
    }
    match spec
        .cdn
        .telemetry
        .as_ref()
        .filter(|t| t.enabled && spec.cdn.enabled)
    {
        Some(telemetry) => {
            let (ok, reason, message) = telemetry_condition(telemetry, observed);
            set.set_bool("TelemetryReady", ok, reason, &message);
        }
        None => set.remove("TelemetryReady"),
    }

    let all_ready = input_ready && packaging_ready && cdn_ready && encoder_ready;
    let settled = failure.is_none()
        && all_ready
        && observed
            .channel
            .as_ref()
            .is_some_and(|c| matches!(c.step, ChannelStep::Steady | ChannelStep::UpdatePending))
        && observed
            .distribution
            .as_ref()
            .is_none_or(crate::aws::children::cloudfront::deployed);
    let progress = match failure {
        Some(f) => Progress::from(f),
        // MediaLive gave up on the channel: nothing onair retries will fix it.
        None if observed
            .channel
            .as_ref()
            .is_some_and(|c| matches!(c.step, ChannelStep::Failed { .. })) =>
        {
            Progress::Stalled {
                reason: encoder_reason.clone(),
                message: encoder_message.clone(),
            }
        }
        None if all_ready => {
            let state = match spec.state {
                DesiredState::Running => "Running",
                DesiredState::Idle => "Idle",
            };
            let message = match spec.state {
                DesiredState::Running => "the channel is on air",
                DesiredState::Idle => {
                    "every resource is ready; the channel is stopped (spec.state is Idle)"
                }
            };
            Progress::Ready {
                reason: state.into(),
                message: message.into(),
            }
        }
        None => Progress::Reconciling {
            reason: waiting_reason(input_ready, packaging_ready, cdn_ready, &encoder_reason),
            message: waiting_message(input_ready, packaging_ready, cdn_ready, &encoder_message),
        },
    };
    set.summarize(&progress);

    let status = LiveChannelStatus {
        observed_generation: generation,
        conditions: set.into_vec(),
        channel_state: observed
            .channel
            .as_ref()
            .map(|c| c.channel.state.as_aws().to_string()),
        ingest: ingest(observed),
        playback: playback(spec, observed),
        resources: Some(resources(observed)),
        cdn_secret_rotation: previous.and_then(|p| p.cdn_secret_rotation.clone()),
        cdn_secret_rotated_at: previous.and_then(|p| p.cdn_secret_rotated_at.clone()),
        // Known once the CDN step ran; until then, what was known.
        token_policy: if observed.distribution.is_some() || !spec.cdn.enabled {
            observed.token_policy.clone()
        } else {
            previous.and_then(|p| p.token_policy.clone())
        },
    };
    (status, settled)
}

/// The reason of the first thing not ready, in the order they are created.
/// A status built without reading AWS (a failure before any call), with
/// what `previous` knew kept: the channel's state, ingest and playback URLs,
/// resources, CDN secret rotation and TokenPolicy, and every condition but
/// the summary ones (`Ready`, `Reconciling`, `Stalled`), which say the
/// failure. A fresh status would show a running channel as being created.
pub fn keep_known(previous: &LiveChannelStatus, fresh: LiveChannelStatus) -> LiveChannelStatus {
    const SUMMARY: [&str; 3] = ["Ready", "Reconciling", "Stalled"];
    let summary = |c: &crate::api::Condition| SUMMARY.contains(&c.type_.as_str());
    let mut conditions: Vec<_> = fresh.conditions.into_iter().filter(summary).collect();
    conditions.extend(previous.conditions.iter().filter(|c| !summary(c)).cloned());
    LiveChannelStatus {
        observed_generation: fresh.observed_generation,
        conditions,
        ..previous.clone()
    }
}

fn waiting_reason(input: bool, packaging: bool, cdn: bool, encoder_reason: &str) -> String {
    [
        (input, "InputNotReady"),
        (packaging, "PackagingNotReady"),
        (cdn, "CdnNotReady"),
    ]
    .iter()
    .find(|(ok, _)| !ok)
    .map_or(encoder_reason, |(_, reason)| reason)
    .to_string()
}

fn waiting_message(input: bool, packaging: bool, cdn: bool, encoder: &str) -> String {
    let mut waiting = Vec::new();
    if !input {
        waiting.push("the MediaLive input");
    }
    if !packaging {
        waiting.push("MediaPackage");
    }
    if !cdn {
        waiting.push("the CloudFront distribution");
    }
    if waiting.is_empty() {
        encoder.to_string()
    } else {
        format!("waiting for {}", waiting.join(", "))
    }
}

/// EncoderReady and the UpdatePending message, from the channel step.
fn encoder(spec: &LiveChannelSpec, observed: &Observed) -> (bool, String, String, Option<String>) {
    let Some(progress) = &observed.channel else {
        return (
            false,
            "ChannelCreating".into(),
            "the MediaLive channel is being created".into(),
            None,
        );
    };
    let desired = match spec.state {
        DesiredState::Running => "Running",
        DesiredState::Idle => "Idle",
    };
    match &progress.step {
        ChannelStep::Steady => (
            true,
            desired.into(),
            format!("the MediaLive channel is {}", progress.channel.state.as_aws()),
            None,
        ),
        ChannelStep::UpdatePending => (
            true,
            "Running".into(),
            "the MediaLive channel is RUNNING with its previous settings".into(),
            Some(match spec.update_strategy {
                UpdateStrategy::OnNextIdle => "the encoding changed while the channel runs; with updateStrategy OnNextIdle it is applied the next time the channel is Idle (set spec.state to Idle, or updateStrategy to Restart to apply it now with a short outage)".into(),
                UpdateStrategy::Restart => "the channel will be restarted to apply the new encoding".into(),
            }),
        ),
        ChannelStep::Start if observed.start_held => (
            false,
            "WaitingForPrerequisites".into(),
            "the channel starts once the input, MediaPackage and CloudFront are ready".into(),
            None,
        ),
        ChannelStep::Start => (
            false,
            "ChannelStarting".into(),
            "starting the MediaLive channel".into(),
            None,
        ),
        ChannelStep::Stop => (
            false,
            "ChannelStopping".into(),
            "stopping the MediaLive channel".into(),
            None,
        ),
        ChannelStep::Update => (
            false,
            "ChannelUpdating".into(),
            "applying the new settings to the MediaLive channel".into(),
            None,
        ),
        ChannelStep::Wait { reason } => (
            false,
            reason.to_string(),
            format!(
                "MediaLive reports the channel {}",
                progress.channel.state.as_aws()
            ),
            None,
        ),
        ChannelStep::Failed { reason } => (
            false,
            reason.to_string(),
            format!(
                "MediaLive reports the channel {}: check the channel in the MediaLive console, then change the spec or delete and recreate the LiveChannel",
                progress.channel.state.as_aws()
            ),
            None,
        ),
    }
}

fn ingest(observed: &Observed) -> Vec<IngestEndpoint> {
    let Some(input) = &observed.input else {
        return Vec::new();
    };
    let urls = if input.destination_urls.is_empty() {
        &input.settings.source_urls
    } else {
        &input.destination_urls
    };
    urls.iter()
        .enumerate()
        .map(|(i, url)| IngestEndpoint {
            pipeline: i as u32,
            url: url.clone(),
        })
        .collect()
}

fn playback(spec: &LiveChannelSpec, observed: &Observed) -> Option<PlaybackUrls> {
    let origin_hls = observed.hls.as_ref().map(|e| e.url.clone());
    let origin_dash = observed.dash.as_ref().map(|e| e.url.clone());
    let cdn_host = spec.cdn.enabled.then(|| {
        spec.cdn.aliases.first().cloned().or_else(|| {
            observed
                .distribution
                .as_ref()
                .map(|d| d.domain_name.clone())
        })
    });
    let cdn_host = cdn_host.flatten();
    // Without a CDN, players read MediaPackage directly: its URLs are the
    // playback URLs (what `kubectl get lc` shows).
    let via = |origin: &Option<String>| match (origin.as_deref(), spec.cdn.enabled) {
        (Some(url), true) => cdn_host.as_deref().and_then(|host| through_cdn(url, host)),
        (Some(url), false) => Some(url.to_string()),
        (None, _) => None,
    };
    let urls = PlaybackUrls {
        hls: via(&origin_hls),
        dash: via(&origin_dash),
        origin_hls,
        origin_dash,
    };
    (urls != PlaybackUrls::default()).then_some(urls)
}

/// Where CMCD telemetry stands: logging once the configuration exists and the
/// distribution's behaviours use it.
fn telemetry_condition(
    telemetry: &crate::api::live_channel::TelemetrySpec,
    observed: &Observed,
) -> (bool, &'static str, String) {
    let stream = observed.telemetry_stream.as_ref();
    let config = observed.realtime_log_config.as_ref();
    let attached = config.is_some_and(|c| {
        observed.distribution.as_ref().is_some_and(|d| {
            d.config.default_behavior.realtime_log_config_arn.as_deref() == Some(c.arn.as_str())
        })
    });
    match (stream, config) {
        (Some(s), _) if !s.is_active() => (
            false,
            "StreamNotActive",
            format!(
                "the Kinesis stream {} is {}; real-time logs start once it is ACTIVE",
                s.name, s.status
            ),
        ),
        (Some(_), Some(_))
            if telemetry.firehose.is_some()
                && !observed
                    .telemetry_delivery
                    .as_ref()
                    .is_some_and(|d| d.is_active()) =>
        {
            (
                false,
                "DeliveryNotActive",
                "the Firehose delivery stream to S3 is being created".into(),
            )
        }
        (Some(s), Some(_)) if attached => (
            true,
            "Logging",
            format!(
                "CloudFront logs {}% of requests ({} fields) to Kinesis stream {}{}",
                telemetry.sampling_rate,
                crate::plan::telemetry::fields(telemetry).len(),
                s.name,
                match &observed.telemetry_delivery {
                    Some(d) => format!(", delivered to S3 by Firehose stream {}", d.name),
                    None => String::new(),
                }
            ),
        ),
        (Some(_), Some(_)) => (
            false,
            "Attaching",
            "the distribution is being updated to use the real-time log configuration".into(),
        ),
        _ => (
            false,
            "Creating",
            "the Kinesis stream and real-time log configuration are being set up".into(),
        ),
    }
}

fn resources(observed: &Observed) -> LiveChannelResources {
    LiveChannelResources {
        input_security_group_id: observed.security_group.as_ref().map(|g| g.id.clone()),
        input_id: observed.input.as_ref().map(|i| i.id.clone()),
        channel_id: observed.channel.as_ref().map(|c| c.channel.id.clone()),
        media_package_channel_id: observed.packaging_channel.as_ref().map(|c| c.id.clone()),
        hls_endpoint_id: observed.hls.as_ref().map(|e| e.spec.id.clone()),
        dash_endpoint_id: observed.dash.as_ref().map(|e| e.spec.id.clone()),
        cdn_auth_secret_arn: observed.secret_arn.clone(),
        distribution_id: observed.distribution.as_ref().map(|d| d.id.clone()),
        distribution_domain: observed
            .distribution
            .as_ref()
            .map(|d| d.domain_name.clone()),
        kinesis_stream_arn: observed.telemetry_stream.as_ref().map(|s| s.arn.clone()),
        realtime_log_config_arn: observed.realtime_log_config.as_ref().map(|c| c.arn.clone()),
    }
}

#[cfg(test)]
mod tests;
