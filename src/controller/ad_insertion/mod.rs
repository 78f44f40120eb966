//! The AdInsertion reconciler: a MediaTailor playback configuration in front
//! of a LiveChannel, reading the channel through its CloudFront distribution
//! (origin protection stays on), its recurring ad breaks in the channel's
//! schedule, and status with the ad-supported URLs through CloudFront. The
//! distribution's behaviours for MediaTailor are written by the LiveChannel
//! reconciler (one writer per AWS resource), which watches AdInsertions.

pub mod breaks;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::{Resource, ResourceExt};
use tracing::info;

use crate::api::ad_insertion::{
    AdInsertion, AdInsertionStatus, AdPlaybackUrls, MediaTailorEndpoints,
};
use crate::api::live_channel::LiveChannel;
use crate::aws::children::mediatailor::{PlaybackAt, PlaybackChild};
use crate::aws::mediatailor::PlaybackConfig;
use crate::aws::ownership::Owner;
use crate::controller::conditions::{ConditionSet, Progress};
use crate::controller::context::Context;
use crate::controller::kit::driver::AnnotationIds;
use crate::controller::kit::{aws_at, now, owner_of, remove_child, unix_now, Error, Step, Steps};
use crate::controller::kit::{deletion, observe};
use crate::controller::provider::{provider_for, recorded_provider, Resolved};
use crate::k8s::finalizer;
use crate::k8s::report::{write_status, Events};
use crate::plan::failure::{merged_tags, Failure};
use crate::plan::mediatailor::{self as plan, Content};

/// Where the AdInsertion stands.
struct Outcome {
    progress: Progress,
    channel_ready: (bool, &'static str, String),
    config: Option<PlaybackConfig>,
    playback: Option<AdPlaybackUrls>,
    next_break: Option<Timestamp>,
}

impl Outcome {
    /// A failure from AWS: Stalled when the user has to act, else Reconciling.
    fn failed(failure: Failure) -> Self {
        Self {
            progress: Progress::from(&failure),
            channel_ready: (true, "ChannelReady", "the channel is ready".into()),
            config: None,
            playback: None,
            next_break: None,
        }
    }

    fn waiting(reason: &'static str, message: String) -> Self {
        Self {
            progress: Progress::Reconciling {
                reason: reason.into(),
                message: message.clone(),
            },
            channel_ready: (false, reason, message),
            config: None,
            playback: None,
            next_break: None,
        }
    }
}

pub async fn reconcile(adi: Arc<AdInsertion>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = adi.namespace().unwrap_or_default();
    let api: Api<AdInsertion> = Api::namespaced(ctx.client.clone(), &namespace);
    if let Some(paused) = crate::controller::kit::pause::hold(adi.as_ref(), &api, &ctx).await? {
        return Ok(paused);
    }
    if adi.meta().deletion_timestamp.is_some() {
        return cleanup(&adi, &ctx, &api).await;
    }
    if adi.status.is_none() {
        let first = Outcome::waiting("Pending", "looking at the channel".into());
        write(&api, &adi, &first).await?;
    }
    finalizer::add(&api, adi.as_ref()).await?;
    let (outcome, next) = apply(&adi, &ctx, &api).await;
    write(&api, &adi, &outcome).await?;
    Ok(next)
}

async fn apply(adi: &AdInsertion, ctx: &Context, api: &Api<AdInsertion>) -> (Outcome, Action) {
    let retry = Action::requeue(ctx.timing.retry);
    let namespace = adi.namespace().unwrap_or_default();
    let channels: Api<LiveChannel> = Api::namespaced(ctx.client.clone(), &namespace);
    let name = &adi.spec.channel_ref.name;
    let channel = match channels.get_opt(name).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            let message = format!("the LiveChannel \"{name}\" does not exist in namespace {namespace}; ad insertion starts once it does");
            return (Outcome::waiting("ChannelNotReady", message), retry);
        }
        Err(e) => return (Outcome::waiting("KubernetesError", e.to_string()), retry),
    };
    let Some(ChannelParts {
        content,
        endpoints,
        channel_id,
    }) = content_of(&channel)
    else {
        let message = format!("the LiveChannel \"{name}\" is not ready yet (no endpoints, distribution or MediaLive channel); ad insertion starts once it is");
        return (Outcome::waiting("ChannelNotReady", message), retry);
    };
    // A TokenPolicy on the channel: MediaTailor reads it with an origin pass,
    // renewed once a window.
    let spread = crate::token::origin::spread_of(&adi.uid().unwrap_or_default());
    let (content, renew_at) = match origin_pass(ctx, &namespace, name, content, spread).await {
        Ok(found) => found,
        Err(message) => return (Outcome::waiting("TokenPolicyNotReady", message), retry),
    };
    let provider = match provider_for(api, adi, channel.spec.provider_ref.as_ref()).await {
        Ok(p) => p,
        Err(e) => return (Outcome::waiting("KubernetesError", e.to_string()), retry),
    };
    let resolved = match observe::resolve(ctx, adi, provider.as_ref(), &namespace).await {
        Ok(r) => r,
        Err(e) => return (Outcome::waiting("ProviderNotReady", e.to_string()), retry),
    };
    let owner = owner_of(adi);
    let tags = match merged_tags(&resolved.defaults.tags, &adi.spec.tags) {
        Ok(tags) => tags,
        Err(failure) => return (Outcome::failed(failure), Action::requeue(ctx.timing.resync)),
    };
    let name = owner.resource_id("ads", plan::NAME_LIMIT);
    let config = plan::playback_configuration(
        &adi.spec,
        &name,
        &content,
        owner.tags("playback-configuration", &tags),
    );
    let spec_unchanged =
        adi.status.as_ref().and_then(|s| s.observed_generation) == adi.metadata.generation;
    let mut steps = Steps::for_object(api, adi, &ctx.recorder, spec_unchanged, false);
    let child = PlaybackChild {
        api: resolved.apis.mediatailor.as_ref(),
        owner: &owner,
        config,
    };
    let observed = match steps
        .ensure(&child, "MediaTailor playback configuration")
        .await
    {
        Ok(observed) => observed,
        Err(e) => {
            // Refused requests need the user (Stalled); the rest is retried.
            let failure = e.failure();
            steps
                .events
                .publish(true, &failure.reason, "Reconcile", failure.message.clone())
                .await;
            return (Outcome::failed(failure), retry);
        }
    };
    let cdn_host = content.cdn_host.as_deref();
    let url = |prefix: &Option<String>, endpoint: &Option<String>| {
        plan::player_url(prefix.as_deref()?, endpoint.as_deref()?, cdn_host)
    };
    let playback = AdPlaybackUrls {
        hls: url(&observed.hls_manifest_prefix, &endpoints.0),
        dash: url(&observed.dash_manifest_prefix, &endpoints.1),
        session_initialization_prefix: observed.session_initialization_prefix.as_deref().map(|p| {
            match cdn_host {
                Some(h) => plan::through_cdn(p, h).unwrap_or_else(|| p.to_string()),
                None => p.to_string(),
            }
        }),
    };
    // Recurring breaks, kept a few intervals ahead.
    let mut next_break = None;
    let mut next = ctx.timing.resync;
    if let Some(at) = renew_at {
        // Back when the pass is due, though the resync would come first.
        next = next.min(Duration::from_secs(at.saturating_sub(unix_now()) + 1));
    }
    if let Some(schedule) = adi
        .spec
        .ad_breaks
        .as_ref()
        .and_then(|b| b.schedule.as_ref())
    {
        // The schedule is the channel's: an observe-only channel gets no
        // break written into it, whoever asks.
        if observe::is_observe_only(&channel) {
            let message = format!("the LiveChannel \"{}\" is observe-only ({}), so onair writes no ad break into its MediaLive schedule; remove the annotation from the channel to schedule breaks", channel.name_any(), observe::OBSERVE_ONLY_ANNOTATION);
            let failure = Failure::stalled("ChannelObserveOnly", message);
            return (Outcome::failed(failure), Action::requeue(ctx.timing.resync));
        }
        let anchor = adi
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0)
            .unwrap_or_else(Timestamp::now);
        let now = Timestamp::now();
        match breaks::keep_ahead(
            resolved.apis.medialive.as_ref(),
            &channel_id,
            &owner.uid,
            anchor,
            schedule,
            now,
        )
        .await
        {
            Ok(scheduled) => {
                if scheduled.added > 0 {
                    steps
                        .events
                        .publish(
                            false,
                            "BreaksScheduled",
                            "ScheduleAdBreaks",
                            format!(
                                "Scheduled {} ad breaks of {} s in MediaLive channel {channel_id}",
                                scheduled.added, schedule.duration_seconds
                            ),
                        )
                        .await;
                }
                next_break = scheduled.next;
                if let Some(at) = scheduled.next {
                    // Come back after the next break to keep the schedule ahead.
                    let until = Duration::try_from(now.duration_until(at)).unwrap_or_default();
                    next = next.min(until + Duration::from_secs(1));
                }
            }
            Err(e) if matches!(e.kind, crate::aws::ErrorKind::Withheld { .. }) => {
                let failure = Failure::aws("MediaLive schedule", &e);
                return (Outcome::failed(failure), Action::requeue(ctx.timing.resync));
            }
            Err(e) => {
                let message = format!("MediaLive schedule: {}", e.summary());
                return (Outcome::waiting("AwsUnavailable", message), retry);
            }
        }
    }
    let progress = match steps.drift() {
        Some(drifted) => Progress::from(&drifted),
        None => Progress::Ready {
            reason: "Ready".into(),
            message: "MediaTailor serves the channel with ads, through the channel's CDN".into(),
        },
    };
    let outcome = Outcome {
        progress,
        channel_ready: (
            true,
            "ChannelReady",
            format!("the LiveChannel \"{}\" is ready", channel.name_any()),
        ),
        config: Some(observed),
        playback: Some(playback),
        next_break,
    };
    (outcome, Action::requeue(next))
}

/// The content source with the origin pass of the TokenPolicy protecting the
/// channel, if one does, and when to renew the pass (Unix seconds):
/// MediaTailor's reads carry no viewer token (see [`crate::token::origin`]).
/// The pass follows the policy's active key; within a window it does not
/// change, so steady state writes nothing.
async fn origin_pass(
    ctx: &Context,
    namespace: &str,
    channel: &str,
    content: Content,
    spread: u64,
) -> Result<(Content, Option<u64>), String> {
    if content.cdn_host.is_none() {
        return Ok((content, None));
    }
    let policy = crate::controller::kit::protecting_policy(ctx, namespace, channel)
        .await
        .map_err(|e| format!("cannot read the TokenPolicies of the channel: {e}"))?;
    let Some(policy) = policy else {
        return Ok((content, None));
    };
    ctx.secret_access.check(
        namespace,
        "the protecting TokenPolicy's signingKeys.secretRef",
    )?;
    let keys = crate::token::policy::signing_keys(&ctx.client, namespace, &policy.spec)
        .await
        .map_err(|e| {
            format!(
                "the TokenPolicy \"{}\" protecting the channel has no usable signing key yet: {e}",
                policy.name_any()
            )
        })?;
    let active = &policy.spec.signing_keys.active_key_id;
    let key = keys.0.get(active).ok_or_else(|| {
        format!(
            "the active key {active:?} of TokenPolicy \"{}\" is not in its Secret",
            policy.name_any()
        )
    })?;
    let (renew_at, exp) = crate::token::origin::schedule(unix_now(), spread);
    let pass = crate::token::origin::pass(active, key, channel, exp);
    let content = Content {
        source_url: plan::with_origin_pass(&content.source_url, &pass),
        ..content
    };
    Ok((content, Some(renew_at)))
}

/// What an AdInsertion needs from its channel.
struct ChannelParts {
    content: Content,
    /// The HLS and DASH origin endpoint URLs.
    endpoints: (Option<String>, Option<String>),
    /// The MediaLive channel (its schedule carries the breaks).
    channel_id: String,
}

/// What MediaTailor reads, the channel's endpoint URLs and its MediaLive
/// channel id; None while the channel is not far enough along.
fn content_of(channel: &LiveChannel) -> Option<ChannelParts> {
    let status = channel.status.as_ref()?;
    let resources = status.resources.as_ref()?;
    let playback = status.playback.as_ref()?;
    let endpoints = (playback.origin_hls.clone(), playback.origin_dash.clone());
    let channel_id = resources.channel_id.clone()?;
    let content = if channel.spec.cdn.enabled {
        let domain = resources.distribution_domain.clone()?;
        Content {
            source_url: format!("https://{domain}/out/v1"),
            cdn_host: Some(channel.spec.cdn.aliases.first().cloned().unwrap_or(domain)),
        }
    } else {
        let origin = endpoints.0.as_ref().or(endpoints.1.as_ref())?;
        let host = crate::url::host_of(origin)?;
        Content {
            source_url: format!("https://{host}/out/v1"),
            cdn_host: None,
        }
    };
    Some(ChannelParts {
        content,
        endpoints,
        channel_id,
    })
}

async fn write(
    api: &Api<AdInsertion>,
    adi: &AdInsertion,
    outcome: &Outcome,
) -> Result<(), kube::Error> {
    let previous = adi.status.clone().unwrap_or_default();
    let mut set = ConditionSet::new(&previous.conditions, adi.metadata.generation, now());
    let (ok, reason, message) = &outcome.channel_ready;
    set.set_bool("ChannelReady", *ok, reason, message);
    set.summarize(&outcome.progress);
    let config = outcome.config.as_ref();
    let status = AdInsertionStatus {
        observed_generation: adi.metadata.generation,
        conditions: set.into_vec(),
        playback: outcome.playback.clone().or(previous.playback),
        media_tailor: config
            .map(|c| MediaTailorEndpoints {
                playback_configuration_name: Some(c.config.name.clone()),
                playback_configuration_arn: Some(c.arn.clone()),
                hls_prefix: c.hls_manifest_prefix.clone(),
                dash_prefix: c.dash_manifest_prefix.clone(),
            })
            .or(previous.media_tailor),
        next_break: outcome.next_break.map(|t| t.to_string()),
    };
    write_status(api, adi, &status).await
}

/// Deletion: the playback configuration and the breaks still to come (unless
/// Retain); the LiveChannel then drops the behaviours.
async fn cleanup(
    adi: &AdInsertion,
    ctx: &Context,
    api: &Api<AdInsertion>,
) -> Result<Action, Error> {
    let made_in = recorded_provider(adi);
    let resolved = match deletion::start(adi, ctx, api, adi.spec.deletion_policy, made_in).await? {
        deletion::Start::In(resolved) => resolved,
        deletion::Start::Done(action) => return Ok(action),
    };
    let owner = owner_of(adi);
    let events = Events::new(&ctx.recorder, adi, false);
    let removals = async {
        clear_breaks(adi, ctx, &resolved, &owner, &events).await?;
        let mut ids = AnnotationIds::new(api.clone(), adi);
        let child = PlaybackAt {
            api: resolved.apis.mediatailor.as_ref(),
            owner: &owner,
            name: owner.resource_id("ads", plan::NAME_LIMIT),
        };
        let what = "MediaTailor playback configuration";
        let why = "the AdInsertion is being deleted";
        let gone = remove_child(&mut ids, &events, &child, what, why).await?;
        Ok(if gone { Vec::new() } else { vec![what] })
    }
    .await;
    deletion::finish(adi, ctx, api, &events, removals).await
}

/// Removes the breaks still to come from the channel's schedule, if the
/// channel is there.
async fn clear_breaks(
    adi: &AdInsertion,
    ctx: &Context,
    resolved: &Resolved,
    owner: &Owner,
    events: &Events<'_>,
) -> Step<()> {
    let namespace = adi.namespace().unwrap_or_default();
    let channels: Api<LiveChannel> = Api::namespaced(ctx.client.clone(), &namespace);
    // Not there, or not readable now: a deleted channel has no schedule to clean.
    let Ok(Some(channel)) = channels.get_opt(&adi.spec.channel_ref.name).await else {
        return Ok(());
    };
    let Some(id) = channel
        .status
        .and_then(|s| s.resources)
        .and_then(|r| r.channel_id)
    else {
        return Ok(());
    };
    let api = resolved.apis.medialive.as_ref();
    match breaks::clear(api, &id, &owner.uid, Timestamp::now()).await {
        Ok(0) => {}
        Ok(n) => {
            events
                .publish(
                    false,
                    "BreaksCleared",
                    "ClearAdBreaks",
                    format!("Removed {n} scheduled ad breaks from MediaLive channel {id}"),
                )
                .await
        }
        // A deleted channel has no schedule to clean.
        Err(e) if e.is_not_found() || e.is_conflict() => {}
        Err(e) => return Err(aws_at("scheduled ad breaks")(e)),
    }
    Ok(())
}

/// Runs the AdInsertion controller for one namespace (None: all of them)
/// until the stream ends.
pub async fn run_in(ctx: Arc<Context>, concurrency: u16, namespace: Option<String>) {
    let namespace = namespace.as_deref();
    info!("AdInsertion controller started");
    let (store, changes) = crate::controller::primary::<AdInsertion>(&ctx, namespace);
    let controller = Controller::for_shared_stream(changes, store.clone());
    let by_policy = store.clone();
    let controller = controller
        // A TokenPolicy on the channel changes MediaTailor's origin pass.
        .watches_shared_stream(
            crate::controller::related_changes::<crate::api::TokenPolicy>(&ctx, namespace),
            move |tp: Arc<crate::api::TokenPolicy>| {
                crate::controller::related(&by_policy, tp.namespace(), |a: &AdInsertion| {
                    tp.spec
                        .channel_refs
                        .iter()
                        .any(|c| c.name == a.spec.channel_ref.name)
                })
            },
        )
        // A channel that becomes ready (or changes its CDN) is picked up at once.
        .watches_shared_stream(
            crate::controller::related_changes::<LiveChannel>(&ctx, namespace),
            move |lc: Arc<LiveChannel>| {
                let name = lc.name_any();
                crate::controller::related(&store, lc.namespace(), |a: &AdInsertion| {
                    a.spec.channel_ref.name == name
                })
            },
        );
    crate::controller::kit::run_kind(controller, concurrency, reconcile, ctx).await;
}
