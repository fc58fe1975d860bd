#!/usr/bin/env node
'use strict';
// Side-by-side benchmark (issue 5): this package vs. @actual-app/api vs. a raw "floor"
// client, each as a cold `node` process downloading the same budget from a real
// sync-server on 127.0.0.1. `npm run bench -- --sizes S,M --runs 3` for a quick run.
// For M and L it also times the second run of a script that keeps its dataDir (the
// local copy is there; both clients only sync the changes made since).
//
// Prints one markdown table to stdout, progress to stderr, and writes bench/results.json
// and bench/RESULTS.md.
const { spawn, execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const harness = require('../__test__/helpers/harness.js');
const { benchScenario } = require('./scenarios.js');

const ROOT = harness.ROOT;
const BENCH = __dirname;
const COLD = path.join(BENCH, 'cold.js');

const SIZES = {
  S: { label: 'S', transactions: 1000, changes: 0 },
  M: { label: 'M', transactions: 10000, changes: 2000 },
  L: { label: 'L', transactions: 50000, changes: 10000 },
  ME: { label: 'M encrypted', transactions: 10000, changes: 2000, encrypt: true },
  // The import scenario's budget: M's size with rules that fire on the import, no
  // changes after the upload (each run imports into a fresh twin of its snapshot).
  MI: { label: 'M with rules', transactions: 10000, changes: 0, rules: true },
  // Made and uploaded by an older release (an npm alias in package.json): both clients
  // migrate it (23 migrations) as they download it.
  MO: { label: 'M made by 24.10.1', transactions: 10000, changes: 0, release: 'api-24-10' },
};
// Script scenarios (bench/scenarios.js) and the sizes they run on.
const SCENARIO_SIZES = { report: ['S', 'M', 'L'], import: ['MI'], query: ['M', 'L'], querywarm: ['M', 'L'] };
const CLIENTS = ['ours', 'upstream', 'floor'];
// Per cold run; upstream on L takes tens of seconds on a 2-core machine.
const RUN_TIMEOUT_MS = { S: 120000, M: 180000, L: 600000, ME: 180000, MO: 180000 };
const SEED_TIMEOUT_MS = 1800000;
const GOALS = [
  { id: 'M-wall', size: 'M', what: 'wall', ratio: 'upstream', max: 0.15, text: 'M wall ≤ 0.15 × upstream' },
  { id: 'M-rss', size: 'M', what: 'rss', ratio: 'upstream', max: 0.4, text: 'M peak RSS ≤ 0.40 × upstream' },
  { id: 'L-wall', size: 'L', what: 'wall', ratio: 'upstream', max: 0.07, text: 'L wall ≤ 0.07 × upstream' },
  { id: 'floor', size: '*', what: 'wall', ratio: 'floor', max: 1.3, text: 'ours wall ≤ 1.3 × floor' },
  // Migrating is not slower than upstream's (issue 21).
  { id: 'MO-wall', size: 'MO', what: 'wall', ratio: 'upstream', max: 1.0, text: 'old-release M wall ≤ 1.0 × upstream' },
];
// Goals of the script scenarios and the second run (issues 12 and 13).
const SCENARIO_GOALS = [
  { scenario: 'report', size: 'M', what: 'wall', max: 0.15, text: 'report M wall ≤ 0.15 × upstream' },
  { scenario: 'report', size: 'M', what: 'rss', max: 0.35, text: 'report M peak RSS ≤ 0.35 × upstream' },
  { scenario: 'import', size: 'MI', what: 'wall', max: 0.15, text: 'import wall ≤ 0.15 × upstream' },
  { scenario: 'import', size: 'MI', what: 'rss', max: 0.35, text: 'import peak RSS ≤ 0.35 × upstream' },
  // Issue 22: ActualQL natively; RSS above bare Node (`node -e 0`).
  { scenario: 'query', size: 'M', what: 'wall', max: 0.15, text: 'query M wall ≤ 0.15 × upstream' },
  { scenario: 'query', size: 'M', what: 'rssAboveNode', max: 0.2, text: 'query M peak RSS above bare Node ≤ 0.20 × upstream' },
  { scenario: 'query', size: 'L', what: 'wall', max: 0.15, text: 'query L wall ≤ 0.15 × upstream' },
  // Warm, each query no slower than upstream's: the largest ours/upstream over QUERIES.
  { scenario: 'querywarm', size: 'M', what: 'slowestRead', max: 1.0, text: 'query M warm: every query ≤ 1.0 × upstream' },
  { scenario: 'querywarm', size: 'L', what: 'slowestRead', max: 1.0, text: 'query L warm: every query ≤ 1.0 × upstream' },
  { scenario: 'second', size: 'M', what: 'wall', max: 0.15, text: 'second run M wall ≤ 0.15 × upstream' },
];

function parseArgs(argv) {
  const out = { sizes: ['S', 'M', 'L', 'ME', 'MO'], scenarios: ['download', 'report', 'import', 'query', 'querywarm'], runs: 5, warmup: 1, gateway: true, footprint: true, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a.startsWith('--sizes')) out.sizes = value().split(',').map((s) => s.trim().toUpperCase().replace(/^M[-_ ]?ENC(RYPTED)?$/, 'ME')).filter(Boolean);
    else if (a.startsWith('--runs')) out.runs = Math.max(1, parseInt(value(), 10));
    else if (a.startsWith('--warmup')) out.warmup = Math.max(0, parseInt(value(), 10));
    else if (a === '--no-gateway') out.gateway = false;
    else if (a === '--keep-env') out.keepEnv = true;
    else if (a === '--no-footprint') out.footprint = false;
    else if (a.startsWith('--scenarios')) out.scenarios = value().split(',').map((x) => x.trim()).filter(Boolean);
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run bench -- [--sizes S,M,L,ME,MO] [--scenarios download,report,import,query,querywarm] [--runs N] [--warmup N] [--no-gateway] [--no-footprint] [--keep-env]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const s of out.sizes) if (!SIZES[s]) throw new Error(`unknown size ${s} (S, M, L, ME, MO)`);
  return out;
}

function progress(msg) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------
// Server and seeding

/** A real sync-server whose per-IP rate limit is raised (see raise-rate-limit.mjs). */
function startBenchServer() {
  const hook = pathToFileURL(path.join(BENCH, 'raise-rate-limit.mjs')).href;
  const nodeOptions = [process.env.NODE_OPTIONS, `--import ${hook}`].filter(Boolean).join(' ');
  return harness.startServer({ env: { NODE_OPTIONS: nodeOptions } });
}

/** Seeds one budget with the real @actual-app/api: an import, then changes as sync messages. */
async function seed(server, key) {
  const spec = SIZES[key];
  const encryptPassword = spec.encrypt ? 'bench-e2e-' + Math.random().toString(36).slice(2) : undefined;
  const started = Date.now();
  progress(`seeding ${spec.label}: ${spec.transactions} transactions with @actual-app/api (import + upload)...`);
  // harness.createBudget, with a data dir we can remove afterwards (L leaves ~100 MB).
  const fixtureDir = harness.tempDir('actual-bench-fixture-');
  let budget;
  try {
    budget = await harness.runWorker({
      op: 'createBudget',
      dataDir: fixtureDir,
      serverURL: server.url,
      password: server.password,
      name: `Bench ${key} ${Date.now()}`,
      accounts: [{ name: 'Checking', transactions: spec.transactions }],
      rules: Boolean(spec.rules),
      release: spec.release,
      encryptPassword,
    }, { timeoutMs: SEED_TIMEOUT_MS });
  } finally {
    rmrf(fixtureDir);
  }
  progress(`  created ${spec.label} in ${((Date.now() - started) / 1000).toFixed(1)} s (syncId ${budget.syncId})`);
  let changes = null;
  if (spec.changes > 0) {
    const t = Date.now();
    const newTransactions = Math.round(spec.changes * 0.75);
    const edits = Math.round(spec.changes * 0.2);
    const deletes = spec.changes - newTransactions - edits;
    progress(`  ${spec.changes} changes after the upload (${newTransactions} new, ${edits} edits, ${deletes} deletes) as sync messages...`);
    const dataDir = harness.tempDir('actual-bench-changes-');
    try {
      changes = await harness.runWorker({ op: 'bulkChanges', dataDir, serverURL: server.url, password: server.password, syncId: budget.syncId, encryptPassword, newTransactions, edits, deletes }, { timeoutMs: SEED_TIMEOUT_MS });
    } finally {
      rmrf(dataDir);
    }
    progress(`  changes synced in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return { ...budget, encryptPassword, changes, seedSeconds: (Date.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------
// Cold runs

function runCold(client, server, budget, { timeoutMs, verbose = false, wrap = [], startFrom = null }) {
  const dataDir = harness.tempDir('actual-bench-data-');
  // a second run: start from a copy of a dataDir a previous run left (copied before the clock starts)
  if (startFrom) fs.cpSync(startFrom, dataDir, { recursive: true });
  const resultDir = harness.tempDir('actual-bench-result-');
  const resultFile = path.join(resultDir, 'result.json');
  const args = { client, dataDir, serverURL: server.url, password: server.password, syncId: budget.syncId, encryptPassword: budget.encryptPassword, resultFile, verbose };
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const argv = [...wrap, process.execPath, COLD, JSON.stringify(args)];
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => {
      if (stderr.length < 4 << 20) stderr += c;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      const cleanup = () => {
        rmrf(dataDir);
        rmrf(resultDir);
      };
      let out;
      try {
        out = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      } catch {
        cleanup();
        reject(new Error(`${client} run ${signal ? `killed (${signal}, timeout ${timeoutMs} ms)` : `exited ${code}`} without a result:\n${stderr.slice(-2000)}`));
        return;
      }
      if (code !== 0 || out.failure) {
        cleanup();
        reject(new Error(`${client} run failed (exit ${code}): ${out.failure || stderr.slice(-2000)}`));
        return;
      }
      const dbs = budgetDbs(dataDir);
      if (dbs.length !== 1) {
        cleanup();
        reject(new Error(`${client} run left ${dbs.length} budget databases in its dataDir`));
        return;
      }
      const m = out.marks;
      const phases = {
        // node start-up until our script's first line runs (from the child's time origin)
        nodeStart: m.scriptStart,
        require: m.required - m.scriptStart,
        init: m.init - m.required,
        download: m.downloaded - m.init,
        shutdown: m.shutdown - (m.synced ?? m.downloaded),
        sync: m.synced !== undefined ? m.synced - m.downloaded : undefined,
        // after the last await until the process is gone, as the parent saw it
        exit: wallMs - m.shutdown,
      };
      resolve({ client, wallMs, maxRssKiB: out.maxRSS, phases, marks: m, timeOrigin: out.timeOrigin, stderr, dataDir, dbPath: dbs[0], cleanup, syncReplyBytes: m.syncReplyBytes });
    });
  });
}

/**
 * The cold children's environment. NODE_EXTRA_CA_CERTS is dropped unless --keep-env:
 * node parses that whole PEM bundle at start-up (~28 ms on the 2-core sandbox, which sets
 * it globally) although every request here is plain http on loopback; it is the same
 * constant for all three clients and not part of any of them.
 */
let KEEP_ENV = false;
function childEnv() {
  if (KEEP_ENV) return process.env;
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

function budgetDbs(dataDir) {
  const out = [];
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const db = path.join(dataDir, entry.name, 'db.sqlite');
    if (fs.existsSync(db)) out.push(db);
  }
  return out;
}

/** Live transactions and CRDT messages in a downloaded copy: all three must agree. */
function checkDb(dbPath) {
  const Database = require('better-sqlite3');
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const txns = db.prepare('SELECT COUNT(*) AS n FROM transactions WHERE tombstone = 0').get().n;
    const messages = db.prepare('SELECT COUNT(*) AS n FROM messages_crdt').get().n;
    return { transactions: txns, messages };
  } finally {
    db.close();
  }
}

function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

// The second run of a script that keeps its dataDir: the local copy is there and the
// server has these changes since; both clients only sync. Plain sizes only.
const SECOND_RUN_SIZES = ['M', 'L'];
const SECOND_RUN_CHANGES = { newTransactions: 150, edits: 40, deletes: 10 };

async function benchSecondRun(server, key, budget, opts) {
  const timeoutMs = RUN_TIMEOUT_MS[key];
  const label = SIZES[key].label;
  const clients = ['ours', 'upstream'];
  const kept = {};
  try {
    for (const client of clients) {
      progress(`  ${label} second run: ${client} downloads the copy it will keep...`);
      kept[client] = await runCold(client, server, budget, { timeoutMs });
    }
    const changesDir = harness.tempDir('actual-bench-changes-');
    try {
      await harness.runWorker({ op: 'bulkChanges', dataDir: changesDir, serverURL: server.url, password: server.password, syncId: budget.syncId, ...SECOND_RUN_CHANGES }, { timeoutMs: SEED_TIMEOUT_MS });
    } finally {
      rmrf(changesDir);
    }
    const runs = { ours: [], upstream: [] };
    const check = {};
    for (let i = 0; i < opts.runs; i++) {
      for (const client of i % 2 === 0 ? clients : [...clients].reverse()) {
        const r = await runCold(client, server, budget, { timeoutMs, startFrom: kept[client].dataDir });
        if (i === 0) check[client] = checkDb(r.dbPath);
        r.cleanup();
        runs[client].push({ wallMs: r.wallMs, maxRssMB: r.maxRssKiB / 1024 });
        progress(`  ${label} second run ${i + 1}/${opts.runs} ${client.padEnd(8)} ${r.wallMs.toFixed(0).padStart(6)} ms  ${(r.maxRssKiB / 1024).toFixed(1).padStart(6)} MB`);
      }
    }
    const summary = Object.fromEntries(clients.map((c) => [c, { wallMs: stats(runs[c].map((r) => r.wallMs)), maxRssMB: stats(runs[c].map((r) => r.maxRssMB)), runs: runs[c] }]));
    return {
      size: key,
      label,
      changes: SECOND_RUN_CHANGES,
      check,
      clients: summary,
      ratios: {
        wallOursUpstream: summary.ours.wallMs.median / summary.upstream.wallMs.median,
        rssOursUpstream: summary.ours.maxRssMB.median / summary.upstream.maxRssMB.median,
      },
    };
  } catch (e) {
    progress(`  ${label} second run FAILED: ${e.message.split('\n')[0]}`);
    return { size: key, label, failed: e.message.split('\n')[0] };
  } finally {
    for (const r of Object.values(kept)) r.cleanup();
  }
}

async function benchSize(server, key, budget, opts) {
  const timeoutMs = RUN_TIMEOUT_MS[key];
  const runs = { ours: [], upstream: [], floor: [] };
  const check = {};
  const failed = {}; // client -> first error; a failing client is reported, not retried
  const attempt = async (client, fn) => {
    if (failed[client]) return null;
    try {
      return await fn();
    } catch (e) {
      failed[client] = String(e.message).split('\n')[0];
      progress(`  ${SIZES[key].label}: ${client} FAILED: ${failed[client]}`);
      return null;
    }
  };
  for (let w = 0; w < Math.max(1, opts.warmup); w++) {
    for (const client of CLIENTS) {
      progress(`  ${SIZES[key].label}: warm-up ${client}...`);
      await attempt(client, async () => {
        const r = await runCold(client, server, budget, { timeoutMs });
        if (w === 0 && client !== 'floor') check[client] = checkDb(r.dbPath);
        r.cleanup();
      });
    }
  }
  for (let i = 0; i < opts.runs; i++) {
    // A/B alternation: ours first on even runs, upstream first on odd ones; floor rotates.
    const order = i % 2 === 0 ? ['ours', 'upstream'] : ['upstream', 'ours'];
    order.splice(i % 3, 0, 'floor');
    for (const client of order) {
      const r = await attempt(client, () => runCold(client, server, budget, { timeoutMs }));
      if (!r) continue;
      r.cleanup();
      delete r.stderr;
      delete r.cleanup;
      delete r.marks;
      delete r.timeOrigin;
      runs[client].push(r);
      progress(`  ${SIZES[key].label} run ${i + 1}/${opts.runs} ${client.padEnd(8)} ${r.wallMs.toFixed(0).padStart(6)} ms  ${(r.maxRssKiB / 1024).toFixed(1).padStart(6)} MB`);
    }
  }
  const summary = {};
  for (const client of CLIENTS) {
    const rs = runs[client];
    if (rs.length === 0) {
      summary[client] = { failed: failed[client] || 'no runs', wallMs: null, maxRssMB: null, phasesMs: {}, runs: [] };
      continue;
    }
    const phaseNames = Object.keys(rs[0].phases);
    summary[client] = {
      failed: failed[client],
      wallMs: stats(rs.map((r) => r.wallMs)),
      maxRssMB: stats(rs.map((r) => r.maxRssKiB / 1024)),
      phasesMs: Object.fromEntries(phaseNames.map((p) => [p, stats(rs.map((r) => r.phases[p]))]).filter(([, s]) => s)),
      runs: rs.map((r) => ({ wallMs: r.wallMs, maxRssMB: r.maxRssKiB / 1024 })),
    };
  }
  const ratio = (a, b, field) => (summary[a][field] && summary[b][field] ? summary[a][field].median / summary[b][field].median : null);
  return {
    size: key,
    label: SIZES[key].label,
    transactions: SIZES[key].transactions,
    changesAfterUpload: SIZES[key].changes,
    encrypted: Boolean(SIZES[key].encrypt),
    seedSeconds: budget.seedSeconds,
    check,
    clients: summary,
    ratios: {
      wallOursUpstream: ratio('ours', 'upstream', 'wallMs'),
      rssOursUpstream: ratio('ours', 'upstream', 'maxRssMB'),
      wallOursFloor: ratio('ours', 'floor', 'wallMs'),
      rssOursFloor: ratio('ours', 'floor', 'maxRssMB'),
    },
  };
}

// ---------------------------------------------------------------------------------
// Install footprint

function dirSize(dir, skipNodeModules) {
  let total = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (skipNodeModules && e.name === 'node_modules') continue;
        walk(p);
      } else if (e.isFile()) {
        total += fs.lstatSync(p).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes: total, files };
}

/** Real package dirs of `name` and everything it depends on (node resolution from each dir). */
function dependencyClosure(startDir) {
  const seen = new Set();
  const queue = [fs.realpathSync(startDir)];
  while (queue.length) {
    const dir = queue.pop();
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
    for (const dep of Object.keys(deps)) {
      const found = resolvePackageDir(dep, dir);
      if (found) queue.push(found);
    }
  }
  return [...seen];
}

function resolvePackageDir(name, fromDir) {
  let d = fromDir;
  for (;;) {
    const candidate = path.join(d, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    const parent = path.dirname(d);
    if (parent === d) return null;
    d = parent;
  }
}

function footprint() {
  progress('install footprint...');
  const packJson = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'ignore'] }));
  const pack = packJson[0];
  const addons = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.node'));
  const nodeFiles = addons(ROOT);
  const nodeBytes = nodeFiles.reduce((n, f) => n + fs.statSync(path.join(ROOT, f)).size, 0);
  // The gateway is its own package (packages/gateway): reported beside, not counted in ours.
  const gatewayDir = path.join(ROOT, 'packages', 'gateway');
  const gatewayNodeBytes = addons(gatewayDir).reduce((n, f) => n + fs.statSync(path.join(gatewayDir, f)).size, 0);
  const closure = dependencyClosure(path.join(ROOT, 'node_modules', '@actual-app', 'api'));
  let bytes = 0;
  let files = 0;
  for (const dir of closure) {
    const s = dirSize(dir, true);
    bytes += s.bytes;
    files += s.files;
  }
  let npmLsCount = null;
  try {
    const ls = execFileSync('npm', ['ls', '--all', '--parseable', '@actual-app/api'], { cwd: ROOT, encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'ignore'] });
    npmLsCount = ls.trim().split('\n').filter(Boolean).length;
  } catch {
    /* npm ls exits non-zero on any tree problem elsewhere; the walk above is what counts */
  }
  return {
    ours: {
      packSizeBytes: pack.size,
      packUnpackedBytes: pack.unpackedSize,
      packFiles: pack.entryCount,
      nodeFiles,
      nodeBytes,
      installedBytes: pack.unpackedSize + nodeBytes,
      dependencies: 0,
    },
    gateway: { nodeBytes: gatewayNodeBytes },
    upstream: {
      package: '@actual-app/api',
      packages: closure.length,
      installedBytes: bytes,
      files,
      npmLsParseableLines: npmLsCount,
    },
    ratioInstalled: (pack.unpackedSize + nodeBytes) / bytes,
  };
}

// ---------------------------------------------------------------------------------
// Gateway

async function benchGateway(server, budget) {
  progress('gateway: token + serve...');
  const dbDir = harness.tempDir('actual-bench-gateway-');
  const db = path.join(dbDir, 'gateway.db');
  let gw;
  try {
    const created = await harness.gatewayCli(['token', 'create', '--name', 'bench', '--budget', budget.syncId, '--upstream', server.url, '--db', db], { env: { ACTUAL_PASSWORD: server.password } });
    if (created.code !== 0) throw new Error(`token create failed: ${created.stderr}`);
    const token = created.last;
    gw = await harness.startGateway({ upstream: server.url, db });
    const fileId = budget.cloudFileId;
    const requests = 2000;
    const concurrency = 16;
    progress(`gateway: ${requests} × GET /sync/get-user-file-info, concurrency ${concurrency}, via gateway (API token) and direct (session)...`);
    // Warm-up, not counted.
    await loadLoop(server.url, { 'x-actual-token': server.sessionToken, 'x-actual-file-id': fileId }, 200, concurrency);
    await loadLoop(gw.url, { 'x-actual-token': token, 'x-actual-file-id': fileId }, 200, concurrency);
    const gateway = await loadLoop(gw.url, { 'x-actual-token': token, 'x-actual-file-id': fileId }, requests, concurrency);
    const direct = await loadLoop(server.url, { 'x-actual-token': server.sessionToken, 'x-actual-file-id': fileId }, requests, concurrency);
    // One request at a time: the gateway's own added latency, without queueing behind
    // the load client and the server on a 2-core machine.
    progress('gateway: 500 requests one at a time, via gateway and direct...');
    const gatewaySerial = await loadLoop(gw.url, { 'x-actual-token': token, 'x-actual-file-id': fileId }, 500, 1);
    const directSerial = await loadLoop(server.url, { 'x-actual-token': server.sessionToken, 'x-actual-file-id': fileId }, 500, 1);
    return {
      status: 'measured',
      requests,
      concurrency,
      gateway,
      direct,
      gatewaySerial,
      directSerial,
      p50Ratio: gateway.p50Ms / direct.p50Ms,
      rpsRatio: gateway.rps / direct.rps,
      tokenCheckUs: tokenCheckCost(),
    };
  } finally {
    await gw?.stop();
    rmrf(dbDir);
  }
}

/**
 * The cost of one token check (1,000 tokens loaded), from the gateway crate's ignored
 * `check_cost` test in release mode. Needs the Rust toolchain; null without it.
 */
function tokenCheckCost() {
  progress('gateway: one token check (cargo test --release check_cost)...');
  try {
    const out = execFileSync('cargo', ['test', '--release', '-q', '-p', 'actual-gateway', 'check_cost', '--', '--ignored', '--nocapture'], { cwd: ROOT, encoding: 'utf8', timeout: 900000, stdio: ['ignore', 'pipe', 'pipe'] });
    const m = /one token check: ([\d.]+) µs/.exec(out);
    return m ? Number(m[1]) : null;
  } catch (e) {
    progress(`gateway: token check cost not measured: ${e.message.split('\n')[0]}`);
    return null;
  }
}

/** Fixed request count, fixed concurrency, keep-alive; stops by itself. */
async function loadLoop(baseUrl, headers, requests, concurrency) {
  const http = require('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const u = new URL('/sync/get-user-file-info', baseUrl);
  const latencies = [];
  let errors = 0;
  let next = 0;
  const one = () =>
    new Promise((resolve) => {
      const t = process.hrtime.bigint();
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'GET', headers, agent, timeout: 10000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        resolve();
      });
      req.end();
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        await one();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { p50Ms: pct(50), p99Ms: pct(99), rps: requests / seconds, errors, seconds };
}

// ---------------------------------------------------------------------------------
// Report

function machine() {
  let model = 'unknown';
  try {
    const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) model = m[1].trim();
  } catch {
    /* not Linux */
  }
  let nproc = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* keep the os count */
  }
  return { nproc, cpu: model, node: process.version, platform: `${process.platform}-${process.arch}`, memTotalMB: Math.round(os.totalmem() / 1048576), kernel: os.release() };
}

const fmtMs = (s) => (s ? `${fmtNum(s.median)} (${fmtNum(s.min)}–${fmtNum(s.max)})` : '–');
const fmtMB = (s) => (s ? `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})` : '–');
const fmtNum = (ms) => (ms >= 1000 ? (ms / 1000).toFixed(2) + ' s' : ms.toFixed(0) + ' ms');
const fmtBytes = (b) => (b >= 1048576 ? (b / 1048576).toFixed(1) + ' MB' : (b / 1024).toFixed(0) + ' kB');

function goalVerdicts(results) {
  const bySize = Object.fromEntries(results.sizes.map((s) => [s.size, s]));
  const out = [];
  for (const g of SCENARIO_GOALS) {
    const r =
      g.scenario === 'second'
        ? (results.secondRuns || []).find((x) => x.size === g.size && !x.failed)
        : (results.scenarios || []).find((x) => x.scenario === g.scenario && x.size === g.size && !x.failed);
    if (!r) continue;
    const value = { wall: r.ratios.wallOursUpstream, rss: r.ratios.rssOursUpstream, rssAboveNode: r.ratios.rssAboveNodeOursUpstream, slowestRead: r.ratios.slowestReadOursUpstream }[g.what];
    if (value == null) continue;
    out.push({ goal: g.text, size: SIZES[g.size].label, value, max: g.max, pass: value <= g.max, scenario: true });
  }
  for (const g of GOALS) {
    // The floor has no migrations to run: it is not a floor for an old release's budget.
    const sizes = g.size === '*' ? results.sizes.map((s) => s.size).filter((k) => !SIZES[k].release) : [g.size];
    for (const key of sizes) {
      const s = bySize[key];
      if (!s) continue;
      const value = g.ratio === 'floor' ? s.ratios.wallOursFloor : g.what === 'wall' ? s.ratios.wallOursUpstream : s.ratios.rssOursUpstream;
      out.push({ goal: g.text, size: s.label, value, max: g.max, pass: value !== null && value <= g.max });
    }
  }
  return out;
}

function markdown(results) {
  const lines = [];
  const goals = goalVerdicts(results);
  const goalFor = (label, kind) =>
    goals
      .filter((g) => !g.scenario && g.size === label && g.goal.includes(kind))
      .map((g) => `${g.pass ? '✅' : '❌'} goal ≤ ${g.max}`)
      .join(', ');
  lines.push(`Cold process (node start → require → init({ password }) → downloadBudget → shutdown → exit), fresh dataDir per run; median (min–max) of ${results.options.runs} runs after ${results.options.warmup} warm-up, A/B alternated.`);
  lines.push('');
  lines.push('| size | client | wall | peak RSS (MB) | ours/upstream wall | ours/upstream RSS | ours/floor wall |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const s of results.sizes) {
    const desc = `${s.label} (${s.transactions.toLocaleString('en')} txns${s.changesAfterUpload ? ` + ${s.changesAfterUpload.toLocaleString('en')} changes` : ''})`;
    for (const client of CLIENTS) {
      const c = s.clients[client];
      const r = s.ratios;
      const fx = (v, d) => (v === null ? '–' : `**${v.toFixed(d)}**`);
      const cells =
        client === 'ours'
          ? [
              `${fx(r.wallOursUpstream, 3)} ${goalFor(s.label, 'wall ≤ 0.')}`.trim(),
              `${fx(r.rssOursUpstream, 3)} ${goalFor(s.label, 'RSS')}`.trim(),
              `${fx(r.wallOursFloor, 2)} ${goalFor(s.label, 'floor')}`.trim(),
            ]
          : ['', '', ''];
      if (c.failed && !c.wallMs) {
        lines.push(`| ${client === 'ours' ? desc : ''} | ${client} | **FAILED**: ${c.failed.replace(/\|/g, '/')} | – | ${cells.join(' | ')} |`);
        continue;
      }
      lines.push(`| ${client === 'ours' ? desc : ''} | ${client === 'floor' ? 'floor (raw HTTP + unzip)' : client === 'ours' ? 'ours (actual-api-native)' : 'upstream (@actual-app/api)'} | ${fmtMs(c.wallMs)} | ${fmtMB(c.maxRssMB)} | ${cells.join(' | ')} |`);
    }
  }
  if (results.secondRuns.length) {
    const ch = SECOND_RUN_CHANGES;
    lines.push('');
    lines.push(`Second run of a script that keeps its dataDir: the local copy from a first run is there (copied in before the clock starts) and the server has ${ch.newTransactions + ch.edits + ch.deletes} changes since (${ch.newTransactions} new, ${ch.edits} edits, ${ch.deletes} deletes); both clients only sync. Median (min–max) of ${results.options.runs} runs, A/B alternated.`);
    lines.push('');
    lines.push('| size | ours wall | upstream wall | ours/upstream wall | ours peak RSS (MB) | upstream peak RSS (MB) | ours/upstream RSS |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const r of results.secondRuns) {
      if (r.failed) {
        lines.push(`| ${r.label} | **FAILED**: ${r.failed.replace(/\|/g, '/')} | | | | | |`);
        continue;
      }
      const { ours, upstream } = r.clients;
      lines.push(`| ${r.label} | ${fmtMs(ours.wallMs)} | ${fmtMs(upstream.wallMs)} | **${r.ratios.wallOursUpstream.toFixed(3)}** | ${fmtMB(ours.maxRssMB)} | ${fmtMB(upstream.maxRssMB)} | **${r.ratios.rssOursUpstream.toFixed(3)}** |`);
    }
  }
  if (results.scenarios && results.scenarios.length) {
    lines.push('');
    lines.push('Script scenarios, cold processes (ours with @actual-app/api impossible to load, bench/no-upstream.js): **report** = downloadBudget, then getAccounts, getAccountBalance of every account, a year of getTransactions per account, getCategoryGroups, getCategories, getPayees, this month\'s getBudgetMonth and a 10-transaction dry-run import; **import** = downloadBudget, importTransactions of 500 new transactions (rules fire on some), shutdown (which sends them), each run on a fresh twin of the same snapshot; **query** = downloadBudget, then a dozen typical ActualQL queries with the client\'s own q() and aqlQuery() (bench/script-cold.js QUERIES: spending by category and month, balances by account, payee totals, ...); **querywarm** = the same queries on the open budget after one untimed pass, each the median of 9 (its per-query column is warm). RSS above Node = peak RSS less bare `node -e 0`\'s. Median of ' + results.options.runs + ' runs, A/B alternated.');
    lines.push('');
    lines.push('| scenario | budget | ours wall | upstream wall | ours/upstream wall | ours RSS (MB) | upstream RSS (MB) | ours/upstream RSS | ours/upstream RSS above Node | after download: ours / upstream (ms, medians) |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of results.scenarios) {
      if (r.failed) {
        lines.push(`| ${r.scenario} | ${r.label} | **FAILED**: ${r.failed.replace(/\|/g, '/')} | | | | | | | |`);
        continue;
      }
      const { ours, upstream } = r.clients;
      const reads = Object.keys(ours.readsMs).map((n) => `${n} ${ours.readsMs[n].toFixed(1)} / ${upstream.readsMs[n].toFixed(1)}`).join('; ');
      lines.push(`| ${r.scenario} | ${r.label} | ${fmtNum(ours.wallMs)} | ${fmtNum(upstream.wallMs)} | **${r.ratios.wallOursUpstream.toFixed(3)}** | ${ours.maxRssMB.toFixed(1)} | ${upstream.maxRssMB.toFixed(1)} | **${r.ratios.rssOursUpstream.toFixed(3)}** | ${r.ratios.rssAboveNodeOursUpstream == null ? '–' : r.ratios.rssAboveNodeOursUpstream.toFixed(3)} | ${reads} |`);
    }
  }
  if (results.footprint) {
    const f = results.footprint;
    lines.push('');
    lines.push('| install footprint | size |');
    lines.push('|---|---|');
    lines.push(`| ours: npm pack (${f.ours.packFiles} files) | ${fmtBytes(f.ours.packSizeBytes)} packed, ${fmtBytes(f.ours.packUnpackedBytes)} unpacked |`);
    lines.push(`| ours: built addon (${f.ours.nodeFiles.join(', ')}) | ${fmtBytes(f.ours.nodeBytes)} |`);
    lines.push(`| ours: total installed (0 dependencies) | ${fmtBytes(f.ours.installedBytes)} |`);
    if (f.gateway) lines.push(`| actual-token-gateway addon (its own package, not in ours) | ${fmtBytes(f.gateway.nodeBytes)} |`);
    lines.push(`| upstream: @actual-app/api + dependency closure (${f.upstream.packages} packages, ${f.upstream.files} files) | ${fmtBytes(f.upstream.installedBytes)} |`);
    lines.push(`| ratio ours/upstream installed | **${f.ratioInstalled.toFixed(4)}** |`);
  }
  lines.push('');
  const g = results.gateway;
  if (!g) lines.push('Gateway: not run (--no-gateway).');
  else if (g.status !== 'measured') lines.push(`Gateway: ${g.status}`);
  else {
    lines.push(`| GET /sync/get-user-file-info (${g.requests} requests, concurrency ${g.concurrency}) | p50 | p99 | req/s | errors |`);
    lines.push('|---|---|---|---|---|');
    lines.push(`| via gateway (API token) | ${g.gateway.p50Ms.toFixed(2)} ms | ${g.gateway.p99Ms.toFixed(2)} ms | ${g.gateway.rps.toFixed(0)} | ${g.gateway.errors} |`);
    lines.push(`| direct (session token) | ${g.direct.p50Ms.toFixed(2)} ms | ${g.direct.p99Ms.toFixed(2)} ms | ${g.direct.rps.toFixed(0)} | ${g.direct.errors} |`);
    lines.push(`| via gateway, one at a time | ${g.gatewaySerial.p50Ms.toFixed(2)} ms | ${g.gatewaySerial.p99Ms.toFixed(2)} ms | ${g.gatewaySerial.rps.toFixed(0)} | ${g.gatewaySerial.errors} |`);
    lines.push(`| direct, one at a time | ${g.directSerial.p50Ms.toFixed(2)} ms | ${g.directSerial.p99Ms.toFixed(2)} ms | ${g.directSerial.rps.toFixed(0)} | ${g.directSerial.errors} |`);
    lines.push('');
    const added = g.gateway.p50Ms - g.direct.p50Ms;
    const addedSerial = g.gatewaySerial.p50Ms - g.directSerial.p50Ms;
    lines.push(`- added p50 latency through the gateway, one at a time: ${addedSerial.toFixed(2)} ms ${addedSerial <= 1 ? '✅' : '❌'} goal ≤ 1 ms`);
    lines.push(`- added p50 latency through the gateway at concurrency ${g.concurrency} (queueing on 2 cores included): ${added.toFixed(2)} ms`);
    lines.push(`- one token check: ${g.tokenCheckUs === null ? 'not measured' : `${g.tokenCheckUs.toFixed(3)} µs ${g.tokenCheckUs <= 50 ? '✅' : '❌'} goal ≤ 50 µs`} (upstream's proposal: ~0.2 s of bcrypt)`);
  }
  lines.push('');
  lines.push('Goals (floors on this 2-core machine):');
  for (const v of goals) lines.push(`- ${v.pass ? '✅' : '❌'} ${v.goal} — ${v.size}: ${v.value === null ? 'not measured (a client failed)' : v.value.toFixed(3)}`);
  return lines.join('\n');
}

function phaseTable(results) {
  const lines = ['| size | client | node start | require | init (login) | download (+unzip, sync, commit) | shutdown | exit |', '|---|---|---|---|---|---|---|---|'];
  for (const s of results.sizes) {
    for (const client of CLIENTS) {
      const p = s.clients[client].phasesMs;
      const f = (k) => (p[k] ? p[k].median.toFixed(0) : '–');
      const dl = client === 'floor' && p.sync ? `${f('download')} + sync ${f('sync')}` : f('download');
      lines.push(`| ${s.label} | ${client} | ${f('nodeStart')} | ${f('require')} | ${f('init')} | ${dl} | ${f('shutdown')} | ${f('exit')} |`);
    }
  }
  return lines.join('\n');
}

function pkgVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  KEEP_ENV = Boolean(opts.keepEnv);
  const binding = fs.readdirSync(ROOT).filter((f) => f.endsWith('.node'));
  if (!fs.existsSync(path.join(ROOT, 'binding.js')) || binding.length === 0) {
    throw new Error('the addon is not built: run `npm run build` first');
  }
  const results = { date: new Date().toISOString(), machine: machine(), options: opts, sizes: [], secondRuns: [], scenarios: [], footprint: null, gateway: null };
  progress(`machine: ${results.machine.nproc} × ${results.machine.cpu}, node ${results.machine.node}; sizes ${opts.sizes.join(',')}, ${opts.runs} runs`);
  const server = await startBenchServer();
  progress(`server on ${server.url}`);
  let gatewayBudget = null;
  try {
    const seeded = {};
    const budgetFor = async (key) => (seeded[key] ??= await seed(server, key));
    for (const key of opts.sizes) {
      const budget = await budgetFor(key);
      if (!gatewayBudget && !SIZES[key].encrypt) gatewayBudget = budget;
      if (opts.scenarios.includes('download')) {
        results.sizes.push(await benchSize(server, key, budget, opts));
        if (SECOND_RUN_SIZES.includes(key)) results.secondRuns.push(await benchSecondRun(server, key, budget, opts));
      }
    }
    for (const scenario of ['report', 'import', 'query', 'querywarm']) {
      if (!opts.scenarios.includes(scenario)) continue;
      for (const key of SCENARIO_SIZES[scenario]) {
        if (scenario !== 'import' && !opts.sizes.includes(key)) continue;
        const label = SIZES[key].label;
        progress(`${label}: ${scenario} script...`);
        try {
          results.scenarios.push({ size: key, ...(await benchScenario(server, await budgetFor(key), scenario, { runs: opts.runs, warmup: opts.warmup, timeoutMs: RUN_TIMEOUT_MS[key] ?? RUN_TIMEOUT_MS.M, env: childEnv(), progress, label })) });
        } catch (e) {
          progress(`  ${label} ${scenario} FAILED: ${e.message.split('\n')[0]}`);
          results.scenarios.push({ size: key, scenario, label, failed: e.message.split('\n')[0] });
        }
      }
    }
    if (opts.footprint) results.footprint = footprint();
    if (opts.gateway) {
      if (!gatewayBudget) gatewayBudget = await seed(server, 'S');
      try {
        results.gateway = await benchGateway(server, gatewayBudget);
      } catch (e) {
        progress(`gateway failed: ${e.message}`);
        results.gateway = { status: `failed: ${e.message.split('\n')[0]}` };
      }
    }
  } finally {
    await server.stop();
  }
  results.goals = goalVerdicts(results);
  const table = markdown(results);
  process.stdout.write(table + '\n');
  fs.writeFileSync(path.join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const m = results.machine;
  const md = [
    '# Benchmark results (latest run)',
    '',
    `- date: ${results.date}`,
    `- machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.memTotalMB} MB RAM, ${m.platform}, kernel ${m.kernel}`,
    `- node: ${m.node}`,
    `- command: \`npm run bench -- --sizes ${opts.sizes.join(',')} --runs ${opts.runs}\``,
    `- server: @actual-app/sync-server ${pkgVersion('@actual-app/sync-server')} on 127.0.0.1 (rate limit raised by bench/raise-rate-limit.mjs); upstream client @actual-app/api ${pkgVersion('@actual-app/api')}`,
    '- peak RSS = the child\'s own `process.resourceUsage().maxRSS`; wall = spawn to exit, as the parent saw it.',
    `- cold children run ${KEEP_ENV ? 'with the full environment (--keep-env)' : 'without NODE_EXTRA_CA_CERTS (node parses that PEM bundle at start-up, ~28 ms here, the same for all three clients; --keep-env keeps it)'}.`,
    '- floor = a raw node:http client making the same requests (login, list, file info + download, one empty POST /sync/sync) + a minimal zip reader on the native node:zlib + writing db.sqlite with fsync; no parsing or sync.',
    '',
    table,
    '',
    '## Phases (medians, ms; from marks inside each child)',
    '',
    phaseTable(results),
    '',
    'Seeding with @actual-app/api: ' + results.sizes.map((s) => `${s.label} ${s.seedSeconds.toFixed(0)} s`).join(', ') + '.',
    'Sanity check (warm-up downloads, live transactions / messages_crdt rows): ' +
      results.sizes.map((s) => `${s.label}: ours ${s.check.ours ? `${s.check.ours.transactions}/${s.check.ours.messages}` : 'failed'}, upstream ${s.check.upstream?.transactions}/${s.check.upstream?.messages}`).join('; ') + '.',
    ...(results.secondRuns.length
      ? ['Second runs, same check: ' + results.secondRuns.map((r) => (r.failed ? `${r.label}: failed` : `${r.label}: ours ${r.check.ours.transactions}/${r.check.ours.messages}, upstream ${r.check.upstream.transactions}/${r.check.upstream.messages}`)).join('; ') + '.']
      : []),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(BENCH, 'RESULTS.md'), md);
  progress('wrote bench/results.json and bench/RESULTS.md');
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench failed: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });
}

module.exports = { SIZES, RUN_TIMEOUT_MS, startBenchServer, seed, runCold, stats, machine };
