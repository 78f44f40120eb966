"""Writes tests/fixtures/token_vectors.json: the shared token test vectors.

One file of requests (URI, query, headers, viewer IP, time, policy and key
value store) with the verdict the edge owes each, run by tests/token.rs
through both checkers: onair's Rust verifier (`onair token verify`) and the
generated CloudFront Function under node. Tokens come from PyJWT, an
independent JWT implementation, and from hand-written JSON signed here for
what no JWT library writes (a member twice, an escaped name, a list).

Deterministic: the same keys, times and claims give the same bytes, and
tests/token.rs checks that the file is what this script writes. Run
`.venv/bin/python tests/token_vectors.py` after changing a vector.
"""

import base64
import hashlib
import hmac
import json
import sys
from pathlib import Path

import jwt

NOW = 1_800_000_000
K1 = bytes([1] * 32)
K2 = bytes([2] * 32)
K9 = bytes([9] * 32)
IP = "203.0.113.7"
PLAYER = "Player/1.0"
MAX_PASS = 172_800
LEEWAY = 60
MANIFEST = "/out/v1/abc/index.m3u8"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(key, text):
    return b64u(hmac.new(key, text.encode(), hashlib.sha256).digest())


def raw_token(header, claims, key=K1, session=None):
    """A token from JSON text exactly as written, validly signed."""
    signed = b64u(header.encode()) + "." + b64u(claims.encode())
    token = signed + "." + sign(key, signed)
    return f"{session}.{token}" if session else token


def pyjwt(claims, key=K1, kid="k1", algorithm="HS256", headers=None, session=None):
    extra = {} if kid is None else {"kid": kid}
    extra.update(headers or {})
    token = jwt.encode(claims, key, algorithm=algorithm, headers=extra)
    return f"{session}.{token}" if session else token


def claims(**changes):
    out = {"exp": NOW + 600, "nbf": NOW, "iat": NOW, "paths": ["/out/v1/"]}
    out.update(changes)
    return {k: v for k, v in out.items() if v is not None}


def intsig(key, values):
    text = "onair-bind-v1\n" + "".join(f"{len(v.encode())}:{v}" for v in values)
    return sign(key, text)


def origin_pass(key=K1, kid="k1", channel="news", exp=NOW + 86_400, signed_channel=None):
    mac = sign(key, f"onair-origin-pass-v2\n{signed_channel or channel}\n{exp}")
    return f"o.{kid}.{exp}.{channel}.{mac}"


def config(**changes):
    out = {
        "location": "path",
        "queryParameter": "token",
        "protect": "all",
        "failureStatus": 401,
        "requireIp": False,
        "requireHeaders": [],
        "pathScopes": ["/out/v1/"],
        "originScopes": {"news": ["/out/v1/abc/"], "sports.eu": ["/out/v1/eu/"]},
        "revocationInStore": True,
        "maxTtlSeconds": 3600,
        "notBeforeLeewaySeconds": LEEWAY,
    }
    out.update(changes)
    return out


CONFIGS = {
    "plain": config(),
    "bound": config(requireIp=True, requireHeaders=["user-agent"], pathScopes=["/out/v1/", "/v1/"]),
    "manifests": config(protect="manifests"),
    "segments": config(protect="segments"),
    "query": config(location="query", pathScopes=[]),
    "scoped": config(pathScopes=["/live/a"]),
}

STORES = {
    "both": {"k:k1": base64.b64encode(K1).decode(), "k:k2": base64.b64encode(K2).decode()},
    "rotated": {"k:k2": base64.b64encode(K2).decode()},
}

CASES = []


def case(name, expect, uri=MANIFEST, token=None, cfg="plain", store="both", now=NOW,
         ip=IP, query=None, forwarded=None):
    if token is not None:
        uri = f"/{token}{uri}"
    CASES.append({
        "name": name,
        "config": cfg,
        "store": store,
        "now": now,
        "ip": ip,
        "headers": {"user-agent": PLAYER},
        "uri": uri,
        "query": query or [],
        "expect": expect,
        "forwarded": forwarded if expect == "pass" else None,
    })


def passes(name, token, uri=MANIFEST, **kw):
    case(name, "pass", uri=uri, token=token, forwarded=uri, **kw)


VALID = pyjwt(claims())

# Tokens from PyJWT.
passes("pyjwt: valid", VALID)
passes("pyjwt: valid with session", pyjwt(claims(ssn="s-1"), session="s-1"), "/out/v1/abc/index_1.m3u8")
passes("pyjwt: bound to IP and User-Agent",
       pyjwt(claims(ip=True, headers=["user-agent"], intsig=intsig(K1, [IP, PLAYER]))), cfg="bound")
case("pyjwt: bound, another User-Agent", "binding",
     token=pyjwt(claims(ip=True, headers=["user-agent"], intsig=intsig(K1, [IP, "Evil/2.0"]))), cfg="bound")
case("pyjwt: aud claim", "malformed", token=pyjwt(claims(aud="someone-else")))
case("pyjwt: iss claim", "malformed", token=pyjwt(claims(iss="elsewhere")))
case("pyjwt: float exp", "malformed", token=pyjwt(claims(exp=NOW + 600.5)))
case("pyjwt: float exp that is whole", "malformed", token=pyjwt(claims(exp=float(NOW + 600))))
case("pyjwt: paths as a string", "malformed", token=pyjwt(claims(paths="/out/v1/other/")))
case("pyjwt: numeric ssn skips no revocation", "malformed", token=pyjwt(claims(ssn=7)))
case("pyjwt: string nbf", "malformed", token=pyjwt(claims(nbf=str(NOW + 10_000))))
case("pyjwt: null nbf", "malformed", token=pyjwt({"exp": NOW + 600, "nbf": None}))
case("pyjwt: empty paths", "malformed", token=pyjwt(claims(paths=[])))
case("pyjwt: paths with a dot segment", "malformed", token=pyjwt(claims(paths=["/out/v1/../"])))
case("pyjwt: ip as a number", "malformed", token=pyjwt(claims(ip=1)))
case("pyjwt: headers listed twice", "malformed", token=pyjwt(claims(headers=["user-agent", "user-agent"])))
case("pyjwt: exp beyond 2^53", "malformed", token=pyjwt(claims(exp=2**53)))
case("pyjwt: no exp", "malformed", token=pyjwt({"nbf": NOW}))
case("pyjwt: HS512", "malformed", token=pyjwt(claims(), algorithm="HS512"))
case("pyjwt: jku header", "malformed", token=pyjwt(claims(), headers={"jku": "https://keys.example/jwks"}))
case("pyjwt: typ other than JWT", "malformed", token=pyjwt(claims(), headers={"typ": "at+jwt"}))
case("pyjwt: no kid", "malformed", token=pyjwt(claims(), kid=None))
case("pyjwt: kid with a path", "malformed", token=pyjwt(claims(), kid="../k1"))
case("pyjwt: unknown kid", "unknown-key", token=pyjwt(claims(), key=K9, kid="k9"))
case("pyjwt: another key under k1", "bad-signature", token=pyjwt(claims(), key=K2))
case("pyjwt: removed key", "unknown-key", token=VALID, store="rotated")
passes("pyjwt: rotated key", pyjwt(claims(), key=K2, kid="k2"), store="rotated")
case("pyjwt: expires at exp", "expired", token=VALID, now=NOW + 600)
case("pyjwt: not yet valid", "not-yet-valid", token=VALID, now=NOW - LEEWAY - 1)
passes("pyjwt: nbf within the leeway", VALID, now=NOW - LEEWAY)
case("pyjwt: longer than maxTtlSeconds", "too-long", token=pyjwt(claims(exp=NOW + 3600 + LEEWAY + 1)))
case("pyjwt: session prefix missing", "session-mismatch", token=pyjwt(claims(ssn="s-1")))
case("pyjwt: session prefix of another session", "session-mismatch",
     token=pyjwt(claims(ssn="s-1"), session="s-2"))
case("pyjwt: paths on a segment boundary", "path", token=pyjwt(claims(paths=["/out/v1/ab"])))
passes("pyjwt: paths without a final slash", pyjwt(claims(paths=["/out/v1/abc"])))
case("pyjwt: outside the policy's scopes", "scope", uri="/private/abc/index.m3u8", token=VALID)

# Hand-written JSON: what no JWT library writes.
HEADER = '{"alg":"HS256","kid":"k1","typ":"JWT"}'
EXP = NOW + 600
case("duplicate exp (the last would win)", "malformed",
     token=raw_token(HEADER, f'{{"exp":{EXP},"exp":{EXP + 10**8}}}'))
case("duplicate paths (the last would win)", "malformed",
     token=raw_token(HEADER, f'{{"exp":{EXP},"paths":["/out/v1/other/"],"paths":["/"]}}'))
case("escaped member name", "malformed", token=raw_token(HEADER, f'{{"e\\u0078p":{EXP}}}'))
case("escaped path", "malformed", token=raw_token(HEADER, f'{{"exp":{EXP},"paths":["\\/out\\/v1\\/"]}}'))
case("claims as a list", "malformed", token=raw_token(HEADER, f"[{EXP}]"))
case("exp with a leading zero", "malformed", token=raw_token(HEADER, f'{{"exp":0{EXP}}}'))
case("negative zero nbf", "malformed", token=raw_token(HEADER, f'{{"exp":{EXP},"nbf":-0}}'))
case("trailing garbage", "malformed", token=raw_token(HEADER, f'{{"exp":{EXP}}}x'))
case("byte order mark", "malformed", token=raw_token(HEADER, f'\ufeff{{"exp":{EXP}}}'))
passes("whitespace between members", raw_token(HEADER, f' {{ "exp" : {EXP} ,\n"paths":\t[ "/out/v1/" ] }} '))
case("header duplicates alg", "malformed", token=raw_token('{"alg":"HS256","kid":"k1","alg":"none"}', f'{{"exp":{EXP}}}'))
case("alg none", "malformed",
     token=b64u(b'{"alg":"none","kid":"k1"}') + "." + b64u(f'{{"exp":{EXP}}}'.encode()) + ".AAAA")
case("alg confusion: RS256 signed with the HMAC key", "malformed",
     token=raw_token('{"alg":"RS256","kid":"k1"}', f'{{"exp":{EXP}}}'))
case("alg in lower case", "malformed", token=raw_token('{"alg":"hs256","kid":"k1"}', f'{{"exp":{EXP}}}'))
# A payload whose last base64url character carries a stray bit: lenient
# decoders read the same bytes, so only one spelling is accepted.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
payload = b64u(f'{{"exp":{EXP} }}'.encode())
loose = payload[:-1] + ALPHABET[ALPHABET.index(payload[-1]) + 1]
signed = b64u(HEADER.encode()) + "." + loose
case("payload with stray base64 bits", "malformed", token=signed + "." + sign(K1, signed))
case("tampered claims", "bad-signature",
     token=VALID.split(".")[0] + "." + b64u(json.dumps(claims(paths=["/"]), separators=(",", ":")).encode())
     + "." + VALID.split(".")[2])

# The origin pass: MediaTailor reading its channel's manifests.
PASS = origin_pass()
passes("origin pass on its channel's manifest", PASS, cfg="bound")
passes("origin pass of a channel whose name has dots", origin_pass(channel="sports.eu"),
       "/out/v1/eu/index.m3u8", cfg="bound")
passes("origin pass on a child manifest", PASS, "/out/v1/abc/index_1.m3u8", cfg="bound")
case("origin pass on a segment", "pass-scope", uri="/out/v1/abc/index_1_00001.ts", token=PASS, cfg="bound")
case("origin pass on another directory", "pass-scope", uri="/out/v1/abd/index.m3u8", token=PASS, cfg="bound")
case("origin pass on a directory sharing its prefix", "pass-scope", uri="/out/v1/abcd/index.m3u8", token=PASS, cfg="bound")
case("origin pass under MediaTailor's /v1/", "pass-scope", uri="/v1/master/a/b/index.m3u8", token=PASS, cfg="bound")
case("origin pass of a channel the policy has not", "pass-scope", token=origin_pass(channel="sports"), cfg="bound")
case("origin pass named for another channel", "bad-signature",
     token=origin_pass(channel="sports", signed_channel="news"), cfg="bound")
case("origin pass expired", "expired", token=PASS, now=NOW + 86_400, cfg="bound")
case("origin pass living too long", "too-long", token=origin_pass(exp=NOW + MAX_PASS + LEEWAY + 1), cfg="bound")
case("origin pass under another key", "bad-signature", token=origin_pass(key=K2), cfg="bound")
case("origin pass of a removed key", "unknown-key", token=PASS, store="rotated", cfg="bound")
case("origin pass outside the policy's scopes", "scope", uri="/private/abc/index.m3u8", token=PASS)
# It has a token's shape now, and no token's content.
case("origin pass of the old kind (no expiry, no scope)", "malformed",
     token="o.k1." + sign(K1, "onair-origin-pass-v1"), cfg="bound")

# What needs a token is judged on the decoded, lower-cased path.
for name, uri, expect in [
    ("index.m3u%38", "/out/v1/abc/index.m3u%38", "missing"),
    ("index.M3U8", "/out/v1/abc/index.M3U8", "missing"),
    ("index.Mpd", "/out/v1/abc/index.Mpd", "missing"),
    ("index.m3u8/", "/out/v1/abc/index.m3u8/", "missing"),
    ("index.m3u8.", "/out/v1/abc/index.m3u8.", "missing"),
    ("index.m3u8;x", "/out/v1/abc/index.m3u8;x", "unsafe-path"),
    ("index.m3u8%20", "/out/v1/abc/index.m3u8%20", "unsafe-path"),
    ("index.m3u8%3F", "/out/v1/abc/index.m3u8%3F", "unsafe-path"),
    ("index.m3u%2538", "/out/v1/abc/index.m3u%2538", "unsafe-path"),
    ("no extension", "/out/v1/abc/tracking", "missing"),
    ("manifest in a segment's directory", "/out/v1/abc/seg_1.ts/x.m3u8", "missing"),
]:
    case(f"manifests only: {name} without a token", expect, uri=uri, cfg="manifests")
passes("manifests only: a segment needs no token", None, "/out/v1/abc/seg_1.ts", cfg="manifests")
case("manifests only: an escaped segment name reaches the origin decoded", "pass",
     uri="/out/v1/abc/seg%5F1.ts", cfg="manifests", forwarded="/out/v1/abc/seg_1.ts")
passes("manifests only: a manifest with a token", VALID, cfg="manifests")
for name, uri in [
    ("seg_1.ts/.m3u8", "/out/v1/abc/seg_1.ts/.m3u8"),
    ("seg_1.ts/x.m3u8", "/out/v1/abc/seg_1.ts/x.m3u8"),
    ("seg_1.TS", "/out/v1/abc/seg_1.TS"),
    ("seg_1.t%73", "/out/v1/abc/seg_1.t%73"),
    (".m3u8", "/out/v1/abc/.m3u8"),
]:
    case(f"segments only: {name} without a token", "missing", uri=uri, cfg="segments")
passes("segments only: a manifest needs no token", None, cfg="segments")
passes("segments only: a segment with a token", VALID, "/out/v1/abc/seg_1.ts", cfg="segments")

# Paths a prefix check could be walked out of.
for name, uri in [
    ("dot-dot", "/out/v1/abc/../../private/index.m3u8"),
    ("encoded dot-dot", "/out/v1/abc/%2e%2e/%2E%2E/private/index.m3u8"),
    ("encoded slash", "/out/v1/abc%2Findex.m3u8"),
    ("backslash", "/out/v1/abc\\index.m3u8"),
    ("empty segment", "/out/v1//abc/index.m3u8"),
    ("dot segment", "/out/v1/./abc/index.m3u8"),
    ("non-ASCII", "/out/v1/abc/ind\u00e9x.m3u8"),
]:
    case(f"unsafe path: {name}", "unsafe-path", uri=uri, token=VALID)

# Policy scopes match on segment boundaries.
scoped = pyjwt(claims(paths=None))
passes("scope /live/a opens /live/a/...", scoped, "/live/a/index.m3u8", cfg="scoped")
case("scope /live/a does not open /live/ab/...", "scope", uri="/live/ab/index.m3u8", token=scoped, cfg="scoped")

# Query tokens: undecoded, once.
QUERY = pyjwt(claims(paths=None))
case("query: token", "pass", uri=MANIFEST, cfg="query", forwarded=MANIFEST,
     query=[["token", QUERY], ["aws.sessionId", "x"]])
case("query: token with an encoded dot", "malformed", cfg="query",
     query=[["token", QUERY.replace(".", "%2E", 1)]])
case("query: token given twice", "malformed", cfg="query", query=[["token", QUERY], ["token", QUERY]])
case("query: token given twice, the first empty", "malformed", cfg="query", query=[["token", ""], ["token", QUERY]])
case("query: manifest.token given twice", "malformed", uri="/v1/master/a/b/index.m3u8", cfg="query",
     query=[["manifest.token", QUERY], ["manifest.token", QUERY]])
case("query: an encoded parameter name is no token", "missing", cfg="query", query=[["tok%65n", QUERY]])
case("query: manifest.token starts a MediaTailor session", "pass", uri="/v1/master/a/b/index.m3u8",
     cfg="query", forwarded="/v1/master/a/b/index.m3u8", query=[["manifest.token", QUERY]])

# IP bindings.
v6 = "2001:db8::7"
passes("IPv6 written differently binds alike",
       pyjwt(claims(ip=True, headers=["user-agent"],
                    intsig=intsig(K1, ["2001:0db8:0000:0000:0000:0000:0000:0007", PLAYER]))),
       cfg="bound", ip="2001:0DB8:0:0:0:0:0:7")
case("another IP", "binding", token=pyjwt(claims(ip=True, headers=["user-agent"], intsig=intsig(K1, [IP, PLAYER]))),
     cfg="bound", ip="198.51.100.1")


def main():
    document = {"now": NOW, "configs": CONFIGS, "stores": STORES, "cases": CASES}
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    if len(sys.argv) > 1 and sys.argv[1] == "--stdout":
        sys.stdout.write(text)
    else:
        (Path(__file__).parent / "fixtures" / "token_vectors.json").write_text(text, encoding="utf-8")


main()
