'use strict';
// The token gateway against a real Actual sync-server: tokens issued by the CLI and
// by the /api-tokens API, used by our client and by the real @actual-app/api.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const harness = require('./helpers/harness.js');
const { ROOT, tempDir, startServer, runWorker, createBudget, filesContaining, listFiles } = harness;
const api = require('../index.js');

const TOKEN_RE = /^act_[A-Za-z0-9]{32}$/;

let server;
let budgetA;
let budgetB;
let gw;
let dbDir;
let session;
const secrets = []; // every token issued, for the plain-text checks
const gateways = [];

/** Starts a gateway in front of this file's server and remembers it for cleanup. */
async function startGateway({ db, extra = ['--max-failed-checks', '1000'] } = {}) {
  const g = await harness.startGateway({ upstream: server.url, db, extra });
  gateways.push(g);
  return g;
}

const cli = harness.gatewayCli;

async function createToken({ name, budgets, expires, readOnly = false, db = gw.db }) {
  const args = ['token', 'create', '--name', name, '--upstream', server.url, '--db', db];
  for (const b of budgets) args.push('--budget', b);
  if (expires) args.push('--expires', expires);
  if (readOnly) args.push('--read-only');
  const out = await cli(args, { env: { ACTUAL_PASSWORD: server.password } });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.last, TOKEN_RE);
  secrets.push(out.last);
  return { token: out.last, id: /id ([0-9a-f-]{36})/.exec(out.stdout)[1], out };
}

function get(pathname, headers = {}, base = gw.url) {
  return fetch(base + pathname, { headers });
}

async function json(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Waits until the gateway answers `token` with `status` on /account/validate (the CLI writes the db; the gateway picks it up within ~200 ms). */
// CLI changes apply to the very next request: one check, no waiting.
async function expectStatus(token, status, base = gw.url) {
  const res = await get('/account/validate', { 'X-ACTUAL-TOKEN': token }, base);
  await res.arrayBuffer();
  assert.equal(res.status, status);
}

async function tokensApi(method, pathname = '', body, headers = { 'X-ACTUAL-TOKEN': session }) {
  const res = await fetch(`${gw.url}/api-tokens${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await json(res) };
}

// A SyncRequest protobuf: messages (1), fileId (2), groupId (3), since (6).
function pbString(field, value) {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
}
function syncBody({ fileId, groupId, messages = 0 }) {
  const parts = [];
  for (let i = 0; i < messages; i++) {
    const env = Buffer.concat([pbString(1, `2026-01-01T00:00:00.000Z-000${i}-0123456789abcdef`), pbString(3, Buffer.from('x'))]);
    parts.push(pbString(1, env));
  }
  parts.push(pbString(2, fileId), pbString(3, groupId), pbString(6, '2020-01-01T00:00:00.000Z-0000-0000000000000000'));
  return Buffer.concat(parts);
}
function postSync(token, body) {
  return fetch(`${gw.url}/sync/sync`, { method: 'POST', headers: { 'X-ACTUAL-TOKEN': token, 'content-type': 'application/actual-sync' }, body });
}

before(async () => {
  server = await startServer();
  budgetA = await createBudget(server, { name: 'Gateway A' });
  budgetB = await createBudget(server, { name: 'Gateway B', accounts: [{ name: 'Savings', transactions: 5 }] });
  dbDir = tempDir('actual-gateway-db-');
  gw = await startGateway({ db: path.join(dbDir, 'gateway.sqlite') });
  const login = await fetch(`${gw.url}/account/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ loginMethod: 'password', password: server.password }),
  });
  session = (await login.json()).data.token;
});

after(async () => {
  await api.shutdown();
  for (const g of gateways) await g.stop();
  if (server) await server.stop();
  if (dbDir) fs.rmSync(dbDir, { recursive: true, force: true });
});

test('without a token, requests pass through unchanged (web app, login)', async () => {
  const direct = await fetch(`${server.url}/`);
  const via = await fetch(`${gw.url}/`);
  assert.equal(via.status, direct.status);
  assert.equal(await via.text(), await direct.text());
  const info = await json(await get('/info'));
  assert.ok(info.build.version);
  const list = await json(await get('/sync/list-user-files', { 'X-ACTUAL-TOKEN': session }));
  assert.equal(list.data.filter((f) => !f.deleted).length, 2, 'a session sees every budget');
});

let tokenA;
test('a token from the CLI downloads its budget with our client', async () => {
  tokenA = await createToken({ name: 'ci A', budgets: [budgetA.syncId] });
  assert.match(tokenA.out.stdout, /not shown again/);
  await expectStatus(tokenA.token, 200);
  const dataDir = tempDir('gw-client-');
  try {
    await api.init({ dataDir, serverURL: gw.url, token: tokenA.token });
    const got = await api.downloadBudget(budgetA.syncId);
    assert.equal(got.syncId, budgetA.syncId);
    assert.ok(fs.existsSync(path.join(got.path, 'db.sqlite')));
  } finally {
    await api.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('token create refuses an unknown sync id and a missing budget', async () => {
  const unknown = await cli(['token', 'create', '--name', 'x', '--budget', 'no-such-budget', '--upstream', server.url, '--db', gw.db], {
    env: { ACTUAL_PASSWORD: server.password },
  });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no budget with sync id no-such-budget/);
  const none = await cli(['token', 'create', '--name', 'x', '--upstream', server.url, '--db', gw.db], { env: { ACTUAL_PASSWORD: server.password } });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--budget/);
});

test('scope: the listing is filtered and other budgets are refused', async () => {
  const dataDir = tempDir('gw-client-');
  try {
    await api.init({ dataDir, serverURL: gw.url, token: tokenA.token });
    const budgets = await api.getBudgets();
    assert.deepEqual([...new Set(budgets.map((b) => b.groupId))], [budgetA.syncId]);
    // B is not in the token's listing; the client asks the gateway, which says B is out of scope.
    const err = await api.downloadBudget(budgetB.syncId).catch((e) => e);
    assert.ok(err instanceof api.TokenScopeError, `${err.name}: ${err.message}`);
    assert.equal(err.code, 'token-scope-error');
    assert.equal(err.status, 403);
    // A sync id that no budget has is still "not found", not a scope error.
    const missing = await api.downloadBudget('00000000-0000-4000-8000-000000000000').catch((e) => e);
    assert.ok(missing instanceof api.BudgetNotFoundError, `${missing.name}: ${missing.message}`);
  } finally {
    await api.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  // Reaching B's file directly is a scope error, whatever the route.
  const headers = { 'X-ACTUAL-TOKEN': tokenA.token, 'X-ACTUAL-FILE-ID': budgetB.cloudFileId };
  for (const p of ['/sync/download-user-file', '/sync/get-user-file-info']) {
    const res = await get(p, headers);
    assert.equal(res.status, 403, p);
    assert.deepEqual(await res.json(), { status: 'error', reason: 'token-scope-error' });
  }
  const key = await fetch(`${gw.url}/sync/user-get-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: tokenA.token, fileId: budgetB.cloudFileId }),
  });
  assert.equal(key.status, 403);
  const sync = await postSync(tokenA.token, syncBody({ fileId: budgetB.cloudFileId, groupId: budgetB.syncId }));
  assert.equal(sync.status, 403);
  assert.equal((await sync.json()).reason, 'token-scope-error');
  // A fileId of A with B's groupId is refused too.
  const mixed = await postSync(tokenA.token, syncBody({ fileId: budgetA.cloudFileId, groupId: budgetB.syncId }));
  assert.equal(mixed.status, 403);
  // Our client turns the reply into TokenScopeError.
  const res = await get('/sync/download-user-file', headers);
  assert.equal((await res.json()).reason, 'token-scope-error');
  // In scope, a sync without messages goes through (protobuf reply).
  const ok = await postSync(tokenA.token, syncBody({ fileId: budgetA.cloudFileId, groupId: budgetA.syncId }));
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'application/actual-sync');
});

test('two active tokens at once, one of them made through /api-tokens', async () => {
  const created = await tokensApi('POST', '', { name: 'second', budgetIds: [budgetA.syncId, budgetB.syncId], expiresAt: null });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const d = created.body.data;
  assert.match(d.token, TOKEN_RE);
  secrets.push(d.token);
  assert.equal(d.prefix, d.token.slice(0, 12));
  assert.deepEqual(d.budgetIds, [budgetA.syncId, budgetB.syncId]);
  assert.equal(d.expiresAt, null);
  assert.equal(typeof d.createdAt, 'number');
  const [r1, r2] = await Promise.all([
    get('/sync/list-user-files', { 'X-ACTUAL-TOKEN': tokenA.token }),
    get('/sync/list-user-files', { Authorization: `Bearer ${d.token}` }),
  ]);
  assert.equal((await r1.json()).data.length, 1);
  assert.equal((await r2.json()).data.length, 2);
  const list = await tokensApi('GET');
  assert.equal(list.status, 200);
  const names = list.body.data.map((t) => t.name);
  assert.ok(names.includes('ci A') && names.includes('second'));
  for (const t of list.body.data) {
    assert.deepEqual(Object.keys(t).sort(), ['budgetIds', 'createdAt', 'enabled', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'readOnly']);
    assert.equal(t.token, undefined);
  }
  // The management API refuses bad input and an unknown budget.
  assert.equal((await tokensApi('POST', '', { name: 'x', budgetIds: [] })).status, 400);
  assert.equal((await tokensApi('POST', '', { name: 'x', budgetIds: ['nope'] })).body.reason, 'budget-not-found');
  assert.equal((await tokensApi('POST', '', { name: 'x', budgetIds: [budgetA.syncId], expiresAt: 1000 })).status, 400);
  assert.equal((await tokensApi('GET', '', undefined, {})).status, 401);
  assert.equal((await tokensApi('GET', '', undefined, { 'X-ACTUAL-TOKEN': 'not-a-session' })).status, 401);
});

test('disable and enable (CLI and PATCH)', async () => {
  const t = await createToken({ name: 'toggle', budgets: [budgetA.syncId] });
  await expectStatus(t.token, 200);
  const off = await cli(['token', 'disable', t.id, '--db', gw.db]);
  assert.equal(off.code, 0, off.stderr);
  await expectStatus(t.token, 401);
  const res = await get('/account/validate', { 'X-ACTUAL-TOKEN': t.token });
  assert.deepEqual(await res.json(), { status: 'error', reason: 'unauthorized', details: 'api-token-disabled' });
  await assert.rejects(api.init({ dataDir: tempDir('gw-client-'), serverURL: gw.url, token: t.token }), (e) => e instanceof api.InvalidTokenError && /disabled/.test(e.message));
  const on = await cli(['token', 'enable', t.token.slice(0, 12), '--db', gw.db]);
  assert.equal(on.code, 0, on.stderr);
  await expectStatus(t.token, 200);
  const patched = await tokensApi('PATCH', `/${t.id}`, { enabled: false });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.data.enabled, false);
  assert.equal((await get('/account/validate', { 'X-ACTUAL-TOKEN': t.token })).status, 401, 'PATCH applies at once');
  assert.equal((await tokensApi('PATCH', `/${t.id}`, { enabled: true })).status, 200);
  assert.equal((await get('/account/validate', { 'X-ACTUAL-TOKEN': t.token })).status, 200);
  assert.equal((await tokensApi('PATCH', '/no-such-id', { enabled: true })).status, 404);
});

test('revoke (CLI and DELETE)', async () => {
  const t = await createToken({ name: 'revoke me', budgets: [budgetA.syncId] });
  await expectStatus(t.token, 200);
  const out = await cli(['token', 'revoke', t.id, '--db', gw.db]);
  assert.equal(out.code, 0, out.stderr);
  await expectStatus(t.token, 401);
  const res = await get('/account/validate', { 'X-ACTUAL-TOKEN': t.token });
  assert.deepEqual(await res.json(), { status: 'error', reason: 'unauthorized', details: 'invalid-api-token' });
  await assert.rejects(api.init({ dataDir: tempDir('gw-client-'), serverURL: gw.url, token: t.token }), api.InvalidTokenError);
  assert.equal((await cli(['token', 'revoke', t.id, '--db', gw.db])).code, 1, 'gone for good');

  const made = await tokensApi('POST', '', { name: 'api revoke', budgetIds: [budgetA.syncId], expiresAt: null });
  secrets.push(made.body.data.token);
  assert.equal((await get('/account/validate', { 'X-ACTUAL-TOKEN': made.body.data.token })).status, 200);
  assert.equal((await tokensApi('DELETE', `/${made.body.data.id}`)).status, 200);
  assert.equal((await get('/account/validate', { 'X-ACTUAL-TOKEN': made.body.data.token })).status, 401);
});

test('a 2-second token expires', async () => {
  const t = await createToken({ name: 'short', budgets: [budgetA.syncId], expires: '2s' });
  await expectStatus(t.token, 200);
  await new Promise((r) => setTimeout(r, 2200));
  const res = await get('/account/validate', { 'X-ACTUAL-TOKEN': t.token });
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { status: 'error', reason: 'token-expired', details: 'api-token-expired' });
  await assert.rejects(api.init({ dataDir: tempDir('gw-client-'), serverURL: gw.url, token: t.token }), api.TokenExpiredError);
  const listed = JSON.parse((await cli(['token', 'list', '--json', '--db', gw.db])).stdout).find((x) => x.id === t.id);
  assert.ok(listed.expiresAt <= Math.ceil(Date.now() / 1000));
});

test('read-only tokens download but cannot write', async () => {
  const t = await createToken({ name: 'reader', budgets: [budgetA.syncId], readOnly: true });
  await expectStatus(t.token, 200);
  const dataDir = tempDir('gw-client-');
  try {
    await api.init({ dataDir, serverURL: gw.url, token: t.token });
    await api.downloadBudget(budgetA.syncId);
    // Writes are refused before anything changes locally, and no secret is named.
    const [account] = await api.getAccounts();
    const before = await api.getTransactions(account.id, '1995-01-01', '2199-12-31');
    for (const write of [
      () => api.importTransactions(account.id, [{ date: '2026-01-02', amount: -100, payee_name: 'Read only' }]),
      () => api.updateNote(account.id, 'read only'),
      () => api.batchBudgetUpdates(async () => {}),
    ]) {
      const err = await write().then(() => assert.fail('a read-only token wrote'), (e) => e);
      assert.ok(err instanceof api.TokenScopeError, `${err.name}: ${err.message}`);
      assert.equal(err.code, 'token-read-only');
      assert.ok(!`${err.message} ${err.stack}`.includes(t.token));
    }
    assert.deepEqual(await api.getTransactions(account.id, '1995-01-01', '2199-12-31'), before);
    assert.equal(await api.getNote(account.id), null);
    await api.sync();
  } finally {
    await api.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  // A read-write token's writes go through and reach the server.
  const writerDir = tempDir('gw-client-');
  try {
    await api.init({ dataDir: writerDir, serverURL: gw.url, token: tokenA.token });
    await api.downloadBudget(budgetA.syncId);
    const [account] = await api.getAccounts();
    await api.updateNote(account.id, 'written through the gateway');
    await api.shutdown();
    await api.init({ dataDir: tempDir('gw-client-'), serverURL: server.url, sessionToken: session });
    await api.downloadBudget(budgetA.syncId);
    assert.equal((await api.getNote(account.id)).note, 'written through the gateway');
  } finally {
    await api.shutdown();
    fs.rmSync(writerDir, { recursive: true, force: true });
  }
  const read = await postSync(t.token, syncBody({ fileId: budgetA.cloudFileId, groupId: budgetA.syncId }));
  assert.equal(read.status, 200);
  const write = await postSync(t.token, syncBody({ fileId: budgetA.cloudFileId, groupId: budgetA.syncId, messages: 1 }));
  assert.equal(write.status, 403);
  assert.deepEqual(await write.json(), { status: 'error', reason: 'token-read-only' });
  const upload = await fetch(`${gw.url}/sync/upload-user-file`, {
    method: 'POST',
    headers: { 'X-ACTUAL-TOKEN': t.token, 'X-ACTUAL-FILE-ID': budgetA.cloudFileId, 'X-ACTUAL-GROUP-ID': budgetA.syncId, 'X-ACTUAL-NAME': 'x', 'X-ACTUAL-FORMAT': '2', 'content-type': 'application/encrypted-file' },
    body: Buffer.from('not a zip'),
  });
  assert.equal(upload.status, 403);
  assert.equal((await upload.json()).reason, 'token-read-only');
  const list = JSON.parse((await cli(['token', 'list', '--json', '--db', gw.db])).stdout);
  assert.equal(list.find((x) => x.id === t.id).access, 'read-only');
  // A read-write token uploads (the body streams through); without the file's group id it may not.
  const zip = Buffer.from(await (await fetch(`${server.url}/sync/download-user-file`, { headers: { 'X-ACTUAL-TOKEN': session, 'X-ACTUAL-FILE-ID': budgetA.cloudFileId } })).arrayBuffer());
  const uploadHeaders = { 'X-ACTUAL-TOKEN': tokenA.token, 'X-ACTUAL-FILE-ID': budgetA.cloudFileId, 'X-ACTUAL-NAME': encodeURIComponent('Gateway A'), 'X-ACTUAL-FORMAT': '2', 'content-type': 'application/encrypted-file' };
  const noGroup = await fetch(`${gw.url}/sync/upload-user-file`, { method: 'POST', headers: uploadHeaders, body: zip });
  assert.equal(noGroup.status, 403);
  const up = await fetch(`${gw.url}/sync/upload-user-file`, { method: 'POST', headers: { ...uploadHeaders, 'X-ACTUAL-GROUP-ID': budgetA.syncId }, body: zip });
  assert.equal(up.status, 200);
  assert.deepEqual(await up.json(), { status: 'ok', groupId: budgetA.syncId });
  const otherFile = await fetch(`${gw.url}/sync/upload-user-file`, { method: 'POST', headers: { ...uploadHeaders, 'X-ACTUAL-FILE-ID': budgetB.cloudFileId, 'X-ACTUAL-GROUP-ID': budgetB.syncId }, body: zip });
  assert.equal(otherFile.status, 403);
});

test('a token cannot reach admin, account or token endpoints', async () => {
  const h = { 'X-ACTUAL-TOKEN': tokenA.token, 'content-type': 'application/json' };
  const cases = [
    ['GET', '/admin/users'],
    ['GET', '/admin/users/'],
    ['POST', '/account/change-password', { password: 'hijack' }],
    ['POST', '/account/login', { loginMethod: 'password', password: 'x' }],
    ['POST', '/secret', { name: 'x', value: 'y' }],
    ['POST', '/gocardless/status'],
    ['POST', '/sync/delete-user-file', { fileId: budgetA.cloudFileId }],
    ['POST', '/sync/reset-user-file', { fileId: budgetA.cloudFileId }],
    ['GET', '/api-tokens'],
    ['POST', '/api-tokens', { name: 'x', budgetIds: [budgetA.syncId] }],
  ];
  for (const [method, p, body] of cases) {
    for (const headers of [h, { Authorization: `Bearer ${tokenA.token}`, 'content-type': 'application/json' }]) {
      const res = await fetch(gw.url + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
      assert.equal(res.status, 403, `${method} ${p}`);
      assert.deepEqual(await res.json(), { status: 'error', reason: 'forbidden-auth-method' }, `${method} ${p}`);
    }
  }
  // The token in a JSON body is caught too.
  const res = await fetch(`${gw.url}/account/change-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: tokenA.token, password: 'hijack' }) });
  assert.equal(res.status, 403);
  // The password still works.
  const login = await fetch(`${server.url}/account/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ loginMethod: 'password', password: server.password }) });
  assert.equal((await login.json()).status, 'ok');
});

test('lastUsedAt moves when a token is used', async () => {
  const made = await tokensApi('POST', '', { name: 'usage', budgetIds: [budgetA.syncId], expiresAt: Math.floor(Date.now() / 1000) + 3600, readOnly: true });
  const { id, token } = made.body.data;
  secrets.push(token);
  const before = (await tokensApi('GET')).body.data.find((t) => t.id === id);
  assert.equal(before.lastUsedAt, null);
  assert.equal(before.readOnly, true);
  const t0 = Math.floor(Date.now() / 1000);
  assert.equal((await get('/account/validate', { 'X-ACTUAL-TOKEN': token })).status, 200);
  const afterUse = (await tokensApi('GET')).body.data.find((t) => t.id === id);
  assert.ok(afterUse.lastUsedAt >= t0, `lastUsedAt ${afterUse.lastUsedAt}`);
  // The first use is written to the database at once.
  let listed;
  for (let i = 0; i < 20; i++) {
    listed = JSON.parse((await cli(['token', 'list', '--json', '--db', gw.db])).stdout).find((t) => t.id === id);
    if (listed.lastUsedAt) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(listed.lastUsedAt >= t0);
});

test('the real @actual-app/api downloads a scoped budget with the token as its sessionToken', async () => {
  const dataDir = tempDir('gw-official-');
  try {
    const viaGateway = await runWorker({ op: 'download', dataDir, serverURL: gw.url, sessionToken: tokenA.token, syncId: budgetA.syncId });
    assert.equal(viaGateway.transactions.length, 20);
    const direct = await runWorker({ op: 'download', dataDir: tempDir('gw-official-direct-'), serverURL: server.url, password: server.password, syncId: budgetA.syncId });
    assert.deepEqual(viaGateway.transactions, direct.transactions);
    await assert.rejects(runWorker({ op: 'download', dataDir: tempDir('gw-official-'), serverURL: gw.url, sessionToken: tokenA.token, syncId: budgetB.syncId }));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the user guide's error-handling sample runs against this package", async () => {
  const dir = tempDir('gw-guide-');
  const guide = fs.readFileSync('/work/shared/reference/api-tokens-user-guide.md', 'utf8');
  const sample = /## Error Handling[\s\S]*?```js\n([\s\S]*?)```/.exec(guide)[1];
  assert.match(sample, /require\('@actual-app\/api'\)/);
  const code = sample.replace("require('@actual-app/api')", `require(${JSON.stringify(ROOT)})`);
  // The sample uses top-level await, so it runs as a module with a CommonJS require.
  const file = path.join(dir, 'sample.mjs');
  fs.writeFileSync(file, `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${code}\nawait api.shutdown();\n`);
  const run = (token) =>
    new Promise((resolve) => {
      execFile(process.execPath, [file], { cwd: dir, env: { ...process.env, ACTUAL_SERVER_URL: gw.url, ACTUAL_API_TOKEN: token } }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
    });
  try {
    const good = await run(tokenA.token);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stderr, '');
    const revoked = await run('act_' + 'x'.repeat(32));
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stderr, /Invalid token\. Check that you copied it correctly\./);
    const expired = await createToken({ name: 'guide expired', budgets: [budgetA.syncId], expires: '1s' });
    await new Promise((r) => setTimeout(r, 1300));
    const exp = await run(expired.token);
    assert.match(exp.stderr, /Token has expired/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tokens survive a restart; the database holds no token, password or session in plain text', async () => {
  const code = await gw.stop('SIGTERM');
  assert.equal(code, 0, gw.logs());
  assert.match(gw.logs(), /stopped/);
  const old = gw;
  gw = await startGateway({ db: old.db });
  assert.equal((await get('/account/validate', { 'X-ACTUAL-TOKEN': tokenA.token })).status, 200);
  assert.equal((await get('/sync/list-user-files', { 'X-ACTUAL-TOKEN': tokenA.token })).status, 200);

  const mode = fs.statSync(gw.db).mode & 0o777;
  assert.equal(mode, 0o600);
  const plain = [server.password, session, ...secrets, ...secrets.map((s) => s.slice(4))];
  assert.deepEqual(filesContaining(dbDir, plain), [], 'db files hold a secret');
  assert.ok(listFiles(dbDir).length >= 1);
  // Logs name tokens by prefix only, and never the password or a session.
  for (const g of gateways) {
    for (const s of plain) assert.ok(!g.logs().includes(s), 'a secret in the gateway log');
  }
  assert.match(old.logs(), new RegExp(tokenA.token.slice(0, 12)));
});

test('too many failed checks from one address: 429, RateLimitError', async () => {
  // Its own gateway and database, so the block does not hit the other tests.
  const dir = tempDir('actual-gateway-rl-');
  const g = await startGateway({ db: path.join(dir, 'gw.sqlite'), extra: [] });
  try {
    for (let i = 0; i < 10; i++) {
      const res = await get('/account/validate', { 'X-ACTUAL-TOKEN': 'act_' + String(i).padStart(32, 'z') }, g.url);
      assert.equal(res.status, 401);
    }
    const res = await get('/account/validate', { 'X-ACTUAL-TOKEN': tokenA.token }, g.url);
    assert.equal(res.status, 429);
    assert.equal((await res.json()).reason, 'too-many-requests');
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    await assert.rejects(api.init({ dataDir: tempDir('gw-client-'), serverURL: g.url, token: 'act_' + 'q'.repeat(32) }), (e) => e instanceof api.RateLimitError && e.retryAfter > 0);
    // Requests without a token are not affected.
    assert.equal((await get('/info', {}, g.url)).status, 200);
  } finally {
    await g.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the owner's upstream session ending gives upstream-session-expired", async () => {
  assert.ok(harness.forgetServerSessions(server) > 0);
  const res = await get('/sync/list-user-files', { 'X-ACTUAL-TOKEN': tokenA.token });
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { status: 'error', reason: 'unauthorized', details: 'upstream-session-expired' });
  await assert.rejects(api.init({ dataDir: tempDir('gw-client-'), serverURL: gw.url, token: tokenA.token }), (e) => e.code === 'upstream-session-expired');
});

test("a read-only token: the schedule service's work is not made, and the reads that would see it are refused", async () => {
  const { dayOffset } = require('./helpers/realistic-budget.js');
  const budget = await createBudget(server, { name: 'Gateway schedules' });
  const owner = await api.createClient({ dataDir: tempDir('gw-client-'), serverURL: server.url, password: server.password });
  await owner.downloadBudget(budget.syncId);
  const [account] = await owner.getAccounts();
  const schedule = await owner.createSchedule({ name: 'Due today', posts_transaction: true, account: account.id, amount: -100, amountOp: 'is', date: dayOffset(0) });
  await owner.shutdown();

  const t = await createToken({ name: 'schedule reader', budgets: [budget.syncId], readOnly: true });
  const reader = await api.createClient({ dataDir: tempDir('gw-client-'), serverURL: gw.url, token: t.token });
  await reader.downloadBudget(budget.syncId);
  assert.equal((await reader.getAccounts()).length, 1, 'reads the service leaves alone answer');
  for (const read of [() => reader.getSchedules(), () => reader.getTransactions(account.id, '1995-01-01', '2199-12-31')]) {
    const err = await read().then(() => assert.fail('answered as if the service had not run'), (e) => e);
    assert.ok(err instanceof api.UnsupportedError, `${err.name}: ${err.message}`);
    assert.match(err.message, /schedule service.*read-only/);
  }
  await reader.shutdown();

  // The owner's next download runs it: one transaction, posted once.
  const again = await api.createClient({ dataDir: tempDir('gw-client-'), serverURL: server.url, password: server.password });
  await again.downloadBudget(budget.syncId);
  const posted = (await again.getTransactions(account.id, '1995-01-01', '2199-12-31')).filter((x) => x.schedule === schedule);
  assert.deepEqual(posted.map((x) => [x.date, x.amount]), [[dayOffset(0), -100]]);
  await again.shutdown();
});
