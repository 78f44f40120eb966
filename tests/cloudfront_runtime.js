// The cloudfront-js-2.0 runtime, as far as onair's generated function uses
// it, for node: its `crypto` (HMAC and hashes), Buffer, and the key value
// store API (`cf.kvs(id).get / exists`). No require, no process, no network
// inside the function's context. Shared by tests/token_function_harness.js
// and fuzz/edge_server.js.
'use strict';
const vm = require('vm');
const nodeCrypto = require('crypto');

const allowed = ["import cf from 'cloudfront';", "import crypto from 'crypto';"];

// The function's source ready to run: it may import exactly the two runtime
// modules, nothing else; evaluating it yields { verify, handler }.
function load(source) {
  for (const line of source.match(/^import .*$/gm) || []) {
    if (!allowed.includes(line)) throw new Error('unexpected import: ' + line);
  }
  return source.replace(/^import .*$/gm, '') + '\n;({ verify, handler })';
}

// Runs loaded code in a fresh context. `env()` answers {storeId, store, now}
// whenever the function reads its store or the clock, so one instance can
// serve many requests.
function instantiate(code, env) {
  const kvs = (id) => {
    if (id !== env().storeId) throw new Error('unknown key value store ' + id);
    return {
      get: async (k) => {
        const store = env().store;
        if (!(k in store)) throw new Error('key not found');
        return store[k];
      },
      exists: async (k) => k in env().store,
    };
  };
  const FixedDate = class extends Date {
    static now() {
      return env().now * 1000;
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

module.exports = { load, instantiate };
