//! The controller loop every kind runs under: `concurrency` reconciles at
//! once, each counted in the metrics under its kind, and one error policy
//! (a reconcile that the Kubernetes API stopped is retried after
//! `timing.retry`).

use std::sync::Arc;

use kube::runtime::controller::{Action, Config, Controller};
use kube::{Resource, ResourceExt};

use super::Error;
use crate::controller::context::Context;
use crate::k8s::Watched;

/// What happens after a reconcile returned an error (only the Kubernetes API
/// returns one: AWS failures are conditions): log it and retry.
pub fn error_policy<K>(object: Arc<K>, error: &Error, ctx: Arc<Context>) -> Action
where
    K: Resource<DynamicType = ()>,
{
    tracing::warn!(
        kind = %K::kind(&()),
        name = %object.name_any(),
        namespace = %object.namespace().unwrap_or_default(),
        %error,
        "reconcile failed; retrying"
    );
    Action::requeue(ctx.timing.retry)
}

/// Runs a configured controller until its streams end.
pub async fn run_kind<K, F, Fut>(
    controller: Controller<K>,
    concurrency: u16,
    reconcile: F,
    ctx: Arc<Context>,
) where
    K: Watched + Resource<DynamicType = ()>,
    F: Fn(Arc<K>, Arc<Context>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Action, Error>> + Send + 'static,
{
    use futures::StreamExt;
    let kind: &'static str = kind_name::<K>();
    let reconcile = Arc::new(reconcile);
    controller
        .with_config(Config::default().concurrency(concurrency))
        .run(
            move |object, ctx| crate::metrics::reconcile(kind, reconcile(object, ctx)),
            error_policy::<K>,
            ctx,
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(error = %e, "controller event");
            }
        })
        .await;
}

/// The kind's name as the metrics label it (`LiveChannel`, ...), made
/// `'static` once per kind.
fn kind_name<K: Resource<DynamicType = ()>>() -> &'static str {
    match K::kind(&()) {
        std::borrow::Cow::Borrowed(kind) => kind,
        std::borrow::Cow::Owned(kind) => Box::leak(kind.into_boxed_str()),
    }
}
