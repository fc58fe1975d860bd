'use strict';
// One cold run of a script scenario, in its own `node` process, for ours or upstream:
//   report: downloadBudget, then the reads a report script makes (accounts, every
//           balance, a year of transactions per account, categories, payees, this
//           month's budget, a dry-run import), each timed;
//   import: downloadBudget, importTransactions of 500 new transactions (some fire the
//           budget's rules), shutdown (which sends them).
// Usage: node bench/script-cold.js '<json {client, scenario, dataDir, serverURL, password, syncId, resultFile}>'
// At exit it writes {marks, reads (ms each), maxRSS (KiB)} to resultFile.
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

const started = performance.now();
const args = JSON.parse(process.argv[2]);
const marks = { scriptStart: started };
const reads = {};
let failure = null;
let checks = {};

process.on('exit', (code) => {
  fs.writeFileSync(args.resultFile, JSON.stringify({ client: args.client, code, marks, reads, checks, maxRSS: process.resourceUsage().maxRSS, failure }));
});

function mark(name) {
  marks[name] = performance.now();
}

async function timed(name, fn) {
  const t = performance.now();
  const out = await fn();
  reads[name] = (reads[name] || 0) + (performance.now() - t);
  return out;
}

function pad(n) {
  return String(n).padStart(2, '0');
}

function bankFile(count) {
  const out = [];
  const now = new Date();
  for (let i = 0; i < count; i++) {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (i % 60), 12);
    out.push({
      date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
      amount: -(1000 + ((i * 7919) % 90000)),
      payee_name: `Payee ${i % 60}`,
      imported_payee: i % 5 === 0 ? `BENCH CARD ${i}` : `POS ${i}`,
      imported_id: `bench-import-${args.runId}-${i}`,
      notes: `imported ${i}`,
    });
  }
  return out;
}

async function report(api) {
  const accounts = await timed('getAccounts', () => api.getAccounts());
  for (const a of accounts) await timed('getAccountBalance', () => api.getAccountBalance(a.id));
  const year = new Date().getFullYear();
  let transactions = 0;
  for (const a of accounts) transactions += (await timed('getTransactions', () => api.getTransactions(a.id, `${year}-01-01`, `${year}-12-31`))).length;
  await timed('getCategoryGroups', () => api.getCategoryGroups());
  await timed('getCategories', () => api.getCategories());
  await timed('getPayees', () => api.getPayees());
  const month = `${year}-${pad(new Date().getMonth() + 1)}`;
  const budgetMonth = await timed('getBudgetMonth', () => api.getBudgetMonth(month));
  const preview = await timed('importTransactions (dry run)', () => api.importTransactions(accounts[0].id, bankFile(10), { dryRun: true }));
  checks = { accounts: accounts.length, transactions, toBudget: budgetMonth.toBudget, previewAdded: preview.added.length };
}

async function importScenario(api) {
  const accounts = await api.getAccounts();
  const result = await timed('importTransactions', () => api.importTransactions(accounts[0].id, bankFile(500)));
  checks = { added: result.added.length, updated: result.updated.length };
}

async function run() {
  let api;
  if (args.client === 'upstream') {
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'group', 'groupEnd', 'trace', 'time', 'timeEnd', 'table']) console[method] = () => {};
    api = require('@actual-app/api');
  } else {
    api = require('..');
  }
  mark('required');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  mark('init');
  await api.downloadBudget(args.syncId);
  mark('downloaded');
  await (args.scenario === 'report' ? report(api) : importScenario(api));
  mark('worked');
  await api.shutdown();
  mark('shutdown');
}

run().catch((err) => {
  failure = String(err && err.stack ? err.stack : err);
  process.exitCode = 1;
});
