#!/usr/bin/env node
'use strict';
// Where does our cold download spend its time? Seeds a budget like bench/run.js, then runs
// our cold process (verbose: true) a few times under `strace -f -ttt --seccomp-bpf` tracing
// only the syscalls that mark phase boundaries (cheap: the SQLite page writes are not
// traced), and prints a phase table: process start, require, login, list, info+download,
// unzip+stage, clock reset, sync request, apply+commit transaction, fsync+rename, back to
// JS, exit. Without strace it prints the in-process marks and the verbose log only.
//
//   node bench/profile.js [--sizes M,L] [--runs 3] [--client ours|floor|upstream]
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../__test__/helpers/harness.js');
const bench = require('./run.js');

function parseArgs(argv) {
  const out = { sizes: ['M'], runs: 3, client: 'ours' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a.startsWith('--sizes')) out.sizes = v().split(',').map((s) => s.trim().toUpperCase());
    else if (a.startsWith('--runs')) out.runs = parseInt(v(), 10);
    else if (a.startsWith('--client')) out.client = v();
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

function hasStrace() {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Phase boundaries (epoch ms) from an strace -f -ttt log. */
function timeline(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const ev = { journals: [], journalDone: [], fsyncs: [], requests: [] };
  const lastRead = new Map(); // fd -> time of the last read on it
  const openReq = new Map(); // fd -> request awaiting its response
  for (const line of lines) {
    const m = line.match(/^(\d+)\s+(\d+\.\d+)\s+(\w+)\((.*)$/);
    if (!m) continue;
    const t = Number(m[2]) * 1000;
    const [, , , call, rest] = m;
    const fd = Number((rest.match(/^(\d+)/) || [])[1]);
    if (call === 'execve' && ev.exec === undefined) ev.exec = t;
    else if ((call === 'writev' || call === 'write' || call === 'sendto') && /"(GET|POST) \/([^ ]+) HTTP\/1\.1/.test(rest)) {
      const [, method, p] = rest.match(/"(GET|POST) \/([^ ]+) HTTP\/1\.1/);
      const prev = openReq.get(fd);
      if (prev && prev.end === undefined) prev.end = lastRead.get(fd);
      const req = { method, path: p, fd, sent: t };
      ev.requests.push(req);
      openReq.set(fd, req);
    } else if (call === 'recvfrom' || call === 'read') {
      const req = openReq.get(fd);
      if (req && !/= -1/.test(rest)) {
        if (req.first === undefined && /"HTTP\/1\.1 /.test(rest)) req.first = t;
        if (req.first !== undefined) lastRead.set(fd, t), (req.end = t);
      }
    } else if (call === 'mkdir' && /actual-native-download|actual-native-/.test(rest) && ev.scratch === undefined) ev.scratch = t;
    else if (call === 'openat' && /-journal"/.test(rest)) ev.journals.push(t);
    else if (call === 'unlink' && /-journal"/.test(rest)) ev.journalDone.push(t);
    else if (call === 'fsync' || call === 'fdatasync') ev.fsyncs.push(t);
    else if (call === 'rename' && ev.rename === undefined) ev.rename = t;
    else if (call === 'exit_group') ev.exitGroup = t;
  }
  return ev;
}

function phasesFromTrace(ev, r) {
  const abs = (k) => r.timeOrigin + r.marks[k];
  const find = (p) => ev.requests.find((q) => q.path.startsWith(p));
  const login = find('account/login');
  const list = find('sync/list-user-files');
  const dl = find('sync/download-user-file');
  const info = find('sync/get-user-file-info');
  const sync = find('sync/sync');
  const out = [];
  const add = (name, a, b) => out.push([name, a !== undefined && b !== undefined ? b - a : undefined]);
  add('exec → node ready (script start)', ev.exec, abs('scriptStart'));
  add('require', abs('scriptStart'), abs('required'));
  add('init: before login request', abs('required'), login && login.sent);
  add('init: login request (server bcrypt)', login && login.sent, login && login.end);
  add('init: login reply → resolved', login && login.end, abs('init'));
  add('download: → list request', abs('init'), list && list.sent);
  add('list-user-files', list && list.sent, list && list.end);
  add('file info + download (parallel)', list && list.end, Math.max(dl ? dl.end : 0, info ? info.end : 0) || undefined);
  if (ev.journals.length >= 2) {
    add('decrypt + unzip + write staged db', dl && dl.end, ev.journals[0]);
    add('clock reset txn (journal + fsyncs)', ev.journals[0], ev.journalDone[0]);
    add('→ sync request sent', ev.journalDone[0], sync && sync.sent);
  } else {
    add('decrypt + unzip + write staged db + clock reset', dl && dl.end, sync && sync.sent);
  }
  add('sync: server time to first byte', sync && sync.sent, sync && sync.first);
  add('sync: reply transfer', sync && sync.first, sync && sync.end);
  const applyJournal = ev.journals.find((t) => sync && t > sync.end);
  const applyDone = ev.journalDone.find((t) => sync && t > sync.end);
  if (applyJournal !== undefined) {
    add('decode + compare (until first journal write)', sync && sync.end, applyJournal);
    add('apply txn (writes, cache spills, commit)', applyJournal, applyDone);
    add('metadata + fsync + rename', applyDone, ev.rename);
  } else {
    add('decode + apply + metadata + fsync + rename (no journal)', sync && sync.end, ev.rename);
  }
  add('rename → download resolved in JS', ev.rename, abs('downloaded'));
  add('shutdown', abs('downloaded'), abs('shutdown'));
  add('exit (last JS → process gone)', abs('shutdown'), ev.exitGroup);
  add('total (exec → exit_group)', ev.exec, ev.exitGroup);
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const strace = hasStrace();
  const server = await bench.startBenchServer();
  try {
    for (const key of opts.sizes) {
      const budget = await bench.seed(server, key);
      const rows = new Map();
      const logs = [];
      await bench.runCold(opts.client, server, budget, { timeoutMs: bench.RUN_TIMEOUT_MS[key] }).then((r) => r.cleanup()); // warm-up
      for (let i = 0; i < opts.runs; i++) {
        const traceDir = harness.tempDir('actual-bench-strace-');
        const traceFile = path.join(traceDir, 'trace.txt');
        const wrap = strace
          ? ['strace', '-f', '-ttt', '--seccomp-bpf', '-s', '48', '-e', 'trace=execve,writev,write,sendto,recvfrom,read,mkdir,openat,unlink,fsync,fdatasync,rename,exit_group', '-o', traceFile]
          : [];
        const r = await bench.runCold(opts.client, server, budget, { timeoutMs: bench.RUN_TIMEOUT_MS[key] * 2, verbose: opts.client === 'ours', wrap });
        r.cleanup();
        logs.push(r.stderr.trim());
        const phases = strace ? phasesFromTrace(timeline(traceFile), r) : Object.entries(r.phases);
        for (const [name, ms] of phases) {
          if (!rows.has(name)) rows.set(name, []);
          rows.get(name).push(ms);
        }
        rows.set('wall as the parent saw it' + (strace ? ' (under strace)' : ''), [...(rows.get('wall as the parent saw it' + (strace ? ' (under strace)' : '')) || []), r.wallMs]);
        fs.rmSync(traceDir, { recursive: true, force: true });
      }
      process.stdout.write(`\n### ${bench.SIZES[key].label}: ${opts.client}, ${opts.runs} runs${strace ? ' under strace --seccomp-bpf' : ''} (median ms)\n\n| phase | median | min–max |\n|---|---|---|\n`);
      for (const [name, values] of rows) {
        const s = bench.stats(values);
        process.stdout.write(`| ${name} | ${s ? s.median.toFixed(1) : '–'} | ${s ? `${s.min.toFixed(1)}–${s.max.toFixed(1)}` : ''} |\n`);
      }
      if (logs[0]) process.stdout.write(`\nverbose log of the first run:\n\n\`\`\`\n${logs[0]}\n\`\`\`\n`);
    }
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`profile failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
