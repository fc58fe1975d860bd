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

// ---- The importer's family (importTransactions, addTransactions, updateTransaction,
// deleteTransaction) pushed hard. These steps use only ids the calls themselves
// answer with, so they run before the script's first read of transactions.

// upstream's failing update/delete leave an unhandled rejection (the write runs after
// the call resolved); bad input for them is tested on imports and adds instead.

// Messages that quote a transaction quote its generated ids and Date.now() sort order.
function redact(value) {
  return JSON.parse(
    JSON.stringify(value ?? null)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/\b1\d{12}\b/g, '<now>'),
  );
}

// The import's answer in more detail: the shape of every preview entry too.
async function attemptImport(fn) {
  try {
    const result = await fn();
    const entry = (p) => ({
      keys: Object.keys(p),
      transactionKeys: Object.keys(p.transaction || {}),
      existingKeys: p.existing ? Object.keys(p.existing) : null,
      payee_name: p.existing?.payee_name ?? null,
      cleared: p.transaction?.cleared ?? null,
      category: p.transaction?.category ? 'set' : null,
      account_name: p.transaction?._account_name ?? null,
    });
    return { ok: summary(result), shapes: (result?.updatedPreview || []).map(entry) };
  } catch (err) {
    return redact({ error: { type: err && (err.type || err.name), message: err && err.message } });
  }
}

function monthDay(day) {
  return `${dayOffset(0).slice(0, 7)}-${day}`;
}

async function importerSteps(api, out, { checking, card, groceries }) {
  const accounts = await api.getAccounts();
  const savings = accounts.find((a) => a.name === 'Savings').id;
  const closed = accounts.find((a) => a.name === 'Old account').id;
  const toSavings = (await api.getPayees()).find((p) => p.transfer_acct === savings).id;

  // Payee names: case, spaces, unicode, title-casing, empty names; 'original'.
  const names = ['corner shop', '  CORNER   SHOP ', 'Corner Shop', 'äpfel MARKT', 'ÄPFEL markt', 'the bank of america', 'İSTANBUL kebab', 'shop (the best) of next.js', '   ', '', 'Σίσυφος ΟΔΟΣ', 'o\'reilly books'];
  const variants = names.map((payee_name, i) => ({ date: dayOffset(-i), amount: -(3100 + i), payee_name, imported_id: `pv-${i}` }));
  out.payeeVariantsPreview = await attemptImport(() => api.importTransactions(checking, variants, { dryRun: true }));
  let variantIds = [];
  out.payeeVariants = await attemptImport(async () => {
    const result = await api.importTransactions(checking, variants);
    variantIds = result.added;
    return result;
  });
  out.payeeOriginal = await attemptImport(() =>
    api.importTransactions(card, [{ date: dayOffset(-3), amount: -4100, payee_name: '  new SHOP original ', imported_id: 'po-1' }], { payeeNameNormalization: 'original' }),
  );
  out.badNormalization = await attemptImport(() => api.importTransactions(card, variants, { payeeNameNormalization: 'upper' }));
  out.badAccountId = await attemptImport(() => api.importTransactions(42, variants));

  // Deleted imports: matched (and left alone) or imported again.
  const deletable = await api.importTransactions(card, [
    { date: dayOffset(-4), amount: -5100, payee_name: 'Deleted once', imported_id: 'rd-1' },
    { date: dayOffset(-4), amount: -5200, payee_name: 'Deleted twice', imported_id: 'rd-2' },
  ]);
  out.deletable = summary(deletable);
  out.deleteImported = await attempt(() => api.deleteTransaction(deletable.added[0]));
  await settle();
  await attempt(() => api.deleteTransaction(deletable.added[1]));
  await settle();
  const again = [
    { date: dayOffset(-4), amount: -5100, payee_name: 'Deleted once', imported_id: 'rd-1', notes: 'again' },
    { date: dayOffset(-4), amount: -5200, payee_name: 'Deleted twice', imported_id: 'rd-2', notes: 'again' },
  ];
  out.reimportDeletedFalse = await attemptImport(() => api.importTransactions(card, again, { reimportDeleted: false }));
  out.reimportDeletedTrue = await attemptImport(() => api.importTransactions(card, again.slice(0, 1), { reimportDeleted: true }));
  out.reimportDeletedDefault = await attemptImport(() => api.importTransactions(card, again.slice(1)));

  // Transfers: a transfer payee given by id, and an account's name as a payee name.
  const transfers = await api.importTransactions(checking, [
    { date: dayOffset(-2), amount: -7100, payee: toSavings, notes: 'imported transfer', imported_id: 'tr-1' },
    { date: dayOffset(-2), amount: -7200, payee_name: 'Savings', imported_id: 'tr-2' },
  ]);
  out.transfers = summary(transfers);

  // Splits whose children miss the parent's amount; a split re-imported.
  const splitFile = [
    { date: dayOffset(-1), amount: -10000, payee_name: 'Split shop', imported_id: 'sp-1', subtransactions: [{ amount: -6000, category: groceries }, { amount: -3000, notes: 'short' }] },
    { date: dayOffset(-1), amount: -2000, payee_name: 'Split shop', imported_id: 'sp-2', subtransactions: [{ amount: -2000, payee: toSavings }] },
  ];
  const splits = await api.importTransactions(checking, splitFile);
  out.splits = summary(splits);
  out.splitsAgain = await attemptImport(() => api.importTransactions(checking, splitFile.map((t) => ({ ...t, cleared: false }))));

  // The same imported_id twice in one file, then the file again.
  const dups = [
    { date: dayOffset(-6), amount: -8100, payee_name: 'Dup shop', imported_id: 'dup-1' },
    { date: dayOffset(-6), amount: -8200, payee_name: 'Dup shop', imported_id: 'dup-1', notes: 'second' },
  ];
  out.duplicateIds = await attemptImport(() => api.importTransactions(checking, dups));
  out.duplicateIdsAgain = await attemptImport(() => api.importTransactions(checking, dups));

  // Ties: candidates at equal distances, same amount and payee; the sort decides.
  await api.addTransactions(checking, [-3, 3, -2, 2, -1, 1, 0, -3, 3].map((d, i) => ({ date: dayOffset(-20 + d), amount: -9900, payee_name: 'Tie shop', notes: `tie ${i}` })));
  out.tie = await attemptImport(() =>
    api.importTransactions(checking, [0, 0, 1, 2, 3].map((d, i) => ({ date: dayOffset(-20 + d), amount: -9900, payee_name: 'Tie shop', notes: `tie import ${i}` }))),
  );
  out.tieOtherPayee = await attemptImport(() => api.importTransactions(checking, [{ date: dayOffset(-20), amount: -9900, payee_name: 'Not the tie shop' }]));

  // Dates: impossible days (stored as given), formats upstream refuses, before 1995.
  out.impossibleDays = await attemptImport(() =>
    api.importTransactions(checking, [
      { date: monthDay('31').replace(/-\d\d-31$/, '-02-30'), amount: -1111, payee_name: 'Odd date', imported_id: 'od-1' },
      { date: monthDay('32'), amount: -1112, payee_name: 'Odd date', imported_id: 'od-2' },
      { date: monthDay('00'), amount: -1113, payee_name: 'Odd date' },
    ]),
  );
  out.impossibleDaysAgain = await attemptImport(() => api.importTransactions(checking, [{ date: monthDay('32'), amount: -1112, payee_name: 'Odd date' }]));
  out.shortDate = await attemptImport(() => api.importTransactions(checking, [{ date: '2024-1-5', amount: -1 }]));
  out.oldDate = await attemptImport(() => api.importTransactions(checking, [{ date: '1990-01-01', amount: -1, payee_name: 'Corner shop' }]));
  out.noDate = await attemptImport(() => api.importTransactions(checking, [{ amount: -1 }]));
  out.noAmount = await attemptImport(() => api.importTransactions(checking, [{ date: dayOffset(-9), payee_name: 'No amount' }]));

  // Amounts that are not integers; ids and accounts upstream does not check.
  out.floatAmount = await attemptImport(() => api.importTransactions(checking, [{ date: dayOffset(-1), amount: -1 }, { date: dayOffset(-1), amount: 12.5, payee_name: 'Float payee' }]));
  out.stringAmount = await attemptImport(() => api.importTransactions(checking, [{ date: dayOffset(-1), amount: '-100' }]));
  out.floatSubAmount = await attemptImport(() => api.importTransactions(checking, [{ date: dayOffset(-1), amount: -3, subtransactions: [{ amount: -1.5 }] }]));
  out.floatAdd = await attempt(() => api.addTransactions(checking, [{ date: dayOffset(-1), amount: 0.5 }]));
  // Failing imports name a payee the budget has: upstream writes the new payees before
  // it fails, we write nothing.
  out.unknownField = await attemptImport(() => api.importTransactions(checking, [{ date: dayOffset(-1), amount: -77, payee_name: 'Corner shop', colour: 'red' }]));
  out.unknownAccount = await attemptImport(() => api.importTransactions('no-such-account', [{ date: dayOffset(-1), amount: -12, payee_name: 'Nowhere payee' }]));
  out.closedAccount = await attemptImport(() => api.importTransactions(closed, [{ date: dayOffset(-1), amount: -13, payee_name: 'Closed account payee', imported_id: 'ca-1' }]));
  out.cleared = await attemptImport(() =>
    api.importTransactions(card, [
      { date: dayOffset(-8), amount: -14, cleared: true, imported_id: 'cl-1' },
      { date: dayOffset(-8), amount: -15, imported_id: 'cl-2' },
    ], { defaultCleared: false }),
  );
  out.newPayeePreview = await attemptImport(() => api.importTransactions(card, [{ date: dayOffset(-8), amount: -16, payee_name: 'Only previewed payee' }], { dryRun: true }));

  // Forced adds, tombstoned entries, categories off budget, imported payees alone,
  // payee ids with names.
  const brokerageId = accounts.find((a) => a.name === 'Brokerage').id;
  const corner = (await api.getPayees()).find((p) => p.name === 'Corner shop').id;
  out.forceAdd = await attemptImport(() => api.importTransactions(checking, [{ ...variants[5], forceAddTransaction: true, notes: 'forced' }]));
  const tombstoned = [{ date: dayOffset(-7), amount: -17, payee_name: 'Tombstoned payee', tombstone: true }];
  out.tombstonePreview = await attemptImport(() => api.importTransactions(checking, tombstoned, { dryRun: true }));
  out.tombstone = await attemptImport(() => api.importTransactions(checking, tombstoned));
  out.offBudget = await attemptImport(() =>
    api.importTransactions(brokerageId, [
      { date: dayOffset(-7), amount: 1800, category: groceries, payee_name: 'Dividend co', imported_id: 'ob-1' },
      { date: dayOffset(-7), amount: -1900, category: groceries, imported_payee: '  ONLY IMPORTED  ', imported_id: 'ob-2' },
      { date: dayOffset(-7), amount: -2000, payee: corner, payee_name: 'name beside an id', imported_id: 'ob-3' },
    ]),
  );

  // Adds: original names, splits, transfers with and without runTransfers.
  out.addMixed = await attempt(() =>
    api.addTransactions(savings, [
      { date: dayOffset(-3), amount: -2100, payee_name: '  lower case shop ', notes: 'kept as given' },
      { date: dayOffset(-3), amount: -2200, payee: toSavings, notes: 'no counterpart' },
      { date: dayOffset(-3), amount: -2300, payee_name: 'Split add', subtransactions: [{ amount: -2000 }, { amount: -200, category: groceries }] },
    ]),
  );
  out.addLearn = await attempt(() => api.addTransactions(card, [{ date: dayOffset(-3), amount: -2400, payee_name: 'Learn shop' }], { learnCategories: true }));
  // addTransactions keeps an id it is given.
  out.addOwnId = await attempt(() => api.addTransactions(card, [{ id: 'script-own-id', date: dayOffset(-3), amount: -2500, notes: 'own id' }]));
  out.editOwnId = await attempt(() => api.updateTransaction('script-own-id', { notes: 'own id edited' }));
  await settle();

  // Edits of what was imported: split children, parents, transfers, payees.
  // A split added uncleared, matched by an import that clears it: its children follow.
  await api.addTransactions(checking, [{ date: dayOffset(-12), amount: -6600, payee_name: 'Uncleared split', cleared: false, subtransactions: [{ amount: -6000 }, { amount: -600 }] }]);
  out.clearSplit = await attemptImport(() => api.importTransactions(checking, [{ date: dayOffset(-11), amount: -6600, payee_name: 'Uncleared split', cleared: true }]));

  const brokerage = accounts.find((a) => a.name === 'Brokerage').id;
  const [splitParent, childA, childB, parent2, child2] = splits.added || [];
  const edits = [
    () => api.updateTransaction(childA, { amount: -7000 }),
    () => api.updateTransaction(splitParent, { payee: toSavings, notes: 'parent edited' }),
    () => api.updateTransaction(child2, { payee: null, notes: 'child no longer a transfer' }),
    () => api.updateTransaction(transfers.added[0], { amount: -7150, notes: 'transfer edited' }),
    () => api.updateTransaction(transfers.added[1], { payee: toSavings }),
    () => api.updateTransaction(deletable.added[1], { notes: 'edit of a deleted one' }),
    () => api.updateTransaction('no-such-transaction', { notes: 'x' }),
    () => api.updateTransaction(childB, {}),
    () => api.updateTransaction(transfers.added[0], { amount: -7150 }),
    () => api.updateTransaction(variantIds[0], { subtransactions: [{ amount: -3000 }, { amount: -100, category: groceries, notes: 'made a split' }] }),
    () => api.updateTransaction(variantIds[1], { account: brokerage, category: groceries }),
    () => api.updateTransaction(splitParent, { date: dayOffset(-5), cleared: false }),
    () => api.updateTransaction(transfers.added[0], { account: card }),
    () => api.updateTransaction(variantIds[2], { reconciled: true, notes: 'locked' }),
    () => api.updateTransaction(variantIds[3], { category: groceries, notes: null, cleared: false }),
  ];
  out.edits = [];
  for (const edit of edits) {
    out.edits.push(await attempt(edit));
    await settle();
  }
  // A reconciled transaction is left alone by a re-import.
  out.reimportReconciled = await attemptImport(() => api.importTransactions(checking, variants.slice(2, 4).map((t) => ({ ...t, notes: 'import over a lock' }))));
  out.deletes = [];
  for (const id of [childB, childA, parent2, transfers.added[0], variantIds[0], 'no-such-transaction']) {
    out.deletes.push(await attempt(() => api.deleteTransaction(id)));
    await settle();
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
  await importerSteps(api, out, { checking, card, groceries });

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
