//! The shape of the code, checked: the module graph of `src/` (who imports
//! whom, read from `use` lines and `crate::`/`super::` paths, comments and
//! unit-test modules left out) has no cycles, every layer imports only the
//! layers below it, no reconciler imports another, one error type serves
//! every reconciler, and no source file is over 600 lines. README's "Code
//! map" describes the layers this test holds the code to.
//!
//! A module is a file (`foo.rs` or `foo/mod.rs` is `foo`); a module using
//! an item of its own ancestor (`super::Item` defined in `mod.rs`) is
//! containment, not an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, by module prefix (most specific first): a module belongs to
/// the first whose prefix it has, and may import its own layer and the
/// layers listed. `aws-vocabulary` is the part of the `aws` layer a plan may
/// use: the services' types, limits and errors, never a client, a guard or
/// a retry.
const LAYERS: &[(&str, &str, &[&str])] = &[
    ("url", "url", &[]),
    ("metrics", "metrics", &[]),
    ("api", "api", &[]),
    ("crd", "crd", &["api"]),
    ("reference", "crd", &["api"]),
    ("schema", "crd", &["api"]),
    ("token", "token", &["api", "url"]),
    // The sandbox's doubles: only `onair sandbox`, `onair bench` and the
    // tests use them; the operator build leaves them out (feature `sandbox`).
    ("aws::sim", "sandbox", SANDBOX_MAY_USE),
    ("aws::remote", "sandbox", SANDBOX_MAY_USE),
    ("aws::wire", "sandbox", SANDBOX_MAY_USE),
    ("apiserver", "sandbox", SANDBOX_MAY_USE),
    ("bench", "sandbox", SANDBOX_MAY_USE),
    ("sandbox", "sandbox", SANDBOX_MAY_USE),
    // Each AWS child resource (observe / create / update / delete): above
    // `plan`, whose desired state and names it takes.
    (
        "aws::children",
        "children",
        &["api", "aws", "metrics", "plan", "token", "url"],
    ),
    ("aws", "aws", &["api", "metrics", "token", "url"]),
    ("plan", "plan", &["api", "token", "url", "aws-vocabulary"]),
    ("k8s", "k8s", &["api", "metrics", "url"]),
    // The CMCD quality-of-experience summary `onair telemetry` prints.
    ("qoe", "qoe", &["api", "aws", "plan", "url"]),
    (
        "controller",
        "controller",
        &[
            "api", "aws", "children", "k8s", "metrics", "plan", "token", "url",
        ],
    ),
    ("leader", "run", &["k8s"]),
    // `onair run` reaches the simulation only behind `feature = "sandbox"`
    // (the operator build, which CI checks, has no such module).
    (
        "run",
        "run",
        &[
            "api",
            "aws",
            "children",
            "controller",
            "k8s",
            "metrics",
            "plan",
            "url",
            "sandbox",
        ],
    ),
    ("iam", "cli", &["api", "aws"]),
    (
        "cli",
        "cli",
        &[
            "api",
            "aws",
            "children",
            "controller",
            "crd",
            "k8s",
            "metrics",
            "plan",
            "qoe",
            "run",
            "token",
            "url",
        ],
    ),
];

const SANDBOX_MAY_USE: &[&str] = &[
    "api",
    "aws",
    "controller",
    "crd",
    "k8s",
    "metrics",
    "plan",
    "run",
    "token",
    "url",
];

/// What a plan may not use of the `aws` layer.
const AWS_VOCABULARY_EXCLUDES: &[&str] = &[
    "aws::apis",
    "aws::children",
    "aws::clients",
    "aws::guard",
    "aws::intercept",
    "aws::accounts",
    "aws::sdk",
];

/// The reconcilers: none may import another (what they share is in
/// `controller::kit` and the child modules).
const RECONCILERS: &[&str] = &[
    "controller::live_channel",
    "controller::token_policy",
    "controller::ad_insertion",
    "controller::harvest_job",
];

const MAX_LINES: usize = 600;

struct Crate {
    /// Module path (`controller::kit`) -> file.
    files: BTreeMap<String, PathBuf>,
    /// Module -> modules it imports.
    edges: BTreeMap<String, BTreeSet<String>>,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without comments and without its unit-test module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            // `//` inside a string literal (a URL) is rare in paths; a line
            // whose `//` follows a quote keeps everything.
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a `use` item names, braces expanded; and the code without
/// its `use` items.
fn use_paths(code: &str) -> (Vec<String>, String) {
    let mut paths = Vec::new();
    let mut rest_of_code = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            rest_of_code.push_str(&rest[..at + 4]);
            rest = &rest[at + 4..];
            continue;
        }
        rest_of_code.push_str(&rest[..at]);
        let item_start = &rest[at + 4..];
        let Some(end) = item_start.find(';') else {
            rest = item_start;
            break;
        };
        let item = item_start[..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let item = ["{", "}", ",", "::"].iter().fold(item, |item, p| {
            item.replace(&format!(" {p}"), p)
                .replace(&format!("{p} "), p)
        });
        expand(&item, &mut paths);
        rest = &item_start[end..];
    }
    rest_of_code.push_str(rest);
    (paths, rest_of_code)
}

fn expand(item: &str, out: &mut Vec<String>) {
    let Some(open) = item.find('{') else {
        out.push(item.split(" as ").next().unwrap().trim().to_string());
        return;
    };
    let (prefix, body) = (&item[..open], &item[open + 1..item.len() - 1]);
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&format!("{prefix}{}", &body[start..i]), out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < body.len() {
        expand(&format!("{prefix}{}", &body[start..]), out);
    }
}

/// `crate::a::b`, `super::c`, `self::d` paths written inline.
fn inline_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for head in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(head) {
            let before = rest[..at].chars().last();
            let tail = &rest[at..];
            let len = tail
                .char_indices()
                .find(|&(i, c)| !(c.is_alphanumeric() || c == '_' || (c == ':' && i > 0)))
                .map_or(tail.len(), |(i, _)| i);
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                paths.push(tail[..len].trim_end_matches(':').to_string());
            }
            rest = &rest[at + head.len()..];
        }
    }
    paths
}

impl Crate {
    /// Every import, as (importing module, imported module).
    fn imports(&self) -> impl Iterator<Item = (&str, &str)> {
        self.edges
            .iter()
            .flat_map(|(from, targets)| targets.iter().map(move |to| (from.as_str(), to.as_str())))
    }

    fn read() -> Self {
        let root = src();
        let mut list = Vec::new();
        rust_files(&root, &mut list);
        let files: BTreeMap<String, PathBuf> = list
            .into_iter()
            .map(|file| (module_of(&root, &file), file))
            .collect();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, file) in &files {
            // A unit-test file (`foo/tests.rs`) is the tests of `foo`.
            if file.ends_with("tests.rs") {
                continue;
            }
            let code = code_of(&std::fs::read_to_string(file).unwrap());
            let (mut paths, rest) = use_paths(&code);
            paths.extend(inline_paths(&rest));
            let targets = edges.entry(module.clone()).or_default();
            for path in paths {
                if let Some(target) = resolve(&files, module, &path) {
                    let contained = target == *module
                        || module.starts_with(&format!("{target}::"))
                        || target.starts_with(&format!("{module}::"))
                        || target.is_empty();
                    if !contained {
                        targets.insert(target);
                    }
                }
            }
        }
        Crate { files, edges }
    }
}

/// The module `path` (seen in `module`) lands in: the longest prefix that
/// is a module.
fn resolve(files: &BTreeMap<String, PathBuf>, module: &str, path: &str) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    match segments.first() {
        Some(&"crate") => {
            base.clear();
            segments.remove(0);
        }
        Some(&"super") | Some(&"self") => {
            while let Some(&first) = segments.first() {
                match first {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                segments.remove(0);
            }
        }
        _ => return None,
    }
    base.extend(segments);
    (0..=base.len())
        .rev()
        .map(|n| base[..n].join("::"))
        .find(|candidate| files.contains_key(candidate))
}

fn layer_of(module: &str) -> Option<(&'static str, &'static [&'static str])> {
    LAYERS
        .iter()
        .find(|(prefix, _, _)| module == *prefix || module.starts_with(&format!("{prefix}::")))
        .map(|&(_, layer, may_use)| (layer, may_use))
}

fn allowed(from: &str, to: &str) -> bool {
    let Some((layer, may_use)) = layer_of(from) else {
        return true; // lib.rs
    };
    let (target, _) = layer_of(to).expect("every module has a layer");
    target == layer
        || may_use.contains(&target)
        || (may_use.contains(&"aws-vocabulary")
            && target == "aws"
            && !AWS_VOCABULARY_EXCLUDES
                .iter()
                .any(|x| to == *x || to.starts_with(&format!("{x}::"))))
}

#[test]
fn every_module_has_a_layer() {
    let krate = Crate::read();
    let orphans: Vec<&String> = krate
        .files
        .keys()
        .filter(|m| !m.is_empty() && layer_of(m).is_none())
        .collect();
    assert!(
        orphans.is_empty(),
        "modules without a layer in LAYERS: {orphans:?}"
    );
}

#[test]
fn no_import_cycles_between_modules() {
    let krate = Crate::read();
    let cycles = strongly_connected(&krate.edges);
    let cycles: Vec<_> = cycles.into_iter().filter(|c| c.len() > 1).collect();
    println!(
        "{} modules, {} imports, {} cycles",
        krate.files.len(),
        krate.edges.values().map(BTreeSet::len).sum::<usize>(),
        cycles.len()
    );
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
}

#[test]
fn layers_import_only_the_layers_below() {
    let krate = Crate::read();
    let wrong: Vec<String> = krate
        .imports()
        .filter(|(from, to)| !allowed(from, to))
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect();
    assert!(wrong.is_empty(), "imports against the layers: {wrong:#?}");
}

#[test]
fn no_reconciler_imports_another() {
    let krate = Crate::read();
    let reconciler = |m: &str| {
        RECONCILERS
            .iter()
            .find(|r| m == **r || m.starts_with(&format!("{r}::")))
            .copied()
    };
    let wrong: Vec<String> = krate
        .imports()
        .filter(|(from, to)| match (reconciler(from), reconciler(to)) {
            (Some(a), Some(b)) => a != b,
            // The rest of the controller (kit, context, provider) serves
            // every reconciler and knows none of them.
            (None, Some(_)) => from.starts_with("controller"),
            _ => false,
        })
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn one_error_type_serves_every_reconciler() {
    let krate = Crate::read();
    let mut found = Vec::new();
    for (module, file) in &krate.files {
        if !module.starts_with("controller") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        if code.contains("enum Error") || code.contains("struct Failure") {
            found.push(module.clone());
        }
    }
    assert_eq!(found, ["controller::kit"], "error types in the controller");
}

#[test]
fn no_source_file_is_over_600_lines() {
    let krate = Crate::read();
    let mut sizes: Vec<(usize, String)> = krate
        .files
        .values()
        .map(|file| {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            (lines, file.display().to_string())
        })
        .collect();
    sizes.sort();
    let over: Vec<_> = sizes.iter().filter(|(n, _)| *n > MAX_LINES).collect();
    println!("largest: {:?}", sizes.last());
    assert!(over.is_empty(), "files over {MAX_LINES} lines: {over:#?}");
}

/// Tarjan's strongly connected components.
fn strongly_connected(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        components: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, v: &'a str) {
        let n = state.index.len();
        state.index.insert(v, n);
        state.low.insert(v, n);
        state.stack.push(v);
        state.on_stack.insert(v);
        if let Some(targets) = state.edges.get(v) {
            for w in targets {
                let w = w.as_str();
                if !state.index.contains_key(w) {
                    visit(state, w);
                    let low = state.low[v].min(state.low[w]);
                    state.low.insert(v, low);
                } else if state.on_stack.contains(w) {
                    let low = state.low[v].min(state.index[w]);
                    state.low.insert(v, low);
                }
            }
        }
        if state.low[v] == state.index[v] {
            let mut component = Vec::new();
            while let Some(w) = state.stack.pop() {
                state.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            component.sort();
            state.components.push(component);
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.components
}

#[test]
fn the_reader_sees_what_it_is_told() {
    // The parser itself: braces, renames, inline paths, comments.
    let code = code_of(
        "use crate::a::{b::{C, D}, e as f};\nfn g() { crate::h::i(); super::j::k(); }\n// crate::not::this\n",
    );
    let (mut paths, rest) = use_paths(&code);
    paths.extend(inline_paths(&rest));
    paths.sort();
    assert_eq!(
        paths,
        [
            "crate::a::b::C",
            "crate::a::b::D",
            "crate::a::e",
            "crate::h::i",
            "super::j::k"
        ]
    );
}
