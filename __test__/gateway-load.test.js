'use strict';
// Bounded load at the token gateway on loopback (its own real sync-server and gateway):
// a fixed number of `GET /sync/get-user-file-info` requests at a fixed concurrency,
// mixing valid, unknown, expired, disabled and out-of-scope tokens; a revoke during the
// load; a SIGKILL and restart during the load.
//
// Upstream's own limit (500 requests a minute per client, `express-rate-limit` in
// @actual-app/sync-server, not configurable) would answer 429 to the valid requests the
// gateway forwards. The server is started trusting 127.0.0.1 as a proxy
// (ACTUAL_TRUSTED_PROXIES) and every load request carries an X-Forwarded-For from a
// pool of 10.x addresses (the gateway passes it on, and does not itself trust it), so
// upstream counts them as 32 clients. The gateway's own limiter keys on the TCP peer.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const harness = require('./helpers/harness.js');
const { tempDir, startServer, createBudget } = harness;

const TOKEN_RE = /^act_[A-Za-z0-9]{32}$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CONCURRENCY = 32;
const REQUEST_TIMEOUT_MS = 15000;

let server;
let budgetA;
let budgetB;
let dbDir;
let db;
let gw;
const gateways = [];
const t = {}; // tokens by role: valid (array), expired, disabled, outOfScope

function randomToken() {
  const bytes = crypto.randomBytes(32);
  return 'act_' + Array.from(bytes, (b) => ALNUM[b % 62]).join('');
}

async function startGateway(extra = ['--max-failed-checks', '100000']) {
  const g = await harness.startGateway({ upstream: server.url, db, extra });
  gateways.push(g);
  return g;
}

async function createToken(name, budgets, extra = []) {
  const args = ['token', 'create', '--name', name, '--upstream', server.url, '--db', db, ...extra];
  for (const b of budgets) args.push('--budget', b);
  const out = await harness.gatewayCli(args, { env: { ACTUAL_PASSWORD: server.password } });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.last, TOKEN_RE);
  return { token: out.last, id: /id ([0-9a-f-]{36})/.exec(out.stdout)[1] };
}

/** One file-info request; never throws: { status, json, error }. */
async function fileInfo(base, token, i = 0) {
  try {
    const res = await fetch(`${base}/sync/get-user-file-info`, {
      headers: { 'X-ACTUAL-TOKEN': token, 'X-ACTUAL-FILE-ID': budgetA.cloudFileId, 'X-Forwarded-For': `10.0.0.${i % 32}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json };
  } catch (e) {
    return { status: null, error: (e.cause && (e.cause.code || e.cause.message)) || e.name || String(e) };
  }
}

/**
 * Runs `count` requests, `CONCURRENCY` at a time. `job(i)` gives { kind, token };
 * `base()` the gateway URL at the moment a request starts. Each result records when its
 * request started and ended (performance.now()). `onDone(n)` runs after each reply.
 */
async function load(count, job, { base = () => gw.url, onDone = () => {}, pauseOnError = 0 } = {}) {
  const results = new Array(count);
  let next = 0;
  let done = 0;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const j = job(i);
      const started = performance.now();
      const r = await fileInfo(base(), j.token, i);
      results[i] = { i, ...j, ...r, started, ended: performance.now() };
      done++;
      await onDone(done, results[i]);
      if (r.error && pauseOnError) await new Promise((res) => setTimeout(res, pauseOnError));
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { results, ms: performance.now() - t0 };
}

const BAD_STATUSES = new Set([401, 403, 429]);

function checkMixed(results) {
  const counts = {};
  for (const r of results) {
    const key = `${r.kind} ${r.status ?? r.error}`;
    counts[key] = (counts[key] || 0) + 1;
    assert.ok(r.status === null || r.status < 500, `5xx: ${JSON.stringify(r)}`);
    assert.notEqual(r.status, null, `connection error: ${JSON.stringify(r)}`);
    if (r.kind === 'valid') {
      assert.equal(r.status, 200, JSON.stringify(r));
      assert.equal(r.json.status, 'ok');
      assert.equal(r.json.data.groupId, budgetA.syncId);
    } else {
      assert.ok(BAD_STATUSES.has(r.status), `a ${r.kind} token got ${r.status}: ${JSON.stringify(r.json)}`);
    }
  }
  return counts;
}

before(async () => {
  server = await startServer({ env: { ACTUAL_TRUSTED_PROXIES: '127.0.0.1/32' } });
  budgetA = await createBudget(server, { name: 'Load A', accounts: [{ name: 'Checking', transactions: 3 }] });
  budgetB = await createBudget(server, { name: 'Load B', accounts: [{ name: 'Savings', transactions: 3 }] });
  dbDir = tempDir('actual-gateway-load-');
  db = path.join(dbDir, 'gateway.sqlite');
  gw = await startGateway();
  t.valid = [];
  for (let i = 0; i < 3; i++) t.valid.push((await createToken(`load valid ${i}`, [budgetA.syncId])).token);
  t.expired = (await createToken('load expired', [budgetA.syncId], ['--expires', '1s'])).token;
  const disabled = await createToken('load disabled', [budgetA.syncId]);
  const off = await harness.gatewayCli(['token', 'disable', disabled.id, '--db', db]);
  assert.equal(off.code, 0, off.stderr);
  t.disabled = disabled.token;
  t.outOfScope = (await createToken('load other budget', [budgetB.syncId])).token;
  // Wait the 1 s expiry out before any load.
  await new Promise((r) => setTimeout(r, 1200));
  const exp = await fileInfo(gw.url, t.expired);
  assert.equal(exp.status, 401);
  assert.equal(exp.json.reason, 'token-expired');
});

after(async () => {
  for (const g of gateways) await g.stop();
  if (server) await server.stop();
  if (dbDir) fs.rmSync(dbDir, { recursive: true, force: true });
});

function mixedJob(i) {
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
      return { kind: 'valid', token: t.valid[i % 3] };
    case 4:
    case 5:
      return { kind: 'invalid', token: randomToken() };
    case 6:
      return { kind: 'expired', token: t.expired };
    case 7:
      return { kind: 'disabled', token: t.disabled };
    default:
      return { kind: 'outOfScope', token: t.outOfScope };
  }
}

test('2,000 mixed requests at concurrency 32: valid ones 200, bad ones 401/403/429, no 5xx', { timeout: 120000 }, async () => {
  const { results, ms } = await load(2000, mixedJob);
  const counts = checkMixed(results);
  // With the limiter out of the way, each kind gets its own answer.
  for (const r of results) {
    if (r.kind === 'invalid') assert.deepEqual(r.json, { status: 'error', reason: 'unauthorized', details: 'invalid-api-token' });
    if (r.kind === 'expired') assert.equal(r.json.reason, 'token-expired');
    if (r.kind === 'disabled') assert.equal(r.json.details, 'api-token-disabled');
    if (r.kind === 'outOfScope') assert.equal(r.json.reason, 'token-scope-error');
  }
  console.log(`# 2000 requests in ${Math.round(ms)} ms (${Math.round(2000 / (ms / 1000))}/s): ${JSON.stringify(counts)}`);
});

test('with the default failure limit, bad tokens get 401/403 then 429; nothing bad is accepted', { timeout: 60000 }, async () => {
  const g = await startGateway([]);
  try {
    const { results } = await load(400, mixedJob, { base: () => g.url });
    const counts = checkMixedLimited(results);
    assert.ok(counts.limited > 0, `no 429: ${JSON.stringify(counts)}`);
  } finally {
    await g.stop();
  }
});

// Under the default limit a blocked address gets 429 for valid tokens too.
function checkMixedLimited(results) {
  const counts = { limited: 0 };
  for (const r of results) {
    assert.notEqual(r.status, null, JSON.stringify(r));
    assert.ok(r.status < 500, JSON.stringify(r));
    if (r.status === 429) counts.limited++;
    if (r.kind === 'valid') assert.ok([200, 429].includes(r.status), JSON.stringify(r));
    else assert.ok(BAD_STATUSES.has(r.status), `a ${r.kind} token got ${r.status}`);
  }
  return counts;
}

test('a CLI revoke during the load applies to every request that starts after it returns', { timeout: 120000 }, async () => {
  const victim = await createToken('load revoke', [budgetA.syncId]);
  assert.equal((await fileInfo(gw.url, victim.token)).status, 200);
  let revokeStarted = null;
  let revokeReturned = null;
  let revoking = null;
  const count = 3000;
  const { results } = await load(
    count,
    (i) => (i % 2 ? { kind: 'valid', token: t.valid[i % 3] } : { kind: 'victim', token: victim.token }),
    {
      onDone: (n) => {
        if (n === 200 && !revoking) {
          revokeStarted = performance.now();
          revoking = harness.gatewayCli(['token', 'revoke', victim.id, '--db', db]).then((out) => {
            revokeReturned = performance.now();
            assert.equal(out.code, 0, out.stderr);
          });
        }
      },
    },
  );
  await revoking;
  assert.ok(revokeReturned, 'the revoke returned');
  let before = 0;
  let after = 0;
  let during = 0;
  for (const r of results) {
    assert.ok(r.status !== null && r.status < 500, JSON.stringify(r));
    if (r.kind === 'valid') {
      assert.equal(r.status, 200, JSON.stringify(r));
      continue;
    }
    if (r.started > revokeReturned) {
      after++;
      assert.equal(r.status, 401, `request ${r.i} started ${Math.round(r.started - revokeReturned)} ms after the revoke returned: ${r.status}`);
      assert.deepEqual(r.json, { status: 'error', reason: 'unauthorized', details: 'invalid-api-token' });
    } else if (r.ended < revokeStarted) {
      before++;
      assert.equal(r.status, 200, JSON.stringify(r));
    } else {
      during++;
      assert.ok([200, 401].includes(r.status), JSON.stringify(r));
    }
  }
  console.log(`# revoke: ${before} victim requests before, ${during} overlapping the CLI (${Math.round(revokeReturned - revokeStarted)} ms), ${after} after`);
  assert.ok(before > 0 && after > 0, `before ${before}, after ${after}: the revoke did not land mid-load`);
});

test('SIGKILL and restart mid-load (same db) loses no token; the outage gives connection errors only', { timeout: 120000 }, async () => {
  const { port } = new URL(gw.url);
  const tokensBefore = [...t.valid];
  for (let i = 0; i < 5; i++) tokensBefore.push((await createToken(`load restart ${i}`, [budgetA.syncId])).token);
  let base = gw.url;
  let killedAt = null;
  let restartedAt = null;
  let restarting = null;
  const count = 2000;
  const { results } = await load(
    count,
    (i) => (i % 5 === 4 ? { kind: 'invalid', token: randomToken() } : { kind: 'valid', token: tokensBefore[i % tokensBefore.length] }),
    {
      base: () => base,
      pauseOnError: 25,
      onDone: (n) => {
        if (n === 400 && !restarting) {
          restarting = (async () => {
            const old = gw;
            killedAt = performance.now();
            await old.stop('SIGKILL');
            assert.equal(old.child.signalCode, 'SIGKILL');
            gw = await startGateway(['--max-failed-checks', '100000', '--listen', `127.0.0.1:${port}`]);
            base = gw.url;
            restartedAt = performance.now();
          })();
        }
      },
    },
  );
  await restarting;
  assert.ok(restartedAt, 'restarted');
  let errors = 0;
  let afterRestart = 0;
  for (const r of results) {
    if (r.status === null) {
      errors++;
      continue;
    }
    assert.ok(r.status < 500, JSON.stringify(r));
    if (r.kind === 'valid') assert.equal(r.status, 200, JSON.stringify(r));
    else assert.equal(r.status, 401, JSON.stringify(r));
    if (r.started > restartedAt) afterRestart++;
  }
  console.log(`# restart: ${errors} connection errors during a ${Math.round(restartedAt - killedAt)} ms outage, ${afterRestart} answered after the restart`);
  assert.ok(afterRestart > 0, 'the load went on after the restart');
  // Every token made before the kill still works; the disabled, expired and revoked ones
  // are still refused.
  for (const tok of tokensBefore) assert.equal((await fileInfo(gw.url, tok)).status, 200);
  assert.equal((await fileInfo(gw.url, t.disabled)).json.details, 'api-token-disabled');
  assert.equal((await fileInfo(gw.url, t.expired)).json.reason, 'token-expired');
  assert.equal((await fileInfo(gw.url, t.outOfScope)).status, 403);
});
