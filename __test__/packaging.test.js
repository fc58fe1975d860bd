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
      names: named.join() === Object.keys(cjs).sort().join(), fns: [downloadBudget, shutdown].every((f) => typeof f === 'function') }));`;
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

// The tarballs `npm run pack-local` writes (made once for this file): each package's
// main and platform tarballs, the main one first.
let tarballs;
function packed() {
  if (!tarballs) {
    const out = execFileSync('npm', ['run', '--silent', 'pack-local'], { cwd: h.ROOT, encoding: 'utf8' });
    const all = out.trim().split('\n').map((line) => path.join(h.ROOT, line.split(/\s+/)[0]));
    assert.equal(all.length, 4, out);
    tarballs = {
      client: all.filter((t) => path.basename(t).startsWith('actual-api-native')),
      gateway: all.filter((t) => path.basename(t).startsWith('actual-token-gateway')),
    };
    assert.equal(tarballs.client.length, 2, out);
    assert.equal(tarballs.gateway.length, 2, out);
  }
  return tarballs;
}

// No cargo or rustc on PATH: only node/npm and the system's basics.
function consumerEnv() {
  const env = { ...process.env, PATH: `${NODE_BIN}:/usr/bin:/bin` };
  delete env.CARGO_HOME;
  delete env.RUSTUP_HOME;
  for (const tool of ['cargo', 'rustc']) {
    assert.notEqual(spawnSync('sh', ['-c', `command -v ${tool}`], { env }).status, 0, `${tool} must not be on PATH`);
  }
  return env;
}

test('npm run pack-local tarballs install into an empty project and work with no Rust toolchain', async () => {
  const tarballs = packed().client;
  const env = consumerEnv();
  const project = h.tempDir('actual-consumer-');
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', ...tarballs], { cwd: project, env, encoding: 'utf8' });
  const installed = fs.readdirSync(path.join(project, 'node_modules')).sort();
  assert.deepEqual(installed.filter((n) => n.startsWith('actual-api-native')), ['actual-api-native', 'actual-api-native-linux-x64-gnu']);
  assert.ok(!fs.existsSync(path.join(project, 'node_modules', 'actual-api-native', 'Cargo.toml')), 'no sources shipped');
  // The rules test's binding is in the test build only (cargo feature test-rules).
  const platformDir = path.join(project, 'node_modules', 'actual-api-native-linux-x64-gnu');
  const addon = fs.readdirSync(platformDir).find((f) => f.endsWith('.node'));
  const exported = execFileSync(process.execPath, ['-p', `Object.keys(require(${JSON.stringify(path.join(platformDir, addon))})).join()`], { env, encoding: 'utf8' });
  assert.ok(exported.includes('connectOffline'), exported);
  assert.ok(!/testOnly/i.test(exported), `the published addon exports a test-only binding: ${exported}`);
  assert.ok(!/testOnly/i.test(fs.readFileSync(path.join(project, 'node_modules', 'actual-api-native', 'binding.d.ts'), 'utf8')));

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

    // The types stand alone: tsc --strict without skipLibCheck, @actual-app/api absent.
    assert.ok(!fs.existsSync(path.join(project, 'node_modules', '@actual-app')));
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], typeRoots: [path.join(h.ROOT, 'node_modules', '@types')] },
      include: ['*.ts'],
    }));
    fs.writeFileSync(path.join(project, 'report.ts'), `
      import api = require('actual-api-native');
      import type { APIAccountEntity } from 'actual-api-native/models';
      export async function report(): Promise<number> {
        await api.init({ serverURL: 'http://localhost:5006', token: process.env.ACTUAL_API_TOKEN });
        await api.downloadBudget('sync-id');
        const accounts: APIAccountEntity[] = await api.getAccounts();
        const month = await api.getBudgetMonth('2026-01');
        const txns: api.TransactionEntity[] = await api.getTransactions(accounts[0].id, '2026-01-01', '2026-12-31');
        const other: api.BudgetClient = await api.createClient({ dataDir: './other' });
        await other.loadBudget('budget-id');
        const detail: api.BudgetMonth = await other.getBudgetMonth('2026-01');
        await api.shutdown();
        return month.toBudget + detail.categoryGroups.length + txns.length + (await other.getAccountBalance(accounts[0].id, new Date()));
      }`);
    const tsc = spawnSync(process.execPath, [path.join(h.ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8' });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);

    assert.ok(!fs.existsSync(path.join(project, 'node_modules', '.bin', 'actual-token-gateway')), 'no gateway in the client package');
  } finally {
    await server.stop();
  }
});

test('installed under the name @actual-app/api, an unchanged script runs natively and never loads the official client', async () => {
  const [main, platform] = packed().client;
  const env = consumerEnv();
  const project = h.tempDir('actual-alias-');
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'alias-consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', `@actual-app/api@file:${main}`, platform], { cwd: project, env, encoding: 'utf8' });
  assert.equal(JSON.parse(fs.readFileSync(path.join(project, 'node_modules', '@actual-app', 'api', 'package.json'), 'utf8')).name, 'actual-api-native');

  const server = await h.startServer();
  try {
    const budget = await h.createBudget(server, { name: 'Alias Budget', accounts: [{ name: 'Checking', transactions: 4 }] });
    const script = `
      const api = require('@actual-app/api');
      (async () => {
        await api.init({ dataDir: process.env.DIR, serverURL: process.env.URL, password: process.env.PW });
        await api.downloadBudget(process.env.SYNC_ID);
        const accounts = await api.getAccounts();
        const refused = await api.importBudget(new Uint8Array(0), { type: 'ynab4' }).then(() => 'resolved', (e) => e.code);
        await api.shutdown();
        const official = Object.keys(require.cache).filter((f) => f.includes('@actual-app') && !f.includes('@actual-app/api/'));
        console.log(JSON.stringify({ accounts: accounts.map((a) => a.name), refused, official }));
      })().catch((e) => { console.log(JSON.stringify({ failed: e.code || e.message })); });`;
    const run = (extraEnv = {}) => JSON.parse(execFileSync(process.execPath, ['-e', script], {
      cwd: project,
      env: { ...env, DIR: h.tempDir(), URL: server.url, PW: server.password, SYNC_ID: budget.syncId, ...extraEnv },
      encoding: 'utf8',
    }).trim().split('\n').pop());
    assert.deepEqual(run(), { accounts: ['Checking'], refused: 'unsupported-feature', official: [] });

    // The official client installed beside it under a second name is never loaded.
    fs.symlinkSync(path.join(h.ROOT, 'node_modules', '@actual-app', 'api'), path.join(project, 'node_modules', '@actual-app', 'api-official'));
    assert.deepEqual(run(), { accounts: ['Checking'], refused: 'unsupported-feature', official: [] });
  } finally {
    await server.stop();
  }
});

test('without its platform package, requiring the package says which one is missing and how to install it', () => {
  const [main, platform] = packed().client;
  const project = h.tempDir('actual-no-platform-');
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'no-platform', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', main], { cwd: project, env: consumerEnv(), encoding: 'utf8' });
  const run = spawnSync(process.execPath, ['-e', "try { require('actual-api-native') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }"], { cwd: project, encoding: 'utf8' });
  const err = JSON.parse(run.stdout);
  const platformName = path.basename(platform).replace(/-\d+\.\d+\.\d+\.tgz$/, '');
  assert.equal(err.code, 'native-addon-missing');
  assert.ok(err.message.includes(`the package ${platformName} is missing`), err.message);
  assert.ok(err.message.includes(`npm install ${platformName}@`), err.message);
  assert.doesNotMatch(err.message, /npm has a bug/);
});

test('the gateway tarballs install alone (no client, no Rust) and issue and check tokens against a real server', async () => {
  const env = consumerEnv();
  const project = h.tempDir('actual-gateway-consumer-');
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'gateway-consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', ...packed().gateway], { cwd: project, env, encoding: 'utf8' });
  const installed = fs.readdirSync(path.join(project, 'node_modules')).filter((n) => !n.startsWith('.')).sort();
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

// The README's "Actual's CLI": an npm `overrides` entry puts this package where Actual's
// own CLI (@actual-app/cli) expects @actual-app/api, and the official engine is never
// installed. Its answer must be the one the CLI prints on the real @actual-app/api
// (cli.test.js compares every command that way, in this repository's node_modules).
test('@actual-app/cli installed with an npm override of @actual-app/api runs on this package', async () => {
  const [main, platform] = packed().client;
  const env = consumerEnv();
  const project = h.tempDir('actual-cli-consumer-');
  const cliVersion = JSON.parse(fs.readFileSync(path.join(h.ROOT, 'package.json'), 'utf8')).devDependencies['@actual-app/cli'];
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
    name: 'cli-consumer',
    version: '1.0.0',
    private: true,
    // Published, the platform package comes with the main one (optionalDependencies);
    // packed locally it is not on the registry, so it is named here.
    dependencies: { '@actual-app/cli': cliVersion, 'actual-api-native-linux-x64-gnu': `file:${platform}` },
    overrides: { '@actual-app/api': `file:${main}` },
  }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, env, encoding: 'utf8' });
  const modules = path.join(project, 'node_modules');
  assert.equal(JSON.parse(fs.readFileSync(path.join(modules, '@actual-app', 'api', 'package.json'), 'utf8')).name, 'actual-api-native');
  assert.deepEqual(fs.readdirSync(path.join(modules, '@actual-app')).sort(), ['api', 'cli'], 'no official engine, no @actual-app/core');

  const bin = path.join(modules, '.bin', 'actual');
  const help = spawnSync(bin, ['--help'], { cwd: project, env, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: actual /);

  const server = await h.startServer();
  try {
    const budget = await h.createBudget(server, { name: 'CLI Packed', accounts: [{ name: 'Checking', transactions: 5 }, { name: 'Savings', transactions: 2 }] });
    const cliEnv = (dataDir) => ({ ...env, HOME: project, ACTUAL_SERVER_URL: server.url, ACTUAL_PASSWORD: server.password, ACTUAL_SYNC_ID: budget.syncId, ACTUAL_DATA_DIR: dataDir });
    const ours = spawnSync(bin, ['accounts', 'list'], { cwd: project, env: cliEnv(path.join(project, 'data')), encoding: 'utf8' });
    const official = spawnSync(process.execPath, [path.join(h.ROOT, 'node_modules/@actual-app/cli/dist/cli.js'), 'accounts', 'list'], { cwd: project, env: cliEnv(h.tempDir()), encoding: 'utf8' });
    assert.equal(official.status, 0, official.stderr);
    assert.deepEqual(JSON.parse(official.stdout).map((a) => a.name), ['Checking', 'Savings']);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stderr, '');
    assert.equal(ours.stdout, official.stdout);
  } finally {
    await server.stop();
  }
});
