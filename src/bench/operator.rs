//! The operator as the bench runs it: a Context of its own (providers
//! reaching the simulation through the rate budgets, the catalog's watches,
//! empty caches) and the controllers of the kinds the bench applies. What a
//! fresh `onair run` process holds, so starting a second one against the
//! same world is a restart.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::aws::guard::{Budget, Budgets, Limiters};
use crate::aws::remote::RemoteSim;
use crate::aws::Service;
use crate::controller::context::{Context, Timing};
use crate::controller::provider::{Connector, ProviderDefaults, Providers};

/// A running operator; its controllers stop when it is dropped.
pub struct Operator {
    pub ctx: Arc<Context>,
    controllers: Vec<tokio::task::JoinHandle<()>>,
}

impl Operator {
    /// Starts the controllers of LiveChannels (and with `ads_and_tokens`, of
    /// AdInsertions and TokenPolicies), budgeted at `rates`.
    pub fn start(
        client: &kube::Client,
        sim: &Arc<RemoteSim>,
        rates: &BTreeMap<Service, u32>,
        ads_and_tokens: bool,
        max_concurrent_reconciles: u16,
    ) -> Self {
        let mut budgets = Budgets::default();
        for (&service, &rate) in rates {
            budgets.overrides.insert(service, Budget::per_second(rate));
        }
        let providers = Providers::new(
            client.clone(),
            Connector::fixed(
                &Limiters::new(budgets),
                sim.account(),
                sim.region(),
                |guard| crate::aws::apis::AwsApis::remote(sim, guard),
            ),
            Default::default(),
            ProviderDefaults::default(),
        );
        let timing = Timing {
            resync: Duration::from_secs(3600),
            poll: Duration::from_secs(2),
            retry: Duration::from_secs(2),
            ..Default::default()
        };
        let ctx = Arc::new(Context::new(client.clone(), providers, timing));
        let concurrency = max_concurrent_reconciles;
        let mut controllers = vec![tokio::spawn(crate::controller::live_channel::run_in(
            ctx.clone(),
            concurrency,
            None,
        ))];
        if ads_and_tokens {
            controllers.push(tokio::spawn(crate::controller::ad_insertion::run_in(
                ctx.clone(),
                concurrency,
                None,
            )));
            controllers.push(tokio::spawn(crate::controller::token_policy::run_in(
                ctx.clone(),
                concurrency,
                None,
            )));
        }
        Self { ctx, controllers }
    }

    /// Stops the controllers; the Context stays for the bench's own rounds.
    pub fn stop(&self) {
        for controller in &self.controllers {
            controller.abort();
        }
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        self.stop();
    }
}
