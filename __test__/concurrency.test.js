'use strict';
// Two processes downloading the same budget into the same dataDir at once: both
// finish or one fails cleanly, and the folder that remains opens in the real
// @actual-app/api with the right data.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');

let server;
let budget;

test.before(async () => {
  server = await h.startServer();
  budget = await h.createBudget(server, { name: 'Race Budget', accounts: [{ name: 'A', transactions: 1500 }] });
  await h.runWorker({ op: 'changeBudget', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId, newTransactions: 100 });
});

test.after(async () => {
  await server?.stop();
});

function download(dataDir) {
  return h.downloadInChild({ ...process.env, DIR: dataDir, URL: server.url, PW: server.password, SYNC_ID: budget.syncId });
}

test('two processes, same budget, same dataDir, at once: fresh downloads, then syncs of the copy', async () => {
  const dataDir = h.tempDir();
  fs.writeFileSync(path.join(dataDir, 'unrelated.txt'), 'stays');
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all([download(dataDir), download(dataDir)]);
    for (const r of results) {
      // Either it finished, or it failed with a clear typed error: never a crash.
      assert.ok(r.ok === budget.id || (typeof r.code === 'string' && r.code !== 'no-output'), JSON.stringify(r));
    }
    assert.ok(results.some((r) => r.ok === budget.id), `round ${round}: at least one finished: ${JSON.stringify(results)}`);
    assert.deepEqual(fs.readdirSync(dataDir).sort(), [budget.id, 'unrelated.txt'].sort(), 'no scratch folder left behind');
  }
  const [ours, theirs] = await Promise.all([
    h.runWorker({ op: 'openLocal', dataDir, budgetId: budget.id }),
    h.runWorker({ op: 'download', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId }),
  ]);
  assert.equal(ours.transactions.length, 1500 + 100 - 2, 'the changes after upload are in (100 added, 2 deleted)');
  assert.deepEqual(ours, theirs);
});
