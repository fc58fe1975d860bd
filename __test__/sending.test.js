'use strict';
// Sending local changes: a change set larger than the server takes in one request goes
// in several, each within the server's limit, and everything arrives once.
const test = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers/harness.js');
const api = require('../index.js');

let server;
let budget;

test.before(async () => {
  // 1 MB: the smallest body limit the server can be given.
  server = await h.startServer({ env: { ACTUAL_UPLOAD_FILE_SYNC_SIZE_LIMIT_MB: '1' } });
  budget = await h.createBudget(server, { name: 'Sending', accounts: [{ name: 'Checking', transactions: 5 }] });
});

test.after(async () => {
  await api.shutdown();
  await server?.stop();
});

// The ids of the notes starting with `mark` that the real client reads from the server.
function notesOnServer(mark) {
  return h.runWorker({
    op: 'query',
    dataDir: h.tempDir(),
    serverURL: server.url,
    password: server.password,
    syncId: budget.syncId,
    query: { table: 'notes', filterExpressions: [{ note: { $like: `${mark}%` } }], selectExpressions: ['id'], groupExpressions: [], orderExpressions: [], tableOptions: {}, calculation: false, rawMode: false, withDead: false, validateRefs: true, limit: null, offset: null },
  });
}

test('a change set past the server limit is sent in parts and arrives whole', async () => {
  await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  await api.downloadBudget(budget.syncId);
  const mark = `big-${Date.now()}`;
  const filler = 'n'.repeat(900);
  await api.batchBudgetUpdates(async () => {
    for (let i = 0; i < 3000; i++) await api.updateNote(`${mark}-${i}`, `${mark} ${i} ${filler}`);
  });
  await api.sync();
  await api.shutdown();
  const notes = await notesOnServer(mark);
  assert.equal(notes.length, 3000);
});

// Whether a call is inside a batch is the native side's alone: a send timer that fires
// during a long batch is refused there (nothing leaves before the batch ends), and the
// batch's end schedules the send of all of it.
test('a batch longer than the send delay sends nothing until it ends, then everything once', async () => {
  await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  await api.downloadBudget(budget.syncId);
  const mark = `slow-batch-${Date.now()}`;
  const onServer = () => notesOnServer(mark);
  let midBatch;
  await api.batchBudgetUpdates(async () => {
    await api.updateNote(`${mark}-1`, `${mark} 1`);
    // Past the one-second send delay the write scheduled.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    midBatch = await onServer();
    await api.updateNote(`${mark}-2`, `${mark} 2`);
  });
  assert.equal(midBatch.length, 0, 'nothing was sent during the batch');
  // The send the batch's end scheduled (one second later), without sync() or shutdown().
  await new Promise((resolve) => setTimeout(resolve, 2000));
  assert.equal((await onServer()).length, 2);
  await api.shutdown();
  assert.equal((await onServer()).length, 2, 'shutdown had nothing left to change');
});
