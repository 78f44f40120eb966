//! Every service trait for one account and region, each behind the shared guard: what
//! a reconciler holds. Built from the SDK in production and from the simulation in
//! tests, the same way, so the guard is never forgotten on either side.

use std::sync::Arc;

use super::clients::SdkClients;
use super::guard::Guard;
use super::intercept::Intercepted;
use super::medialive::MediaLiveApi;
use super::mediatailor::MediaTailorApi;
use super::sdk;
use super::sim::Sim;

#[derive(Clone)]
pub struct AwsApis {
    pub medialive: Arc<dyn MediaLiveApi>,
    pub mediatailor: Arc<dyn MediaTailorApi>,
}

impl AwsApis {
    /// The real services. `guard` comes from the process-wide
    /// [`Limiters`](super::guard::Limiters) for the account and region of `clients`.
    pub fn sdk(clients: &SdkClients, guard: Guard) -> Self {
        Self::guarded(
            guard,
            AwsApis {
                medialive: Arc::new(sdk::medialive::SdkMediaLive::new(clients)),
                mediatailor: Arc::new(sdk::mediatailor::SdkMediaTailor::new(clients)),
            },
        )
    }

    /// The simulation, behind the same guard as production.
    pub fn sim(sim: &Sim, guard: Guard) -> Self {
        Self::guarded(
            guard,
            AwsApis {
                medialive: sim.medialive(),
                mediatailor: sim.mediatailor(),
            },
        )
    }

    fn guarded(guard: Guard, raw: AwsApis) -> Self {
        Self {
            medialive: Arc::new(Intercepted::new(guard.clone(), raw.medialive)),
            mediatailor: Arc::new(Intercepted::new(guard, raw.mediatailor)),
        }
    }
}
