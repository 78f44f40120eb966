//! `onair ad-break LIVECHANNEL --duration 30s`: one ad break now, as a SCTE-35
//! splice insert in the channel's MediaLive schedule, without touching the
//! encoder. MediaTailor (an AdInsertion on the channel) fills it with ads.

#[derive(Debug, Clone, clap::Args)]
pub struct AdBreakArgs {
    /// The LiveChannel.
    pub channel: String,
    /// Its namespace (default: the kubeconfig's).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// How long the break lasts: seconds, such as `30` or `30s` (5 to 600).
    #[arg(long, value_parser = parse_duration)]
    pub duration: u32,
    /// AWS region for channels without a providerRef (default: the SDK's chain).
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
}

fn parse_duration(s: &str) -> Result<u32, String> {
    let seconds: u32 = s
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds, such as 30s"))?;
    if (5..=600).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!("an ad break lasts 5 to 600 seconds, not {seconds}"))
    }
}

pub fn main(args: AdBreakArgs) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(run(args))
}

async fn run(args: AdBreakArgs) -> Result<(), String> {
    let (client, _, channel) =
        crate::cli::render::cli_channel(args.namespace.as_deref(), &args.channel).await?;
    let channel_id = channel
        .status
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.channel_id.clone())
        .ok_or_else(|| {
            format!(
                "the LiveChannel \"{}\" has no MediaLive channel yet",
                args.channel
            )
        })?;
    let resolved =
        crate::cli::render::channel_provider(client, args.region.clone(), &channel).await?;
    let name = crate::controller::ad_insertion::breaks::insert_now(
        resolved.apis.medialive.as_ref(),
        &channel_id,
        args.duration,
        jiff::Timestamp::now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    println!(
        "ad break of {} s inserted now in MediaLive channel {channel_id} (schedule action {name})",
        args.duration
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_seconds_within_limits() {
        assert_eq!(super::parse_duration("30s"), Ok(30));
        assert_eq!(super::parse_duration("45"), Ok(45));
        assert!(super::parse_duration("2s")
            .unwrap_err()
            .contains("5 to 600"));
        assert!(super::parse_duration("soon").is_err());
    }
}
