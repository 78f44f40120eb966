//! Label selectors (`a=b,c!=d,e in (x,y),!f,g`) and field selectors
//! (`metadata.name=x`, `metadata.namespace!=y`), as list and watch filter them.

use serde_json::Value;

use super::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    labels: Vec<Requirement>,
    fields: Vec<Requirement>,
}

impl Selector {
    pub fn parse(labels: Option<&str>, fields: Option<&str>) -> Result<Self, ApiError> {
        Ok(Self {
            labels: parse_requirements(labels.unwrap_or_default(), "labelSelector")?,
            fields: parse_requirements(fields.unwrap_or_default(), "fieldSelector")?,
        })
    }

    /// The first field the selector names outside `supported`.
    pub fn unsupported_field<'a>(&'a self, supported: &[&str]) -> Option<&'a str> {
        self.fields
            .iter()
            .map(Requirement::key)
            .find(|key| !supported.contains(key))
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels = object.pointer("/metadata/labels");
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        let field = |path: &str| {
            let pointer = format!("/{}", path.replace('.', "/"));
            object.pointer(&pointer).map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        self.labels
            .iter()
            .all(|r| r.matches(|k| label(k).map(str::to_string)))
            && self.fields.iter().all(|r| {
                // An absent field compares as the empty string, as in Kubernetes.
                r.matches(|k| Some(field(k).unwrap_or_default()))
            })
    }
}

impl Requirement {
    fn key(&self) -> &str {
        match self {
            Requirement::Equals(k, _)
            | Requirement::NotEquals(k, _)
            | Requirement::In(k, _)
            | Requirement::NotIn(k, _)
            | Requirement::Exists(k)
            | Requirement::DoesNotExist(k) => k,
        }
    }

    fn matches(&self, value_of: impl Fn(&str) -> Option<String>) -> bool {
        match self {
            Requirement::Equals(k, v) => value_of(k).as_deref() == Some(v.as_str()),
            Requirement::NotEquals(k, v) => value_of(k).as_deref() != Some(v.as_str()),
            Requirement::In(k, vs) => value_of(k).is_some_and(|x| vs.contains(&x)),
            Requirement::NotIn(k, vs) => value_of(k).is_none_or(|x| !vs.contains(&x)),
            Requirement::Exists(k) => value_of(k).is_some(),
            Requirement::DoesNotExist(k) => value_of(k).is_none(),
        }
    }
}

/// Splits on commas that are not inside `( )`.
fn split_top_level(input: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in input.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&input[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&input[start..]);
    parts
}

fn parse_requirements(input: &str, param: &str) -> Result<Vec<Requirement>, ApiError> {
    let invalid = |part: &str| {
        ApiError::bad_request(format!("unable to parse requirement {part:?} in {param}"))
    };
    let mut out = Vec::new();
    for part in split_top_level(input) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let requirement = if let Some(key) = part.strip_prefix('!') {
            Requirement::DoesNotExist(key.trim().to_string())
        } else if let Some((k, v)) = part.split_once("!=") {
            Requirement::NotEquals(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = part.split_once("==") {
            Requirement::Equals(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = part.split_once('=') {
            Requirement::Equals(k.trim().into(), v.trim().into())
        } else if let Some((k, set)) = split_set(part, " notin ") {
            Requirement::NotIn(k, set.ok_or_else(|| invalid(part))?)
        } else if let Some((k, set)) = split_set(part, " in ") {
            Requirement::In(k, set.ok_or_else(|| invalid(part))?)
        } else if part
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./".contains(c))
        {
            Requirement::Exists(part.to_string())
        } else {
            return Err(invalid(part));
        };
        out.push(requirement);
    }
    Ok(out)
}

/// `key in (a, b)` -> (key, Some([a, b])); a malformed set gives (key, None).
fn split_set(part: &str, operator: &str) -> Option<(String, Option<Vec<String>>)> {
    let (key, set) = part.split_once(operator)?;
    let values = set
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .map(|s| s.split(',').map(|v| v.trim().to_string()).collect());
    Some((key.trim().to_string(), values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object() -> Value {
        json!({"metadata": {"name": "news", "namespace": "prod", "labels": {"tier": "gold", "region": "eu"}}})
    }

    fn matches(labels: &str, fields: &str) -> bool {
        Selector::parse(Some(labels), Some(fields))
            .unwrap()
            .matches(&object())
    }

    #[test]
    fn label_selectors_follow_kubernetes_syntax() {
        assert!(matches("", ""));
        assert!(matches("tier=gold", ""));
        assert!(matches("tier==gold,region", ""));
        assert!(!matches("tier!=gold", ""));
        assert!(matches("tier in (silver, gold)", ""));
        assert!(!matches("tier notin (silver,gold)", ""));
        assert!(matches("!missing", ""));
        assert!(!matches("!tier", ""));
        assert!(!matches("missing", ""));
    }

    #[test]
    fn field_selectors_address_metadata() {
        assert!(matches("", "metadata.name=news"));
        assert!(!matches("", "metadata.name=other"));
        assert!(matches(
            "",
            "metadata.namespace!=default,metadata.name=news"
        ));
    }

    #[test]
    fn malformed_selectors_are_rejected() {
        assert!(Selector::parse(Some("tier in gold"), None).is_err());
        assert!(Selector::parse(Some("a b"), None).is_err());
    }
}
