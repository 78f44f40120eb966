//! Calls of the service traits as JSON, for a simulation served in another
//! process (`onair bench`, the real-cluster tests): one JSON value per
//! argument, the method's `Result` as JSON. [`aws_api!`] generates both ends
//! for each trait: [`Remote`]'s implementation, which hands the call to any
//! [`Transport`], and `<dyn Trait>::serve_call`, which answers one. The
//! transport itself (HTTP on loopback) and the server are the simulation's
//! ([`remote`](crate::aws::remote)); nothing here knows them.
//!
//! Secrets cross this wire in clear, through [`exposed_on_wire`] (they are
//! `<redacted>` in every other serialization): it is a test double's.
//!
//! [`aws_api!`]: super::intercept::aws_api

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{AwsError, ErrorKind};
use super::secret::exposed_on_wire;
use super::service::Service;

/// One call of a service trait method.
#[derive(Serialize, Deserialize)]
pub struct WireCall {
    pub service: Service,
    pub operation: String,
    pub args: Vec<Value>,
}

/// An [`AwsError`] as it crosses the wire (its names are owned there).
#[derive(Serialize, Deserialize)]
pub struct WireError {
    service: String,
    operation: String,
    kind: ErrorKind,
    request_id: Option<String>,
}

/// What carries a call to the process that answers it.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Delivers `call`; the answer is the method's `Result` as JSON. A call
    /// that could not be delivered is an [`AwsError`] about `operation`
    /// (transient when trying again can help).
    async fn send(&self, call: &WireCall, operation: &'static str) -> Result<Vec<u8>, AwsError>;
}

/// Every service trait, answered through a [`Transport`] (whose own methods
/// it passes on).
pub struct Remote<T>(pub Arc<T>);

impl<T> std::ops::Deref for Remote<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Transport> Remote<T> {
    /// One trait method call (what [`aws_api!`](super::intercept::aws_api)
    /// generates for each).
    pub async fn call<R: DeserializeOwned>(
        &self,
        service: Service,
        operation: &'static str,
        args: Vec<Value>,
    ) -> Result<R, AwsError> {
        let call = WireCall {
            service,
            operation: operation.to_string(),
            args,
        };
        let bytes = self.0.send(&call, operation).await?;
        // serde's message is left out: it can quote a value, which may be a secret.
        let answer: Result<R, WireError> = serde_json::from_slice(&bytes).map_err(|_| {
            AwsError::new(
                service.name(),
                operation,
                ErrorKind::InvalidRequest {
                    message: format!("the answer to {operation} is not of the expected type"),
                },
            )
        })?;
        answer.map_err(|error| AwsError {
            service: interned(&error.service),
            operation: interned(&error.operation),
            kind: error.kind,
            request_id: error.request_id,
        })
    }
}

/// `AwsError` names its service and operation with `&'static str`. Those from
/// the wire come from a small fixed set (the simulation's operation names),
/// so each distinct name is leaked once and reused.
fn interned(name: &str) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES.lock().expect("interned names poisoned");
    match names.get(name) {
        Some(known) => known,
        None => {
            let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
            names.insert(leaked);
            leaked
        }
    }
}

/// An argument as JSON, secrets included. The request types are plain data
/// (strings, numbers, string-keyed maps), which always serialize.
pub fn to_wire<T: Serialize + ?Sized>(value: &T) -> Value {
    exposed_on_wire(|| serde_json::to_value(value)).expect("AWS request types serialize to JSON")
}

/// The argument `name` of a call, read back (borrowing strings from `value`).
/// serde's message is left out: it can quote the value, which may be a secret.
pub fn from_wire<'a, T: Deserialize<'a>>(
    value: Option<&'a Value>,
    name: &str,
) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("argument {name} is missing"))?;
    T::deserialize(value).map_err(|_| format!("argument {name} is not of the operation's type"))
}

/// A trait method's answer as JSON, secrets included.
pub fn answer<T: Serialize>(result: Result<T, AwsError>) -> Result<Value, String> {
    let result = result.map_err(|error| WireError {
        service: error.service.to_string(),
        operation: error.operation.to_string(),
        kind: error.kind,
        request_id: error.request_id,
    });
    exposed_on_wire(|| serde_json::to_value(&result)).map_err(|e| e.to_string())
}
