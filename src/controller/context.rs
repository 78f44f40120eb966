//! What every reconciler shares: the Kubernetes client, provider resolution,
//! the event recorder, timings, and small caches that keep steady state to one
//! AWS read per resource.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use kube::runtime::events::{Recorder, Reporter};

use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::secret::SecretString;
use crate::aws::secretsmanager::{cdn_identifier_of, SecretsManagerApi};
use crate::plan::cloudfront::Policies;

use super::provider::Providers;

/// How often reconcilers look again.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Steady state: look for drift this often (`--resync-seconds`).
    pub resync: Duration,
    /// While AWS is moving (a channel starting, a distribution deploying).
    pub poll: Duration,
    /// After an error (AWS refused, throttled beyond the retry budget...).
    pub retry: Duration,
    /// How long MediaPackage takes to pick up a rotated CDN identifier
    /// (AWS documents 10 minutes for MediaPackage v1): CloudFront sends the
    /// previous one until then.
    pub rotation_grace: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            resync: Duration::from_secs(600),
            poll: Duration::from_secs(15),
            retry: Duration::from_secs(30),
            rotation_grace: Duration::from_secs(600),
        }
    }
}

/// The field manager of every write onair makes.
pub const MANAGER: &str = "onair";

pub struct Context {
    pub client: kube::Client,
    pub providers: Providers,
    pub recorder: Recorder,
    pub timing: Timing,
    policies: Mutex<HashMap<String, Policies>>,
    identifiers: Mutex<HashMap<(String, String), SecretString>>,
}

impl Context {
    pub fn new(client: kube::Client, providers: Providers, timing: Timing) -> Self {
        let reporter = Reporter {
            controller: "onair".into(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Self {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            providers,
            timing,
            policies: Mutex::default(),
            identifiers: Mutex::default(),
        }
    }

    /// The managed CloudFront policies onair uses, looked up once per account
    /// (their ids are the same everywhere, but reading them proves the names).
    pub async fn policies(
        &self,
        account: &str,
        cloudfront: &dyn crate::aws::cloudfront::CloudFrontApi,
    ) -> Result<Policies, AwsError> {
        if let Some(p) = lock(&self.policies).get(account) {
            return Ok(p.clone());
        }
        use crate::aws::cloudfront::{managed, policy_named, PolicyOwner};
        let cache = cloudfront.list_cache_policies(PolicyOwner::Managed).await?;
        let origin = cloudfront
            .list_origin_request_policies(PolicyOwner::Managed)
            .await?;
        let id = |list: &[crate::aws::cloudfront::Policy], name: &str| {
            policy_named(list, name)
                .map(|p| p.id.clone())
                .ok_or_else(|| {
                    AwsError::new(
                        "cloudfront",
                        "list_cache_policies",
                        ErrorKind::InvalidRequest {
                            message: format!(
                                "the managed policy {name} is missing from this account"
                            ),
                        },
                    )
                })
        };
        let policies = Policies {
            mediapackage_cache: id(&cache, managed::ELEMENTAL_MEDIAPACKAGE)?,
            caching_disabled: id(&cache, managed::CACHING_DISABLED)?,
            caching_optimized: id(&cache, managed::CACHING_OPTIMIZED)?,
            all_viewer_except_host: id(&origin, managed::ALL_VIEWER_EXCEPT_HOST_HEADER)?,
        };
        lock(&self.policies).insert(account.to_string(), policies.clone());
        Ok(policies)
    }

    /// The CDN identifier in a secret's current version, read from Secrets
    /// Manager only when the version changed (rotation).
    pub async fn cdn_identifier(
        &self,
        secrets: &dyn SecretsManagerApi,
        arn: &str,
        version: Option<&str>,
    ) -> Result<SecretString, AwsError> {
        let key = (arn.to_string(), version.unwrap_or_default().to_string());
        if version.is_some() {
            if let Some(v) = lock(&self.identifiers).get(&key) {
                return Ok(v.clone());
            }
        }
        let value = secrets.get_secret_value(arn).await?;
        let identifier = cdn_identifier_of(&value.value).ok_or_else(|| {
            AwsError::new(
                "secretsmanager",
                "get_secret_value",
                ErrorKind::InvalidRequest {
                    message: "the CDN-authorization secret does not hold a MediaPackageCDNIdentifier key; it was changed outside onair".into(),
                },
            )
        })?;
        let key = (arn.to_string(), value.version_id.clone());
        lock(&self.identifiers).insert(key, identifier.clone());
        Ok(identifier)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
