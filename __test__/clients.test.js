'use strict';
// Several budgets in one process: createClient() gives clients bound to their own
// server, credential, dataDir and open budget, beside the module's default one.
// Also: opening a local copy offline, and budgets from another version of Actual.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Database = require('better-sqlite3');

const h = require('./helpers/harness.js');
const api = require('../index.js');

let first; // { server, budget }
let second;

test.before(async () => {
  const [a, b] = await Promise.all([h.startServer(), h.startServer()]);
  const [budgetA, budgetB] = await Promise.all([
    h.createBudget(a, { name: 'Budget A', accounts: [{ name: 'A checking', transactions: 40 }, { name: 'A savings', transactions: 5 }] }),
    h.createBudget(b, { name: 'Budget B', accounts: [{ name: 'B checking', transactions: 25 }] }),
  ]);
  first = { server: a, budget: budgetA };
  second = { server: b, budget: budgetB };
});

test.after(async () => {
  await api.shutdown();
  await first?.server.stop();
  await second?.server.stop();
});

async function names(client) {
  return (await client.getAccounts()).map((a) => a.name);
}

test('two clients on two servers with two credentials answer for their own budgets, concurrently', async () => {
  const a = await api.createClient({ dataDir: h.tempDir(), serverURL: first.server.url, password: first.server.password });
  const b = await api.createClient({ dataDir: h.tempDir(), serverURL: second.server.url, sessionToken: second.server.sessionToken });
  assert.ok(a instanceof api.Client && b instanceof api.Client);
  await Promise.all([a.downloadBudget(first.budget.syncId), b.downloadBudget(second.budget.syncId)]);

  const rounds = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? names(a) : names(b))));
  for (const [i, got] of rounds.entries()) {
    assert.deepEqual(got, i % 2 ? ['A checking', 'A savings'] : ['B checking']);
  }
  const [txA, txB] = await Promise.all([
    a.getTransactions((await a.getAccounts())[0].id, '1995-01-01', '2199-12-31'),
    b.getTransactions((await b.getAccounts())[0].id, '1995-01-01', '2199-12-31'),
  ]);
  assert.equal(txA.length, 40);
  assert.equal(txB.length, 25);

  // The module-level API is a third, independent client.
  await assert.rejects(api.getAccounts(), { code: 'not-initialized' });
  await api.init({ dataDir: h.tempDir(), serverURL: second.server.url, password: second.server.password });
  await api.downloadBudget(second.budget.syncId);
  assert.deepEqual(await names(api), ['B checking']);
  assert.deepEqual(await names(a), ['A checking', 'A savings']);

  // Shutting one down leaves the others open.
  await a.shutdown();
  await a.shutdown();
  await assert.rejects(a.getAccounts(), { code: 'not-initialized' });
  assert.deepEqual(await names(b), ['B checking']);
  await b.shutdown();
  assert.deepEqual(await names(api), ['B checking']);
  await api.shutdown();
});

test('two clients share one dataDir, each with its own open budget', async () => {
  const dataDir = h.tempDir();
  const a = await api.createClient({ dataDir, serverURL: first.server.url, password: first.server.password });
  const other = await h.createBudget(first.server, { name: 'Budget A2', accounts: [{ name: 'A2 only', transactions: 2 }] });
  const b = await api.createClient({ dataDir, serverURL: first.server.url, password: first.server.password });
  await Promise.all([a.downloadBudget(first.budget.syncId), b.downloadBudget(other.syncId)]);
  const [na, nb] = await Promise.all([names(a), names(b)]);
  assert.deepEqual(na, ['A checking', 'A savings']);
  assert.deepEqual(nb, ['A2 only']);
  await Promise.all([a.sync(), b.sync(), names(a), names(b)]);
  await Promise.all([a.shutdown(), b.shutdown()]);
  assert.deepEqual(fs.readdirSync(dataDir).sort(), [first.budget.id, other.id].sort(), 'no scratch folder left');
});

test('a local copy opens and reads offline: no serverURL, no credential, the server stopped', async () => {
  const dataDir = h.tempDir();
  const online = await api.createClient({ dataDir, serverURL: second.server.url, password: second.server.password });
  await online.downloadBudget(second.budget.syncId);
  const expected = await online.getAccounts();
  await online.shutdown();

  const offline = await api.createClient({ dataDir });
  await offline.loadBudget(second.budget.id);
  assert.deepEqual(await offline.getAccounts(), expected);
  assert.deepEqual(await offline.getServerVersion(), { error: 'no-server' });
  await assert.rejects(offline.downloadBudget(second.budget.syncId), { code: 'no-server' });
  await assert.rejects(offline.loadBudget('no-such-budget'), { name: 'BudgetNotFoundError', code: 'budget-not-found' });
  await offline.shutdown();
  await assert.rejects(api.createClient({ dataDir, token: 'act_x' }), { name: 'ConfigError', code: 'invalid-server-url' });
});

test('before a budget is open, reads reject as upstream does', async () => {
  const client = await api.createClient({ dataDir: h.tempDir(), serverURL: first.server.url, password: first.server.password });
  const err = await client.getAccounts().then(() => assert.fail('expected an error'), (e) => e);
  assert.ok(err instanceof api.APIError && err instanceof api.ConfigError);
  assert.equal(err.type, 'APIError');
  assert.equal(err.message, 'No budget file is open');
  assert.deepEqual(await client.getServerVersion(), { version: require('@actual-app/sync-server/package.json').version });
  await client.shutdown();
});

test('a budget from an older or newer Actual: migrated, tolerated, or a clear error', async () => {
  const dataDir = h.tempDir();
  const client = await api.createClient({ dataDir, serverURL: first.server.url, password: first.server.password });
  await client.downloadBudget(first.budget.syncId);
  const expected = await client.getAccounts();
  await client.closeBudget();
  const dbPath = path.join(dataDir, first.budget.id, 'db.sqlite');
  const edit = (sql) => {
    const db = new Database(dbPath);
    db.exec(sql);
    db.close();
  };
  const applied = () => {
    const db = new Database(dbPath, { readonly: true });
    const ids = db.prepare('SELECT id FROM __migrations__ ORDER BY id').all().map((r) => r.id);
    db.close();
    return ids;
  };
  const known = applied();

  // A newer release's additive migration (after the cutoff): read as it is.
  edit('INSERT INTO __migrations__ (id) VALUES (1999999999999)');
  await client.loadBudget(first.budget.id);
  assert.deepEqual(await client.getAccounts(), expected);
  await client.closeBudget();

  // An unknown one from before the cutoff: refused, nothing changed.
  edit('INSERT INTO __migrations__ (id) VALUES (1600000000000)');
  await assert.rejects(client.loadBudget(first.budget.id), { name: 'SyncError', code: 'out-of-sync-migrations' });
  assert.deepEqual(applied(), [...known, 1999999999999, 1600000000000].sort((a, b) => a - b));

  // As a budget last opened by 26.8 is: without 26.9's account groups migration. It is
  // migrated as it opens, and answers as before.
  edit(`DELETE FROM __migrations__ WHERE id IN (1999999999999, 1600000000000, 1787013118115);
        DROP TABLE account_groups; ALTER TABLE accounts DROP COLUMN account_group_id;`);
  await client.loadBudget(first.budget.id);
  assert.deepEqual(applied(), known);
  assert.deepEqual(await client.getAccounts(), expected);
  await client.shutdown();
});
