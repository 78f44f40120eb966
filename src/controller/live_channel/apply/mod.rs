//! Creating and updating a LiveChannel's AWS resources, in dependency order:
//! input security group, input, CDN secret, MediaPackage channel and
//! endpoints, distribution, MediaLive channel; then whatever the spec no
//! longer wants is removed. Each child goes through the shared kit's
//! [`Steps`], which records its id on the object before the next step. The
//! telemetry children ([`telemetry`]) and the secrets the channel copies or
//! rotates ([`secrets`]) have files of their own.

mod secrets;
mod telemetry;

use crate::api::live_channel::{DesiredState, LiveChannel, LiveChannelSpec};
use crate::aws::children::cloudfront::{DistributionAt, DistributionChild};
use crate::aws::children::medialive::{
    drive_channel, ChannelChild, InputChild, SecurityGroupChild, SrtPassphraseAt,
    SrtPassphraseChild,
};
use crate::aws::children::mediapackage::{
    CdnSecretChild, EndpointAt, EndpointChild, PackagingChannelChild,
};
use crate::aws::children::External;
use crate::aws::ownership::{Owner, Tags};
use crate::aws::secret::SecretString;
use crate::controller::context::Context;
use crate::controller::kit::driver::DriverError;
use crate::controller::kit::{aws_at, owner_of, Step, StepError, Steps};
use crate::controller::provider::Resolved;
use crate::plan::live_channel as plan;
use crate::plan::live_channel_validation::Roles;
use crate::plan::medialive::{self, ChannelStep};
use crate::plan::mediapackage::Format;

use super::status::Observed;

/// The annotation whose new value rotates the CDN identifier.
pub const ROTATE_ANNOTATION: &str = "onair.dev/rotate-cdn-secret";

/// One reconcile of one LiveChannel towards its spec.
pub struct Apply<'a> {
    pub ctx: &'a Context,
    pub lc: &'a LiveChannel,
    pub resolved: &'a Resolved,
    pub roles: &'a Roles,
    pub owner: Owner,
    pub tags: Tags,
    /// The children's ids, events and (dry run) plan lines.
    pub steps: Steps<'a, LiveChannel>,
    pub observed: Observed,
    /// The rotate annotation value applied by this reconcile, if any.
    pub rotated: Option<String>,
    /// Look again after this long at the latest (a rotation grace ending).
    pub wake_in: Option<std::time::Duration>,
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
        // The tags were checked before any Apply is made: the merge fits.
        let tags = crate::plan::failure::merged_tags(&resolved.defaults.tags, &lc.spec.tags)
            .unwrap_or_default();
        Self {
            ctx,
            lc,
            resolved,
            roles,
            owner: owner_of(lc),
            tags,
            steps: Steps::for_object(api, lc, &ctx.recorder, spec_unchanged && !dry_run, dry_run)
                .remembering(ctx.memo_of(lc)),
            observed: Observed::default(),
            rotated: None,
            wake_in: None,
        }
    }
}

impl Apply<'_> {
    fn spec(&self) -> &LiveChannelSpec {
        &self.lc.spec
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
                    self.steps
                        .ensure(&child, "MediaLive input security group")
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
        let input = self.steps.ensure(&input_child, "MediaLive input").await?;
        self.observed.input = Some(input.clone());
        // Passphrase copies no source uses any more, now that the input no
        // longer refers to them.
        for (index, _) in SrtPassphraseChild::CHILDREN.iter().enumerate() {
            if passphrases.get(index).is_none_or(Option::is_none) {
                let child = SrtPassphraseAt {
                    api: apis.secretsmanager.as_ref(),
                    owner: &owner,
                    index,
                };
                self.steps.prune(&child, "SRT passphrase secret").await?;
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
                .steps
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
        let packaging_channel = self
            .steps
            .ensure(&packaging, "MediaPackage channel")
            .await?;
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
            let api = apis.mediapackage.as_ref();
            let observed = match desired {
                Some(spec) => {
                    let child = EndpointChild {
                        api,
                        owner: &owner,
                        tags: &tags,
                        child: format.child(),
                        spec,
                    };
                    Some(self.steps.ensure(&child, what).await?)
                }
                None => {
                    let at = EndpointAt {
                        api,
                        owner: &owner,
                        child: format.child(),
                        id: plan::endpoint_id(&owner, format),
                    };
                    self.steps.prune(&at, what).await?;
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
        if let Some(config) = config {
            let distribution_child = DistributionChild {
                api: apis.cloudfront.as_ref(),
                owner: &owner,
                tags: &tags,
                config,
            };
            let d = self
                .steps
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
        let channel = self
            .steps
            .ensure(&channel_child, "MediaLive channel")
            .await?;
        let ready = self.observed.input_ready()
            && self.observed.packaging_ready(&spec)
            && self.observed.cdn_ready(&spec);
        let running = matches!(channel.state, crate::aws::medialive::ChannelState::Running);
        let desired = if spec.state == DesiredState::Running && !ready && !running {
            DesiredState::Idle
        } else {
            spec.state
        };
        if self.steps.plan.is_some() || self.steps.is_observing() {
            // Say what driving the channel would do, and do none of it.
            let mut wanted = settings.clone();
            wanted.name.clone_from(&channel.settings.name);
            let step = medialive::channel_step(&channel, desired, &wanted, spec.update_strategy);
            let Some((verb, changes)) = channel_change(&step, &channel, &wanted) else {
                self.observed.channel =
                    Some(crate::aws::children::medialive::ChannelProgress { step, channel });
                return Ok(());
            };
            let id = channel.id.clone();
            if let Some(lines) = self.steps.plan.as_mut() {
                lines.push(format!("~ MediaLive channel {id}: {verb}"));
                lines.extend(changes.into_iter().map(|c| format!("    {c}")));
            } else {
                let how = if changes.is_empty() {
                    format!("onair would {verb} it")
                } else {
                    format!("{} (onair would {verb} it)", changes.join(", "))
                };
                self.steps.drifted("MediaLive channel", &id, &how).await;
            }
            self.observed.channel = Some(crate::aws::children::medialive::ChannelProgress {
                step: ChannelStep::Steady,
                channel,
            });
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
        if matches!(
            progress.step,
            ChannelStep::Start | ChannelStep::Stop | ChannelStep::Update
        ) {
            // Sent outside the driver: the next round reads the channel.
            self.steps.moved(channel_child.child());
        }
        self.announce_channel_step(&progress.step, &progress.channel.id)
            .await;
        let held = desired != spec.state
            && matches!(progress.step, ChannelStep::Steady | ChannelStep::Update);
        self.observed.start_held = held;
        self.observed.channel = Some(crate::aws::children::medialive::ChannelProgress {
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
                .steps
                .prune(
                    &DistributionAt {
                        api: apis.cloudfront.as_ref(),
                        owner: &owner,
                    },
                    "CloudFront distribution",
                )
                .await?;
            self.observed.distribution_removing = !gone;
        }
        if !protect {
            self.steps
                .prune(&secret_child.at(), "CDN-authorization secret")
                .await?;
        }
        self.prune_telemetry(&spec).await?;
        Ok(())
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
        self.steps.events.publish(false, reason, reason, note).await;
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
            .filter_map(|prefix| crate::url::host_of(&prefix).map(str::to_string))
            .min()
            .and_then(|manifest_host| {
                Some(crate::plan::cloudfront::AdOrigins {
                    segments_host: crate::plan::mediatailor::segments_host(&manifest_host)?,
                    manifest_host,
                })
            });
        let policy =
            crate::controller::kit::protecting_policy(self.ctx, namespace, &self.owner.name)
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
}

/// What a channel step changes: its verb and, for an update, the settings
/// that differ (`path: old -> new`). None for a step that changes nothing.
fn channel_change(
    step: &ChannelStep,
    channel: &crate::aws::medialive::Channel,
    wanted: &crate::aws::medialive::ChannelSettings,
) -> Option<(&'static str, Vec<String>)> {
    let changes = || crate::plan::diff::changes(&channel.settings, wanted);
    match step {
        ChannelStep::Start => Some(("start", Vec::new())),
        ChannelStep::Stop => Some(("stop", Vec::new())),
        ChannelStep::Update => Some(("update", changes())),
        ChannelStep::UpdatePending => Some((
            "update on the next Idle (updateStrategy OnNextIdle)",
            changes(),
        )),
        _ => None,
    }
}
