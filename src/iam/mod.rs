//! `onair iam-policy`: the IAM policy for exactly the AWS calls onair makes.
//! Every operation of every service trait in `src/aws/` is mapped to the IAM
//! actions it needs here; a test fails when an operation is added to a trait
//! without its actions, so the policy cannot fall out of date.
//!
//! Each action is then limited as far as AWS's Service Authorization
//! Reference allows (resource types and condition keys per action): creates
//! must carry onair's owner tag, changes and deletions must find it on the
//! resource, what has no tag condition keys is limited by the names onair
//! gives, and roles are passed only to the service each is for.

//!
//! The parts: `actions` (operation -> actions), `grant` (action -> statement),
//! `roles` (the roles to pass), `policy` (the document); the command is here.

mod actions;
mod grant;
mod policy;
mod roles;
#[cfg(test)]
mod tests;

pub use actions::{actions, operations};
pub use grant::UNSCOPED;
pub use policy::{policy, policy_part, Part};
use roles::{partition, role_arn, service_names};
pub use roles::{PassRole, PassedTo};

#[derive(Debug, Clone, clap::Args)]
pub struct IamPolicyArgs {
    /// A service role onair may hand to an AWS service, as SERVICE=ROLE_ARN
    /// (repeat): medialive (LiveChannel `encoding.roleArn`, AwsProvider
    /// `mediaLiveRoleArn`), mediapackage (`mediaPackageSecretsRoleArn`,
    /// HarvestJob `destination.roleArn` and `vod.roleArn`), cloudfront
    /// (`cdn.telemetry.roleArn`) or firehose (`cdn.telemetry.firehose.roleArn`).
    /// No other role can be passed.
    #[arg(long = "pass-role", value_name = "SERVICE=ROLE_ARN")]
    pub pass_roles: Vec<PassRole>,
    /// An AwsProvider `assumeRole.roleArn` the operator may assume (repeat).
    #[arg(long = "assume-role-arn", value_name = "ROLE_ARN", value_parser = role_arn)]
    pub assume_role_arns: Vec<String>,
    /// The AWS partition of the ARNs.
    #[arg(long, default_value = "aws", value_parser = partition)]
    pub partition: String,
    /// Which of the two policies to print: `changes` (creates, changes,
    /// deletions, the roles to pass and assume) or `reads` (Describe, Get and
    /// List). Attach both: together they are more than the 6,144 characters
    /// IAM allows one managed policy.
    #[arg(long, value_enum, default_value = "changes")]
    pub part: Part,
}

/// What the policy leaves out for want of a role to pass, as a note for
/// stderr (None when every service has one).
fn missing_roles_note(pass_roles: &[PassRole]) -> Option<String> {
    let missing: Vec<&str> = PassedTo::ALL
        .into_iter()
        .filter(|s| !pass_roles.iter().any(|r| r.service == *s))
        .map(PassedTo::name)
        .collect();
    if missing.is_empty() {
        None
    } else if missing.len() == PassedTo::ALL.len() {
        Some(format!(
            "no --pass-role given, so the policy has no iam:PassRole and AWS will refuse MediaLive channels, origin protection, harvest jobs and CMCD telemetry; add each service role you use as --pass-role SERVICE=ROLE_ARN ({})",
            service_names()
        ))
    } else {
        Some(format!(
            "no --pass-role for {}: AWS will refuse what hands a role to {}; add --pass-role SERVICE=ROLE_ARN if you use it",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        ))
    }
}

pub fn main(args: IamPolicyArgs) -> Result<(), String> {
    if args.part == Part::Changes {
        if let Some(note) = missing_roles_note(&args.pass_roles) {
            eprintln!("onair iam-policy: {note}");
        }
        eprintln!(
            "onair iam-policy: this is the changes policy; attach the reads policy (`onair iam-policy --part reads`) to the same role too"
        );
    }
    let policy = policy_part(
        args.part,
        &args.pass_roles,
        &args.assume_role_arns,
        &args.partition,
    );
    let text = serde_json::to_string_pretty(&policy).map_err(|e| e.to_string())?;
    use std::io::Write;
    match writeln!(std::io::stdout(), "{text}") {
        // `onair iam-policy | head` is fine.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}
