// The generated CloudFront Function as a server, for the edge_differential
// fuzz target: one JSON request a line on stdin, one JSON verdict a line on
// stdout, until stdin closes. The function runs under the same shim as
// tests/token_function_harness.js (tests/cloudfront_runtime.js).
//
// Request: {id, source?, drop?, storeId, store, request, ip, now}
//   id      the function's id; `source` comes with an id's first request
//   drop    ids whose functions the caller will not send again
//   store   the key value store's entries ({"k:<kid>": base64, "r:<ssn>": until})
//   request the CloudFront event's request ({method, uri, querystring, headers})
// Answer: {verdict: "pass" | refusal code, uri, query: [names kept]} or
//         {error} when the function throws (CloudFront would answer 5xx).
'use strict';
const path = require('path');
const readline = require('readline');
const { load, instantiate } = require(path.join(__dirname, '..', 'tests', 'cloudfront_runtime.js'));

// What every function reads: set before each request.
let current = { storeId: null, store: {}, now: 0 };

const functions = new Map();

async function answer(message) {
  for (const id of message.drop || []) functions.delete(id);
  current = { storeId: message.storeId, store: message.store, now: message.now };
  if (message.source !== undefined) {
    // The store id is read when the function is loaded.
    functions.set(message.id, instantiate(load(message.source), () => current));
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
