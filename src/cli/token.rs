//! `onair token mint` and `onair token verify`: tokens for a TokenPolicy in the
//! cluster, minted and checked with the same rules the edge runs.

use std::collections::{BTreeMap, HashSet};

use kube::{Api, Client};

use crate::api::TokenPolicy;
use crate::token::mint::{mint, url, MintError, MintRequest};
use crate::token::policy::{InputError, PolicyInputs};
use crate::token::verify::{check, ViewerRequest};
use crate::token::{EdgeConfig, Keys};

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Mint a token for a TokenPolicy and print a ready-to-play URL.
    Mint(MintArgs),
    /// Tell whether the edge would accept a URL, and why not.
    Verify(VerifyArgs),
}

/// The viewer a token is for, or a request comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct Viewer {
    /// Viewer IP address (required when the policy binds tokens to it).
    #[arg(long)]
    pub ip: Option<String>,
    /// Viewer User-Agent (required when the policy binds tokens to it).
    #[arg(long)]
    pub user_agent: Option<String>,
    /// Another bound header, as `name=value` (repeatable).
    #[arg(long = "header", value_name = "NAME=VALUE")]
    pub headers: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct MintArgs {
    /// The TokenPolicy, as NAMESPACE/NAME.
    #[arg(long)]
    pub policy: String,
    /// Path to play, such as `/out/v1/<endpoint>/index.m3u8`.
    #[arg(long)]
    pub path: String,
    /// Lifetime: seconds, or with a unit (`90s`, `15m`, `2h`).
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub ttl: u64,
    /// Session id, for revocation (letters, digits, `-`, `_`).
    #[arg(long)]
    pub session: Option<String>,
    /// Path prefixes the token opens (repeatable); default: the directory of --path.
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// Playback host; default: the host of the first channel's playback URL.
    #[arg(long)]
    pub host: Option<String>,
    #[command(flatten)]
    pub viewer: Viewer,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The URL to check.
    pub url: String,
    /// The TokenPolicy, as NAMESPACE/NAME.
    #[arg(long)]
    pub policy: String,
    #[command(flatten)]
    pub viewer: Viewer,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("--policy must be NAMESPACE/NAME, not {0:?}")]
    PolicyName(String),
    #[error("cannot reach Kubernetes: {0}")]
    Kube(String),
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Mint(#[from] MintError),
}

fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let (number, unit) = text.split_at(digits.len());
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 300, 90s, 15m or 2h"))?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("unknown unit {unit:?}: use s, m or h")),
    };
    value
        .checked_mul(scale)
        .ok_or_else(|| format!("{text:?} is too long"))
}

/// Runs a token command; `Ok(false)` means "refused" (exit status 1).
pub fn main(command: TokenCommand) -> Result<bool, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Config(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let client = Client::try_default().await.map_err(|e| CliError::Kube(e.to_string()))?;
        match command {
            TokenCommand::Mint(args) => {
                let policy = PolicyView::load(&client, &args.policy).await?;
                let key = policy.keys.0.get(&policy.active_key).ok_or_else(|| {
                    CliError::Config(format!(
                        "the active key id {:?} is not in the signing-keys Secret",
                        policy.active_key
                    ))
                })?;
                let path = if args.path.starts_with('/') {
                    args.path.clone()
                } else {
                    format!("/{}", args.path)
                };
                let scopes = if args.scopes.is_empty() {
                    vec![path.rsplit_once('/').map_or("/".to_string(), |(dir, _)| format!("{dir}/"))]
                } else {
                    args.scopes.clone()
                };
                crate::token::mint::check_path_in_scopes(&path, &scopes)?;
                let request = MintRequest {
                    key_id: policy.active_key.clone(),
                    lifetime_seconds: args.ttl,
                    now: now(),
                    paths: scopes,
                    session: args.session.clone(),
                    ip: args.viewer.ip.clone(),
                    headers: bound_headers(&args.viewer, &policy.config)?,
                };
                let token = mint(&policy.config, key, &request)?;
                let host = match args.host {
                    Some(host) => host,
                    None => policy.host.clone().ok_or_else(|| {
                        CliError::Config(
                            "the policy's channels have no playback URL through CloudFront yet (status.playback); pass --host".into(),
                        )
                    })?,
                };
                println!("{}", url(&policy.config, &host, &path, &token));
                Ok(true)
            }
            TokenCommand::Verify(args) => {
                let policy = PolicyView::load(&client, &args.policy).await?;
                let mut headers: BTreeMap<String, String> = parse_headers(&args.viewer.headers)?.into_iter().collect();
                if let Some(agent) = &args.viewer.user_agent {
                    headers.insert("user-agent".into(), agent.clone());
                }
                let ip = args.viewer.ip.clone().unwrap_or_default();
                let request = ViewerRequest::for_url(&args.url, &ip, headers);
                // The cluster lists revoked sessions; when each revocation
                // ends is kept at the edge, so a listed session counts as revoked.
                let revoked = |s: &str| policy.revoked.contains(s).then_some(u64::MAX);
                match check(&policy.config, &policy.keys, &revoked, &request, now()) {
                    Ok(accepted) => {
                        let session = accepted.claims.as_ref().and_then(|c| c.ssn.clone());
                        let expires = accepted.claims.as_ref().map(|c| c.exp);
                        println!(
                            "accepted: the edge forwards {} (session {}, expires at {})",
                            accepted.uri,
                            session.as_deref().unwrap_or("none"),
                            expires.map_or("-".to_string(), |e| e.to_string())
                        );
                        Ok(true)
                    }
                    Err(refusal) => {
                        println!("refused with {}: {refusal}", policy.config.failure_status);
                        Ok(false)
                    }
                }
            }
        }
    })
}

fn now() -> u64 {
    crate::controller::kit::unix_now()
}

fn parse_headers(raw: &[String]) -> Result<Vec<(String, String)>, CliError> {
    raw.iter()
        .map(|h| {
            h.split_once('=')
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.to_string()))
                .ok_or_else(|| CliError::Config(format!("--header {h:?} must be NAME=VALUE")))
        })
        .collect()
}

/// The headers a minted token binds: those the policy requires, from the flags.
fn bound_headers(viewer: &Viewer, config: &EdgeConfig) -> Result<Vec<(String, String)>, CliError> {
    let mut given = parse_headers(&viewer.headers)?;
    if let Some(agent) = &viewer.user_agent {
        given.push(("user-agent".into(), agent.clone()));
    }
    Ok(given
        .into_iter()
        .filter(|(n, _)| config.require_headers.contains(n))
        .collect())
}

/// A TokenPolicy with what it references, read from the cluster.
struct PolicyView {
    config: EdgeConfig,
    keys: Keys,
    active_key: String,
    revoked: HashSet<String>,
    host: Option<String>,
}

impl PolicyView {
    async fn load(client: &Client, reference: &str) -> Result<Self, CliError> {
        let (namespace, name) = reference
            .split_once('/')
            .filter(|(ns, n)| !ns.is_empty() && !n.is_empty())
            .ok_or_else(|| CliError::PolicyName(reference.to_string()))?;
        let policy = Api::<TokenPolicy>::namespaced(client.clone(), namespace)
            .get(name)
            .await
            .map_err(|e| CliError::Kube(format!("reading TokenPolicy {reference}: {e}")))?;
        let ad_insertions: Vec<_> =
            Api::<crate::api::AdInsertion>::namespaced(client.clone(), namespace)
                .list(&Default::default())
                .await
                .map_err(|e| {
                    CliError::Kube(format!("listing the AdInsertions of {namespace}: {e}"))
                })?
                .items
                .into_iter()
                .map(std::sync::Arc::new)
                .collect();
        let inputs = PolicyInputs::load(client, namespace, &policy.spec, &ad_insertions)
            .await
            .map_err(|e| match e {
                InputError::Invalid { message, .. } => CliError::Config(message),
                kube => CliError::Kube(kube.to_string()),
            })?;
        Ok(Self {
            config: inputs.edge_config(&policy.spec),
            active_key: policy.spec.signing_keys.active_key_id.clone(),
            revoked: inputs.revoked.into_iter().collect(),
            keys: inputs.keys,
            host: inputs.host,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("300"), Ok(300));
        assert_eq!(parse_duration("15m"), Ok(900));
        assert_eq!(parse_duration("2h"), Ok(7200));
        assert!(parse_duration("2d").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
