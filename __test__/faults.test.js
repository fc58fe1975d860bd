'use strict';
// Faults between client and server, injected by a proxy in front of the real server:
// each gives the right error class and code, leaves the previous local copy as it was,
// and leaves no scratch file or half folder in dataDir.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');
const { startFaultProxy } = require('./helpers/fault-proxy.js');
const api = require('../index.js');

const ENCRYPTION_PASSWORD = 'fault-enc-' + Math.random().toString(36).slice(2);

let server;
let proxy;
let kept; // a budget whose local copy must survive every fault
let target; // a budget downloaded afresh under faults
let encrypted;

test.before(async () => {
  server = await h.startServer();
  proxy = await startFaultProxy(server.url);
  [kept, target, encrypted] = await Promise.all([
    h.createBudget(server, { name: 'Kept', accounts: [{ name: 'K', transactions: 30 }] }),
    h.createBudget(server, { name: 'Target', accounts: [{ name: 'T', transactions: 300 }] }),
    h.createBudget(server, { name: 'Fault Encrypted', accounts: [{ name: 'E', transactions: 30 }], encryptPassword: ENCRYPTION_PASSWORD }),
  ]);
});

test.after(async () => {
  await api.shutdown();
  await proxy?.stop();
  await server?.stop();
});

test.beforeEach(() => proxy.clear());

function snapshot(dir) {
  const out = {};
  for (const file of h.listFiles(dir)) out[path.relative(dir, file)] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  return out;
}

/** A dataDir holding a good copy of `kept` (and of `also`, if given), and the client signed in through the proxy. */
async function prepared({ also, timeout } = {}) {
  const dataDir = h.tempDir();
  await api.init({ dataDir, serverURL: proxy.url, password: server.password, timeout });
  await api.downloadBudget(kept.syncId);
  if (also) await api.downloadBudget(also.syncId);
  proxy.clear();
  return { dataDir, before: snapshot(dataDir) };
}

async function expectFailure(promise, ErrorClass, code) {
  const err = await promise.then(() => assert.fail(`expected ${code}`), (e) => e);
  assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err.name}: ${err.message}`);
  assert.equal(err.code, code, err.message);
  for (const secret of [server.password, server.sessionToken, ENCRYPTION_PASSWORD]) {
    assert.ok(!`${err.message} ${err.stack}`.includes(secret));
  }
  return err;
}

function assertUntouched({ dataDir, before }) {
  assert.deepEqual(snapshot(dataDir), before, 'the previous copies are unchanged and nothing was added');
}

test('connection reset in the middle of the download -> DownloadError download-failure', async () => {
  const state = await prepared();
  proxy.set('/sync/download-user-file', 'reset');
  await expectFailure(api.downloadBudget(target.syncId), api.DownloadError, 'download-failure');
  assertUntouched(state);
});

test('a server that accepts and stalls -> NetworkError network-failure after the configured timeout', async () => {
  const state = await prepared({ timeout: 1500 });
  proxy.set('/sync/list-user-files', 'stall');
  const err = await expectFailure(api.downloadBudget(target.syncId), api.NetworkError, 'network-failure');
  assert.match(err.message, /timed out/);
  assert.equal(proxy.counts['/sync/list-user-files'], 1, 'a timed-out request is not repeated');
  assertUntouched(state);

  proxy.set('/account/validate', 'stall');
  await expectFailure(api.init({ dataDir: h.tempDir(), serverURL: proxy.url, sessionToken: server.sessionToken, timeout: 1000 }), api.NetworkError, 'network-failure');
});

test('502 from a reverse proxy on an idempotent GET is retried with backoff, then reported', async () => {
  const state = await prepared();
  proxy.set('/sync/list-user-files', 'html-502');
  const err = await expectFailure(api.downloadBudget(target.syncId), api.NetworkError, 'network-failure');
  assert.equal(err.status, 502);
  assert.doesNotMatch(err.message, /<html>/);
  assert.equal(proxy.counts['/sync/list-user-files'], 3, 'three attempts in all');
  assertUntouched(state);

  proxy.clear();
  proxy.set('/sync/list-user-files', 'html-502', 1);
  const ok = await api.downloadBudget(target.syncId);
  assert.equal(ok.syncId, target.syncId, 'one 502 then success');
  assert.equal(proxy.counts['/sync/list-user-files'], 2);
});

test('500 with an HTML body -> NetworkError with the status, not retried', async () => {
  const state = await prepared();
  proxy.set('/sync/get-user-file-info', 'html-500');
  const err = await expectFailure(api.downloadBudget(target.syncId), api.NetworkError, 'network-failure');
  assert.equal(err.status, 500);
  assert.equal(proxy.counts['/sync/get-user-file-info'], 1);
  assertUntouched(state);
});

test('a truncated zip -> DownloadError not-zip-file', async () => {
  const state = await prepared();
  proxy.set('/sync/download-user-file', 'truncate');
  await expectFailure(api.downloadBudget(target.syncId), api.DownloadError, 'not-zip-file');
  assertUntouched(state);
});

test('flipped bytes in an encrypted blob -> EncryptionError decrypt-failure', async () => {
  const state = await prepared();
  proxy.set('/sync/download-user-file', 'flip');
  await expectFailure(api.downloadBudget(encrypted.syncId, { password: ENCRYPTION_PASSWORD }), api.EncryptionError, 'decrypt-failure');
  assertUntouched(state);
});

test('garbage where a protobuf is expected -> SyncError, local copy unchanged', async () => {
  const state = await prepared({ also: target });
  proxy.set('/sync/sync', 'garbage');
  await expectFailure(api.downloadBudget(target.syncId), api.SyncError, 'invalid-sync-payload');
  assertUntouched(state);
});

test('502 on the sync POST is not retried', async () => {
  const state = await prepared({ also: target });
  proxy.set('/sync/sync', 'html-502');
  const err = await expectFailure(api.downloadBudget(target.syncId), api.NetworkError, 'network-failure');
  assert.equal(err.status, 502);
  assert.equal(proxy.counts['/sync/sync'], 1);
  assertUntouched(state);
});

test('an oversized JSON reply is refused, not buffered without bound', async () => {
  const state = await prepared();
  proxy.set('/sync/list-user-files', 'huge-json');
  const err = await expectFailure(api.downloadBudget(target.syncId), api.DownloadError, 'response-too-large');
  assert.match(err.message, /far larger/);
  assertUntouched(state);
});

test('concurrent downloads on one instance are serialised and both succeed', async () => {
  const dataDir = h.tempDir();
  await api.init({ dataDir, serverURL: server.url, password: server.password });
  const results = await Promise.all([api.downloadBudget(target.syncId), api.downloadBudget(target.syncId), api.downloadBudget(kept.syncId)]);
  assert.deepEqual(results.map((r) => r.id), [target.id, target.id, kept.id]);
  assert.deepEqual(fs.readdirSync(dataDir).sort(), [kept.id, target.id].sort());
});
