//! What the sandbox shows while its objects come up: where each one stands
//! (read from its conditions, as kstatus reads them), when the whole set has
//! settled, and two ways to show it: a live table on a terminal, one line
//! per change otherwise (a CI log, a file), never with escape codes.

use std::collections::BTreeMap;
use std::time::Duration;

use kube::api::DynamicObject;

/// Where one object stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The operator has not written a status yet.
    New,
    /// Work under way (`Reconciling`): onair gets there by itself.
    Progressing,
    /// Waiting for another object (its channel, its provider) to be Ready.
    WaitingForAnother,
    /// `Stalled`: only a change (to the spec, the account, the endpoint) helps.
    Stalled,
    /// `Ready=True`, or a HarvestJob that succeeded (a failed one is
    /// stalled: it does not run again).
    Done,
}

/// One object's line: `LiveChannel default/sports-1`, its standing, and the
/// Ready condition's reason and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub standing: Standing,
    pub reason: String,
    pub message: String,
}

/// Reasons that mean "waiting for another object": the object itself is
/// fine, so it is settled once that other object is stalled.
const WAITING_FOR_ANOTHER: [&str; 3] =
    ["ChannelNotReady", "ProviderNotReady", "TokenPolicyNotReady"];

impl Row {
    pub fn of(kind: &str, object: &DynamicObject) -> Self {
        let name = match (&object.metadata.namespace, &object.metadata.name) {
            (Some(ns), Some(name)) => format!("{kind} {ns}/{name}"),
            (None, Some(name)) => format!("{kind} {name}"),
            _ => kind.to_string(),
        };
        let status = &object.data["status"];
        let conditions = status["conditions"].as_array().cloned().unwrap_or_default();
        let condition = |kind: &str| conditions.iter().find(|c| c["type"] == kind);
        let Some(ready) = condition("Ready") else {
            return Self {
                name,
                standing: Standing::New,
                reason: String::new(),
                message: "waiting for the operator".into(),
            };
        };
        let text = |field: &str| ready[field].as_str().unwrap_or_default().to_string();
        let (reason, message) = (text("reason"), text("message"));
        let phase = status["phase"].as_str();
        let job = kind == "HarvestJob";
        let standing = if ready["status"] == "True" || (job && phase == Some("Succeeded")) {
            Standing::Done
        } else if (job && phase == Some("Failed"))
            || condition("Stalled").is_some_and(|c| c["status"] == "True")
        {
            Standing::Stalled
        } else if WAITING_FOR_ANOTHER.contains(&reason.as_str()) {
            Standing::WaitingForAnother
        } else {
            Standing::Progressing
        };
        Self {
            name,
            standing,
            reason,
            message,
        }
    }

    /// `Ready`, or `not Ready (Reason): message`.
    pub fn state(&self) -> String {
        match self.standing {
            Standing::New => self.message.clone(),
            Standing::Done if self.reason.is_empty() => "Ready".into(),
            Standing::Done => format!("Ready ({}): {}", self.reason, self.message),
            _ => format!("not Ready ({}): {}", self.reason, self.message),
        }
    }
}

/// The lines that say the sandbox has settled, or None while something still
/// moves by itself. Settled: every object is Ready (or finished), stalled, or
/// waiting for one that is stalled. `emulator` names the endpoint the
/// sandbox works against, for the objects it cannot run.
pub fn summary(rows: &[Row], emulator: Option<&str>) -> Option<Vec<String>> {
    use Standing::*;
    let count = |s: Standing| rows.iter().filter(|r| r.standing == s).count();
    let (done, stalled, waiting) = (count(Done), count(Stalled), count(WaitingForAnother));
    let all_still = done + stalled + waiting == rows.len();
    if rows.is_empty() || !all_still || (waiting > 0 && stalled == 0) {
        return None;
    }
    if done == rows.len() {
        return Some(vec![format!(
            "All {} onair objects are Ready. Try: kubectl get onair; kubectl describe lc",
            rows.len()
        )]);
    }
    let mut lines = vec![format!(
        "{done} of {} onair objects are Ready; {stalled} stalled (onair waits for a change), {waiting} waiting for them:",
        rows.len()
    )];
    for row in rows.iter().filter(|r| r.standing == Stalled) {
        lines.push(format!(
            "  stalled  {}: {}: {}",
            row.name, row.reason, row.message
        ));
    }
    for row in rows.iter().filter(|r| r.standing == WaitingForAnother) {
        lines.push(format!("  waiting  {}: {}", row.name, row.reason));
    }
    let not_served = rows.iter().any(|r| r.reason == "ApiNotServed");
    if let (true, Some(url)) = (not_served, emulator) {
        lines.push(format!(
            "The emulator at {url} lacks the APIs named above (ApiNotServed); AWS has them. The objects that need them run against AWS or the sandbox's own simulation (onair sandbox without --aws-endpoint-url)."
        ));
    }
    Some(lines)
}

/// How progress reaches the user.
pub trait View: Send {
    /// The objects as they stand now, sorted by name.
    fn show(&mut self, rows: &[Row]);
    /// A line of its own (the summary).
    fn say(&mut self, line: &str);
}

/// One line per object whenever its state changes: for logs and pipes.
#[derive(Default)]
pub struct Lines {
    seen: BTreeMap<String, String>,
}

impl View for Lines {
    fn show(&mut self, rows: &[Row]) {
        for row in rows {
            let state = row.state();
            if self.seen.get(&row.name) != Some(&state) {
                println!("  {}: {state}", row.name);
                self.seen.insert(row.name.clone(), state);
            }
        }
    }

    fn say(&mut self, line: &str) {
        println!("{line}");
    }
}

/// A table redrawn in place on the terminal: a header with how many objects
/// are Ready, then one row per object.
pub struct Live {
    multi: indicatif::MultiProgress,
    header: indicatif::ProgressBar,
    rows: BTreeMap<String, (indicatif::ProgressBar, Standing)>,
    color: bool,
}

impl Live {
    pub fn new(color: bool) -> Self {
        let multi =
            indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stdout());
        let template = if color {
            "{spinner:.cyan} [{bar:24.green/white}] {pos}/{len} Ready  {elapsed}"
        } else {
            "{spinner} [{bar:24}] {pos}/{len} Ready  {elapsed}"
        };
        let header = multi
            .add(indicatif::ProgressBar::new(0).with_style(style(template).progress_chars("=> ")));
        header.enable_steady_tick(Duration::from_millis(120));
        Self {
            multi,
            header,
            rows: BTreeMap::new(),
            color,
        }
    }

    fn row_style(&self, standing: Standing) -> indicatif::ProgressStyle {
        let mark = match standing {
            Standing::Done => "ok",
            Standing::Stalled => "!!",
            _ => "..",
        };
        let colour = match standing {
            Standing::Done => ".green",
            Standing::Stalled => ".red",
            _ => ".yellow",
        };
        let colour = if self.color { colour } else { "" };
        style(&format!("  {mark} {{prefix:<44{colour}}} {{wide_msg}}"))
    }
}

fn style(template: &str) -> indicatif::ProgressStyle {
    // The templates are constants of this file: a bad one is a bug here.
    indicatif::ProgressStyle::with_template(template).expect("a valid progress template")
}

impl View for Live {
    fn show(&mut self, rows: &[Row]) {
        for row in rows {
            let message = match row.standing {
                Standing::Done => "Ready".to_string(),
                Standing::New => row.message.clone(),
                _ => format!("{}: {}", row.reason, row.message),
            };
            let standing = row.standing;
            let existing = self.rows.get(&row.name).map(|(bar, s)| (bar.clone(), *s));
            let bar = match existing {
                Some((bar, previous)) => {
                    if previous != standing {
                        bar.set_style(self.row_style(standing));
                    }
                    bar
                }
                None => {
                    let bar = self
                        .multi
                        .add(indicatif::ProgressBar::new(1).with_style(self.row_style(standing)));
                    bar.set_prefix(row.name.clone());
                    bar
                }
            };
            bar.set_message(message);
            self.rows.insert(row.name.clone(), (bar, standing));
        }
        let done = rows.iter().filter(|r| r.standing == Standing::Done).count();
        self.header.set_length(rows.len() as u64);
        self.header.set_position(done as u64);
    }

    fn say(&mut self, line: &str) {
        // Above the table, which stays where it is.
        let _ = self.multi.println(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &str, name: &str, conditions: serde_json::Value) -> Row {
        job(kind, name, conditions, None)
    }

    fn job(kind: &str, name: &str, conditions: serde_json::Value, phase: Option<&str>) -> Row {
        let object: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "onair.dev/v1alpha1", "kind": kind,
            "metadata": {"name": name, "namespace": "default"},
            "status": {"conditions": conditions, "phase": phase},
        }))
        .unwrap();
        Row::of(kind, &object)
    }

    fn ready() -> serde_json::Value {
        serde_json::json!([{"type": "Ready", "status": "True", "reason": "Running", "message": "on air"}])
    }

    fn stalled(reason: &str) -> serde_json::Value {
        serde_json::json!([
            {"type": "Ready", "status": "False", "reason": reason, "message": "MediaLive ListInputSecurityGroups: not served"},
            {"type": "Stalled", "status": "True", "reason": reason, "message": "m"},
        ])
    }

    fn waiting(reason: &str) -> serde_json::Value {
        serde_json::json!([
            {"type": "Ready", "status": "False", "reason": reason, "message": "m"},
            {"type": "Reconciling", "status": "True", "reason": reason, "message": "m"},
        ])
    }

    #[test]
    fn standings_follow_the_conditions() {
        assert_eq!(object("LiveChannel", "a", ready()).standing, Standing::Done);
        assert_eq!(
            object("LiveChannel", "a", stalled("ApiNotServed")).standing,
            Standing::Stalled
        );
        assert_eq!(
            object("AdInsertion", "a", waiting("ChannelNotReady")).standing,
            Standing::WaitingForAnother
        );
        assert_eq!(
            object("LiveChannel", "a", waiting("InputNotReady")).standing,
            Standing::Progressing
        );
        // A HarvestJob that finished: done when it succeeded, stalled (never
        // "Ready") when it failed.
        let finished = serde_json::json!([{"type": "Ready", "status": "False", "reason": "HarvestFailed", "message": "m"}]);
        let succeeded = job("HarvestJob", "h", finished.clone(), Some("Succeeded"));
        assert_eq!(succeeded.standing, Standing::Done);
        let failed = job("HarvestJob", "h", finished, Some("Failed"));
        assert_eq!(failed.standing, Standing::Stalled);
        assert_eq!(failed.state(), "not Ready (HarvestFailed): m");
        let new = object("LiveChannel", "a", serde_json::json!([]));
        assert_eq!(new.standing, Standing::New);
        assert_eq!(new.state(), "waiting for the operator");
    }

    #[test]
    fn every_object_ready_is_the_happy_summary() {
        let rows = [
            object("LiveChannel", "a", ready()),
            object("TokenPolicy", "b", ready()),
        ];
        assert_eq!(
            summary(&rows, None).unwrap(),
            ["All 2 onair objects are Ready. Try: kubectl get onair; kubectl describe lc"]
        );
    }

    #[test]
    fn nothing_is_summed_up_while_something_moves() {
        let moving = [
            object("LiveChannel", "a", waiting("InputNotReady")),
            object("AdInsertion", "b", stalled("AwsRejected")),
        ];
        assert_eq!(summary(&moving, None), None);
        // Waiting for a channel that is itself still coming up: not settled.
        let waiting_on_progress = [
            object("LiveChannel", "a", ready()),
            object("AdInsertion", "b", waiting("ChannelNotReady")),
        ];
        assert_eq!(summary(&waiting_on_progress, None), None);
        assert_eq!(summary(&[], None), None);
    }

    #[test]
    fn a_stalled_set_says_what_stalled_what_waits_and_what_the_emulator_lacks() {
        let rows = [
            object("AwsProvider", "p", ready()),
            object("LiveChannel", "a", stalled("ApiNotServed")),
            object("AdInsertion", "b", waiting("ChannelNotReady")),
        ];
        let lines = summary(&rows, Some("http://127.0.0.1:5000")).unwrap();
        assert_eq!(
            lines[0],
            "1 of 3 onair objects are Ready; 1 stalled (onair waits for a change), 1 waiting for them:"
        );
        assert_eq!(
            lines[1],
            "  stalled  LiveChannel default/a: ApiNotServed: MediaLive ListInputSecurityGroups: not served"
        );
        assert_eq!(
            lines[2],
            "  waiting  AdInsertion default/b: ChannelNotReady"
        );
        assert!(lines[3].starts_with("The emulator at http://127.0.0.1:5000 lacks the APIs"));
        // Against the simulation there is no emulator to blame.
        assert_eq!(summary(&rows, None).unwrap().len(), 3);
    }
}
