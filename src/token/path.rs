//! Request paths as the edge judges them: one normal form, what kind of file
//! it names, and whether it lies under a scope. The generated function
//! (`function.js`: `normalize`, `kindOf`, `within`) implements the same rules;
//! the shared vectors and the differential fuzz target hold them together.
//!
//! The origin decodes percent-escapes and some origins ignore case or path
//! parameters, so a check on the raw spelling can be walked around
//! (`index.m3u%38`, `index.M3U8`, `index.m3u8;x`). The edge therefore decodes
//! first, refuses what it cannot judge, and forwards the decoded path: the
//! origin gets exactly the path that was checked.

/// Characters a normal path may hold after decoding: RFC 3986 unreserved
/// characters, `/`, and the sub-delimiters and `:` `@` a path segment may use,
/// except `;` (path parameters, which some servers strip before lookup).
fn allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,=:@".contains(&b)
}

/// A percent-escape may only spell an unreserved character; anything else
/// (`%2F`, `%25`, `%20`, `%5C`, non-ASCII) would change how the origin splits
/// or looks up the path.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// The decoded path, or None when the edge cannot judge it: an escape of
/// anything but an unreserved character, a character outside [`allowed`], a
/// `.` or `..` segment, or an empty segment before the last.
pub fn normalize(uri: &str) -> Option<String> {
    let bytes = uri.as_bytes();
    if bytes.first() != Some(&b'/') {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            let decoded = u8::from_str_radix(hex, 16).ok()?;
            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) || !unreserved(decoded) {
                return None;
            }
            out.push(decoded);
            i += 3;
        } else if allowed(b) {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    let path = String::from_utf8(out).ok()?;
    let segments: Vec<&str> = path[1..].split('/').collect();
    let last = segments.len() - 1;
    let bad = segments
        .iter()
        .enumerate()
        .any(|(i, s)| *s == "." || *s == ".." || (s.is_empty() && i != last));
    (!bad).then_some(path)
}

/// What a (normal) path names, by the extension of its last segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An HLS playlist or DASH manifest.
    Manifest,
    /// A media segment, init segment, subtitle, key or thumbnail.
    Segment,
    /// Anything else: protected whatever the policy's `protect` says.
    Unknown,
}

const MANIFEST_EXTENSIONS: [&str; 2] = ["m3u8", "mpd"];
const SEGMENT_EXTENSIONS: [&str; 17] = [
    "ts", "mp4", "m4s", "m4a", "m4v", "m4f", "aac", "ac3", "ec3", "mp3", "vtt", "webvtt", "cmfv",
    "cmfa", "cmft", "jpg", "key",
];

/// The kind of one segment: a name with a stem (it does not start with `.`),
/// lower-cased, ending in a known extension.
fn kind_of_name(name: &str) -> Kind {
    let lower = name.to_ascii_lowercase();
    let Some((stem, extension)) = lower.rsplit_once('.') else {
        return Kind::Unknown;
    };
    if stem.is_empty() || stem.starts_with('.') {
        return Kind::Unknown;
    }
    if MANIFEST_EXTENSIONS.contains(&extension) {
        Kind::Manifest
    } else if SEGMENT_EXTENSIONS.contains(&extension) {
        Kind::Segment
    } else {
        Kind::Unknown
    }
}

/// What a normal path names. A directory that itself looks like a media file
/// (`seg_1.ts/x.m3u8`) makes the path Unknown: an origin that serves a file
/// with trailing path info would serve the segment.
pub fn kind(path: &str) -> Kind {
    let (dirs, name) = path.rsplit_once('/').unwrap_or(("", path));
    if dirs.split('/').any(|d| kind_of_name(d) != Kind::Unknown) {
        return Kind::Unknown;
    }
    kind_of_name(name)
}

/// Whether `path` lies under `scope` on a segment boundary: `/live/a` covers
/// `/live/a` and `/live/a/...`, never `/live/ab`; `/live/a/` covers what
/// starts with it.
pub fn within(path: &str, scope: &str) -> bool {
    if scope.ends_with('/') {
        path.starts_with(scope)
    } else {
        path == scope
            || path
                .strip_prefix(scope)
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// Whether `path` lies under any of `scopes` (see [`within`]).
pub fn within_any(path: &str, scopes: &[String]) -> bool {
    scopes.iter().any(|scope| within(path, scope))
}

/// A path scope (`pathScopes`, a token's `paths`, `token mint --scope`): `/`
/// then segments of letters, digits, `-`, `_`, `.`, `~` that do not start
/// with `.`, with or without a final `/`; at most 256 characters. The
/// TokenPolicy schema carries the same rule as
/// [`SCOPE_PATTERN`](crate::api::token_policy::SCOPE_PATTERN) (a unit test
/// checks they agree).
pub fn valid_scope(scope: &str) -> bool {
    if scope.len() > 256 || !scope.starts_with('/') {
        return false;
    }
    let body = &scope[1..];
    if body.is_empty() {
        return true;
    }
    let inner = body.strip_suffix('/').unwrap_or(body);
    !inner.is_empty()
        && inner.split('/').all(|s| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_of_unreserved_characters_decode_and_others_refuse() {
        assert_eq!(
            normalize("/out/v1/a/index.m3u%38").as_deref(),
            Some("/out/v1/a/index.m3u8")
        );
        assert_eq!(normalize("/a/%7e%2D").as_deref(), Some("/a/~-"));
        for bad in [
            "/a/index.m3u8%20",
            "/a%2fb",
            "/a/%2e%2e/b",
            "/a/%252e",
            "/a/%5cb",
            "/a/index.m3u8;x",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/a/b\\c",
            "/a/%zz",
            "/a/%4",
            "/a/é",
            "a/b",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
        assert_eq!(normalize("/a/b/").as_deref(), Some("/a/b/"));
    }

    #[test]
    fn kinds_are_judged_on_the_decoded_lower_cased_name() {
        assert_eq!(kind("/a/index.m3u8"), Kind::Manifest);
        assert_eq!(kind("/a/index.M3U8"), Kind::Manifest);
        assert_eq!(kind("/a/index.Mpd"), Kind::Manifest);
        assert_eq!(kind("/a/seg_1.ts"), Kind::Segment);
        assert_eq!(kind("/a/index.m3u8/"), Kind::Unknown);
        assert_eq!(kind("/a/index.m3u8."), Kind::Unknown);
        assert_eq!(kind("/a/seg_1.ts/.m3u8"), Kind::Unknown);
        assert_eq!(kind("/a/seg_1.ts/x.m3u8"), Kind::Unknown);
        assert_eq!(kind("/a/.m3u8"), Kind::Unknown);
        assert_eq!(kind("/a/tracking"), Kind::Unknown);
    }

    #[test]
    fn scopes_match_on_segment_boundaries() {
        assert!(within("/live/a", "/live/a"));
        assert!(within("/live/a/x.m3u8", "/live/a"));
        assert!(!within("/live/ab/x.m3u8", "/live/a"));
        assert!(within("/live/a/x.m3u8", "/live/a/"));
        assert!(!within("/live/a", "/live/a/"));
        assert!(within("/anything", "/"));
    }

    #[test]
    fn scope_rule_and_pattern_agree() {
        let pattern = regex::Regex::new(crate::api::token_policy::SCOPE_PATTERN).unwrap();
        for (scope, ok) in [
            ("/", true),
            ("/out/v1/", true),
            ("/out/v1", true),
            ("/live/a.b~c_d-e", true),
            ("out/v1", false),
            ("//", false),
            ("/a//b", false),
            ("/a/../b", false),
            ("/a/./", false),
            ("/a/.hidden", false),
            ("/a/*", false),
            ("/a b", false),
        ] {
            assert_eq!(valid_scope(scope), ok, "{scope}");
            assert_eq!(pattern.is_match(scope), ok, "pattern: {scope}");
        }
    }
}
