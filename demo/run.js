'use strict';
// The demo: start a real Actual server on 127.0.0.1, seed a budget with the official
// @actual-app/api, then sign in and download it with actual-api-native.
const fs = require('node:fs');
const path = require('node:path');

const h = require('../__test__/helpers/harness.js');
const api = require('..');

async function main() {
  const server = await h.startServer();
  try {
    console.log(`Started a real Actual server (@actual-app/sync-server) at ${server.url}`);
    const seeded = await h.createBudget(server, {
      name: 'Demo Budget',
      accounts: [
        { name: 'Checking', transactions: 300, balance: 250000 },
        { name: 'Savings', transactions: 20, balance: 1000000 },
      ],
    });
    console.log(`Seeded "Demo Budget" with @actual-app/api (sync id ${seeded.syncId})`);

    const dataDir = path.resolve('demo-data');
    fs.rmSync(dataDir, { recursive: true, force: true });
    const started = process.hrtime.bigint();
    await api.init({ dataDir, serverURL: server.url, password: server.password });
    const budget = await api.downloadBudget(seeded.syncId);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    await api.shutdown();

    console.log(`\nactual-api-native signed in and downloaded it in ${ms.toFixed(0)} ms:`);
    console.log(budget);
    for (const file of fs.readdirSync(budget.path)) {
      console.log(`  ${file.padEnd(14)} ${fs.statSync(path.join(budget.path, file)).size} bytes`);
    }

    const view = await h.runWorker({ op: 'openLocal', dataDir, budgetId: budget.id });
    console.log(`\nThe official @actual-app/api opens that folder offline and reads:`);
    for (const account of view.accounts) {
      const count = view.transactions.filter((t) => t.account === account.id).length;
      console.log(`  ${account.name}: ${count} transactions`);
    }
    console.log(`\nThe budget is in ${budget.path}. Next: see README.md for init({ token }) and the error classes.`);
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
