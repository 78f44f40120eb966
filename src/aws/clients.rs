//! The one place that builds aws-sdk clients, per (region, credentials).
//!
//! Credentials come from aws-config's default chain (environment, IRSA web identity,
//! EKS Pod Identity, instance profile), optionally exchanged for an AwsProvider's
//! role with STS AssumeRole. Endpoints, most specific first: a per-service override
//! given here (tests), the AwsProvider's `endpointUrl`, then the SDK's standard
//! `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL` environment variables (read by
//! aws-config itself), then AWS's public endpoints.
//!
//! The SDK's own retries are off: the [`Guard`](super::guard::Guard) retries with a
//! rate limiter shared by all callers, and two retry layers would multiply attempts
//! and hide throttling from the limiter.

use std::collections::BTreeMap;

#[cfg(feature = "aws-sdk")]
use std::time::Duration;

#[cfg(feature = "aws-sdk")]
use aws_config::retry::RetryConfig;
#[cfg(feature = "aws-sdk")]
use aws_config::timeout::TimeoutConfig;
#[cfg(feature = "aws-sdk")]
use aws_config::{BehaviorVersion, Region, SdkConfig};
#[cfg(feature = "aws-sdk")]
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

use super::service::Service;

/// Without the SDK there is no default chain to ask.
#[cfg(not(feature = "aws-sdk"))]
pub async fn default_region() -> Option<String> {
    None
}

/// Region for global services (CloudFront, WAF for CloudFront): their control plane
/// lives in us-east-1 whatever region onair works in.
pub const GLOBAL_REGION: &str = "us-east-1";

/// A role to assume from the operator's own credentials (AwsProvider `assumeRole`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleToAssume {
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
}

impl From<&crate::api::aws_provider::AssumeRole> for RoleToAssume {
    fn from(r: &crate::api::aws_provider::AssumeRole) -> Self {
        Self {
            role_arn: r.role_arn.clone(),
            external_id: r.external_id.clone(),
            session_name: r.session_name.clone(),
        }
    }
}

/// Where and as whom to call AWS.
#[derive(Clone, Debug, Default)]
pub struct ClientSettings {
    pub region: String,
    pub assume_role: Option<RoleToAssume>,
    /// Every service at this URL (AwsProvider `endpointUrl`).
    pub endpoint_url: Option<String>,
    /// One service at its own URL; wins over `endpoint_url`.
    pub service_endpoints: BTreeMap<Service, String>,
    /// Fixed access key and secret instead of the default chain (emulators in tests).
    pub static_credentials: Option<(String, String)>,
}

/// The region of the SDK's default chain (AWS_REGION, AWS_DEFAULT_REGION, the
/// profile, instance metadata), with onair's ring-only HTTPS client (the
/// chain's metadata lookup needs one).
#[cfg(feature = "aws-sdk")]
pub async fn default_region() -> Option<String> {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await;
    config.region().map(|r| r.to_string())
}

/// Loaded configuration, from which each service's client is made.
#[cfg(feature = "aws-sdk")]
#[derive(Clone, Debug)]
pub struct SdkClients {
    config: SdkConfig,
    settings: ClientSettings,
}

#[cfg(feature = "aws-sdk")]
impl SdkClients {
    /// Resolves credentials and region. Does not call AWS: a wrong role shows at the
    /// first call (STS GetCallerIdentity when the provider is checked).
    pub async fn load(settings: ClientSettings) -> Self {
        // Ring, not aws-lc-rs: one rustls CryptoProvider in the process, shared with kube.
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(settings.region.clone()))
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some((key, secret)) = &settings.static_credentials {
            loader = loader.credentials_provider(aws_credential_types::Credentials::new(
                key.clone(),
                secret.clone(),
                None,
                None,
                "onair-static",
            ));
        }
        let mut config = loader.load().await;
        if let Some(role) = &settings.assume_role {
            // AssumeRole goes to the same STS endpoint as every other STS call.
            let sts_config = match Self::endpoint(&settings, Service::Sts) {
                Some(url) => config.to_builder().endpoint_url(url).build(),
                None => config.clone(),
            };
            let mut provider = aws_config::sts::AssumeRoleProvider::builder(role.role_arn.clone())
                .session_name(role.session_name.clone().unwrap_or_else(|| "onair".into()))
                .configure(&sts_config);
            if let Some(id) = &role.external_id {
                provider = provider.external_id(id.clone());
            }
            let provider = provider.build().await;
            config = config
                .into_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build();
        }
        Self { config, settings }
    }

    pub fn region(&self) -> &str {
        &self.settings.region
    }

    /// The configuration for `service`'s client, and the endpoint that must override
    /// the SDK's own resolution (environment variables included), if any.
    pub fn for_service(&self, service: Service) -> (SdkConfig, Option<String>) {
        let config = if service.is_global() {
            self.config
                .to_builder()
                .region(Region::new(GLOBAL_REGION))
                .build()
        } else {
            self.config.clone()
        };
        (config, Self::endpoint(&self.settings, service))
    }

    /// The endpoint override for `service`, if any.
    fn endpoint(settings: &ClientSettings, service: Service) -> Option<String> {
        settings
            .service_endpoints
            .get(&service)
            .or(settings.endpoint_url.as_ref())
            .cloned()
    }
}

/// An SDK adapter: a struct holding one aws-sdk client for `$service`, built
/// from [`SdkClients`] (credentials, region, endpoint override). The same few
/// lines for every crate, whose `Config` types share no trait.
#[cfg(feature = "aws-sdk")]
macro_rules! sdk_adapter {
    ($(#[$meta:meta])* $name:ident, $krate:ident, $service:expr) => {
        $(#[$meta])*
        pub struct $name {
            client: $krate::Client,
        }

        impl $name {
            pub fn new(clients: &$crate::aws::clients::SdkClients) -> Self {
                let (config, endpoint) = clients.for_service($service);
                let mut builder = $krate::config::Builder::from(&config);
                if let Some(url) = endpoint {
                    builder = builder.endpoint_url(url);
                }
                Self {
                    client: $krate::Client::from_conf(builder.build()),
                }
            }
        }
    };
}
#[cfg(feature = "aws-sdk")]
pub(crate) use sdk_adapter;
