//! kstatus (sigs.k8s.io/cli-utils, what Flux and kpt compute health with) and
//! the Argo CD health scripts in docs/argocd (run by gopher-lua with Argo's
//! library restrictions) read every status fixture as it says. The Python
//! checks in tests/health_checks.rs re-implement both; this is the real
//! code. The operator suite applies the same tools to live objects.

use std::path::PathBuf;

use serde_json::Value;

use super::support;
use super::tools::{file_text, health_of};

#[test]
fn kstatus_and_argo_cd_read_every_status_fixture_as_expected() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(support::repo().join("tests/fixtures/status"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 12, "fixtures went missing: {paths:?}");
    let fixtures: Vec<Value> = paths
        .iter()
        .map(|path| serde_json::from_str(&file_text(path)).unwrap())
        .collect();
    let objects: Vec<Value> = fixtures.iter().map(|f| f["object"].clone()).collect();
    let verdicts = health_of(&objects);
    assert_eq!(verdicts.len(), fixtures.len());

    let mut wrong = Vec::new();
    let mut kstatus_seen = std::collections::BTreeSet::new();
    for ((path, fixture), verdict) in paths.iter().zip(&fixtures).zip(&verdicts) {
        let name = path.file_name().unwrap().to_string_lossy();
        for tool in ["kstatus", "argocd"] {
            let expected = &fixture["expect"][tool];
            let got = &verdict[tool]["status"];
            if expected != got {
                wrong.push(format!(
                    "{name}: {tool} says {got} ({}), the fixture expects {expected}",
                    verdict[tool]["message"]
                ));
            }
        }
        // A message for a human on every verdict but the plain healthy one.
        if verdict["argocd"]["status"] != "Healthy" {
            assert_ne!(
                verdict["argocd"]["message"], "",
                "{name}: no message for Argo CD"
            );
        }
        kstatus_seen.insert(verdict["kstatus"]["status"].as_str().unwrap().to_string());
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The fixtures cover every state kstatus can give onair objects.
    for status in ["Current", "InProgress", "Failed"] {
        assert!(kstatus_seen.contains(status), "no fixture reads {status}");
    }
}

#[test]
fn a_script_using_a_library_argo_cd_withholds_is_refused() {
    // The probe must be as strict as Argo CD, or the fixtures prove little:
    // `string` is not opened in Argo's health VM.
    let dir = support::scratch_dir("realk8s-lua");
    std::fs::write(
        dir.join("livechannel.lua"),
        "return {status = string.upper('healthy'), message = ''}",
    )
    .unwrap();
    let out = std::process::Command::new(super::control_plane::bin("probe"))
        .arg("health")
        .arg(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(br#"[{"apiVersion":"onair.dev/v1alpha1","kind":"LiveChannel","metadata":{"name":"x","generation":1}}]"#)?;
            child.wait_with_output()
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        !out.status.success(),
        "the probe ran a script that uses `string`"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("string"), "{stderr}");
}
