//! What every reconciler shares: the Kubernetes client, provider resolution,
//! the event recorder, timings, and small caches that keep steady state to one
//! AWS read per resource.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::k8s::recorder::{Recorder, Reporter};

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

pub struct Context {
    pub client: kube::Client,
    pub providers: Providers,
    pub recorder: Recorder,
    pub timing: Timing,
    /// The process's one watch and store per kind, shared by the controllers.
    pub catalog: crate::k8s::catalog::Catalog,
    policies: Mutex<HashMap<String, Policies>>,
    identifiers: Mutex<HashMap<(String, String), SecretString>>,
    /// Since when each object (kind/namespace/name) has been waiting on AWS.
    waiting_since: Mutex<HashMap<String, tokio::time::Instant>>,
    /// What waiting objects found at rest, so their next rounds read only
    /// what is moving (`kit::memo`).
    memo: crate::controller::kit::memo::WaitMemo,
    /// The CloudFront Functions' LIVE code this process has verified, by ETag.
    pub verified_functions: crate::aws::children::verified::VerifiedContent,
    /// The namespaces whose Secrets the operator may read (`onair run
    /// --secret-namespaces`); every namespace unless set.
    pub secret_access: crate::k8s::secret_access::SecretAccess,
}

/// The longest pause between two polls of an object that waits on AWS.
pub const MAX_POLL: Duration = Duration::from_secs(60);

/// `kind/namespace/name`: one entry per object across every kind.
fn waiting_key<K: kube::Resource<DynamicType = ()>>(object: &K) -> String {
    format!(
        "{}/{}",
        K::kind(&()),
        crate::k8s::report::object_key(object)
    )
}

/// The pause before the next poll of something that has waited `waited`:
/// `poll` at first, then an eighth of the wait, up to `longest`. Every kind
/// that polls AWS backs off by this one rule.
pub fn poll_backoff(waited: Duration, poll: Duration, longest: Duration) -> Duration {
    (waited / 8).clamp(poll, poll.max(longest))
}

impl Context {
    pub fn new(client: kube::Client, providers: Providers, timing: Timing) -> Self {
        let reporter = Reporter {
            controller: "onair".into(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Self {
            recorder: Recorder::new(client.clone(), reporter),
            catalog: crate::k8s::catalog::Catalog::new(client.clone()),
            client,
            providers,
            timing,
            policies: Mutex::default(),
            identifiers: Mutex::default(),
            waiting_since: Mutex::default(),
            memo: Default::default(),
            verified_functions: Default::default(),
            secret_access: Default::default(),
        }
    }

    /// When to look again at `object`, which waits
    /// on AWS (a channel starting, a distribution deploying): `poll` at
    /// first, then an eighth of the time waited so far, up to [`MAX_POLL`].
    /// A thousand objects waiting behind the rate limits then spend the
    /// budget on writes rather than on re-reading what has not moved, and a
    /// short wait is still seen within `poll`. Forgotten on a restart, which
    /// only polls sooner.
    pub fn poll_after<K: kube::Resource<DynamicType = ()>>(&self, object: &K) -> Duration {
        let mut waiting = self.waiting_since.lock().unwrap_or_else(|e| e.into_inner());
        let since = *waiting
            .entry(waiting_key(object))
            .or_insert_with(tokio::time::Instant::now);
        poll_backoff(since.elapsed(), self.timing.poll, MAX_POLL)
    }

    /// `object` no longer waits on AWS (or is being deleted): its next wait
    /// polls at `poll` again, and nothing its rounds found is kept.
    pub fn settled<K: kube::Resource<DynamicType = ()>>(&self, object: &K) {
        let key = waiting_key(object);
        self.memo.forget_object(&key);
        self.waiting_since
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
    }

    /// This round's view of what `object`'s earlier rounds found at rest
    /// (for the kinds that wait on AWS and call [`settled`](Self::settled)
    /// when they stop, which forgets it). Kept no longer than the resync.
    pub fn memo_of<K: kube::Resource<DynamicType = ()>>(
        &self,
        object: &K,
    ) -> crate::controller::kit::memo::Memo<'_> {
        self.memo.of(
            waiting_key(object),
            object.meta().generation,
            self.timing.resync,
        )
    }

    /// A round of `object` failed: its next round reads every child (one
    /// may be gone, which is what failed).
    pub fn round_failed<K: kube::Resource<DynamicType = ()>>(&self, object: &K) {
        self.memo.forget_object(&waiting_key(object));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_back_off_with_the_wait_up_to_a_minute() {
        let poll = Duration::from_secs(15);
        assert_eq!(poll_backoff(Duration::ZERO, poll, MAX_POLL), poll);
        assert_eq!(poll_backoff(Duration::from_secs(60), poll, MAX_POLL), poll);
        assert_eq!(
            poll_backoff(Duration::from_secs(240), poll, MAX_POLL),
            Duration::from_secs(30)
        );
        assert_eq!(
            poll_backoff(Duration::from_secs(3600), poll, MAX_POLL),
            MAX_POLL
        );
        // A poll configured above the cap is kept.
        let slow = Duration::from_secs(120);
        assert_eq!(
            poll_backoff(Duration::from_secs(3600), slow, MAX_POLL),
            slow
        );
    }
}
