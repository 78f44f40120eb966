//! The real implementations of the service traits, on the official aws-sdk crates.
//!
//! The helpers below are shared by the adapters: each SDK crate has its own types,
//! but the shapes (tag maps, optional integers, paginated lists, builder errors)
//! are the same, so the conversions live here once.

use std::collections::HashMap;
use std::future::Future;

use aws_smithy_types::error::operation::BuildError;

use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::ownership::Tags;

pub mod cloudfront;
pub mod firehose;
pub mod kinesis;
pub mod medialive;
pub mod mediapackage;
pub mod mediapackagev2;
pub mod mediapackagevod;
pub mod mediatailor;
pub mod s3;
pub mod secretsmanager;
pub mod sts;
pub mod wafv2;

/// A request the SDK's builders refuse (a required field left empty), reported as
/// an invalid request of `service`'s `operation` rather than a transport failure.
pub(crate) fn build_err(
    service: &'static str,
    operation: &'static str,
) -> impl Fn(BuildError) -> AwsError {
    move |e| {
        AwsError::new(
            service,
            operation,
            ErrorKind::InvalidRequest {
                message: format!("could not build the request: {e}"),
            },
        )
    }
}

/// Tags as the services that take a plain string map want them (MediaLive,
/// MediaPackage, MediaPackage VOD).
pub(crate) fn tags_in(tags: Tags) -> HashMap<String, String> {
    tags.into_iter().collect()
}

/// Tags from a service's optional string map; none answered means no tags.
pub(crate) fn tags_out(tags: Option<&HashMap<String, String>>) -> Tags {
    tags.map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// Seconds the SDK answers as `i32`; a negative value (never sent by AWS) reads as
/// absent rather than wrapping round.
pub(crate) fn secs(v: Option<i32>) -> Option<u32> {
    v.and_then(|s| u32::try_from(s).ok())
}

/// Seconds onair keeps as `u32`, sent as the SDK's `i32`, capped rather than wrapped.
pub(crate) fn i32s(v: Option<u32>) -> Option<i32> {
    v.map(|s| i32::try_from(s).unwrap_or(i32::MAX))
}

/// A marker or next token worth sending back: AWS (and moto) answer an empty
/// string as well as none at the end of some lists.
pub(crate) fn non_empty(marker: Option<&str>) -> Option<String> {
    marker.filter(|m| !m.is_empty()).map(str::to_owned)
}

/// A list worth sending: none for an empty one (AWS reads an absent list as
/// empty, and some reject an empty one), each item converted by `f`.
pub(crate) fn non_empty_list<T>(v: Vec<String>, f: impl Fn(&String) -> T) -> Option<Vec<T>> {
    (!v.is_empty()).then(|| v.iter().map(f).collect())
}

/// Collects every page of a paginated list call.
///
/// `page` fetches one page given the marker (or next token) from the previous one
/// (`None` for the first) and answers that page's items with the marker of the
/// next page, `None` when there is none. Each call site decides when a list has
/// ended (an empty marker, `IsTruncated`, an empty page), since the services do not
/// agree; this only owns the loop.
pub(crate) async fn paginate<T, F, Fut>(mut page: F) -> Result<Vec<T>, AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), AwsError>>,
{
    let mut all = Vec::new();
    let mut marker = None;
    loop {
        let (items, next) = page(marker.take()).await?;
        all.extend(items);
        match next {
            Some(m) => marker = Some(m),
            None => return Ok(all),
        }
    }
}
