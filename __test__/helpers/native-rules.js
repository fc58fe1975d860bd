'use strict';
// Downloads a budget with this package and runs transactions through the native rules
// engine with the test-only binding (napi/rules_testing.rs), in its own process:
// node native-rules.js '<json args>' -> { answers } in args.resultFile. The binding is
// in the test build of the addon only (`npm run build:test-rules`), never in binding.js.
const fs = require('node:fs');
const path = require('node:path');
const api = require('../../index.js');

const binding = require('./test-build.js');

const args = JSON.parse(process.argv[2]);

(async () => {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const budget = await api.downloadBudget(args.syncId);
  await api.shutdown();
  const answers = JSON.parse(binding.testOnlyRunRules(path.join(budget.path, 'db.sqlite'), JSON.stringify(args.transactions)));
  fs.writeFileSync(args.resultFile, JSON.stringify({ answers }));
})().catch((err) => {
  fs.writeFileSync(args.resultFile, JSON.stringify({ failed: { code: err.code, message: err.message, stack: err.stack } }));
  process.exitCode = 1;
});
