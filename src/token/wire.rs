//! A token as it travels, read strictly: `[session.]header.payload.signature`,
//! each part canonical base64url, the header and payload JSON objects holding
//! exactly the members onair defines, each of its one type.
//!
//! Strict because two readers decide: this one (`onair token verify`) and the
//! generated function (`function.js`: `strictJson`, `readHeader`,
//! `readClaims`). Whatever one of them could read differently from the other
//! (a member given twice, a string where a list belongs, a float time, a
//! `null`, a claim neither checks such as `aud`) is refused by both.

use base64::Engine as _;
use serde::{Deserialize, Deserializer};

use super::path::valid_scope;
use super::{plain_id, Claims};

/// The largest integer both readers hold exactly (JavaScript numbers are
/// doubles); times beyond it are refused rather than rounded.
pub const MAX_TIME: u64 = (1 << 53) - 1;
/// At most this many `paths` and bound `headers` in a token.
pub const MAX_PATHS: usize = 20;
/// A policy binds at most 10 headers plus the User-Agent.
pub const MAX_HEADERS: usize = 11;

/// A bound header's name as a token carries it: lower-case letters, digits
/// and `-`, 1 to 64 (how CloudFront hands header names to a function).
pub fn plain_header_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A token split into its parts; nothing decoded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts<'a> {
    /// The session id written in front, if any.
    pub session: Option<&'a str>,
    pub header: &'a str,
    pub payload: &'a str,
    pub signature: &'a str,
    /// `header.payload`: what the signature signs.
    pub signed: &'a str,
}

/// Non-empty, and only base64url's characters (letters, digits, `-`, `_`).
pub(crate) fn base64url_chars(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `text` has the shape of a token: three or four non-empty parts of
/// base64url characters.
pub fn looks_like_token(text: &str) -> bool {
    let count = text.split('.').count();
    (count == 3 || count == 4) && text.split('.').all(base64url_chars)
}

pub fn split(token: &str) -> Result<Parts<'_>, String> {
    if !looks_like_token(token) {
        return Err("a token is three or four dot-separated parts of base64url".into());
    }
    let (session, jwt) = match token.split('.').count() {
        4 => token
            .split_once('.')
            .map(|(s, rest)| (Some(s), rest))
            .expect("four parts have a dot"),
        _ => (None, token),
    };
    let mut parts = jwt.split('.');
    let (header, payload, signature) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    Ok(Parts {
        session,
        header,
        payload,
        signature,
        signed: &jwt[..header.len() + 1 + payload.len()],
    })
}

/// Canonical base64url without padding: the one spelling of the bytes (no
/// stray trailing bits), as the function checks by re-encoding.
pub fn decode_part(part: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| "a part is not canonical base64url".to_string())
}

/// `Some(value)` for a present member; `null` is refused (serde would take it
/// for an absent one).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A list member, present only with items: an empty `paths` would read as
/// "every path", so a minter that computed none must not open everything.
pub(crate) fn non_empty<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let list = Vec::<String>::deserialize(deserializer)?;
    if list.is_empty() {
        return Err(serde::de::Error::custom("an empty list is not allowed"));
    }
    Ok(list)
}

/// A JSON object as both readers take it: no escapes in its strings (no
/// minter needs them, and they would spell one name two ways), an object and
/// not a list (serde reads a struct from either).
fn strict_object<T: serde::de::DeserializeOwned>(json: &[u8], what: &str) -> Result<T, String> {
    if json.contains(&b'\\') {
        return Err(format!("the {what} must not use escapes"));
    }
    if json.iter().find(|b| !b" \t\n\r".contains(b)) != Some(&b'{') {
        return Err(format!("the {what} must be a JSON object"));
    }
    serde_json::from_slice(json).map_err(|e| format!("the {what} are not onair's: {e}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    alg: String,
    kid: String,
    #[serde(default, deserialize_with = "present")]
    typ: Option<String>,
}

/// The key id of a header that says HS256 and nothing onair does not check.
pub fn header_kid(part: &str) -> Result<String, String> {
    let header: Header = strict_object(&decode_part(part)?, "header fields")?;
    if header.alg != "HS256" {
        return Err("only HS256 tokens are accepted".into());
    }
    if header.typ.as_deref().is_some_and(|t| t != "JWT") {
        return Err("the header's typ, when present, is JWT".into());
    }
    if !plain_id(&header.kid) {
        return Err("the header's kid is 1 to 64 letters, digits, '-' or '_'".into());
    }
    Ok(header.kid)
}

/// The claims of a payload, checked member by member.
pub fn claims(part: &str) -> Result<Claims, String> {
    let claims: Claims = strict_object(&decode_part(part)?, "claims")?;
    let times = [Some(claims.exp), claims.nbf, claims.iat];
    if times.iter().flatten().any(|t| *t > MAX_TIME) {
        return Err(format!("exp, nbf and iat are at most {MAX_TIME}"));
    }
    let paths = &claims.paths;
    if paths.len() > MAX_PATHS || !paths.iter().all(|p| valid_scope(p)) {
        return Err(format!(
            "paths lists 1 to {MAX_PATHS} path scopes such as /out/v1/abc/"
        ));
    }
    if claims.ssn.as_deref().is_some_and(|s| !plain_id(s)) {
        return Err("ssn is 1 to 64 letters, digits, '-' or '_'".into());
    }
    let headers = &claims.headers;
    let unique = headers
        .iter()
        .enumerate()
        .all(|(i, h)| !headers[..i].contains(h));
    if headers.len() > MAX_HEADERS || !headers.iter().all(|h| plain_header_name(h)) || !unique {
        return Err(format!(
            "headers lists 1 to {MAX_HEADERS} distinct lower-case header names"
        ));
    }
    if claims
        .intsig
        .as_deref()
        .is_some_and(|s| s.len() != 43 || !base64url_chars(s))
    {
        return Err("intsig is an HMAC-SHA256 in base64url".into());
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(json: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn claims_that_two_readers_could_read_apart_are_refused() {
        for bad in [
            r#"{"exp":1,"exp":2}"#,
            r#"{"exp":1,"paths":"/out/v1/"}"#,
            r#"{"exp":1,"paths":["/a/"],"paths":["/"]}"#,
            r#"{"exp":1,"ssn":7}"#,
            r#"{"exp":1,"nbf":"2"}"#,
            r#"{"exp":1.5}"#,
            r#"{"exp":1.0}"#,
            r#"{"exp":1e9}"#,
            r#"{"exp":-0}"#,
            r#"{"exp":1,"aud":"x"}"#,
            r#"{"exp":1,"nbf":null}"#,
            r#"{"exp":9007199254740992}"#,
            r#"{"exp":1,"paths":[]}"#,
            r#"{"exp":1,"paths":["/a/../b"]}"#,
            r#"{"exp":1,"headers":["user-agent","user-agent"]}"#,
            r#"{"exp":1,"ip":1}"#,
            r#"{"exp":1} x"#,
            r#"[1]"#,
            r#"{"e\u0078p":5}"#,
            r#"{"exp":5,"paths":["\/out\/v1\/"]}"#,
        ] {
            assert!(claims(&encoded(bad)).is_err(), "{bad}");
        }
        let good = claims(&encoded(
            " {\"exp\" : 5,\n\"paths\":[\"/out/v1/\"],\t\"ip\":true} ",
        ))
        .unwrap();
        assert_eq!(good.exp, 5);
        assert_eq!(good.paths, vec!["/out/v1/".to_string()]);
    }

    #[test]
    fn headers_say_hs256_and_name_a_plain_key() {
        assert_eq!(
            header_kid(&encoded(r#"{"alg":"HS256","kid":"k1","typ":"JWT"}"#)),
            Ok("k1".into())
        );
        for bad in [
            r#"{"alg":"none","kid":"k1"}"#,
            r#"{"alg":"HS512","kid":"k1"}"#,
            r#"{"alg":"RS256","kid":"k1"}"#,
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"HS256","kid":"../k1"}"#,
            r#"{"alg":"HS256","kid":"k1","jku":"https://evil"}"#,
            r#"{"alg":"HS256","kid":"k1","alg":"none"}"#,
            r#"{"alg":"HS256","kid":"k1","typ":null}"#,
        ] {
            assert!(header_kid(&encoded(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn parts_are_canonical_base64url() {
        // "{}" is e30; e31 decodes to the same bytes with stray trailing bits.
        assert!(decode_part("e30").is_ok());
        assert!(decode_part("e31").is_err());
        assert!(decode_part("e30=").is_err());
        assert!(split("a.b").is_err());
        assert!(split("a..c").is_err());
        let parts = split("s-1.h.p.sig").unwrap();
        assert_eq!((parts.session, parts.signed), (Some("s-1"), "h.p"));
    }
}
