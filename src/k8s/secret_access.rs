//! Where onair may read Secrets (`onair run --secret-namespaces`,
//! `ONAIR_SECRET_NAMESPACES`, the chart's `secretNamespaces`).
//!
//! The chart never grants Secrets in a ClusterRole: a cluster-wide operator
//! able to read every Secret of the cluster is one stolen token away from all
//! of them. It grants them in a Role per listed namespace instead, so the
//! operator must know the list too: a Secret watch across every namespace
//! would be refused, and an object elsewhere must say what to change rather
//! than fail on a 403.

use std::collections::BTreeSet;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::core::PartialObjectMeta;
use kube::runtime::{watcher, WatchStreamExt};

/// The namespaces whose Secrets onair may read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretAccess {
    /// None: every namespace onair watches (no list given: the RBAC follows
    /// the watch scope). Some: only these, even when empty.
    only: Option<BTreeSet<String>>,
}

impl SecretAccess {
    /// Secrets readable wherever onair reconciles objects.
    pub fn everywhere() -> Self {
        Self::default()
    }

    /// Secrets readable in these namespaces only (blank entries ignored, so
    /// an empty `ONAIR_SECRET_NAMESPACES` means none).
    pub fn only<I, S>(namespaces: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self {
            only: Some(
                namespaces
                    .into_iter()
                    .map(|n| n.as_ref().trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect(),
            ),
        }
    }

    /// From the `--secret-namespaces` flag: absent means everywhere.
    pub fn from_flag(namespaces: Option<&[String]>) -> Self {
        namespaces.map_or_else(Self::everywhere, Self::only)
    }

    /// The listed namespaces, if a list was given.
    pub fn listed(&self) -> Option<&BTreeSet<String>> {
        self.only.as_ref()
    }

    pub fn readable(&self, namespace: &str) -> bool {
        self.only.as_ref().is_none_or(|l| l.contains(namespace))
    }

    /// `Err(message)` when the Secrets of `namespace` may not be read; `what`
    /// names the field that refers to one.
    pub fn check(&self, namespace: &str, what: &str) -> Result<(), String> {
        if self.readable(namespace) {
            return Ok(());
        }
        Err(format!(
            "onair may not read Secrets in namespace {namespace} ({what} names one): add it to the chart's secretNamespaces (ONAIR_SECRET_NAMESPACES, onair run --secret-namespaces)"
        ))
    }

    /// The scopes of the Secret watches for the controllers of `namespace`
    /// (None: every namespace): that namespace if readable; for every
    /// namespace, one watch per listed namespace (the RBAC refuses a watch
    /// across all of them), or one across all when no list was given.
    pub fn watch_scopes(&self, namespace: Option<&str>) -> Vec<Option<String>> {
        match (namespace, &self.only) {
            (Some(ns), _) if self.readable(ns) => vec![Some(ns.to_string())],
            (Some(_), _) => Vec::new(),
            (None, None) => vec![None],
            (None, Some(list)) => list.iter().cloned().map(Some).collect(),
        }
    }
}

/// Changes to the Secrets (metadata only: values never pass through a
/// watch) the controllers of `namespace` may read, for `watches_stream`.
/// Never ends: with no readable namespace it waits forever, so the
/// controller's other triggers keep running.
pub fn watch(
    client: &kube::Client,
    access: &SecretAccess,
    namespace: Option<&str>,
) -> futures::stream::BoxStream<'static, Result<PartialObjectMeta<Secret>, watcher::Error>> {
    let watches: Vec<_> = access
        .watch_scopes(namespace)
        .into_iter()
        .map(|scope| {
            watcher(
                super::scoped::<PartialObjectMeta<Secret>>(client, scope.as_deref()),
                watcher::Config::default(),
            )
            .default_backoff()
            .touched_objects()
            .boxed()
        })
        .collect();
    if watches.is_empty() {
        return futures::stream::pending().boxed();
    }
    futures::stream::select_all(watches).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_list_secrets_are_read_wherever_onair_watches() {
        let access = SecretAccess::from_flag(None);
        assert!(access.readable("media"));
        assert_eq!(access.check("media", "x"), Ok(()));
        assert_eq!(access.watch_scopes(None), vec![None]);
        assert_eq!(
            access.watch_scopes(Some("media")),
            vec![Some("media".into())]
        );
    }

    #[test]
    fn with_a_list_only_those_namespaces_are_read_and_watched() {
        let access = SecretAccess::from_flag(Some(&["media".into(), " news ".into()]));
        assert!(access.readable("media") && access.readable("news"));
        assert!(!access.readable("other"));
        // Cluster-wide: one watch per listed namespace, never one across all.
        assert_eq!(
            access.watch_scopes(None),
            vec![Some("media".into()), Some("news".into())]
        );
        assert_eq!(
            access.watch_scopes(Some("other")),
            Vec::<Option<String>>::new()
        );
        let message = access.check("other", "signingKeys.secretRef").unwrap_err();
        assert!(
            message.contains("namespace other") && message.contains("secretNamespaces"),
            "{message}"
        );
    }

    #[test]
    fn an_empty_list_reads_no_secrets() {
        // The chart's cluster-wide default: ONAIR_SECRET_NAMESPACES="".
        let access = SecretAccess::from_flag(Some(&[String::new()]));
        assert!(!access.readable("default"));
        assert!(access.watch_scopes(None).is_empty());
    }
}
