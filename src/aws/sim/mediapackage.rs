//! Simulated MediaPackage v1: caller-chosen ids (a second create with the same id is
//! refused), channels that stay invisible to endpoint creation for a moment after
//! they are made, endpoints that must go before their channel, and harvest jobs that
//! are validated like AWS does and go IN_PROGRESS -> SUCCEEDED on the simulation
//! clock, writing the clip's manifest into the simulated S3 (FAILED if the bucket
//! does not exist).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::mediapackage::*;
use crate::aws::secret::SecretString;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Default)]
pub(crate) struct State {
    channels: BTreeMap<String, (Channel, Duration)>,
    endpoints: BTreeMap<String, OriginEndpoint>,
    jobs: BTreeMap<String, JobRec>,
}

struct JobRec {
    job: HarvestJob,
    /// When the job finishes (simulation time).
    done_at: Duration,
}

pub(crate) struct SimMediaPackage(pub(crate) Arc<World>);

impl State {
    /// Harvest jobs ever created: AWS keeps them, finished, with no delete.
    pub(crate) fn harvest_job_count(&self) -> usize {
        self.jobs.len()
    }
}

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new("MediaPackage", op, kind)
}

fn not_found(op: &'static str, what: &str, id: &str) -> AwsError {
    err(
        op,
        ErrorKind::NotFound {
            message: format!("{what} with id={id} not found"),
        },
    )
}

fn invalid(op: &'static str, message: String) -> AwsError {
    err(op, ErrorKind::InvalidRequest { message })
}

fn hex(n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect()
}

fn check_id(op: &'static str, id: &str) -> Result<()> {
    if id.is_empty()
        || id.len() > MAX_ID_LEN
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(
            op,
            format!("id '{id}' must be 1 to {MAX_ID_LEN} letters, digits, '-' or '_'"),
        ));
    }
    Ok(())
}

/// Moves harvest jobs that are due to their final state, writing their output into
/// the simulated S3. Called by every MediaPackage and S3 read of the simulation.
pub(crate) fn settle(world: &World) {
    let now = world.clock.now();
    let mut state = lock(&world.mediapackage);
    for rec in state.jobs.values_mut() {
        if rec.job.status != HarvestStatus::InProgress || now < rec.done_at {
            continue;
        }
        let dest = &rec.job.s3_destination;
        if lock(&world.s3_buckets).contains(&dest.bucket_name) {
            let manifest = format!(
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n# harvest {} of {} from {} to {}\n#EXT-X-ENDLIST\n",
                rec.job.id, rec.job.origin_endpoint_id, rec.job.start_time, rec.job.end_time
            );
            lock(&world.s3).insert(
                (dest.bucket_name.clone(), dest.manifest_key.clone()),
                manifest.into_bytes(),
            );
            rec.job.status = HarvestStatus::Succeeded;
        } else {
            rec.job.status = HarvestStatus::Failed;
        }
    }
}

impl SimMediaPackage {
    fn now_utc(&self) -> Timestamp {
        self.0.now_utc()
    }

    fn endpoint_url(&self, spec: &OriginEndpointSpec) -> String {
        let (name, ext) = match spec.package {
            Package::Hls(_) => (spec.manifest_name.as_deref().unwrap_or("index"), "m3u8"),
            Package::Dash(_) => (spec.manifest_name.as_deref().unwrap_or("index"), "mpd"),
        };
        // One egress host per account and region, as in AWS (the workshop
        // serves every endpoint through one CloudFront origin).
        let host: String = ring::digest::digest(
            &ring::digest::SHA256,
            format!("{}/{}", self.0.account, self.0.region).as_bytes(),
        )
        .as_ref()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!(
            "https://{host}.mediapackage.{}.amazonaws.com/out/v1/{}/{name}.{ext}",
            self.0.region,
            hex(32)
        )
    }

    fn check_package(op: &'static str, spec: &OriginEndpointSpec) -> Result<()> {
        if let Some(w) = spec.startover_window_seconds {
            if w > MAX_STARTOVER_SECONDS {
                return Err(invalid(
                    op,
                    format!("startoverWindowSeconds must be at most {MAX_STARTOVER_SECONDS}"),
                ));
            }
        }
        let seg = match &spec.package {
            Package::Hls(h) => h.segment_duration_seconds,
            Package::Dash(d) => d.segment_duration_seconds,
        };
        if seg == Some(0) || seg.is_some_and(|s| s > 30) {
            return Err(invalid(
                op,
                "segmentDurationSeconds must be between 1 and 30".into(),
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl MediaPackageApi for SimMediaPackage {
    async fn create_channel(&self, c: NewChannel) -> Result<Channel> {
        const OP: &str = "create_channel";
        check_id(OP, &c.id)?;
        let mut state = lock(&self.0.mediapackage);
        if state.channels.contains_key(&c.id) {
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!("Channel with id {} already exists", c.id),
                },
            ));
        }
        let host = format!(
            "https://{}.mediapackage.{}.amazonaws.com/in/v2/{}",
            hex(10),
            self.0.region,
            hex(32)
        );
        let channel = Channel {
            arn: self.0.arn("mediapackage", &format!("channels/{}", hex(32))),
            id: c.id.clone(),
            description: c.description,
            ingest_endpoints: (1..=2)
                .map(|i| {
                    let ep = hex(32);
                    IngestEndpoint {
                        url: format!("{host}/{ep}/channel"),
                        id: ep,
                        username: hex(32),
                        password: SecretString::new(format!("{}{i}", hex(31))),
                    }
                })
                .collect(),
            tags: c.tags,
        };
        state
            .channels
            .insert(c.id, (channel.clone(), self.0.clock.now()));
        Ok(channel)
    }

    async fn describe_channel(&self, id: &str) -> Result<Channel> {
        lock(&self.0.mediapackage)
            .channels
            .get(id)
            .map(|(c, _)| c.clone())
            .ok_or_else(|| not_found("describe_channel", "channel", id))
    }

    async fn list_channels(&self) -> Result<Vec<Channel>> {
        Ok(lock(&self.0.mediapackage)
            .channels
            .values()
            .map(|(c, _)| c.clone())
            .collect())
    }

    async fn delete_channel(&self, id: &str) -> Result<()> {
        const OP: &str = "delete_channel";
        let mut state = lock(&self.0.mediapackage);
        if !state.channels.contains_key(id) {
            return Err(not_found(OP, "channel", id));
        }
        if state.endpoints.values().any(|e| e.spec.channel_id == id) {
            return Err(err(
                OP,
                ErrorKind::Conflict {
                    message: format!("channel {id} still has origin endpoints; delete them first"),
                },
            ));
        }
        state.channels.remove(id);
        Ok(())
    }

    async fn create_origin_endpoint(&self, spec: OriginEndpointSpec) -> Result<OriginEndpoint> {
        const OP: &str = "create_origin_endpoint";
        check_id(OP, &spec.id)?;
        Self::check_package(OP, &spec)?;
        let now = self.0.clock.now();
        let mut state = lock(&self.0.mediapackage);
        let visible = state
            .channels
            .get(&spec.channel_id)
            .is_some_and(|(_, created)| now >= *created + self.0.timings.channel_propagation);
        if !visible {
            return Err(channel_not_ready(not_found(
                OP,
                "channel",
                &spec.channel_id,
            )));
        }
        if state.endpoints.contains_key(&spec.id) {
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!("Origin endpoint with id {} already exists", spec.id),
                },
            ));
        }
        let endpoint = OriginEndpoint {
            arn: self
                .0
                .arn("mediapackage", &format!("origin_endpoints/{}", hex(32))),
            url: self.endpoint_url(&spec),
            spec,
        };
        state
            .endpoints
            .insert(endpoint.spec.id.clone(), endpoint.clone());
        Ok(endpoint)
    }

    async fn describe_origin_endpoint(&self, id: &str) -> Result<OriginEndpoint> {
        lock(&self.0.mediapackage)
            .endpoints
            .get(id)
            .cloned()
            .ok_or_else(|| not_found("describe_origin_endpoint", "origin endpoint", id))
    }

    async fn update_origin_endpoint(&self, spec: OriginEndpointSpec) -> Result<OriginEndpoint> {
        const OP: &str = "update_origin_endpoint";
        Self::check_package(OP, &spec)?;
        let mut state = lock(&self.0.mediapackage);
        let e = state
            .endpoints
            .get_mut(&spec.id)
            .ok_or_else(|| not_found(OP, "origin endpoint", &spec.id))?;
        // Channel and tags are fixed at creation; everything else is replaced.
        let fixed = (e.spec.channel_id.clone(), e.spec.tags.clone());
        e.spec = OriginEndpointSpec {
            channel_id: fixed.0,
            tags: fixed.1,
            ..spec
        };
        Ok(e.clone())
    }

    async fn delete_origin_endpoint(&self, id: &str) -> Result<()> {
        lock(&self.0.mediapackage)
            .endpoints
            .remove(id)
            .map(|_| ())
            .ok_or_else(|| not_found("delete_origin_endpoint", "origin endpoint", id))
    }

    async fn list_origin_endpoints(&self, channel_id: &str) -> Result<Vec<OriginEndpoint>> {
        Ok(lock(&self.0.mediapackage)
            .endpoints
            .values()
            .filter(|e| e.spec.channel_id == channel_id)
            .cloned()
            .collect())
    }

    async fn create_harvest_job(&self, j: NewHarvestJob) -> Result<HarvestJob> {
        const OP: &str = "create_harvest_job";
        check_id(OP, &j.id)?;
        let now_utc = self.now_utc();
        let now = self.0.clock.now();
        let mut state = lock(&self.0.mediapackage);
        if state.jobs.contains_key(&j.id) {
            return Err(err(
                OP,
                ErrorKind::AlreadyExists {
                    message: format!("Harvest job with id {} already exists", j.id),
                },
            ));
        }
        let endpoint = state
            .endpoints
            .get(&j.origin_endpoint_id)
            .ok_or_else(|| not_found(OP, "origin endpoint", &j.origin_endpoint_id))?;
        let d = &j.s3_destination;
        if d.bucket_name.is_empty() || d.manifest_key.is_empty() || d.role_arn.is_empty() {
            return Err(invalid(
                OP,
                "s3Destination needs bucketName, manifestKey and roleArn".into(),
            ));
        }
        if j.end_time <= j.start_time {
            return Err(invalid(OP, "endTime must be after startTime".into()));
        }
        let length = j.start_time.duration_until(j.end_time);
        if length.unsigned_abs() > MAX_HARVEST {
            return Err(invalid(
                OP,
                "the harvest window cannot be longer than 24 hours".into(),
            ));
        }
        let window = endpoint.spec.startover_window_seconds.unwrap_or(0);
        let oldest = now_utc - jiff::SignedDuration::from_secs(i64::from(window));
        if window == 0 || j.start_time < oldest {
            return Err(invalid(
                OP,
                format!(
                    "startTime must be within the origin endpoint's startover window \
                     ({window} s, so not before {oldest})"
                ),
            ));
        }
        if let Package::Dash(dash) = &endpoint.spec.package {
            if dash.segment_template_format.as_deref() == Some("NUMBER_WITH_DURATION") {
                return Err(invalid(
                    OP,
                    "DASH endpoints need a timeline segment template to be harvested".into(),
                ));
            }
        }
        // Done once the window has been recorded and the harvest has run.
        let until_end = now_utc.duration_until(j.end_time).unsigned_abs();
        let wait = if j.end_time > now_utc {
            until_end
        } else {
            Duration::ZERO
        };
        let job = HarvestJob {
            arn: self
                .0
                .arn("mediapackage", &format!("harvest_jobs/{}", j.id)),
            channel_id: endpoint.spec.channel_id.clone(),
            origin_endpoint_id: j.origin_endpoint_id,
            start_time: j.start_time,
            end_time: j.end_time,
            s3_destination: j.s3_destination,
            status: HarvestStatus::InProgress,
            created_at: Some(now_utc),
            id: j.id.clone(),
        };
        state.jobs.insert(
            j.id,
            JobRec {
                job: job.clone(),
                done_at: now + wait + self.0.timings.harvest,
            },
        );
        Ok(job)
    }

    async fn describe_harvest_job(&self, id: &str) -> Result<HarvestJob> {
        settle(&self.0);
        lock(&self.0.mediapackage)
            .jobs
            .get(id)
            .map(|r| r.job.clone())
            .ok_or_else(|| not_found("describe_harvest_job", "harvest job", id))
    }

    async fn list_harvest_jobs(&self, channel_id: &str) -> Result<Vec<HarvestJob>> {
        settle(&self.0);
        Ok(lock(&self.0.mediapackage)
            .jobs
            .values()
            .filter(|r| r.job.channel_id == channel_id)
            .map(|r| r.job.clone())
            .collect())
    }
}
