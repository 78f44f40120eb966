//! Deleting a LiveChannel: with `deletionPolicy: Delete`, its AWS resources in
//! the only order AWS accepts, as two chains that progress side by side —
//! MediaLive (channel, input, security group) and delivery (distribution,
//! endpoints, MediaPackage channel, secret) — then the finalizer goes. With
//! `Retain`, everything stays and only the finalizer goes.

use kube::api::Api;
use kube::runtime::controller::Action;

use crate::api::live_channel::LiveChannel;
use crate::aws::apis::AwsApis;
use crate::aws::children::cloudfront::DistributionAt;
use crate::aws::children::medialive::{
    ChannelAt, InputAt, SecurityGroupAt, SrtPassphraseAt, SrtPassphraseChild,
};
use crate::aws::children::mediapackage::{CdnSecretAt, EndpointAt, PackagingChannelAt};
use crate::aws::children::telemetry::{
    DeliveryAt, DeliveryChild, RealtimeLogAt, RealtimeLogChild, StreamAt, StreamChild,
};
use crate::aws::children::Located;
use crate::aws::ownership::Owner;
use crate::controller::context::Context;
use crate::controller::kit::deletion;
use crate::controller::kit::driver::{AnnotationIds, IdStore};
use crate::controller::kit::{owner_of, remove_child, Error, Step};
use crate::k8s::report::Events;
use crate::plan::mediapackage::Format;

const WHY: &str = "the LiveChannel is being deleted";

pub async fn run(lc: &LiveChannel, ctx: &Context, api: &Api<LiveChannel>) -> Result<Action, Error> {
    // A channel's resources are made in its provider's account from the first reconcile on.
    let made_in = Some(lc.spec.provider_ref.clone());
    let resolved = match deletion::start(lc, ctx, api, lc.spec.deletion_policy, made_in).await? {
        deletion::Start::In(resolved) => resolved,
        deletion::Start::Done(action) => return Ok(action),
    };
    let events = Events::new(&ctx.recorder, lc, false);
    let owner = owner_of(lc);
    let mut ids = AnnotationIds::new(api.clone(), lc);
    let chains = Chains {
        spec: &lc.spec,
        apis: &resolved.apis,
        owner: &owner,
    };
    let waiting = async {
        let medialive = chains.medialive(&mut ids, &events).await?;
        let delivery = chains.delivery(&mut ids, &events).await?;
        Ok([medialive, delivery].into_iter().flatten().collect())
    }
    .await;
    deletion::finish(lc, ctx, api, &events, waiting).await
}

/// What to delete with: where each child is, never what it should be.
struct Chains<'a> {
    spec: &'a crate::api::live_channel::LiveChannelSpec,
    apis: &'a AwsApis,
    owner: &'a Owner,
}

impl Chains<'_> {
    /// Channel, input, security group; the name of what is still going, if any.
    async fn medialive(
        &self,
        ids: &mut AnnotationIds<LiveChannel>,
        events: &Events<'_>,
    ) -> Step<Option<&'static str>> {
        let (api, owner) = (self.apis.medialive.as_ref(), self.owner);
        let channel = ChannelAt { api, owner };
        if !remove_child(ids, events, &channel, "MediaLive channel", WHY).await? {
            return Ok(Some("MediaLive channel"));
        }
        let input = InputAt { api, owner };
        if !remove_child(ids, events, &input, "MediaLive input", WHY).await? {
            return Ok(Some("MediaLive input"));
        }
        let srt = self.spec.input.srt_caller.is_some();
        for index in 0..SrtPassphraseChild::CHILDREN.len() {
            let passphrase = SrtPassphraseAt {
                api: self.apis.secretsmanager.as_ref(),
                owner,
                index,
            };
            if (srt || ids.recorded(passphrase.child()).is_some())
                && !remove_child(ids, events, &passphrase, "SRT passphrase secret", WHY).await?
            {
                return Ok(Some("SRT passphrase secret"));
            }
        }
        let group = SecurityGroupAt { api, owner };
        // Only push inputs have a group: a pull input's channel never made one
        // (no need to list every group in the account to be sure).
        let may_have_group = crate::plan::medialive::security_group_cidrs(&self.spec.input)
            .is_some()
            || ids.recorded(group.child()).is_some();
        if may_have_group
            && !remove_child(ids, events, &group, "MediaLive input security group", WHY).await?
        {
            return Ok(Some("MediaLive input security group"));
        }
        Ok(None)
    }

    /// Distribution, endpoints, MediaPackage channel, secret.
    async fn delivery(
        &self,
        ids: &mut AnnotationIds<LiveChannel>,
        events: &Events<'_>,
    ) -> Step<Option<&'static str>> {
        let owner = self.owner;
        let distribution = DistributionAt {
            api: self.apis.cloudfront.as_ref(),
            owner,
        };
        if !remove_child(ids, events, &distribution, "CloudFront distribution", WHY).await? {
            return Ok(Some("CloudFront distribution (disabled, then deleted once CloudFront has deployed that)"));
        }
        // CMCD telemetry: Firehose (it reads the stream), the log configuration
        // once no behaviour uses it, onair's stream (a user's stays).
        let telemetry = self.spec.cdn.telemetry.as_ref();
        if telemetry.is_some_and(|t| t.firehose.is_some())
            || ids.recorded(DeliveryChild::CHILD).is_some()
        {
            let delivery = DeliveryAt {
                api: self.apis.firehose.as_ref(),
                name: crate::plan::telemetry::delivery_name(owner),
            };
            if !remove_child(ids, events, &delivery, "Firehose delivery stream", WHY).await? {
                return Ok(Some("Firehose delivery stream"));
            }
        }
        if telemetry.is_some() || ids.recorded(RealtimeLogChild::CHILD).is_some() {
            let config = RealtimeLogAt {
                api: self.apis.cloudfront.as_ref(),
                name: crate::plan::telemetry::config_name(owner),
            };
            let what = "CloudFront real-time log configuration";
            if !remove_child(ids, events, &config, what, WHY).await? {
                return Ok(Some(what));
            }
        }
        if telemetry.is_some_and(|t| t.stream.arn.is_none())
            || ids.recorded(StreamChild::CHILD).is_some()
        {
            let stream = StreamAt {
                api: self.apis.kinesis.as_ref(),
                name: crate::plan::telemetry::stream_name(owner),
            };
            if !remove_child(ids, events, &stream, "Kinesis stream", WHY).await? {
                return Ok(Some("Kinesis stream"));
            }
        }
        let api = self.apis.mediapackage.as_ref();
        for (format, what) in [
            (Format::Hls, "MediaPackage HLS endpoint"),
            (Format::Dash, "MediaPackage DASH endpoint"),
        ] {
            let endpoint = EndpointAt {
                api,
                owner,
                child: format.child(),
                id: crate::plan::live_channel::endpoint_id(owner, format),
            };
            if !remove_child(ids, events, &endpoint, what, WHY).await? {
                return Ok(Some(what));
            }
        }
        let channel = PackagingChannelAt { api, owner };
        if !remove_child(ids, events, &channel, "MediaPackage channel", WHY).await? {
            return Ok(Some("MediaPackage channel"));
        }
        let secret = CdnSecretAt {
            api: self.apis.secretsmanager.as_ref(),
            owner,
        };
        if !remove_child(ids, events, &secret, "CDN-authorization secret", WHY).await? {
            return Ok(Some("CDN-authorization secret"));
        }
        Ok(None)
    }
}
