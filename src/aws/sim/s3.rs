//! Simulated S3 existence checks, over the buckets and objects of the simulation
//! (harvest jobs write there).

use std::sync::Arc;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::s3::*;

pub(crate) struct SimS3(pub(crate) Arc<World>);

fn not_found(op: &'static str) -> AwsError {
    // HEAD answers carry no body: AWS's code is just "NotFound".
    AwsError::new(
        "S3",
        op,
        ErrorKind::NotFound {
            message: "Not Found".into(),
        },
    )
}

#[async_trait]
impl S3Api for SimS3 {
    async fn head_bucket(&self, bucket: &str) -> Result<(), AwsError> {
        if lock(&self.0.s3_buckets).contains(bucket) {
            Ok(())
        } else {
            Err(not_found("head_bucket"))
        }
    }

    async fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectInfo, AwsError> {
        super::mediapackage::settle(&self.0);
        if !lock(&self.0.s3_buckets).contains(bucket) {
            return Err(not_found("head_object"));
        }
        let s3 = lock(&self.0.s3);
        let body = s3
            .get(&(bucket.to_owned(), key.to_owned()))
            .ok_or_else(|| not_found("head_object"))?;
        Ok(ObjectInfo {
            size: body.len() as u64,
            etag: Some(format!("\"{:016x}\"", fxhash(body))),
            last_modified: None,
        })
    }
}

/// A stable content hash for ETags (FNV-1a).
fn fxhash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325, |h, x| {
        (h ^ u64::from(*x)).wrapping_mul(0x100000001b3)
    })
}
