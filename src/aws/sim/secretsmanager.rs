//! Simulated Secrets Manager: names unique per account and region, ClientRequestToken
//! idempotency (same token and value: the same version; another value: refused),
//! AWSCURRENT/AWSPREVIOUS labels on rotation, and deletion with a recovery window
//! during which the secret refuses reads and its name cannot be reused.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::ownership::Tags;
use crate::aws::secret::SecretString;
use crate::aws::secretsmanager::*;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Default)]
pub(crate) struct State {
    /// By name.
    secrets: BTreeMap<String, Rec>,
}

struct Rec {
    name: String,
    arn: String,
    description: Option<String>,
    tags: Tags,
    /// (version id, value), oldest first; the last is AWSCURRENT.
    versions: Vec<(String, SecretString)>,
    deleted_date: Option<Timestamp>,
}

pub(crate) struct SimSecretsManager(pub(crate) Arc<World>);

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new("SecretsManager", op, kind)
}

fn check_token(op: &'static str, token: &str) -> Result<()> {
    if !(32..=64).contains(&token.len()) {
        return Err(err(
            op,
            ErrorKind::InvalidRequest {
                message: "ClientRequestToken must be 32-64 characters long.".into(),
            },
        ));
    }
    Ok(())
}

fn marked_for_deletion(op: &'static str) -> AwsError {
    // AWS: InvalidRequestException, which the SDK mapping reads as Conflict.
    err(
        op,
        ErrorKind::Conflict {
            message:
                "You can't perform this operation on the secret because it was marked for deletion."
                    .into(),
        },
    )
}

impl SimSecretsManager {
    /// Forgets secrets whose recovery window has passed.
    fn settle(&self, state: &mut State) {
        let now = self.0.now_utc();
        state
            .secrets
            .retain(|_, r| r.deleted_date.is_none_or(|d| d > now));
    }

    fn find<'a>(state: &'a mut State, op: &'static str, id: &str) -> Result<&'a mut Rec> {
        let name = state
            .secrets
            .iter()
            .find(|(name, r)| *name == id || r.arn == id)
            .map(|(name, _)| name.clone());
        name.and_then(|n| state.secrets.get_mut(&n)).ok_or_else(|| {
            err(
                op,
                ErrorKind::NotFound {
                    message: "Secrets Manager can't find the specified secret.".into(),
                },
            )
        })
    }
}

fn version_ref(r: &Rec) -> SecretVersionRef {
    SecretVersionRef {
        arn: r.arn.clone(),
        name: r.name.clone(),
        version_id: r.versions.last().map(|v| v.0.clone()).unwrap_or_default(),
    }
}

#[async_trait]
impl SecretsManagerApi for SimSecretsManager {
    async fn create_secret(&self, s: NewSecret) -> Result<SecretVersionRef> {
        const OP: &str = "create_secret";
        check_token(OP, &s.client_request_token)?;
        let mut state = lock(&self.0.secretsmanager);
        self.settle(&mut state);
        if let Some(r) = state.secrets.get(&s.name) {
            if r.deleted_date.is_some() {
                return Err(err(
                    OP,
                    ErrorKind::Conflict {
                        message: format!(
                            "You can't create this secret because a secret with this name ({}) is already scheduled for deletion.",
                            s.name
                        ),
                    },
                ));
            }
            return match r.versions.iter().find(|v| v.0 == s.client_request_token) {
                Some((_, value)) if *value == s.value => Ok(SecretVersionRef {
                    arn: r.arn.clone(),
                    name: s.name.clone(),
                    version_id: s.client_request_token,
                }),
                _ => Err(err(
                    OP,
                    ErrorKind::AlreadyExists {
                        message: format!(
                            "The operation failed because the secret {} already exists.",
                            s.name
                        ),
                    },
                )),
            };
        }
        let suffix: String = (0..6).map(|_| fastrand::alphanumeric()).collect();
        let rec = Rec {
            name: s.name.clone(),
            arn: self
                .0
                .arn("secretsmanager", &format!("secret:{}-{suffix}", s.name)),
            description: s.description,
            tags: s.tags,
            versions: vec![(s.client_request_token, s.value)],
            deleted_date: None,
        };
        let answer = version_ref(&rec);
        state.secrets.insert(s.name, rec);
        Ok(answer)
    }

    async fn describe_secret(&self, id: &str) -> Result<SecretDescription> {
        let mut state = lock(&self.0.secretsmanager);
        self.settle(&mut state);
        let r = Self::find(&mut state, "describe_secret", id)?;
        Ok(SecretDescription {
            arn: r.arn.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            tags: r.tags.clone(),
            deleted_date: r.deleted_date,
            current_version_id: r.versions.last().map(|v| v.0.clone()),
        })
    }

    async fn get_secret_value(&self, id: &str) -> Result<SecretValue> {
        const OP: &str = "get_secret_value";
        let mut state = lock(&self.0.secretsmanager);
        self.settle(&mut state);
        let r = Self::find(&mut state, OP, id)?;
        if r.deleted_date.is_some() {
            return Err(marked_for_deletion(OP));
        }
        let (version_id, value) = r.versions.last().cloned().unwrap_or_default();
        Ok(SecretValue {
            name: r.name.clone(),
            arn: r.arn.clone(),
            version_id,
            value,
        })
    }

    async fn put_secret_value(
        &self,
        id: &str,
        client_request_token: &str,
        value: SecretString,
    ) -> Result<SecretVersionRef> {
        const OP: &str = "put_secret_value";
        check_token(OP, client_request_token)?;
        let mut state = lock(&self.0.secretsmanager);
        self.settle(&mut state);
        let r = Self::find(&mut state, OP, id)?;
        if r.deleted_date.is_some() {
            return Err(marked_for_deletion(OP));
        }
        let (arn, name) = (r.arn.clone(), r.name.clone());
        match r.versions.iter().find(|v| v.0 == client_request_token) {
            Some((_, v)) if *v == value => {}
            Some(_) => {
                return Err(err(
                    OP,
                    ErrorKind::AlreadyExists {
                        message: format!(
                            "You can't use ClientRequestToken {client_request_token} because that value is already in use for a version of secret {arn}."
                        ),
                    },
                ))
            }
            None => r.versions.push((client_request_token.to_owned(), value)),
        }
        Ok(SecretVersionRef {
            arn,
            name,
            version_id: client_request_token.to_owned(),
        })
    }

    async fn delete_secret(&self, id: &str, deletion: Deletion) -> Result<()> {
        const OP: &str = "delete_secret";
        let now = self.0.now_utc();
        let mut state = lock(&self.0.secretsmanager);
        self.settle(&mut state);
        let r = match Self::find(&mut state, OP, id) {
            Ok(r) => r,
            // Force-deleting what is already gone succeeds, as on AWS (and moto).
            Err(_) if deletion == Deletion::Force => return Ok(()),
            Err(e) => return Err(e),
        };
        if r.deleted_date.is_some() && deletion != Deletion::Force {
            return Err(marked_for_deletion(OP));
        }
        match deletion {
            Deletion::Force => r.deleted_date = Some(now),
            Deletion::RecoveryWindowDays(d) if (7..=30).contains(&d) => {
                r.deleted_date = Some(now + SignedDuration::from_hours(24 * i64::from(d)));
            }
            Deletion::RecoveryWindowDays(_) => {
                return Err(err(
                    OP,
                    ErrorKind::InvalidRequest {
                        message: "RecoveryWindowInDays must be between 7 and 30 days.".into(),
                    },
                ))
            }
        }
        self.settle(&mut state);
        Ok(())
    }
}

/// Secrets not scheduled for deletion.
pub(crate) fn live_count(world: &World) -> usize {
    lock(&world.secretsmanager)
        .secrets
        .values()
        .filter(|r| r.deleted_date.is_none())
        .count()
}
