//! In-memory simulation of the AWS services, behind the same traits as the SDK
//! adapters, behaving like AWS where the reconcilers depend on it: resource states and
//! the calls each state refuses, ETags, idempotency tokens, throttling.
//!
//! Time is a [`SimClock`]: tokio's clock plus an offset that [`Sim::advance`] moves,
//! so tests step through minutes of AWS behaviour instantly, and tests with paused
//! tokio time see waits (the guard's) advance it too.
//!
//! Every service's simulation sits behind [`SimFaults`], an
//! [`Interceptor`](super::intercept::Interceptor) that counts calls, applies the
//! per-service throttling rate, and injects the faults a test asks for.

mod cloudfront;
mod faults;
mod firehose;
mod kinesis;
mod medialive;
mod mediapackage;
mod mediapackagev2;
mod mediapackagevod;
mod mediatailor;
mod s3;
mod secretsmanager;
mod sts;
mod wafv2;
mod web_acl_link;

use crate::aws::apis::AwsApis;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use faults::{Fault, SimFaults};

use super::cloudfront::{CloudFrontApi, CloudFrontKvsApi};
use super::firehose::FirehoseApi;
use super::intercept::Intercepted;
use super::kinesis::KinesisApi;
use super::medialive::MediaLiveApi;
use super::mediapackage::MediaPackageApi;
use super::mediapackagev2::MediaPackageV2Api;
use super::mediapackagevod::MediaPackageVodApi;
use super::mediatailor::{MediaTailorApi, PlaybackConfiguration};
use super::s3::S3Api;
use super::secretsmanager::SecretsManagerApi;
use super::sts::StsApi;
use super::wafv2::WafApi;

/// The simulation's clock: tokio time plus a manual offset.
#[derive(Clone, Debug)]
pub struct SimClock {
    origin: tokio::time::Instant,
    offset: Arc<Mutex<Duration>>,
}

impl Default for SimClock {
    fn default() -> Self {
        Self {
            origin: tokio::time::Instant::now(),
            offset: Arc::default(),
        }
    }
}

impl SimClock {
    /// Time since the simulation started.
    pub fn now(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.origin)
            + *self.offset.lock().expect("clock poisoned")
    }

    pub fn advance(&self, by: Duration) {
        *self.offset.lock().expect("clock poisoned") += by;
    }
}

impl governor::clock::Clock for SimClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        SimClock::now(self)
    }
}

/// How long AWS takes for the slow transitions. Defaults are short but non-zero, so
/// that code which does not wait for a state is caught.
#[derive(Clone, Debug)]
pub struct SimTimings {
    pub channel_create: Duration,
    pub channel_start: Duration,
    pub channel_stop: Duration,
    pub channel_delete: Duration,
    /// How long a deleted channel still answers DELETED before NotFound.
    pub deleted_visible: Duration,
    pub input_create: Duration,
    pub distribution_deploy: Duration,
    pub harvest: Duration,
    /// CloudFront key value store PROVISIONING -> READY.
    pub key_value_store_create: Duration,
    /// How long a new MediaPackage channel stays invisible to endpoint creation.
    pub channel_propagation: Duration,
}

impl Default for SimTimings {
    fn default() -> Self {
        Self {
            channel_create: Duration::from_secs(5),
            channel_start: Duration::from_secs(60),
            channel_stop: Duration::from_secs(20),
            channel_delete: Duration::from_secs(10),
            deleted_visible: Duration::from_secs(300),
            input_create: Duration::from_secs(2),
            distribution_deploy: Duration::from_secs(180),
            harvest: Duration::from_secs(60),
            key_value_store_create: Duration::from_secs(5),
            channel_propagation: Duration::from_secs(1),
        }
    }
}

/// State shared by every simulated service.
pub(crate) struct World {
    pub(crate) clock: SimClock,
    pub(crate) timings: SimTimings,
    pub(crate) account: String,
    pub(crate) region: String,
    next_id: AtomicU64,
    pub(crate) faults: faults::FaultState,
    pub(crate) medialive: Mutex<medialive::State>,
    /// Playback configurations by name.
    pub(crate) mediatailor: Mutex<BTreeMap<String, PlaybackConfiguration>>,
    /// Objects in the simulated S3: (bucket, key) -> body.
    pub(crate) s3: Mutex<BTreeMap<(String, String), Vec<u8>>>,
    /// CloudFront and its key value stores' data. Lock before `wafv2` if both.
    pub(crate) cloudfront: Mutex<cloudfront::State>,
    pub(crate) wafv2: Mutex<wafv2::State>,
    /// Wall-clock time at simulation time zero (harvest windows are wall-clock times).
    pub(crate) epoch: jiff::Timestamp,
    pub(crate) mediapackage: Mutex<mediapackage::State>,
    /// Buckets of the simulated S3.
    pub(crate) s3_buckets: Mutex<std::collections::BTreeSet<String>>,
    pub(crate) secretsmanager: Mutex<secretsmanager::State>,
    pub(crate) kinesis: Mutex<kinesis::State>,
    pub(crate) firehose: Mutex<firehose::State>,
    pub(crate) mediapackagevod: Mutex<mediapackagevod::State>,
    pub(crate) mediapackagev2: Mutex<mediapackagev2::State>,
}

impl World {
    /// A fresh number for ids, unique within the simulation.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The simulation's wall-clock time: `epoch` plus simulated time.
    pub(crate) fn now_utc(&self) -> jiff::Timestamp {
        let now = jiff::SignedDuration::try_from(self.clock.now()).unwrap_or_default();
        self.epoch.saturating_add(now).unwrap_or(self.epoch)
    }

    pub(crate) fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            self.region, self.account
        )
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().expect("simulation state poisoned")
}

/// A simulated AWS account in one region. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Sim {
    world: Arc<World>,
}

impl Default for Sim {
    fn default() -> Self {
        Self::new(SimTimings::default())
    }
}

impl Sim {
    pub fn new(timings: SimTimings) -> Self {
        let clock = SimClock::default();
        Self {
            world: Arc::new(World {
                faults: faults::FaultState::new(clock.clone()),
                clock,
                timings,
                account: "123456789012".into(),
                region: "eu-west-1".into(),
                next_id: AtomicU64::new(1_000_000),
                medialive: Mutex::default(),
                mediatailor: Mutex::default(),
                s3: Mutex::default(),
                cloudfront: Mutex::default(),
                wafv2: Mutex::default(),
                epoch: jiff::Timestamp::now(),
                mediapackage: Mutex::default(),
                s3_buckets: Mutex::default(),
                secretsmanager: Mutex::default(),
                kinesis: Mutex::default(),
                firehose: Mutex::default(),
                mediapackagevod: Mutex::default(),
                mediapackagev2: Mutex::default(),
            }),
        }
    }

    pub fn account(&self) -> &str {
        &self.world.account
    }

    pub fn region(&self) -> &str {
        &self.world.region
    }

    pub fn clock(&self) -> &SimClock {
        &self.world.clock
    }

    /// Moves simulated time forward (channel starts, deployments, harvests).
    pub fn advance(&self, by: Duration) {
        self.world.clock.advance(by);
    }

    /// Fault injection, throttling and call counts.
    pub fn faults(&self) -> &faults::FaultState {
        &self.world.faults
    }

    fn wrap<A: ?Sized>(&self, inner: Arc<A>) -> Intercepted<SimFaults, A> {
        Intercepted::new(SimFaults(self.world.clone()), inner)
    }

    pub fn medialive(&self) -> Arc<dyn MediaLiveApi> {
        Arc::new(
            self.wrap::<dyn MediaLiveApi>(Arc::new(medialive::SimMediaLive(self.world.clone()))),
        )
    }

    pub fn mediatailor(&self) -> Arc<dyn MediaTailorApi> {
        Arc::new(
            self.wrap::<dyn MediaTailorApi>(Arc::new(mediatailor::SimMediaTailor(
                self.world.clone(),
            ))),
        )
    }

    pub fn cloudfront(&self) -> Arc<dyn CloudFrontApi> {
        Arc::new(
            self.wrap::<dyn CloudFrontApi>(Arc::new(cloudfront::SimCloudFront(self.world.clone()))),
        )
    }

    /// Key value store data (the stores themselves are made through
    /// [`cloudfront`](Self::cloudfront)).
    pub fn cloudfront_kvs(&self) -> Arc<dyn CloudFrontKvsApi> {
        Arc::new(
            self.wrap::<dyn CloudFrontKvsApi>(Arc::new(cloudfront::SimKvs(self.world.clone()))),
        )
    }

    pub fn wafv2(&self) -> Arc<dyn WafApi> {
        Arc::new(self.wrap::<dyn WafApi>(Arc::new(wafv2::SimWaf(self.world.clone()))))
    }

    pub fn mediapackage(&self) -> Arc<dyn MediaPackageApi> {
        Arc::new(
            self.wrap::<dyn MediaPackageApi>(Arc::new(mediapackage::SimMediaPackage(
                self.world.clone(),
            ))),
        )
    }

    pub fn secretsmanager(&self) -> Arc<dyn SecretsManagerApi> {
        Arc::new(
            self.wrap::<dyn SecretsManagerApi>(Arc::new(secretsmanager::SimSecretsManager(
                self.world.clone(),
            ))),
        )
    }

    pub fn sts(&self) -> Arc<dyn StsApi> {
        Arc::new(self.wrap::<dyn StsApi>(Arc::new(sts::SimSts(self.world.clone()))))
    }

    pub fn s3(&self) -> Arc<dyn S3Api> {
        Arc::new(self.wrap::<dyn S3Api>(Arc::new(s3::SimS3(self.world.clone()))))
    }

    pub fn firehose(&self) -> Arc<dyn FirehoseApi> {
        Arc::new(self.wrap::<dyn FirehoseApi>(Arc::new(firehose::SimFirehose(self.world.clone()))))
    }

    /// How many Firehose delivery streams exist.
    pub fn delivery_stream_count(&self) -> usize {
        firehose::SimFirehose(self.world.clone()).count()
    }

    pub fn kinesis(&self) -> Arc<dyn KinesisApi> {
        Arc::new(self.wrap::<dyn KinesisApi>(Arc::new(kinesis::SimKinesis(self.world.clone()))))
    }

    pub fn mediapackagevod(&self) -> Arc<dyn MediaPackageVodApi> {
        Arc::new(self.wrap::<dyn MediaPackageVodApi>(Arc::new(
            mediapackagevod::SimMediaPackageVod(self.world.clone()),
        )))
    }

    pub fn mediapackagev2(&self) -> Arc<dyn MediaPackageV2Api> {
        Arc::new(
            self.wrap::<dyn MediaPackageV2Api>(Arc::new(mediapackagev2::SimMediaPackageV2(
                self.world.clone(),
            ))),
        )
    }

    /// How many live resources of each kind exist (deleted and deleting ones
    /// left out), read without counting as calls: what leak checks compare.
    pub async fn inventory(&self) -> BTreeMap<&'static str, usize> {
        let medialive = medialive::SimMediaLive(self.world.clone());
        let mediapackage = mediapackage::SimMediaPackage(self.world.clone());
        let cloudfront = cloudfront::SimCloudFront(self.world.clone());
        let mut counts = BTreeMap::new();
        let groups = medialive
            .list_input_security_groups()
            .await
            .unwrap_or_default();
        counts.insert("input security groups", groups.len());
        let inputs = medialive.list_inputs().await.unwrap_or_default();
        let live_inputs = inputs
            .iter()
            .filter(|i| {
                !matches!(
                    i.state,
                    crate::aws::medialive::InputState::Deleted
                        | crate::aws::medialive::InputState::Deleting
                )
            })
            .count();
        counts.insert("inputs", live_inputs);
        let channels = medialive.list_channels().await.unwrap_or_default();
        let live_channels = channels
            .iter()
            .filter(|c| {
                !matches!(
                    c.state,
                    crate::aws::medialive::ChannelState::Deleted
                        | crate::aws::medialive::ChannelState::Deleting
                )
            })
            .count();
        counts.insert("channels", live_channels);
        let packaging = mediapackage.list_channels().await.unwrap_or_default();
        let mut endpoints = 0;
        for c in &packaging {
            endpoints += mediapackage
                .list_origin_endpoints(&c.id)
                .await
                .map(|e| e.len())
                .unwrap_or(0);
        }
        counts.insert("packaging channels", packaging.len());
        counts.insert("origin endpoints", endpoints);
        counts.insert(
            "distributions",
            cloudfront
                .list_distributions()
                .await
                .unwrap_or_default()
                .len(),
        );
        counts.insert("secrets", secretsmanager::live_count(&self.world));
        counts
    }

    /// What TokenPolicies own: functions, key value stores, WAF web ACLs
    /// and regex pattern sets.
    pub async fn edge_inventory(&self) -> BTreeMap<&'static str, usize> {
        let (functions, stores) = cloudfront::SimCloudFront(self.world.clone()).edge_counts();
        let waf = self.wafv2();
        BTreeMap::from([
            ("functions", functions),
            ("key value stores", stores),
            ("web ACLs", waf.list_web_acls().await.map_or(0, |l| l.len())),
            (
                "regex pattern sets",
                waf.list_regex_pattern_sets().await.map_or(0, |l| l.len()),
            ),
        ])
    }

    /// Every resource of every kind onair creates, counted: the channel's
    /// ([`inventory`](Self::inventory)), the edge's
    /// ([`edge_inventory`](Self::edge_inventory)), MediaTailor's, harvest
    /// jobs, VOD packaging and telemetry. Fault suites compare it whole.
    pub async fn full_inventory(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = self.inventory().await;
        counts.extend(self.edge_inventory().await);
        counts.insert(
            "playback configurations",
            lock(&self.world.mediatailor).len(),
        );
        counts.insert(
            "harvest jobs",
            lock(&self.world.mediapackage).harvest_job_count(),
        );
        let (groups, configs, assets) = lock(&self.world.mediapackagevod).counts();
        counts.insert("VOD packaging groups", groups);
        counts.insert("VOD packaging configurations", configs);
        counts.insert("VOD assets", assets);
        let (groups, channels, endpoints) = lock(&self.world.mediapackagev2).counts();
        counts.insert("MediaPackage v2 channel groups", groups);
        counts.insert("MediaPackage v2 channels", channels);
        counts.insert("MediaPackage v2 origin endpoints", endpoints);
        counts.insert("Kinesis streams", self.stream_count());
        counts.insert("Firehose delivery streams", self.delivery_stream_count());
        counts.insert(
            "real-time log configs",
            cloudfront::SimCloudFront(self.world.clone()).realtime_log_config_count(),
        );
        counts
    }

    /// Makes an ACTIVE Kinesis stream (as a user would, for `stream.arn`); its ARN.
    pub fn create_stream(&self, name: &str, shards: u32) -> String {
        kinesis::SimKinesis(self.world.clone()).insert_active(name, shards)
    }

    /// Puts a record into a stream (what CloudFront's real-time logs do).
    pub fn put_record(&self, stream: &str, data: &[u8]) {
        kinesis::SimKinesis(self.world.clone()).put(stream, data);
    }

    /// How many Kinesis streams exist.
    pub fn stream_count(&self) -> usize {
        kinesis::SimKinesis(self.world.clone()).count()
    }

    /// Puts an object into the simulated S3 (test fixtures).
    pub fn put_s3_object(&self, bucket: &str, key: &str, body: &[u8]) {
        lock(&self.world.s3).insert((bucket.to_owned(), key.to_owned()), body.to_vec());
    }

    /// The simulation's wall-clock time (harvest windows are given in it).
    pub fn now_utc(&self) -> jiff::Timestamp {
        self.world.now_utc()
    }

    /// Makes a bucket in the simulated S3 (onair never creates buckets).
    /// Removes a bucket (and its objects), as someone outside onair might.
    pub fn delete_bucket(&self, bucket: &str) {
        lock(&self.world.s3_buckets).remove(bucket);
        lock(&self.world.s3).retain(|(b, _), _| b != bucket);
    }

    pub fn create_bucket(&self, bucket: &str) {
        lock(&self.world.s3_buckets).insert(bucket.to_owned());
    }

    /// An object in the simulated S3, if present.
    pub fn s3_object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        mediapackage::settle(&self.world);
        lock(&self.world.s3)
            .get(&(bucket.to_owned(), key.to_owned()))
            .cloned()
    }

    /// Keys in the simulated S3 under `bucket`.
    pub fn s3_keys(&self, bucket: &str) -> Vec<String> {
        mediapackage::settle(&self.world);
        lock(&self.world.s3)
            .keys()
            .filter(|(b, _)| b == bucket)
            .map(|(_, k)| k.clone())
            .collect()
    }
}

impl AwsApis {
    /// The simulation, behind the same guard as production.
    pub fn sim(sim: &Sim, guard: crate::aws::guard::Guard) -> Self {
        Self::guarded(
            guard,
            AwsApis {
                medialive: sim.medialive(),
                mediatailor: sim.mediatailor(),
                cloudfront: sim.cloudfront(),
                cloudfront_kvs: sim.cloudfront_kvs(),
                wafv2: sim.wafv2(),
                mediapackage: sim.mediapackage(),
                secretsmanager: sim.secretsmanager(),
                sts: sim.sts(),
                s3: sim.s3(),
                kinesis: sim.kinesis(),
                firehose: sim.firehose(),
                mediapackagevod: sim.mediapackagevod(),
                mediapackagev2: sim.mediapackagev2(),
            },
        )
    }
}
