// Runs generated CloudFront Functions under node with only what the
// cloudfront-js-2.0 runtime offers: its `crypto` (HMAC and hashes), Buffer,
// and the key value store API (`cf.kvs(id).get / exists`). No require, no
// process, no network. Usage: node token_function_harness.js VECTORS.json
// VECTORS: {storeId, functions: {config: path}, stores: {name: {key: value}},
//           cases: [{name, config, store, now, ip, request}]}
'use strict';
const fs = require('fs');
const vm = require('vm');
const nodeCrypto = require('crypto');

const vectors = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const allowed = ["import cf from 'cloudfront';", "import crypto from 'crypto';"];

// The function may import exactly the two runtime modules, nothing else.
function load(path) {
  const source = fs.readFileSync(path, 'utf8');
  for (const line of source.match(/^import .*$/gm) || []) {
    if (!allowed.includes(line)) throw new Error('unexpected import: ' + line);
  }
  return source.replace(/^import .*$/gm, '') + '\n;({ verify, handler })';
}

function instantiate(code, store, now) {
  const kvs = (id) => {
    if (id !== vectors.storeId) throw new Error('unknown key value store ' + id);
    return {
      get: async (k) => {
        if (!(k in store)) throw new Error('key not found');
        return store[k];
      },
      exists: async (k) => k in store,
    };
  };
  const FixedDate = class extends Date {
    static now() {
      return now * 1000;
    }
  };
  const context = vm.createContext({
    cf: { kvs },
    crypto: { createHmac: (a, k) => nodeCrypto.createHmac(a, k), createHash: (a) => nodeCrypto.createHash(a) },
    Buffer,
    Date: FixedDate,
  });
  return new vm.Script(code).runInContext(context);
}

async function main() {
  const code = {};
  for (const [name, path] of Object.entries(vectors.functions)) code[name] = load(path);
  const results = [];
  for (const c of vectors.cases) {
    const fn = instantiate(code[c.config], vectors.stores[c.store], c.now);
    const copy = () => JSON.parse(JSON.stringify(c.request));
    const verdict = await fn.verify(copy(), c.ip, c.now);
    const response = await fn.handler({ request: copy(), viewer: { ip: c.ip } });
    results.push({
      name: c.name,
      verdict: verdict.refuse || 'pass',
      forwardedUri: verdict.uri || null,
      handlerStatus: response.statusCode || null,
      handlerUri: response.statusCode ? null : response.uri,
      handlerQuery: response.statusCode ? null : Object.keys(response.querystring || {}),
    });
  }
  process.stdout.write(JSON.stringify(results));
}
main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
