'use strict';
// The core: sign-in, listing, download (plain and encrypted), typed errors, the
// folder layout checked by the real @actual-app/api, and secrets kept off disk.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const util = require('node:util');

const h = require('./helpers/harness.js');
const api = require('../index.js');

const ENCRYPTION_PASSWORD = 'enc-secret-' + Math.random().toString(36).slice(2);
const WELL_FORMED_TOKEN = 'act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6';

let server;
let plain;
let encrypted;

test.before(async () => {
  server = await h.startServer();
  [plain, encrypted] = await Promise.all([
    h.createBudget(server, { name: 'Core Plain', accounts: [{ name: 'Checking', transactions: 120 }, { name: 'Savings', transactions: 30 }] }),
    h.createBudget(server, { name: 'Core Encrypted', accounts: [{ name: 'Wallet', transactions: 40 }], encryptPassword: ENCRYPTION_PASSWORD }),
  ]);
});

test.after(async () => {
  await api.shutdown();
  await server?.stop();
});

function secrets() {
  return [server.password, server.sessionToken, ENCRYPTION_PASSWORD, WELL_FORMED_TOKEN];
}

function assertNoSecret(text, where) {
  for (const s of secrets()) assert.ok(!String(text).includes(s), `a secret appeared in ${where}`);
}

async function rejectsWith(promise, ErrorClass, code) {
  const err = await promise.then(
    () => assert.fail(`expected ${ErrorClass.name} ${code}`),
    (e) => e,
  );
  assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err && err.name}: ${err && err.message}`);
  assert.equal(err.code, code);
  assertNoSecret(err.message, 'an error message');
  assertNoSecret(err.stack, 'an error stack');
  assertNoSecret(util.inspect(err, { depth: 5 }), 'an inspected error');
  return err;
}

test('calls before init reject with a clear error', async () => {
  await api.shutdown();
  const err = await rejectsWith(api.downloadBudget('x'), api.ActualError, 'not-initialized');
  assert.match(err.message, /init\(\)/);
  await rejectsWith(api.getBudgets(), api.ActualError, 'not-initialized');
});

test('password login, getDataDir, getBudgets', async () => {
  const dataDir = path.join(h.tempDir(), 'nested', 'data');
  const lib = await api.init({ dataDir, serverURL: server.url + '/', password: server.password });
  assert.equal(lib.getDataDir(), dataDir);
  assert.ok(fs.statSync(dataDir).isDirectory());
  assertNoSecret(util.inspect(lib, { depth: 5, showHidden: true }), 'the inspected init result');
  assertNoSecret(util.inspect(api, { depth: 5, showHidden: true }), 'the inspected module');
  const budgets = await api.getBudgets();
  const remote = budgets.filter((b) => b.state === 'remote');
  const p = remote.find((b) => b.groupId === plain.syncId);
  const e = remote.find((b) => b.groupId === encrypted.syncId);
  assert.equal(p.name, 'Core Plain');
  assert.equal(p.cloudFileId, plain.cloudFileId);
  assert.equal(p.encryptKeyId, null);
  assert.equal(typeof e.encryptKeyId, 'string');
  await api.downloadBudget(plain.syncId);
  const local = (await api.getBudgets()).filter((b) => b.state === undefined);
  assert.deepEqual(local.map((b) => [b.id, b.groupId, b.name]), [[plain.id, plain.syncId, 'Core Plain']]);
});

test('getBudgets answers what @actual-app/api answers, field for field', async () => {
  const common = { serverURL: server.url, password: server.password, syncId: plain.syncId, encryptedSyncId: encrypted.syncId, encryptPassword: ENCRYPTION_PASSWORD };
  const upstream = await h.runWorker({ op: 'budgetsList', dataDir: h.tempDir(), ...common });
  await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  const before = await api.getBudgets();
  await api.downloadBudget(plain.syncId);
  await api.downloadBudget(encrypted.syncId, { password: ENCRYPTION_PASSWORD });
  const ours = { before, after: await api.getBudgets() };
  await api.shutdown();
  // Local copies come in directory order upstream (readdir, unsorted).
  const ordered = (list) => [...list.filter((b) => !b.state).sort((a, b) => a.id.localeCompare(b.id)), ...list.filter((b) => b.state)];
  const keyed = (list) => ordered(list).map((b) => Object.entries(b));
  assert.deepStrictEqual(keyed(ours.before), keyed(upstream.before));
  assert.deepStrictEqual(keyed(ours.after), keyed(upstream.after));
  // The encrypted file lists with its key loaded once it has been downloaded.
  assert.equal(ours.after.find((b) => b.state === 'remote' && b.groupId === encrypted.syncId).hasKey, true);
});

test('wrong password -> AuthError invalid-password', async () => {
  const err = await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: server.url, password: 'wrong-password' }), api.AuthError, 'invalid-password');
  assert.equal(err.status, 400);
  assert.equal(err.reason, 'invalid-password');
  assert.ok(err.cause instanceof Error, 'the native error is kept as cause');
});

test('server down -> NetworkError network-failure', async () => {
  const port = await h.freePort();
  await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: `http://127.0.0.1:${port}`, password: 'x' }), api.NetworkError, 'network-failure');
});

test('session token: valid works, unknown -> TokenExpiredError token-expired', async () => {
  await api.init({ dataDir: h.tempDir(), serverURL: server.url, sessionToken: server.sessionToken });
  assert.ok((await api.getBudgets()).length >= 2);
  const err = await rejectsWith(
    api.init({ dataDir: h.tempDir(), serverURL: server.url, sessionToken: '00000000-0000-4000-8000-000000000000' }),
    api.TokenExpiredError,
    'token-expired',
  );
  assert.ok(err instanceof api.AuthError);
  assert.equal(err.status, 401);
});

test('malformed API token -> InvalidTokenError without any network call', async () => {
  let connections = 0;
  const listener = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${listener.address().port}`;
  try {
    for (const bad of ['act_short', 'nope_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6', `${WELL_FORMED_TOKEN}\n`, ` ${WELL_FORMED_TOKEN}`, 'act_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5-6']) {
      const err = await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: url, token: bad }), api.InvalidTokenError, 'invalid-token');
      assert.ok(err instanceof api.AuthError);
      if (bad.trim() !== bad) assert.match(err.message, /whitespace/);
    }
  } finally {
    listener.close();
  }
  assert.equal(connections, 0);
});

test('a well-formed token the server does not know -> InvalidTokenError', async () => {
  const err = await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: server.url, token: WELL_FORMED_TOKEN }), api.InvalidTokenError, 'invalid-token');
  assert.equal(err.status, 401);
});

test('ACTUAL_API_TOKEN is read only when no credential key is given', async () => {
  const saved = process.env.ACTUAL_API_TOKEN;
  process.env.ACTUAL_API_TOKEN = 'act_bad';
  try {
    await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: server.url }), api.InvalidTokenError, 'invalid-token');
    await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  } finally {
    if (saved === undefined) delete process.env.ACTUAL_API_TOKEN;
    else process.env.ACTUAL_API_TOKEN = saved;
  }
});

test('two credentials -> AuthError multiple-auth-methods', async () => {
  await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password, token: WELL_FORMED_TOKEN }), api.AuthError, 'multiple-auth-methods');
  await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password, sessionToken: server.sessionToken }), api.AuthError, 'multiple-auth-methods');
});

test('bad serverURL -> ConfigError', async () => {
  await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: 'ftp://example.com', password: 'x' }), api.ConfigError, 'invalid-server-url');
  await rejectsWith(api.init({ dataDir: h.tempDir(), serverURL: 'not a url', password: 'x' }), api.ConfigError, 'invalid-server-url');
});

test('a second init replaces the first', async () => {
  const first = h.tempDir();
  const second = h.tempDir();
  const a = await api.init({ dataDir: first, serverURL: server.url, password: server.password });
  const b = await api.init({ dataDir: second, serverURL: server.url, password: server.password });
  assert.equal(b.getDataDir(), second);
  assert.equal(a.getDataDir(), second, 'the module has one current client');
  await api.shutdown();
  await api.shutdown();
  await rejectsWith(api.getBudgets(), api.ActualError, 'not-initialized');
});

test('plain download: layout and metadata as upstream writes them; the real client reads the same data', async () => {
  const ours = h.tempDir();
  await api.init({ dataDir: ours, serverURL: server.url, password: server.password });
  const result = await api.downloadBudget(plain.syncId);
  assert.deepEqual(
    { ...result, path: undefined },
    { id: plain.id, name: 'Core Plain', syncId: plain.syncId, cloudFileId: plain.cloudFileId, path: undefined },
  );
  assert.equal(result.path, path.join(ours, plain.id));
  assert.deepEqual(fs.readdirSync(ours), [plain.id]);
  assert.deepEqual(fs.readdirSync(result.path).sort(), ['db.sqlite', 'metadata.json']);
  const meta = JSON.parse(fs.readFileSync(path.join(result.path, 'metadata.json'), 'utf8'));
  assert.equal(meta.id, plain.id);
  assert.equal(meta.cloudFileId, plain.cloudFileId);
  assert.equal(meta.groupId, plain.syncId);
  assert.equal(meta.encryptKeyId, null);
  assert.match(meta.lastUploaded, /^\d{4}-\d{2}-\d{2}$/);
  const owner = (await api.getBudgets()).find((b) => b.state === 'remote' && b.groupId === plain.syncId).owner;
  assert.equal(meta.userId, owner, 'userId holds the owner id, never a token');
  await api.shutdown();

  const [ourView, theirView] = await Promise.all([
    h.runWorker({ op: 'openLocal', dataDir: ours, budgetId: plain.id }),
    h.runWorker({ op: 'download', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: plain.syncId }),
  ]);
  assert.equal(ourView.accounts.length, 2);
  assert.equal(ourView.transactions.length, 150);
  assert.deepEqual(ourView.accounts, theirView.accounts);
  assert.deepEqual(ourView.transactions, theirView.transactions);
});

test('encrypted download: right, missing and wrong key', async () => {
  const dir = h.tempDir();
  await api.init({ dataDir: dir, serverURL: server.url, password: server.password });
  await rejectsWith(api.downloadBudget(encrypted.syncId), api.EncryptionError, 'missing-key');
  await rejectsWith(api.downloadBudget(encrypted.syncId, { password: 'not-it' }), api.EncryptionError, 'decrypt-failure');
  assert.deepEqual(fs.readdirSync(dir), [], 'a failed download leaves nothing behind');
  const result = await api.downloadBudget(encrypted.syncId, { password: ENCRYPTION_PASSWORD });
  const meta = JSON.parse(fs.readFileSync(path.join(result.path, 'metadata.json'), 'utf8'));
  assert.equal(typeof meta.encryptKeyId, 'string');
  await api.shutdown();
  const [ourView, theirView] = await Promise.all([
    h.runWorker({ op: 'openLocal', dataDir: dir, budgetId: encrypted.id }),
    h.runWorker({ op: 'download', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: encrypted.syncId, encryptPassword: ENCRYPTION_PASSWORD }),
  ]);
  assert.equal(ourView.transactions.length, 40);
  assert.deepEqual(ourView, theirView);
  assert.deepEqual(h.filesContaining(dir, secrets()), []);
});

test('unknown sync id -> BudgetNotFoundError; path characters -> ConfigError', async () => {
  await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  const err = await rejectsWith(api.downloadBudget('00000000-0000-4000-8000-000000000000'), api.BudgetNotFoundError, 'budget-not-found');
  assert.match(err.message, /00000000-0000-4000-8000-000000000000/);
  await rejectsWith(api.downloadBudget('../../etc'), api.ConfigError, 'invalid-sync-id');
});

test('a failed download keeps the previous copy as it was', async () => {
  const dir = h.tempDir();
  await api.init({ dataDir: dir, serverURL: server.url, password: server.password });
  const first = await api.downloadBudget(encrypted.syncId, { password: ENCRYPTION_PASSWORD });
  fs.writeFileSync(path.join(first.path, 'backup-kept.txt'), 'mine');
  const before = fs.readFileSync(path.join(first.path, 'db.sqlite'));
  await rejectsWith(api.downloadBudget(encrypted.syncId, { password: 'wrong' }), api.EncryptionError, 'decrypt-failure');
  assert.deepEqual(fs.readFileSync(path.join(first.path, 'db.sqlite')), before);
  assert.deepEqual(fs.readdirSync(dir), [encrypted.id]);
  // A fresh download replaces the two budget files and keeps the rest of the folder.
  await api.downloadBudget(encrypted.syncId, { password: ENCRYPTION_PASSWORD });
  assert.equal(fs.readFileSync(path.join(first.path, 'backup-kept.txt'), 'utf8'), 'mine');
  assert.deepEqual(fs.readdirSync(dir), [encrypted.id]);
});

test('verbose mode logs requests and no secret', () => {
  const script = `
    const api = require(${JSON.stringify(path.join(h.ROOT, 'index.js'))});
    api.init({ dataDir: ${JSON.stringify(h.tempDir())}, serverURL: ${JSON.stringify(server.url)}, password: process.env.PW, verbose: true })
      .then(() => api.downloadBudget(${JSON.stringify(encrypted.syncId)}, { password: process.env.ENC }))
      .then(() => api.shutdown());`;
  const run = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, PW: server.password, ENC: ENCRYPTION_PASSWORD }, encoding: 'utf8', timeout: 60000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /sync\/download-user-file -> 200/);
  assertNoSecret(run.stdout + run.stderr, 'verbose output');
});

test('a script that never calls shutdown() exits by itself', async () => {
  const script = `
    const api = require(${JSON.stringify(path.join(h.ROOT, 'index.js'))});
    api.init({ dataDir: ${JSON.stringify(h.tempDir())}, serverURL: ${JSON.stringify(server.url)}, password: process.env.PW })
      .then(() => api.downloadBudget(${JSON.stringify(plain.syncId)}))
      .then((b) => console.log('downloaded ' + b.id));`;
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, PW: server.password } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = await new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('hung');
    }, 30000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  assert.equal(exited, 0, 'the process must exit on its own');
  assert.match(out, new RegExp(`downloaded ${plain.id}`));
});
