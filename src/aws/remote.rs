//! The AWS simulation in another process, so that `onair bench` measures the
//! operator's memory and CPU alone: in one process the simulation keeps the
//! very configurations the reconcilers built, and no profiler can tell whose
//! they are.
//!
//! One generic protocol carries every service trait; [`aws_api!`] generates
//! both ends for each trait ([`RemoteSim`]'s implementation and
//! `<dyn Trait>::serve_call`), so no service has a hand-written client. A call
//! is `POST /call` with `{service, operation, args}` (each argument as JSON);
//! the answer is the trait method's `Result` as JSON. The server runs every
//! call through the simulation's own interceptor, so its throttling and call
//! counts are those of the in-process simulation. It is a test double on
//! loopback: secrets cross it in clear, through [`exposed_on_wire`] (they are
//! `<redacted>` in every other serialization).
//!
//! [`aws_api!`]: super::intercept::aws_api

use crate::aws::apis::AwsApis;
use std::collections::BTreeMap;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{AwsError, ErrorKind};
use super::service::Service;
use super::sim::Sim;
use super::wire::{Remote, Transport, WireCall};

/// The simulation's counters, for the benchmark's figures.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SimStats {
    /// Calls by service and operation (the trait method's name).
    pub calls: Vec<(Service, String, u64)>,
    /// Throttled answers by service.
    pub throttled: BTreeMap<Service, u64>,
}

impl SimStats {
    fn of(sim: &Sim) -> Self {
        let faults = sim.faults();
        SimStats {
            calls: faults
                .all_calls()
                .into_iter()
                .map(|((service, operation), n)| (service, operation.to_string(), n))
                .collect(),
            throttled: Service::ALL
                .iter()
                .map(|&service| (service, faults.throttled(service)))
                .collect(),
        }
    }

    /// Stats of these calls, nothing throttled (what the bench's unit tests
    /// feed it).
    pub fn of_calls(calls: &[(Service, &str, u64)]) -> Self {
        SimStats {
            calls: calls
                .iter()
                .map(|&(service, operation, n)| (service, operation.to_string(), n))
                .collect(),
            throttled: BTreeMap::new(),
        }
    }

    /// Calls to `service` whose operation `which` accepts.
    pub fn calls_to(&self, service: Service, which: impl Fn(&str) -> bool) -> u64 {
        self.calls
            .iter()
            .filter(|(s, operation, _)| *s == service && which(operation))
            .map(|(_, _, n)| n)
            .sum()
    }

    pub fn total(&self) -> u64 {
        self.calls.iter().map(|(_, _, n)| n).sum()
    }

    /// Calls that may have changed something (all but reads).
    pub fn writes(&self) -> u64 {
        self.writing_operations().map(|(_, _, n)| n).sum()
    }

    /// Describe, Get, List, Head and Find calls.
    pub fn reads(&self) -> u64 {
        self.total() - self.writes()
    }

    /// The calls to each of `services`, all operations.
    pub fn calls_per_service(&self, services: &[Service]) -> Vec<(Service, u64)> {
        services
            .iter()
            .map(|&service| (service, self.calls_to(service, |_| true)))
            .collect()
    }

    /// The operations that may have changed something (all but reads) and
    /// their counts, in the order of `calls`.
    pub fn writing_operations(&self) -> impl Iterator<Item = (Service, &str, u64)> {
        self.calls
            .iter()
            .filter(|(_, operation, n)| *n > 0 && !super::intercept::is_read(operation))
            .map(|(service, operation, n)| (*service, operation.as_str(), *n))
    }

    /// The calls made after `earlier`, counts of the same simulation.
    pub fn since(&self, earlier: &SimStats) -> SimStats {
        let before = |service: Service, operation: &str| {
            earlier
                .calls
                .iter()
                .find(|(s, o, _)| *s == service && o == operation)
                .map_or(0, |(_, _, n)| *n)
        };
        SimStats {
            calls: self
                .calls
                .iter()
                .map(|(service, operation, n)| {
                    let made = n.saturating_sub(before(*service, operation));
                    (*service, operation.clone(), made)
                })
                .filter(|(_, _, n)| *n > 0)
                .collect(),
            throttled: self
                .throttled
                .iter()
                .map(|(&service, &n)| {
                    let earlier = earlier.throttled.get(&service).copied().unwrap_or(0);
                    (service, n.saturating_sub(earlier))
                })
                .collect(),
        }
    }
}

/// A per-service rate limit to simulate (requests per second).
#[derive(Serialize, Deserialize)]
struct Throttle {
    service: Service,
    per_second: u32,
}

/// The account and region the simulation answers for.
#[derive(Serialize, Deserialize)]
struct Identity {
    account: String,
    region: String,
}

/// Every service trait, answered by a simulation served by [`serve`].
pub struct RemoteSim {
    http: Client<HttpConnector, Full<Bytes>>,
    url: String,
    account: String,
    region: String,
}

impl RemoteSim {
    /// Connects to the simulation at `url` (`http://host:port`).
    pub async fn connect(url: &str) -> Result<Arc<Self>, String> {
        let mut remote = RemoteSim {
            http: Client::builder(hyper_util::rt::TokioExecutor::new()).build_http(),
            url: url.trim_end_matches('/').to_string(),
            account: String::new(),
            region: String::new(),
        };
        let identity: Identity = remote
            .request("GET", "/identity", None)
            .await
            .map_err(|failure| failure.message)?;
        remote.account = identity.account;
        remote.region = identity.region;
        Ok(Arc::new(remote))
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Simulates AWS throttling `service` beyond `per_second` requests.
    pub async fn throttle(&self, service: Service, per_second: u32) -> Result<(), String> {
        let body = serde_json::to_vec(&Throttle {
            service,
            per_second,
        })
        .map_err(|e| e.to_string())?;
        self.request::<()>("POST", "/throttle", Some(body))
            .await
            .map_err(|failure| failure.message)
    }

    pub async fn stats(&self) -> Result<SimStats, String> {
        self.request("GET", "/stats", None)
            .await
            .map_err(|failure| failure.message)
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Failure> {
        let bytes = self.request_bytes(method, path, body).await?;
        // serde's message is left out: it can quote a value, which may be a secret.
        serde_json::from_slice(&bytes).map_err(|_| {
            Failure::refused(format!("the answer to {path} is not of the expected type"))
        })
    }

    async fn request_bytes(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Bytes, Failure> {
        let request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.url))
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(Failure::refused)?;
        let unreachable = |e: &dyn std::fmt::Display| Failure {
            message: format!("the simulation at {} did not answer: {e}", self.url),
            retryable: true,
        };
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| unreachable(&e))?
            .to_bytes();
        if !status.is_success() {
            return Err(Failure::refused(format!(
                "the simulation refused {path} ({status}): {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        Ok(bytes)
    }
}

/// A failure to reach the simulation is a transient error, retried by the
/// guard like a dropped connection to AWS; a call the simulation cannot read
/// is an invalid request, which no retry mends.
#[async_trait::async_trait]
impl Transport for RemoteSim {
    async fn send(&self, call: &WireCall, operation: &'static str) -> Result<Vec<u8>, AwsError> {
        let failed = |failure: Failure| {
            let message = failure.message;
            let kind = if failure.retryable {
                ErrorKind::Transient { message }
            } else {
                ErrorKind::InvalidRequest { message }
            };
            AwsError::new(call.service.name(), operation, kind)
        };
        let body = serde_json::to_vec(call).map_err(|e| failed(Failure::refused(e)))?;
        let bytes = self
            .request_bytes("POST", "/call", Some(body))
            .await
            .map_err(failed)?;
        Ok(bytes.to_vec())
    }
}

/// Why a request to the simulation failed, and whether trying again can help.
struct Failure {
    message: String,
    retryable: bool,
}

impl Failure {
    fn refused(message: impl std::fmt::Display) -> Self {
        Failure {
            message: message.to_string(),
            retryable: false,
        }
    }
}

/// Serves `sim` on `listener` until the task is dropped.
pub async fn serve(sim: Sim, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use axum::Json;

    async fn call(
        State(sim): State<Sim>,
        Json(call): Json<WireCall>,
    ) -> Result<Json<Value>, (StatusCode, String)> {
        dispatch(&sim, &call)
            .await
            .map(Json)
            .map_err(|message| (StatusCode::BAD_REQUEST, message))
    }
    async fn throttle(State(sim): State<Sim>, Json(throttle): Json<Throttle>) -> Json<()> {
        sim.faults().throttle(throttle.service, throttle.per_second);
        Json(())
    }
    async fn stats(State(sim): State<Sim>) -> Json<SimStats> {
        Json(SimStats::of(&sim))
    }
    async fn identity(State(sim): State<Sim>) -> Json<Identity> {
        Json(Identity {
            account: sim.account().to_string(),
            region: sim.region().to_string(),
        })
    }

    let app = axum::Router::new()
        .route("/call", post(call))
        .route("/throttle", post(throttle))
        .route("/stats", get(stats))
        .route("/identity", get(identity))
        .with_state(sim);
    axum::serve(listener, app).await
}

/// Hands a call to the simulated service it names.
async fn dispatch(sim: &Sim, call: &WireCall) -> Result<Value, String> {
    let (operation, args) = (call.operation.as_str(), call.args.as_slice());
    match call.service {
        Service::MediaLive => sim.medialive().serve_call(operation, args).await,
        Service::MediaPackage => sim.mediapackage().serve_call(operation, args).await,
        Service::MediaTailor => sim.mediatailor().serve_call(operation, args).await,
        Service::CloudFront => sim.cloudfront().serve_call(operation, args).await,
        Service::SecretsManager => sim.secretsmanager().serve_call(operation, args).await,
        Service::Sts => sim.sts().serve_call(operation, args).await,
        Service::CloudFrontKeyValueStore => sim.cloudfront_kvs().serve_call(operation, args).await,
        Service::Wafv2 => sim.wafv2().serve_call(operation, args).await,
        Service::S3 => sim.s3().serve_call(operation, args).await,
        Service::Kinesis => sim.kinesis().serve_call(operation, args).await,
        Service::MediaPackageVod => sim.mediapackagevod().serve_call(operation, args).await,
        Service::Firehose => sim.firehose().serve_call(operation, args).await,
        Service::MediaPackageV2 => sim.mediapackagev2().serve_call(operation, args).await,
    }
}

impl AwsApis {
    /// The simulation in another process ([`remote`](crate::aws::remote)), behind the same guard.
    pub fn remote(remote: &Arc<RemoteSim>, guard: crate::aws::guard::Guard) -> Self {
        let remote = Arc::new(Remote(remote.clone()));
        Self::guarded(
            guard,
            AwsApis {
                medialive: remote.clone(),
                mediatailor: remote.clone(),
                cloudfront: remote.clone(),
                cloudfront_kvs: remote.clone(),
                wafv2: remote.clone(),
                mediapackage: remote.clone(),
                secretsmanager: remote.clone(),
                sts: remote.clone(),
                s3: remote.clone(),
                kinesis: remote.clone(),
                firehose: remote.clone(),
                mediapackagevod: remote.clone(),
                mediapackagev2: remote.clone(),
            },
        )
    }
}
