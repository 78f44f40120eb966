// The generated CloudFront Function as a server, for the edge_differential
// fuzz target: one JSON request a line on stdin, one JSON verdict a line on
// stdout, until stdin closes. The function runs under the same shim as
// tests/token_function_harness.js: only what the cloudfront-js-2.0 runtime
// offers (its `crypto`, Buffer, the key value store API), no require, no
// process, no network inside the function's context.
//
// Request: {id, source?, drop?, storeId, store, request, ip, now}
//   id      the function's id; `source` comes with an id's first request
//   drop    ids whose functions the caller will not send again
//   store   the key value store's entries ({"k:<kid>": base64, "r:<ssn>": until})
//   request the CloudFront event's request ({method, uri, querystring, headers})
// Answer: {verdict: "pass" | refusal code, uri, query: [names kept]} or
//         {error} when the function throws (CloudFront would answer 5xx).
'use strict';
const vm = require('vm');
const nodeCrypto = require('crypto');
const readline = require('readline');

const allowed = ["import cf from 'cloudfront';", "import crypto from 'crypto';"];

// What every function reads: set before each request.
let current = { storeId: null, store: {}, now: 0 };

// The function may import exactly the two runtime modules, nothing else.
function load(source) {
  for (const line of source.match(/^import .*$/gm) || []) {
    if (!allowed.includes(line)) throw new Error('unexpected import: ' + line);
  }
  return source.replace(/^import .*$/gm, '') + '\n;({ verify, handler })';
}

function instantiate(code) {
  const kvs = (id) => {
    if (id !== current.storeId) throw new Error('unknown key value store ' + id);
    return {
      get: async (k) => {
        if (!(k in current.store)) throw new Error('key not found');
        return current.store[k];
      },
      exists: async (k) => k in current.store,
    };
  };
  const FixedDate = class extends Date {
    static now() {
      return current.now * 1000;
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

const functions = new Map();

async function answer(message) {
  for (const id of message.drop || []) functions.delete(id);
  current = { storeId: message.storeId, store: message.store, now: message.now };
  if (message.source !== undefined) {
    // The store id is read when the function is loaded.
    functions.set(message.id, instantiate(load(message.source)));
  }
  const fn = functions.get(message.id);
  if (!fn) throw new Error('no function ' + message.id);
  const request = message.request;
  const verdict = await fn.verify(request, message.ip, message.now);
  return {
    verdict: verdict.refuse || 'pass',
    uri: verdict.refuse ? null : verdict.uri,
    query: verdict.refuse ? null : Object.keys(request.querystring || {}),
  };
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    let out;
    try {
      out = await answer(JSON.parse(line));
    } catch (e) {
      out = { error: String((e && e.stack) || e) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}
main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
