//! The edge check exists twice, the Rust verifier (`onair::token::check`) and
//! the generated CloudFront Function (`function.js`), and the two must agree
//! exactly. Each input becomes a policy (`EdgeConfig`), a key value store (a
//! few signing keys, revoked sessions), a viewer request and the tokens it
//! carries; both checks judge the same request at the same time and must give
//! the same verdict: the same refusal code, or acceptance with the same URI
//! forwarded and the same query parameters kept.
//!
//! Tokens are minted by `onair::token::mint` (then sometimes damaged) or
//! written from mutated header and claims text (members twice, floats,
//! `null`, numbers as strings, unknown claims, escapes, bad UTF-8,
//! non-canonical base64) and signed with HMAC-SHA256 over exactly that text
//! with the key the store holds, so that the reading rules, not the
//! signature, decide. Requests are built from fragments: tokens and origin
//! passes (live, expired, too long, another channel, zero-padded expiry) in
//! the path, percent-escapes (`%2e`, `%2f`, `%25`, `%38`, `%20`), mixed-case
//! extensions, trailing `/`, `;` and `.`, dot segments, and queries carrying
//! the token parameter or `manifest.<parameter>` once, twice, empty or
//! encoded.
//!
//! The function runs under node (`fuzz/edge_server.js`, the shim of
//! `tests/token_function_harness.js`: the cloudfront-js-2.0 surface only), one
//! persistent process per fuzzing process, one JSON line per request; each
//! distinct policy's function is sent and compiled once.

#![no_main]

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use arbitrary::Arbitrary;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use onair::token::binding::{intsig, normalize_ip};
use onair::token::config::NOT_BEFORE_LEEWAY_SECONDS;
use onair::token::mint::{self, MintRequest};
use onair::token::origin::{self, MAX_PASS_SECONDS};
use onair::token::verify::{check, ViewerRequest};
use onair::token::{function, EdgeConfig, Keys};
use serde_json::{json, Value};

/// Around 2027: the edge's clock.
const EPOCH: u64 = 1_800_000_000;
const STORE_ID: &str = "0a1b2c3d-store";
const LEEWAY: u64 = NOT_BEFORE_LEEWAY_SECONDS;

/// Key ids: the store holds some of them.
const KIDS: [&str; 4] = ["k1", "k2", "rot-2", "K_3"];
const CHANNELS: [&str; 4] = ["news", "sports", "a-1", "constructor"];
const SESSIONS: [&str; 4] = ["s1", "viewer-42", "leaked", "S_x"];
/// Headers a policy may bind, and one it never does.
const HEADERS: [&str; 4] = ["user-agent", "x-player-id", "referer", "x-other"];
const HEADER_VALUES: [&str; 6] = [
    "Player/1.0",
    "",
    "Mozilla/5.0 (X11; Linux x86_64)",
    "é",
    "a:b",
    "3:abc",
];
/// Query parameter names a policy may choose (`^[A-Za-z0-9_.-]{1,64}$`).
const PARAMETERS: [&str; 4] = ["token", "t", "auth.token", "manifest.token"];
const OTHER_QUERY_NAMES: [&str; 9] = [
    "a",
    "t",
    "token",
    "TOKEN",
    "%74oken",
    "manifest.%74oken",
    "aws.sessionId",
    "manifest.t",
    "constructor",
];
/// Scope segments (all valid in a scope).
const SCOPE_WORDS: [&str; 9] = [
    "a",
    "ab",
    "abc",
    "news",
    "x1",
    "a.b",
    "~t",
    "seg_1.ts",
    "index.m3u8",
];
const ROOTS: [&str; 4] = ["", "/out/v1", "/v1/master", "/live"];
/// Scopes that may not be ones.
const ODD_SCOPES: [&str; 14] = [
    "/",
    "//",
    "/a//b",
    "/a/../b",
    "/a/./",
    "/a/.hidden",
    "/a/*",
    "/a b",
    "out/v1",
    "/live/a",
    "/live/a/",
    "/%2e/",
    "/out/v1/",
    "/live/a\\b",
];
const FIXED_BASES: [&str; 5] = ["/", "/out/v1/", "/v1/master/", "/live/a", "/live/ab"];
const PATH_WORDS: [&str; 13] = [
    "out",
    "v1",
    "a",
    "ab",
    "abc",
    "news",
    "master",
    "ads",
    "x",
    "~x",
    "a.b",
    "seg_1.ts",
    "index.m3u8",
];
const STEMS: [&str; 7] = ["index", "seg_1", "", "a.ts", "master", "x%2ey", "."];
const EXTENSIONS: [&str; 24] = [
    ".m3u8", ".M3U8", ".mpd", ".Mpd", ".ts", ".TS", ".mp4", ".m4s", ".vtt", ".jpg", ".key",
    ".m3u%38", ".%6d3u8", "%2em3u8", ".m3u8/", ".m3u8;", ".m3u8.", ".m3u8;x", ".m3u8%20", ".txt",
    "", ".M3u8", ".m3u8%2f", ".ts%25",
];
const ESCAPES: [&str; 19] = [
    "%2e", "%2E", "%2f", "%2F", "%25", "%38", "%20", "%7e", "%7E", "%2d", "%5c", "%zz", "%4", "%",
    "%2e%2e", "%41", "%c3%a9", "%00", "%+5",
];
const CHARS: [&str; 22] = [
    ";", "\\", " ", "é", "%", "?", "#", "*", "!", "$", "&", "'", "(", ")", "+", ",", "=", ":", "@",
    "~", "\t", "//",
];
const STRINGS: [&str; 16] = [
    "HS256",
    "hs256",
    "none",
    "HS512",
    "JWT",
    "jwt",
    "k1",
    "k2",
    "rot-2",
    "s1",
    "viewer-42",
    "x",
    "",
    "/out/v1/",
    "../k1",
    "é",
];
const NAMES: [&str; 17] = [
    "exp", "nbf", "iat", "paths", "ssn", "ip", "headers", "intsig", "alg", "kid", "typ", "aud",
    "iss", "jku", "sub", "EXP", "exp ",
];
const ESCAPED_NAMES: [&str; 6] = [
    "e\\u0078p",
    "\\u0065xp",
    "k\\u0069d",
    "p\\u0061ths",
    "\\u0069p",
    "a\\u006cg",
];
const BINDABLE: [&str; 6] = [
    "user-agent",
    "x-player-id",
    "referer",
    "User-Agent",
    "x-other",
    "constructor",
];

#[derive(Arbitrary, Debug)]
struct Input {
    config: ConfigIn,
    keys: Vec<(u8, Vec<u8>)>,
    revoked: Vec<(u8, i32)>,
    now: u32,
    ip: IpIn,
    headers: Vec<(u8, TextIn)>,
    base: u8,
    tokens: Vec<TokenIn>,
    lead: LeadIn,
    pieces: Vec<PieceIn>,
    query: Vec<QueryIn>,
}

#[derive(Arbitrary, Debug)]
struct ConfigIn {
    query_location: bool,
    parameter: u8,
    protect: u8,
    require_ip: bool,
    headers_mask: u8,
    scopes: Vec<ScopeIn>,
    origin_scopes: Vec<(u8, Vec<ScopeIn>)>,
    revocation_in_store: bool,
    max_ttl: u32,
}

/// A valid scope: a root, segments, with or without a final `/`.
#[derive(Arbitrary, Debug)]
struct ScopeIn {
    root: u8,
    words: Vec<u8>,
    trailing: bool,
}

#[derive(Arbitrary, Debug)]
enum IpIn {
    V4([u8; 4]),
    /// Written as `style` says: compressed, full, upper-case, dotted tail.
    V6([u16; 8], u8),
    Mapped([u8; 4], u8),
}

#[derive(Arbitrary, Debug)]
enum TextIn {
    Pool(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum TokenIn {
    Minted(MintIn, Damage),
    Crafted(CraftedIn),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum SignerIn {
    /// The key the store holds for the key id (or one it does not hold).
    Stored,
    Other(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct MintIn {
    kid: u8,
    signer: SignerIn,
    lifetime: u32,
    issued: i16,
    paths: Vec<ScopeStrIn>,
    session: Option<TextIn>,
    ip: BindIpIn,
    /// Leave out the policy's required headers (mint then refuses).
    skip_required: bool,
    /// Bind this required header (by index) to another value than the request's.
    wrong_value: Option<(u8, TextIn)>,
    extra_headers: Vec<(u8, TextIn)>,
}

#[derive(Arbitrary, Debug)]
enum BindIpIn {
    /// The request's address if the policy binds IPs.
    Auto,
    Request,
    Other(IpIn),
    None,
}

#[derive(Arbitrary, Debug)]
enum ScopeStrIn {
    Base,
    Scope(ScopeIn),
    Odd(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Damage {
    None,
    /// One character replaced by a base64url one (or any byte).
    Char(u16, u8),
    StripSession,
    Session(TextIn),
    Truncate(u16),
}

#[derive(Arbitrary, Debug)]
struct CraftedIn {
    kid: u8,
    signer: SignerIn,
    session: Option<TextIn>,
    header: JsonIn,
    claims: JsonIn,
    header_encoding: EncodingIn,
    claims_encoding: EncodingIn,
    signature: SignatureIn,
}

#[derive(Arbitrary, Debug)]
enum JsonIn {
    /// What a minter writes (the members the policy needs), less the members
    /// `drop` names (bit i: member i), plus `extra`.
    Default {
        drop: u16,
        extra: Vec<MemberIn>,
        style: u8,
        edit: Option<EditIn>,
    },
    Members {
        members: Vec<MemberIn>,
        style: u8,
        edit: Option<EditIn>,
    },
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct MemberIn {
    name: NameIn,
    value: ValueIn,
}

#[derive(Arbitrary, Debug)]
enum NameIn {
    Known(u8),
    Escaped(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum TimeIn {
    Future(u16),
    Past(u16),
    Now(i8),
    /// Around the longest lifetime the policy allows.
    TtlEdge(i8),
    /// Around the `nbf` leeway.
    LeewayEdge(i8),
    Abs(u64),
}

#[derive(Arbitrary, Debug)]
enum ValueIn {
    /// What the member's name calls for.
    Auto,
    Time(TimeIn),
    Float(TimeIn, u8),
    Exponent(u8),
    Negative(u16),
    StrNum(TimeIn),
    Null,
    Bool(bool),
    Str(u8),
    /// A JSON string as serde_json writes it (escapes where needed).
    Quoted(String),
    /// A string written between quotes verbatim.
    Unescaped(String),
    Scopes(Vec<ScopeStrIn>),
    Names(Vec<u8>),
    EmptyList,
    EmptyObject,
    Intsig(IntsigIn),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum IntsigIn {
    /// Over the request's values, as bound by the token's `ip` and `headers`.
    Request,
    /// Over other values.
    Wrong,
    Short,
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct EditIn {
    at: u16,
    op: EditOp,
}

#[derive(Arbitrary, Debug)]
enum EditOp {
    Insert(Vec<u8>),
    Delete(u8),
    Replace(u8),
    Truncate,
}

#[derive(Arbitrary, Debug)]
enum EncodingIn {
    Canonical,
    /// The unused bits of the last character set: the same bytes, spelt
    /// another way.
    TrailingBits(u8),
    Padded,
    StandardAlphabet,
    ExtraChar(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum SignatureIn {
    Good,
    Flip(u8, u8),
    NonCanonical(u8),
    Empty,
    Raw(String),
}

/// The first variant of each enum is what an exhausted input picks: the
/// common case (a path token, a minted token) rather than nothing.
#[derive(Arbitrary, Debug)]
enum LeadIn {
    Token(u8),
    None,
    Pass(PassIn),
    Word(u8),
    Raw(String),
    /// The URI does not start with `/`.
    NoSlash,
}

#[derive(Arbitrary, Debug)]
struct PassIn {
    kid: u8,
    signer: SignerIn,
    channel: TextIn,
    exp: PassExpIn,
    zeros: u8,
    mac: MacIn,
}

#[derive(Arbitrary, Debug)]
enum PassExpIn {
    Live(u16),
    Expired(u16),
    /// Around the longest a pass may live.
    Edge(i8),
    Abs(u64),
}

#[derive(Arbitrary, Debug)]
enum MacIn {
    Good,
    Flip(u8, u8),
    Short,
}

#[derive(Arbitrary, Debug)]
enum PieceIn {
    File(u8, u8),
    Word(u8),
    Slash,
    Escape(u8),
    Dot,
    DotDot,
    Char(u8),
    Token(u8),
    Pass(PassIn),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct QueryIn {
    name: QueryNameIn,
    value: QueryValueIn,
}

#[derive(Arbitrary, Debug)]
enum QueryNameIn {
    Parameter,
    SessionStart,
    Other(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum QueryValueIn {
    Token(u8),
    /// The token with one character percent-encoded.
    Encoded(u8, u16),
    Empty,
    Pass(PassIn),
    Raw(String),
}

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[usize::from(i) % pool.len()]
}

fn text(t: &TextIn, pool: &[&str]) -> String {
    match t {
        TextIn::Pool(i) => pick(pool, *i).to_string(),
        TextIn::Raw(s) => s.clone(),
    }
}

fn scope(s: &ScopeIn) -> String {
    let mut out = pick(&ROOTS, s.root).to_string();
    for w in s.words.iter().take(3) {
        out.push('/');
        out.push_str(pick(&SCOPE_WORDS, *w));
    }
    if s.trailing || out.is_empty() {
        out.push('/');
    }
    out
}

fn ip(i: &IpIn) -> String {
    let (address, style) = match i {
        IpIn::V4(o) => return Ipv4Addr::from(*o).to_string(),
        IpIn::Mapped(o, style) if style % 6 == 5 => {
            return format!("::FFFF:{}", Ipv4Addr::from(*o));
        }
        IpIn::V6(groups, style) => (Ipv6Addr::from(*groups), *style),
        IpIn::Mapped(o, style) => (Ipv4Addr::from(*o).to_ipv6_mapped(), *style),
    };
    let g = address.segments();
    let o = address.octets();
    let hex = |groups: &[u16], upper: bool| {
        groups
            .iter()
            .map(|x| {
                if upper {
                    format!("{x:04X}")
                } else {
                    format!("{x:04x}")
                }
            })
            .collect::<Vec<_>>()
            .join(":")
    };
    match style % 5 {
        0 => address.to_string(),
        1 => hex(&g, false),
        2 => hex(&g, true),
        3 => address.to_string().to_uppercase(),
        _ => format!(
            "{}:{}.{}.{}.{}",
            g[..6]
                .iter()
                .map(|x| format!("{x:x}"))
                .collect::<Vec<_>>()
                .join(":"),
            o[12],
            o[13],
            o[14],
            o[15]
        ),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hmac(key: &[u8], data: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    b64(ring::hmac::sign(&key, data).as_ref())
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Everything a token or pass is written against.
struct World {
    config: EdgeConfig,
    keys: Keys,
    now: u64,
    ip: String,
    headers: BTreeMap<String, String>,
    base: String,
}

impl World {
    fn key(&self, kid: &str, signer: &SignerIn) -> Vec<u8> {
        match signer {
            SignerIn::Stored => self
                .keys
                .0
                .get(kid)
                .cloned()
                .unwrap_or_else(|| vec![0x42; 32]),
            SignerIn::Other(bytes) if bytes.is_empty() => vec![0x43; 32],
            SignerIn::Other(bytes) => bytes.iter().copied().take(64).collect(),
        }
    }

    fn time(&self, t: TimeIn) -> u64 {
        let now = self.now;
        match t {
            TimeIn::Future(x) => now + 1 + u64::from(x),
            TimeIn::Past(x) => now.saturating_sub(u64::from(x)),
            TimeIn::Now(x) => now.saturating_add_signed(i64::from(x)),
            TimeIn::TtlEdge(x) => {
                (now + self.config.max_ttl_seconds + LEEWAY).saturating_add_signed(i64::from(x))
            }
            TimeIn::LeewayEdge(x) => (now + LEEWAY).saturating_add_signed(i64::from(x)),
            TimeIn::Abs(x) => x,
        }
    }

    fn scope_str(&self, s: &ScopeStrIn) -> String {
        match s {
            ScopeStrIn::Base => self.base.clone(),
            ScopeStrIn::Scope(s) => scope(s),
            ScopeStrIn::Odd(i) => pick(&ODD_SCOPES, *i).to_string(),
            ScopeStrIn::Raw(r) => r.clone(),
        }
    }

    fn pass(&self, p: &PassIn) -> String {
        let kid = pick(&KIDS, p.kid);
        let key = self.key(kid, &p.signer);
        let channel = text(&p.channel, &CHANNELS);
        let exp = match p.exp {
            PassExpIn::Live(x) => self.now + 1 + u64::from(x) * 3,
            PassExpIn::Expired(x) => self.now.saturating_sub(u64::from(x)),
            PassExpIn::Edge(x) => {
                (self.now + MAX_PASS_SECONDS + LEEWAY).saturating_add_signed(i64::from(x))
            }
            PassExpIn::Abs(x) => x,
        };
        let minted = origin::pass(kid, &key, &channel, exp);
        let mut mac = minted.rsplit('.').next().unwrap_or_default().to_string();
        match p.mac {
            MacIn::Good => {}
            MacIn::Flip(at, c) => replace_char(&mut mac, at.into(), c),
            MacIn::Short => {
                mac.pop();
            }
        }
        let zeros = "0".repeat(usize::from(p.zeros % 4));
        format!("o.{kid}.{zeros}{exp}.{channel}.{mac}")
    }

    fn mint(&self, m: &MintIn) -> Option<String> {
        let kid = pick(&KIDS, m.kid);
        let key = self.key(kid, &m.signer);
        let mut headers: Vec<(String, String)> = Vec::new();
        if !m.skip_required {
            for (i, name) in self.config.require_headers.iter().enumerate() {
                let value = match &m.wrong_value {
                    Some((w, v)) if usize::from(*w) % self.config.require_headers.len() == i => {
                        text(v, &HEADER_VALUES)
                    }
                    _ => self.headers.get(name).cloned().unwrap_or_default(),
                };
                headers.push((name.clone(), value));
            }
        }
        for (n, v) in m.extra_headers.iter().take(2) {
            headers.push((pick(&BINDABLE, *n).to_string(), text(v, &HEADER_VALUES)));
        }
        let viewer_ip = match &m.ip {
            BindIpIn::Auto => self.config.require_ip.then(|| self.ip.clone()),
            BindIpIn::Request => Some(self.ip.clone()),
            BindIpIn::Other(other) => Some(ip(other)),
            BindIpIn::None => None,
        };
        let request = MintRequest {
            key_id: kid.to_string(),
            // 0 (an exhausted input): the longest the policy allows.
            lifetime_seconds: match m.lifetime {
                0 => self.config.max_ttl_seconds,
                l => u64::from(l) % (self.config.max_ttl_seconds + 120),
            },
            now: self.now.saturating_add_signed(i64::from(m.issued)),
            paths: m.paths.iter().take(3).map(|p| self.scope_str(p)).collect(),
            session: m.session.as_ref().map(|s| text(s, &SESSIONS)),
            ip: viewer_ip,
            headers,
        };
        mint::mint(&self.config, &key, &request).ok()
    }

    fn crafted(&self, c: &CraftedIn) -> String {
        let kid = pick(&KIDS, c.kid);
        let key = self.key(kid, &c.signer);
        let session = c.session.as_ref().map(|s| text(s, &SESSIONS));
        let header = self.json(&c.header, Part::Header, kid, session.as_deref(), &key);
        let claims = self.json(&c.claims, Part::Claims, kid, session.as_deref(), &key);
        let header = encode(&header, &c.header_encoding);
        let claims = encode(&claims, &c.claims_encoding);
        let signed = format!("{header}.{claims}");
        let mut signature = hmac(&key, signed.as_bytes());
        match &c.signature {
            SignatureIn::Good => {}
            SignatureIn::Flip(at, ch) => replace_char(&mut signature, (*at).into(), *ch),
            SignatureIn::NonCanonical(bits) => set_trailing_bits(&mut signature, *bits),
            SignatureIn::Empty => signature.clear(),
            SignatureIn::Raw(r) => signature.clone_from(r),
        }
        match session {
            Some(s) => format!("{s}.{signed}.{signature}"),
            None => format!("{signed}.{signature}"),
        }
    }

    /// The header or claims text.
    fn json(
        &self,
        j: &JsonIn,
        part: Part,
        kid: &str,
        session: Option<&str>,
        key: &[u8],
    ) -> Vec<u8> {
        let (members, style, edit): (Vec<(String, Resolved)>, u8, &Option<EditIn>) = match j {
            JsonIn::Raw(bytes) => return bytes.clone(),
            JsonIn::Default {
                drop,
                extra,
                style,
                edit,
            } => {
                let defaults: Vec<&str> = match part {
                    Part::Header => vec!["alg", "typ", "kid"],
                    Part::Claims => {
                        let mut d = vec!["exp", "nbf", "iat"];
                        if !self.config.path_scopes.is_empty() {
                            d.push("paths");
                        }
                        if session.is_some() {
                            d.push("ssn");
                        }
                        if self.config.require_ip {
                            d.push("ip");
                        }
                        if !self.config.require_headers.is_empty() {
                            d.push("headers");
                        }
                        if self.config.require_ip || !self.config.require_headers.is_empty() {
                            d.push("intsig");
                        }
                        d
                    }
                };
                let mut members: Vec<(String, Resolved)> = defaults
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| drop & (1 << i) == 0)
                    .map(|(_, n)| {
                        (
                            format!("\"{n}\""),
                            self.value(n, &ValueIn::Auto, kid, session),
                        )
                    })
                    .collect();
                members.extend(extra.iter().take(4).map(|m| self.member(m, kid, session)));
                (members, *style, edit)
            }
            JsonIn::Members {
                members,
                style,
                edit,
            } => (
                members
                    .iter()
                    .take(10)
                    .map(|m| self.member(m, kid, session))
                    .collect(),
                *style,
                edit,
            ),
        };
        // The token's bindings, as a reader would take them (the first of a
        // member given twice), for an intsig over the request's values.
        let bound_ip = members
            .iter()
            .find(|(n, _)| n == "\"ip\"")
            .is_some_and(|(_, v)| v.text == "true");
        let names: Vec<String> = members
            .iter()
            .find(|(n, _)| n == "\"headers\"")
            .and_then(|(_, v)| v.list.clone())
            .unwrap_or_default();
        let mut values: Vec<String> = Vec::new();
        if bound_ip {
            values.push(normalize_ip(&self.ip));
        }
        for name in &names {
            values.push(self.headers.get(name).cloned().unwrap_or_default());
        }
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        let good = intsig(key, &values);

        let colon = match style & 3 {
            0 => ":",
            1 => ": ",
            2 => " :\t",
            _ => " : ",
        };
        let comma = match (style >> 2) & 3 {
            0 => ",",
            1 => ", ",
            2 => ",\n",
            _ => "\r\n,",
        };
        let mut out = String::new();
        if style & 16 != 0 {
            out.push_str(" \n");
        }
        if style & 128 != 0 {
            // Not JSON whitespace.
            out.push('\u{c}');
        }
        out.push('{');
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                out.push_str(comma);
            }
            out.push_str(name);
            out.push_str(colon);
            match &value.intsig {
                Some(IntsigKind::Request) => out.push_str(&format!("\"{good}\"")),
                Some(IntsigKind::Wrong) => {
                    let other = intsig(key, &["198.51.100.7", "Other/1.0"]);
                    out.push_str(&format!("\"{other}\""));
                }
                Some(IntsigKind::Short) => out.push_str(&format!("\"{}\"", &good[..42])),
                None => out.push_str(&value.text),
            }
        }
        out.push('}');
        if style & 32 != 0 {
            out.push_str("\t\n");
        }
        if style & 64 != 0 {
            out.push_str(" x");
        }
        let mut bytes = out.into_bytes();
        if let Some(edit) = edit {
            let at = usize::from(edit.at) % (bytes.len() + 1);
            match &edit.op {
                EditOp::Insert(b) => {
                    bytes.splice(at..at, b.iter().copied().take(16));
                }
                EditOp::Delete(n) => {
                    let end = (at + usize::from(*n % 8) + 1).min(bytes.len());
                    bytes.drain(at..end);
                }
                EditOp::Replace(b) => {
                    if at < bytes.len() {
                        bytes[at] = *b;
                    }
                }
                EditOp::Truncate => bytes.truncate(at),
            }
        }
        bytes
    }

    fn member(&self, m: &MemberIn, kid: &str, session: Option<&str>) -> (String, Resolved) {
        let name = match &m.name {
            NameIn::Known(i) => pick(&NAMES, *i).to_string(),
            NameIn::Escaped(i) => pick(&ESCAPED_NAMES, *i).to_string(),
            NameIn::Raw(r) => r.clone(),
        };
        let value = self.value(&name, &m.value, kid, session);
        (format!("\"{name}\""), value)
    }

    fn value(&self, name: &str, v: &ValueIn, kid: &str, session: Option<&str>) -> Resolved {
        let list = |items: Vec<String>| Resolved {
            text: serde_json::to_string(&items).expect("strings serialize"),
            list: Some(items),
            intsig: None,
        };
        let plain = |text: String| Resolved {
            text,
            list: None,
            intsig: None,
        };
        let quoted = |s: &str| plain(format!("\"{s}\""));
        match v {
            ValueIn::Auto => match name {
                "exp" => plain((self.now + 300).to_string()),
                "nbf" | "iat" => plain((self.now - 5).to_string()),
                "paths" => list(vec![self.base.clone()]),
                "ssn" => quoted(session.unwrap_or(SESSIONS[0])),
                "ip" => plain("true".into()),
                "headers" => list(if self.config.require_headers.is_empty() {
                    vec!["user-agent".into()]
                } else {
                    self.config.require_headers.clone()
                }),
                "intsig" => Resolved {
                    text: String::new(),
                    list: None,
                    intsig: Some(IntsigKind::Request),
                },
                "alg" => quoted("HS256"),
                "kid" => quoted(kid),
                "typ" => quoted("JWT"),
                _ => quoted("x"),
            },
            ValueIn::Time(t) => plain(self.time(*t).to_string()),
            ValueIn::Float(t, frac) => plain(format!("{}.{}", self.time(*t), frac % 10)),
            ValueIn::Exponent(e) => plain(
                [
                    "1.8e9",
                    "18e8",
                    "1E9",
                    "1e+9",
                    "2e9",
                    "1.8000000005e9",
                    "0e0",
                    "1e400",
                ][usize::from(*e) % 8]
                    .into(),
            ),
            ValueIn::Negative(x) => plain(format!("-{x}")),
            ValueIn::StrNum(t) => plain(format!("\"{}\"", self.time(*t))),
            ValueIn::Null => plain("null".into()),
            ValueIn::Bool(b) => plain(b.to_string()),
            ValueIn::Str(i) => quoted(pick(&STRINGS, *i)),
            ValueIn::Quoted(s) => plain(serde_json::to_string(s).expect("a string serializes")),
            ValueIn::Unescaped(s) => plain(format!("\"{s}\"")),
            ValueIn::Scopes(scopes) => {
                list(scopes.iter().take(4).map(|s| self.scope_str(s)).collect())
            }
            ValueIn::Names(names) => list(
                names
                    .iter()
                    .take(4)
                    .map(|n| pick(&BINDABLE, *n).to_string())
                    .collect(),
            ),
            ValueIn::EmptyList => plain("[]".into()),
            ValueIn::EmptyObject => plain("{}".into()),
            ValueIn::Intsig(IntsigIn::Request) => Resolved {
                text: String::new(),
                list: None,
                intsig: Some(IntsigKind::Request),
            },
            ValueIn::Intsig(IntsigIn::Wrong) => Resolved {
                text: String::new(),
                list: None,
                intsig: Some(IntsigKind::Wrong),
            },
            ValueIn::Intsig(IntsigIn::Short) => Resolved {
                text: String::new(),
                list: None,
                intsig: Some(IntsigKind::Short),
            },
            ValueIn::Intsig(IntsigIn::Raw(r)) => quoted(r),
            ValueIn::Raw(r) => plain(r.clone()),
        }
    }
}

#[derive(Clone, Copy)]
enum Part {
    Header,
    Claims,
}

enum IntsigKind {
    Request,
    Wrong,
    Short,
}

/// A member's value as written, and what a reader would take from it.
struct Resolved {
    text: String,
    list: Option<Vec<String>>,
    intsig: Option<IntsigKind>,
}

fn replace_char(s: &mut String, at: usize, c: u8) {
    if s.is_empty() {
        return;
    }
    let i = at % s.len();
    if !s.is_char_boundary(i) {
        return;
    }
    let end = (i + 1..=s.len())
        .find(|e| s.is_char_boundary(*e))
        .unwrap_or(s.len());
    let replacement = if c < 0xc0 {
        (ALPHABET[usize::from(c) % ALPHABET.len()] as char).to_string()
    } else {
        char::from(c).to_string()
    };
    s.replace_range(i..end, &replacement);
}

/// Sets unused bits of the last base64url character, if it has any.
fn set_trailing_bits(s: &mut String, bits: u8) {
    let unused = match s.len() % 4 {
        2 => 0b1111,
        3 => 0b11,
        _ => return,
    };
    let Some(last) = s.pop() else { return };
    let index = ALPHABET
        .iter()
        .position(|c| *c as char == last)
        .unwrap_or(0);
    let set = usize::from(bits) & unused;
    let set = if set == 0 { 1 } else { set };
    s.push(ALPHABET[index | set] as char);
}

fn encode(bytes: &[u8], e: &EncodingIn) -> String {
    let mut s = b64(bytes);
    match e {
        EncodingIn::Canonical => {}
        EncodingIn::TrailingBits(bits) => set_trailing_bits(&mut s, *bits),
        EncodingIn::Padded => {
            while s.len() % 4 != 0 {
                s.push('=');
            }
            if bytes.len() % 3 == 0 {
                s.push_str("==");
            }
        }
        EncodingIn::StandardAlphabet => s = s.replace('-', "+").replace('_', "/"),
        EncodingIn::ExtraChar(c) => s.push(ALPHABET[usize::from(*c) % ALPHABET.len()] as char),
        EncodingIn::Raw(r) => s.clone_from(r),
    }
    s
}

fn damage(token: String, d: &Damage) -> String {
    match d {
        Damage::None => token,
        Damage::Char(at, c) => {
            let mut t = token;
            replace_char(&mut t, usize::from(*at), *c);
            t
        }
        Damage::StripSession => {
            if token.split('.').count() == 4 {
                token
                    .split_once('.')
                    .map(|(_, r)| r.to_string())
                    .unwrap_or(token)
            } else {
                token
            }
        }
        Damage::Session(s) => {
            let jwt = if token.split('.').count() == 4 {
                token
                    .split_once('.')
                    .map(|(_, r)| r.to_string())
                    .unwrap_or_default()
            } else {
                token
            };
            format!("{}.{jwt}", text(s, &SESSIONS))
        }
        Damage::Truncate(n) => {
            let mut t = token;
            let at = usize::from(*n) % (t.len() + 1);
            if t.is_char_boundary(at) {
                t.truncate(at);
            }
            t
        }
    }
}

fn config(c: &ConfigIn) -> EdgeConfig {
    let mut origin_scopes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (channel, dirs) in c.origin_scopes.iter().take(3) {
        origin_scopes
            .entry(pick(&CHANNELS, *channel).to_string())
            .or_default()
            .extend(dirs.iter().take(2).map(scope));
    }
    EdgeConfig {
        location: if c.query_location { "query" } else { "path" }.into(),
        query_parameter: pick(&PARAMETERS, c.parameter).into(),
        protect: ["all", "manifests", "segments"][usize::from(c.protect) % 3].into(),
        failure_status: 401,
        require_ip: c.require_ip,
        require_headers: HEADERS[..3]
            .iter()
            .enumerate()
            .filter(|(i, _)| c.headers_mask & (1 << i) != 0)
            .map(|(_, h)| h.to_string())
            .collect(),
        path_scopes: c.scopes.iter().take(3).map(scope).collect(),
        origin_scopes,
        revocation_in_store: c.revocation_in_store,
        // The policy's range (30 s to 7 days).
        max_ttl_seconds: 30 + u64::from(c.max_ttl) % 604_771,
        not_before_leeway_seconds: LEEWAY,
    }
}

/// The function under node: one process per fuzzing process.
struct Node {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Function ids by config (JSON), oldest first for eviction.
    ids: HashMap<String, u64>,
    order: VecDeque<String>,
    next: u64,
}

/// Functions node keeps compiled at once.
const CACHED_FUNCTIONS: usize = 64;

impl Node {
    fn spawn() -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/edge_server.js");
        let mut child = Command::new("node")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node must be on PATH for the edge_differential target");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Node {
            _child: child,
            stdin,
            stdout,
            ids: HashMap::new(),
            order: VecDeque::new(),
            next: 0,
        }
    }

    fn verify(&mut self, config: &EdgeConfig, mut message: Value) -> Value {
        let key = serde_json::to_string(config).expect("the config serializes");
        let id = match self.ids.get(&key) {
            Some(id) => *id,
            None => {
                let id = self.next;
                self.next += 1;
                message["source"] = json!(function::source(config, STORE_ID));
                let mut drop = Vec::new();
                while self.order.len() >= CACHED_FUNCTIONS {
                    let old = self.order.pop_front().expect("not empty");
                    drop.push(self.ids.remove(&old).expect("cached"));
                }
                message["drop"] = json!(drop);
                self.ids.insert(key.clone(), id);
                self.order.push_back(key);
                id
            }
        };
        message["id"] = json!(id);
        let mut line = message.to_string();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.flush())
            .expect("node reads requests");
        let mut answer = String::new();
        let n = self.stdout.read_line(&mut answer).expect("node answers");
        assert!(n > 0, "node exited (see its stderr above)");
        serde_json::from_str(&answer).expect("node answers JSON")
    }
}

fn node() -> &'static Mutex<Node> {
    static NODE: OnceLock<Mutex<Node>> = OnceLock::new();
    NODE.get_or_init(|| Mutex::new(Node::spawn()))
}

/// `EDGE_DIFFERENTIAL_TRACE=1` prints each verdict (to see what a corpus reaches).
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("EDGE_DIFFERENTIAL_TRACE").is_some())
}

fuzz_target!(|input: Input| {
    let config = config(&input.config);
    let now = EPOCH + u64::from(input.now);

    // The store: signing keys (k1 always) and revoked sessions.
    let mut keys = BTreeMap::new();
    keys.insert("k1".to_string(), vec![0x11; 32]);
    for (kid, key) in input.keys.iter().take(3) {
        let key: Vec<u8> = key.iter().copied().take(64).collect();
        let key = if key.is_empty() { vec![0x5a] } else { key };
        keys.insert(pick(&KIDS, *kid).to_string(), key);
    }
    let mut store = serde_json::Map::new();
    for (kid, key) in &keys {
        store.insert(
            format!("k:{kid}"),
            json!(base64::engine::general_purpose::STANDARD.encode(key)),
        );
    }
    let mut revoked: BTreeMap<String, u64> = BTreeMap::new();
    for (session, offset) in input.revoked.iter().take(3) {
        let until = now.saturating_add_signed(i64::from(*offset));
        revoked.insert(pick(&SESSIONS, *session).to_string(), until);
        store.insert(
            format!("r:{}", pick(&SESSIONS, *session)),
            json!(until.to_string()),
        );
    }
    let keys = Keys(keys);

    let viewer_ip = ip(&input.ip);
    let headers: BTreeMap<String, String> = input
        .headers
        .iter()
        .take(4)
        .map(|(n, v)| (pick(&HEADERS, *n).to_string(), text(v, &HEADER_VALUES)))
        .collect();
    let bases: Vec<String> = config
        .path_scopes
        .iter()
        .chain(config.origin_scopes.values().flatten())
        .cloned()
        .chain(FIXED_BASES.iter().map(|s| s.to_string()))
        .collect();
    let base = bases[usize::from(input.base) % bases.len()].clone();
    let world = World {
        config,
        keys,
        now,
        ip: viewer_ip,
        headers,
        base,
    };

    let tokens: Vec<String> = input
        .tokens
        .iter()
        .take(3)
        .filter_map(|t| match t {
            TokenIn::Minted(m, d) => world.mint(m).map(|t| damage(t, d)),
            TokenIn::Crafted(c) => Some(world.crafted(c)),
            TokenIn::Raw(r) => Some(r.clone()),
        })
        .collect();
    // Without tokens: one minted for the request, as a player would have it.
    let minted = world
        .mint(&MintIn {
            kid: 0,
            signer: SignerIn::Stored,
            lifetime: 0,
            issued: 0,
            paths: Vec::new(),
            session: None,
            ip: BindIpIn::Auto,
            skip_required: false,
            wrong_value: None,
            extra_headers: Vec::new(),
        })
        .unwrap_or_else(|| "x.y.z".into());
    let token = |i: u8| -> String {
        if tokens.is_empty() {
            minted.clone()
        } else {
            tokens[usize::from(i) % tokens.len()].clone()
        }
    };

    let mut uri = match &input.lead {
        LeadIn::None => String::new(),
        LeadIn::Token(i) => format!("/{}", token(*i)),
        LeadIn::Pass(p) => format!("/{}", world.pass(p)),
        LeadIn::Word(w) => format!("/{}", pick(&PATH_WORDS, *w)),
        LeadIn::Raw(r) => format!("/{r}"),
        LeadIn::NoSlash => "x".into(),
    };
    uri.push_str(&world.base);
    for piece in input.pieces.iter().take(8) {
        match piece {
            PieceIn::File(stem, ext) => {
                uri.push('/');
                uri.push_str(pick(&STEMS, *stem));
                uri.push_str(pick(&EXTENSIONS, *ext));
            }
            PieceIn::Word(w) => {
                uri.push('/');
                uri.push_str(pick(&PATH_WORDS, *w));
            }
            PieceIn::Slash => uri.push('/'),
            PieceIn::Escape(e) => uri.push_str(pick(&ESCAPES, *e)),
            PieceIn::Dot => uri.push_str("/."),
            PieceIn::DotDot => uri.push_str("/.."),
            PieceIn::Char(c) => uri.push_str(pick(&CHARS, *c)),
            PieceIn::Token(i) => {
                uri.push('/');
                uri.push_str(&token(*i));
            }
            PieceIn::Pass(p) => {
                uri.push('/');
                uri.push_str(&world.pass(p));
            }
            PieceIn::Raw(r) => uri.push_str(r),
        }
    }
    let parameter = world.config.query_parameter.clone();
    let query: Vec<(String, String)> = input
        .query
        .iter()
        .take(6)
        .map(|q| {
            let name = match &q.name {
                QueryNameIn::Parameter => parameter.clone(),
                QueryNameIn::SessionStart => format!("manifest.{parameter}"),
                QueryNameIn::Other(i) => pick(&OTHER_QUERY_NAMES, *i).to_string(),
                QueryNameIn::Raw(r) => r.clone(),
            };
            let value = match &q.value {
                QueryValueIn::Token(i) => token(*i),
                QueryValueIn::Encoded(i, at) => {
                    let t = token(*i);
                    let at = usize::from(*at) % t.len().max(1);
                    match t.get(at..at + 1) {
                        Some(c) => format!("{}%{:02X}{}", &t[..at], c.as_bytes()[0], &t[at + 1..]),
                        None => t,
                    }
                }
                QueryValueIn::Empty => String::new(),
                QueryValueIn::Pass(p) => world.pass(p),
                QueryValueIn::Raw(r) => r.clone(),
            };
            (name, value)
        })
        .collect();

    let request = ViewerRequest {
        uri,
        query,
        ip: world.ip.clone(),
        headers: world.headers.clone(),
    };
    let lookup = |s: &str| revoked.get(s).copied();
    let rust = check(&world.config, &world.keys, &lookup, &request, now);
    let rust_verdict = match &rust {
        Ok(accepted) => {
            let kept: BTreeSet<&str> = accepted.query.iter().map(|(k, _)| k.as_str()).collect();
            json!({"verdict": "pass", "uri": accepted.uri, "query": kept})
        }
        Err(refusal) => json!({"verdict": refusal.code(), "uri": null, "query": null}),
    };

    let message = json!({
        "storeId": STORE_ID,
        "store": Value::Object(store.clone()),
        // The query undecoded, `multiValue` when a name repeats.
        "request": request.cloudfront_request(),
        "ip": request.ip,
        "now": now,
    });
    let js = node()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .verify(&world.config, message.clone());
    let js_verdict = match js.get("query").and_then(Value::as_array) {
        Some(names) => {
            let kept: BTreeSet<&str> = names.iter().filter_map(Value::as_str).collect();
            json!({"verdict": js["verdict"], "uri": js["uri"], "query": kept})
        }
        None => js.clone(),
    };
    if trace() {
        eprintln!(
            "edge_differential: {rust_verdict} for {}",
            message["request"]
        );
    }
    if rust_verdict != js_verdict {
        panic!(
            "the Rust verifier and the CloudFront Function disagree\n\
             rust:     {rust_verdict}\n\
             function: {js_verdict}\n\
             rust says: {rust:?}\n\
             config:   {}\n\
             store:    {}\n\
             request:  {}\n\
             ip:       {}\n\
             now:      {now}\n\
             tokens:   {tokens:?}",
            serde_json::to_string(&world.config).unwrap_or_default(),
            Value::Object(store),
            message["request"],
            request.ip,
        );
    }
});
