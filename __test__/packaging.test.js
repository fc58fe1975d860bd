'use strict';
// Shipping: the packed tarballs install and work with no Rust toolchain; ESM and
// CommonJS share one module; the types hold under `tsc --strict`.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');

const NODE_BIN = path.dirname(process.execPath);

test('index.d.ts: the user guide samples and ESM imports compile with tsc --strict; misuse does not', () => {
  const tsc = path.join(h.ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('ESM named and default imports are the CommonJS module', () => {
  const script = `
    import api, * as ns from 'actual-api-native';
    import { init, downloadBudget, shutdown, AuthError, TokenScopeError } from 'actual-api-native';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('actual-api-native');
    const named = Object.keys(ns).filter((k) => k !== 'default').sort();
    console.log(JSON.stringify({ same: api === cjs, init: init === cjs.init, cls: TokenScopeError.prototype instanceof AuthError,
      // internal and utils are live getters on the CommonJS module (they load the
      // official engine on first use), so ESM reaches them through the default export.
      names: named.join() === Object.keys(cjs).filter((k) => k !== 'internal' && k !== 'utils').sort().join(), fns: [downloadBudget, shutdown].every((f) => typeof f === 'function') }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: h.ROOT, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { same: true, init: true, cls: true, names: true, fns: true });
});

test('the gateway package builds for the same targets as the client', () => {
  const client = JSON.parse(fs.readFileSync(path.join(h.ROOT, 'package.json'), 'utf8'));
  const gateway = JSON.parse(fs.readFileSync(path.join(h.ROOT, 'packages', 'gateway', 'package.json'), 'utf8'));
  assert.deepEqual(gateway.napi.targets, client.napi.targets);
  assert.equal(gateway.bin['actual-token-gateway'], 'bin/actual-token-gateway.js');
  assert.equal(client.bin, undefined, 'the client package ships no gateway');
  assert.ok(fs.existsSync(path.join(h.ROOT, 'node_modules', '.bin', 'actual-token-gateway')), 'npm install links the workspace bin');
});

// No cargo or rustc on PATH: only node/npm and the system's basics.
function envWithoutRust() {
  const env = { ...process.env, PATH: `${NODE_BIN}:/usr/bin:/bin` };
  delete env.CARGO_HOME;
  delete env.RUSTUP_HOME;
  for (const tool of ['cargo', 'rustc']) {
    assert.notEqual(spawnSync('sh', ['-c', `command -v ${tool}`], { env }).status, 0, `${tool} must not be on PATH`);
  }
  return env;
}

/** An empty project with `tarballs` installed; returns its folder and node_modules listing. */
function installInto(prefix, tarballs, env) {
  const project = h.tempDir(prefix);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', ...tarballs], { cwd: project, env, encoding: 'utf8' });
  return { project, installed: fs.readdirSync(path.join(project, 'node_modules')).filter((n) => !n.startsWith('.')).sort() };
}

let packed = null;
function packLocal() {
  if (!packed) {
    const out = execFileSync('npm', ['run', '--silent', 'pack-local'], { cwd: h.ROOT, encoding: 'utf8' });
    const tarballs = out.trim().split('\n').map((line) => path.join(h.ROOT, line.split(/\s+/)[0]));
    assert.equal(tarballs.length, 4, out);
    packed = {
      client: tarballs.filter((t) => path.basename(t).startsWith('actual-api-native')),
      gateway: tarballs.filter((t) => path.basename(t).startsWith('actual-token-gateway')),
    };
    assert.equal(packed.client.length, 2, out);
    assert.equal(packed.gateway.length, 2, out);
  }
  return packed;
}

test('npm run pack-local tarballs install into an empty project and work with no Rust toolchain', async () => {
  const env = envWithoutRust();
  const { project, installed } = installInto('actual-consumer-', packLocal().client, env);
  assert.deepEqual(installed, ['actual-api-native', 'actual-api-native-linux-x64-gnu']);
  assert.ok(!fs.existsSync(path.join(project, 'node_modules', 'actual-api-native', 'Cargo.toml')), 'no sources shipped');
  assert.ok(!fs.existsSync(path.join(project, 'node_modules', '.bin', 'actual-token-gateway')), 'no gateway in the client package');

  const server = await h.startServer();
  try {
    const budget = await h.createBudget(server, { name: 'Packed Budget', accounts: [{ name: 'A', transactions: 3 }] });
    const script = `
      import { init, downloadBudget, shutdown } from 'actual-api-native';
      const cjs = (await import('node:module')).createRequire(import.meta.url)('actual-api-native');
      await init({ dataDir: process.env.DIR, serverURL: process.env.URL, password: process.env.PW });
      const b = await downloadBudget(process.env.SYNC_ID);
      await shutdown();
      console.log(b.id, typeof cjs.TokenExpiredError);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: project,
      env: { ...env, DIR: path.join(project, 'data'), URL: server.url, PW: server.password, SYNC_ID: budget.syncId },
      encoding: 'utf8',
    });
    assert.equal(out.trim(), `${budget.id} function`);
    assert.ok(fs.existsSync(path.join(project, 'data', budget.id, 'db.sqlite')));
  } finally {
    await server.stop();
  }
});

test('the gateway tarballs install alone (no client, no Rust) and issue and check tokens against a real server', async () => {
  const env = envWithoutRust();
  const { project, installed } = installInto('actual-gateway-consumer-', packLocal().gateway, env);
  assert.deepEqual(installed, ['actual-token-gateway', 'actual-token-gateway-linux-x64-gnu']);
  const bin = path.join(project, 'node_modules', '.bin', 'actual-token-gateway');
  const server = await h.startServer();
  let gw = null;
  try {
    const mine = await h.createBudget(server, { name: 'Gateway Packed', accounts: [{ name: 'A', transactions: 2 }] });
    const other = await h.createBudget(server, { name: 'Not In Scope', accounts: [{ name: 'B', transactions: 1 }] });
    const db = path.join(project, 'gw', 'gateway.sqlite');
    const created = spawnSync(bin, ['token', 'create', '--name', 'packed', '--budget', mine.syncId, '--upstream', server.url, '--db', db], {
      env: { ...env, ACTUAL_PASSWORD: server.password },
      encoding: 'utf8',
    });
    assert.equal(created.status, 0, created.stderr);
    const token = created.stdout.trim().split('\n').pop();
    assert.match(token, /^act_[A-Za-z0-9]{32}$/);

    gw = await h.spawnUntil([bin, 'serve', '--upstream', server.url, '--listen', '127.0.0.1:0', '--db', db], { ready: /Listening on (\S+)/, what: 'packed gateway', env, cwd: project, node: false });
    const url = `http://${gw.match[1]}`;
    const listing = await fetch(`${url}/sync/list-user-files`, { headers: { 'x-actual-token': token } });
    assert.equal(listing.status, 200);
    assert.deepEqual((await listing.json()).data.map((f) => f.groupId), [mine.syncId]);
    const scoped = await fetch(`${url}/sync/get-user-file-info`, { headers: { 'x-actual-token': token, 'x-actual-file-id': other.cloudFileId } });
    assert.equal(scoped.status, 403);
    const bad = await fetch(`${url}/account/validate`, { headers: { 'x-actual-token': 'act_' + 'x'.repeat(32) } });
    assert.equal(bad.status, 401);
    assert.equal((await fetch(`${url}/gateway/health`)).status, 200);
  } finally {
    if (gw) await gw.stop();
    await server.stop();
  }
});
