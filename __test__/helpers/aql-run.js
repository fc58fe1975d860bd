'use strict';
// Runs the ActualQL corpus (aql-corpus.js) in its own process, as a script would:
//   node aql-run.js '<json args>' -> { answers, loaded } in args.resultFile
// args.today: the day the corpus's dates are relative to (YYYY-MM-DD).
// args.engine: 'upstream' (the real @actual-app/api), 'native' (this package with
// @actual-app/api unresolvable, as on a machine without it) or 'drop-in' (this package
// with the official engine installed beside it, which it must never load). Each query's
// outcome is { ok: { data, dependencies } } or { error: { name, code, message } };
// `loaded` lists the @actual-app modules the process loaded.
const fs = require('node:fs');
const path = require('node:path');

const args = JSON.parse(process.argv[2]);

if (args.engine === 'native') require('./without-upstream.js');
if (args.engine === 'upstream') {
  for (const method of ['log', 'info', 'debug']) console[method] = () => {};
}

const api = args.engine === 'upstream' ? require('@actual-app/api') : require('../../index.js');
const { corpus } = require('./aql-corpus.js');

(async () => {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, args.encryptPassword ? { password: args.encryptPassword } : undefined);
  const answers = {};
  for (const [label, query] of corpus(api.q, args.today)) {
    try {
      answers[label] = { ok: await api.aqlQuery(query) };
    } catch (err) {
      answers[label] = { error: { name: err && err.name, code: err && err.code, message: err && err.message } };
    }
  }
  // The deprecated name runs the same query.
  const [, first] = corpus(api.q, args.today)[0];
  answers['runQuery'] = { ok: await api.runQuery(first) };
  await api.shutdown();
  const loaded = Object.keys(require.cache).filter((file) => file.split(path.sep).includes('@actual-app'));
  fs.writeFileSync(args.resultFile, JSON.stringify({ answers, loaded }));
})().catch((err) => {
  fs.writeFileSync(args.resultFile, JSON.stringify({ failed: { code: err.code, message: err.message, stack: err.stack } }));
  process.exitCode = 1;
});
