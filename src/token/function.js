// onair token check (viewer request, cloudfront-js-2.0). Generated: do not edit.
import cf from 'cloudfront';
import crypto from 'crypto';

const C = __CONFIG__;
const store = cf.kvs(C.storeId);

function b64url(s) {
  return Buffer.from(s, 'base64url').toString('utf8');
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

function protects(uri) {
  const manifest = uri.endsWith('.m3u8') || uri.endsWith('.mpd');
  return C.protect === 'manifests' ? manifest : C.protect === 'segments' ? !manifest : true;
}

// Prefix checks are only sound on a normal path: `/a/../b` starts with `/a/`.
function safePath(uri) {
  const lower = uri.toLowerCase();
  if (lower.indexOf('%2e') >= 0 || lower.indexOf('%2f') >= 0 || lower.indexOf('%5c') >= 0) return false;
  if (uri.indexOf('\\') >= 0) return false;
  const segments = uri.replace(/^\//, '').split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s === '.' || s === '..' || (s === '' && i !== segments.length - 1)) return false;
  }
  return true;
}

function starts(uri, prefixes) {
  return prefixes.some((p) => typeof p === 'string' && uri.startsWith(p));
}

// `o.<kid>.<mac>`: an origin pass (MediaTailor reading the channel).
function originPass(s) {
  const m = s.match(/^o\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/);
  return m ? { kid: m[1], mac: m[2] } : null;
}

// Returns {uri} to forward, or {refuse: code}. `now` in seconds.
async function verify(request, ip, now) {
  let token = null;
  let pass = null;
  let uri = request.uri;
  const rest = uri.slice(1);
  const cut = rest.indexOf('/');
  const first = cut < 0 ? rest : rest.slice(0, cut);
  pass = originPass(first);
  if (!pass && C.location === 'path' && isToken(first)) token = first;
  if (pass || token) uri = '/' + (cut < 0 ? '' : rest.slice(cut + 1));
  // Behind MediaTailor the path token is lost: players pass it as
  // manifest.<parameter>, which MediaTailor keeps (it needs it) and appends
  // as <parameter> to every URL it writes.
  const q = request.querystring[C.queryParameter];
  if (q) delete request.querystring[C.queryParameter];
  const started = request.querystring['manifest.' + C.queryParameter];
  if (!token && !pass) token = (q && q.value) || (started && started.value) || null;
  if (!safePath(uri)) return { refuse: 'unsafe-path' };
  if (pass) return checkPass(pass, uri);
  if (!protects(uri)) return { uri };
  if (!token) return { refuse: 'missing' };
  const parts = token.split('.');
  let prefix = null;
  if (parts.length === 4) prefix = parts.shift();
  if (parts.length !== 3) return { refuse: 'malformed' };
  let header, claims;
  try {
    header = JSON.parse(b64url(parts[0]));
    claims = JSON.parse(b64url(parts[1]));
  } catch (e) {
    return { refuse: 'malformed' };
  }
  if (!header || header.alg !== 'HS256' || typeof header.kid !== 'string') return { refuse: 'malformed' };
  if (!claims || typeof claims.exp !== 'number') return { refuse: 'malformed' };
  const key = await keyOf(header.kid);
  if (!key) return { refuse: 'unknown-key' };
  if (!same(mac(key, parts[0] + '.' + parts[1]), parts[2])) return { refuse: 'bad-signature' };
  if (claims.exp <= now) return { refuse: 'expired' };
  if (typeof claims.nbf === 'number' && claims.nbf > now + C.notBeforeLeewaySeconds) return { refuse: 'not-yet-valid' };
  if (claims.exp > now + C.maxTtlSeconds + C.notBeforeLeewaySeconds) return { refuse: 'too-long' };
  const ssn = typeof claims.ssn === 'string' ? claims.ssn : null;
  if (prefix !== ssn) return { refuse: 'session-mismatch' };
  if (C.pathScopes.length > 0 && !starts(uri, C.pathScopes)) return { refuse: 'scope' };
  const paths = Array.isArray(claims.paths) ? claims.paths : [];
  if (paths.length > 0 && !starts(uri, paths)) return { refuse: 'path' };
  const names = Array.isArray(claims.headers) ? claims.headers : [];
  if (C.requireIp && claims.ip !== true) return { refuse: 'unbound' };
  for (const h of C.requireHeaders) if (names.indexOf(h) < 0) return { refuse: 'unbound' };
  if (claims.ip === true || names.length > 0) {
    const values = claims.ip === true ? [normIp(ip)] : [];
    for (const h of names) {
      const v = request.headers[h];
      values.push(v && typeof v.value === 'string' ? v.value : '');
    }
    if (!same(mac(key, bound(values)), claims.intsig)) return { refuse: 'binding' };
  }
  if (C.revocationInStore && ssn !== null && (await revokedUntil(ssn)) > now) return { refuse: 'revoked' };
  return { uri };
}

async function keyOf(kid) {
  try {
    return Buffer.from(await store.get('k:' + kid), 'base64');
  } catch (e) {
    return null;
  }
}

async function checkPass(pass, uri) {
  const key = await keyOf(pass.kid);
  if (!key) return { refuse: 'unknown-key' };
  if (!same(mac(key, 'onair-origin-pass-v1'), pass.mac)) return { refuse: 'bad-signature' };
  if (!(uri.endsWith('.m3u8') || uri.endsWith('.mpd'))) return { refuse: 'pass-scope' };
  return { uri };
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
