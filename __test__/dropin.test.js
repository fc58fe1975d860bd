'use strict';
// Drop-in for @actual-app/api: scripts written for the official client run unchanged,
// answered by this engine alone; the official client, even installed, is never loaded.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');

let server;
let budget;

test.before(async () => {
  server = await h.startServer();
  budget = await h.createBudget(server, { name: 'Drop-in Budget', accounts: [{ name: 'Checking', transactions: 25 }] });
});

test.after(async () => {
  await server?.stop();
});

// An upstream-style script, with only the package name changed.
const SCRIPT = `
  const api = require('actual-api-native');
  (async () => {
    await api.init({ dataDir: process.env.DIR, serverURL: process.env.URL, ...JSON.parse(process.env.CREDENTIAL) });
    await api.downloadBudget(process.env.SYNC_ID);
    const accounts = await api.getAccounts();
    const result = await api.importTransactions(accounts[0].id, [
      { date: '2026-02-01', amount: -Number(process.env.AMOUNT), payee_name: 'Drop-in payee', imported_id: process.env.AMOUNT + '-1' },
      { date: '2026-02-02', amount: -Number(process.env.AMOUNT) - 1, payee_name: 'Drop-in payee', imported_id: process.env.AMOUNT + '-2' },
    ]);
    await api.shutdown();
    process.stdout.write('RESULT ' + JSON.stringify({ accounts: accounts.map((a) => a.name), added: result.added.length }) + '\\n');
  })().catch((e) => { process.stdout.write('FAILED ' + e.code + ' ' + e.message + '\\n'); process.exit(1); });`;

/** Runs SCRIPT, importing two transactions of -amount and -(amount + 1). */
function runScript(credential, dataDir, amount, extraEnv = {}) {
  const run = spawnSync(process.execPath, ['-e', SCRIPT], {
    cwd: h.ROOT,
    env: { ...process.env, DIR: dataDir, URL: server.url, SYNC_ID: budget.syncId, CREDENTIAL: JSON.stringify(credential), AMOUNT: String(amount), ...extraEnv },
    encoding: 'utf8',
    timeout: 120000,
    maxBuffer: 1 << 28,
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('FAILED '));
  assert.ok(line && line.startsWith('RESULT '), `script failed: ${line}\n${run.stderr.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length));
}

test('an upstream-style script runs unchanged; the import reaches the server', async () => {
  const dataDir = h.tempDir();
  const out = runScript({ password: server.password }, dataDir, 4321);
  assert.deepEqual(out, { accounts: ['Checking'], added: 2 });

  const theirs = await h.runWorker({ op: 'download', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId });
  const imported = theirs.transactions.filter((t) => t.amount === -4321 || t.amount === -4322);
  assert.equal(imported.length, 2, 'the imported transactions are on the server');
  assert.deepEqual(h.filesContaining(dataDir, [server.password, server.sessionToken]), [], 'the official engine wrote no credential into our folder');
  const meta = JSON.parse(fs.readFileSync(path.join(dataDir, budget.id, 'metadata.json'), 'utf8'));
  assert.notEqual(meta.userId, server.sessionToken);
});

test('the same script with an API token through the gateway; the import reaches the server', async () => {
  const dbDir = h.tempDir('actual-dropin-gw-');
  const db = path.join(dbDir, 'gateway.sqlite');
  const gateway = await h.startGateway({ upstream: server.url, db });
  try {
    const created = await h.gatewayCli(['token', 'create', '--name', 'drop-in', '--budget', budget.syncId, '--upstream', server.url, '--db', db], { env: { ACTUAL_PASSWORD: server.password } });
    assert.equal(created.code, 0, created.stderr);
    const token = created.last;
    const dataDir = h.tempDir();
    const out = runScript({ token }, dataDir, 7771, { URL: gateway.url });
    assert.deepEqual(out, { accounts: ['Checking'], added: 2 });

    const theirs = await h.runWorker({ op: 'download', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId });
    assert.equal(theirs.transactions.filter((t) => t.amount === -7771 || t.amount === -7772).length, 2, 'the imported transactions are on the server');
    assert.deepEqual(h.filesContaining(dataDir, [token, server.password, server.sessionToken]), [], 'no token or password in our folder');
    assert.deepEqual(h.filesContaining(dbDir, [token, server.password, server.sessionToken]), [], 'nor in the gateway database');
  } finally {
    await gateway.stop();
  }
});

test('with @actual-app/api installed beside it, nothing loads it: what is not native is refused, naming it', () => {
  const script = `
    const api = require('actual-api-native');
    (async () => {
      await api.init({ dataDir: process.env.DIR, serverURL: process.env.URL, password: process.env.PW });
      await api.downloadBudget(process.env.SYNC_ID);
      const zip = await api.exportBudget();
      const rows = (await api.aqlQuery(api.q('transactions').calculate({ $count: '$id' }))).data;
      const [account] = await api.getAccounts();
      const listed = (await api.getTransactions(account.id, '1900-01-01', '2199-12-31')).length;
      const refused = await api.importBudget(zip, { type: 'ynab5' }).then(() => null, (e) => ({ name: e.name, code: e.code, message: e.message, isUnsupported: e instanceof api.UnsupportedError }));
      await api.shutdown();
      const official = Object.keys(require.cache).filter((f) => f.split(require('node:path').sep).includes('@actual-app'));
      console.log(JSON.stringify({ rows, listed, refused, official, internal: api.internal }));
    })().catch((e) => console.log(JSON.stringify({ failed: e.message })));`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: h.ROOT, env: { ...process.env, DIR: h.tempDir(), URL: server.url, PW: server.password, SYNC_ID: budget.syncId }, encoding: 'utf8', timeout: 180000 });
  assert.ok(require.resolve('@actual-app/api'), 'the official client is installed here');
  const out = JSON.parse(run.stdout.trim().split('\n').pop());
  // The budget's one account holds its 25 transactions and what the scripts above imported.
  assert.ok(out.rows >= 25, JSON.stringify(out));
  assert.equal(out.rows, out.listed);
  assert.deepEqual(out.refused, { name: 'UnsupportedError', code: 'unsupported-feature', message: 'importBudget of a ynab5 export is not native', isUnsupported: true });
  assert.deepEqual(out.official, [], 'nothing from @actual-app was loaded');
  assert.equal(out.internal, null);
});

test('every export of the installed @actual-app/api is exported, and the generated list is current', () => {
  const run = spawnSync(
    process.execPath,
    ['-e', `for (const m of ['log','info','warn','error','debug']) console[m] = () => {};
            process.stdout.write(JSON.stringify(Object.keys(require('@actual-app/api')).sort()));`],
    { cwd: h.ROOT, encoding: 'utf8' },
  );
  const theirs = JSON.parse(run.stdout);
  const generated = require('../upstream-exports.json');
  assert.deepEqual([...generated.functions, ...generated.objects].sort(), theirs, 'run scripts/gen-upstream-exports.js');
  const ours = Object.keys(require('../index.js'));
  assert.deepEqual(theirs.filter((name) => !ours.includes(name)), []);
});
