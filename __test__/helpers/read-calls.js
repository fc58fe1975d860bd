'use strict';
// Every read a report script makes, with good and bad arguments, run the same way on
// @actual-app/api (in actual-worker.js) and on this package (in a child process): the
// two answers are compared key by key. Errors are kept as their type and message
// (upstream rejects with plain `{ type: 'APIError', message }` objects).

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

  const payees = Array.isArray(out['getPayees()']) ? out['getPayees()'] : [];
  for (const [i, p] of payees.slice(0, 12).entries()) {
    await record(out, `getPayeeRules(payee #${i})`, () => api.getPayeeRules(p.id));
  }
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

module.exports = { readEverything };
