//! Simulated MediaLive: channel and input states on the simulation clock, which calls
//! each state refuses, RequestId idempotency, inputs and security groups that cannot
//! be deleted while in use, and deleted channels that answer DELETED for a while.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{lock, World};
use crate::aws::error::{AwsError, ErrorKind};
use crate::aws::medialive::*;
use crate::aws::ownership::Tags;

type Result<T> = std::result::Result<T, AwsError>;

#[derive(Default)]
pub(crate) struct State {
    groups: BTreeMap<String, SecurityGroup>,
    inputs: BTreeMap<String, InputRec>,
    channels: BTreeMap<String, ChannelRec>,
    /// RequestId -> id, for idempotent creates.
    requests: HashMap<String, String>,
    schedules: HashMap<String, Vec<ScheduleAction>>,
}

struct InputRec {
    input: Input,
    ready_at: Duration,
    deleted_at: Option<Duration>,
}

struct ChannelRec {
    channel: Channel,
    /// A transition in progress: the state reached at that time.
    pending: Option<(ChannelState, Duration)>,
    deleted_at: Option<Duration>,
}

pub(crate) struct SimMediaLive(pub(crate) Arc<World>);

fn err(op: &'static str, kind: ErrorKind) -> AwsError {
    AwsError::new("MediaLive", op, kind)
}

fn not_found(op: &'static str, what: &str, id: &str) -> AwsError {
    err(
        op,
        ErrorKind::NotFound {
            message: format!("{what} '{id}' does not exist"),
        },
    )
}

fn conflict(op: &'static str, message: String) -> AwsError {
    err(op, ErrorKind::Conflict { message })
}

fn invalid(op: &'static str, message: String) -> AwsError {
    err(op, ErrorKind::InvalidRequest { message })
}

impl State {
    /// Applies every transition due by `now`, and forgets what was deleted long ago.
    fn settle(&mut self, now: Duration, deleted_visible: Duration) {
        let mut detach = Vec::new();
        for (id, rec) in self.channels.iter_mut() {
            if let Some((target, at)) = rec.pending.clone() {
                if now >= at {
                    rec.channel.pipelines_running = match target {
                        ChannelState::Running => pipelines(&rec.channel.channel_class),
                        _ => 0,
                    };
                    if target == ChannelState::Deleted {
                        rec.deleted_at = Some(at);
                        detach.push(id.clone());
                    }
                    rec.channel.state = target;
                    rec.pending = None;
                }
            }
        }
        for rec in self.inputs.values_mut() {
            rec.input.attached_channels.retain(|c| !detach.contains(c));
        }
        self.channels
            .retain(|_, r| r.deleted_at.is_none_or(|t| now < t + deleted_visible));
        self.inputs
            .retain(|_, r| r.deleted_at.is_none_or(|t| now < t + deleted_visible));
        for rec in self.inputs.values_mut() {
            rec.input.state = if rec.deleted_at.is_some() {
                InputState::Deleted
            } else if now < rec.ready_at {
                InputState::Creating
            } else if rec.input.attached_channels.is_empty() {
                InputState::Detached
            } else {
                InputState::Attached
            };
        }
        // Each group's inputs, from one pass over the inputs (a pass per
        // group made every call quadratic in the number of channels).
        let mut by_group: std::collections::HashMap<&str, Vec<String>> = Default::default();
        for r in self.inputs.values().filter(|r| r.deleted_at.is_none()) {
            for group in &r.input.settings.security_group_ids {
                by_group
                    .entry(group.as_str())
                    .or_default()
                    .push(r.input.id.clone());
            }
        }
        for group in self.groups.values_mut() {
            group.inputs = by_group.remove(group.id.as_str()).unwrap_or_default();
        }
    }

    fn channel(&mut self, op: &'static str, id: &str) -> Result<&mut ChannelRec> {
        self.channels
            .get_mut(id)
            .ok_or_else(|| not_found(op, "Channel", id))
    }

    fn live_input(&mut self, op: &'static str, id: &str) -> Result<&mut InputRec> {
        match self.inputs.get_mut(id) {
            Some(r) if r.deleted_at.is_none() => Ok(r),
            _ => Err(not_found(op, "Input", id)),
        }
    }

    /// Inputs must exist and not be used by another channel.
    fn check_inputs(
        &self,
        op: &'static str,
        channel_id: Option<&str>,
        ids: &[String],
    ) -> Result<()> {
        for id in ids {
            let rec = self
                .inputs
                .get(id)
                .filter(|r| r.deleted_at.is_none())
                .ok_or_else(|| invalid(op, format!("Input '{id}' does not exist")))?;
            if rec
                .input
                .attached_channels
                .iter()
                .any(|c| Some(c.as_str()) != channel_id)
            {
                return Err(invalid(
                    op,
                    format!("Input '{id}' is already attached to another channel"),
                ));
            }
        }
        Ok(())
    }

    fn attach(&mut self, channel_id: &str, ids: &[String]) {
        for rec in self.inputs.values_mut() {
            rec.input.attached_channels.retain(|c| c != channel_id);
            if ids.contains(&rec.input.id) {
                rec.input.attached_channels.push(channel_id.to_owned());
            }
        }
    }
}

fn pipelines(class: &str) -> u32 {
    if class == "STANDARD" {
        2
    } else {
        1
    }
}

impl SimMediaLive {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        let mut s = lock(&self.0.medialive);
        s.settle(self.0.clock.now(), self.0.timings.deleted_visible);
        s
    }

    fn now(&self) -> Duration {
        self.0.clock.now()
    }

    /// Channel transitions: `from` states allowed, the state entered now, and the one
    /// reached after `takes`.
    fn transition(
        &self,
        op: &'static str,
        id: &str,
        from: &[ChannelState],
        via: ChannelState,
        to: ChannelState,
        takes: Duration,
    ) -> Result<Channel> {
        let now = self.now();
        let mut s = self.state();
        let rec = s.channel(op, id)?;
        if !from.contains(&rec.channel.state) {
            return Err(conflict(
                op,
                format!(
                    "Channel '{id}' is {}; this needs it to be {}",
                    rec.channel.state.as_aws(),
                    from.iter()
                        .map(ChannelState::as_aws)
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ));
        }
        rec.channel.state = via;
        rec.pending = Some((to, now + takes));
        Ok(rec.channel.clone())
    }
}

#[async_trait]
impl MediaLiveApi for SimMediaLive {
    async fn create_input_security_group(
        &self,
        cidrs: Vec<String>,
        tags: Tags,
    ) -> Result<SecurityGroup> {
        if cidrs.len() > 10 {
            return Err(invalid(
                "create_input_security_group",
                "at most 10 CIDR rules".into(),
            ));
        }
        let id = self.0.next_id().to_string();
        let group = SecurityGroup {
            arn: self.0.arn("medialive", &format!("inputSecurityGroup:{id}")),
            id: id.clone(),
            cidrs,
            inputs: vec![],
            tags,
        };
        self.state().groups.insert(id, group.clone());
        Ok(group)
    }

    async fn describe_input_security_group(&self, id: &str) -> Result<SecurityGroup> {
        self.state()
            .groups
            .get(id)
            .cloned()
            .ok_or_else(|| not_found("describe_input_security_group", "Input security group", id))
    }

    async fn update_input_security_group(
        &self,
        id: &str,
        cidrs: Vec<String>,
    ) -> Result<SecurityGroup> {
        const OP: &str = "update_input_security_group";
        if cidrs.len() > 10 {
            return Err(invalid(OP, "at most 10 CIDR rules".into()));
        }
        let mut s = self.state();
        let g = s
            .groups
            .get_mut(id)
            .ok_or_else(|| not_found(OP, "Input security group", id))?;
        g.cidrs = cidrs;
        Ok(g.clone())
    }

    async fn delete_input_security_group(&self, id: &str) -> Result<()> {
        const OP: &str = "delete_input_security_group";
        let mut s = self.state();
        let g = s
            .groups
            .get(id)
            .ok_or_else(|| not_found(OP, "Input security group", id))?;
        if !g.inputs.is_empty() {
            return Err(conflict(
                OP,
                format!(
                    "Input security group '{id}' is used by inputs {:?}",
                    g.inputs
                ),
            ));
        }
        s.groups.remove(id);
        Ok(())
    }

    async fn list_input_security_groups(&self) -> Result<Vec<SecurityGroup>> {
        Ok(self.state().groups.values().cloned().collect())
    }

    async fn create_input(&self, new: NewInput) -> Result<Input> {
        const OP: &str = "create_input";
        let now = self.now();
        let mut s = self.state();
        if let Some(id) = s.requests.get(&new.request_id).cloned() {
            if let Some(rec) = s.inputs.get(&id) {
                return Ok(rec.input.clone());
            }
        }
        for g in &new.settings.security_group_ids {
            if !s.groups.contains_key(g) {
                return Err(invalid(
                    OP,
                    format!("Input security group '{g}' does not exist"),
                ));
            }
        }
        let id = self.0.next_id().to_string();
        let destination_urls = match new.input_type {
            InputType::RtmpPush => new
                .settings
                .stream_names
                .iter()
                .enumerate()
                .map(|(i, name)| format!("rtmp://198.51.100.{}:1935/{name}", 10 + i))
                .collect(),
            _ => vec![],
        };
        let input = Input {
            arn: self.0.arn("medialive", &format!("input:{id}")),
            id: id.clone(),
            name: new.name,
            input_type: Some(new.input_type),
            state: InputState::Creating,
            settings: new.settings,
            destination_urls,
            attached_channels: vec![],
            tags: new.tags,
        };
        s.requests.insert(new.request_id, id.clone());
        s.inputs.insert(
            id,
            InputRec {
                input: input.clone(),
                ready_at: now + self.0.timings.input_create,
                deleted_at: None,
            },
        );
        Ok(input)
    }

    async fn describe_input(&self, id: &str) -> Result<Input> {
        let mut s = self.state();
        s.inputs
            .get_mut(id)
            .map(|r| r.input.clone())
            .ok_or_else(|| not_found("describe_input", "Input", id))
    }

    async fn update_input(&self, id: &str, settings: InputSettings) -> Result<Input> {
        const OP: &str = "update_input";
        let mut s = self.state();
        for g in &settings.security_group_ids {
            if !s.groups.contains_key(g) {
                return Err(invalid(
                    OP,
                    format!("Input security group '{g}' does not exist"),
                ));
            }
        }
        s.live_input(OP, id)?.input.settings = settings;
        // Settle again so the groups' input lists follow the change.
        s.settle(self.now(), self.0.timings.deleted_visible);
        Ok(s.live_input(OP, id)?.input.clone())
    }

    async fn delete_input(&self, id: &str) -> Result<()> {
        const OP: &str = "delete_input";
        let now = self.now();
        let mut s = self.state();
        let rec = s.live_input(OP, id)?;
        if !rec.input.attached_channels.is_empty() {
            return Err(conflict(
                OP,
                format!(
                    "Input '{id}' is attached to channel {}; delete the channel first",
                    rec.input.attached_channels.join(", ")
                ),
            ));
        }
        rec.deleted_at = Some(now);
        rec.input.state = InputState::Deleted;
        Ok(())
    }

    async fn list_inputs(&self) -> Result<Vec<Input>> {
        Ok(self
            .state()
            .inputs
            .values()
            .map(|r| r.input.clone())
            .collect())
    }

    async fn create_channel(&self, new: NewChannel) -> Result<Channel> {
        const OP: &str = "create_channel";
        let now = self.now();
        let mut s = self.state();
        if let Some(id) = s.requests.get(&new.request_id).cloned() {
            if let Some(rec) = s.channels.get(&id) {
                return Ok(rec.channel.clone());
            }
        }
        if !matches!(new.channel_class.as_str(), "STANDARD" | "SINGLE_PIPELINE") {
            return Err(invalid(
                OP,
                format!(
                    "channelClass '{}' is not STANDARD or SINGLE_PIPELINE",
                    new.channel_class
                ),
            ));
        }
        s.check_inputs(OP, None, &new.settings.input_ids)?;
        let id = self.0.next_id().to_string();
        let channel = Channel {
            arn: self.0.arn("medialive", &format!("channel:{id}")),
            id: id.clone(),
            state: ChannelState::Creating,
            channel_class: new.channel_class,
            pipelines_running: 0,
            settings: new.settings,
            tags: new.tags,
        };
        s.attach(&id, &channel.settings.input_ids);
        s.requests.insert(new.request_id, id.clone());
        s.channels.insert(
            id,
            ChannelRec {
                channel: channel.clone(),
                pending: Some((ChannelState::Idle, now + self.0.timings.channel_create)),
                deleted_at: None,
            },
        );
        Ok(channel)
    }

    async fn describe_channel(&self, id: &str) -> Result<Channel> {
        let mut s = self.state();
        Ok(s.channel("describe_channel", id)?.channel.clone())
    }

    async fn update_channel(&self, id: &str, settings: ChannelSettings) -> Result<Channel> {
        const OP: &str = "update_channel";
        let mut s = self.state();
        let state = s.channel(OP, id)?.channel.state.clone();
        if state != ChannelState::Idle {
            return Err(conflict(
                OP,
                format!(
                    "Channel '{id}' is {}; it can be updated only while IDLE",
                    state.as_aws()
                ),
            ));
        }
        s.check_inputs(OP, Some(id), &settings.input_ids)?;
        s.attach(id, &settings.input_ids);
        let rec = s.channel(OP, id)?;
        rec.channel.settings = settings;
        Ok(rec.channel.clone())
    }

    async fn delete_channel(&self, id: &str) -> Result<Channel> {
        let t = self.0.timings.channel_delete;
        self.transition(
            "delete_channel",
            id,
            &[ChannelState::Idle, ChannelState::CreateFailed],
            ChannelState::Deleting,
            ChannelState::Deleted,
            t,
        )
    }

    async fn start_channel(&self, id: &str) -> Result<Channel> {
        let t = self.0.timings.channel_start;
        self.transition(
            "start_channel",
            id,
            &[ChannelState::Idle],
            ChannelState::Starting,
            ChannelState::Running,
            t,
        )
    }

    async fn stop_channel(&self, id: &str) -> Result<Channel> {
        let t = self.0.timings.channel_stop;
        self.transition(
            "stop_channel",
            id,
            &[
                ChannelState::Running,
                ChannelState::Starting,
                ChannelState::Recovering,
            ],
            ChannelState::Stopping,
            ChannelState::Idle,
            t,
        )
    }

    async fn list_channels(&self) -> Result<Vec<Channel>> {
        Ok(self
            .state()
            .channels
            .values()
            .map(|r| r.channel.clone())
            .collect())
    }

    async fn batch_update_schedule(
        &self,
        channel_id: &str,
        create: Vec<ScheduleAction>,
        delete: Vec<String>,
    ) -> Result<()> {
        const OP: &str = "batch_update_schedule";
        let mut s = self.state();
        let state = s.channel(OP, channel_id)?.channel.state.clone();
        if matches!(state, ChannelState::Deleting | ChannelState::Deleted) {
            return Err(conflict(
                OP,
                format!("Channel '{channel_id}' is {}", state.as_aws()),
            ));
        }
        let schedule = s.schedules.entry(channel_id.to_owned()).or_default();
        for name in &delete {
            if !schedule.iter().any(|a| &a.name == name) {
                return Err(invalid(
                    OP,
                    format!("schedule action '{name}' does not exist"),
                ));
            }
        }
        for a in &create {
            if schedule
                .iter()
                .any(|b| b.name == a.name && !delete.contains(&b.name))
            {
                return Err(invalid(
                    OP,
                    format!("schedule action '{}' already exists", a.name),
                ));
            }
        }
        schedule.retain(|a| !delete.contains(&a.name));
        schedule.extend(create);
        Ok(())
    }

    async fn describe_schedule(&self, channel_id: &str) -> Result<Vec<ScheduleAction>> {
        let mut s = self.state();
        s.channel("describe_schedule", channel_id)?;
        Ok(s.schedules.get(channel_id).cloned().unwrap_or_default())
    }
}
