'use strict';
// Script scenarios for the benchmark (bench/run.js): a report script (download and the
// reads above) and a bank import (download, 500 new transactions with rules that fire,
// shutdown), each a cold process, ours with @actual-app/api impossible to load
// (no-upstream.js) against @actual-app/api, A/B alternated. The import runs each on a
// fresh twin of the same snapshot, so every run imports into the same budget.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const harness = require('../__test__/helpers/harness.js');
const { twinBudget } = require('../__test__/helpers/twins.js');

const SCRIPT = path.join(__dirname, 'script-cold.js');
const NO_UPSTREAM = path.join(__dirname, 'no-upstream.js');
const CLIENTS = ['ours', 'upstream'];

function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function runScript(client, scenario, server, budget, { timeoutMs, env, runId }) {
  const dataDir = harness.tempDir('actual-bench-script-');
  const resultFile = path.join(harness.tempDir('actual-bench-result-'), 'result.json');
  const args = { client, scenario, dataDir, serverURL: server.url, password: server.password, syncId: budget.syncId, resultFile, runId };
  const argv = client === 'ours' ? ['-r', NO_UPSTREAM, SCRIPT, JSON.stringify(args)] : [SCRIPT, JSON.stringify(args)];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, { cwd: harness.ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => {
      if (stderr.length < 1 << 20) stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      fs.rmSync(dataDir, { recursive: true, force: true });
      let out;
      try {
        out = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      } catch {
        reject(new Error(`${client} ${scenario} ${signal ? `killed (${signal})` : `exited ${code}`} without a result: ${stderr.slice(-1500)}`));
        return;
      }
      if (code !== 0 || out.failure) {
        reject(new Error(`${client} ${scenario} failed: ${(out.failure || stderr).slice(0, 1500)}`));
        return;
      }
      resolve({ wallMs, maxRssMB: out.maxRSS / 1024, reads: out.reads, checks: out.checks, download: out.marks.downloaded - out.marks.init });
    });
  });
}

/** Peak RSS of `node -e 0` on this machine (MB), the median of three. */
function bareNodeRss() {
  const { execFileSync } = require('node:child_process');
  const runs = [0, 1, 2].map(() => Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS))'], { encoding: 'utf8' })) / 1024);
  return median(runs);
}

/**
 * Runs `scenario` ('report', 'import' or 'query') `runs` times per client on `budget` (for the
 * import: on a fresh twin of it each time). Resolves to medians and ratios.
 */
async function benchScenario(server, budget, scenario, { runs, warmup = 1, timeoutMs, env, progress, label }) {
  const results = { ours: [], upstream: [] };
  let runId = 0;
  const target = async () => (scenario === 'import' ? twinBudget(server, budget, `bench import twin ${++runId}`) : budget);
  for (let w = 0; w < warmup; w++) {
    for (const client of CLIENTS) await runScript(client, scenario, server, await target(), { timeoutMs, env, runId: `w${w}${client}` });
  }
  for (let i = 0; i < runs; i++) {
    for (const client of i % 2 === 0 ? CLIENTS : [...CLIENTS].reverse()) {
      const r = await runScript(client, scenario, server, await target(), { timeoutMs, env, runId: `${i}${client}` });
      results[client].push(r);
      progress(`  ${label} ${scenario} ${i + 1}/${runs} ${client.padEnd(8)} ${r.wallMs.toFixed(0).padStart(6)} ms  ${r.maxRssMB.toFixed(1).padStart(6)} MB`);
    }
  }
  const bareNodeMB = bareNodeRss();
  const summary = {};
  for (const client of CLIENTS) {
    const rs = results[client];
    const readNames = Object.keys(rs[0].reads);
    summary[client] = {
      wallMs: median(rs.map((r) => r.wallMs)),
      maxRssMB: median(rs.map((r) => r.maxRssMB)),
      downloadMs: median(rs.map((r) => r.download)),
      readsMs: Object.fromEntries(readNames.map((n) => [n, median(rs.map((r) => r.reads[n]))])),
      checks: rs[0].checks,
      runs: rs.map((r) => ({ wallMs: r.wallMs, maxRssMB: r.maxRssMB })),
    };
  }
  return {
    scenario,
    label,
    clients: summary,
    bareNodeMB,
    ratios: {
      wallOursUpstream: summary.ours.wallMs / summary.upstream.wallMs,
      rssOursUpstream: summary.ours.maxRssMB / summary.upstream.maxRssMB,
      rssAboveNodeOursUpstream: (summary.ours.maxRssMB - bareNodeMB) / (summary.upstream.maxRssMB - bareNodeMB),
      slowestReadOursUpstream: Math.max(...Object.keys(summary.ours.readsMs).map((n) => summary.ours.readsMs[n] / summary.upstream.readsMs[n])),
    },
  };
}

module.exports = { benchScenario };
