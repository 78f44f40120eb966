//! The newcomer's path against an emulator: `onair sandbox
//! --aws-endpoint-url` on moto, with no AWS credentials or region set, and
//! the shipped examples. STS and AssumeRole go to the emulator (the example
//! AwsProvider assumes a role), so the provider is Ready; moto lacks what
//! the other examples need (MediaLive input security groups for an RTMP
//! push input, the CloudFront KeyValueStore data API a TokenPolicy writes,
//! MediaTailor, MediaPackage harvest jobs), and the sandbox says so: those
//! objects are stalled with `ApiNotServed` naming the API, the ones that
//! depend on them wait, and the summary says the emulator lacks the APIs.

use std::time::Duration;

use kube::api::{Api, DynamicObject};
use kube::discovery::ApiResource;

use crate::moto::Moto;
use crate::support::sandbox::Sandbox;

/// The Ready condition of `kind`/`name` (namespace default unless cluster-scoped).
async fn ready_of(client: &kube::Client, kind: &str, name: &str) -> serde_json::Value {
    let gvk = kube::core::GroupVersionKind::gvk("onair.dev", "v1alpha1", kind);
    let resource = ApiResource::from_gvk(&gvk);
    let api: Api<DynamicObject> = if kind == "AwsProvider" {
        Api::all_with(client.clone(), &resource)
    } else {
        Api::namespaced_with(client.clone(), "default", &resource)
    };
    let object = api.get(name).await.unwrap();
    let conditions = object.data["status"]["conditions"].as_array().cloned();
    conditions
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Ready")
        .unwrap_or_else(|| panic!("{kind} {name} has no Ready condition: {object:?}"))
}

#[test]
fn the_sandbox_on_moto_runs_what_moto_serves_and_names_what_it_lacks() {
    let moto = Moto::start();
    let mut sandbox = Sandbox::start(
        "sandbox-moto",
        &["--aws-endpoint-url", &moto.url],
        // A newcomer's shell: no AWS settings at all.
        &[
            ("AWS_ACCESS_KEY_ID", ""),
            ("AWS_SECRET_ACCESS_KEY", ""),
            ("AWS_REGION", ""),
            ("AWS_DEFAULT_REGION", ""),
            ("AWS_PROFILE", ""),
            ("AWS_CONFIG_FILE", "/nonexistent"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
            ("NO_COLOR", "1"),
        ],
    );
    let settled = sandbox.wait_for_line(Duration::from_secs(180), |line| {
        line.starts_with("1 of 5 onair objects are Ready")
    });
    // The summary's detail lines follow its first line.
    sandbox.wait_for_line(Duration::from_secs(5), |line| {
        line.starts_with("The emulator at")
    });
    let text = sandbox.text();
    assert!(settled, "the sandbox never settled on moto:\n{text}");
    assert!(!text.contains('\x1b'), "{text}");
    assert!(
        text.contains("AWS credentials: none set up; using test credentials"),
        "{text}"
    );
    assert!(
        text.contains("AwsProvider media-prod: Ready (CredentialsVerified)"),
        "STS and AssumeRole reach moto:\n{text}"
    );
    assert!(
        text.contains(&format!(
            "The emulator at {} lacks the APIs named above",
            moto.url
        )),
        "{text}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = sandbox.client().await;
        let provider = ready_of(&client, "AwsProvider", "media-prod").await;
        assert_eq!(provider["status"], "True", "{provider}");
        assert!(
            provider["message"]
                .as_str()
                .unwrap()
                .contains("assumed-role/onair-operator"),
            "the example's role was assumed through moto's STS: {provider}"
        );
        for (kind, name, api) in [
            ("LiveChannel", "sports-1", "MediaLive"),
            ("TokenPolicy", "sports-1-tokens", "CloudFrontKeyValueStore"),
        ] {
            let ready = ready_of(&client, kind, name).await;
            let message = ready["message"].as_str().unwrap();
            assert_eq!(ready["status"], "False", "{kind}: {ready}");
            assert_eq!(ready["reason"], "ApiNotServed", "{kind}: {ready}");
            assert!(
                message.contains(api) && message.contains("does not serve this API"),
                "{kind}: {message}"
            );
            assert!(!message.contains("request id"), "{kind}: {message}");
        }
        for (kind, name) in [
            ("AdInsertion", "sports-1-ads"),
            ("HarvestJob", "sports-1-first-half"),
        ] {
            let ready = ready_of(&client, kind, name).await;
            assert_eq!(ready["reason"], "ChannelNotReady", "{kind}: {ready}");
        }
    });
    sandbox.stop();
}
