'use strict';
// Runs a task with this package in its own process, as a script would: node
// native-run.js '<json args>' -> its answers in args.resultFile, with the @actual-app
// modules the script loaded (there must be none). args.task: 'reads' (every read,
// read-calls.js), 'script' (the bank-import script, write-script.js), 'merge'
// (merge-script.js), 'schedules' or 'scheduleUpdates' (schedule-script.js), 'exportZip'
// or 'importAndRead' (exportBudget, importBudget), or 'runImport' (import-script.js: no
// budget is downloaded first).
const fs = require('node:fs');
const path = require('node:path');

const args = JSON.parse(process.argv[2]);
if (args.task === 'runImport') require('./without-upstream.js');
const api = require('../../index.js');

const tasks = {
  reads: () => require('./read-calls.js').readEverything(api, { months: args.months }),
  script: () => require('./write-script.js').bankImport(api),
  merge: () => require('./merge-script.js').mergeAndSet(api, api),
  schedules: () => require('./schedule-script.js').scheduleWrites(api),
  scheduleUpdates: () => require('./schedule-script.js').scheduleUpdates(api),
  exportZip: async () => fs.writeFileSync(args.zipPath, await api.exportBudget()),
  importAndRead: () => require('./read-calls.js').importedAndRead(api, args),
  runImport: () => require('./import-script.js').importAndInspect(api, args),
};

(async () => {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  if (args.task !== 'runImport') await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const answers = await tasks[args.task]();
  await api.shutdown();
  const loaded = Object.keys(require.cache).filter((file) => file.split(path.sep).includes('@actual-app'));
  fs.writeFileSync(args.resultFile, JSON.stringify({ answers, loaded }));
})().catch((err) => {
  fs.writeFileSync(args.resultFile, JSON.stringify({ failed: { code: err.code, message: err.message, stack: err.stack } }));
  process.exitCode = 1;
});
