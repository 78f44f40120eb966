//! Secrets Manager on aws-sdk-secretsmanager.

use async_trait::async_trait;
use aws_sdk_secretsmanager as sm;
use jiff::Timestamp;

use crate::aws::clients::sdk_adapter;
use crate::aws::error::{missing, sdk_err, AwsError};
use crate::aws::ownership::Tags;
use crate::aws::secret::SecretString;
use crate::aws::secretsmanager::*;
use crate::aws::service::Service;

type Result<T> = std::result::Result<T, AwsError>;

const SVC: &str = "SecretsManager";

sdk_adapter!(
    SdkSecretsManager,
    aws_sdk_secretsmanager,
    Service::SecretsManager
);

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<Timestamp> {
    t.and_then(|t| Timestamp::new(t.secs(), t.subsec_nanos() as i32).ok())
}

#[async_trait]
impl SecretsManagerApi for SdkSecretsManager {
    async fn create_secret(&self, s: NewSecret) -> Result<SecretVersionRef> {
        let tags = s
            .tags
            .into_iter()
            .map(|(k, v)| sm::types::Tag::builder().key(k).value(v).build())
            .collect();
        let out = self
            .client
            .create_secret()
            .name(s.name)
            .client_request_token(s.client_request_token)
            .set_description(s.description)
            .secret_string(s.value.into_inner())
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(sdk_err(SVC, "CreateSecret"))?;
        Ok(SecretVersionRef {
            arn: out.arn().unwrap_or_default().into(),
            name: out.name().unwrap_or_default().into(),
            version_id: out.version_id().unwrap_or_default().into(),
        })
    }

    async fn describe_secret(&self, id: &str) -> Result<SecretDescription> {
        let out = self
            .client
            .describe_secret()
            .secret_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "DescribeSecret"))?;
        let current = out.version_ids_to_stages().and_then(|m| {
            m.iter()
                .find(|(_, stages)| stages.iter().any(|s| s == "AWSCURRENT"))
                .map(|(id, _)| id.clone())
        });
        Ok(SecretDescription {
            arn: out.arn().unwrap_or_default().into(),
            name: out.name().unwrap_or_default().into(),
            description: out.description().map(str::to_owned),
            tags: out
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                .collect::<Tags>(),
            deleted_date: time(out.deleted_date()),
            current_version_id: current,
        })
    }

    async fn get_secret_value(&self, id: &str) -> Result<SecretValue> {
        let out = self
            .client
            .get_secret_value()
            .secret_id(id)
            .send()
            .await
            .map_err(sdk_err(SVC, "GetSecretValue"))?;
        Ok(SecretValue {
            arn: out.arn().unwrap_or_default().into(),
            name: out.name().unwrap_or_default().into(),
            version_id: out.version_id().unwrap_or_default().into(),
            value: SecretString::new(
                out.secret_string()
                    .ok_or_else(|| missing(SVC, "GetSecretValue", "SecretString"))?,
            ),
        })
    }

    async fn put_secret_value(
        &self,
        id: &str,
        client_request_token: &str,
        value: SecretString,
    ) -> Result<SecretVersionRef> {
        let out = self
            .client
            .put_secret_value()
            .secret_id(id)
            .client_request_token(client_request_token)
            .secret_string(value.into_inner())
            .send()
            .await
            .map_err(sdk_err(SVC, "PutSecretValue"))?;
        Ok(SecretVersionRef {
            arn: out.arn().unwrap_or_default().into(),
            name: out.name().unwrap_or_default().into(),
            version_id: out.version_id().unwrap_or_default().into(),
        })
    }

    async fn delete_secret(&self, id: &str, deletion: Deletion) -> Result<()> {
        let req = self.client.delete_secret().secret_id(id);
        let req = match deletion {
            Deletion::Force => req.force_delete_without_recovery(true),
            Deletion::RecoveryWindowDays(d) => req.recovery_window_in_days(i64::from(d)),
        };
        req.send().await.map_err(sdk_err(SVC, "DeleteSecret"))?;
        Ok(())
    }
}
