//! Simulated Kinesis: streams a test makes with [`Sim::create_stream`](super::Sim).

use std::sync::Arc;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::kinesis::*;

pub(crate) struct SimKinesis(pub(crate) Arc<World>);

#[async_trait]
impl KinesisApi for SimKinesis {
    async fn describe_stream_summary(&self, stream: &str) -> Result<StreamSummary, AwsError> {
        lock(&self.0.kinesis)
            .values()
            .find(|s| s.name == stream || s.arn == stream)
            .cloned()
            .ok_or_else(|| {
                AwsError::new(
                    "Kinesis",
                    "describe_stream_summary",
                    ErrorKind::NotFound {
                        message: format!(
                            "Stream {stream} under account {} not found.",
                            self.0.account
                        ),
                    },
                )
            })
    }
}
