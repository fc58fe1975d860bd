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

function tempDir(prefix = 'actual-native-test-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
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

/** Starts a real sync-server, bootstraps `password`, resolves when it listens. */
async function startServer({ password = 'server-pass-' + Math.random().toString(36).slice(2), env = {} } = {}) {
  const port = await freePort();
  const dataDir = tempDir('actual-server-');
  const child = spawn(process.execPath, [SERVER_BIN], {
    env: { ...process.env, ACTUAL_DATA_DIR: dataDir, ACTUAL_PORT: String(port), ACTUAL_HOSTNAME: '127.0.0.1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30000);
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  const url = `http://127.0.0.1:${port}`;
  const boot = await postJson(`${url}/account/bootstrap`, { password });
  if (boot.body.status !== 'ok') throw new Error(`bootstrap failed: ${JSON.stringify(boot.body)}`);
  return {
    url,
    port,
    password,
    dataDir,
    sessionToken: boot.body.data.token,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs one step of actual-worker.js and returns its result (or throws its error). */
function runWorker(args) {
  const resultFile = path.join(tempDir('actual-worker-'), 'result.json');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [WORKER, JSON.stringify({ ...args, resultFile })], { cwd: ROOT, maxBuffer: 1 << 30, timeout: 300000 }, () => {
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
  dumpBudgetDb, ROOT, tempDir, freePort, startServer, runWorker, createBudget, listFiles, filesContaining, postJson };
