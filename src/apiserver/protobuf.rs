//! Kubernetes' protobuf request encoding, for the few built-in kinds kubectl's
//! generators send that way (`kubectl create namespace | configmap | secret |
//! serviceaccount`). Responses are always JSON, which kubectl accepts.
//!
//! The envelope is `k8s\0` + `runtime.Unknown{typeMeta, raw}`; `raw` is the
//! object's own message. Only the fields these kinds carry on create are read.

use base64::Engine as _;
use serde_json::{json, Map, Value};

const MAGIC: &[u8] = b"k8s\0";

/// Decodes a protobuf request body into the JSON object it stands for.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or("the protobuf body does not start with the Kubernetes magic number")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for field in Fields::new(envelope) {
        match field? {
            (1, Wire::Bytes(type_meta)) => {
                for f in Fields::new(type_meta) {
                    match f? {
                        (1, Wire::Bytes(b)) => api_version = text(b)?,
                        (2, Wire::Bytes(b)) => kind = text(b)?,
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(b)) => raw = b,
            _ => {}
        }
    }
    let mut object = match (api_version.as_str(), kind.as_str()) {
        ("v1", "Namespace") => message(raw, |n, w, out| match (n, w) {
            (1, Wire::Bytes(b)) => insert(out, "metadata", object_meta(b)?),
            (2, Wire::Bytes(b)) => {
                let spec = message(b, |n, w, spec| {
                    if let (1, Wire::Bytes(f)) = (n, w) {
                        push(spec, "finalizers", json!(text(f)?));
                    }
                    Ok(())
                })?;
                insert(out, "spec", spec)
            }
            _ => Ok(()),
        })?,
        ("v1", "ConfigMap") => message(raw, |n, w, out| match (n, w) {
            (1, Wire::Bytes(b)) => insert(out, "metadata", object_meta(b)?),
            (2, Wire::Bytes(b)) => map_entry(out, "data", b, false),
            (3, Wire::Bytes(b)) => map_entry(out, "binaryData", b, true),
            (4, Wire::Varint(v)) => insert(out, "immutable", json!(v != 0)),
            _ => Ok(()),
        })?,
        ("v1", "Secret") => message(raw, |n, w, out| match (n, w) {
            (1, Wire::Bytes(b)) => insert(out, "metadata", object_meta(b)?),
            (2, Wire::Bytes(b)) => map_entry(out, "data", b, true),
            (3, Wire::Bytes(b)) => insert(out, "type", json!(text(b)?)),
            (4, Wire::Bytes(b)) => map_entry(out, "stringData", b, false),
            (5, Wire::Varint(v)) => insert(out, "immutable", json!(v != 0)),
            _ => Ok(()),
        })?,
        ("v1", "ServiceAccount") => message(raw, |n, w, out| match (n, w) {
            (1, Wire::Bytes(b)) => insert(out, "metadata", object_meta(b)?),
            _ => Ok(()),
        })?,
        _ => {
            return Err(format!(
                "this server accepts protobuf only for Namespace, ConfigMap, Secret and \
                 ServiceAccount (got {api_version} {kind}); send JSON instead"
            ))
        }
    };
    object["apiVersion"] = json!(api_version);
    object["kind"] = json!(kind);
    Ok(object)
}

/// `metav1.ObjectMeta`: the fields a client sets on create.
fn object_meta(bytes: &[u8]) -> Result<Value, String> {
    message(bytes, |n, w, out| match (n, w) {
        (1, Wire::Bytes(b)) => insert(out, "name", json!(text(b)?)),
        (2, Wire::Bytes(b)) => insert(out, "generateName", json!(text(b)?)),
        (3, Wire::Bytes(b)) => insert(out, "namespace", json!(text(b)?)),
        (6, Wire::Bytes(b)) => insert(out, "resourceVersion", json!(text(b)?)),
        (11, Wire::Bytes(b)) => map_entry(out, "labels", b, false),
        (12, Wire::Bytes(b)) => map_entry(out, "annotations", b, false),
        (14, Wire::Bytes(b)) => {
            push(out, "finalizers", json!(text(b)?));
            Ok(())
        }
        _ => Ok(()),
    })
}

type Visit<'a> = dyn FnMut(u64, Wire<'a>, &mut Map<String, Value>) -> Result<(), String> + 'a;

fn message<'a>(
    bytes: &'a [u8],
    mut visit: impl FnMut(u64, Wire<'a>, &mut Map<String, Value>) -> Result<(), String> + 'a,
) -> Result<Value, String> {
    let visit: &mut Visit<'a> = &mut visit;
    let mut out = Map::new();
    for field in Fields::new(bytes) {
        let (number, wire) = field?;
        visit(number, wire, &mut out)?;
    }
    Ok(Value::Object(out))
}

fn insert(out: &mut Map<String, Value>, key: &str, value: Value) -> Result<(), String> {
    out.insert(key.to_string(), value);
    Ok(())
}

fn push(out: &mut Map<String, Value>, key: &str, value: Value) {
    if let Value::Array(items) = out.entry(key).or_insert_with(|| json!([])) {
        items.push(value);
    }
}

/// One `map<string, string|bytes>` entry; bytes values become base64, as in JSON.
fn map_entry(
    out: &mut Map<String, Value>,
    key: &str,
    entry: &[u8],
    bytes_value: bool,
) -> Result<(), String> {
    let (mut k, mut v) = (String::new(), Vec::new());
    for field in Fields::new(entry) {
        match field? {
            (1, Wire::Bytes(b)) => k = text(b)?,
            (2, Wire::Bytes(b)) => v = b.to_vec(),
            _ => {}
        }
    }
    let value = if bytes_value {
        json!(base64::engine::general_purpose::STANDARD.encode(v))
    } else {
        json!(String::from_utf8(v).map_err(|_| "a map value is not UTF-8")?)
    };
    if let Value::Object(map) = out.entry(key).or_insert_with(|| json!({})) {
        map.insert(k, value);
    }
    Ok(())
}

fn text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "a protobuf string is not UTF-8".to_string())
}

#[derive(Debug)]
enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// Iterates the (field number, value) pairs of one message.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.rest.split_first().ok_or("truncated protobuf varint")?;
            self.rest = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("protobuf varint too long".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.rest.len() < n {
            return Err("truncated protobuf field".into());
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(taken)
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Wire<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let field = (|| {
            let tag = self.varint()?;
            let wire = match tag & 7 {
                0 => Wire::Varint(self.varint()?),
                1 => self.take(8).map(|_| Wire::Fixed)?,
                2 => {
                    let len = usize::try_from(self.varint()?).map_err(|_| "field too long")?;
                    Wire::Bytes(self.take(len)?)
                }
                5 => self.take(4).map(|_| Wire::Fixed)?,
                other => return Err(format!("unsupported protobuf wire type {other}")),
            };
            Ok((tag >> 3, wire))
        })();
        if field.is_err() {
            self.rest = &[];
        }
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_field(number: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![((number << 3) | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn a_secret_from_kubectl_create_decodes() {
        let entry = [bytes_field(1, b"key"), bytes_field(2, b"s3cret")].concat();
        let meta = [bytes_field(1, b"keys"), bytes_field(3, b"default")].concat();
        let secret = [
            bytes_field(1, &meta),
            bytes_field(2, &entry),
            bytes_field(3, b"Opaque"),
        ]
        .concat();
        let type_meta = [bytes_field(1, b"v1"), bytes_field(2, b"Secret")].concat();
        let body = [
            MAGIC.to_vec(),
            bytes_field(1, &type_meta),
            bytes_field(2, &secret),
        ]
        .concat();
        let decoded = decode(&body).unwrap();
        assert_eq!(decoded["kind"], "Secret");
        assert_eq!(decoded["metadata"]["name"], "keys");
        assert_eq!(decoded["data"]["key"], "czNjcmV0");
        assert_eq!(decoded["type"], "Opaque");
    }

    #[test]
    fn other_kinds_and_garbage_are_refused() {
        let type_meta = [bytes_field(1, b"apps/v1"), bytes_field(2, b"Deployment")].concat();
        let body = [MAGIC.to_vec(), bytes_field(1, &type_meta)].concat();
        assert!(decode(&body).unwrap_err().contains("send JSON"));
        assert!(decode(b"k8s\0\x0a\xff").is_err());
        assert!(decode(b"{}").is_err());
    }
}
