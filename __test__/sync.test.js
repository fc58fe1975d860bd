'use strict';
// Native sync: a downloaded budget is current, table for table identical to what the
// real @actual-app/api produces, and the real client can sync on from our copy.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');
const { syncRequest } = require('./helpers/protobuf.js');
const api = require('../index.js');
const Database = require('better-sqlite3');

const ENCRYPTION_PASSWORD = 'sync-enc-' + Math.random().toString(36).slice(2);

let server;
let plain;
let encrypted;

test.before(async () => {
  server = await h.startServer();
  [plain, encrypted] = await Promise.all([
    h.createBudget(server, { name: 'Sync Plain', accounts: [{ name: 'Checking', transactions: 2000 }, { name: 'Cards', transactions: 500 }] }),
    h.createBudget(server, { name: 'Sync Encrypted', accounts: [{ name: 'Wallet', transactions: 1000 }], encryptPassword: ENCRYPTION_PASSWORD }),
  ]);
  // Changes after the last upload reach the server only as sync messages.
  await Promise.all([
    changeOnServer(plain, { newTransactions: 200, edits: 20, deletes: 10 }),
    changeOnServer(encrypted, { newTransactions: 100, edits: 10, deletes: 5, encryptPassword: ENCRYPTION_PASSWORD }),
  ]);
});

test.after(async () => {
  await api.shutdown();
  await server?.stop();
});

function changeOnServer(budget, options) {
  return h.runWorker({ op: 'changeBudget', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId, ...options });
}

async function downloadOurs(budget, dataDir = h.tempDir(), encryptPassword) {
  await api.init({ dataDir, serverURL: server.url, password: server.password });
  const result = await api.downloadBudget(budget.syncId, { password: encryptPassword });
  await api.shutdown();
  return { dataDir, result, dbPath: path.join(result.path, 'db.sqlite') };
}

async function downloadTheirs(budget, encryptPassword) {
  const dataDir = h.tempDir();
  const view = await h.runWorker({ op: 'download', dataDir, serverURL: server.url, password: server.password, syncId: budget.syncId, encryptPassword });
  return { view, dbPath: path.join(dataDir, budget.id, 'db.sqlite') };
}

function assertSameTables(oursPath, theirsPath) {
  const ours = h.dumpBudgetDb(oursPath);
  const theirs = h.dumpBudgetDb(theirsPath);
  assert.deepEqual(Object.keys(ours), Object.keys(theirs));
  for (const table of Object.keys(theirs)) {
    assert.deepEqual(ours[table], theirs[table], `table ${table} differs`);
  }
  return ours;
}

function clockNode(dbPath) {
  const Database = require('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  try {
    return JSON.parse(db.prepare('SELECT clock FROM messages_clock').get().clock).timestamp.slice(-16);
  } finally {
    db.close();
  }
}

for (const [label, pick, pw] of [
  ['plain', () => plain, undefined],
  ['encrypted', () => encrypted, ENCRYPTION_PASSWORD],
]) {
  test(`${label}: a budget changed after upload downloads current and table-identical to the real client's`, async () => {
    const budget = pick();
    const ours = await downloadOurs(budget, h.tempDir(), pw);
    const theirs = await downloadTheirs(budget, pw);
    const tables = assertSameTables(ours.dbPath, theirs.dbPath);
    assert.ok(tables.messages_crdt.length > 100, 'the snapshot was behind: messages were applied');
    const meta = JSON.parse(fs.readFileSync(path.join(ours.result.path, 'metadata.json'), 'utf8'));
    assert.equal(meta.resetClock, false);
    assert.match(meta.lastSyncedTimestamp, /^\d{4}-\d{2}-\d{2}T.*Z-[0-9A-F]{4}-[0-9a-f]{16}$/);
    assert.match(meta.userId, /^[0-9a-f-]{36}$/, 'userId holds the owner id, never a token');
    assert.notEqual(meta.userId, server.sessionToken);
    assert.deepEqual(h.filesContaining(ours.dataDir, [server.password, server.sessionToken, ENCRYPTION_PASSWORD]), []);

    // The real client opens our copy, syncs on from it, and reads what its own copy reads.
    const synced = await h.runWorker({ op: 'syncLocal', dataDir: ours.dataDir, serverURL: server.url, password: server.password, syncId: budget.syncId, budgetId: budget.id, encryptPassword: pw });
    assert.deepEqual(synced.accounts, theirs.view.accounts);
    assert.deepEqual(synced.transactions, theirs.view.transactions);
    assert.ok(synced.accounts.some((a) => a.name.endsWith('renamed')), 'the rename arrived');
    assert.deepEqual(h.filesContaining(ours.dataDir, [server.sessionToken]), [], 'the official client did not write its token into our copy');
  });
}

test('a second downloadBudget only syncs the local copy and picks up later changes', async () => {
  const ours = await downloadOurs(plain);
  const nodeBefore = clockNode(ours.dbPath);
  fs.writeFileSync(path.join(ours.result.path, 'kept.txt'), 'x');
  await changeOnServer(plain, { newTransactions: 30, edits: 4, deletes: 2 });
  await downloadOurs(plain, ours.dataDir);
  assert.equal(clockNode(ours.dbPath), nodeBefore, 'the copy was synced in place, not downloaded afresh');
  assert.equal(fs.readFileSync(path.join(ours.result.path, 'kept.txt'), 'utf8'), 'x');
  const theirs = await downloadTheirs(plain);
  assertSameTables(ours.dbPath, theirs.dbPath);
  assert.deepEqual(fs.readdirSync(ours.dataDir), [plain.id], 'no scratch folder left behind');
});

test('a message for a column the snapshot lacks is kept for a newer version, and the rest of the sync applies', async () => {
  const budget = await h.createBudget(server, { name: 'Schema Budget', accounts: [{ name: 'A', transactions: 5 }] });
  const ours = await downloadOurs(budget);

  // A newer client's messages, posted to the real server as any client would: one for a
  // column 26.9 does not have, one for a cell it has.
  const stamp = (ms) => `${new Date(Date.now() + ms).toISOString()}-0000-abcdef0123456789`;
  const [future, known] = [stamp(1000), stamp(2000)];
  const accountId = new Database(ours.dbPath, { readonly: true }).prepare('SELECT id FROM accounts LIMIT 1').pluck().get();
  const body = syncRequest({
    fileId: budget.cloudFileId,
    groupId: budget.syncId,
    since: '1970-01-01T00:00:00.000Z-0000-0000000000000000',
    messages: [
      { timestamp: future, dataset: 'accounts', row: accountId, column: 'column_from_the_future', value: 'S:x' },
      { timestamp: known, dataset: 'accounts', row: accountId, column: 'name', value: 'S:Renamed by a newer client' },
    ],
  });
  const res = await fetch(`${server.url}/sync/sync`, { method: 'POST', headers: { 'content-type': 'application/actual-sync', 'x-actual-token': server.sessionToken }, body });
  assert.equal(res.status, 200);

  const check = (dbPath) => {
    const db = new Database(dbPath, { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT dataset, row, column, timestamp, value FROM messages_pending').all(), [
        { dataset: 'accounts', row: accountId, column: 'column_from_the_future', timestamp: future, value: 'S:x' },
      ]);
      assert.equal(db.prepare('SELECT count(*) FROM messages_crdt WHERE timestamp IN (?, ?)').pluck().get(future, known), 2);
      assert.ok(!db.prepare('PRAGMA table_info(accounts)').all().some((c) => c.name === 'column_from_the_future'));
    } finally {
      db.close();
    }
  };
  // Synced in place, and downloaded afresh: the same outcome.
  await api.init({ dataDir: ours.dataDir, serverURL: server.url, password: server.password });
  await api.downloadBudget(budget.syncId);
  assert.equal((await api.getAccounts()).find((a) => a.id === accountId).name, 'Renamed by a newer client');
  await api.sync();
  check(ours.dbPath);
  const fresh = h.tempDir();
  await api.init({ dataDir: fresh, serverURL: server.url, password: server.password });
  const again = await api.downloadBudget(budget.syncId);
  assert.equal((await api.getAccounts()).find((a) => a.id === accountId).name, 'Renamed by a newer client');
  await api.shutdown();
  check(path.join(again.path, 'db.sqlite'));
});

test('after the owner turns on encryption (a sync reset), the new sync id replaces the old copy', async () => {
  const budget = await h.createBudget(server, { name: 'Reset Budget', accounts: [{ name: 'R', transactions: 50 }] });
  const ours = await downloadOurs(budget);
  const { syncId: newSyncId } = await h.runWorker({ op: 'enableEncryption', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId, encryptPassword: ENCRYPTION_PASSWORD });
  assert.notEqual(newSyncId, budget.syncId);

  // The old sync id is gone from the server.
  await api.init({ dataDir: ours.dataDir, serverURL: server.url, password: server.password });
  await assert.rejects(api.downloadBudget(budget.syncId, { password: ENCRYPTION_PASSWORD }), { code: 'budget-not-found' });
  // The new one needs the key, then replaces the folder (same budget id) in one step.
  await assert.rejects(api.downloadBudget(newSyncId), { code: 'missing-key' });
  const result = await api.downloadBudget(newSyncId, { password: ENCRYPTION_PASSWORD });
  await api.shutdown();
  assert.equal(result.id, budget.id);
  assert.deepEqual(fs.readdirSync(ours.dataDir), [budget.id]);
  const meta = JSON.parse(fs.readFileSync(path.join(result.path, 'metadata.json'), 'utf8'));
  assert.equal(meta.groupId, newSyncId);
  assert.equal(typeof meta.encryptKeyId, 'string');
  const theirs = await downloadTheirs({ ...budget, syncId: newSyncId }, ENCRYPTION_PASSWORD);
  assertSameTables(ours.dbPath, theirs.dbPath);
});
