//! The secrets a LiveChannel's children need: Secrets Manager copies of the
//! SRT passphrases (kept current with their Kubernetes Secrets), and the CDN
//! identifier of origin protection, rotated on request with a grace period
//! while MediaPackage learns the new value.

use crate::api::live_channel::LiveChannelSpec;
use crate::aws::children::cloudfront::DistributionChild;
use crate::aws::children::medialive::SrtPassphraseChild;
use crate::aws::secret::SecretString;
use crate::controller::kit::driver::{DriverError, IdStore};
use crate::controller::kit::{aws_at, Step, StepError};

use super::{Apply, ROTATE_ANNOTATION};

impl Apply<'_> {
    /// The Secrets Manager copy of each SRT source's passphrase (by source
    /// index), kept current with its Kubernetes Secret.
    pub(super) async fn srt_passphrases(
        &mut self,
        spec: &LiveChannelSpec,
    ) -> Step<Vec<Option<String>>> {
        let sources = spec
            .input
            .srt_caller
            .as_ref()
            .map(|s| s.sources.clone())
            .unwrap_or_default();
        let mut arns = Vec::new();
        for (index, source) in sources.iter().enumerate() {
            let Some(reference) = &source.passphrase_secret_ref else {
                arns.push(None);
                continue;
            };
            let (value, version) = self.read_passphrase(reference).await?;
            let (apis, owner, tags) = (
                self.resolved.apis.clone(),
                self.owner.clone(),
                self.tags.clone(),
            );
            let child = SrtPassphraseChild {
                api: apis.secretsmanager.as_ref(),
                owner: &owner,
                tags: &tags,
                index,
                value,
                version,
            };
            let secret = self.steps.ensure(&child, "SRT passphrase secret").await?;
            arns.push(Some(secret.arn));
        }
        Ok(arns)
    }

    /// The passphrase in a Kubernetes Secret of the channel's namespace, and
    /// the version token of that Secret.
    pub(super) async fn read_passphrase(
        &self,
        reference: &crate::api::common::SecretKeySelector,
    ) -> Step<(SecretString, String)> {
        let what = "SRT passphrase secret";
        let invalid = |reason: &'static str, message: String| StepError {
            what,
            error: DriverError::Invalid { reason, message },
        };
        let namespace = self.owner.namespace.clone();
        let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
            kube::Api::namespaced(self.ctx.client.clone(), &namespace);
        let secret = secrets
            .get_opt(&reference.name)
            .await
            .map_err(|e| StepError { what, error: DriverError::Kube(e) })?
            .ok_or_else(|| {
                invalid(
                    "SecretNotFound",
                    format!("the Secret \"{}\" named in input.srtCaller.sources[].passphraseSecretRef does not exist in namespace {namespace}", reference.name),
                )
            })?;
        let bytes = secret
            .data
            .as_ref()
            .and_then(|d| d.get(&reference.key))
            .map(|b| b.0.clone())
            .ok_or_else(|| {
                invalid(
                    "SecretKeyNotFound",
                    format!("the Secret \"{}\" has no key \"{}\" (input.srtCaller.sources[].passphraseSecretRef)", reference.name, reference.key),
                )
            })?;
        let value = String::from_utf8(bytes).ok().filter(|v| (10..=79).contains(&v.chars().count())).ok_or_else(|| {
            invalid(
                "InvalidPassphrase",
                format!("the SRT passphrase in Secret \"{}\" key \"{}\" must be text of 10 to 79 characters", reference.name, reference.key),
            )
        })?;
        let version = SrtPassphraseChild::version_of(
            &self.owner,
            secret.metadata.uid.as_deref().unwrap_or_default(),
            secret
                .metadata
                .resource_version
                .as_deref()
                .unwrap_or_default(),
        );
        Ok((SecretString::new(value), version))
    }

    pub(super) async fn current_identifier(
        &self,
        apis: &crate::aws::apis::AwsApis,
        secret: &crate::aws::secretsmanager::SecretDescription,
    ) -> Step<SecretString> {
        self.ctx
            .cdn_identifier(
                apis.secretsmanager.as_ref(),
                &secret.arn,
                secret.current_version_id.as_deref(),
            )
            .await
            .map_err(aws_at("CDN-authorization secret"))
    }

    /// The identifier the recorded distribution sends today, if any.
    pub(super) async fn sent_identifier(
        &self,
        apis: &crate::aws::apis::AwsApis,
    ) -> Step<Option<SecretString>> {
        let Some(id) = self.steps.ids.recorded(DistributionChild::CHILD) else {
            return Ok(None);
        };
        let found = crate::aws::children::found(apis.cloudfront.get_distribution(&id).await)
            .map_err(aws_at("CloudFront distribution"))?;
        Ok(found.and_then(|d| {
            d.config
                .origins
                .iter()
                .flat_map(|o| o.custom_headers.iter())
                .find(|h| h.name == crate::plan::cloudfront::CDN_IDENTIFIER_HEADER)
                .map(|h| SecretString::new(h.value.clone()))
        }))
    }

    /// How long MediaPackage may still not know a rotated identifier.
    pub(super) fn rotation_grace_left(&self) -> Option<std::time::Duration> {
        let grace = self.ctx.timing.rotation_grace;
        if self.rotated.is_some() {
            return Some(grace);
        }
        let at = self.lc.status.as_ref()?.cdn_secret_rotated_at.as_deref()?;
        let at: jiff::Timestamp = at.parse().ok()?;
        let elapsed = jiff::Timestamp::now().duration_since(at);
        let left = jiff::SignedDuration::try_from(grace).ok()? - elapsed;
        (left > jiff::SignedDuration::ZERO)
            .then(|| std::time::Duration::try_from(left).unwrap_or_default())
    }

    /// Rotates the CDN identifier once per new value of the rotate annotation:
    /// a new secret version; the distribution then sends the new value.
    pub(super) async fn rotate_if_asked(
        &mut self,
        secret: crate::aws::secretsmanager::SecretDescription,
    ) -> Step<crate::aws::secretsmanager::SecretDescription> {
        let asked = self
            .lc
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(ROTATE_ANNOTATION));
        let done = self
            .lc
            .status
            .as_ref()
            .and_then(|s| s.cdn_secret_rotation.as_ref());
        let Some(asked) = asked.filter(|a| Some(*a) != done) else {
            return Ok(secret);
        };
        if let Some(lines) = self.steps.plan.as_mut() {
            lines.push(format!(
                "~ CDN-authorization secret {}: rotate the CDN identifier",
                secret.arn
            ));
            return Ok(secret);
        }
        let secrets = self.resolved.apis.secretsmanager.clone();
        let token = crate::aws::children::create_token(&self.owner, "cdn-rotation", Some(asked));
        let value = crate::aws::secretsmanager::cdn_identifier_secret(
            &crate::aws::secretsmanager::new_cdn_identifier(),
        );
        match secrets.put_secret_value(&secret.arn, &token, value).await {
            Ok(_) => {}
            // Put before a crash with the same token: already rotated.
            Err(e) if e.is_already_exists() => {}
            Err(e) => return Err(aws_at("CDN-authorization secret")(e)),
        }
        self.steps
            .events
            .publish(
                false,
                "CdnSecretRotated",
                "Rotate",
                format!(
                    "Rotated the CDN identifier in {} (annotation {ROTATE_ANNOTATION})",
                    secret.arn
                ),
            )
            .await;
        self.rotated = Some(asked.clone());
        // Written outside the driver: the next round reads the new version.
        self.steps
            .moved(crate::aws::children::mediapackage::CdnSecretChild::CHILD);
        secrets
            .describe_secret(&secret.arn)
            .await
            .map_err(aws_at("CDN-authorization secret"))
    }
}
