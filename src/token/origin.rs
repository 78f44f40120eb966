//! The origin pass: how MediaTailor gets past the edge check.
//!
//! MediaTailor reads a channel's manifests through the channel's distribution
//! (so origin protection stays on), and its requests carry no viewer token.
//! The AdInsertion reconciler therefore puts an origin pass in front of the
//! path of the playback configuration's content source
//! (`https://<distribution>/o.<kid>.<mac>/out/v1`): `mac` is an HMAC of a
//! fixed context under the signing key `kid`, so the edge checks it with the
//! keys it already holds, and rotating the key rotates the pass. A pass opens
//! manifests only (MediaTailor fetches nothing else from the content source);
//! the segment URLs MediaTailor hands to players are written from its CDN
//! prefixes, without the pass. Like the CDN identifier, it is a secret: it
//! lives in MediaTailor's configuration and is never logged or shown.

use base64::Engine as _;

const CONTEXT: &[u8] = b"onair-origin-pass-v1";

/// The pass for signing key `key_id`.
pub fn pass(key_id: &str, key: &[u8]) -> String {
    format!("o.{key_id}.{}", mac(key))
}

fn mac(key: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let tag = ring::hmac::sign(&key, CONTEXT);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
}

/// `(key id, mac)` when `segment` has the shape of a pass (`o.<kid>.<mac>`;
/// a JWT's first part is never `o`).
pub fn parse(segment: &str) -> Option<(&str, &str)> {
    let rest = segment.strip_prefix("o.")?;
    let (kid, mac) = rest.split_once('.')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (kid.len() <= 64 && plain(kid) && mac.len() == 43 && plain(mac)).then_some((kid, mac))
}

/// `url` with the mac of any origin pass in its path hidden, for logs.
pub fn redact(url: &str) -> String {
    url.split('/')
        .map(|segment| match parse(segment) {
            Some((kid, _)) => format!("o.{kid}.<redacted>"),
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Constant-time check of a pass's mac under `key`.
pub fn matches(key: &[u8], given: &str) -> bool {
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(given) else {
        return false;
    };
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::verify(&key, CONTEXT, &tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_parses_and_checks_only_under_its_key() {
        let key = [7u8; 32];
        let p = pass("k1", &key);
        let (kid, mac) = parse(&p).expect("shape");
        assert_eq!(kid, "k1");
        assert!(matches(&key, mac));
        assert!(!matches(&[8u8; 32], mac));
        assert!(
            parse("eyJhbGciOi.eyJleHAiOjF9.sig").is_none(),
            "a JWT is no pass"
        );
        assert!(parse("o.k1.short").is_none());
        let url = format!("https://d1.cloudfront.net/{p}/out/v1");
        assert_eq!(
            redact(&url),
            "https://d1.cloudfront.net/o.k1.<redacted>/out/v1"
        );
    }
}
