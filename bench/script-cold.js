'use strict';
// One cold run of a script scenario, in its own `node` process, for ours or upstream:
//   report: downloadBudget, then the reads a report script makes (accounts, every
//           balance, a year of transactions per account, categories, payees, this
//           month's budget, a dry-run import), each timed;
//   import: downloadBudget, importTransactions of 500 new transactions (some fire the
//           budget's rules), shutdown (which sends them);
//   query:  downloadBudget, then a dozen typical ActualQL queries (QUERIES), each timed.
//   querywarm: downloadBudget, then each query of QUERIES warm (median of WARM_RUNS).
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

// What dashboards and the CLI's `query` command ask: q is the client's own builder.
const QUERIES = (q, year) => {
  const inYear = { date: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } };
  return {
    'spending by category and month': q('transactions')
      .filter({ ...inYear, amount: { $lt: 0 } })
      .groupBy(['category', { $month: '$date' }])
      .select(['category', { month: { $month: '$date' } }, { total: { $sum: '$amount' } }]),
    'balances by account': q('transactions').groupBy('account').select(['account', { balance: { $sum: '$amount' } }]),
    'payee totals': q('transactions')
      .filter(inYear)
      .groupBy('payee')
      .select(['payee', { total: { $sum: '$amount' } }, { count: { $count: '$id' } }])
      .orderBy('payee'),
    'transactions per month': q('transactions').groupBy({ $month: '$date' }).select([{ month: { $month: '$date' } }, { n: { $count: '$id' } }]),
    'year total spent': q('transactions').filter({ ...inYear, amount: { $lt: 0 } }).calculate({ $sum: '$amount' }),
    uncategorized: q('transactions').filter({ category: null, 'account.offbudget': false }).select(['id', 'date', 'amount']),
    'notes search': q('transactions').filter({ notes: { $like: '%t0-1%' } }).select(['id', 'date', 'notes']),
    'latest 50 of some payees': q('transactions')
      .filter({ 'payee.name': { $like: 'Payee 1%' } })
      .orderBy({ date: 'desc' })
      .limit(50)
      .select(['id', 'date', 'amount', 'payee.name']),
    'last month, splits grouped': q('transactions')
      .filter({ date: { $gte: `${year}-01-01`, $lte: `${year}-01-31` } })
      .options({ splits: 'grouped' })
      .select('*'),
    'categories with groups': q('categories').select(['id', 'name', 'group.name']),
    payees: q('payees').select('*'),
    'open accounts': q('accounts').filter({ closed: false }).select(['id', 'name']),
  };
};

async function queryScenario(api) {
  const year = new Date().getFullYear();
  const rows = {};
  for (const [name, query] of Object.entries(QUERIES(api.q, year))) {
    const { data } = await timed(name, () => api.aqlQuery(query));
    rows[name] = Array.isArray(data) ? data.length : data;
  }
  checks = rows;
}

// Warm: the same queries on the open budget, each once untimed, then WARM_RUNS times;
// `reads` holds each query's median.
const WARM_RUNS = 9;
async function queryWarmScenario(api) {
  const queries = Object.entries(QUERIES(api.q, new Date().getFullYear()));
  for (const [, query] of queries) await api.aqlQuery(query);
  for (const [name, query] of queries) {
    const times = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const t = performance.now();
      await api.aqlQuery(query);
      times.push(performance.now() - t);
    }
    reads[name] = times.sort((a, b) => a - b)[WARM_RUNS >> 1];
  }
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
  await ({ report, import: importScenario, query: queryScenario, querywarm: queryWarmScenario })[args.scenario](api);
  mark('worked');
  await api.shutdown();
  mark('shutdown');
}

run().catch((err) => {
  failure = String(err && err.stack ? err.stack : err);
  process.exitCode = 1;
});
