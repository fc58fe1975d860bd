'use strict';
// Test harness: a real @actual-app/sync-server on 127.0.0.1 with a temp data dir,
// and fixture steps run by the real @actual-app/api in child processes.
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER_BIN = path.join(ROOT, 'node_modules/@actual-app/sync-server/build/bin/actual-server.js');
const WORKER = path.join(__dirname, 'actual-worker.js');
// The gateway's own package (an npm workspace): its launcher, as node_modules/.bin runs it.
const GATEWAY_BIN = path.join(ROOT, 'packages/gateway/bin/actual-token-gateway.js');

// Every temporary folder a test process makes is removed when it exits (set
// ACTUAL_TEST_KEEP_TMP=1 to keep them for a post-mortem).
const madeDirs = new Set();
process.on('exit', () => {
  if (process.env.ACTUAL_TEST_KEEP_TMP) return;
  for (const dir of madeDirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
});

function tempDir(prefix = 'actual-native-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.add(dir);
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function postJson(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/**
 * Spawns `node <args>` (or, with `node: false`, the program args[0]) and resolves once its output matches `ready` (a RegExp), with
 * the child, the match and a `stop()` that ends it (SIGTERM by default) and waits.
 */
async function spawnUntil(args, { ready, env = {}, what, timeoutMs = 30000, cwd = ROOT, node = true }) {
  // node: false runs args[0] itself (an installed bin) instead of `node args...`.
  const [cmd, argv] = node ? [process.execPath, args] : [args[0], args.slice(1)];
  const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = ready.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  // Keep collecting, so that tests can read everything the child printed.
  child.stdout.on('data', () => {});
  return {
    child,
    match,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * The launcher of a sync-server release installed under an npm alias (package.json
 * devDependencies, e.g. 'sync-server-25-6'), for startServer's `bin`.
 */
function serverRelease(alias) {
  return path.join(ROOT, 'node_modules', alias, 'build/bin/actual-server.js');
}

/**
 * Starts a real sync-server, bootstraps `password`, resolves when it listens. `bin`
 * picks another release's launcher (serverRelease(alias)); the default is the main
 * @actual-app/sync-server. `preload`: a module the server's process requires first
 * (NODE_OPTIONS=--require), e.g. fake-banks-preload.js.
 */
async function startServer({ password = 'server-pass-' + Math.random().toString(36).slice(2), env = {}, bin = SERVER_BIN, preload } = {}) {
  const port = await freePort();
  const dataDir = tempDir('actual-server-');
  const nodeOptions = [process.env.NODE_OPTIONS, preload && `--require ${JSON.stringify(preload)}`].filter(Boolean).join(' ');
  const proc = await spawnUntil([bin], {
    ready: /Listening on/,
    what: 'sync-server',
    env: { ACTUAL_DATA_DIR: dataDir, ACTUAL_PORT: String(port), ACTUAL_HOSTNAME: '127.0.0.1', NODE_ENV: 'production', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}), ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  // Some releases (25.6.0) print "Listening on" a moment before they accept
  // connections: try the first request again for a few seconds.
  let boot;
  for (let attempt = 1; ; attempt++) {
    try {
      boot = await postJson(`${url}/account/bootstrap`, { password });
      break;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  if (boot.body.status !== 'ok') throw new Error(`bootstrap failed: ${JSON.stringify(boot.body)}`);
  return {
    url,
    port,
    password,
    dataDir,
    sessionToken: boot.body.data.token,
    async stop() {
      await proc.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes the real server forget every session (as when ACTUAL_TOKEN_EXPIRATION passes
 * or OpenID is switched on or off): deletes the rows of its account.sqlite `sessions`.
 */
function forgetServerSessions(server) {
  const Database = require('better-sqlite3');
  const accountDb = listFiles(server.dataDir).find((f) => path.basename(f) === 'account.sqlite');
  const db = new Database(accountDb);
  try {
    return db.prepare('DELETE FROM sessions').run().changes;
  } finally {
    db.close();
  }
}

/** Starts `actual-token-gateway serve` in front of `upstream`; resolves once it listens. */
async function startGateway({ upstream, db, extra = [] }) {
  const proc = await spawnUntil([GATEWAY_BIN, 'serve', '--upstream', upstream, '--listen', '127.0.0.1:0', '--db', db, ...extra], {
    ready: /Listening on (\S+)/,
    what: 'actual-token-gateway',
    timeoutMs: 20000,
  });
  return { url: `http://${proc.match[1]}`, child: proc.child, db, logs: proc.output, stop: proc.stop };
}

/** Runs the gateway CLI; resolves { code, stdout, stderr, last } (last = last stdout line). */
function gatewayCli(args, { env = {} } = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [GATEWAY_BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const lines = stdout.trim().split('\n');
      resolve({ code: err ? err.code : 0, stdout, stderr, last: lines[lines.length - 1] });
    });
  });
}

/**
 * Runs one step of actual-worker.js and returns its result (or throws its error).
 * Seeding very large budgets takes minutes: `timeoutMs` raises the default bound.
 */
function runWorker(args, { timeoutMs = 300000, env = {} } = {}) {
  const resultFile = path.join(tempDir('actual-worker-'), 'result.json');
  return new Promise((resolve, reject) => {
    const options = { cwd: ROOT, maxBuffer: 1 << 30, timeout: timeoutMs, env: { ...process.env, ...env } };
    execFile(process.execPath, [WORKER, JSON.stringify({ ...args, resultFile })], options, () => {
      let out;
      try {
        out = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      } catch (e) {
        reject(new Error(`worker ${args.op} left no result`));
        return;
      } finally {
        fs.rmSync(path.dirname(resultFile), { recursive: true, force: true });
      }
      if (out.ok) resolve(out.result);
      else reject(Object.assign(new Error(`worker ${args.op} failed: ${out.error}`), { code: out.code }));
    });
  });
}

/** Creates a budget on `server` with the real client; returns { id, syncId, cloudFileId }. */
function createBudget(server, { name, accounts = [{ name: 'Checking', transactions: 20 }], encryptPassword } = {}) {
  return runWorker({ op: 'createBudget', dataDir: tempDir('actual-fixture-'), serverURL: server.url, password: server.password, name, accounts, encryptPassword });
}

// A cold script: init with a password, download one budget, print the outcome as JSON.
const DOWNLOAD_SCRIPT = `
  const api = require('actual-api-native');
  api.init({ dataDir: process.env.DIR, serverURL: process.env.URL, password: process.env.PW })
    .then(() => api.downloadBudget(process.env.SYNC_ID))
    .then((b) => console.log(JSON.stringify({ ok: b.id })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))
    .finally(() => api.shutdown());`;

/**
 * Downloads in a child process (asynchronously, so servers living in the test process
 * keep serving). env: DIR, URL, PW, SYNC_ID, plus anything else the child should see.
 * Resolves to { ok: id } or { code, message }.
 */
function downloadInChild(env) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', DOWNLOAD_SCRIPT], { cwd: ROOT, env, encoding: 'utf8', timeout: 60000 }, (err, stdout) => {
      const last = (stdout || '').trim().split('\n').pop();
      resolve(last ? JSON.parse(last) : { code: 'no-output', message: String(err) });
    });
  });
}

/** Builds a realistic budget (realistic-budget.js) on `server`; returns { id, syncId, cloudFileId }. */
function createRealisticBudget(server, { name, budgetType = 'envelope', encryptPassword, withRules = true, withUnrunnableRules = true } = {}) {
  return runWorker({ op: 'buildRealistic', name, budgetType, encryptPassword, withRules, withUnrunnableRules, dataDir: tempDir('actual-fixture-'), changeDir: tempDir('actual-fixture-'), serverURL: server.url, password: server.password });
}

/**
 * Has an older @actual-app/api release (`release`: its npm alias in package.json) make
 * a budget (old-release-budget.js) on `server`, upload it, then change it in a second
 * session of that release; returns { id, syncId, cloudFileId, migrations, caps }.
 */
async function createOldReleaseBudget(server, { release, name, budgetType = 'envelope', encryptPassword }) {
  const common = { release, budgetType, encryptPassword, serverURL: server.url, password: server.password };
  const budget = await runWorker({ op: 'buildOldRelease', name, dataDir: tempDir('actual-fixture-'), ...common });
  for (let attempt = 1; ; attempt++) {
    try {
      await runWorker({ op: 'changeOldRelease', syncId: budget.syncId, dataDir: tempDir('actual-fixture-'), ...common });
      return budget;
    } catch (err) {
      // 24.10.1's download can lose the sync ids before any change is made: run again.
      if (err.code !== 'lost-sync-ids' || attempt >= 3) throw err;
    }
  }
}

/** Runs helpers/<script> with this package in a child process; resolves to its { answers, loaded }. */
function runNative(script, args, { env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const options = { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 1 << 30, timeout: 180000 };
    const resultFile = path.join(tempDir('actual-native-result-'), 'result.json');
    execFile(process.execPath, [path.join(__dirname, script), JSON.stringify({ dataDir: tempDir('actual-native-'), resultFile, ...args })], options, (err, stdout, stderr) => {
      let out;
      try {
        out = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      } catch {
        reject(new Error(`${script} left no result: ${err}\n${stderr}`));
        return;
      }
      if (out.failed) reject(new Error(`${script} failed: ${out.failed.code} ${out.failed.message}\n${out.failed.stack}`));
      else resolve(out);
    });
  });
}

/** Every read with @actual-app/api and with this package, each in its own process. */
async function readsBothWays(server, budget, { env = {}, encryptPassword, months } = {}) {
  const common = { serverURL: server.url, password: server.password, syncId: budget.syncId, encryptPassword, months };
  const [theirs, ours] = await Promise.all([
    runWorker({ op: 'readAll', dataDir: tempDir('actual-upstream-'), ...common }, { env }),
    runNative('native-run.js', { task: 'reads', ...common }, { env }),
  ]);
  return { theirs, ours: ours.answers, loaded: ours.loaded };
}

/** Every file path under `dir`, recursively. */
function listFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** Asserts no file under `dir` contains any of `secrets` (raw bytes). */
function filesContaining(dir, secrets) {
  const hits = [];
  for (const file of listFiles(dir)) {
    const data = fs.readFileSync(file);
    for (const s of secrets) if (s && data.includes(Buffer.from(s))) hits.push(file);
  }
  return hits;
}

/**
 * Every table of a budget's db.sqlite as sorted JSON rows, for comparing two copies.
 * Only local state may differ: the kvcache tables, messages_crdt's local row id, and the
 * clock's timestamp (wall time and node id) -- its merkle trie must match.
 */
function dumpBudgetDb(dbPath) {
  const Database = require('better-sqlite3');
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const out = {};
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    for (const { name } of tables) {
      if (name === 'kvcache' || name === 'kvcache_key') continue;
      let rows = db.prepare(`SELECT * FROM "${name}"`).all();
      if (name === 'messages_clock') rows = rows.map((r) => ({ id: r.id, merkle: JSON.parse(r.clock).merkle }));
      if (name === 'messages_crdt') rows = rows.map(({ id, ...rest }) => rest);
      out[name] = rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
    }
    return out;
  } finally {
    db.close();
  }
}

module.exports = {
  createRealisticBudget,
  createOldReleaseBudget,
  readsBothWays,
  runNative,
  dumpBudgetDb,
  downloadInChild,
  startGateway,
  gatewayCli,
  forgetServerSessions,
  spawnUntil, ROOT, tempDir, freePort, startServer, serverRelease, runWorker, createBudget, listFiles, filesContaining, postJson };
