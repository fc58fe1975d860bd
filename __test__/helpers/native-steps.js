'use strict';
// Runs a list of calls with this package in its own process, with @actual-app/api made
// unreachable (resolving it fails as if it were not installed), as a script on a
// machine without the official client would:
//   node native-steps.js '<json args>' -> { answers, loaded } in args.resultFile
// args: { dataDir, serverURL, password, steps: [{ label, call, args }] } (steps.js says
// what a step is and how its outcome is kept). `loaded` lists the @actual-app modules
// the script loaded (none).
require('./without-upstream.js');
const fs = require('node:fs');
const path = require('node:path');

const api = require('../../index.js');
const { runSteps, outcome } = require('./steps.js');

const args = JSON.parse(process.argv[2]);

(async () => {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const answers = await runSteps(api, args.steps);
  try {
    await api.shutdown();
    answers.shutdown = { ok: null };
  } catch (err) {
    answers.shutdown = outcome(err);
  }
  const loaded = Object.keys(require.cache).filter((file) => file.split(path.sep).includes('@actual-app'));
  fs.writeFileSync(args.resultFile, JSON.stringify({ answers, loaded }));
})().catch((err) => {
  fs.writeFileSync(args.resultFile, JSON.stringify({ failed: { code: err.code, message: err.message, stack: err.stack } }));
  process.exitCode = 1;
});
