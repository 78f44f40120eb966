//! Which AWS account, region and defaults an object works with: its
//! `spec.providerRef` (an AwsProvider), or the operator's own credentials and
//! flags. Shared by every reconciler.

use std::sync::Arc;

use kube::Api;

use crate::api::common::{ProviderRef, Tags};
use crate::api::{AwsProvider, AwsProviderSpec};
use crate::aws::accounts::ApisCache;
use crate::aws::apis::AwsApis;
use crate::aws::clients::{ClientSettings, RoleToAssume};
use crate::aws::error::AwsError;
use crate::aws::guard::Limiters;
use crate::aws::sts::CallerIdentity;

/// What an object gets from its provider besides the APIs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderDefaults {
    /// Role MediaLive channels assume unless the object names one.
    pub media_live_role_arn: Option<String>,
    /// Role MediaPackage reads the CDN-authorization secret with.
    pub media_package_secrets_role_arn: Option<String>,
    /// Tags added to every AWS resource.
    pub tags: Tags,
}

/// The APIs of one account and region, with the provider's defaults.
#[derive(Clone)]
pub struct Resolved {
    pub apis: AwsApis,
    pub account: String,
    pub region: String,
    pub defaults: ProviderDefaults,
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("the AwsProvider \"{0}\" named in spec.providerRef does not exist; create it or fix the reference")]
    ProviderNotFound(String),
    #[error("AwsProvider \"{provider}\" does not allow namespace \"{namespace}\" (spec.allowedNamespaces); ask its owner to add the namespace or use another provider")]
    ProviderNotAllowed { provider: String, namespace: String },
    #[error("cannot reach AWS with the credentials of {source_name}: {}", error.summary())]
    Credentials {
        source_name: String,
        #[source]
        error: AwsError,
    },
    #[error("cannot read the AwsProvider: {0}")]
    Kube(#[from] kube::Error),
    #[error("the operator has no AWS region for objects without a providerRef: set spec.providerRef, or install onair with a region (--region / AWS_REGION / the chart's `region`)")]
    NoRegion,
}

/// An AwsProvider that cannot be used, as status says it.
impl From<&ResolveError> for crate::plan::failure::Failure {
    fn from(e: &ResolveError) -> Self {
        Self {
            reason: e.reason().into(),
            message: e.to_string(),
            stalled: e.stalled(),
        }
    }
}

impl ResolveError {
    /// The reason of the Ready=False condition it gives.
    pub fn reason(&self) -> &'static str {
        match self {
            ResolveError::ProviderNotFound(_) => "ProviderNotFound",
            ResolveError::ProviderNotAllowed { .. } => "ProviderNotAllowed",
            ResolveError::Credentials { .. } => "AwsCredentials",
            ResolveError::NoRegion => "NoRegion",
            ResolveError::Kube(_) => "KubernetesError",
        }
    }

    /// Whether only a change of the object, its provider or the operator
    /// fixes it (kstatus Stalled), rather than a retry.
    pub fn stalled(&self) -> bool {
        !matches!(self, ResolveError::Kube(_))
    }
}

/// Whether `spec` lets objects in `namespace` use it: no list is every
/// namespace.
pub fn allows(spec: &crate::api::aws_provider::AwsProviderSpec, namespace: &str) -> bool {
    spec.allowed_namespaces
        .as_ref()
        .is_none_or(|allowed| allowed.iter().any(|n| n == namespace))
}

/// How APIs are built once the settings are known.
pub enum Connector {
    /// The real AWS SDK, one set of clients per (region, credentials).
    Sdk(ApisCache),
    /// One set of APIs every provider reaches, whatever its settings: the
    /// AWS simulation of `onair sandbox`, `onair bench` and the tests (see
    /// `AwsApis::sim` and `AwsApis::remote`, which only builds with the
    /// `sandbox` feature).
    Fixed {
        apis: AwsApis,
        account: String,
        region: String,
    },
}

impl Connector {
    /// Every provider reaches `apis`, in `account` and `region`, through the
    /// guard `limiters` give that account (the same one production uses).
    pub fn fixed(
        limiters: &Arc<Limiters>,
        account: &str,
        region: &str,
        apis: impl FnOnce(crate::aws::guard::Guard) -> AwsApis,
    ) -> Self {
        Connector::Fixed {
            apis: apis(limiters.guard(account, region)),
            account: account.to_string(),
            region: region.to_string(),
        }
    }
}

/// Resolves providers: reads AwsProvider objects, connects once per settings.
pub struct Providers {
    client: kube::Client,
    connector: Connector,
    /// The operator's own region, endpoint and defaults (objects without a providerRef).
    operator: ClientSettings,
    operator_defaults: ProviderDefaults,
}

impl Providers {
    pub fn new(
        client: kube::Client,
        connector: Connector,
        operator: ClientSettings,
        operator_defaults: ProviderDefaults,
    ) -> Self {
        Self {
            client,
            connector,
            operator,
            operator_defaults,
        }
    }

    /// The account, region and defaults for an object in `namespace` that
    /// names `reference`. Every reconciler comes through here, for creating
    /// and for deleting alike, so an AwsProvider's `allowedNamespaces` holds
    /// for all of them: an object in another namespace gets
    /// [`ResolveError::ProviderNotAllowed`] before any AWS call. Deletion is
    /// refused too: the ids a deletion acts on come from the object's
    /// annotations, which whoever can edit the object can write, so
    /// deleting through a provider that refuses the namespace would let
    /// that namespace delete anything in the provider's account. The
    /// object then waits (with deletionPolicy Retain it goes at once) until
    /// its namespace is allowed again.
    pub async fn resolve(
        &self,
        reference: Option<&ProviderRef>,
        namespace: &str,
    ) -> Result<Resolved, ResolveError> {
        let (settings, defaults, source_name) = match reference {
            None if self.operator.region.is_empty() => return Err(ResolveError::NoRegion),
            None => (
                self.operator.clone(),
                self.operator_defaults.clone(),
                "the operator".to_string(),
            ),
            Some(r) => {
                let provider = Api::<AwsProvider>::all(self.client.clone())
                    .get_opt(&r.name)
                    .await?
                    .ok_or_else(|| ResolveError::ProviderNotFound(r.name.clone()))?;
                let spec = provider.spec;
                if !allows(&spec, namespace) {
                    return Err(ResolveError::ProviderNotAllowed {
                        provider: r.name.clone(),
                        namespace: namespace.to_string(),
                    });
                }
                let settings = self.settings_of(&spec);
                let defaults = ProviderDefaults {
                    media_live_role_arn: spec.media_live_role_arn,
                    media_package_secrets_role_arn: spec.media_package_secrets_role_arn,
                    tags: spec.tags,
                };
                (settings, defaults, format!("AwsProvider \"{}\"", r.name))
            }
        };
        match &self.connector {
            Connector::Sdk(cache) => {
                let connected =
                    cache
                        .get(&settings)
                        .await
                        .map_err(|error| ResolveError::Credentials {
                            source_name: source_name.clone(),
                            error,
                        })?;
                Ok(Resolved {
                    apis: connected.apis.clone(),
                    account: connected.identity.account.clone(),
                    region: connected.region.clone(),
                    defaults,
                })
            }
            Connector::Fixed {
                apis,
                account,
                region,
            } => Ok(Resolved {
                apis: apis.clone(),
                account: account.clone(),
                region: region.clone(),
                defaults,
            }),
        }
    }
}

impl Providers {
    /// The client settings of an AwsProvider: its region, endpoint and role,
    /// on the operator's own credentials. The provider's `endpointUrl` wins;
    /// without one, the operator's `--aws-endpoint-url` (an emulator, the
    /// sandbox's) still applies: STS and AssumeRole included.
    fn settings_of(&self, spec: &AwsProviderSpec) -> ClientSettings {
        ClientSettings {
            region: spec.region.clone(),
            assume_role: spec.assume_role.as_ref().map(RoleToAssume::from),
            endpoint_url: spec
                .endpoint_url
                .clone()
                .or_else(|| self.operator.endpoint_url.clone()),
            ..self.operator.clone()
        }
    }

    /// Whom an AwsProvider's credentials act as, asked of STS now rather than
    /// remembered: its clients are built again (the role assumed again), so
    /// credentials revoked or a trust policy changed since the last check
    /// show here. A failure also drops the provider's cached clients, so the
    /// objects that use it say so too instead of working on stale ones.
    pub async fn check(
        &self,
        spec: &AwsProviderSpec,
    ) -> Result<(CallerIdentity, AwsApis), AwsError> {
        match &self.connector {
            Connector::Sdk(cache) => {
                let settings = self.settings_of(spec);
                cache.forget(&settings).await;
                let connected = cache.get(&settings).await?;
                Ok((connected.identity.clone(), connected.apis.clone()))
            }
            Connector::Fixed { apis, .. } => {
                Ok((apis.sts.get_caller_identity().await?, apis.clone()))
            }
        }
    }
}

/// The annotation naming the AwsProvider a dependent object's resources live
/// in (its channel's when it first reached AWS; empty for the operator's own
/// account), so deletion finds them even after the channel is gone.
pub const PROVIDER_ANNOTATION: &str = "onair.dev/provider";

/// The provider recorded on `object`: None when nothing is recorded yet,
/// `Some(None)` for the operator's own account.
pub fn recorded_provider<K: kube::Resource>(object: &K) -> Option<Option<ProviderRef>> {
    let name = object
        .meta()
        .annotations
        .as_ref()?
        .get(PROVIDER_ANNOTATION)?;
    Some((!name.is_empty()).then(|| ProviderRef { name: name.clone() }))
}

/// The provider `object` works with: the recorded one, else its channel's
/// (`channel_provider`), which is recorded now (before any AWS resource).
pub async fn provider_for<K>(
    api: &Api<K>,
    object: &K,
    channel_provider: Option<&ProviderRef>,
) -> Result<Option<ProviderRef>, kube::Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    if let Some(recorded) = recorded_provider(object) {
        return Ok(recorded);
    }
    let name = channel_provider.map(|r| r.name.clone()).unwrap_or_default();
    let patch = serde_json::json!({"metadata": {"annotations": {PROVIDER_ANNOTATION: name}}});
    api.patch(
        object.meta().name.as_deref().unwrap_or_default(),
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&patch),
    )
    .await?;
    Ok(channel_provider.cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_namespaces_absent_means_every_namespace() {
        let mut spec: crate::api::aws_provider::AwsProviderSpec =
            serde_json::from_value(serde_json::json!({"region": "eu-west-1"})).unwrap();
        assert!(allows(&spec, "anything"));
        spec.allowed_namespaces = Some(vec!["live-news".into(), "live-sports".into()]);
        assert!(allows(&spec, "live-sports"));
        assert!(!allows(&spec, "default"));
        assert!(
            !allows(&spec, ""),
            "an object without a namespace is refused"
        );
        let refused = ResolveError::ProviderNotAllowed {
            provider: "media-prod".into(),
            namespace: "default".into(),
        };
        assert_eq!(refused.reason(), "ProviderNotAllowed");
        assert!(refused.stalled());
        assert_eq!(
            refused.to_string(),
            "AwsProvider \"media-prod\" does not allow namespace \"default\" (spec.allowedNamespaces); ask its owner to add the namespace or use another provider"
        );
    }
}
