//! `onair render -f FILE` prints, without a cluster or AWS, the configuration
//! every AWS resource of each LiveChannel in FILE would get, and for each
//! TokenPolicy the function code and key value store entries (onair's `cdk
//! synth`; see [`super::render_token_policy`]); `onair plan -f FILE`
//! compares a channel with what exists in AWS (the reconciler in dry-run
//! mode) and prints the difference.

use std::path::PathBuf;
use std::sync::Arc;

use kube::ResourceExt;

pub use super::objects::Error;
use super::objects::{owner_of, read};
use crate::api::live_channel::LiveChannel;
use crate::plan::cloudfront::Policies;

#[derive(Debug, Clone, clap::Args)]
pub struct RenderArgs {
    /// YAML file with LiveChannel and TokenPolicy objects (and the AwsProviders,
    /// AdInsertions, Secrets and ConfigMaps they name); `-` for stdin.
    #[arg(short = 'f', long = "filename")]
    pub file: PathBuf,
    /// Role MediaLive assumes, for channels whose provider names none.
    #[arg(long, env = "ONAIR_MEDIALIVE_ROLE_ARN")]
    pub media_live_role_arn: Option<String>,
    /// Role MediaPackage reads the CDN secret with, for providers that name none.
    #[arg(long, env = "ONAIR_MEDIAPACKAGE_SECRETS_ROLE_ARN")]
    pub media_package_secrets_role_arn: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub render: RenderArgs,
    /// AWS region for channels without a providerRef (default: the SDK's chain).
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
}

/// Prints the rendered configuration of every LiveChannel and TokenPolicy
/// in the file.
pub fn render_main(args: RenderArgs) -> Result<(), Error> {
    print!("{}", render_text(&args)?);
    Ok(())
}

/// What `onair render` prints: one YAML document per LiveChannel, then one
/// per TokenPolicy.
pub fn render_text(args: &RenderArgs) -> Result<String, Error> {
    let objects = read(&args.file)?;
    // The managed policy's id is the same in every account.
    let policies = Policies::managed();
    let mut out = String::new();
    for lc in &objects.channels {
        let provider = lc
            .spec
            .provider_ref
            .as_ref()
            .and_then(|r| objects.providers.get(&r.name));
        let media_live = lc
            .spec
            .encoding
            .role_arn
            .clone()
            .or_else(|| provider.and_then(|p| p.spec.media_live_role_arn.clone()))
            .or_else(|| args.media_live_role_arn.clone());
        let secrets = provider
            .and_then(|p| p.spec.media_package_secrets_role_arn.clone())
            .or_else(|| args.media_package_secrets_role_arn.clone());
        let roles = crate::plan::live_channel_validation::Roles {
            media_live: media_live.clone(),
            media_package_secrets: secrets.clone(),
        };
        if let Err(failure) = crate::plan::live_channel_validation::validate(&lc.spec, &roles) {
            return Err(Error::Invalid(format!(
                "LiveChannel {}: {}",
                lc.name_any(),
                failure.message
            )));
        }
        let tags = crate::aws::ownership::merge_tags(
            &provider.map(|p| p.spec.tags.clone()).unwrap_or_default(),
            &lc.spec.tags,
        )
        .map_err(|message| Error::Invalid(format!("LiveChannel {}: {message}", lc.name_any())))?;
        let rendered = crate::plan::live_channel::render(
            &lc.spec,
            &owner_of(lc),
            tags,
            media_live.as_deref(),
            secrets.as_deref(),
            &policies,
        );
        out.push_str("---\n");
        out.push_str(&serde_yaml::to_string(&rendered).map_err(|e| Error::Other(e.to_string()))?);
    }
    for tp in &objects.token_policies {
        let rendered = super::render_token_policy::render(tp, &objects).map_err(|message| {
            Error::Invalid(format!("TokenPolicy {}: {message}", tp.name_any()))
        })?;
        out.push_str("---\n");
        out.push_str(&serde_yaml::to_string(&rendered).map_err(|e| Error::Other(e.to_string()))?);
    }
    Ok(out)
}

/// The LiveChannel a command-line verb is about: the cluster client, the
/// namespace (`namespace`, else the kubeconfig's) and the channel.
pub async fn cli_channel(
    namespace: Option<&str>,
    name: &str,
) -> Result<(kube::Client, String, crate::api::LiveChannel), String> {
    let client = kube::Client::try_default()
        .await
        .map_err(|e| format!("cannot reach the cluster: {e}"))?;
    let namespace = namespace
        .map(str::to_string)
        .unwrap_or_else(|| client.default_namespace().to_string());
    let channel = kube::Api::<crate::api::LiveChannel>::namespaced(client.clone(), &namespace)
        .get_opt(name)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no LiveChannel \"{name}\" in namespace {namespace}"))?;
    Ok((client, namespace, channel))
}

/// The AWS access a command acting on one channel uses: the channel's
/// AwsProvider (or the operator's credentials without one), resolved the way
/// the operator resolves it, with no default roles.
pub async fn channel_provider(
    client: kube::Client,
    region: Option<String>,
    channel: &crate::api::LiveChannel,
) -> Result<crate::controller::provider::Resolved, String> {
    let roles = RenderArgs {
        file: Default::default(),
        media_live_role_arn: None,
        media_package_secrets_role_arn: None,
    };
    let ctx = cli_context(client, region, &roles)
        .await
        .map_err(|e| e.to_string())?;
    ctx.providers
        .resolve(
            channel.spec.provider_ref.as_ref(),
            channel.metadata.namespace.as_deref().unwrap_or_default(),
        )
        .await
        .map_err(|e| e.to_string())
}

/// The context a command-line verb works with: the cluster's AwsProviders,
/// the real AWS SDK, the operator's defaults from the flags.
pub async fn cli_context(
    client: kube::Client,
    region: Option<String>,
    roles: &RenderArgs,
) -> Result<crate::controller::context::Context, Error> {
    let region = match region {
        Some(r) => r,
        None => crate::aws::clients::default_region()
            .await
            .ok_or_else(|| Error::Other("no AWS region: set --region or AWS_REGION".into()))?,
    };
    let limiters = crate::aws::guard::Limiters::new(Default::default());
    let providers = crate::controller::provider::Providers::new(
        client.clone(),
        crate::controller::provider::Connector::Sdk(crate::aws::accounts::ApisCache::new(limiters)),
        crate::aws::clients::ClientSettings {
            region,
            ..Default::default()
        },
        crate::controller::provider::ProviderDefaults {
            media_live_role_arn: roles.media_live_role_arn.clone(),
            media_package_secrets_role_arn: roles.media_package_secrets_role_arn.clone(),
            tags: Default::default(),
        },
    );
    Ok(crate::controller::context::Context::new(
        client,
        providers,
        Default::default(),
    ))
}

/// Compares each LiveChannel in the file with AWS; true when nothing would change.
pub fn plan_main(args: PlanArgs) -> Result<bool, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(plan(args))
}

async fn plan(args: PlanArgs) -> Result<bool, Error> {
    let objects = read(&args.render.file)?;
    if objects.channels.is_empty() {
        return Err(Error::Invalid(format!(
            "{} holds no LiveChannel: onair plan compares LiveChannels with AWS (onair render shows what a TokenPolicy publishes)",
            args.render.file.display()
        )));
    }
    let client = kube::Client::try_default().await.map_err(|e| {
        Error::Other(format!(
            "onair plan reads the objects' recorded AWS ids from the cluster: {e}"
        ))
    })?;
    let ctx = Arc::new(cli_context(client.clone(), args.region.clone(), &args.render).await?);
    let mut in_sync = true;
    for file_lc in objects.channels {
        let namespace = file_lc.namespace().unwrap_or_else(|| "default".into());
        let api: kube::Api<LiveChannel> = kube::Api::namespaced(client.clone(), &namespace);
        // The live object knows the ids; the file says what is wanted.
        let live = api
            .get_opt(&file_lc.name_any())
            .await
            .map_err(|e| Error::Other(e.to_string()))?;
        let mut lc = file_lc.clone();
        lc.metadata.namespace = Some(namespace.clone());
        if let Some(live) = &live {
            lc.metadata.uid.clone_from(&live.metadata.uid);
            lc.metadata
                .annotations
                .clone_from(&live.metadata.annotations);
            lc.status.clone_from(&live.status);
        }
        println!("LiveChannel {namespace}/{}:", lc.name_any());
        let plan = crate::controller::live_channel::plan(&ctx, &lc, &api)
            .await
            .map_err(Error::Other)?;
        for line in &plan.lines {
            println!("  {line}");
        }
        in_sync &= plan.in_sync;
    }
    Ok(in_sync)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_renders_every_resource_without_secrets() {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/live-channel.yaml");
        let objects = read(&file).unwrap();
        let lc = &objects.channels[0];
        let policies = Policies::managed();
        let rendered = crate::plan::live_channel::render(
            &lc.spec,
            &owner_of(lc),
            Default::default(),
            Some("arn:aws:iam::123456789012:role/MediaLiveAccessRole"),
            Some("arn:aws:iam::123456789012:role/MediaPackageSecretsRole"),
            &policies,
        );
        let yaml = serde_yaml::to_string(&rendered).unwrap();
        for expected in [
            "inputSecurityGroup:",
            "203.0.113.0/24",
            "hlsEndpoint:",
            "dashEndpoint:",
            "distribution:",
            "X-MediaPackage-CDNIdentifier",
            "<redacted>",
            "channelClass: SINGLE_PIPELINE",
            "720p",
        ] {
            assert!(yaml.contains(expected), "{expected} missing from:\n{yaml}");
        }
        assert!(
            !yaml.contains("<generated>"),
            "the identifier placeholder is never printed either"
        );
    }
}
