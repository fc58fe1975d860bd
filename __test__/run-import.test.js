'use strict';
// runImport against the oracle: one script (helpers/import-script.js) builds a budget
// with runImport through @actual-app/api and through this package (the official engine
// unresolvable), each on its own server. The real client downloads both uploads and
// reads them the same (ids mapped to names); the local folders hold the same rows and
// no CRDT messages; metadata.json and getBudgets() agree; a write after the import
// reaches the server once; a callback that throws leaves no budget and its error.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');
const { readBack, differences, report } = require('./helpers/twins.js');

let theirsServer;
let oursServer;

test.before(async () => {
  [theirsServer, oursServer] = await Promise.all([h.startServer(), h.startServer()]);
});

test.after(async () => {
  await Promise.all([theirsServer?.stop(), oursServer?.stop()]);
});

// The messages a server holds for a budget (its group's messages_binary).
function serverMessages(server, groupId) {
  const Database = require('better-sqlite3');
  const file = path.join(server.dataDir, 'user-files', `group-${groupId}.sqlite`);
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS n FROM messages_binary').get().n;
  } finally {
    db.close();
  }
}

// What differs between two imports by nature: the new ids, the server file, and what
// only the official client writes (its session token as userId, its schedule run).
function comparableMeta({ id, cloudFileId, groupId, userId, lastScheduleRun, lastSyncedTimestamp, ...meta }) {
  assert.equal(typeof cloudFileId, 'string', 'uploaded');
  assert.equal(typeof groupId, 'string', 'uploaded');
  return meta;
}

// Ids quoted inside text (an error's expression stack) named by the callback's names.
function namingIds(value, ids) {
  if (typeof value === 'string') return Object.entries(ids).reduce((text, [name, id]) => text.split(id).join(`<${name}>`), value);
  if (Array.isArray(value)) return value.map((v) => namingIds(v, ids));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, namingIds(v, ids)]));
  return value;
}

test('runImport builds, stores and uploads the budget upstream builds', async () => {
  const [theirs, oursRun] = await Promise.all([
    h.runWorker({ op: 'runImport', dataDir: h.tempDir(), serverURL: theirsServer.url, password: theirsServer.password }),
    h.runNative('native-run.js', { task: 'runImport', serverURL: oursServer.url, password: oursServer.password }),
  ]);
  assert.deepEqual(oursRun.loaded, [], 'nothing from @actual-app was loaded');
  const ours = oursRun.answers;

  assert.match(theirs.id, /^Imported-Budget-[0-9a-f]{7}$/);
  assert.match(ours.id, /^Imported-Budget-[0-9a-f]{7}$/);
  assert.deepStrictEqual(ours.built, theirs.built, 'the callback saw the same answers');
  assert.equal(theirs.built.added, 3, 'the import added its new transactions');

  // The local folder: the same rows, no CRDT messages, an empty merkle trie.
  assert.equal(theirs.db.rows.messages_crdt, 0);
  assert.ok(theirs.db.rows.transactions >= 12 && theirs.db.rows.rules === 1, 'the callback built the budget');
  assert.deepStrictEqual(ours.db, theirs.db);
  assert.deepStrictEqual(comparableMeta(ours.meta), comparableMeta(theirs.meta));
  assert.equal(ours.meta.id, ours.id);
  // Each server has its own user id.
  const entry = ({ id, cloudFileId, groupId, owner, usersWithAccess, ...rest }) => ({
    ...rest,
    ...(usersWithAccess && { usersWithAccess: usersWithAccess.map(({ userId, ...user }) => user) }),
  });
  assert.deepStrictEqual(ours.budgets.map(entry), theirs.budgets.map(entry));
  assert.ok(ours.budgets.some((b) => b.id === ours.id && b.groupId === ours.meta.groupId), 'listed as the local copy of the new file');

  // A callback that throws: its own error, no folder, no server file.
  assert.deepStrictEqual(theirs.failed, { same: true, message: 'the callback failed' });
  assert.deepStrictEqual(ours.failed, theirs.failed);
  assert.deepStrictEqual([theirs.leftBehind, theirs.brokenListed], [[], 0]);
  assert.deepStrictEqual([ours.leftBehind, ours.brokenListed], [[], 0]);

  // What the real client reads of each upload, the write made after the import included.
  const [theirsRead, oursRead] = (
    await Promise.all([readBack(theirsServer, { syncId: theirs.meta.groupId }), readBack(oursServer, { syncId: ours.meta.groupId })])
  ).map((read, i) => namingIds(read, [theirs, ours][i].ids));
  assert.ok(Object.keys(theirsRead).length > 20, 'the reads ran');
  assert.ok(theirsRead['getPayees()'].some((p) => p.name === 'Written after the import'));
  const diffs = differences(theirsRead, oursRead);
  assert.deepEqual(diffs, [], report(diffs, theirsRead, oursRead));

  // The write after the import reached each server once, and nothing else did.
  const sent = serverMessages(theirsServer, theirs.meta.groupId);
  assert.ok(sent > 0);
  assert.equal(serverMessages(oursServer, ours.meta.groupId), sent);
});

test('runImport refuses what it cannot do as upstream, before anything is made', async () => {
  const api = require('../index.js');
  const dataDir = h.tempDir();
  await api.init({ dataDir, serverURL: oursServer.url, password: oursServer.password });
  try {
    await assert.rejects(api.runImport(undefined, async () => {}), { name: 'UnsupportedError', code: 'unsupported-feature' });
    assert.deepEqual(fs.readdirSync(dataDir), []);
    // Reads upstream answers from state it does not update while importing, and sync().
    let inside;
    await api.runImport('Refusals', async () => {
      const outcome = (p) => p.then(() => 'resolved', (e) => e.code);
      inside = {
        rules: await outcome(api.getRules()),
        month: await outcome(api.getBudgetMonth('2026-01')),
        sync: await outcome(api.sync()),
        accounts: await outcome(api.getAccounts()),
      };
    });
    assert.deepStrictEqual(inside, { rules: 'unsupported-feature', month: 'unsupported-feature', sync: 'unsupported-feature', accounts: 'resolved' });
    // Once done, the budget is open as any other; what it has not sent yet goes before
    // the next import closes it.
    assert.deepStrictEqual(await api.getRules(), []);
    await api.createPayee({ name: 'Sent before the next import' });
    await api.runImport('Next', async () => {});
    const refusals = (await api.getBudgets()).find((b) => b.state === 'remote' && b.name === 'Refusals');
    const read = await readBack(oursServer, { syncId: refusals.groupId });
    assert.deepStrictEqual(read['getPayees()'].map((p) => p.name), ['Sent before the next import']);
  } finally {
    await api.shutdown();
  }
});
