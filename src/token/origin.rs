//! The origin pass: how MediaTailor gets past the edge check.
//!
//! MediaTailor reads a channel's manifests through the channel's distribution
//! (so origin protection stays on), and its requests carry no viewer token.
//! The AdInsertion reconciler therefore puts an origin pass in front of the
//! path of the playback configuration's content source
//! (`https://<distribution>/o.<kid>.<exp>.<channel>.<mac>/out/v1`), where
//! `mac` is an HMAC under signing key `kid` of the channel's name and the
//! expiry, so the edge checks it with the keys it already holds.
//!
//! What a pass opens is narrow: manifests only (MediaTailor fetches nothing
//! else from the content source; the segment URLs it hands to players are
//! written from its CDN prefixes, without the pass), and only under the
//! endpoint directories of the channel it names (the function embeds them
//! per channel), and only until `exp`. It cannot be bound to an IP address
//! or User-Agent: MediaTailor fetches from AWS's addresses. A pass lives at
//! most [`MAX_PASS_SECONDS`]; the reconciler mints a new one once per
//! [`PASS_WINDOW_SECONDS`] (at a moment spread by the object's uid, so a
//! fleet does not renew at once), and the previous pass stays valid for one
//! more window while MediaTailor switches. Like the CDN identifier, it is a
//! secret: it lives in MediaTailor's configuration and is never logged or
//! shown.

use base64::Engine as _;

use super::plain_id;
use super::wire::base64url_chars;

/// Domain separation: a pass mac can never be mistaken for another HMAC.
const CONTEXT: &str = "onair-origin-pass-v2\n";
/// How often a pass is renewed.
pub const PASS_WINDOW_SECONDS: u64 = 86_400;
/// The longest a pass may live: the edge refuses one that claims longer.
pub const MAX_PASS_SECONDS: u64 = 2 * PASS_WINDOW_SECONDS;

/// A pass, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pass {
    pub kid: String,
    pub exp: u64,
    /// The LiveChannel whose manifests it opens.
    pub channel: String,
}

fn signed_text(channel: &str, exp: u64) -> String {
    format!("{CONTEXT}{channel}\n{exp}")
}

fn hmac_key(key: &[u8]) -> ring::hmac::Key {
    ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key)
}

/// The pass for channel `channel` under signing key `key_id`, valid until `exp`.
pub fn pass(key_id: &str, key: &[u8], channel: &str, exp: u64) -> String {
    let tag = ring::hmac::sign(&hmac_key(key), signed_text(channel, exp).as_bytes());
    let mac = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref());
    format!("o.{key_id}.{exp}.{channel}.{mac}")
}

/// When the pass minted at `now` expires, and when to mint the next: the
/// next window boundary (windows are shifted by `spread`, any number, so
/// objects renew at different moments) and one window after it.
pub fn schedule(now: u64, spread: u64) -> (u64, u64) {
    let shift = spread % PASS_WINDOW_SECONDS;
    let renew = now - (now + shift) % PASS_WINDOW_SECONDS + PASS_WINDOW_SECONDS;
    (renew, renew + PASS_WINDOW_SECONDS)
}

/// A spread for `uid`: stable across restarts (FNV-1a).
pub fn spread_of(uid: &str) -> u64 {
    uid.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `(pass, mac)` when `segment` has the shape of a pass,
/// `o.<kid>.<exp>.<channel>.<mac>`: a JWT's first part is never `o`, and a
/// token has at most four parts. A channel's name may hold dots (Kubernetes
/// names are DNS subdomains); the key id, expiry and mac never do, so the
/// channel is everything between the expiry and the last part.
pub fn parse(segment: &str) -> Option<(Pass, &str)> {
    let rest = segment.strip_prefix("o.")?;
    let (kid, rest) = rest.split_once('.')?;
    let (exp, rest) = rest.split_once('.')?;
    let (channel, mac) = rest.rsplit_once('.')?;
    // At most 15 digits: every such number is exact in JavaScript too.
    let exp_ok = (1..=15).contains(&exp.len()) && exp.bytes().all(|b| b.is_ascii_digit());
    let channel_ok = (1..=253).contains(&channel.len())
        && channel
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let shaped = plain_id(kid) && exp_ok && channel_ok && mac.len() == 43 && base64url_chars(mac);
    shaped.then(|| {
        (
            Pass {
                kid: kid.to_string(),
                exp: exp.parse().expect("at most 15 digits"),
                channel: channel.to_string(),
            },
            mac,
        )
    })
}

/// `url` with the mac of any origin pass in its path hidden, for logs.
pub fn redact(url: &str) -> String {
    url.split('/')
        .map(|segment| match parse(segment) {
            Some((pass, _)) => format!("o.{}.{}.{}.<redacted>", pass.kid, pass.exp, pass.channel),
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Constant-time check of a pass's mac under `key`.
pub fn matches(key: &[u8], pass: &Pass, mac: &str) -> bool {
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(mac) else {
        return false;
    };
    ring::hmac::verify(
        &hmac_key(key),
        signed_text(&pass.channel, pass.exp).as_bytes(),
        &tag,
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_parses_and_checks_only_under_its_key_channel_and_expiry() {
        let key = [7u8; 32];
        let p = pass("k1", &key, "news", 1_800_086_400);
        let (parsed, mac) = parse(&p).expect("shape");
        assert_eq!(
            parsed,
            Pass {
                kid: "k1".into(),
                exp: 1_800_086_400,
                channel: "news".into()
            }
        );
        assert!(matches(&key, &parsed, mac));
        assert!(!matches(&[8u8; 32], &parsed, mac));
        let other_channel = Pass {
            channel: "sports".into(),
            ..parsed.clone()
        };
        assert!(
            !matches(&key, &other_channel, mac),
            "the mac binds the channel"
        );
        let later = Pass {
            exp: parsed.exp + 1,
            ..parsed.clone()
        };
        assert!(!matches(&key, &later, mac), "the mac binds the expiry");
        assert!(
            parse("eyJhbGciOi.eyJleHAiOjF9.sig").is_none(),
            "a JWT is no pass"
        );
        assert!(parse("o.k1.short").is_none());
        let dotted = pass("k1", &key, "sports.eu", 1_800_086_400);
        let (parsed, mac) = parse(&dotted).expect("a dotted channel name");
        assert_eq!(parsed.channel, "sports.eu");
        assert!(matches(&key, &parsed, mac));
        let url = format!("https://d1.cloudfront.net/{p}/out/v1");
        assert_eq!(
            redact(&url),
            "https://d1.cloudfront.net/o.k1.1800086400.news.<redacted>/out/v1"
        );
    }

    #[test]
    fn passes_renew_once_a_window_at_a_spread_moment() {
        let now = 1_800_000_123;
        let (renew, exp) = schedule(now, 0);
        assert!(renew > now && renew - now <= PASS_WINDOW_SECONDS);
        assert_eq!(exp - renew, PASS_WINDOW_SECONDS);
        assert_eq!(renew % PASS_WINDOW_SECONDS, 0);
        // Within a window the pass does not change; at its end it does.
        assert_eq!(schedule(renew - 1, 0), (renew, exp));
        assert_eq!(schedule(renew, 0).0, renew + PASS_WINDOW_SECONDS);
        assert!(exp - now <= MAX_PASS_SECONDS);
        let (shifted, _) = schedule(now, spread_of("a-uid"));
        assert_ne!(shifted, renew);
        assert!(shifted > now && shifted - now <= PASS_WINDOW_SECONDS);
    }
}
