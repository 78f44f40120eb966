//! The AWS services onair calls, with what differs between them for the shared
//! machinery: their name, whether they are global, and their default request budget.

use std::fmt;

/// An AWS service onair calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    MediaLive,
    MediaPackage,
    MediaTailor,
    CloudFront,
    SecretsManager,
    Sts,
}

impl Service {
    pub const ALL: [Service; 6] = [
        Service::MediaLive,
        Service::MediaPackage,
        Service::MediaTailor,
        Service::CloudFront,
        Service::SecretsManager,
        Service::Sts,
    ];

    /// The name AWS uses in its documentation and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Service::MediaLive => "MediaLive",
            Service::MediaPackage => "MediaPackage",
            Service::MediaTailor => "MediaTailor",
            Service::CloudFront => "CloudFront",
            Service::SecretsManager => "SecretsManager",
            Service::Sts => "STS",
        }
    }

    /// Global services have one endpoint (and one set of quotas) per account,
    /// whatever region onair works in, so their rate limiter is shared across regions.
    pub fn is_global(self) -> bool {
        matches!(self, Service::CloudFront)
    }

    /// Default budget in requests per second per account (and region, for regional
    /// services). Chosen below the per-account API quotas AWS documents, since other
    /// tools in the same account (consoles, pipelines) share them; override with
    /// [`crate::aws::guard::Budgets`].
    pub fn default_rate(self) -> u32 {
        match self {
            // MediaLive and MediaPackage document low single/double-digit TPS for
            // control-plane calls.
            Service::MediaLive => 5,
            Service::MediaPackage => 5,
            Service::MediaTailor => 5,
            // CloudFront's control plane is slow and throttles early.
            Service::CloudFront => 3,
            Service::SecretsManager => 20,
            Service::Sts => 20,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
