'use strict';
// Preload (`node --require`) that makes a program see this package as @actual-app/api,
// as `npm install` with an `overrides` entry mapping @actual-app/api to it would (the
// README's "Actual's CLI"), with the official engine nowhere to be found:
//   - require('@actual-app/api') resolves to our index.js, so our hand-over's look-up
//     finds itself and skips it (upstream.js); @actual-app/api-official is unresolvable
//     (without-upstream.js);
//   - `import '@actual-app/api'` (the official CLI is an ES module) resolves to our
//     index.mjs, as our package.json's `exports` map it, through a module-resolution
//     hook (api-is-ours-hooks.mjs), which Node runs for ESM only.
// With ACTUAL_TEST_LOADED_FILE set, the @actual-app modules the process loaded through
// require (there must be none) are written there as it exits.
const fs = require('node:fs');
const path = require('node:path');
const { register } = require('node:module');
const { pathToFileURL } = require('node:url');
const { BLOCKED, redirect } = require('./without-upstream.js');

const ROOT = path.resolve(__dirname, '..', '..');
redirect('@actual-app/api', path.join(ROOT, 'index.js'));

register('./api-is-ours-hooks.mjs', pathToFileURL(__filename), {
  data: { blocked: BLOCKED, redirects: { '@actual-app/api': pathToFileURL(path.join(ROOT, 'index.mjs')).href } },
});

if (process.env.ACTUAL_TEST_LOADED_FILE) {
  process.on('exit', () => {
    const loaded = Object.keys(require.cache).filter((file) => file.split(path.sep).includes('@actual-app'));
    fs.writeFileSync(process.env.ACTUAL_TEST_LOADED_FILE, JSON.stringify(loaded));
  });
}
