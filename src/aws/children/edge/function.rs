//! The CloudFront Function that checks tokens at the edge, kept published.

use async_trait::async_trait;

use crate::aws::children::verified::VerifiedContent;
use crate::aws::children::{deletion, found, External, Located};
use crate::aws::cloudfront::{CloudFrontApi, Function, FunctionSpec, FunctionStage};
use crate::aws::error::AwsError;
use crate::aws::ownership::{Owner, Tags};

use super::tagged_by;

pub struct FunctionChild<'a> {
    pub api: &'a dyn CloudFrontApi,
    /// LIVE code already verified at its ETag: its GetFunction is skipped.
    pub verified: &'a VerifiedContent,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub name: String,
    /// Code and key value store association.
    pub spec: FunctionSpec,
}

/// A function as it stands in both stages.
#[derive(Debug, Clone)]
pub struct FunctionState {
    pub name: String,
    pub arn: String,
    /// DEVELOPMENT: what update and publish start from.
    pub development: FunctionSpec,
    pub development_etag: String,
    /// The code LIVE runs, once published.
    pub live_code: Option<String>,
}

impl FunctionState {
    /// LIVE runs what DEVELOPMENT holds.
    pub fn published(&self) -> bool {
        self.live_code.as_deref() == Some(self.development.code.as_str())
    }
}

impl FunctionChild<'_> {
    pub const CHILD: &'static str = "function";

    /// Both stages, LIVE first: when LIVE already runs the desired code
    /// and configuration (every resync of a settled policy), DEVELOPMENT is
    /// not read. It only matters to a change (its ETag is what update and
    /// publish take), and the next change reads it. LIVE's code is read only
    /// when its ETag has moved since this process last found it as desired
    /// ([`VerifiedContent`]), so a settled function costs one read.
    async fn read(&self, name: &str) -> Result<Option<FunctionState>, AwsError> {
        let live = found(self.api.describe_function(name, FunctionStage::Live).await)?;
        let runs_desired = |live: &Function, code: &str| FunctionState {
            name: live.name.clone(),
            arn: live.arn.clone(),
            development: self.spec.clone(),
            // Never used: nothing is updated or published.
            development_etag: String::new(),
            live_code: Some(code.to_string()),
        };
        let configured = live.as_ref().is_some_and(|live| {
            live.comment == self.spec.comment
                && live.key_value_store_arns == self.spec.key_value_store_arns
        });
        if let Some(live) = live.as_ref().filter(|_| configured) {
            if self.verified.holds(&live.arn, &live.etag, &self.spec.code) {
                return Ok(Some(runs_desired(live, &self.spec.code)));
            }
        }
        let live_code = match &live {
            Some(_) => found(self.api.get_function_code(name, FunctionStage::Live).await)?,
            None => None,
        };
        if let (Some(live), Some(code)) = (&live, &live_code) {
            if configured && code.code == self.spec.code {
                self.verified.record(&live.arn, &live.etag, &code.code);
                return Ok(Some(runs_desired(live, &code.code)));
            }
        }
        self.at()
            .with_development(name, live_code.map(|l| l.code))
            .await
    }

    async fn publish(&self, state: FunctionState) -> Result<FunctionState, AwsError> {
        self.api
            .publish_function(&state.name, &state.development_etag)
            .await?;
        Ok(FunctionState {
            live_code: Some(state.development.code.clone()),
            ..state
        })
    }
}

impl FunctionAt<'_> {
    /// Both stages, read in full: no desired state to take a shortcut with
    /// (only crash recovery looks for an unrecorded function).
    async fn read(&self, name: &str) -> Result<Option<FunctionState>, AwsError> {
        let live_code = match found(self.api.describe_function(name, FunctionStage::Live).await)? {
            Some(_) => found(self.api.get_function_code(name, FunctionStage::Live).await)?,
            None => None,
        };
        self.with_development(name, live_code.map(|l| l.code)).await
    }

    /// The function's DEVELOPMENT stage, with what LIVE runs.
    async fn with_development(
        &self,
        name: &str,
        live_code: Option<String>,
    ) -> Result<Option<FunctionState>, AwsError> {
        let Some(dev) = found(
            self.api
                .describe_function(name, FunctionStage::Development)
                .await,
        )?
        else {
            return Ok(None);
        };
        let code = self
            .api
            .get_function_code(name, FunctionStage::Development)
            .await?;
        Ok(Some(FunctionState {
            name: dev.name,
            arn: dev.arn,
            development: FunctionSpec {
                comment: dev.comment,
                code: code.code,
                key_value_store_arns: dev.key_value_store_arns,
            },
            development_etag: code.etag,
            live_code,
        }))
    }
}

/// Where the function is.
pub struct FunctionAt<'a> {
    pub api: &'a dyn CloudFrontApi,
    /// LIVE code already verified at its ETag (forgotten on delete).
    pub verified: &'a VerifiedContent,
    pub owner: &'a Owner,
    pub name: String,
}

#[async_trait]
impl Located for FunctionAt<'_> {
    type Observed = FunctionState;

    fn child(&self) -> &'static str {
        FunctionChild::CHILD
    }

    fn id_of(observed: &FunctionState) -> String {
        observed.name.clone()
    }

    async fn find_unrecorded(&self, _: Option<&str>) -> Result<Option<FunctionState>, AwsError> {
        let Some(state) = self.read(&self.name).await? else {
            return Ok(None);
        };
        Ok(
            tagged_by(self.api, self.owner, FunctionChild::CHILD, &state.arn)
                .await?
                .then_some(state),
        )
    }

    /// Refused while a distribution uses it: `Ok(false)` until the channels
    /// have dropped it.
    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        let Some(dev) = found(
            self.api
                .describe_function(id, FunctionStage::Development)
                .await,
        )?
        else {
            return Ok(true);
        };
        self.verified.forget(&dev.arn);
        deletion(self.api.delete_function(id, &dev.etag).await)
    }
}

#[async_trait]
impl<'a> External for FunctionChild<'a> {
    type Observed = FunctionState;
    type At = FunctionAt<'a>;

    fn at(&self) -> FunctionAt<'a> {
        FunctionAt {
            api: self.api,
            verified: self.verified,
            owner: self.owner,
            name: self.name.clone(),
        }
    }

    fn at_rest(&self, observed: &FunctionState) -> bool {
        observed.published()
    }

    async fn observe(&self, id: &str) -> Result<Option<FunctionState>, AwsError> {
        self.read(id).await
    }

    /// Created in DEVELOPMENT and published at once: behaviours can only use
    /// a LIVE function. A crash in between is finished by `update`.
    async fn create(&self, _: Option<&str>) -> Result<FunctionState, AwsError> {
        let created = self
            .api
            .create_function(
                &self.name,
                self.spec.clone(),
                self.owner.tags(Self::CHILD, self.tags),
            )
            .await?;
        let state = FunctionState {
            name: created.name,
            arn: created.arn,
            development: self.spec.clone(),
            development_etag: created.etag,
            live_code: None,
        };
        self.publish(state).await
    }

    fn up_to_date(&self, observed: &FunctionState) -> bool {
        observed.development == self.spec && observed.published()
    }

    /// The code follows the channels' paths and AdInsertions as well as the
    /// spec; a code change alone is not taken for drift.
    fn follows_inputs(&self, observed: &FunctionState) -> bool {
        observed.development.code != self.spec.code
            && observed.development.key_value_store_arns == self.spec.key_value_store_arns
    }

    fn changes(&self, observed: &FunctionState) -> Vec<String> {
        let mut lines = Vec::new();
        if observed.development.code != self.spec.code {
            lines.push(format!(
                "code: {} bytes -> {} bytes",
                observed.development.code.len(),
                self.spec.code.len()
            ));
        }
        if observed.development.key_value_store_arns != self.spec.key_value_store_arns {
            lines.push("keyValueStoreAssociations: changes".into());
        }
        if !observed.published() {
            lines.push("stage: publish to LIVE".into());
        }
        lines
    }

    /// Update DEVELOPMENT if it differs, then publish: CloudFront moves every
    /// behaviour that uses the function to the new code.
    async fn update(&self, observed: FunctionState) -> Result<FunctionState, AwsError> {
        let state = if observed.development == self.spec {
            observed
        } else {
            let updated = self
                .api
                .update_function(
                    &observed.name,
                    self.spec.clone(),
                    &observed.development_etag,
                )
                .await?;
            FunctionState {
                development: self.spec.clone(),
                development_etag: updated.etag,
                live_code: observed.live_code,
                ..observed
            }
        };
        self.publish(state).await
    }
}
