'use strict';
// One runImport script, run the same way by @actual-app/api (actual-worker.js, op
// runImport) and by this package (native-run.js, task runImport): a callback that
// builds a budget (accounts incl. an off-budget and a closed one, groups, categories,
// payees, a rule made before the transactions, transactions with splits and
// transfers, an import, budget amounts for a few months, carryover, notes), then what
// the client has after it: its local folder, getBudgets(), a write after the import, and
// a callback that throws.
const fs = require('node:fs');
const path = require('node:path');

async function buildBudget(api, ids) {
  ids.checking = await api.createAccount({ name: 'Checking', offbudget: false }, 150000);
  ids.savings = await api.createAccount({ name: 'Savings' }, 500000);
  ids.brokerage = await api.createAccount({ name: 'Brokerage', offbudget: true }, 1000000);
  ids.oldCard = await api.createAccount({ name: 'Old card' });
  ids.bills = await api.createCategoryGroup({ name: 'Bills' });
  ids.daily = await api.createCategoryGroup({ name: 'Daily' });
  ids.rent = await api.createCategory({ name: 'Rent', group_id: ids.bills });
  ids.power = await api.createCategory({ name: 'Power', group_id: ids.bills });
  ids.food = await api.createCategory({ name: 'Food', group_id: ids.daily });
  ids.fun = await api.createCategory({ name: 'Fun', group_id: ids.daily, hidden: true });
  const income = (await api.getCategories()).find((c) => c.is_income && c.name === 'Income');
  ids.landlord = await api.createPayee({ name: 'Landlord' });
  ids.grocer = await api.createPayee({ name: 'Grocer' });
  // Made before the transactions: upstream's rules index is not updated while
  // importing, so it is not run on them.
  ids.rule = (
    await api.createRule({
      stage: null,
      conditionsOp: 'and',
      conditions: [{ field: 'payee', op: 'is', value: ids.grocer }],
      actions: [{ op: 'set', field: 'category', value: ids.food }],
    })
  ).id;
  const toSavings = (await api.getPayees()).find((p) => p.transfer_acct === ids.savings).id;
  await api.addTransactions(
    ids.checking,
    [
      { date: '2026-01-03', amount: -120000, payee: ids.landlord, category: ids.rent, notes: 'January rent' },
      { date: '2026-01-05', amount: -8000, payee: ids.grocer, notes: 'the rule does not run' },
      { date: '2026-01-10', amount: -30000, payee: toSavings, notes: 'to savings' },
      { date: '2026-01-15', amount: 250000, payee_name: 'Employer', category: income.id },
      {
        date: '2026-01-20',
        amount: -10000,
        payee: ids.grocer,
        subtransactions: [
          { amount: -6000, category: ids.food },
          { amount: -4000, category: ids.fun, notes: 'treat' },
        ],
      },
    ],
    { runTransfers: true },
  );
  const imported = await api.importTransactions(ids.checking, [
    { date: '2026-02-02', amount: -4500, payee_name: 'Corner Shop', imported_id: 'bank-1' },
    { date: '2026-02-03', amount: -120000, payee_name: 'Landlord', imported_id: 'bank-2', category: ids.rent },
    { date: '2026-02-04', amount: -2000, payee_name: 'grocer', imported_id: 'bank-3', notes: 'lower case' },
    { date: '2026-01-05', amount: -8000, payee_name: 'Grocer', imported_id: 'bank-4' },
  ]);
  await api.addTransactions(ids.brokerage, [{ date: '2026-02-10', amount: 50000, payee_name: 'Dividend' }]);
  await api.addTransactions(ids.oldCard, [
    { date: '2026-01-07', amount: -1500, payee_name: 'Corner Shop' },
    { date: '2026-01-28', amount: 1500, payee_name: 'Card payment' },
  ]);
  await api.closeAccount(ids.oldCard);
  for (const [i, month] of ['2026-01', '2026-02', '2026-03'].entries()) {
    await api.setBudgetAmount(month, ids.rent, 120000);
    await api.setBudgetAmount(month, ids.food, 40000 + i * 5000);
  }
  await api.setBudgetCarryover('2026-02', ids.food, true);
  await api.updateNote(ids.checking, 'Main account');
  await api.updateNote(ids.rent, 'Due on the 3rd');
  return { added: imported.added.length, updated: imported.updated.length, errors: imported.errors };
}

// What the import left in db.sqlite before anything else wrote to it: the number of
// rows of each table (the spreadsheet cache aside), and the synced preferences.
function inspectDb(file) {
  const Database = require('better-sqlite3');
  const db = new Database(file, { readonly: true });
  try {
    const rows = {};
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()) {
      if (!name.startsWith('kvcache')) rows[name] = db.prepare(`SELECT count(*) AS n FROM "${name}"`).get().n;
    }
    const preferences = db.prepare('SELECT id, value FROM preferences ORDER BY id').all();
    const clock = JSON.parse(db.prepare('SELECT clock FROM messages_clock').get().clock);
    return { rows, preferences, merkle: clock.merkle };
  } finally {
    db.close();
  }
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * runImport on `api` (signed in, nothing open), then: what the callback saw, the new
 * budget's metadata.json and getBudgets() entry, a payee written after the import (sent
 * by shutdown), and a second runImport whose callback throws.
 */
async function importAndInspect(api, args) {
  const ids = {};
  let built;
  const before = new Set(fs.readdirSync(args.dataDir));
  await api.runImport('Imported Budget', async () => {
    built = await buildBudget(api, ids);
  });
  const [id] = fs.readdirSync(args.dataDir).filter((name) => !before.has(name) && !name.startsWith('.'));
  const meta = readJson(path.join(args.dataDir, id, 'metadata.json'));
  const db = inspectDb(path.join(args.dataDir, id, 'db.sqlite'));
  const budgets = (await api.getBudgets()).filter((b) => b.name === 'Imported Budget');
  const afterPayee = await api.createPayee({ name: 'Written after the import' });
  await api.sync();

  const thrown = new Error('the callback failed');
  const seen = new Set(fs.readdirSync(args.dataDir));
  let failed;
  try {
    await api.runImport('Broken Import', async () => {
      await api.createAccount({ name: 'Never kept' }, 100);
      throw thrown;
    });
    failed = 'resolved';
  } catch (err) {
    failed = { same: err === thrown, message: err.message };
  }
  const leftBehind = fs.readdirSync(args.dataDir).filter((name) => !seen.has(name));
  const brokenListed = (await api.getBudgets()).filter((b) => b.name === 'Broken Import').length;
  return { id, ids, built, meta, db, budgets, afterPayee: typeof afterPayee, failed, leftBehind, brokenListed };
}

module.exports = { buildBudget, importAndInspect };
