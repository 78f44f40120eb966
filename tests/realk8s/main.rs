//! onair against a real control plane: etcd and kube-apiserver, kubectl and
//! helm of the pinned releases (`.ci/k8s-env` builds them from Go modules),
//! with RBAC on and the operator running as a process with the chart's
//! ServiceAccount token. Each test starts its own control plane
//! (`control_plane::ControlPlane`) on free loopback ports, so tests run in
//! parallel.
//!
//! - `crds`: the CRDs install and become Established, every example applies,
//!   every invalid example is refused with the local server's message;
//! - `helm`: the real `helm install`, `upgrade` and `uninstall` of the chart;
//! - `operator`: `onair run` with the chart's RBAC, cluster-wide and for
//!   listed namespaces, `kubectl auth can-i` bounds, two replicas and a
//!   kill -9 failover;
//! - `health`: kstatus (the cli-utils library) and the Argo CD health
//!   scripts (gopher-lua) on fixtures and on live objects;
//! - `conformance`: one list of requests against the local API server and the
//!   real one, compared;
//! - `bench`: `onair bench --kubeconfig` against the real API server;
//! - `monitoring`: the chart's alert rules and dashboard queries checked and
//!   unit-tested with promtool.

mod bench;
mod conformance;
mod control_plane;
mod crds;
mod health;
mod helm;
mod monitoring;
mod operator;
#[path = "../support/mod.rs"]
mod support;
mod tools;
