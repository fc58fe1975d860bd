'use strict';
// exportBudget / importBudget against the oracle: each client exports the same
// realistic budget; @actual-app/api imports our zip and its own, and we import its zip.
// Every read of an import equals every read of upstream's own round trip, the imported
// metadata.json has upstream's fields, and each import is uploaded as a new server file
// as upstream's `importActual` does. Ours runs with nothing loaded from @actual-app.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const h = require('./helpers/harness.js');
const api = require('../index.js');

let server;
let budget;

test.before(async () => {
  server = await h.startServer();
  budget = await h.createRealisticBudget(server, { name: 'Export Import' });
});

test.after(async () => {
  await api.shutdown();
  await server?.stop();
});

function common(extra) {
  return { serverURL: server.url, password: server.password, syncId: budget.syncId, ...extra };
}

async function ours(task, extra) {
  const out = await h.runNative('native-run.js', { task, ...common(extra) });
  assert.deepEqual(out.loaded, [], 'nothing from @actual-app was loaded');
  return out.answers;
}

// What may differ between two imports: the new server file's ids, and what upstream's
// schedule service and first sync after loading write (when they ran, how far it synced).
function withoutFileIds(imported) {
  const { cloudFileId, groupId, userId, lastScheduleRun, lastSyncedTimestamp, ...meta } = imported.meta;
  assert.equal(typeof cloudFileId, 'string', 'the import was uploaded');
  assert.equal(typeof groupId, 'string', 'the import was uploaded');
  return { id: imported.id, meta, remote: imported.remote.map(({ cloudFileId: c, groupId: g, owner, ...rest }) => rest) };
}

test('upstream restores our export, we restore its export, and both read as its own round trip', async () => {
  const zips = path.join(h.tempDir('actual-export-'));
  const oursZip = path.join(zips, 'ours.zip');
  const theirsZip = path.join(zips, 'theirs.zip');
  await Promise.all([
    ours('exportZip', { zipPath: oursZip }),
    h.runWorker({ op: 'exportZip', dataDir: h.tempDir(), zipPath: theirsZip, ...common() }),
  ]);
  const theirsOfTheirs = await h.runWorker({ op: 'importAndRead', dataDir: h.tempDir(), zipPath: theirsZip, ...common() });
  const theirsOfOurs = await h.runWorker({ op: 'importAndRead', dataDir: h.tempDir(), zipPath: oursZip, ...common() });
  const oursOfTheirs = await ours('importAndRead', { zipPath: theirsZip });

  assert.ok(Object.keys(theirsOfTheirs.reads).length > 20, 'the reads ran');
  assert.deepStrictEqual(theirsOfOurs.reads, theirsOfTheirs.reads, 'upstream reads our export as its own');
  assert.deepStrictEqual(oursOfTheirs.reads, theirsOfTheirs.reads, 'we read its export as it does');
  assert.deepStrictEqual(withoutFileIds(theirsOfOurs), withoutFileIds(theirsOfTheirs));
  assert.deepStrictEqual(withoutFileIds(oursOfTheirs), withoutFileIds(theirsOfTheirs));
  assert.equal(oursOfTheirs.meta.resetClock, false, 'the clock was reset as the budget loaded');
  assert.notEqual(oursOfTheirs.meta.groupId, budget.syncId, 'a new server file, not the exported one');

  // The uploaded import is a budget the real client downloads and reads as ours.
  const downloaded = await h.runWorker({ op: 'readAll', dataDir: h.tempDir(), ...common({ syncId: oursOfTheirs.meta.groupId }) });
  assert.deepStrictEqual(downloaded, oursOfTheirs.reads);
});

test('exportBudget and importBudget fail as upstream does, and a failed import changes nothing', async () => {
  await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  await assert.rejects(api.exportBudget(), { name: 'Error', message: 'Error exporting budget: internal-error' });
  const before = await api.getBudgets();
  await assert.rejects(api.importBudget(Buffer.from('not a zip')), { name: 'Error', message: 'Error importing budget: not-zip-file' });
  await assert.rejects(api.importBudget('/no/such/file.zip'), { message: 'Error importing budget: internal-error' });
  await assert.rejects(api.importBudget(Buffer.alloc(0), { type: 'csv' }), { message: 'Error importing budget: not-csv' });
  await assert.rejects(api.importBudget(Buffer.alloc(0), { type: 'ynab5' }), { name: 'UnsupportedError', code: 'unsupported-feature' });
  assert.deepStrictEqual(await api.getBudgets(), before);
  await api.shutdown();
});
