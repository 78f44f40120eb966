//! Secrets Manager: the CDN-authorization secret of origin protection, whose JSON
//! holds the random identifier CloudFront sends to MediaPackage
//! (`{"MediaPackageCDNIdentifier": "..."}`).
//!
//! Values are [`SecretString`]s: their `Debug` prints `<redacted>`, and no error of
//! this layer carries them.
//!
//! Idempotency: `create_secret` and `put_secret_value` take a ClientRequestToken
//! (32 to 64 characters: [`Owner::token`](super::ownership::Owner::token)). The same
//! token with the same value returns the existing secret or version, so the guard's
//! retries are safe; the same name or token with another value answers
//! AlreadyExists (a reconciler that re-rolled the random value after a crash then
//! describes the secret and adopts it by its owner tags).

use jiff::Timestamp;

use super::error::AwsError;
use super::intercept::aws_api;
use super::ownership::Tags;
use super::secret::SecretString;
use super::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

/// The JSON key MediaPackage reads the CDN identifier from.
pub const CDN_IDENTIFIER_KEY: &str = "MediaPackageCDNIdentifier";

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NewSecret {
    pub name: String,
    /// 32 to 64 characters; becomes the first version's id.
    pub client_request_token: String,
    pub description: Option<String>,
    pub value: SecretString,
    pub tags: Tags,
}

/// What create and put answer.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SecretVersionRef {
    pub arn: String,
    pub name: String,
    pub version_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SecretDescription {
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub tags: Tags,
    /// Set while the secret is scheduled for deletion: it refuses reads and a new
    /// secret of the same name until then (restore or wait).
    pub deleted_date: Option<Timestamp>,
    /// The version labelled AWSCURRENT.
    pub current_version_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SecretValue {
    pub arn: String,
    pub name: String,
    pub version_id: String,
    pub value: SecretString,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Deletion {
    /// Recoverable for 7 to 30 days (AWS's default is 30).
    RecoveryWindowDays(u32),
    /// Gone at once, with no recovery.
    Force,
}

aws_api! {
    /// Secrets Manager, as the reconcilers use it.
    pub trait SecretsManagerApi: Service::SecretsManager;

    async fn create_secret(&self, secret: NewSecret) -> Result<SecretVersionRef>;
    /// `id` is the secret's name or ARN.
    async fn describe_secret(&self, id: &str) -> Result<SecretDescription>;
    /// The AWSCURRENT version.
    async fn get_secret_value(&self, id: &str) -> Result<SecretValue>;
    /// A new AWSCURRENT version (rotation); the previous one becomes AWSPREVIOUS.
    async fn put_secret_value(&self, id: &str, client_request_token: &str, value: SecretString) -> Result<SecretVersionRef>;
    async fn delete_secret(&self, id: &str, deletion: Deletion) -> Result<()>;
}

/// A fresh random CDN identifier (122 random bits).
pub fn new_cdn_identifier() -> SecretString {
    SecretString::new(uuid::Uuid::new_v4().simple().to_string())
}

/// The secret's JSON for a CDN identifier.
pub fn cdn_identifier_secret(identifier: &SecretString) -> SecretString {
    SecretString::new(serde_json::json!({ CDN_IDENTIFIER_KEY: identifier.expose() }).to_string())
}

/// The CDN identifier inside a secret's JSON, if it holds one.
pub fn cdn_identifier_of(value: &SecretString) -> Option<SecretString> {
    let v: serde_json::Value = serde_json::from_str(value.expose()).ok()?;
    v.get(CDN_IDENTIFIER_KEY)?.as_str().map(SecretString::new)
}
