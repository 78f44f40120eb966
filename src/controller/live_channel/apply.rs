//! Creating and updating a LiveChannel's AWS resources, in dependency order:
//! input security group, input, CDN secret, MediaPackage channel and
//! endpoints, distribution, MediaLive channel; then whatever the spec no
//! longer wants is removed. Each child goes through the shared driver, which
//! records its id on the object before the next step.

use crate::api::live_channel::{DesiredState, LiveChannel, LiveChannelSpec};
use crate::aws::error::AwsError;
use crate::aws::mediapackage::OriginEndpointSpec;
use crate::aws::ownership::{Owner, Tags};
use crate::aws::secret::SecretString;
use crate::controller::children::{ensure, remove, AnnotationIds, DriverError, External};
use crate::controller::cloudfront::DistributionChild;
use crate::controller::context::Context;
use crate::controller::medialive::{
    drive_channel, ChannelChild, InputChild, SecurityGroupChild, SrtPassphraseChild,
};
use crate::controller::mediapackage::{CdnSecretChild, EndpointChild, PackagingChannelChild};
use crate::controller::provider::Resolved;
use crate::controller::report::{action_on, Events};
use crate::controller::telemetry::{DeliveryChild, RealtimeLogChild, StreamChild};
use crate::plan::live_channel as plan;
use crate::plan::medialive::{self, ChannelStep};
use crate::plan::mediapackage::Format;

use super::status::{Failure, Observed};

/// The annotation whose new value rotates the CDN identifier.
pub const ROTATE_ANNOTATION: &str = "onair.dev/rotate-cdn-secret";

/// Checks the object's and its provider's tags fit AWS's limit together.
pub fn check_tags(lc: &LiveChannel, resolved: &Resolved) -> Result<(), Failure> {
    crate::aws::ownership::merge_tags(&resolved.defaults.tags, &lc.spec.tags)
        .map(drop)
        .map_err(|message| Failure {
            reason: "TooManyTags".into(),
            message,
            stalled: true,
        })
}

/// Checks the spec can be built at all, before any AWS call.
pub fn validate(spec: &LiveChannelSpec, resolved_roles: &Roles) -> Result<(), Failure> {
    let invalid = |message: String| Failure {
        reason: "InvalidSpec".into(),
        message,
        stalled: true,
    };
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
    pub fn of(spec: &LiveChannelSpec, resolved: &Resolved) -> Self {
        Self {
            media_live: spec
                .encoding
                .role_arn
                .clone()
                .or_else(|| resolved.defaults.media_live_role_arn.clone()),
            media_package_secrets: resolved.defaults.media_package_secrets_role_arn.clone(),
        }
    }
}

/// One reconcile of one LiveChannel towards its spec.
pub struct Apply<'a> {
    pub ctx: &'a Context,
    pub lc: &'a LiveChannel,
    pub resolved: &'a Resolved,
    pub roles: &'a Roles,
    pub owner: Owner,
    pub tags: Tags,
    pub ids: AnnotationIds<LiveChannel>,
    pub events: Events<'a>,
    pub observed: Observed,
    /// The rotate annotation value applied by this reconcile, if any.
    pub rotated: Option<String>,
    /// Look again after this long at the latest (a rotation grace ending).
    pub wake_in: Option<std::time::Duration>,
    /// Dry run (`onair plan`): nothing is written, in AWS or Kubernetes; each
    /// step says here what it would do.
    pub plan: Option<Vec<String>>,
}

impl<'a> Apply<'a> {
    /// A reconcile of `lc` (or, with `dry_run`, a plan of one).
    pub fn new(
        ctx: &'a Context,
        lc: &'a LiveChannel,
        api: &kube::Api<LiveChannel>,
        resolved: &'a Resolved,
        roles: &'a Roles,
        dry_run: bool,
    ) -> Self {
        let spec_unchanged =
            lc.status.as_ref().and_then(|s| s.observed_generation) == lc.metadata.generation;
        // check_tags ran before any Apply is made: the merge fits.
        let tags = crate::aws::ownership::merge_tags(&resolved.defaults.tags, &lc.spec.tags)
            .unwrap_or_default();
        Self {
            ctx,
            lc,
            resolved,
            roles,
            owner: super::owner_of(lc),
            tags,
            ids: AnnotationIds::new(api.clone(), lc),
            events: Events::new(&ctx.recorder, lc, spec_unchanged && !dry_run),
            observed: Observed::default(),
            rotated: None,
            wake_in: None,
            plan: dry_run.then(Vec::new),
        }
    }
}

/// A step failed: which resource, and why.
#[derive(Debug)]
pub struct StepError {
    pub what: &'static str,
    pub error: DriverError,
}

impl StepError {
    pub fn failure(&self) -> Failure {
        match &self.error {
            DriverError::Aws(e) => aws_failure(self.what, e),
            DriverError::Kube(e) => Failure {
                reason: "KubernetesError".into(),
                message: format!("cannot record the {} id on the object: {e}", self.what),
                stalled: false,
            },
            DriverError::Invalid { reason, message } => Failure {
                reason: (*reason).into(),
                message: message.clone(),
                stalled: true,
            },
            DriverError::NotListed(e) => Failure {
                reason: "KubernetesError".into(),
                message: format!("cannot read the {}: {e}", self.what),
                stalled: false,
            },
            DriverError::NotCreated => Failure {
                reason: "NotCreated".into(),
                message: format!("the {} does not exist yet", self.what),
                stalled: false,
            },
        }
    }
}

/// How an AWS error reads in status: refusals need the user, the rest is retried.
pub fn aws_failure(what: &str, e: &AwsError) -> Failure {
    use crate::aws::error::ErrorKind;
    let (reason, stalled) = match &e.kind {
        ErrorKind::InvalidRequest { .. } => ("AwsRejected", true),
        ErrorKind::AccessDenied { .. } => ("AccessDenied", true),
        ErrorKind::Throttled { .. } => ("AwsThrottled", false),
        ErrorKind::Conflict { .. } => ("AwsConflict", false),
        _ => ("AwsUnavailable", false),
    };
    Failure {
        reason: reason.into(),
        message: format!("{what}: {e}"),
        stalled,
    }
}

pub type Step<T> = Result<T, StepError>;

/// Removes a child (one step of it, for slow deletions); true once it is gone,
/// with an event naming it and `why`.
pub async fn remove_child<E: External>(
    ids: &mut dyn crate::controller::children::IdStore,
    events: &Events<'_>,
    child: &E,
    what: &'static str,
    why: &str,
) -> Step<bool> {
    let recorded = crate::controller::children::IdStore::recorded(ids, child.child());
    let gone = remove(child, ids).await.map_err(at(what))?;
    match (gone, recorded) {
        (true, Some(id)) => {
            events
                .publish(
                    false,
                    "Deleted",
                    &action_on("Delete", what),
                    format!("Deleted {what} {id}: {why}"),
                )
                .await
        }
        // Slow deletions (stop, disable, wait): repeated notes become one
        // event series.
        (false, Some(id)) => {
            events
                .publish(
                    false,
                    "Deleting",
                    &action_on("Delete", what),
                    format!("Deleting {what} {id}: {why}"),
                )
                .await
        }
        _ => {}
    }
    Ok(gone)
}

pub fn at(what: &'static str) -> impl Fn(DriverError) -> StepError {
    move |error| StepError { what, error }
}

pub fn aws_at(what: &'static str) -> impl Fn(AwsError) -> StepError {
    move |e| StepError {
        what,
        error: DriverError::Aws(e),
    }
}

impl Apply<'_> {
    fn spec(&self) -> &LiveChannelSpec {
        &self.lc.spec
    }

    /// Ensures one child and tells people what happened to it.
    async fn ensure<E: External>(&mut self, child: &E, what: &'static str) -> Step<E::Observed> {
        if self.plan.is_some() {
            return self.preview(child, what).await;
        }
        let (observed, action) = ensure(child, &mut self.ids).await.map_err(at(what))?;
        self.events.child(action, what, &E::id_of(&observed)).await;
        Ok(observed)
    }

    /// Dry run of [`ensure`](Self::ensure): compares the recorded child
    /// with the desired state.
    async fn preview<E: External>(&mut self, child: &E, what: &'static str) -> Step<E::Observed> {
        let recorded = crate::controller::children::IdStore::recorded(&self.ids, child.child());
        let observed = match &recorded {
            Some(id) => child.observe(id).await.map_err(aws_at(what))?,
            None => None,
        };
        let lines = self.plan.as_mut().expect("dry run");
        match (observed, recorded) {
            (Some(observed), Some(id)) if child.up_to_date(&observed) => {
                lines.push(format!("= {what} {id}: in sync"));
                Ok(observed)
            }
            (Some(observed), Some(id)) => {
                lines.push(format!("~ {what} {id}: update"));
                lines.extend(
                    child
                        .changes(&observed)
                        .into_iter()
                        .map(|c| format!("    {c}")),
                );
                Ok(observed)
            }
            (None, Some(id)) => {
                lines.push(format!(
                    "+ {what}: create (the recorded {id} no longer exists)"
                ));
                Err(StepError {
                    what,
                    error: DriverError::NotCreated,
                })
            }
            (_, None) => {
                lines.push(format!("+ {what}: create"));
                Err(StepError {
                    what,
                    error: DriverError::NotCreated,
                })
            }
        }
    }

    /// Removes a recorded child the spec no longer wants. (Only recorded
    /// ones: looking for unrecorded ones on every resync would cost reads;
    /// deleting the object still finds them.)
    async fn prune<E: External>(&mut self, child: &E, what: &'static str) -> Step<bool> {
        let Some(id) = crate::controller::children::IdStore::recorded(&self.ids, child.child())
        else {
            return Ok(true);
        };
        if let Some(lines) = self.plan.as_mut() {
            lines.push(format!(
                "- {what} {id}: delete (the spec no longer asks for it)"
            ));
            return Ok(true);
        }
        remove_child(
            &mut self.ids,
            &self.events,
            child,
            what,
            "the spec no longer asks for it",
        )
        .await
    }

    pub async fn run(&mut self) -> Step<()> {
        let apis = self.resolved.apis.clone();
        let spec = self.spec().clone();
        let (owner, tags) = (self.owner.clone(), self.tags.clone());

        // MediaLive input (and its security group for push inputs).
        let security_group = match medialive::security_group_cidrs(&spec.input) {
            Some(cidrs) => {
                let child = SecurityGroupChild {
                    api: apis.medialive.as_ref(),
                    owner: &owner,
                    tags: &tags,
                    cidrs,
                };
                Some(
                    self.ensure(&child, "MediaLive input security group")
                        .await?,
                )
            }
            None => None,
        };
        self.observed.security_group = security_group.clone();
        let passphrases = self.srt_passphrases(&spec).await?;
        let (input_type, input_settings) = medialive::input(
            &spec.input,
            security_group.as_ref().map(|g| g.id.as_str()),
            &passphrases,
        );
        let input_child = InputChild {
            api: apis.medialive.as_ref(),
            owner: &owner,
            tags: &tags,
            input_type,
            settings: input_settings,
        };
        let input = self.ensure(&input_child, "MediaLive input").await?;
        self.observed.input = Some(input.clone());
        // Passphrase copies no source uses any more, now that the input no
        // longer refers to them.
        for (index, _) in SrtPassphraseChild::CHILDREN.iter().enumerate() {
            if passphrases.get(index).is_none_or(Option::is_none) {
                let child = SrtPassphraseChild {
                    api: apis.secretsmanager.as_ref(),
                    owner: &owner,
                    tags: &tags,
                    index,
                    value: SecretString::default(),
                    version: String::new(),
                };
                self.prune(&child, "SRT passphrase secret").await?;
            }
        }

        // Origin protection's secret, then MediaPackage.
        let protect = plan::protects(&spec);
        let secret_child = CdnSecretChild {
            api: apis.secretsmanager.as_ref(),
            owner: &owner,
            tags: &tags,
        };
        let mut identifier: Option<SecretString> = None;
        if protect {
            let secret = self
                .ensure(&secret_child, "CDN-authorization secret")
                .await?;
            let secret = self.rotate_if_asked(secret).await?;
            identifier = Some(match self.rotation_grace_left() {
                // MediaPackage learns a new value only minutes after it is
                // stored: until then CloudFront keeps sending the one it has.
                Some(left) => {
                    self.wake_in = Some(left);
                    match self.sent_identifier(&apis).await? {
                        Some(sent) => sent,
                        None => self.current_identifier(&apis, &secret).await?,
                    }
                }
                None => self.current_identifier(&apis, &secret).await?,
            });
            self.observed.secret_arn = Some(secret.arn);
        }
        let authorization = plan::authorization(
            &spec,
            self.observed.secret_arn.as_deref().unwrap_or_default(),
            self.roles.media_package_secrets.as_deref(),
        );
        let packaging = PackagingChannelChild {
            api: apis.mediapackage.as_ref(),
            owner: &owner,
            tags: &tags,
        };
        let packaging_channel = self.ensure(&packaging, "MediaPackage channel").await?;
        self.observed.packaging_channel = Some(packaging_channel.clone());
        for (format, what) in [
            (Format::Hls, "MediaPackage HLS endpoint"),
            (Format::Dash, "MediaPackage DASH endpoint"),
        ] {
            let desired = plan::origin_endpoint(
                &spec,
                &owner,
                format,
                &packaging_channel.id,
                authorization.clone(),
            );
            let child = EndpointChild {
                api: apis.mediapackage.as_ref(),
                owner: &owner,
                tags: &tags,
                child: format.child(),
                spec: desired.clone().unwrap_or_else(|| OriginEndpointSpec {
                    id: plan::endpoint_id(&owner, format),
                    ..Default::default()
                }),
            };
            let observed = match desired {
                Some(_) => Some(self.ensure(&child, what).await?),
                None => {
                    self.prune(&child, what).await?;
                    None
                }
            };
            match format {
                Format::Hls => self.observed.hls = observed,
                Format::Dash => self.observed.dash = observed,
            }
        }

        // CloudFront, in front of whichever endpoint exists.
        let packaging_urls: Vec<String> = [&self.observed.hls, &self.observed.dash]
            .into_iter()
            .flatten()
            .map(|e| e.url.clone())
            .collect();
        let config = if spec.cdn.enabled {
            let policies = self
                .ctx
                .policies(&self.resolved.account, apis.cloudfront.as_ref())
                .await
                .map_err(aws_at("CloudFront cache policies"))?;
            let mut folded = self.folded().await?;
            folded.realtime_log_config_arn = self.telemetry(&spec).await?;
            plan::distribution_config(
                &spec,
                &owner,
                &packaging_urls,
                identifier.as_ref(),
                &policies,
                folded,
            )
        } else {
            None
        };
        let distribution_child = DistributionChild {
            api: apis.cloudfront.as_ref(),
            owner: &owner,
            tags: &tags,
            config: config.clone().unwrap_or_default(),
        };
        if config.is_some() {
            let d = self
                .ensure(&distribution_child, "CloudFront distribution")
                .await?;
            self.observed.distribution = Some(d);
        }

        // The MediaLive channel, started only once everything before it is ready.
        let settings = plan::channel_settings(
            &spec,
            self.roles.media_live.as_deref(),
            &input.id,
            &packaging_channel.id,
        );
        let channel_child = ChannelChild {
            api: apis.medialive.as_ref(),
            owner: &owner,
            tags: &tags,
            class: medialive::channel_class(spec.encoding.channel_class),
            settings: settings.clone(),
        };
        let channel = self.ensure(&channel_child, "MediaLive channel").await?;
        let ready = self.observed.input_ready()
            && self.observed.packaging_ready(&spec)
            && self.observed.cdn_ready(&spec);
        let running = matches!(channel.state, crate::aws::medialive::ChannelState::Running);
        let desired = if spec.state == DesiredState::Running && !ready && !running {
            DesiredState::Idle
        } else {
            spec.state
        };
        if let Some(lines) = self.plan.as_mut() {
            let mut wanted = settings.clone();
            wanted.name.clone_from(&channel.settings.name);
            let step = medialive::channel_step(&channel, desired, &wanted, spec.update_strategy);
            let id = &channel.id;
            match &step {
                ChannelStep::Start => lines.push(format!("~ MediaLive channel {id}: start")),
                ChannelStep::Stop => lines.push(format!("~ MediaLive channel {id}: stop")),
                ChannelStep::Update | ChannelStep::UpdatePending => {
                    let when = if step == ChannelStep::Update {
                        "update"
                    } else {
                        "update on the next Idle (updateStrategy OnNextIdle)"
                    };
                    lines.push(format!("~ MediaLive channel {id}: {when}"));
                    lines.extend(
                        crate::plan::diff::changes(&channel.settings, &wanted)
                            .into_iter()
                            .map(|c| format!("    {c}")),
                    );
                }
                _ => {}
            }
            return Ok(());
        }
        let progress = drive_channel(
            apis.medialive.as_ref(),
            channel,
            desired,
            &settings,
            spec.update_strategy,
        )
        .await
        .map_err(aws_at("MediaLive channel"))?;
        self.announce_channel_step(&progress.step, &progress.channel.id)
            .await;
        let held = desired != spec.state
            && matches!(progress.step, ChannelStep::Steady | ChannelStep::Update);
        self.observed.start_held = held;
        self.observed.channel = Some(crate::controller::medialive::ChannelProgress {
            // A held start reads as "would start": status says what it waits for.
            step: if held && progress.step == ChannelStep::Steady {
                ChannelStep::Start
            } else {
                progress.step
            },
            channel: progress.channel,
        });

        // What the spec no longer wants, after everything that referenced it
        // was updated: the distribution (cdn off), then the secret.
        if !spec.cdn.enabled {
            let gone = self
                .prune(&distribution_child, "CloudFront distribution")
                .await?;
            self.observed.distribution_removing = !gone;
        }
        if !protect {
            self.prune(&secret_child, "CDN-authorization secret")
                .await?;
        }
        self.prune_telemetry(&spec).await?;
        Ok(())
    }

    /// CMCD telemetry's stream (onair's, or the user's by ARN) and real-time
    /// log configuration; the configuration's ARN once the stream is ACTIVE.
    async fn telemetry(&mut self, spec: &LiveChannelSpec) -> Step<Option<String>> {
        let Some(telemetry) = spec.cdn.telemetry.as_ref().filter(|t| t.enabled) else {
            return Ok(None);
        };
        let apis = self.resolved.apis.clone();
        let (owner, tags) = (self.owner.clone(), self.tags.clone());
        let what = "Kinesis stream";
        let stream = match &telemetry.stream.arn {
            Some(arn) => match apis.kinesis.describe_stream_summary(arn).await {
                Ok(stream) => stream,
                Err(e) if e.is_not_found() => {
                    return Err(StepError {
                        what,
                        error: DriverError::Invalid {
                            reason: "StreamNotFound",
                            message: format!("the Kinesis stream {arn} in cdn.telemetry.stream.arn does not exist; create it or leave arn out and onair creates one"),
                        },
                    })
                }
                Err(e) => return Err(aws_at(what)(e)),
            },
            None => {
                let child = self.stream_child(&apis, &owner, &tags, Some(telemetry));
                self.ensure(&child, what).await?
            }
        };
        self.observed.telemetry_stream = Some(stream.clone());
        if !stream.is_active() {
            return Ok(None);
        }
        let child = RealtimeLogChild {
            api: apis.cloudfront.as_ref(),
            config: crate::plan::telemetry::realtime_log_config(
                telemetry,
                &crate::plan::telemetry::config_name(&owner),
                &stream.arn,
            ),
        };
        let config = self
            .ensure(&child, "CloudFront real-time log configuration")
            .await?;
        let arn = config.arn.clone();
        self.observed.realtime_log_config = Some(config);
        if let Some(firehose) = &telemetry.firehose {
            let child = self.delivery_child(&apis, &owner, &tags, &stream.arn, Some(firehose));
            let delivery = self.ensure(&child, "Firehose delivery stream").await?;
            self.observed.telemetry_delivery = Some(delivery);
        }
        Ok(Some(arn))
    }

    fn delivery_child<'c>(
        &self,
        apis: &'c crate::aws::apis::AwsApis,
        owner: &'c Owner,
        tags: &'c Tags,
        source_stream_arn: &str,
        firehose: Option<&crate::api::live_channel::FirehoseDelivery>,
    ) -> DeliveryChild<'c> {
        DeliveryChild {
            api: apis.firehose.as_ref(),
            owner,
            tags,
            name: crate::plan::telemetry::delivery_name(owner),
            source_stream_arn: source_stream_arn.to_string(),
            destination: firehose
                .map(crate::plan::telemetry::s3_delivery)
                .unwrap_or_default(),
        }
    }

    fn stream_child<'c>(
        &self,
        apis: &'c crate::aws::apis::AwsApis,
        owner: &'c Owner,
        tags: &'c Tags,
        telemetry: Option<&crate::api::live_channel::TelemetrySpec>,
    ) -> StreamChild<'c> {
        let stream = telemetry.map(|t| t.stream.clone()).unwrap_or_default();
        StreamChild {
            api: apis.kinesis.as_ref(),
            owner,
            tags,
            name: crate::plan::telemetry::stream_name(owner),
            shards: stream
                .shard_count
                .unwrap_or(crate::plan::telemetry::DEFAULT_SHARDS),
            retention_hours: stream
                .retention_hours
                .unwrap_or(crate::plan::telemetry::DEFAULT_RETENTION_HOURS),
        }
    }

    /// Telemetry the spec no longer wants, once the distribution no longer
    /// uses it: the configuration, then onair's stream (never a user's).
    async fn prune_telemetry(&mut self, spec: &LiveChannelSpec) -> Step<()> {
        let wanted = spec
            .cdn
            .telemetry
            .as_ref()
            .filter(|t| t.enabled && spec.cdn.enabled);
        let apis = self.resolved.apis.clone();
        let (owner, tags) = (self.owner.clone(), self.tags.clone());
        // Firehose reads the stream: it goes first.
        if wanted.is_none_or(|t| t.firehose.is_none()) {
            let delivery = self.delivery_child(&apis, &owner, &tags, "", None);
            if !self.prune(&delivery, "Firehose delivery stream").await? {
                return Ok(());
            }
        }
        if wanted.is_none() {
            let config = RealtimeLogChild {
                api: apis.cloudfront.as_ref(),
                config: crate::aws::cloudfront::RealtimeLogConfig {
                    name: crate::plan::telemetry::config_name(&owner),
                    ..Default::default()
                },
            };
            if !self
                .prune(&config, "CloudFront real-time log configuration")
                .await?
            {
                return Ok(());
            }
        }
        if wanted.is_none_or(|t| t.stream.arn.is_some()) {
            let stream = self.stream_child(&apis, &owner, &tags, None);
            self.prune(&stream, "Kinesis stream").await?;
        }
        Ok(())
    }

    /// The Secrets Manager copy of each SRT source's passphrase (by source
    /// index), kept current with its Kubernetes Secret.
    async fn srt_passphrases(&mut self, spec: &LiveChannelSpec) -> Step<Vec<Option<String>>> {
        let sources = spec
            .input
            .srt_caller
            .as_ref()
            .map(|s| s.sources.clone())
            .unwrap_or_default();
        let mut arns = Vec::new();
        for (index, source) in sources.iter().enumerate() {
            let Some(reference) = &source.passphrase_secret_ref else {
                arns.push(None);
                continue;
            };
            let (value, version) = self.read_passphrase(reference).await?;
            let (apis, owner, tags) = (
                self.resolved.apis.clone(),
                self.owner.clone(),
                self.tags.clone(),
            );
            let child = SrtPassphraseChild {
                api: apis.secretsmanager.as_ref(),
                owner: &owner,
                tags: &tags,
                index,
                value,
                version,
            };
            let secret = self.ensure(&child, "SRT passphrase secret").await?;
            arns.push(Some(secret.arn));
        }
        Ok(arns)
    }

    /// The passphrase in a Kubernetes Secret of the channel's namespace, and
    /// the version token of that Secret.
    async fn read_passphrase(
        &self,
        reference: &crate::api::common::SecretKeySelector,
    ) -> Step<(SecretString, String)> {
        let what = "SRT passphrase secret";
        let invalid = |reason: &'static str, message: String| StepError {
            what,
            error: DriverError::Invalid { reason, message },
        };
        let namespace = self.owner.namespace.clone();
        let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
            kube::Api::namespaced(self.ctx.client.clone(), &namespace);
        let secret = secrets
            .get_opt(&reference.name)
            .await
            .map_err(|e| StepError { what, error: DriverError::Kube(e) })?
            .ok_or_else(|| {
                invalid(
                    "SecretNotFound",
                    format!("the Secret \"{}\" named in input.srtCaller.sources[].passphraseSecretRef does not exist in namespace {namespace}", reference.name),
                )
            })?;
        let bytes = secret
            .data
            .as_ref()
            .and_then(|d| d.get(&reference.key))
            .map(|b| b.0.clone())
            .ok_or_else(|| {
                invalid(
                    "SecretKeyNotFound",
                    format!("the Secret \"{}\" has no key \"{}\" (input.srtCaller.sources[].passphraseSecretRef)", reference.name, reference.key),
                )
            })?;
        let value = String::from_utf8(bytes).ok().filter(|v| (10..=79).contains(&v.chars().count())).ok_or_else(|| {
            invalid(
                "InvalidPassphrase",
                format!("the SRT passphrase in Secret \"{}\" key \"{}\" must be text of 10 to 79 characters", reference.name, reference.key),
            )
        })?;
        let version = SrtPassphraseChild::version_of(
            &self.owner,
            secret.metadata.uid.as_deref().unwrap_or_default(),
            secret
                .metadata
                .resource_version
                .as_deref()
                .unwrap_or_default(),
        );
        Ok((SecretString::new(value), version))
    }

    async fn announce_channel_step(&self, step: &ChannelStep, id: &str) {
        let (reason, note) = match step {
            ChannelStep::Start => ("Starting", format!("Starting MediaLive channel {id}")),
            ChannelStep::Stop => ("Stopping", format!("Stopping MediaLive channel {id}")),
            ChannelStep::Update => (
                "UpdatingChannel",
                format!("Applying the new settings to MediaLive channel {id}"),
            ),
            _ => return,
        };
        self.events.publish(false, reason, reason, note).await;
    }

    /// What AdInsertions and a TokenPolicy of this channel fold into its
    /// distribution (the distribution's one writer folds them in): MediaTailor's
    /// hosts once an AdInsertion has a playback configuration; the token check
    /// and web ACL once the oldest TokenPolicy naming the channel has them.
    /// Objects being deleted are left out, so their AWS resources come free.
    async fn folded(&mut self) -> Step<crate::plan::cloudfront::Folded> {
        let not_listed = |what: &'static str| {
            move |e| StepError {
                what,
                error: DriverError::NotListed(e),
            }
        };
        let namespace = &self.owner.namespace;
        let ad_insertions = self
            .ctx
            .catalog
            .objects_in::<crate::api::AdInsertion>(namespace)
            .await
            .map_err(not_listed("AdInsertions of the channel"))?;
        let ad_origins = ad_insertions
            .iter()
            .filter(|a| a.spec.channel_ref.name == self.owner.name)
            .filter(|a| a.metadata.deletion_timestamp.is_none())
            .filter_map(|a| a.status.as_ref()?.media_tailor.as_ref()?.hls_prefix.clone())
            .filter_map(|prefix| crate::plan::cloudfront::host_of(&prefix).map(str::to_string))
            .min()
            .and_then(|manifest_host| {
                Some(crate::plan::cloudfront::AdOrigins {
                    segments_host: crate::plan::mediatailor::segments_host(&manifest_host)?,
                    manifest_host,
                })
            });
        let policy = crate::controller::token_policy::protecting_channel(
            self.ctx,
            namespace,
            &self.owner.name,
        )
        .await
        .map_err(not_listed("TokenPolicies of the channel"))?;
        let policy = policy.as_ref();
        let status = policy.and_then(|p| p.status.as_ref());
        self.observed.token_policy = policy.and_then(|p| p.metadata.name.clone());
        Ok(crate::plan::cloudfront::Folded {
            ad_origins,
            viewer_request_function: status.and_then(|s| s.function_arn.clone()),
            web_acl_arn: status.and_then(|s| s.web_acl_arn.clone()),
            realtime_log_config_arn: None,
        })
    }

    async fn current_identifier(
        &self,
        apis: &crate::aws::apis::AwsApis,
        secret: &crate::aws::secretsmanager::SecretDescription,
    ) -> Step<SecretString> {
        self.ctx
            .cdn_identifier(
                apis.secretsmanager.as_ref(),
                &secret.arn,
                secret.current_version_id.as_deref(),
            )
            .await
            .map_err(aws_at("CDN-authorization secret"))
    }

    /// The identifier the recorded distribution sends today, if any.
    async fn sent_identifier(
        &self,
        apis: &crate::aws::apis::AwsApis,
    ) -> Step<Option<SecretString>> {
        let Some(id) =
            crate::controller::children::IdStore::recorded(&self.ids, DistributionChild::CHILD)
        else {
            return Ok(None);
        };
        let found = crate::controller::children::found(apis.cloudfront.get_distribution(&id).await)
            .map_err(aws_at("CloudFront distribution"))?;
        Ok(found.and_then(|d| {
            d.config
                .origins
                .iter()
                .flat_map(|o| o.custom_headers.iter())
                .find(|h| h.name == crate::plan::cloudfront::CDN_IDENTIFIER_HEADER)
                .map(|h| SecretString::new(h.value.clone()))
        }))
    }

    /// How long MediaPackage may still not know a rotated identifier.
    fn rotation_grace_left(&self) -> Option<std::time::Duration> {
        let grace = self.ctx.timing.rotation_grace;
        if self.rotated.is_some() {
            return Some(grace);
        }
        let at = self.lc.status.as_ref()?.cdn_secret_rotated_at.as_deref()?;
        let at: jiff::Timestamp = at.parse().ok()?;
        let elapsed = jiff::Timestamp::now().duration_since(at);
        let left = jiff::SignedDuration::try_from(grace).ok()? - elapsed;
        (left > jiff::SignedDuration::ZERO)
            .then(|| std::time::Duration::try_from(left).unwrap_or_default())
    }

    /// Rotates the CDN identifier once per new value of the rotate annotation:
    /// a new secret version; the distribution then sends the new value.
    async fn rotate_if_asked(
        &mut self,
        secret: crate::aws::secretsmanager::SecretDescription,
    ) -> Step<crate::aws::secretsmanager::SecretDescription> {
        let asked = self
            .lc
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(ROTATE_ANNOTATION));
        let done = self
            .lc
            .status
            .as_ref()
            .and_then(|s| s.cdn_secret_rotation.as_ref());
        let Some(asked) = asked.filter(|a| Some(*a) != done) else {
            return Ok(secret);
        };
        if let Some(lines) = self.plan.as_mut() {
            lines.push(format!(
                "~ CDN-authorization secret {}: rotate the CDN identifier",
                secret.arn
            ));
            return Ok(secret);
        }
        let secrets = self.resolved.apis.secretsmanager.clone();
        let token =
            crate::controller::children::create_token(&self.owner, "cdn-rotation", Some(asked));
        let value = crate::aws::secretsmanager::cdn_identifier_secret(
            &crate::aws::secretsmanager::new_cdn_identifier(),
        );
        match secrets.put_secret_value(&secret.arn, &token, value).await {
            Ok(_) => {}
            // Put before a crash with the same token: already rotated.
            Err(e) if e.is_already_exists() => {}
            Err(e) => return Err(aws_at("CDN-authorization secret")(e)),
        }
        self.events
            .publish(
                false,
                "CdnSecretRotated",
                "Rotate",
                format!(
                    "Rotated the CDN identifier in {} (annotation {ROTATE_ANNOTATION})",
                    secret.arn
                ),
            )
            .await;
        self.rotated = Some(asked.clone());
        secrets
            .describe_secret(&secret.arn)
            .await
            .map_err(aws_at("CDN-authorization secret"))
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
