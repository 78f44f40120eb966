//! What the fuzz targets share: the admission of an object by its CRD's
//! schema and CEL rules (as the API server would), and the runtime that
//! drives the simulated AWS services.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use onair::schema::ObjectSchema;
use serde_json::Value;

/// Every kind's compiled schema: compiling the CRDs and their CEL rules
/// takes far longer than one input, so it happens once per process.
fn schemas() -> &'static BTreeMap<String, ObjectSchema> {
    static SCHEMAS: OnceLock<BTreeMap<String, ObjectSchema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        onair::crd::all()
            .iter()
            .map(|crd| {
                let schema = ObjectSchema::for_crd(crd, "v1alpha1").expect("the CRD compiles");
                (crd.spec.names.kind.clone(), schema)
            })
            .collect()
    })
}

/// One current-thread runtime for the whole run.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    })
}

/// Names the API server accepts (RFC 1123 subdomain); it refuses the rest
/// before any schema is looked at.
pub fn valid_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Admits `object` by its kind's schema, as the API server would: None if
/// it is refused. The admitted object must read as `T`, and admitting it
/// again must change nothing (defaults are applied once).
pub fn admit<T: serde::de::DeserializeOwned>(object: &Value) -> Option<T> {
    let kind = object.get("kind").and_then(Value::as_str)?;
    let schema = schemas().get(kind)?;
    let name = object.pointer("/metadata/name").and_then(Value::as_str)?;
    if !valid_name(name, 253) {
        return None;
    }
    let admitted = schema.admit(object, None).ok()?;
    let typed = serde_json::from_value(admitted.clone())
        .unwrap_or_else(|e| panic!("admitted but unreadable by the operator: {e}\n{admitted}"));
    let again = schema
        .admit(&admitted, None)
        .unwrap_or_else(|e| panic!("admitted once, refused the second time: {e}"));
    assert_eq!(again, admitted, "defaults are applied once");
    Some(typed)
}
