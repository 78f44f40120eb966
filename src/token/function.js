// onair token check (viewer request, cloudfront-js-2.0). Generated: do not edit.
// The same rules as onair's Rust verifier (src/token/{verify,wire,path}.rs).
// function.rs minifies this file, tracking only '...' and "..." strings:
// regular expressions spell quotes as \x22 and \x27.
import cf from 'cloudfront';
import crypto from 'crypto';

const C = __CONFIG__;
const store = cf.kvs(C.storeId);
const MAX_TIME = 9007199254740991;
const MAX_PASS = 172800;
// A name with a stem (not starting with '.') and a known extension, lower-cased.
const MANIFEST = /^[^.].*\.(m3u8|mpd)$/;
const SEGMENT = /^[^.].*\.(ts|mp4|m4s|m4a|m4v|m4f|aac|ac3|ec3|mp3|vtt|webvtt|cmfv|cmfa|cmft|jpg|key)$/;
const PLAIN = /^[A-Za-z0-9_-]{1,64}$/;
const SCOPE = /^\/([A-Za-z0-9_~-][A-Za-z0-9_.~-]*(\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*\/?)?$/;

function own(o, k) {
  return Object.prototype.hasOwnProperty.call(o, k);
}

// Canonical base64url only: the bytes must re-encode to the same text.
function unb64(s) {
  const b = Buffer.from(s, 'base64url');
  if (b.toString('base64url') !== s) throw 0;
  return b.toString('utf8');
}

// Constant-time comparison of two strings of base64url.
function same(a, b) {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

function mac(key, data) {
  return crypto.createHmac('sha256', key).update(data).digest('base64url');
}

// A JSON object of the members in `allowed` (name -> kind), read strictly:
// a member twice, an unknown member, null, a float, an escape in a string or
// a value of the wrong kind throws. Kinds: 'int' (0..2^53-1), 'str', 'bool',
// 'strs' (a non-empty list of strings).
function strictJson(text, allowed) {
  let i = 0;
  const ws = () => { while (' \t\n\r'.indexOf(text[i]) >= 0 && i < text.length) i++; };
  const eat = (c) => { ws(); if (text[i] !== c) throw 0; i++; };
  // Strings hold no escapes and no control characters (both readers refuse them).
  const str = () => {
    ws();
    const m = /^\x22([^\x22\\\x00-\x1f]*)\x22/.exec(text.slice(i));
    if (!m) throw 0;
    i += m[0].length;
    return m[1];
  };
  const value = (kind) => {
    ws();
    if (kind === 'str') return str();
    if (kind === 'bool') {
      if (text.startsWith('true', i)) { i += 4; return true; }
      if (text.startsWith('false', i)) { i += 5; return false; }
      throw 0;
    }
    if (kind === 'int') {
      const m = /^(0|[1-9][0-9]{0,15})(?![0-9.eE])/.exec(text.slice(i));
      if (!m || Number(m[1]) > MAX_TIME) throw 0;
      i += m[1].length;
      return Number(m[1]);
    }
    eat('[');
    const list = [];
    ws();
    if (text[i] === ']') throw 0;
    for (;;) {
      list.push(str());
      ws();
      if (text[i] === ']') { i++; return list; }
      eat(',');
    }
  };
  const out = {};
  eat('{');
  ws();
  if (text[i] === '}') i++;
  else for (;;) {
    const name = str();
    if (!own(allowed, name) || own(out, name)) throw 0;
    eat(':');
    out[name] = value(allowed[name]);
    ws();
    if (text[i] === '}') { i++; break; }
    eat(',');
  }
  ws();
  if (i !== text.length) throw 0;
  return out;
}

function readHeader(part) {
  const h = strictJson(unb64(part), { alg: 'str', kid: 'str', typ: 'str' });
  if (h.alg !== 'HS256' || !PLAIN.test(h.kid || '') || (own(h, 'typ') && h.typ !== 'JWT')) throw 0;
  return h.kid;
}

function readClaims(part) {
  const c = strictJson(unb64(part), { exp: 'int', nbf: 'int', iat: 'int', paths: 'strs', ssn: 'str', ip: 'bool', headers: 'strs', intsig: 'str' });
  if (!own(c, 'exp')) throw 0;
  const paths = c.paths || [];
  if (paths.length > 20 || !paths.every((p) => p.length <= 256 && SCOPE.test(p))) throw 0;
  if (own(c, 'ssn') && !PLAIN.test(c.ssn)) throw 0;
  const names = c.headers || [];
  if (names.length > 11 || !names.every((h, k) => /^[a-z0-9-]{1,64}$/.test(h) && names.indexOf(h) === k)) throw 0;
  if (own(c, 'intsig') && !/^[A-Za-z0-9_-]{43}$/.test(c.intsig)) throw 0;
  return c;
}

// IPv6 fully expanded, as the token was minted (IPv4 unchanged).
function normIp(ip) {
  if (ip.indexOf(':') < 0) return ip;
  let s = ip.toLowerCase();
  const v4 = s.match(/^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) {
    const o = v4.slice(2).map(Number);
    s = v4[1] + ((o[0] << 8) | o[1]).toString(16) + ':' + ((o[2] << 8) | o[3]).toString(16);
  }
  const halves = s.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length > 1 ? 8 - head.length - tail.length : 0;
  const groups = head.concat(new Array(fill).fill('0'), tail);
  return groups.map((g) => ('0000' + g).slice(-4)).join(':');
}

function bound(values) {
  let out = 'onair-bind-v1\n';
  for (const v of values) out += Buffer.byteLength(v, 'utf8') + ':' + v;
  return out;
}

function isToken(s) {
  return /^([A-Za-z0-9_-]+\.)?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(s);
}

// The decoded path, or null when it cannot be judged (see src/token/path.rs).
function normalize(uri) {
  if (uri[0] !== '/') return null;
  let out = '';
  for (let i = 0; i < uri.length; i++) {
    let c = uri[i];
    if (c === '%') {
      const h = uri.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
      c = String.fromCharCode(parseInt(h, 16));
      if (!/[A-Za-z0-9._~-]/.test(c)) return null;
      i += 2;
    } else if (!/[A-Za-z0-9._~\/!$&\x27()*+,=:@-]/.test(c)) return null;
    out += c;
  }
  const segments = out.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s === '.' || s === '..' || (s === '' && i !== segments.length - 1)) return null;
  }
  return out;
}

function kindOfName(name) {
  const n = name.toLowerCase();
  return MANIFEST.test(n) ? 'manifest' : SEGMENT.test(n) ? 'segment' : 'unknown';
}

function kindOf(path) {
  const segments = path.split('/');
  const name = segments.pop();
  if (segments.some((d) => kindOfName(d) !== 'unknown')) return 'unknown';
  return kindOfName(name);
}

function protects(path) {
  const k = kindOf(path);
  return !((C.protect === 'manifests' && k === 'segment') || (C.protect === 'segments' && k === 'manifest'));
}

// Scopes match on segment boundaries: /live/a opens /live/a/..., not /live/ab.
function within(path, scope) {
  if (scope.endsWith('/')) return path.startsWith(scope);
  return path === scope || path.startsWith(scope + '/');
}

function inScopes(path, scopes) {
  return scopes.some((s) => within(path, s));
}

// `o.<kid>.<exp>.<channel>.<mac>`: an origin pass (MediaTailor reading the
// channel). The channel's name may hold dots; the mac, last, never does.
function originPass(s) {
  const m = s.match(/^o\.([A-Za-z0-9_-]{1,64})\.([0-9]{1,15})\.([a-z0-9.-]{1,253})\.([A-Za-z0-9_-]{43})$/);
  return m ? { kid: m[1], exp: Number(m[2]), channel: m[3], mac: m[4] } : null;
}

// A query parameter given more than once is ambiguous.
function repeated(q) {
  return !!(q && q.multiValue && q.multiValue.length > 1);
}

// Returns {uri} to forward, or {refuse: code}. `now` in seconds.
async function verify(request, ip, now) {
  let token = null;
  let uri = request.uri;
  if (uri[0] !== '/') return { refuse: 'unsafe-path' };
  const rest = uri.slice(1);
  const cut = rest.indexOf('/');
  const first = cut < 0 ? rest : rest.slice(0, cut);
  const pass = originPass(first);
  if (!pass && C.location === 'path' && isToken(first)) token = first;
  if (pass || token) uri = '/' + (cut < 0 ? '' : rest.slice(cut + 1));
  // Behind MediaTailor the path token is lost: players pass it as
  // manifest.<parameter>, which MediaTailor keeps (it needs it) and appends
  // as <parameter> to every URL it writes.
  const qs = request.querystring;
  const q = own(qs, C.queryParameter) ? qs[C.queryParameter] : null;
  const started = own(qs, 'manifest.' + C.queryParameter) ? qs['manifest.' + C.queryParameter] : null;
  if (repeated(q) || repeated(started)) return { refuse: 'malformed' };
  if (q) delete qs[C.queryParameter];
  if (!token && !pass) token = (q && q.value) || (started && started.value) || null;
  const path = normalize(uri);
  if (path === null) return { refuse: 'unsafe-path' };
  if (pass) return checkPass(pass, path, now);
  if (!protects(path)) return { uri: path };
  if (!token) return { refuse: 'missing' };
  if (!isToken(token)) return { refuse: 'malformed' };
  const parts = token.split('.');
  const prefix = parts.length === 4 ? parts.shift() : null;
  let kid, claims;
  try {
    kid = readHeader(parts[0]);
  } catch (e) {
    return { refuse: 'malformed' };
  }
  const key = await keyOf(kid);
  if (!key) return { refuse: 'unknown-key' };
  if (!same(mac(key, parts[0] + '.' + parts[1]), parts[2])) return { refuse: 'bad-signature' };
  try {
    claims = readClaims(parts[1]);
  } catch (e) {
    return { refuse: 'malformed' };
  }
  const leeway = C.notBeforeLeewaySeconds;
  if (claims.exp <= now) return { refuse: 'expired' };
  if (own(claims, 'nbf') && claims.nbf > now + leeway) return { refuse: 'not-yet-valid' };
  if (claims.exp > now + C.maxTtlSeconds + leeway) return { refuse: 'too-long' };
  const ssn = own(claims, 'ssn') ? claims.ssn : null;
  if (prefix !== ssn) return { refuse: 'session-mismatch' };
  if (C.pathScopes.length > 0 && !inScopes(path, C.pathScopes)) return { refuse: 'scope' };
  const paths = claims.paths || [];
  if (paths.length > 0 && !inScopes(path, paths)) return { refuse: 'path' };
  const names = claims.headers || [];
  if (C.requireIp && claims.ip !== true) return { refuse: 'unbound' };
  for (const h of C.requireHeaders) if (names.indexOf(h) < 0) return { refuse: 'unbound' };
  if (claims.ip === true || names.length > 0) {
    const values = claims.ip === true ? [normIp(ip)] : [];
    for (const h of names) {
      const v = own(request.headers, h) ? request.headers[h] : null;
      values.push(v && typeof v.value === 'string' ? v.value : '');
    }
    if (!same(mac(key, bound(values)), claims.intsig)) return { refuse: 'binding' };
  }
  if (C.revocationInStore && ssn !== null && (await revokedUntil(ssn)) > now) return { refuse: 'revoked' };
  return { uri: path };
}

async function keyOf(kid) {
  try {
    return Buffer.from(await store.get('k:' + kid), 'base64');
  } catch (e) {
    return null;
  }
}

async function checkPass(pass, path, now) {
  const key = await keyOf(pass.kid);
  if (!key) return { refuse: 'unknown-key' };
  if (!same(mac(key, 'onair-origin-pass-v2\n' + pass.channel + '\n' + String(pass.exp)), pass.mac)) return { refuse: 'bad-signature' };
  if (pass.exp <= now) return { refuse: 'expired' };
  if (pass.exp > now + MAX_PASS + C.notBeforeLeewaySeconds) return { refuse: 'too-long' };
  if (C.pathScopes.length > 0 && !inScopes(path, C.pathScopes)) return { refuse: 'scope' };
  const dirs = own(C.originScopes, pass.channel) ? C.originScopes[pass.channel] : [];
  if (kindOf(path) !== 'manifest' || !inScopes(path, dirs)) return { refuse: 'pass-scope' };
  return { uri: path };
}

// Revoked sessions map to the time their revocation ends (seconds).
async function revokedUntil(ssn) {
  try {
    return Number(await store.get('r:' + ssn));
  } catch (e) {
    return 0;
  }
}

async function handler(event) {
  const request = event.request;
  const result = await verify(request, event.viewer.ip, Math.floor(Date.now() / 1000));
  if (result.refuse) {
    return { statusCode: C.failureStatus, statusDescription: C.failureDescription };
  }
  request.uri = result.uri;
  return request;
}
