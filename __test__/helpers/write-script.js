'use strict';
// One bank-import script, run unchanged through @actual-app/api (in actual-worker.js)
// and through this package (native-script.js) on twin budgets (twins.js): imports, a
// re-import of the same file, a dry run, adds, edits, deletes, a new payee, account
// and category, budget amounts, a batch. It answers with what the calls returned,
// without generated ids (those are compared through what the real client reads after).

const { recentMonths, dayOffset } = require('./realistic-budget.js');
const { createRules, importWithRules } = require('./write-script-rules.js');

// upstream's updateTransaction/deleteTransaction resolve before their write finishes.
function settle() {
  return new Promise((resolve) => setTimeout(resolve, 300));
}

// A bank export: some payees the budget knows (in other cases and spacing), some new,
// imported ids, a split, amounts in both directions, dates around today.
function bankFile(prefix) {
  const file = [];
  const payees = ['Corner shop', 'CORNER SHOP', 'corner shop ', 'Bistro', 'Brand new shop', 'Power Co', 'Net Ltd', 'new payee two', 'Employer'];
  for (let i = 0; i < 24; i++) {
    file.push({
      date: dayOffset(-i * 3),
      amount: i % 5 === 0 ? 100000 + i : -(1000 + i * 97),
      payee_name: payees[i % payees.length],
      imported_payee: `BANK ${payees[i % payees.length].toUpperCase()} ${i}`,
      imported_id: `${prefix}-${i}`,
      notes: i % 4 === 0 ? `#food import ${i}` : undefined,
    });
  }
  file.push({
    date: dayOffset(-1),
    amount: -9000,
    payee_name: 'Supermarket',
    imported_id: `${prefix}-split`,
    subtransactions: [{ amount: -6000, notes: 'food' }, { amount: -3000, notes: 'other' }],
  });
  return file;
}

function summary(result) {
  if (!result || typeof result !== 'object') return result ?? null;
  const pick = (t) => t && { date: t.date, amount: t.amount, notes: t.notes ?? null, imported_id: t.imported_id ?? null, imported_payee: t.imported_payee ?? null, cleared: t.cleared };
  return {
    errors: result.errors,
    added: result.added?.length,
    updated: result.updated?.length,
    updatedPreview: (result.updatedPreview || []).map((p) => ({ ignored: p.ignored ?? null, tombstone: p.tombstone ?? null, transaction: pick(p.transaction), existing: pick(p.existing) })),
  };
}

async function attempt(fn) {
  try {
    return { ok: summary(await fn()) };
  } catch (err) {
    return { error: { type: err && (err.type || err.name), message: err && err.message } };
  }
}

/** The script. Resolves to what each step answered. */
async function bankImport(api) {
  const out = {};
  const checking = await api.getIDByName('accounts', 'Checking');
  const card = await api.getIDByName('accounts', 'Credit card');
  const groceries = await api.getIDByName('categories', 'Groceries');
  const months = recentMonths();
  // Rules first (they act only on the import of their own at the end).
  out.rules = await createRules(api);

  const file = bankFile('bank');
  out.import = await attempt(() => api.importTransactions(checking, file));
  out.reimport = await attempt(() => api.importTransactions(checking, file));
  const changed = file.slice(0, 6).map((t, i) => ({ ...t, amount: t.amount - i, notes: `changed ${i}` }));
  out.dryRun = await attempt(() => api.importTransactions(checking, changed, { dryRun: true }));
  out.importNotCleared = await attempt(() => api.importTransactions(card, bankFile('card').slice(0, 8), { defaultCleared: false }));
  // No imported ids: matched to existing transactions by amount, date and payee.
  const fuzzy = file.slice(0, 5).map(({ imported_id, ...t }) => ({ ...t, date: dayOffset(-1) }));
  out.fuzzyImport = await attempt(() => api.importTransactions(checking, fuzzy));
  out.badImport = await attempt(() => api.importTransactions(checking, [{ date: 'not a date', amount: 1 }]));

  const toChecking = (await api.getPayees()).find((p) => p.transfer_acct === checking).id;
  out.add = await attempt(() =>
    api.addTransactions(card, [
      { date: dayOffset(-2), amount: -4321, payee_name: 'Added by script', category: groceries, notes: 'added' },
      { date: dayOffset(-2), amount: -1234, payee: toChecking, notes: 'transfer by script' },
    ], { runTransfers: true }),
  );
  const recent = await api.getTransactions(checking, dayOffset(-40), dayOffset(0));
  const edit = recent.find((t) => t.imported_id === 'bank-3');
  out.update = await attempt(() => api.updateTransaction(edit.id, { notes: 'edited by script', amount: edit.amount - 5, category: groceries }));
  await settle();
  out.delete = await attempt(() => api.deleteTransaction(recent.find((t) => t.imported_id === 'bank-4').id));
  await settle();

  const payee = await api.createPayee({ name: 'Script payee' });
  out.updatePayee = await attempt(() => api.updatePayee(payee, { name: 'Script payee renamed' }));
  const account = await api.createAccount({ name: 'Script account', offbudget: false }, 54321);
  out.account = await attempt(() => api.updateAccount(account, { name: 'Script account renamed' }));
  const group = await api.createCategoryGroup({ name: 'Script group' });
  const category = await api.createCategory({ name: 'Script category', group_id: group });
  out.budget = await attempt(async () => {
    await api.setBudgetAmount(months[11], category, 12345);
    await api.setBudgetAmount(months[10], groceries, 999);
    await api.setBudgetCarryover(months[10], category, true);
  });
  out.badBudget = await attempt(() => api.setBudgetAmount('2026-1', category, 1));

  out.batch = await attempt(() =>
    api.batchBudgetUpdates(async () => {
      await api.addTransactions(account, [{ date: dayOffset(-5), amount: -777, payee: payee, notes: 'in batch' }]);
      await api.setBudgetAmount(months[11], groceries, 4444);
      await api.updateNote(category, 'made in a batch');
    }),
  );
  out.rulesImport = await attempt(() => importWithRules(api));
  return out;
}

module.exports = { bankImport };
