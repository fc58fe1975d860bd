'use strict';
// Every read a report script makes, with good and bad arguments, run the same way on
// @actual-app/api (in actual-worker.js) and on this package (in a child process): the
// two answers are compared key by key. Errors are kept as their type and message
// (upstream rejects with plain `{ type: 'APIError', message }` objects).

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
  // Once more at the end: upstream's schedule service may run after downloadBudget.
  await record(out, 'getSchedules() last', () => api.getSchedules());
  await record(out, 'getRules() last', () => api.getRules());
  return out;
}

module.exports = { readEverything };
