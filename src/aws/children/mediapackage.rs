//! MediaPackage children of a LiveChannel: the CDN-identifier secret (origin
//! protection), the packaging channel and its HLS / DASH endpoints.

use async_trait::async_trait;

use crate::aws::error::AwsError;
use crate::aws::mediapackage::{
    Channel, MediaPackageApi, NewChannel, OriginEndpoint, OriginEndpointSpec,
};
use crate::aws::ownership::{Owner, Tags};
use crate::aws::secretsmanager::{
    cdn_identifier_secret, new_cdn_identifier, NewSecret, SecretDescription, SecretsManagerApi,
};

use super::secrets;
use super::{create_token, deletion, found, ours, External, Located};

/// The Secrets Manager secret holding the CDN identifier CloudFront sends and
/// MediaPackage checks.
pub struct CdnSecretChild<'a> {
    pub api: &'a dyn SecretsManagerApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
}

impl CdnSecretChild<'_> {
    pub const CHILD: &'static str = "cdn-secret";
}

impl CdnSecretAt<'_> {
    /// Secret names are unique per account and stay reserved while a deleted
    /// secret can be recovered: a replacement gets a name of its own.
    fn name(&self, replacing: Option<&str>) -> String {
        match replacing {
            None => crate::plan::live_channel::cdn_secret_name(self.owner),
            Some(_) => {
                // The replacement token ends with a digest of the replaced ARN.
                let token = create_token(self.owner, CdnSecretChild::CHILD, replacing);
                let suffix = &token[token.len().saturating_sub(8)..];
                format!(
                    "onair/{}-{suffix}",
                    self.owner.resource_id(CdnSecretChild::CHILD, 190)
                )
            }
        }
    }
}

/// Where the CDN-identifier secret is.
pub struct CdnSecretAt<'a> {
    pub api: &'a dyn SecretsManagerApi,
    pub owner: &'a Owner,
}

#[async_trait]
impl Located for CdnSecretAt<'_> {
    type Observed = SecretDescription;

    fn child(&self) -> &'static str {
        CdnSecretChild::CHILD
    }

    fn id_of(observed: &SecretDescription) -> String {
        observed.arn.clone()
    }

    async fn find_unrecorded(
        &self,
        replacing: Option<&str>,
    ) -> Result<Option<SecretDescription>, AwsError> {
        // A replacement has a name of its own: look where it would be.
        secrets::find_owned(
            self.api,
            self.owner,
            CdnSecretChild::CHILD,
            &self.name(replacing),
        )
        .await
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        secrets::delete_now(self.api, id).await
    }
}

#[async_trait]
impl<'a> External for CdnSecretChild<'a> {
    type Observed = SecretDescription;
    type At = CdnSecretAt<'a>;

    fn at(&self) -> CdnSecretAt<'a> {
        CdnSecretAt {
            api: self.api,
            owner: self.owner,
        }
    }

    // A rotation writes it outside the driver, and forgets it (`Steps::moved`).
    fn at_rest(&self, _: &SecretDescription) -> bool {
        true
    }

    async fn observe(&self, id: &str) -> Result<Option<SecretDescription>, AwsError> {
        secrets::observe(self.api, id).await
    }

    async fn create(&self, replacing: Option<&str>) -> Result<SecretDescription, AwsError> {
        secrets::create(
            self.api,
            NewSecret {
                name: self.at().name(replacing),
                client_request_token: create_token(self.owner, Self::CHILD, replacing),
                description: Some(
                    "CDN identifier CloudFront sends to MediaPackage (onair origin protection)"
                        .into(),
                ),
                value: cdn_identifier_secret(&new_cdn_identifier()),
                tags: self.owner.tags(Self::CHILD, self.tags),
            },
        )
        .await
    }
}

/// The MediaPackage channel MediaLive sends to.
pub struct PackagingChannelChild<'a> {
    pub api: &'a dyn MediaPackageApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
}

impl PackagingChannelChild<'_> {
    const CHILD: &'static str = "packaging-channel";
}

impl PackagingChannelAt<'_> {
    /// Ids are unique per account and region, so derived from the owner's uid.
    pub fn id(&self) -> String {
        crate::plan::live_channel::packaging_channel_id(self.owner)
    }
}

/// Where the MediaPackage channel is.
pub struct PackagingChannelAt<'a> {
    pub api: &'a dyn MediaPackageApi,
    pub owner: &'a Owner,
}

#[async_trait]
impl Located for PackagingChannelAt<'_> {
    type Observed = Channel;

    fn child(&self) -> &'static str {
        PackagingChannelChild::CHILD
    }

    fn id_of(observed: &Channel) -> String {
        observed.id.clone()
    }

    async fn find_unrecorded(&self, _replacing: Option<&str>) -> Result<Option<Channel>, AwsError> {
        let described = self.api.describe_channel(&self.id()).await;
        ours(self.owner, PackagingChannelChild::CHILD, described, |c| {
            &c.tags
        })
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        // Endpoints still being deleted.
        deletion(self.api.delete_channel(id).await)
    }
}

#[async_trait]
impl<'a> External for PackagingChannelChild<'a> {
    type Observed = Channel;
    type At = PackagingChannelAt<'a>;

    fn at(&self) -> PackagingChannelAt<'a> {
        PackagingChannelAt {
            api: self.api,
            owner: self.owner,
        }
    }

    fn at_rest(&self, _: &Channel) -> bool {
        true
    }

    async fn observe(&self, id: &str) -> Result<Option<Channel>, AwsError> {
        found(self.api.describe_channel(id).await)
    }

    async fn create(&self, _replacing: Option<&str>) -> Result<Channel, AwsError> {
        self.api
            .create_channel(NewChannel {
                id: self.at().id(),
                description: Some(format!(
                    "onair LiveChannel {}/{}",
                    self.owner.namespace, self.owner.name
                )),
                tags: self.owner.tags(Self::CHILD, self.tags),
            })
            .await
    }
}

/// One origin endpoint (HLS or DASH).
pub struct EndpointChild<'a> {
    pub api: &'a dyn MediaPackageApi,
    pub owner: &'a Owner,
    pub tags: &'a Tags,
    pub child: &'static str,
    /// The desired endpoint; its id is [`endpoint_id`](crate::plan::live_channel::endpoint_id).
    pub spec: OriginEndpointSpec,
}

/// The parts of an endpoint onair sets and can change in place.
fn settable(spec: &OriginEndpointSpec) -> impl PartialEq + '_ {
    (
        &spec.package,
        spec.startover_window_seconds,
        spec.time_delay_seconds,
        &spec.authorization,
        &spec.manifest_name,
    )
}

/// Where an origin endpoint is.
pub struct EndpointAt<'a> {
    pub api: &'a dyn MediaPackageApi,
    pub owner: &'a Owner,
    /// `hls-endpoint` or `dash-endpoint`.
    pub child: &'static str,
    /// [`endpoint_id`](crate::plan::live_channel::endpoint_id).
    pub id: String,
}

#[async_trait]
impl Located for EndpointAt<'_> {
    type Observed = OriginEndpoint;

    fn child(&self) -> &'static str {
        self.child
    }

    fn id_of(observed: &OriginEndpoint) -> String {
        observed.spec.id.clone()
    }

    async fn find_unrecorded(
        &self,
        _replacing: Option<&str>,
    ) -> Result<Option<OriginEndpoint>, AwsError> {
        let described = self.api.describe_origin_endpoint(&self.id).await;
        ours(self.owner, self.child, described, |e| &e.spec.tags)
    }

    async fn delete(&self, id: &str) -> Result<bool, AwsError> {
        self.api.delete_origin_endpoint(id).await.map(|()| true)
    }
}

#[async_trait]
impl<'a> External for EndpointChild<'a> {
    type Observed = OriginEndpoint;
    type At = EndpointAt<'a>;

    fn at(&self) -> EndpointAt<'a> {
        EndpointAt {
            api: self.api,
            owner: self.owner,
            child: self.child,
            id: self.spec.id.clone(),
        }
    }

    fn at_rest(&self, _: &OriginEndpoint) -> bool {
        true
    }

    async fn observe(&self, id: &str) -> Result<Option<OriginEndpoint>, AwsError> {
        found(self.api.describe_origin_endpoint(id).await)
    }

    async fn create(&self, _replacing: Option<&str>) -> Result<OriginEndpoint, AwsError> {
        let mut spec = self.spec.clone();
        spec.tags = self.owner.tags(self.child, self.tags);
        self.api.create_origin_endpoint(spec).await
    }

    fn up_to_date(&self, observed: &OriginEndpoint) -> bool {
        settable(&observed.spec) == settable(&self.spec)
    }

    fn changes(&self, observed: &OriginEndpoint) -> Vec<String> {
        let mut desired = self.spec.clone();
        desired.id.clone_from(&observed.spec.id);
        desired.channel_id.clone_from(&observed.spec.channel_id);
        desired.tags.clone_from(&observed.spec.tags);
        desired.description.clone_from(&observed.spec.description);
        crate::plan::diff::changes(&observed.spec, &desired)
    }

    async fn update(&self, observed: OriginEndpoint) -> Result<OriginEndpoint, AwsError> {
        let mut spec = self.spec.clone();
        spec.id = observed.spec.id.clone();
        spec.tags = observed.spec.tags.clone();
        self.api.update_origin_endpoint(spec).await
    }
}

/// A harvest job: immutable once created, and never deleted (MediaPackage
/// keeps finished jobs for a while, then forgets them).
pub struct HarvestChild<'a> {
    pub api: &'a dyn MediaPackageApi,
    pub job: crate::aws::mediapackage::NewHarvestJob,
}

/// Where a harvest job is.
pub struct HarvestAt<'a> {
    pub api: &'a dyn MediaPackageApi,
    pub id: String,
}

#[async_trait]
impl Located for HarvestAt<'_> {
    type Observed = crate::aws::mediapackage::HarvestJob;

    fn child(&self) -> &'static str {
        "harvest-job"
    }

    fn id_of(observed: &Self::Observed) -> String {
        observed.id.clone()
    }

    async fn find_unrecorded(
        &self,
        _replacing: Option<&str>,
    ) -> Result<Option<Self::Observed>, AwsError> {
        // The id is derived from the owner's uid: a job under it is ours.
        found(self.api.describe_harvest_job(&self.id).await)
    }

    /// MediaPackage deletes nothing on request: a finished job is forgotten.
    async fn delete(&self, _id: &str) -> Result<bool, AwsError> {
        Ok(true)
    }
}

#[async_trait]
impl<'a> External for HarvestChild<'a> {
    type Observed = crate::aws::mediapackage::HarvestJob;
    type At = HarvestAt<'a>;

    fn at(&self) -> HarvestAt<'a> {
        HarvestAt {
            api: self.api,
            id: self.job.id.clone(),
        }
    }

    async fn observe(&self, id: &str) -> Result<Option<Self::Observed>, AwsError> {
        found(self.api.describe_harvest_job(id).await)
    }

    async fn create(&self, _replacing: Option<&str>) -> Result<Self::Observed, AwsError> {
        match self.api.create_harvest_job(self.job.clone()).await {
            Err(e) if e.is_already_exists() => self.api.describe_harvest_job(&self.job.id).await,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::live_channel::PackagingSpec;
    use crate::aws::mediapackage::CdnAuthorization;
    use crate::aws::sim::Sim;
    use crate::controller::kit::driver::{ensure, remove, Action, MemoryIds};
    use crate::plan::mediapackage::{endpoint, Format};
    use std::time::Duration;

    fn owner() -> Owner {
        Owner::new("7e1f0c2a-4b5d-4c6e-8f90-a1b2c3d4e5f6", "media", "news")
    }

    #[tokio::test]
    async fn packaging_with_origin_protection_is_created_updated_and_removed() {
        let sim = Sim::default();
        let (packaging, secrets) = (sim.mediapackage(), sim.secretsmanager());
        let (owner, tags) = (owner(), Tags::new());
        let mut ids = MemoryIds::default();

        let secret = CdnSecretChild {
            api: secrets.as_ref(),
            owner: &owner,
            tags: &tags,
        };
        let (secret_arn, action) = ensure(&secret, &mut ids).await.unwrap();
        assert_eq!(action, Action::Created);
        let channel = PackagingChannelChild {
            api: packaging.as_ref(),
            owner: &owner,
            tags: &tags,
        };
        let (mp, _) = ensure(&channel, &mut ids).await.unwrap();
        // A new channel is briefly invisible to endpoint creation (as in AWS).
        sim.advance(Duration::from_secs(5));

        let mut spec = PackagingSpec::default();
        let authorization = Some(CdnAuthorization {
            cdn_identifier_secret_arn: secret_arn.arn.clone(),
            secrets_role_arn: "arn:aws:iam::123456789012:role/MediaPackageSecrets".into(),
        });
        let hls_id = crate::plan::live_channel::endpoint_id(&owner, Format::Hls);
        let desired = |spec: &PackagingSpec| {
            endpoint(spec, Format::Hls, &hls_id, &mp.id, authorization.clone()).unwrap()
        };
        let hls = EndpointChild {
            api: packaging.as_ref(),
            owner: &owner,
            tags: &tags,
            child: Format::Hls.child(),
            spec: desired(&spec),
        };
        let (created, action) = ensure(&hls, &mut ids).await.unwrap();
        assert_eq!(action, Action::Created);
        assert!(created.spec.authorization.is_some());

        let before = sim.faults().writes();
        for _ in 0..3 {
            assert_eq!(
                ensure(&secret, &mut ids).await.unwrap().1,
                Action::Unchanged
            );
            assert_eq!(
                ensure(&channel, &mut ids).await.unwrap().1,
                Action::Unchanged
            );
            assert_eq!(ensure(&hls, &mut ids).await.unwrap().1, Action::Unchanged);
        }
        assert_eq!(
            sim.faults().writes(),
            before,
            "steady state makes no writes"
        );

        spec.hls.segment_seconds = 2;
        let changed = EndpointChild {
            spec: desired(&spec),
            ..hls
        };
        let (updated, action) = ensure(&changed, &mut ids).await.unwrap();
        assert_eq!(action, Action::Updated);
        assert!(
            matches!(&updated.spec.package, crate::aws::mediapackage::Package::Hls(p) if p.segment_duration_seconds == Some(2))
        );

        // Deletion order: endpoints, channel, secret.
        assert!(remove(&changed.at(), &mut ids).await.unwrap());
        assert!(remove(&channel.at(), &mut ids).await.unwrap());
        assert!(remove(&secret.at(), &mut ids).await.unwrap());
        assert!(ids.0.is_empty());
        assert!(packaging.list_channels().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_crashed_create_is_adopted_by_its_deterministic_id() {
        let sim = Sim::default();
        let packaging = sim.mediapackage();
        let (owner, tags) = (owner(), Tags::new());
        let mut ids = MemoryIds::default();
        sim.faults().inject(
            crate::aws::Service::MediaPackage,
            "create_channel",
            crate::aws::sim::Fault::CrashAfter,
            1,
        );
        let channel = PackagingChannelChild {
            api: packaging.as_ref(),
            owner: &owner,
            tags: &tags,
        };
        assert!(ensure(&channel, &mut ids).await.is_err());
        assert_eq!(ensure(&channel, &mut ids).await.unwrap().1, Action::Adopted);
        assert_eq!(packaging.list_channels().await.unwrap().len(), 1);

        // Someone else's channel under our id is never adopted.
        let stranger = Owner::new("00000000-0000-4000-8000-000000000000", "media", "news");
        let foreign = PackagingChannelChild {
            api: packaging.as_ref(),
            owner: &stranger,
            tags: &tags,
        };
        let mut other_ids = MemoryIds::default();
        assert_eq!(
            ensure(&foreign, &mut other_ids).await.unwrap().1,
            Action::Created
        );
        assert_ne!(other_ids.0["packaging-channel"], ids.0["packaging-channel"]);
    }
}
