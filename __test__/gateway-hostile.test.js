'use strict';
// Hostile requests at the token gateway (its own real sync-server and gateway):
// malformed and huge headers, huge bodies, several tokens at once, garbage protobuf,
// unknown paths. After every case the gateway must still be running, still answer a
// valid token with 200, and have written no token, password or session anywhere
// (logs, database) -- only display prefixes.
const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const harness = require('./helpers/harness.js');
const { tempDir, startServer, createBudget, filesContaining } = harness;

const TOKEN_RE = /^act_[A-Za-z0-9]{32}$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

let server;
let budgetA;
let budgetB;
let gw;
let dbDir;
let session;
let tokA; // scoped to budget A
let tokB; // scoped to budget B
const secrets = []; // every full token, password and session used

function randomToken() {
  const bytes = crypto.randomBytes(32);
  const t = 'act_' + Array.from(bytes, (b) => ALNUM[b % 62]).join('');
  secrets.push(t);
  return t;
}

async function createToken(name, budgets) {
  const args = ['token', 'create', '--name', name, '--upstream', server.url, '--db', gw.db];
  for (const b of budgets) args.push('--budget', b);
  const out = await harness.gatewayCli(args, { env: { ACTUAL_PASSWORD: server.password } });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.last, TOKEN_RE);
  secrets.push(out.last);
  return out.last;
}

async function req(pathname, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(gw.url + pathname, { method, headers, body, signal: AbortSignal.timeout(30000) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/**
 * Sends raw bytes to the gateway on a fresh connection; resolves with the status line's
 * code (or null), the reply text, and whether the connection ended without a reply.
 * `body` may be a Buffer written in chunks (errors writing it after a reply are fine).
 */
function raw(head, { body, timeoutMs = 30000 } = {}) {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port: Number(port) });
    const chunks = [];
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m && err && !['ECONNRESET', 'EPIPE'].includes(err.code)) return reject(err);
      resolve({ status: m ? Number(m[1]) : null, text, closed: !m });
    };
    const timer = setTimeout(() => finish(new Error('raw request timed out')), timeoutMs);
    sock.on('data', (c) => {
      chunks.push(c);
      // One reply is all we want: stop once its head and (short) body are in.
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0) {
        const len = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
        if (len && text.length >= end + 4 + Number(len[1])) finish();
      }
    });
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (e) => finish(e));
    sock.on('connect', async () => {
      try {
        sock.write(head);
        if (body) {
          for (let i = 0; i < body.length && !done; i += 1 << 20) {
            if (!sock.write(body.subarray(i, i + (1 << 20)))) await new Promise((r) => sock.once('drain', r).once('close', r));
          }
        }
      } catch {
        // The gateway answered and closed while we were still writing: fine.
      }
    });
  });
}

function head(lines) {
  const { host } = new URL(gw.url);
  return Buffer.from(['GET /account/validate HTTP/1.1', `Host: ${host}`, 'Connection: close', ...lines, '', ''].join('\r\n'), 'latin1');
}

function rawHead(requestLine, lines) {
  const { host } = new URL(gw.url);
  return Buffer.from([requestLine, `Host: ${host}`, 'Connection: close', ...lines, '', ''].join('\r\n'), 'latin1');
}

const validate = (headers) => req('/account/validate', { headers });

function notServerError(r, what) {
  assert.ok(r.status === null || r.status < 500, `${what}: got ${r.status} ${r.text ? r.text.slice(0, 200) : ''}`);
}

// A SyncRequest protobuf: messages (1), fileId (2), groupId (3), since (6).
function varint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
function pb(field, value) {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.concat([Buffer.from([(field << 3) | 2]), varint(bytes.length), bytes]);
}
function syncBody({ fileId, groupId }) {
  return Buffer.concat([pb(2, fileId), pb(3, groupId), pb(6, '2020-01-01T00:00:00.000Z-0000-0000000000000000')]);
}
const postSync = (token, body) =>
  req('/sync/sync', { method: 'POST', headers: { 'X-ACTUAL-TOKEN': token, 'content-type': 'application/actual-sync' }, body });

before(async () => {
  server = await startServer();
  secrets.push(server.password, server.sessionToken);
  budgetA = await createBudget(server, { name: 'Hostile A' });
  budgetB = await createBudget(server, { name: 'Hostile B', accounts: [{ name: 'Savings', transactions: 3 }] });
  dbDir = tempDir('actual-gateway-hostile-');
  gw = await harness.startGateway({ upstream: server.url, db: path.join(dbDir, 'gateway.sqlite'), extra: ['--max-failed-checks', '100000'] });
  const login = await req('/account/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ loginMethod: 'password', password: server.password }),
  });
  session = login.json.data.token;
  secrets.push(session);
  tokA = await createToken('hostile A', [budgetA.syncId]);
  tokB = await createToken('hostile B', [budgetB.syncId]);
});

after(async () => {
  if (gw) await gw.stop();
  if (server) await server.stop();
  if (dbDir) fs.rmSync(dbDir, { recursive: true, force: true });
});

// After every case: alive, serving, and no secret written anywhere.
afterEach(async () => {
  assert.equal(gw.child.exitCode, null, `gateway exited:\n${gw.logs()}`);
  assert.equal(gw.child.signalCode, null, `gateway killed:\n${gw.logs()}`);
  const ok = await validate({ 'X-ACTUAL-TOKEN': tokA });
  assert.equal(ok.status, 200, ok.text);
  const logs = gw.logs();
  for (const s of secrets) assert.ok(!logs.includes(s), `a secret (${s.slice(0, 6)}...) in the gateway log`);
  assert.deepEqual(filesContaining(dbDir, secrets), [], 'a secret in the gateway database');
  assert.deepEqual(filesContaining(dbDir, secrets.filter((s) => s.startsWith('act_')).map((s) => s.slice(4))), []);
});

test('malformed X-ACTUAL-TOKEN values are refused with 401', async () => {
  const cases = [
    randomToken(), // well-formed, unknown
    'act_short',
    `act_${'A'.repeat(31)}-`,
    `act_${'A'.repeat(200)}`,
    'act_ has spaces in it',
    `${tokA.slice(0, 20)} ${tokA.slice(20)}`, // a real token with a space inside
    `${tokA}x`,
    `${tokA}, ${tokB}`, // what a client joining two headers sends
  ];
  for (const t of cases) {
    const r = await validate({ 'X-ACTUAL-TOKEN': t });
    assert.equal(r.status, 401, t);
    assert.deepEqual(r.json, { status: 'error', reason: 'unauthorized', details: 'invalid-api-token' }, t);
  }
  // A session or junk that is not an act_ token passes through; upstream refuses it.
  for (const t of ['not-a-session', 'x'.repeat(5000)]) {
    const r = await validate({ 'X-ACTUAL-TOKEN': t });
    assert.equal(r.status, 401, t);
    assert.equal(r.json.reason, 'unauthorized');
    assert.notEqual(r.json.details, 'invalid-api-token', 'upstream answered, not the gateway');
  }
});

test('tokens with CR, LF or spaces, and duplicate X-ACTUAL-TOKEN headers (raw socket)', async () => {
  const bad = [
    [`X-ACTUAL-TOKEN: ${tokA.slice(0, 16)}\r${tokA.slice(16)}`], // bare CR inside
    [`X-ACTUAL-TOKEN: ${tokA.slice(0, 16)}\n${tokA.slice(16)}`], // bare LF inside
    [`X-ACTUAL-TOKEN: ${tokA.slice(0, 16)}\r\n ${tokA.slice(16)}`], // obsolete line folding
    [`X-ACTUAL-TOKEN: ${tokA.slice(0, 16)} ${tokA.slice(16)}`],
    [`X-ACTUAL-TOKEN: ${tokA}\0`],
    [`X-ACTUAL-TOKEN: ${tokA}`, `X-ACTUAL-TOKEN: ${randomToken()}`], // valid then unknown
    [`X-ACTUAL-TOKEN: ${randomToken()}`, `X-ACTUAL-TOKEN: ${tokA}`], // unknown then valid
    [`X-ACTUAL-TOKEN: ${tokA}`, `X-ACTUAL-TOKEN: ${tokB}`], // two valid tokens
    [`X-ACTUAL-TOKEN: ${tokA}`, `x-actual-token: act_`],
  ];
  for (const lines of bad) {
    const r = await raw(head(lines));
    assert.ok(r.closed || (r.status >= 400 && r.status < 500), `${JSON.stringify(lines)} -> ${r.status}`);
    assert.notEqual(r.status, 200, JSON.stringify(lines));
  }
  // The same token twice, or a session next to it, is one token: accepted.
  for (const lines of [
    [`X-ACTUAL-TOKEN: ${tokA}`, `X-ACTUAL-TOKEN: ${tokA}`],
    ['X-ACTUAL-TOKEN: some-old-session', `X-ACTUAL-TOKEN: ${tokA}`],
  ]) {
    const r = await raw(head(lines));
    assert.equal(r.status, 200, `${JSON.stringify(lines)}\n${r.text}`);
  }
});

test('Authorization: Bearer with junk', async () => {
  for (const v of [`Bearer ${randomToken()}`, 'Bearer act_', 'Bearer act_junk junk', `bearer   ${tokA}x`, `Bearer ${tokA} ${tokA}`]) {
    const r = await validate({ Authorization: v });
    assert.equal(r.status, 401, v);
    assert.equal(r.json.details, 'invalid-api-token', v);
  }
  // Not an act_ token: passed through; upstream does not read Authorization -> 401.
  for (const v of ['Bearer', 'Bearer ', 'Bearer junk', 'Basic YWRtaW46YWRtaW4=', `Token ${tokA}`, 'x'.repeat(4000)]) {
    const r = await validate({ Authorization: v });
    assert.equal(r.status, 401, v);
    assert.notEqual(r.json.details, 'invalid-api-token', v);
  }
  assert.equal((await validate({ Authorization: `Bearer ${tokA}` })).status, 200);
  assert.equal((await validate({ Authorization: `  bEaReR   ${tokA}  ` })).status, 200);
});

test('header bytes that are not UTF-8 (raw socket)', async () => {
  const hi = '\xff\xfe\xc3\x28\x80';
  // An act_ token with such bytes is a bad token: refused, never passed upstream as a session.
  for (const lines of [[`X-ACTUAL-TOKEN: act_${hi}${'a'.repeat(27)}`], [`X-ACTUAL-TOKEN: ${tokA.slice(0, 30)}${hi}`], [`Authorization: Bearer act_${hi}`]]) {
    const r = await raw(head(lines));
    assert.equal(r.status, 401, `${JSON.stringify(lines)}\n${r.text}`);
    assert.match(r.text, /invalid-api-token/);
  }
  // Elsewhere (another header, the path): never a 5xx, never a crash.
  for (const bytes of [
    head([`X-ACTUAL-TOKEN: ${tokA}`, `X-Junk: ${hi}`]),
    head([`X-Junk${hi}: 1`, `X-ACTUAL-TOKEN: ${tokA}`]),
    rawHead(`GET /sync/${hi} HTTP/1.1`, [`X-ACTUAL-TOKEN: ${tokA}`]),
    rawHead(`GET /account/validate HTTP/1.1${hi}`, [`X-ACTUAL-TOKEN: ${tokA}`]),
    Buffer.from(`${hi}${hi}\r\n\r\n`, 'latin1'),
  ]) {
    const r = await raw(bytes);
    notServerError(r, JSON.stringify(bytes.toString('latin1').slice(0, 60)));
  }
});

test('huge headers: 431 or closed, never a 5xx', async () => {
  const big = 'a'.repeat(100 * 1024);
  const cases = [
    head([`X-Junk: ${big}`]),
    head([`X-ACTUAL-TOKEN: ${tokA}`, `X-Junk: ${big}`]),
    head([`X-ACTUAL-TOKEN: act_${big}`]),
    head([`Authorization: Bearer act_${big}`]),
    head([`X-ACTUAL-TOKEN: ${tokA}`, `X-Junk: ${'b'.repeat(1024 * 1024)}`]),
    head([`X-ACTUAL-TOKEN: ${tokA}`, ...Array.from({ length: 500 }, (_, i) => `X-H${i}: ${i}`)]),
    rawHead(`GET /${'p'.repeat(200 * 1024)} HTTP/1.1`, [`X-ACTUAL-TOKEN: ${tokA}`]),
  ];
  for (const bytes of cases) {
    const r = await raw(bytes);
    notServerError(r, `${bytes.length} bytes`);
    assert.ok(r.closed || [400, 401, 403, 404, 414, 431].includes(r.status), `${bytes.length} bytes -> ${r.status}`);
    assert.notEqual(r.status, 200);
  }
});

test('huge bodies: 30 MB sync body -> 413; huge JSON bodies', async () => {
  const { host } = new URL(gw.url);
  const body = crypto.randomBytes(30 * 1024 * 1024);
  const sync = Buffer.from(
    `POST /sync/sync HTTP/1.1\r\nHost: ${host}\r\nX-ACTUAL-TOKEN: ${tokA}\r\nContent-Type: application/actual-sync\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  const r = await raw(sync, { body });
  assert.equal(r.status, 413, r.text.slice(0, 300));
  assert.match(r.text, /payload-too-large/);
  // Chunked, no length given: the same cap.
  const chunked = Buffer.from(
    `POST /sync/sync HTTP/1.1\r\nHost: ${host}\r\nX-ACTUAL-TOKEN: ${tokA}\r\nContent-Type: application/actual-sync\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  const chunks = [];
  for (let i = 0; i < 22; i++) chunks.push(Buffer.from(`100000\r\n`), body.subarray(i << 20, (i + 1) << 20), Buffer.from('\r\n'));
  chunks.push(Buffer.from('0\r\n\r\n'));
  const rc = await raw(chunked, { body: Buffer.concat(chunks) });
  assert.equal(rc.status, 413, rc.text.slice(0, 300));

  // A 25 MB JSON body with a token (header, then body): read for inspection up to the cap.
  const json = Buffer.from(JSON.stringify({ fileId: budgetA.cloudFileId, pad: 'x'.repeat(25 * 1024 * 1024) }));
  const jsonHead = (extra) =>
    Buffer.from(`POST /sync/user-get-key HTTP/1.1\r\nHost: ${host}\r\n${extra}Content-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n`);
  const rj = await raw(jsonHead(`X-ACTUAL-TOKEN: ${tokA}\r\n`), { body: json });
  assert.equal(rj.status, 413, rj.text.slice(0, 300));
  const bodyTok = Buffer.from(JSON.stringify({ token: tokA, fileId: budgetA.cloudFileId, pad: 'x'.repeat(25 * 1024 * 1024) }));
  const rb = await raw(
    Buffer.from(`POST /sync/user-get-key HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${bodyTok.length}\r\n\r\n`),
    { body: bodyTok },
  );
  assert.equal(rb.status, 413, rb.text.slice(0, 300));
  // Large (5 MB) but under the cap, and deeply nested: answered, no 5xx.
  const five = await req('/sync/user-get-key', {
    method: 'POST',
    headers: { 'X-ACTUAL-TOKEN': tokA, 'content-type': 'application/json' },
    body: JSON.stringify({ fileId: budgetA.cloudFileId, pad: 'y'.repeat(5 * 1024 * 1024) }),
  });
  notServerError(five, '5 MB JSON');
  assert.notEqual(five.status, 401);
  const nested = '['.repeat(200000) + ']'.repeat(200000);
  for (const headers of [{ 'X-ACTUAL-TOKEN': tokA, 'content-type': 'application/json' }, { 'content-type': 'application/json' }]) {
    const n = await req('/sync/user-get-key', { method: 'POST', headers, body: nested });
    notServerError(n, 'nested JSON');
    assert.ok(n.status >= 400, `nested JSON -> ${n.status}`);
  }
  // A token whose 12th byte falls inside a character (display prefix): refused, not a dropped connection.
  const odd = await req('/sync/user-get-key', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: 'act_a\u00e9\u00e9\u00e9\u00e9\u00e9b2c3d4e5f6g7h8i9j0k1l2m3n4', fileId: budgetA.cloudFileId }),
  });
  assert.equal(odd.status, 401);
  assert.equal(odd.json.details, 'invalid-api-token');
});

test('a token in several places: one distinct token is used, two different ones are refused', async () => {
  // The rule (crates/gateway/src/server.rs `single_token`): every act_ value in
  // X-ACTUAL-TOKEN, Authorization: Bearer and a JSON body's `token` is collected; the
  // same token repeated counts once; two different ones are a 401, whichever is valid.
  const unknown = randomToken();
  const getKey = (headers, bodyToken) =>
    req('/sync/user-get-key', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(bodyToken ? { token: bodyToken, fileId: budgetA.cloudFileId } : { fileId: budgetA.cloudFileId }),
    });
  const refused = [
    validate({ 'X-ACTUAL-TOKEN': tokA, Authorization: `Bearer ${unknown}` }),
    validate({ 'X-ACTUAL-TOKEN': unknown, Authorization: `Bearer ${tokA}` }),
    validate({ 'X-ACTUAL-TOKEN': tokA, Authorization: `Bearer ${tokB}` }),
    validate({ 'X-ACTUAL-TOKEN': tokA, Authorization: 'Bearer act_junk' }),
    getKey({ 'X-ACTUAL-TOKEN': tokA }, unknown),
    getKey({ 'X-ACTUAL-TOKEN': unknown }, tokA),
    getKey({ Authorization: `Bearer ${tokA}` }, unknown),
    getKey({ 'X-ACTUAL-TOKEN': tokA, Authorization: `Bearer ${tokA}` }, tokB),
    getKey({ 'X-ACTUAL-TOKEN': tokB }, tokA),
  ];
  for (const [i, p] of refused.entries()) {
    const r = await p;
    assert.equal(r.status, 401, `case ${i}: ${r.text}`);
    assert.deepEqual(r.json, { status: 'error', reason: 'unauthorized', details: 'invalid-api-token' }, `case ${i}`);
  }
  // One token, given in one, two or three places: accepted.
  assert.equal((await validate({ 'X-ACTUAL-TOKEN': tokA, Authorization: `Bearer ${tokA}` })).status, 200);
  assert.equal((await validate({ 'X-ACTUAL-TOKEN': 'a-session-value', Authorization: `Bearer ${tokA}` })).status, 200);
  const direct = await fetch(`${server.url}/sync/user-get-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-ACTUAL-TOKEN': session },
    body: JSON.stringify({ fileId: budgetA.cloudFileId }),
  });
  const expected = direct.status;
  await direct.arrayBuffer();
  assert.notEqual(expected, 401);
  for (const r of [
    await getKey({}, tokA),
    await getKey({ 'X-ACTUAL-TOKEN': tokA }, tokA),
    await getKey({ 'X-ACTUAL-TOKEN': tokA, Authorization: `Bearer ${tokA}` }, tokA),
    await getKey({ 'X-ACTUAL-TOKEN': tokA }, 'a-session-in-the-body'),
  ]) {
    assert.equal(r.status, expected, r.text);
  }
});

test('garbage protobuf on /sync/sync with a valid token: 4xx, no 5xx', async () => {
  const fileA = budgetA.cloudFileId;
  const cases = [
    [Buffer.alloc(0), 403], // no file id
    [crypto.randomBytes(4096), null],
    [Buffer.from([0x12, 0x7f, 0x41]), 400], // truncated string
    [Buffer.from([0x10, 0x01]), 400], // fileId as a varint
    [Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 400], // absurd length
    [Buffer.from(Array(20).fill(0xff)), 400], // endless varint
    [Buffer.concat([pb(2, Buffer.from([0xff, 0xfe])), pb(3, budgetA.syncId)]), 400], // fileId not UTF-8
    [Buffer.from([0x0b, 0x0c]), 400], // group wire types
    [Buffer.from([0x02, 0x00]), 400], // field 0
    [syncBody({ fileId: budgetB.cloudFileId, groupId: budgetB.syncId }), 403], // out of scope
    [syncBody({ fileId: fileA, groupId: budgetB.syncId }), 403], // group mismatch
    [syncBody({ fileId: 'no-such-file', groupId: budgetA.syncId }), 400],
    // In scope, but the messages are garbage: upstream decides; never a 5xx.
    [Buffer.concat([pb(1, crypto.randomBytes(64)), syncBody({ fileId: fileA, groupId: budgetA.syncId })]), null],
    [Buffer.concat([pb(1, pb(1, 'not a timestamp')), syncBody({ fileId: fileA, groupId: budgetA.syncId })]), null],
    [Buffer.concat([syncBody({ fileId: fileA, groupId: budgetA.syncId }), Buffer.from([0x3a, 0x05, 0xff])]), 400], // truncated tail
  ];
  for (let i = 0; i < 30; i++) {
    // Random mutations of a valid body.
    const b = Buffer.from(syncBody({ fileId: fileA, groupId: budgetA.syncId }));
    for (let k = 0; k < 3; k++) b[crypto.randomInt(b.length)] = crypto.randomInt(256);
    cases.push([b, null]);
  }
  for (const [i, [body, want]] of cases.entries()) {
    const r = await postSync(tokA, body);
    notServerError(r, `case ${i} (${body.toString('hex').slice(0, 400)})`);
    if (want) assert.equal(r.status, want, `case ${i}: ${r.text.slice(0, 200)}`);
    else assert.ok(r.status < 500, `case ${i}`);
  }
  // The valid body works.
  assert.equal((await postSync(tokA, syncBody({ fileId: fileA, groupId: budgetA.syncId }))).status, 200);
});

test('unknown paths: 403 forbidden-auth-method with a token, upstream answer without', async () => {
  const paths = [
    ['GET', '/no/such/path'],
    ['POST', '/no/such/path'],
    ['GET', '/sync/no-such-endpoint'],
    ['POST', '/sync/sync/extra'],
    ['DELETE', '/sync/list-user-files'],
    ['PUT', '/account/validate'],
  ];
  for (const [method, p] of paths) {
    for (const headers of [{ 'X-ACTUAL-TOKEN': tokA }, { Authorization: `Bearer ${tokA}` }]) {
      const r = await req(p, { method, headers });
      assert.equal(r.status, 403, `${method} ${p}`);
      assert.deepEqual(r.json, { status: 'error', reason: 'forbidden-auth-method' }, `${method} ${p}`);
    }
    const via = await req(p, { method });
    const direct = await fetch(server.url + p, { method });
    const directText = await direct.text();
    assert.equal(via.status, direct.status, `${method} ${p}`);
    assert.equal(via.text, directText, `${method} ${p}`);
  }
  const notFound = await req('/no/such/path', { method: 'POST' });
  assert.equal(notFound.status, 404);
  // Dot segments and encoded ones, sent as they are (fetch would resolve them first):
  // never one of the token's routes.
  for (const p of ['/../../etc/passwd', '/%2e%2e/account/validate', '/sync/../account/validate', '/sync/%2e%2e/admin/users', '//account/validate', '/account/validate/..']) {
    for (const auth of [`X-ACTUAL-TOKEN: ${tokA}`, `Authorization: Bearer ${tokA}`]) {
      const r = await raw(rawHead(`GET ${p} HTTP/1.1`, [auth]));
      assert.equal(r.status, 403, `${p}: ${r.text.slice(0, 200)}`);
      assert.match(r.text, /forbidden-auth-method/);
    }
  }
});
