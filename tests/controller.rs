//! A kube-rs Controller with a finalizer, run end to end against the local API
//! server: the shape every onair reconciler has.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::finalizer::{finalizer, Event};
use kube::runtime::watcher;
use kube::ResourceExt;
use onair::api::LiveChannel;
use serde_json::json;

const FINALIZER: &str = "onair.dev/test-cleanup";

struct Context {
    client: kube::Client,
    cleaned_up: Mutex<Vec<String>>,
}

async fn reconcile(
    channel: Arc<LiveChannel>,
    ctx: Arc<Context>,
) -> Result<Action, kube::runtime::finalizer::Error<kube::Error>> {
    let api: Api<LiveChannel> = Api::namespaced(ctx.client.clone(), &channel.namespace().unwrap());
    finalizer(&api, FINALIZER, channel, |event| async {
        match event {
            Event::Apply(channel) => {
                let status = json!({
                    "apiVersion": "onair.dev/v1alpha1",
                    "kind": "LiveChannel",
                    "status": {
                        "observedGeneration": channel.metadata.generation,
                        "conditions": [{"type": "Ready", "status": "True", "reason": "Reconciled", "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
                    }
                });
                api.patch_status(&channel.name_any(), &PatchParams::apply("onair").force(), &Patch::Apply(&status))
                    .await?;
                Ok(Action::await_change())
            }
            Event::Cleanup(channel) => {
                ctx.cleaned_up.lock().unwrap().push(channel.name_any());
                Ok(Action::await_change())
            }
        }
    })
    .await
}

fn error_policy(
    _: Arc<LiveChannel>,
    _: &kube::runtime::finalizer::Error<kube::Error>,
    _: Arc<Context>,
) -> Action {
    Action::requeue(Duration::from_millis(200))
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn a_controller_with_a_finalizer_runs_end_to_end() {
    let server = support::server_with_crds().await;
    let client = server.client();
    let ctx = Arc::new(Context {
        client: client.clone(),
        cleaned_up: Mutex::new(Vec::new()),
    });
    let channels: Api<LiveChannel> = Api::all(client.clone());
    let controller = Controller::new(channels, watcher::Config::default())
        .run(reconcile, error_policy, ctx.clone())
        .for_each(|result| async move {
            if let Err(error) = result {
                eprintln!("reconcile failed: {error:?}");
            }
        });
    let running = tokio::spawn(controller);

    let api: Api<LiveChannel> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &support::example_channel("news"))
        .await
        .unwrap();
    eventually(
        "the controller added its finalizer and wrote status",
        || async {
            let c = api.get("news").await.unwrap();
            let ready = c
                .status
                .as_ref()
                .is_some_and(|s| s.observed_generation == Some(1));
            ready && c.finalizers().contains(&FINALIZER.to_string())
        },
    )
    .await;

    // A spec change is seen and reconciled (observedGeneration follows).
    let idle = json!({"spec": {"state": "Idle"}});
    api.patch("news", &PatchParams::default(), &Patch::Merge(&idle))
        .await
        .unwrap();
    eventually("status caught up with generation 2", || async {
        let c = api.get("news").await.unwrap();
        c.status.as_ref().and_then(|s| s.observed_generation) == Some(2)
    })
    .await;

    api.delete("news", &DeleteParams::default()).await.unwrap();
    eventually("the object is gone after cleanup", || async {
        api.get_opt("news").await.unwrap().is_none()
    })
    .await;
    assert_eq!(*ctx.cleaned_up.lock().unwrap(), ["news"]);
    running.abort();
    server.stop().await;
}

/// Child ids recorded as annotations survive a restart: a fresh driver reading
/// the object finds the AWS resources instead of creating new ones.
#[tokio::test]
async fn child_ids_live_on_the_object() {
    use onair::aws::children::medialive::{InputChild, SecurityGroupChild};
    use onair::aws::ownership::{Owner, Tags};
    use onair::aws::sim::Sim;
    use onair::controller::kit::driver::{ensure, Action, AnnotationIds};

    let server = support::server_with_crds().await;
    let api: Api<LiveChannel> = Api::namespaced(server.client(), "default");
    let channel = api
        .create(&PostParams::default(), &support::example_channel("news"))
        .await
        .unwrap();
    let owner = Owner::new(channel.uid().unwrap(), "default", "news");
    let sim = Sim::default();
    let medialive = sim.medialive();
    let tags = Tags::new();
    let plan = onair::plan::medialive::security_group_cidrs(&channel.spec.input).unwrap();
    let group = SecurityGroupChild {
        api: medialive.as_ref(),
        owner: &owner,
        tags: &tags,
        cidrs: plan,
    };

    let mut ids = AnnotationIds::new(api.clone(), &channel);
    let (sg, action) = ensure(&group, &mut ids).await.unwrap();
    assert_eq!(action, Action::Created);
    let (kind, settings) = onair::plan::medialive::input(&channel.spec.input, Some(&sg.id), &[]);
    let input = InputChild {
        api: medialive.as_ref(),
        owner: &owner,
        tags: &tags,
        input_type: kind,
        settings,
    };
    let (created, _) = ensure(&input, &mut ids).await.unwrap();

    // "Restart": read the object again, as a new operator process would.
    let reread = api.get("news").await.unwrap();
    let annotations = reread.metadata.annotations.clone().unwrap();
    assert_eq!(annotations["onair.dev/input-id"], created.id);
    assert_eq!(annotations["onair.dev/input-security-group-id"], sg.id);
    assert_eq!(
        reread.metadata.generation,
        Some(1),
        "ids are metadata, not spec"
    );
    let mut fresh = AnnotationIds::new(api.clone(), &reread);
    assert_eq!(
        ensure(&group, &mut fresh).await.unwrap().1,
        Action::Unchanged
    );
    assert_eq!(
        ensure(&input, &mut fresh).await.unwrap().1,
        Action::Unchanged
    );
    server.stop().await;
}
