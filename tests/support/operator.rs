//! The operator against the local API server and the AWS simulation: a
//! fresh pair per test, reconciles driven by hand (with simulated AWS time
//! moving between them) or by the real controller.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::NamespaceResourceScope;
use kube::api::{Api, DeleteParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use onair::api::harvest_job::HarvestJob;
use onair::api::live_channel::LiveChannel;
use onair::api::{AdInsertion, AwsProvider, TokenPolicy};
use onair::apiserver::LocalApiServer;
use onair::aws::guard::{Budgets, Limiters};
use onair::aws::sim::Sim;
use onair::controller::context::{Context, Timing};
use onair::controller::kit::Error;
use onair::controller::live_channel;
use onair::controller::provider::{Connector, ProviderDefaults, Providers};

pub const NS: &str = "default";

/// AWS rate limits out of the way: a budget no test reaches, per service.
pub fn unlimited() -> Budgets {
    let mut budgets = Budgets::default();
    for service in onair::aws::Service::ALL {
        budgets
            .overrides
            .insert(service, onair::aws::guard::Budget::per_second(100_000));
    }
    budgets
}

/// Builds the provider resolution of a (re)started operator.
pub type ProvidersFactory = Arc<dyn Fn(&kube::Client) -> Providers + Send + Sync>;

pub struct Operator {
    pub server: LocalApiServer,
    pub client: kube::Client,
    /// The simulated AWS (or the part of AWS the emulators serve).
    pub sim: Sim,
    pub ctx: Arc<Context>,
    providers: ProvidersFactory,
}

impl Operator {
    /// With AWS rate limits out of the way (tests are about behaviour; the
    /// benchmark measures throttled convergence).
    pub async fn start() -> Self {
        Self::start_with(Sim::default(), unlimited()).await
    }

    pub async fn start_with(sim: Sim, budgets: Budgets) -> Self {
        let in_sim = sim.clone();
        let factory: ProvidersFactory = Arc::new(move |client: &kube::Client| {
            let connector = Connector::fixed(
                &Limiters::new(budgets.clone()),
                in_sim.account(),
                in_sim.region(),
                |guard| onair::aws::AwsApis::sim(&in_sim, guard),
            );
            Providers::new(
                client.clone(),
                connector,
                onair::aws::clients::ClientSettings {
                    region: "eu-west-1".into(),
                    ..Default::default()
                },
                ProviderDefaults::default(),
            )
        });
        Self::start_custom(sim, factory).await
    }

    /// With providers of the caller's making (the real SDK against emulators).
    pub async fn start_custom(sim: Sim, providers: ProvidersFactory) -> Self {
        let server = super::server_with_crds().await;
        let client = server.client();
        let provider: AwsProvider = super::example("aws-provider.yaml");
        Api::<AwsProvider>::all(client.clone())
            .create(&PostParams::default(), &provider)
            .await
            .unwrap();
        let mut operator = Self {
            ctx: Arc::new(Context::new(
                client.clone(),
                providers(&client),
                Timing::default(),
            )),
            server,
            client,
            sim,
            providers,
        };
        operator.restart();
        operator
    }

    /// A new process: fresh caches and rate limiters, same cluster and AWS.
    pub fn restart(&mut self) {
        let timing = Timing {
            resync: Duration::from_secs(600),
            poll: Duration::from_millis(20),
            retry: Duration::from_millis(20),
            // Rotation waits for MediaPackage in wall-clock time; short here.
            rotation_grace: Duration::from_millis(300),
        };
        self.ctx = Arc::new(Context::new(
            self.client.clone(),
            (self.providers)(&self.client),
            timing,
        ));
    }

    pub fn api(&self) -> Api<LiveChannel> {
        Api::namespaced(self.client.clone(), NS)
    }

    /// Any namespaced kind in the test namespace.
    pub fn api_of<K>(&self) -> Api<K>
    where
        K: Resource<Scope = NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), NS)
    }

    /// Creates an object of any namespaced kind in the test namespace.
    pub async fn create<K>(&self, object: &K) -> K
    where
        K: Resource<Scope = NamespaceResourceScope>
            + Clone
            + std::fmt::Debug
            + serde::Serialize
            + serde::de::DeserializeOwned,
        K::DynamicType: Default,
    {
        self.api_of::<K>()
            .create(&PostParams::default(), object)
            .await
            .unwrap_or_else(|e| panic!("{} is accepted: {e}", object.name_any()))
    }

    /// One reconcile of the AdInsertion as it is now (which must succeed);
    /// the object after it (None once it is gone).
    pub async fn reconcile_ads(&self, name: &str) -> Option<AdInsertion> {
        let ads = self.api_of::<AdInsertion>();
        let adi = ads.get_opt(name).await.unwrap()?;
        onair::controller::ad_insertion::reconcile(Arc::new(adi), self.ctx.clone())
            .await
            .unwrap();
        ads.get_opt(name).await.unwrap()
    }

    /// One reconcile of the TokenPolicy as it is now (which must succeed);
    /// the object after it (None once it is gone).
    pub async fn reconcile_policy(&self, name: &str) -> Option<TokenPolicy> {
        let policies = self.api_of::<TokenPolicy>();
        let tp = policies.get_opt(name).await.unwrap()?;
        onair::controller::token_policy::reconcile(Arc::new(tp), self.ctx.clone())
            .await
            .unwrap();
        policies.get_opt(name).await.unwrap()
    }

    /// Reconciles the HarvestJob (each reconcile must succeed), moving
    /// simulated AWS time 20 s between rounds, until `done` holds for it.
    pub async fn settle_job(
        &self,
        name: &str,
        done: impl Fn(Option<&HarvestJob>) -> bool,
    ) -> Option<HarvestJob> {
        let jobs = self.api_of::<HarvestJob>();
        for _ in 0..60 {
            let hj = jobs.get_opt(name).await.unwrap();
            if done(hj.as_ref()) {
                return hj;
            }
            if let Some(hj) = hj {
                onair::controller::harvest_job::reconcile(Arc::new(hj), self.ctx.clone())
                    .await
                    .unwrap();
            }
            self.sim.advance(Duration::from_secs(20));
        }
        panic!(
            "{name} never settled: {:?}",
            jobs.get_opt(name).await.unwrap().and_then(|h| h.status)
        );
    }

    /// Makes AWS refuse the next `call` of `service` as an invalid request
    /// with `message`.
    pub fn refuse_next(&self, service: onair::aws::Service, call: &'static str, message: &str) {
        self.sim.faults().inject(
            service,
            call,
            onair::aws::sim::Fault::Error(onair::aws::ErrorKind::InvalidRequest {
                message: message.into(),
            }),
            1,
        );
    }

    pub async fn apply(&self, channel: &LiveChannel) {
        self.api()
            .create(&PostParams::default(), channel)
            .await
            .expect("the LiveChannel is accepted");
    }

    pub async fn get(&self, name: &str) -> Option<LiveChannel> {
        self.api().get_opt(name).await.unwrap()
    }

    pub async fn delete(&self, name: &str) {
        self.api()
            .delete(name, &DeleteParams::default())
            .await
            .unwrap();
    }

    /// Merge-patches the spec.
    pub async fn patch_spec(&self, name: &str, spec: serde_json::Value) {
        self.api()
            .patch(
                name,
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(serde_json::json!({ "spec": spec })),
            )
            .await
            .unwrap();
    }

    /// One reconcile of the object as it is now (None once it is gone).
    pub async fn reconcile(&self, name: &str) -> Option<Result<Action, Error>> {
        let lc = self.get(name).await?;
        Some(live_channel::reconcile(Arc::new(lc), self.ctx.clone()).await)
    }

    /// Reconciles, moving simulated AWS time 30 s between rounds, until
    /// `done` holds for the object (or it is gone, when `done` takes None).
    pub async fn settle(
        &self,
        name: &str,
        done: impl Fn(Option<&LiveChannel>) -> bool,
    ) -> Option<LiveChannel> {
        for _ in 0..80 {
            let lc = self.get(name).await;
            if done(lc.as_ref()) {
                return lc;
            }
            if let Some(Err(e)) = self.reconcile(name).await {
                eprintln!("reconcile failed (retrying): {e}");
            }
            self.sim.advance(Duration::from_secs(30));
        }
        let lc = self.get(name).await;
        panic!(
            "{name} never settled; status: {}",
            serde_json::to_string_pretty(&lc.and_then(|l| l.status)).unwrap()
        );
    }

    /// Applies the example channel as `name` and waits until it is on air.
    pub async fn start_channel(&self, name: &str) -> LiveChannel {
        self.apply(&super::example_channel(name)).await;
        self.settle(name, on_air).await.expect("the channel exists")
    }

    pub async fn inventory(&self) -> BTreeMap<&'static str, usize> {
        self.sim.inventory().await
    }

    /// The event reasons recorded for an object, oldest first.
    pub async fn event_reasons(&self, name: &str) -> Vec<String> {
        self.events_in(NS, |regarding| regarding.name.as_deref() == Some(name))
            .await
            .into_iter()
            .filter_map(|e| e.reason)
            .collect()
    }

    /// The events in `namespace` about the objects `regarding` picks, oldest first.
    pub async fn events_in(
        &self,
        namespace: &str,
        regarding: impl Fn(&k8s_openapi::api::core::v1::ObjectReference) -> bool,
    ) -> Vec<k8s_openapi::api::events::v1::Event> {
        let events: Api<k8s_openapi::api::events::v1::Event> =
            Api::namespaced(self.client.clone(), namespace);
        let mut list: Vec<_> = events
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.regarding.as_ref().is_some_and(&regarding))
            .collect();
        list.sort_by_key(|e| e.metadata.creation_timestamp.clone().map(|t| t.0));
        list
    }
}

/// Ready, and MediaLive says RUNNING.
pub fn on_air(lc: Option<&LiveChannel>) -> bool {
    ready(lc) && channel_state(lc).as_deref() == Some("RUNNING")
}

/// Ready=True on the object.
pub fn ready(lc: Option<&LiveChannel>) -> bool {
    condition(lc, "Ready").is_some_and(|c| c.status == onair::api::ConditionStatus::True)
}

pub fn condition<'a>(
    lc: Option<&'a LiveChannel>,
    type_: &str,
) -> Option<&'a onair::api::Condition> {
    lc?.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
}

/// The Ready condition's reason among `conditions` ("" without one).
pub fn ready_reason(conditions: &[onair::api::Condition]) -> String {
    conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.reason.clone())
        .unwrap_or_default()
}

pub fn channel_state(lc: Option<&LiveChannel>) -> Option<String> {
    lc?.status.as_ref()?.channel_state.clone()
}

/// One of each resource a channel with the example's spec owns.
pub fn one_of_each() -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("channels", 1),
        ("distributions", 1),
        ("input security groups", 1),
        ("inputs", 1),
        ("origin endpoints", 2),
        ("packaging channels", 1),
        ("secrets", 1),
    ])
}

pub fn none_of_each() -> BTreeMap<&'static str, usize> {
    one_of_each().into_keys().map(|k| (k, 0)).collect()
}

/// Runs `lifecycle` once without a crash (it answers the AWS writes it
/// made), then once with a crash after each of those writes in turn, and two
/// more: a crashed run can make a retried write or two. The clean run's writes.
pub async fn crash_at_every_write<F, Fut>(mut lifecycle: F) -> u64
where
    F: FnMut(Option<u64>) -> Fut,
    Fut: std::future::Future<Output = u64>,
{
    let writes = lifecycle(None).await;
    for n in 1..=writes + 2 {
        lifecycle(Some(n)).await;
    }
    writes
}

/// An operator kill right after the n-th AWS write (or none): AWS applied
/// the write, the process's memory is gone, a fresh process takes over.
pub struct Crash {
    at: Option<u64>,
    fired: Option<Arc<tokio::sync::Notify>>,
    crashes: u32,
}

impl Crash {
    /// Arms the simulation to kill the operator after its `at`-th write.
    pub fn arm(op: &Operator, at: Option<u64>) -> Self {
        Self {
            at,
            fired: at.map(|n| op.sim.faults().crash_after_writes(n)),
            crashes: 0,
        }
    }

    /// Runs one step of the operator (`step` borrows it); if the kill
    /// comes mid-step, the step is dropped where it stands and the operator
    /// restarts.
    pub async fn step<F>(&mut self, op: &mut Operator, step: F)
    where
        F: for<'a> FnOnce(&'a Operator) -> futures::future::BoxFuture<'a, ()>,
    {
        match &self.fired {
            Some(fired) => {
                let fired = fired.clone();
                let killed = tokio::select! {
                    _ = step(op) => false,
                    _ = fired.notified() => true,
                };
                if killed {
                    self.crashes += 1;
                    op.restart();
                }
            }
            None => step(op).await,
        }
    }

    /// The kill happened, unless the run made fewer writes than its point
    /// (a crashed run can make a retried write or two more or fewer than a
    /// clean one, so points past the clean run's last write are tried too).
    pub fn check(&self, writes: u64) {
        if let Some(n) = self.at {
            assert!(
                self.crashes == 1 || writes < n,
                "crash at write {n} never happened in {writes} writes"
            );
        }
    }
}
