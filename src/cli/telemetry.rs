//! `onair telemetry LIVECHANNEL [--since 10m] [--output text|json]`: finds the
//! channel's Kinesis stream and log fields in the cluster, reads the stream
//! with the AWS APIs of the channel's provider (as `onair ad-break` does: its
//! AwsProvider, or the default credential chain; `AWS_ENDPOINT_URL` is
//! honoured), and prints the summary.

use crate::api::live_channel::LiveChannel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Tables for a person.
    Text,
    /// One JSON object (the summary with how it was read).
    Json,
}

/// Where reading starts: some time ago, or at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Ago(jiff::SignedDuration),
    At(jiff::Timestamp),
}

impl Since {
    pub fn resolve(self, now: jiff::Timestamp) -> Result<jiff::Timestamp, String> {
        match self {
            Since::At(t) => Ok(t),
            // Whole seconds: the time is printed.
            Since::Ago(d) => jiff::Timestamp::from_second(now.as_second())
                .and_then(|now| now.checked_sub(d))
                .map_err(|e| format!("--since reaches too far back: {e}")),
        }
    }
}

/// `90s`, `10m`, `2h`, `7d` (a bare number is seconds), or an RFC 3339 time
/// such as `2024-11-26T09:00:00Z`.
pub fn parse_since(text: &str) -> Result<Since, String> {
    let text = text.trim();
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(Since::At(t));
    }
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let (number, unit) = text.split_at(digits.len());
    let value: i64 = number.parse().map_err(|_| {
        format!(
            "{text:?} is neither a duration (90s, 10m, 2h, 7d) nor a time (2024-11-26T09:00:00Z)"
        )
    })?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit {unit:?}: use s, m, h or d")),
    };
    let seconds = value
        .checked_mul(scale)
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("{text:?} is not a usable duration"))?;
    Ok(Since::Ago(jiff::SignedDuration::from_secs(seconds)))
}

#[derive(Debug, Clone, clap::Args)]
pub struct TelemetryArgs {
    /// The LiveChannel.
    pub channel: String,
    /// Its namespace (default: the kubeconfig's).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Read the records that arrived since then: a duration back from now
    /// (`90s`, `10m`, `2h`, `7d`) or a time (`2024-11-26T09:00:00Z`). The
    /// stream keeps records for its retention (24 hours by default).
    #[arg(long, default_value = "10m", value_parser = parse_since)]
    pub since: Since,
    /// `text` for a person, `json` for machines.
    #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

pub fn main(args: TelemetryArgs) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let report = runtime.block_on(run(&args))?;
    match args.output {
        Output::Text => print!("{}", crate::qoe::text::render(&report)),
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        ),
    }
    Ok(())
}

/// The region in a Kinesis stream ARN (`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`).
pub fn stream_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn") && parts.nth(1) == Some("kinesis"))
        .then(|| parts.next())
        .flatten()
        .filter(|r| !r.is_empty())
}

/// How to address a stream in calls made as `account`: by name in its own
/// account (equivalent in AWS; moto only answers GetRecords for iterators of
/// streams addressed by name), by ARN across accounts.
pub fn stream_address(arn: &str, account: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "kinesis", _, owner, resource] if *owner == account => resource
            .strip_prefix("stream/")
            .map_or_else(|| arn.to_string(), str::to_string),
        _ => arn.to_string(),
    }
}

/// The stream a channel's records go to: the one the operator recorded (it
/// created it, or checked the one named), else the one the spec names.
pub fn channel_stream(channel: &LiveChannel) -> Option<String> {
    channel
        .status
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.kinesis_stream_arn.clone())
        .or_else(|| {
            channel
                .spec
                .cdn
                .telemetry
                .as_ref()
                .and_then(|t| t.stream.arn.clone())
        })
}

async fn run(args: &TelemetryArgs) -> Result<crate::qoe::Report, String> {
    let since = args.since.resolve(jiff::Timestamp::now())?;
    let name = &args.channel;
    let (client, namespace, channel) =
        crate::cli::render::cli_channel(args.namespace.as_deref(), name).await?;
    let telemetry = channel.spec.cdn.telemetry.as_ref().ok_or_else(|| {
        format!("the LiveChannel \"{name}\" has no CMCD telemetry: set spec.cdn.telemetry")
    })?;
    let stream = channel_stream(&channel).ok_or_else(|| {
        format!("the LiveChannel \"{name}\" has no Kinesis stream yet (status.resources.kinesisStreamArn): wait for the operator to create it")
    })?;
    let fields = crate::plan::telemetry::fields(telemetry);

    // The stream's own region: the operator's (no providerRef) is taken from
    // it; an AwsProvider must work in it.
    let region = stream_region(&stream).map(str::to_string);
    let resolved = crate::cli::render::channel_provider(client, region.clone(), &channel).await?;
    if let Some(region) = region.filter(|r| *r != resolved.region) {
        return Err(format!(
            "the stream {stream} is in {region}, but the channel's AwsProvider works in {}",
            resolved.region
        ));
    }
    let address = stream_address(&stream, &resolved.account);
    let mut report = crate::qoe::report(resolved.apis.kinesis.as_ref(), &address, &fields, since)
        .await
        .map_err(|e| format!("cannot read the stream {stream}: {e}"))?;
    report.channel = Some(format!("{namespace}/{name}"));
    report.stream = stream;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_and_times() {
        let now: jiff::Timestamp = "2024-11-26T10:00:00.75Z".parse().unwrap();
        let at = |s: &str| parse_since(s).unwrap().resolve(now).unwrap().to_string();
        assert_eq!(at("10m"), "2024-11-26T09:50:00Z");
        assert_eq!(at("90"), "2024-11-26T09:58:30Z");
        assert_eq!(at("2h"), "2024-11-26T08:00:00Z");
        assert_eq!(at("1d"), "2024-11-25T10:00:00Z");
        assert_eq!(at("2024-11-26T09:00:00.5Z"), "2024-11-26T09:00:00.5Z");
        assert!(parse_since("0m").is_err());
        assert!(parse_since("3w").unwrap_err().contains("unknown unit"));
        assert!(parse_since("soon").is_err());
    }

    #[test]
    fn the_region_comes_from_the_stream_arn() {
        assert_eq!(
            stream_region("arn:aws:kinesis:eu-west-1:123456789012:stream/cmcd"),
            Some("eu-west-1")
        );
        assert_eq!(
            stream_region("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s"),
            Some("cn-north-1")
        );
        assert_eq!(stream_region("cmcd"), None);
        assert_eq!(stream_region("arn:aws:s3:::bucket"), None);
    }

    #[test]
    fn streams_of_the_callers_account_go_by_name() {
        let arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/cmcd";
        assert_eq!(stream_address(arn, "123456789012"), "cmcd");
        assert_eq!(stream_address(arn, "210987654321"), arn);
        assert_eq!(stream_address("cmcd", "123456789012"), "cmcd");
    }
}
