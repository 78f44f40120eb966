//! Binding a token to request properties without revealing them: `intsig` is
//! HMAC-SHA256 over the bound values, each prefixed by its UTF-8 length (so no
//! value can shift into its neighbour, as a plain `:`-join allows), keyed with
//! the signing key. The generated function computes the same.

use base64::Engine as _;
use std::net::IpAddr;

/// Domain separation: an intsig can never be mistaken for another HMAC.
const CONTEXT: &str = "onair-bind-v1\n";

/// IP addresses as the edge compares them: IPv4 dotted, IPv6 fully expanded
/// lower-case (`::` expanded, every group four digits), so `2001:db8::1` and
/// `2001:0db8:0:0:0:0:0:1` bind alike.
pub fn normalize_ip(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => v6
            .segments()
            .iter()
            .map(|s| format!("{s:04x}"))
            .collect::<Vec<_>>()
            .join(":"),
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

/// The bound values in order: the IP first (if bound), then each header.
pub fn encode(values: &[&str]) -> String {
    let mut out = String::from(CONTEXT);
    for value in values {
        out.push_str(&value.len().to_string());
        out.push(':');
        out.push_str(value);
    }
    out
}

/// `intsig` for these bound values.
pub fn intsig(key: &[u8], values: &[&str]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let tag = ring::hmac::sign(&key, encode(values).as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
}

/// Constant-time check of an `intsig`.
pub fn intsig_matches(key: &[u8], values: &[&str], intsig: &str) -> bool {
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(intsig) else {
        return false;
    };
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::verify(&key, encode(values).as_bytes(), &tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_expanded_and_ipv4_kept() {
        assert_eq!(
            normalize_ip("2001:db8::1"),
            "2001:0db8:0000:0000:0000:0000:0000:0001"
        );
        assert_eq!(
            normalize_ip("2001:DB8:0:0:0:0:0:1"),
            normalize_ip("2001:db8::1")
        );
        assert_eq!(
            normalize_ip("::ffff:192.0.2.1"),
            "0000:0000:0000:0000:0000:ffff:c000:0201"
        );
        assert_eq!(normalize_ip("192.0.2.1"), "192.0.2.1");
    }

    #[test]
    fn values_cannot_shift_between_fields() {
        assert_ne!(encode(&["a:b", "c"]), encode(&["a", "b:c"]));
        let sig = intsig(b"k", &["a:b", "c"]);
        assert!(intsig_matches(b"k", &["a:b", "c"], &sig));
        assert!(!intsig_matches(b"k", &["a", "b:c"], &sig));
        assert!(!intsig_matches(b"other", &["a:b", "c"], &sig));
    }
}
