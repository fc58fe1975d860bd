'use strict';
// Tokens outlive their owner's session: when the real server forgets its sessions,
// tokens answer upstream-session-expired; `login` (or signing in on the token page)
// gives the gateway a fresh session and every token of that owner works again,
// unchanged. Sessions are sealed under a gateway key kept apart from the database;
// the key rotates; databases of version 1 migrate.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');
const api = require('../index.js');

let server;
let budget;
let gw;
let dir;
let db;
const gateways = [];

async function startGateway(dbPath = db, extra = []) {
  const g = await h.startGateway({ upstream: server.url, db: dbPath, extra: ['--max-failed-checks', '1000', ...extra] });
  gateways.push(g);
  return g;
}

async function createToken(name) {
  const out = await h.gatewayCli(['token', 'create', '--name', name, '--budget', budget.syncId, '--upstream', server.url, '--db', db], { env: { ACTUAL_PASSWORD: server.password } });
  assert.equal(out.code, 0, out.stderr);
  return out.last;
}

/** Downloads the budget with `token` through the gateway; resolves to the error code or 'ok'. */
async function download(token, base = gw.url) {
  try {
    await api.init({ dataDir: h.tempDir('gw-session-client-'), serverURL: base, token });
    await api.downloadBudget(budget.syncId);
    return 'ok';
  } catch (e) {
    return e.code;
  } finally {
    await api.shutdown();
  }
}

before(async () => {
  server = await h.startServer();
  budget = await h.createBudget(server, { name: 'Sessions Budget', accounts: [{ name: 'A', transactions: 4 }] });
  dir = h.tempDir('actual-gateway-sessions-');
  db = path.join(dir, 'gateway.sqlite');
  gw = await startGateway();
});

after(async () => {
  await api.shutdown();
  for (const g of gateways) await g.stop();
  if (server) await server.stop();
});

test('login revives every token of the owner after the server forgot its sessions', async () => {
  const first = await createToken('first');
  const second = await createToken('second');
  assert.equal(await download(first), 'ok');

  assert.ok(h.forgetServerSessions(server) > 0);
  for (const t of [first, second]) {
    await assert.rejects(api.init({ dataDir: h.tempDir(), serverURL: gw.url, token: t }), (e) => e instanceof api.AuthError && e.code === 'upstream-session-expired');
  }
  await api.shutdown();

  const login = await h.gatewayCli(['login', '--upstream', server.url, '--db', db], { env: { ACTUAL_PASSWORD: server.password } });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /2 token\(s\)/);
  assert.equal(await download(first), 'ok', 'the same token works again');
  assert.equal(await download(second), 'ok');

  // ACTUAL_SESSION_TOKEN works as well (OpenID users have no password).
  h.forgetServerSessions(server);
  assert.equal(await download(first), 'upstream-session-expired');
  const fresh = await h.postJson(`${server.url}/account/login`, { loginMethod: 'password', password: server.password });
  const bySession = await h.gatewayCli(['login', '--upstream', server.url, '--db', db], { env: { ACTUAL_SESSION_TOKEN: fresh.body.data.token, ACTUAL_PASSWORD: '' } });
  assert.equal(bySession.code, 0, bySession.stderr);
  assert.equal(await download(first), 'ok');
  assert.ok(!gw.logs().includes(fresh.body.data.token), 'a session in the log');
});

test('signing in on the token page revives the tokens too', async () => {
  const token = await createToken('page-revived');
  h.forgetServerSessions(server);
  assert.equal(await download(token), 'upstream-session-expired');
  const res = await fetch(`${gw.url}/gateway/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: server.password }) });
  assert.equal(res.status, 200);
  assert.equal(await download(token), 'ok');
});

test('the database alone opens nothing: sessions are sealed under a 0600 key file kept beside it', async () => {
  const keyFile = path.join(dir, 'gateway.key');
  assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
  const fresh = await h.postJson(`${server.url}/account/login`, { loginMethod: 'password', password: server.password });
  const session = fresh.body.data.token;
  const dbFiles = fs.readdirSync(dir).filter((f) => f.startsWith('gateway.sqlite')).map((f) => path.join(dir, f));
  for (const f of dbFiles) assert.ok(!fs.readFileSync(f).includes(Buffer.from(session)), `${f} holds the session`);

  // A copy of the database without the key: the gateway names the missing key.
  const copyDir = h.tempDir('actual-gateway-copy-');
  await gw.stop();
  for (const f of dbFiles) fs.copyFileSync(f, path.join(copyDir, path.basename(f)));
  gw = await startGateway();
  await assert.rejects(startGateway(path.join(copyDir, 'gateway.sqlite')), /gateway key .*not there.*forget-sessions/s);
});

test('key rotate reseals the sessions under a new key; a running gateway keeps serving', async () => {
  const token = await createToken('rotated');
  const keyFile = path.join(dir, 'gateway.key');
  const before = fs.readFileSync(keyFile, 'utf8');
  const out = await h.gatewayCli(['key', 'rotate', '--db', db]);
  assert.equal(out.code, 0, out.stderr);
  assert.notEqual(fs.readFileSync(keyFile, 'utf8'), before);
  assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
  assert.ok(!out.stdout.includes(fs.readFileSync(keyFile, 'utf8').trim()), 'a key file rotation prints no key');
  assert.equal(await download(token), 'ok', 'the running gateway read the new key');
  await gw.stop();
  gw = await startGateway();
  assert.equal(await download(token), 'ok', 'and so does a restarted one');
});

test('ACTUAL_GATEWAY_KEY instead of a key file; a wrong key is refused by name', async () => {
  const envDir = h.tempDir('actual-gateway-envkey-');
  const envDb = path.join(envDir, 'gateway.sqlite');
  const key = crypto.randomBytes(32).toString('base64');
  const create = await h.gatewayCli(['token', 'create', '--name', 'env', '--budget', budget.syncId, '--upstream', server.url, '--db', envDb], { env: { ACTUAL_PASSWORD: server.password, ACTUAL_GATEWAY_KEY: key } });
  assert.equal(create.code, 0, create.stderr);
  assert.ok(!fs.existsSync(path.join(envDir, 'gateway.key')), 'no key file when the key comes from the environment');
  const wrong = await h.gatewayCli(['login', '--upstream', server.url, '--db', envDb], { env: { ACTUAL_PASSWORD: server.password, ACTUAL_GATEWAY_KEY: crypto.randomBytes(32).toString('base64') } });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /not the one this database's sessions were sealed with/);
  assert.ok(!wrong.stderr.includes(key));
});

// A token database as version 1 wrote it: the owner's session sealed in the token's
// own row under a key derived from the token (seal.rs, open_legacy).
function writeVersion1Db(file, { token, session, owner, budgetId }) {
  const Database = require('better-sqlite3');
  const hash = crypto.createHash('sha256').update(token).digest();
  const key = crypto.createHash('sha256').update(Buffer.concat([Buffer.from('actual-gateway/session-key/v1\0'), Buffer.from(token)])).digest();
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(hash);
  const sealed = Buffer.concat([nonce, cipher.update(session), cipher.final(), cipher.getAuthTag()]);
  const v1 = new Database(file);
  v1.exec(`CREATE TABLE api_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, prefix TEXT NOT NULL, token_hash BLOB NOT NULL UNIQUE,
    budget_ids TEXT NOT NULL, read_only INTEGER NOT NULL DEFAULT 0, enabled INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL,
    expires_at INTEGER, last_used_at INTEGER, owner TEXT NOT NULL, sealed_session BLOB NOT NULL); PRAGMA user_version = 1;`);
  v1.prepare('INSERT INTO api_tokens (id, name, prefix, token_hash, budget_ids, created_at, owner, sealed_session) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run('11111111-2222-4333-8444-555555555555', 'from v1', token.slice(0, 12), hash, JSON.stringify([budgetId]), Date.now(), owner, sealed);
  v1.close();
}

test('a version 1 database migrates: its tokens keep working, then follow login like any other', async () => {
  const v1Dir = h.tempDir('actual-gateway-v1-');
  const v1Db = path.join(v1Dir, 'gateway.sqlite');
  const fresh = await h.postJson(`${server.url}/account/login`, { loginMethod: 'password', password: server.password });
  const session = fresh.body.data.token;
  const user = await (await fetch(`${server.url}/account/validate`, { headers: { 'x-actual-token': session } })).json();
  const token = 'act_' + crypto.randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(32, 'a').slice(0, 32);
  writeVersion1Db(v1Db, { token, session, owner: user.data.userId, budgetId: budget.syncId });

  const g = await startGateway(v1Db);
  try {
    assert.equal(await download(token, g.url), 'ok', 'a version 1 token still works');
    assert.match(g.logs(), /migrated/);
    h.forgetServerSessions(server);
    assert.equal(await download(token, g.url), 'upstream-session-expired');
    const login = await h.gatewayCli(['login', '--upstream', server.url, '--db', v1Db], { env: { ACTUAL_PASSWORD: server.password } });
    assert.equal(login.code, 0, login.stderr);
    assert.equal(await download(token, g.url), 'ok', 'revived by login');
    for (const f of fs.readdirSync(v1Dir).filter((n) => n.startsWith('gateway.sqlite'))) {
      assert.ok(!fs.readFileSync(path.join(v1Dir, f)).includes(Buffer.from(session)), 'a session in plain text');
    }
  } finally {
    await g.stop();
  }
});
