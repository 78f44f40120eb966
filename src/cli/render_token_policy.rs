//! `onair render` for a TokenPolicy: what onair would publish at the edge,
//! offline. The CloudFront Function's code (what the reconciler generates,
//! byte for byte, with the key value store's id a placeholder), the entries
//! it writes to the store, and with WAF revocation the regex patterns and
//! web ACL. Signing keys are secrets: a key's entry names the key, its
//! Secret and its length, never its value.
//!
//! The objects a policy reads come from the same file: the signing-keys
//! Secret, the revocation ConfigMap, the channels (their status, as
//! `kubectl get -o yaml` prints it, holds the endpoint paths that scope the
//! tokens) and the AdInsertions. What the file leaves out is a placeholder
//! and a note, not an error: the cluster may hold it.

use std::collections::{BTreeMap, BTreeSet};

use kube::ResourceExt;
use serde::Serialize;

use super::objects::{key_of, owner_of, Objects};
use crate::api::token_policy::{RevocationMethod, TokenPolicy};
use crate::aws::children::edge::{WebAclChild, NO_SESSION_PATTERN};
use crate::aws::cloudfront::FUNCTION_RUNTIME;
use crate::aws::wafv2::WebAclSpec;
use crate::controller::token_policy::apply::{common_provider, function_comment, Names};
use crate::plan::token_policy::{revocation_ttl_seconds, waf_patterns};
use crate::token::config::{key_entry, revoked_entry};
use crate::token::function;
use crate::token::policy::{check_keys, keys_in, revoked_from, InputError, PolicyInputs};
use crate::token::Keys;

/// The key value store's id, which CloudFront chooses at creation: replace
/// it with a store's id to run the code (`aws cloudfront test-function`).
pub const STORE_ID_PLACEHOLDER: &str = "<key value store id>";

/// Everything `onair render` prints for one TokenPolicy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rendered {
    pub token_policy: String,
    /// What the file leaves open (a Secret, a ConfigMap or a channel's
    /// endpoint paths not in it), and what stands in for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub key_value_store: RenderedStore,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex_pattern_set: Option<RenderedPatternSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_acl: Option<RenderedWebAcl>,
    /// Last: its code is the long part.
    pub function: RenderedFunction,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedStore {
    pub name: String,
    /// Entry name -> value; a signing key's value is withheld.
    pub entries: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedFunction {
    pub name: String,
    pub comment: String,
    pub runtime: &'static str,
    pub event_type: &'static str,
    /// Published: the distributions run the LIVE stage.
    pub stage: &'static str,
    pub key_value_store_arns: Vec<String>,
    /// The JavaScript, as published.
    pub code: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedPatternSet {
    pub name: String,
    pub patterns: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderedWebAcl {
    pub name: String,
    pub spec: WebAclSpec,
}

fn message(e: InputError) -> String {
    e.to_string()
}

/// What onair would publish for `tp`, from the objects of the file; an
/// error says what the reconciler would refuse (a bad signing key, a bad
/// session id, a function over CloudFront's limit).
pub(crate) fn render(tp: &TokenPolicy, objects: &Objects) -> Result<Rendered, String> {
    let spec = &tp.spec;
    let owner = owner_of(tp);
    let names = Names::of(&owner);
    let namespace = owner.namespace.clone();
    let mut notes = Vec::new();

    let mut entries = signing_key_entries(tp, objects, &mut notes)?;
    let config_map = match (&spec.revocation.config_map_ref, spec.revocation.enabled) {
        (Some(map), true) => {
            let found = objects
                .config_maps
                .get(&key_of(Some(namespace.clone()), &map.name));
            if found.is_none() {
                notes.push(format!(
                    "the ConfigMap \"{}\" (revocation.configMapRef) is not in the file: the sessions it lists are revoked too, each an entry r:<session id>",
                    map.name
                ));
            }
            found
        }
        _ => None,
    };
    let revoked = revoked_from(spec, config_map).map_err(message)?;
    // The end is fixed when the reconciler first sees the session listed.
    let ttl = revocation_ttl_seconds(spec);
    for session in &revoked {
        entries.insert(
            revoked_entry(session),
            format!("<unix time the session is first listed + {ttl}>"),
        );
    }

    let channels: Vec<_> = spec
        .channel_refs
        .iter()
        .filter_map(|r| objects.channel(&namespace, &r.name).cloned())
        .collect();
    let served = |channel: &str| {
        objects.ad_insertions.iter().any(|a| {
            a.spec.channel_ref.name == channel
                && a.namespace().unwrap_or_else(|| "default".into()) == namespace
        })
    };
    // No key material in the inputs: the function never holds a key.
    let mut inputs = PolicyInputs::assemble(Keys::default(), revoked.clone(), channels, served);
    common_provider(&inputs).map_err(|f| f.message)?;
    placeholder_paths(tp, objects, &mut inputs, &mut notes);

    let code = function::source(&inputs.edge_config(spec), STORE_ID_PLACEHOLDER);
    function::check_size(&code)?;

    let waf = spec.revocation.enabled && spec.revocation.method == RevocationMethod::Waf;
    let (regex_pattern_set, web_acl) = if waf {
        let sessions: Vec<String> = revoked.into_iter().collect();
        let mut patterns =
            waf_patterns(&sessions, &spec.token.query_parameter).map_err(|e| e.to_string())?;
        if patterns.is_empty() {
            patterns.push(NO_SESSION_PATTERN.to_string());
        }
        (
            Some(RenderedPatternSet {
                name: names.pattern_set.clone(),
                patterns,
            }),
            Some(RenderedWebAcl {
                name: names.web_acl.clone(),
                spec: WebAclChild::spec_for(
                    &owner,
                    "<regex pattern set ARN>",
                    spec.failure_status_code,
                ),
            }),
        )
    } else {
        (None, None)
    };

    Ok(Rendered {
        token_policy: format!("{namespace}/{}", owner.name),
        notes,
        key_value_store: RenderedStore {
            name: names.store,
            entries,
        },
        regex_pattern_set,
        web_acl,
        function: RenderedFunction {
            name: names.function,
            comment: function_comment(&owner),
            runtime: FUNCTION_RUNTIME,
            event_type: "viewer-request",
            stage: "LIVE",
            key_value_store_arns: vec!["<key value store ARN>".into()],
            code,
        },
    })
}

/// One store entry per signing key, its value withheld. With the Secret in
/// the file the keys are checked as the reconciler checks them; without it
/// only the active key is known.
fn signing_key_entries(
    tp: &TokenPolicy,
    objects: &Objects,
    notes: &mut Vec<String>,
) -> Result<BTreeMap<String, String>, String> {
    let secret_name = &tp.spec.signing_keys.secret_ref.name;
    let active = &tp.spec.signing_keys.active_key_id;
    let Some(secret) = objects.secrets.get(&key_of(tp.namespace(), secret_name)) else {
        notes.push(format!(
            "the Secret \"{secret_name}\" (signingKeys.secretRef) is not in the file: each of its keys gets an entry k:<key id> like the active key's"
        ));
        return Ok(BTreeMap::from([(
            key_entry(active),
            format!("<secret: key {active} of Secret {secret_name}, withheld>"),
        )]));
    };
    let keys = keys_in(secret);
    check_keys(&keys, secret_name, active).map_err(message)?;
    Ok(keys
        .0
        .iter()
        .map(|(id, key)| {
            (
                key_entry(id),
                format!(
                    "<secret: base64 of the {} bytes of key {id} in Secret {secret_name}, withheld>",
                    key.len()
                ),
            )
        })
        .collect())
}

/// A channel whose playback URLs the file does not hold (not in it, or not
/// created yet) has its endpoint directories, which AWS names, as
/// placeholders: the token scopes and its origin pass's directories.
fn placeholder_paths(
    tp: &TokenPolicy,
    objects: &Objects,
    inputs: &mut PolicyInputs,
    notes: &mut Vec<String>,
) {
    let namespace = tp.namespace().unwrap_or_else(|| "default".into());
    let mut paths: BTreeSet<String> = inputs.channel_paths.iter().cloned().collect();
    for reference in &tp.spec.channel_refs {
        let name = &reference.name;
        let dirs = inputs.channel_dirs.entry(name.clone()).or_default();
        if !dirs.is_empty() {
            continue;
        }
        let channel = objects.channel(&namespace, name);
        *dirs = match channel {
            Some(lc) => [
                ("HLS", lc.spec.packaging.hls.enabled),
                ("DASH", lc.spec.packaging.dash.enabled),
            ]
            .into_iter()
            .filter(|(_, enabled)| *enabled)
            .map(|(format, _)| format!("/out/v1/<{name} {format} endpoint path id>/"))
            .collect(),
            None => vec![format!("/out/v1/<{name} endpoint path id>/")],
        };
        paths.extend(dirs.iter().cloned());
        notes.push(match channel {
            Some(_) => format!(
                "the LiveChannel \"{name}\" in the file has no playback URLs (status.playback): its endpoint paths, which AWS chooses, are placeholders; give the channel as `kubectl get livechannel {name} -o yaml` prints it for the real ones"
            ),
            None => format!(
                "the LiveChannel \"{name}\" is not in the file: its endpoint paths are placeholders; add it as `kubectl get livechannel {name} -o yaml` prints it for the real ones"
            ),
        });
    }
    inputs.channel_paths = paths.into_iter().collect();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::objects::read_str;
    use crate::cli::render::RenderArgs;

    const KEY: &str = "demo-only-key-replace-me-0123456789abcdef0123456789";

    fn example(file: &str) -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples")
                .join(file),
        )
        .unwrap()
    }

    /// The config the code embeds (its `const C=...;`).
    fn embedded_config(code: &str) -> serde_json::Value {
        let start = code.find("const C=").expect("the code embeds its config") + 8;
        let end = start + code[start..].find(";const store").unwrap();
        serde_json::from_str(&code[start..end]).unwrap()
    }

    fn rendered(yaml: &str) -> Rendered {
        let objects = read_str(yaml, "test.yaml").unwrap();
        render(&objects.token_policies[0], &objects).unwrap()
    }

    #[test]
    fn the_example_policy_shows_its_function_and_entries_and_no_key() {
        let file = format!(
            "{}\n---\n{}\n---\n{}",
            example("token-policy.yaml"),
            example("token-signing-keys.yaml"),
            example("live-channel.yaml")
        );
        let out = rendered(&file);
        let entries = &out.key_value_store.entries;
        assert_eq!(
            entries["k:k2026a"],
            "<secret: base64 of the 51 bytes of key k2026a in Secret playback-signing-keys, withheld>"
        );
        assert_eq!(
            entries["r:leaked-session-0001"],
            "<unix time the session is first listed + 86400>"
        );
        assert_eq!(entries.len(), 2);
        let code = &out.function.code;
        assert!(code.starts_with("import cf from 'cloudfront';"), "{code}");
        assert!(
            code.contains(r#""storeId":"<key value store id>""#),
            "{code}"
        );
        // The channel has no status in the file: its paths are placeholders.
        assert_eq!(
            embedded_config(code)["pathScopes"],
            serde_json::json!([
                "/out/v1/<sports-1 DASH endpoint path id>/",
                "/out/v1/<sports-1 HLS endpoint path id>/"
            ])
        );
        assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
        assert!(out.notes[0].contains("no playback URLs"), "{:?}", out.notes);
        assert!(out.web_acl.is_none() && out.regex_pattern_set.is_none());

        let yaml = serde_yaml::to_string(&out).unwrap();
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, KEY);
        assert!(
            !yaml.contains(KEY) && !yaml.contains(&b64),
            "a key was printed:\n{yaml}"
        );
        // The code reads back whole from the YAML, ready to save and test.
        let back: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(back["function"]["code"].as_str(), Some(code.as_str()));
        assert!(yaml.contains("code: |"), "a block, readable as is:\n{yaml}");
    }

    #[test]
    fn what_the_file_does_not_hold_is_a_placeholder_and_a_note() {
        let policy = example("token-policy.yaml").replace(
            "    sessions:\n",
            "    configMapRef:\n      name: revoked\n    sessions:\n",
        );
        let out = rendered(&policy);
        assert_eq!(
            out.key_value_store.entries["k:k2026a"],
            "<secret: key k2026a of Secret playback-signing-keys, withheld>"
        );
        let notes = out.notes.join("\n");
        for needle in [
            "Secret \"playback-signing-keys\"",
            "ConfigMap \"revoked\"",
            "LiveChannel \"sports-1\" is not in the file",
        ] {
            assert!(notes.contains(needle), "{needle}: {notes}");
        }
        assert_eq!(
            embedded_config(&out.function.code)["pathScopes"],
            serde_json::json!(["/out/v1/<sports-1 endpoint path id>/"])
        );
    }

    #[test]
    fn a_channel_status_gives_the_real_paths_and_waf_revocation_its_patterns() {
        let channel = format!(
            "{}\nstatus:\n  playback:\n    hls: https://d1.cloudfront.net/out/v1/abc/index.m3u8\n",
            example("live-channel.yaml")
        );
        let policy = example("token-policy.yaml").replace("KeyValueStore ", "Waf ");
        let out = rendered(&format!("{policy}\n---\n{channel}"));
        let config = embedded_config(&out.function.code);
        assert_eq!(config["pathScopes"], serde_json::json!(["/out/v1/abc/"]));
        assert_eq!(
            config["originScopes"],
            serde_json::json!({"sports-1": ["/out/v1/abc/"]})
        );
        assert!(
            out.notes.iter().all(|n| !n.contains("LiveChannel")),
            "{:?}",
            out.notes
        );
        let set = out.regex_pattern_set.unwrap();
        assert_eq!(set.patterns.len(), 1);
        assert!(set.patterns[0].contains("leaked-session-0001"));
        assert_eq!(out.web_acl.unwrap().spec.rules.len(), 1);
    }

    #[test]
    fn what_the_reconciler_refuses_render_refuses() {
        let short = example("token-signing-keys.yaml").replace(KEY, "short");
        let objects = read_str(
            &format!("{}\n---\n{short}", example("token-policy.yaml")),
            "t.yaml",
        )
        .unwrap();
        let e = render(&objects.token_policies[0], &objects).unwrap_err();
        assert!(e.contains("is 5 bytes; use 32 to 768"), "{e}");
        assert!(
            !e.contains("short\""),
            "no key material in the message: {e}"
        );

        // Through the command: the error names the policy.
        let path = std::env::temp_dir().join(format!("onair-render-{}.yaml", std::process::id()));
        std::fs::write(
            &path,
            format!("{}\n---\n{short}", example("token-policy.yaml")),
        )
        .unwrap();
        let args = RenderArgs {
            file: path.clone(),
            media_live_role_arn: None,
            media_package_secrets_role_arn: None,
        };
        let e = crate::cli::render::render_text(&args)
            .unwrap_err()
            .to_string();
        std::fs::remove_file(&path).ok();
        assert!(
            e.starts_with("TokenPolicy sports-1-tokens: signing key"),
            "{e}"
        );
    }
}
