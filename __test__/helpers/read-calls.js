'use strict';
// Every read a report script makes, with good and bad arguments, run the same way on
// @actual-app/api (in actual-worker.js) and on this package (in a child process): the
// two answers are compared key by key. Errors are kept as their type and message
// (upstream rejects with plain `{ type: 'APIError', message }` objects).
const { TRANSACTION_CASES_NOTE } = require('./realistic-budget.js');

const { FIXTURE_IDS_NOTE } = require('./fixture-rules.js');

function outcome(err) {
  return { error: { type: err && (err.type || err.name), message: err && err.message } };
}

async function record(out, key, fn) {
  try {
    out[key] = await fn();
  } catch (err) {
    out[key] = outcome(err);
  }
}

// getPayeeRules for every payee, the merged and deleted ones the fixture noted
// (fixture-rules.js), and ids that name no payee.
async function readPayeeRules(api, out) {
  const payees = Array.isArray(out['getPayees()']) ? out['getPayees()'] : [];
  for (const [i, p] of payees.entries()) {
    await record(out, `getPayeeRules(#${i} ${p.name})`, () => api.getPayeeRules(p.id));
  }
  await record(out, 'getNote(rules fixture ids)', () => api.getNote(FIXTURE_IDS_NOTE));
  let noted = [];
  try {
    noted = JSON.parse(out['getNote(rules fixture ids)'].note).payees;
  } catch {
    // not this fixture
  }
  for (const [i, id] of noted.entries()) {
    await record(out, `getPayeeRules(merged or deleted #${i})`, () => api.getPayeeRules(id));
  }
  await record(out, 'getPayeeRules(unknown)', () => api.getPayeeRules('no-such-payee'));
  await record(out, 'getPayeeRules()', () => api.getPayeeRules());
  await record(out, 'getPayeeRules(null)', () => api.getPayeeRules(null));
  await record(out, 'getPayeeRules(42)', () => api.getPayeeRules(42));
}

// getTransactions: every shape of argument (JavaScript truthiness decides which
// filters exist; dates are `YYYY-MM-DD` strings or Dates, anything else is a compile
// error with upstream's expression stack), and the fixture's special cases
// (realistic-budget.js, transactionCases).
async function transactionReads(api, out, ids) {
  const year = new Date().getFullYear();
  const first = ids[0];
  let cases = {};
  try {
    cases = JSON.parse((await api.getNote(TRANSACTION_CASES_NOTE)).note) || {};
  } catch {
    // the fixture without its cases: the calls below still run
  }
  const calls = {
    'getTransactions()': () => api.getTransactions(),
    'getTransactions(null)': () => api.getTransactions(null),
    "getTransactions('')": () => api.getTransactions(''),
    'getTransactions(all accounts, start only)': () => api.getTransactions(undefined, `${year}-06-01`),
    'getTransactions(all accounts, end only)': () => api.getTransactions(undefined, undefined, `${year}-02-28`),
    'getTransactions(#0, no dates)': () => api.getTransactions(first),
    'getTransactions(#0, Date range)': () => api.getTransactions(first, new Date(year, 0, 1), new Date(year, 11, 31, 23, 59, 59)),
    'getTransactions(#0, Dates near midnight UTC)': () => api.getTransactions(first, new Date(Date.UTC(year, 2, 1, 0, 30)), new Date(Date.UTC(year, 2, 31, 23, 30))),
    'getTransactions(#0, reversed range)': () => api.getTransactions(first, `${year}-06-30`, `${year}-06-01`),
    'getTransactions(#0, impossible dates)': () => api.getTransactions(first, `${year}-02-29`, `${year}-02-31`),
    "getTransactions(#0, '2026-1-5')": () => api.getTransactions(first, '2026-1-5'),
    "getTransactions(#0, '20260105')": () => api.getTransactions(first, '20260105'),
    "getTransactions(#0, '1994-12-31')": () => api.getTransactions(first, '1994-12-31'),
    'getTransactions(#0, bad end)': () => api.getTransactions(first, '1995-01-01', '2026-12-1'),
    'getTransactions(#0, number start)': () => api.getTransactions(first, 20260105),
    'getTransactions(#0, float end)': () => api.getTransactions(first, '1995-01-01', 1.5),
    'getTransactions(#0, true start)': () => api.getTransactions(first, true),
    'getTransactions(#0, array start)': () => api.getTransactions(first, ['2026-01-01']),
    'getTransactions(#0, object start)': () => api.getTransactions(first, { from: '2026-01-01' }),
    'getTransactions(#0, Invalid Date end)': () => api.getTransactions(first, '1995-01-01', new Date(NaN)),
    'getTransactions(#0, Date start, number end)': () => api.getTransactions(first, new Date(year, 4, 5, 6, 7, 8), 5),
    'getTransactions(number account)': () => api.getTransactions(5),
    'getTransactions(float account)': () => api.getTransactions(1.5, '2020-01-01'),
    'getTransactions(true account)': () => api.getTransactions(true),
    'getTransactions({} account)': () => api.getTransactions({}),
    'getTransactions([] account)': () => api.getTransactions([], `${year}-01-01`, `${year}-01-31`),
    'getTransactions(Date account)': () => api.getTransactions(new Date(year, 0, 1)),
    'getTransactions(false account)': () => api.getTransactions(false, `${year}-01-01`, `${year}-01-31`),
    'getTransactions(0 account)': () => api.getTransactions(0, `${year}-12-01`),
    'getTransactions(parameter account)': () => api.getTransactions(':account'),
    'getTransactions(parameter start, bad end)': () => api.getTransactions(first, ':start', 'bad'),
    'getTransactions(long account, bad date)': () => api.getTransactions('x'.repeat(80), 'bad'),
    'getTransactions(escaped dollar account)': () => api.getTransactions('\\$x', '2020-01-01'),
    // 69 UTF-16 units of JSON (109 bytes): upstream prints the filter on one line.
    'getTransactions(unicode account, bad date)': () => api.getTransactions('€'.repeat(20), 'bad'),
    'getTransactions(account deleted under its transactions)': () => api.getTransactions(cases.vanished),
  };
  for (const [key, call] of Object.entries(calls)) await record(out, key, call);
  // A split whose children drifted to the next month and to another account: the rows
  // of a matched group that do not match come back marked `_unmatched`.
  for (const month of [cases.driftedMonth, cases.nextMonth].filter(Boolean)) {
    await record(out, `getTransactions(all accounts, ${month})`, () => api.getTransactions(undefined, `${month}-01`, `${month}-31`));
    for (const [i, id] of ids.entries()) {
      await record(out, `getTransactions(#${i}, ${month})`, () => api.getTransactions(id, `${month}-01`, `${month}-31`));
    }
  }
}

/** Runs every read against `api` (either client); resolves to { key: answer }. */
async function readEverything(api, { months } = {}) {
  const out = {};
  await record(out, 'getAccounts()', () => api.getAccounts());
  const accounts = out['getAccounts()'];
  const ids = Array.isArray(accounts) ? accounts.map((a) => a.id) : [];
  await record(out, 'getAccountGroups()', () => api.getAccountGroups());
  await record(out, 'getCategoryGroups()', () => api.getCategoryGroups());
  await record(out, 'getCategoryGroups({hidden:true})', () => api.getCategoryGroups({ hidden: true }));
  await record(out, 'getCategoryGroups({hidden:false})', () => api.getCategoryGroups({ hidden: false }));
  await record(out, 'getCategories()', () => api.getCategories());
  await record(out, 'getCategories({hidden:true})', () => api.getCategories({ hidden: true }));
  await record(out, 'getCategories({hidden:false})', () => api.getCategories({ hidden: false }));
  await record(out, 'getPayees()', () => api.getPayees());
  await record(out, 'getCommonPayees()', () => api.getCommonPayees());
  await record(out, 'getTags()', () => api.getTags());
  await record(out, 'getPreferences()', () => api.getPreferences());
  await record(out, 'getRules()', () => api.getRules());
  await record(out, 'getSchedules()', () => api.getSchedules());
  await record(out, 'getBudgetMonths()', () => api.getBudgetMonths());

  for (const [i, id] of ids.entries()) {
    await record(out, `getAccountBalance(#${i})`, () => api.getAccountBalance(id));
    await record(out, `getAccountBalance(#${i}, mid-year Date)`, () => api.getAccountBalance(id, new Date(new Date().getFullYear(), 5, 15, 0, 30)));
    await record(out, `getAccountBalance(#${i}, '2026-02-30')`, () => api.getAccountBalance(id, '2026-02-30'));
    await record(out, `getTransactions(#${i}, all)`, () => api.getTransactions(id, '1995-01-01', '2199-12-31'));
    await record(out, `getTransactions(#${i}, a month)`, () => api.getTransactions(id, `${new Date().getFullYear()}-03-01`, `${new Date().getFullYear()}-03-31`));
    await record(out, `getTransactions(#${i}, no end)`, () => api.getTransactions(id, `${new Date().getFullYear()}-06-01`));
  }
  await record(out, 'getTransactions(unknown account)', () => api.getTransactions('no-such-account', '2020-01-01', '2030-01-01'));
  await record(out, 'getTransactions(bad date)', () => api.getTransactions(ids[0], 'bad', '2030-01-01'));
  await record(out, 'getTransactions(all accounts)', () => api.getTransactions(undefined, '1995-01-01', '2199-12-31'));
  await record(out, 'getAccountBalance(unknown)', () => api.getAccountBalance('no-such-account'));
  await transactionReads(api, out, ids);

  await readPayeeRules(api, out);
  for (const [type, name] of [
    ['accounts', 'Checking'],
    ['accounts', 'Old account'],
    ['payees', 'Landlord'],
    ['payees', 'Savings (renamed)'],
    ['categories', 'Groceries'],
    ['categories', 'Old category'],
    ['schedules', 'Rent schedule'],
    ['accounts', 'No such account'],
    ['budgets', 'x'],
  ]) {
    await record(out, `getIDByName(${type}, ${name})`, () => api.getIDByName(type, name));
  }
  const categories = Array.isArray(out['getCategories()']) ? out['getCategories()'] : [];
  for (const c of categories) await record(out, `getNote(category ${c.name})`, () => api.getNote(c.id));
  for (const [i, id] of ids.entries()) await record(out, `getNote(account #${i})`, () => api.getNote(id));
  await record(out, 'getNote(unknown)', () => api.getNote('no-such-note'));

  const budgetMonths = Array.isArray(out['getBudgetMonths()']) ? out['getBudgetMonths()'] : [];
  for (const month of months || budgetMonths) {
    await record(out, `getBudgetMonth(${month})`, () => api.getBudgetMonth(month));
  }
  for (const bad of ['bad', '2026-13', '1990-01', '2199-01']) {
    await record(out, `getBudgetMonth(${bad})`, () => api.getBudgetMonth(bad));
  }
  await readBudgetMonthEdges(api, out, budgetMonths);
  // Once more at the end: upstream's schedule service may run after downloadBudget.
  await record(out, 'getSchedules() last', () => api.getSchedules());
  await record(out, 'getRules() last', () => api.getRules());
  return out;
}

// The edges of the budget's month range and malformed months: upstream checks the
// format with a regular expression (a non-string throws a TypeError), then the range.
async function readBudgetMonthEdges(api, out, budgetMonths) {
  const shift = (month, n) => {
    const [y, m] = month.split('-').map(Number);
    const d = new Date(y, m - 1 + n, 1, 12);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
  };
  if (budgetMonths.length > 0) {
    const first = budgetMonths[0];
    const last = budgetMonths[budgetMonths.length - 1];
    for (const [label, month] of [
      ['first', first],
      ['last', last],
      ['before first', shift(first, -1)],
      ['after last', shift(last, 1)],
    ]) {
      await record(out, `getBudgetMonth(${label} month)`, () => api.getBudgetMonth(month));
    }
  }
  const year = new Date().getFullYear();
  for (const [label, month] of [
    ['unpadded', `${year}-1`],
    ['month 00', `${year}-00`],
    ['leading space', ` ${year}-01`],
    ['trailing newline', `${year}-01\n`],
    ['day', `${year}-01-01`],
    ['empty', ''],
    ['undefined', undefined],
    ['null', null],
    ['number', Number(`${year}01`)],
    ['Date', new Date(year, 0, 15)],
  ]) {
    await record(out, `getBudgetMonth(${label})`, () => api.getBudgetMonth(month));
  }
}

// importBudget(args.zipPath) on `api`, then every read, the imported budget's
// metadata.json, and the server's file of that name (the import uploads it).
async function importedAndRead(api, args) {
  const fs = require('node:fs');
  const path = require('node:path');
  const { id } = await api.importBudget(args.zipPath);
  const reads = await readEverything(api, { months: args.months });
  const meta = JSON.parse(fs.readFileSync(path.join(args.dataDir, id, 'metadata.json'), 'utf8'));
  const remote = (await api.getBudgets()).filter((b) => b.state === 'remote' && b.groupId === meta.groupId);
  return { id, reads, meta, remote };
}

module.exports = { readEverything, importedAndRead };
