'use strict';
// Runs a list of calls with this package in its own process, with @actual-app/api made
// unreachable (resolving it fails as if it were not installed), as a script on a
// machine without the official client would:
//   node native-steps.js '<json args>' -> { answers, loaded } in args.resultFile
// args: { dataDir, serverURL, password, steps: [{ label, call, args }] }. `call` is an
// API function name, or 'readEverything' (read-calls.js). Each step's outcome is kept as
// { ok: value } or { error: { name, code, reason, message } }; a failing step does not
// stop the next. `loaded` lists the @actual-app modules the script loaded (none).
require('./without-upstream.js');
const fs = require('node:fs');
const path = require('node:path');

const api = require('../../index.js');

const args = JSON.parse(process.argv[2]);

function outcome(err) {
  return { error: { name: err && err.name, code: err && err.code, reason: err && err.reason, message: err && err.message } };
}

(async () => {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const answers = {};
  for (const step of args.steps) {
    try {
      const value =
        step.call === 'readEverything'
          ? await require('./read-calls.js').readEverything(api, { months: step.months })
          : await api[step.call](...(step.args || []));
      answers[step.label] = { ok: value === undefined ? null : value };
    } catch (err) {
      answers[step.label] = outcome(err);
    }
  }
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
