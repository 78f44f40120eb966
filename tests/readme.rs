//! README.md's field reference is the one the CRD schemas generate.

#[test]
fn readme_field_reference_is_current() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- reference:start -->\n")
        .expect("README has a reference:start marker")
        + 25;
    let end = readme
        .find("<!-- reference:end -->")
        .expect("README has a reference:end marker");
    assert!(
        readme[start..end] == onair::reference::markdown(),
        "README.md's field reference is out of date: replace it with `onair crd --reference`"
    );
}

#[test]
fn reference_covers_every_kind_and_rule() {
    let reference = onair::reference::markdown();
    for kind in [
        "AwsProvider",
        "LiveChannel",
        "AdInsertion",
        "TokenPolicy",
        "HarvestJob",
    ] {
        assert!(
            reference.contains(&format!("### {kind}\n")),
            "{kind} missing"
        );
    }
    assert!(reference.contains("| `spec.input.rtmpPush.allowedCidrs` |"));
    assert!(reference.contains("a HarvestJob is immutable once created"));
}
