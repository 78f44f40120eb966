//! The AWS APIs of each AwsProvider, built once per (region, credentials) and keyed
//! by the real account: STS GetCallerIdentity tells which account the credentials
//! (or the assumed role) belong to, so two providers that reach the same account
//! share its rate limiters, and a wrong role shows up once, at the first use.

use std::collections::HashMap;
use std::sync::Arc;

use super::apis::AwsApis;
use super::clients::ClientSettings;
#[cfg(feature = "aws-sdk")]
use super::clients::SdkClients;
use super::error::AwsError;
use super::guard::Limiters;
#[cfg(feature = "aws-sdk")]
use super::intercept::Intercepted;
#[cfg(feature = "aws-sdk")]
use super::sdk::sts::SdkSts;
use super::sts::CallerIdentity;
#[cfg(feature = "aws-sdk")]
use super::sts::StsApi;

/// Limiter key of the STS calls made before the account is known.
pub const UNKNOWN_ACCOUNT: &str = "unknown";

/// Everything that makes two providers' clients differ. The secret key is not part
/// of it: the access key id identifies static credentials.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    region: String,
    role_arn: Option<String>,
    external_id: Option<String>,
    session_name: Option<String>,
    endpoint_url: Option<String>,
    service_endpoints: Vec<(String, String)>,
    access_key_id: Option<String>,
}

impl From<&ClientSettings> for Key {
    fn from(s: &ClientSettings) -> Self {
        Self {
            region: s.region.clone(),
            role_arn: s.assume_role.as_ref().map(|r| r.role_arn.clone()),
            external_id: s.assume_role.as_ref().and_then(|r| r.external_id.clone()),
            session_name: s.assume_role.as_ref().and_then(|r| r.session_name.clone()),
            endpoint_url: s.endpoint_url.clone(),
            service_endpoints: s
                .service_endpoints
                .iter()
                .map(|(k, v)| (k.name().to_owned(), v.clone()))
                .collect(),
            access_key_id: s.static_credentials.as_ref().map(|(k, _)| k.clone()),
        }
    }
}

/// One provider's APIs, and whom they act as.
#[derive(Clone)]
pub struct Connected {
    pub identity: CallerIdentity,
    pub region: String,
    pub apis: AwsApis,
}

/// The process's cache of [`Connected`] APIs, one per (region, credentials).
pub struct ApisCache {
    limiters: Arc<Limiters>,
    entries: tokio::sync::Mutex<HashMap<Key, Arc<Connected>>>,
}

impl ApisCache {
    pub fn new(limiters: Arc<Limiters>) -> Self {
        Self {
            limiters,
            entries: tokio::sync::Mutex::default(),
        }
    }

    /// The APIs for `settings`, asking STS who they act as on first use. A failure
    /// (AccessDenied for a role that cannot be assumed) is not cached.
    pub async fn get(&self, settings: &ClientSettings) -> Result<Arc<Connected>, AwsError> {
        let key = Key::from(settings);
        let mut entries = self.entries.lock().await;
        if let Some(c) = entries.get(&key) {
            return Ok(c.clone());
        }
        let connected = Arc::new(self.connect(settings).await?);
        entries.insert(key, connected.clone());
        Ok(connected)
    }

    /// The SDK's clients for `settings`, keyed by the account STS names.
    #[cfg(feature = "aws-sdk")]
    async fn connect(&self, settings: &ClientSettings) -> Result<Connected, AwsError> {
        let clients = SdkClients::load(settings.clone()).await;
        let sts = Intercepted::new(
            self.limiters.guard(UNKNOWN_ACCOUNT, &settings.region),
            Arc::new(SdkSts::new(&clients)),
        );
        let identity = sts.get_caller_identity().await?;
        let guard = self.limiters.guard(&identity.account, &settings.region);
        Ok(Connected {
            apis: AwsApis::sdk(&clients, guard),
            region: settings.region.clone(),
            identity,
        })
    }

    /// A build without the SDK (fuzz/) reaches only the simulation.
    #[cfg(not(feature = "aws-sdk"))]
    async fn connect(&self, _settings: &ClientSettings) -> Result<Connected, AwsError> {
        let _ = &self.limiters;
        Err(AwsError::new(
            "STS",
            "GetCallerIdentity",
            super::error::ErrorKind::InvalidRequest {
                message:
                    "this onair was built without the aws-sdk feature and can only simulate AWS"
                        .into(),
            },
        ))
    }

    /// Drops the APIs for `settings` (the provider changed, or its credentials were
    /// refused): the next [`get`](Self::get) builds them again.
    pub async fn forget(&self, settings: &ClientSettings) {
        self.entries.lock().await.remove(&Key::from(settings));
    }
}
