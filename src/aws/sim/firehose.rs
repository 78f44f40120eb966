//! Simulated Firehose: delivery streams from a Kinesis stream to S3 (CREATING,
//! then ACTIVE; version ids move with each destination update).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::firehose::*;
use crate::aws::ownership::Tags;

const CREATE: Duration = Duration::from_secs(30);

#[derive(Default)]
pub(crate) struct State {
    streams: BTreeMap<String, Rec>,
}

struct Rec {
    stream: DeliveryStream,
    active_at: Duration,
}

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new("Firehose", op, kind)
}

fn not_found(op: &'static str, name: &str) -> AwsError {
    err(
        op,
        ErrorKind::NotFound {
            message: format!("ResourceNotFoundException: Firehose {name} not found"),
        },
    )
}

fn check(op: &'static str, d: &S3Delivery) -> Result<(), AwsError> {
    let bad = |message: String| Err(err(op, ErrorKind::InvalidRequest { message }));
    if !d.bucket_arn.starts_with("arn:") || !d.role_arn.starts_with("arn:") {
        return bad("BucketARN and RoleARN must be ARNs".into());
    }
    if !(60..=900).contains(&d.buffer_interval_seconds) || !(1..=128).contains(&d.buffer_size_mib) {
        return bad("BufferingHints out of range".into());
    }
    Ok(())
}

pub(crate) struct SimFirehose(pub(crate) Arc<World>);

impl SimFirehose {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        let now = self.0.clock.now();
        let mut s = lock(&self.0.firehose);
        for rec in s.streams.values_mut() {
            if rec.stream.status == "CREATING" && now >= rec.active_at {
                rec.stream.status = "ACTIVE".into();
            }
        }
        s
    }

    pub(crate) fn count(&self) -> usize {
        self.state().streams.len()
    }
}

#[async_trait]
impl FirehoseApi for SimFirehose {
    async fn create_delivery_stream(
        &self,
        name: &str,
        source_stream_arn: &str,
        destination: S3Delivery,
        _tags: Tags, // nothing reads stream tags back
    ) -> Result<(), AwsError> {
        const OP: &str = "create_delivery_stream";
        check(OP, &destination)?;
        let now = self.0.clock.now();
        let arn = self.0.arn("firehose", &format!("deliverystream/{name}"));
        let mut s = self.state();
        if s.streams.contains_key(name) {
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!("ResourceInUseException: Firehose {name} already exists"),
                },
            ));
        }
        s.streams.insert(
            name.to_owned(),
            Rec {
                stream: DeliveryStream {
                    name: name.to_owned(),
                    arn,
                    status: "CREATING".into(),
                    source_stream_arn: source_stream_arn.to_owned(),
                    destination,
                    version_id: "1".into(),
                    destination_id: "destinationId-000000000001".into(),
                },
                active_at: now + CREATE,
            },
        );
        Ok(())
    }

    async fn describe_delivery_stream(&self, name: &str) -> Result<DeliveryStream, AwsError> {
        self.state()
            .streams
            .get(name)
            .map(|r| r.stream.clone())
            .ok_or_else(|| not_found("describe_delivery_stream", name))
    }

    async fn update_destination(
        &self,
        name: &str,
        version_id: &str,
        destination_id: &str,
        destination: S3Delivery,
    ) -> Result<(), AwsError> {
        const OP: &str = "update_destination";
        check(OP, &destination)?;
        let mut s = self.state();
        let rec = s.streams.get_mut(name).ok_or_else(|| not_found(OP, name))?;
        if rec.stream.version_id != version_id || rec.stream.destination_id != destination_id {
            return Err(err(
                OP,
                ErrorKind::Conflict {
                    message: "ConcurrentModificationException: the version id is not current"
                        .into(),
                },
            ));
        }
        let next: u64 = rec.stream.version_id.parse().unwrap_or(0) + 1;
        rec.stream.version_id = next.to_string();
        rec.stream.destination = destination;
        Ok(())
    }

    async fn delete_delivery_stream(&self, name: &str) -> Result<(), AwsError> {
        self.state()
            .streams
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| not_found("delete_delivery_stream", name))
    }
}
