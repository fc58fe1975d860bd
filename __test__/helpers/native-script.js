'use strict';
// Runs the bank-import script (write-script.js) with this package in its own process:
// node native-script.js '<json args>' -> what the steps answered, in args.resultFile,
// with the @actual-app modules the script loaded (there must be none).
const fs = require('node:fs');
const path = require('node:path');
const api = require('../../index.js');
const { bankImport } = require('./write-script.js');

const args = JSON.parse(process.argv[2]);

(async () => {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const answers = await bankImport(api);
  await api.shutdown();
  const loaded = Object.keys(require.cache).filter((file) => file.split(path.sep).includes('@actual-app'));
  fs.writeFileSync(args.resultFile, JSON.stringify({ answers, loaded }));
})().catch((err) => {
  fs.writeFileSync(args.resultFile, JSON.stringify({ failed: { code: err.code, message: err.message, stack: err.stack } }));
  process.exitCode = 1;
});
