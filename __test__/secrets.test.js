'use strict';
// Secrets stay secret: across many scenarios (good and bad credentials, plain and
// encrypted budgets, through the gateway, faults), in verbose mode, nothing printed,
// no error (message, stack, inspected), no inspected API object, no file under dataDir,
// and neither the gateway's database nor its logs contain the server password, a
// session token, an API token or an encryption password.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');

const h = require('./helpers/harness.js');
const { startFaultProxy } = require('./helpers/fault-proxy.js');

const ENCRYPTION_PASSWORD = 'enc-' + Math.random().toString(36).slice(2) + '-secret';

// Each scenario: init with a credential, then some downloads; everything observable is printed.
const SCRIPT = `
  const util = require('node:util');
  const api = require('actual-api-native');
  const scenario = JSON.parse(process.env.SCENARIO);
  const show = (label, value) => console.log(label, util.inspect(value, { depth: 8, showHidden: true }));
  (async () => {
    try {
      const lib = await api.init({ dataDir: process.env.DIR, serverURL: scenario.url, verbose: true, timeout: 3000, ...scenario.credential });
      show('init result', lib);
      show('module', api);
      for (const step of scenario.downloads) {
        try {
          show('downloaded', await api.downloadBudget(step.syncId, step.password ? { password: step.password } : undefined));
        } catch (e) {
          show('download error', e);
          console.log(e.message, e.stack);
        }
      }
      show('budgets', await api.getBudgets());
    } catch (e) {
      show('init error', e);
      console.log(e.message, e.stack, JSON.stringify(e));
    } finally {
      await api.shutdown();
    }
  })();`;

function runScenario(scenario, dataDir) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', SCRIPT], { cwd: h.ROOT, env: { ...process.env, DIR: dataDir, SCENARIO: JSON.stringify(scenario) }, timeout: 60000, maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
      resolve({ out: stdout + stderr, failed: err && err.killed }),
    );
  });
}

test('no secret anywhere, whatever happens', async () => {
  const server = await h.startServer();
  const proxy = await startFaultProxy(server.url);
  const gwDir = h.tempDir('actual-secrets-gw-');
  const db = path.join(gwDir, 'gateway.sqlite');
  const gateway = await h.startGateway({ upstream: server.url, db, extra: ['--max-failed-checks', '1000'] });
  try {
    const [plain, encrypted] = await Promise.all([
      h.createBudget(server, { name: 'Secret Plain', accounts: [{ name: 'A', transactions: 20 }] }),
      h.createBudget(server, { name: 'Secret Encrypted', accounts: [{ name: 'B', transactions: 20 }], encryptPassword: ENCRYPTION_PASSWORD }),
    ]);
    const created = await h.gatewayCli(['token', 'create', '--name', 'secrets', '--budget', plain.syncId, '--budget', encrypted.syncId, '--upstream', server.url, '--db', db], { env: { ACTUAL_PASSWORD: server.password } });
    assert.equal(created.code, 0, created.stderr);
    const token = created.last;
    const scoped = await h.gatewayCli(['token', 'create', '--name', 'narrow', '--budget', plain.syncId, '--upstream', server.url, '--db', db], { env: { ACTUAL_PASSWORD: server.password } });
    const narrowToken = scoped.last;
    const unknownToken = 'act_' + 'Zz9'.repeat(10) + 'Q1';
    const secrets = [server.password, server.sessionToken, ENCRYPTION_PASSWORD, token, narrowToken, unknownToken, 'wrong-' + ENCRYPTION_PASSWORD];

    const all = [
      { password: server.password },
      { password: 'wrong-' + server.password.slice(0, 4) },
      { sessionToken: server.sessionToken },
      { sessionToken: server.sessionToken + 'x' },
    ].flatMap((credential) => [
      { url: server.url, credential },
      { url: proxy.url, credential },
    ]);
    const downloads = [
      { syncId: plain.syncId },
      { syncId: encrypted.syncId },
      { syncId: encrypted.syncId, password: 'wrong-' + ENCRYPTION_PASSWORD },
      { syncId: encrypted.syncId, password: ENCRYPTION_PASSWORD },
      { syncId: encrypted.syncId, password: ENCRYPTION_PASSWORD },
    ];
    const scenarios = [
      ...all.map((s) => ({ ...s, downloads })),
      { url: gateway.url, credential: { token }, downloads },
      { url: gateway.url, credential: { token: narrowToken }, downloads },
      { url: gateway.url, credential: { token: unknownToken }, downloads },
      { url: gateway.url, credential: { token: ` ${token}\n` }, downloads },
      { url: server.url, credential: { token }, downloads },
    ];
    const dataDirs = [];
    let printed = '';
    for (const [i, scenario] of scenarios.entries()) {
      if (i === 4) proxy.set('/sync/download-user-file', 'reset');
      if (i === 6) proxy.set('/sync/sync', 'garbage');
      const dataDir = h.tempDir();
      dataDirs.push(dataDir);
      const { out, failed } = await runScenario(scenario, dataDir);
      assert.ok(!failed, `scenario ${i} hung`);
      printed += out;
    }
    assert.match(printed, /\[actual-api-native\] sync\/download-user-file -> 200/, 'verbose output was captured');
    assert.match(printed, /InvalidTokenError|TokenScopeError/, 'error cases were exercised');

    const leaks = [];
    for (const s of secrets) {
      if (printed.includes(s)) leaks.push(`printed output holds a secret (${s.slice(0, 4)}…)`);
      if (s.trim() && printed.includes(s.trim())) leaks.push('printed output holds a trimmed secret');
    }
    for (const dir of dataDirs) for (const file of h.filesContaining(dir, secrets)) leaks.push(`file ${file}`);
    for (const file of h.filesContaining(gwDir, secrets)) leaks.push(`gateway file ${file}`);
    const logs = gateway.logs();
    for (const s of secrets) if (logs.includes(s)) leaks.push(`gateway log holds a secret (${s.slice(0, 4)}…)`);
    assert.match(logs, new RegExp(token.slice(0, 12)), 'the gateway logs tokens by prefix');
    assert.deepEqual(leaks, []);
  } finally {
    await gateway.stop();
    await proxy.stop();
    await server.stop();
  }
});
