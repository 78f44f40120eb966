//! A minimal XML reader and writer: the SDK writes plain elements (no CDATA, no
//! comments, attributes only for namespaces), which is all this needs.

use onair::aws::ownership::Tags;

pub(super) const NS: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

#[derive(Debug, Default)]
pub(super) struct Node {
    pub(super) name: String,
    pub(super) text: String,
    pub(super) children: Vec<Node>,
}

impl Node {
    pub(super) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(super) fn text(&self, name: &str) -> String {
        self.child(name).map(|c| c.text.clone()).unwrap_or_default()
    }

    pub(super) fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|s| !s.is_empty())
    }

    pub(super) fn flag(&self, name: &str) -> bool {
        self.text(name) == "true"
    }

    /// `<list><Items><X/>...</Items></list>` (CloudFront's Quantity/Items lists).
    pub(super) fn items(&self, list: &str) -> Vec<&Node> {
        self.child(list)
            .and_then(|l| l.child("Items"))
            .map(|i| i.children.iter().collect())
            .unwrap_or_default()
    }
}

pub(super) fn parse_xml(input: &str) -> Result<Node, String> {
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut rest = input;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').ok_or("unterminated tag")?;
            let tag = &after[..end];
            rest = &after[end + 1..];
            if tag.starts_with('?') || tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let node = stack.pop().ok_or("unbalanced tags")?;
                if node.name != name.trim() {
                    return Err(format!("</{name}> closes <{}>", node.name));
                }
                stack
                    .last_mut()
                    .ok_or("unbalanced tags")?
                    .children
                    .push(node);
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag.split_whitespace().next().unwrap_or_default().to_owned();
            let node = Node {
                name,
                ..Default::default()
            };
            if self_closing {
                stack
                    .last_mut()
                    .ok_or("unbalanced tags")?
                    .children
                    .push(node);
            } else {
                stack.push(node);
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..end]);
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&text);
            }
            rest = &rest[end..];
        }
    }
    let mut root = stack.pop().ok_or("empty document")?;
    if !stack.is_empty() {
        return Err("unclosed elements".into());
    }
    root.children.pop().ok_or_else(|| "no root element".into())
}

pub(super) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let entity = &rest[i + 1..i + end];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[i..=i + end]),
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn el(name: &str, inner: impl AsRef<str>) -> String {
    format!("<{name}>{}</{name}>", inner.as_ref())
}

pub(super) fn txt(name: &str, value: impl std::fmt::Display) -> String {
    el(name, esc(&value.to_string()))
}

/// `<list><Quantity>n</Quantity><Items>...</Items></list>`.
pub(super) fn list(name: &str, items: Vec<String>) -> String {
    el(
        name,
        format!(
            "{}{}",
            txt("Quantity", items.len()),
            el("Items", items.concat())
        ),
    )
}

pub(super) fn doc(root: &str, inner: impl AsRef<str>) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><{root} xmlns=\"{NS}\">{}</{root}>",
        inner.as_ref()
    )
}

/// `<Tags><Items><Tag><Key/><Value/></Tag>...</Items></Tags>` under `n`.
pub(super) fn tags_of(n: &Node) -> Tags {
    n.items("Tags")
        .iter()
        .map(|t| (t.text("Key"), t.text("Value")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_reads_what_it_writes() {
        let doc = doc(
            "R",
            format!(
                "{}{}<E/>",
                txt("A", "x < y & \"z\""),
                list("L", vec![txt("I", 1), txt("I", 2)])
            ),
        );
        let root = parse_xml(&doc).unwrap();
        assert_eq!(root.name, "R");
        assert_eq!(root.text("A"), "x < y & \"z\"");
        assert_eq!(
            root.items("L")
                .iter()
                .map(|n| n.text.as_str())
                .collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert!(root.child("E").is_some());
        assert_eq!(unescape("&#x41;&#66;&bogus;"), "AB&bogus;");
    }
}
