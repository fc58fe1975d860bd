'use strict';
// Nothing is lost: a write that resolved is on disk, and reaches the server exactly
// once, even when the process is killed before shutdown() — before the changes are
// sent, while they are being sent, or in the middle of the write itself.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');

const h = require('./helpers/harness.js');
const { startFaultProxy } = require('./helpers/fault-proxy.js');

const WRITER = path.join(__dirname, 'helpers', 'durable-writer.js');
const COUNT = 300;

let server;
let proxy;
let budget;

test.before(async () => {
  server = await h.startServer();
  proxy = await startFaultProxy(server.url);
  budget = await h.createBudget(server, { name: 'Durable', accounts: [{ name: 'Checking', transactions: 10 }] });
});

test.after(async () => {
  await proxy?.stop();
  await server?.stop();
});

let marks = 0;
function mark() {
  marks += 1;
  return `m${marks}x${Math.random().toString(36).slice(2, 7)}`;
}

/** Starts durable-writer.js; `until(regex)` resolves with the match once it prints it. */
function writer(env) {
  const child = spawn(process.execPath, [WRITER], {
    cwd: h.ROOT,
    env: { ...process.env, URL: server.url, PW: server.password, SYNC_ID: budget.syncId, ACCOUNT: 'Checking', COUNT: String(COUNT), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = [];
  child.stdout.on('data', (chunk) => {
    out += chunk;
    for (const w of waiters) {
      const m = w.re.exec(out);
      if (m) w.resolve(m);
    }
  });
  child.stderr.on('data', () => {});
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out })));
  return {
    until(re, ms = 90000) {
      return new Promise((resolve, reject) => {
        const m = re.exec(out);
        if (m) return resolve(m);
        const timer = setTimeout(() => reject(new Error(`writer never printed ${re}:\n${out}`)), ms);
        waiters.push({ re, resolve: (v) => (clearTimeout(timer), resolve(v)) });
        exited.then(({ code }) => setTimeout(() => reject(new Error(`writer exited (${code}) before ${re}:\n${out}`)), 50));
      });
    },
    kill() {
      child.kill('SIGKILL');
      return exited;
    },
    exited,
  };
}

async function resume(dataDir, mode) {
  const w = writer({ DIR: dataDir, MODE: mode, BUDGET_ID: budget.id });
  await w.until(/SYNCED/);
  const { code } = await w.exited;
  assert.equal(code, 0);
}

/** How many of `mark`'s transactions the real client finds on the server. */
async function onServer(mark, dataDir = h.tempDir()) {
  const theirs = await h.runWorker({ op: 'download', dataDir, serverURL: server.url, password: server.password, syncId: budget.syncId });
  return theirs.transactions.filter((t) => typeof t.notes === 'string' && t.notes.startsWith(`${mark} `)).length;
}

test('killed after the import resolved, before shutdown(): the next run sends it, exactly once', async () => {
  const watcher = h.tempDir(); // the real client's own copy, synced on after our changes
  await onServer('none', watcher);
  for (const mode of ['resume-load', 'resume-download']) {
    const dataDir = h.tempDir();
    const m = mark();
    const w = writer({ DIR: dataDir, MODE: 'import', MARK: m });
    const [, added] = await w.until(/RESOLVED (\d+)/);
    await w.kill();
    assert.equal(Number(added), COUNT);
    await resume(dataDir, mode);
    assert.equal(await onServer(m), COUNT, `${mode}: every transaction reached the server`);
    await resume(dataDir, mode);
    assert.equal(await onServer(m), COUNT, `${mode}: and only once`);
    assert.equal(await onServer(m, watcher), COUNT, 'a real client with an older copy syncs on from our changes');
  }
});

test('killed in the middle of the import: all of it or none of it, and the next run is consistent', async () => {
  for (const delay of [0, 20, 60, 150, 400]) {
    const dataDir = h.tempDir();
    const m = mark();
    const w = writer({ DIR: dataDir, MODE: 'import', MARK: m });
    await w.until(/IMPORTING/);
    await new Promise((resolve) => setTimeout(resolve, delay));
    const { out } = await w.kill();
    await resume(dataDir, 'resume-download');
    const count = await onServer(m);
    assert.ok(count === 0 || count === COUNT, `killed after ${delay} ms: ${count} of ${COUNT} (${out.trim().split('\n').pop()})`);
    if (/RESOLVED/.test(out)) assert.equal(count, COUNT, 'an import that resolved is never lost');
  }
});

test('killed while the changes are being sent (stalled, or answered with the answer lost): sent exactly once', async () => {
  for (const fault of ['stall', 'reset']) {
    proxy.clear();
    const dataDir = h.tempDir();
    const m = mark();
    const w = writer({ DIR: dataDir, MODE: 'import', MARK: m, URL: proxy.url });
    await w.until(/IMPORTING/);
    const before = proxy.counts['/sync/sync'] || 0;
    proxy.set('/sync/sync', fault);
    await w.until(/RESOLVED/);
    for (let i = 0; i < 100 && (proxy.counts['/sync/sync'] || 0) <= before; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok((proxy.counts['/sync/sync'] || 0) > before, 'the changes went out');
    if (fault === 'reset') await new Promise((r) => setTimeout(r, 500));
    await w.kill();
    proxy.clear();
    assert.equal(await onServer(m), fault === 'stall' ? 0 : COUNT, 'what the server holds before the next run');
    await resume(dataDir, 'resume-load');
    assert.equal(await onServer(m), COUNT, `${fault}: sent by the next run, exactly once`);
  }
});

test('two processes import into one dataDir at once: both imports reach the server', async () => {
  const dataDir = h.tempDir();
  const [a, b] = [mark(), mark()];
  const writers = [writer({ DIR: dataDir, MODE: 'import', MARK: a, THEN: 'shutdown' }), writer({ DIR: dataDir, MODE: 'import', MARK: b, THEN: 'shutdown' })];
  const results = await Promise.all(writers.map((w) => w.exited));
  for (const r of results) assert.equal(r.code, 0, r.out);
  assert.equal(await onServer(a), COUNT);
  assert.equal(await onServer(b), COUNT);
});
