// Runs generated CloudFront Functions under node with only what the
// cloudfront-js-2.0 runtime offers (cloudfront_runtime.js). Usage: node token_function_harness.js VECTORS.json
// VECTORS: {storeId, functions: {config: path}, stores: {name: {key: value}},
//           cases: [{name, config, store, now, ip, request}]}
'use strict';
const fs = require('fs');
const { load, instantiate } = require('./cloudfront_runtime.js');

const vectors = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

async function main() {
  const code = {};
  for (const [name, path] of Object.entries(vectors.functions)) code[name] = load(fs.readFileSync(path, 'utf8'));
  const results = [];
  for (const c of vectors.cases) {
    const env = { storeId: vectors.storeId, store: vectors.stores[c.store], now: c.now };
    const fn = instantiate(code[c.config], () => env);
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
