'use strict';
// A realistic budget built with the real @actual-app/api (run inside actual-worker.js):
// category groups with hidden and deleted categories, on-budget, off-budget and closed
// accounts, salaries, bills, splits, transfers, rules, schedules, notes, tags, budget
// amounts over many months, carryover, a hold, and changes made after the upload.
//
// Dates are in the current year and the months around today, so that the current month,
// "last twelve weeks" and the budget's month range all have something in them.

// upstream's updateTransaction and deleteTransaction resolve before their write is
// done (they index the promise instead of awaiting it): give the write time to finish.
function settle() {
  return new Promise((resolve) => setTimeout(resolve, 300));
}

function pad(n) {
  return String(n).padStart(2, '0');
}

// Local calendar arithmetic, as the budget's own dates are local days.
function dayOffset(days) {
  const d = new Date();
  d.setHours(12, 0, 0, 0);
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function monthOffset(months) {
  const d = new Date();
  d.setHours(12, 0, 0, 0);
  d.setDate(1);
  d.setMonth(d.getMonth() + months);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

// Months from eleven before the current one to the current one.
function recentMonths() {
  const out = [];
  for (let i = -11; i <= 0; i++) out.push(monthOffset(i));
  return out;
}

async function categoryIds(api) {
  const ids = {};
  for (const c of await api.getCategories()) ids[c.name] = c.id;
  return ids;
}

/**
 * Fills a budget opened in import mode (inside runImport). `budgetType` 'tracking'
 * switches it to a tracking budget before any amount is set. `withRules: false` leaves
 * out the rules and the schedules (whose rules also run on imports).
 */
async function populate(api, { budgetType = 'envelope', withRules = true } = {}) {
  if (budgetType === 'tracking') {
    await api.internal.send('preferences/save', { id: 'budgetType', value: 'tracking' });
  }
  const bills = await api.createCategoryGroup({ name: 'Bills' });
  const food = await api.createCategoryGroup({ name: 'Food' });
  const fun = await api.createCategoryGroup({ name: 'Fun', hidden: true });
  const removed = await api.createCategoryGroup({ name: 'Removed group' });
  const income = (await api.getCategoryGroups()).find((g) => g.is_income);
  const cat = {};
  for (const [name, group_id, extra] of [
    ['Rent', bills],
    ['Power', bills],
    ['Internet', bills],
    ['Groceries', food],
    ['Restaurants', food, { hidden: true }],
    ['Hobbies', fun],
    ['Vacation', fun],
    ['Old category', bills],
    ['In removed group', removed],
  ]) {
    cat[name] = await api.createCategory({ name, group_id, ...extra });
  }
  cat['Side gig'] = await api.createCategory({ name: 'Side gig', group_id: income.id, is_income: true });
  Object.assign(cat, { Income: (await categoryIds(api)).Income });

  const acct = {};
  acct.Checking = await api.createAccount({ name: 'Checking' }, 250000);
  acct.Savings = await api.createAccount({ name: 'Savings' }, 1000000);
  acct['Credit card'] = await api.createAccount({ name: 'Credit card' }, -50000);
  acct.Brokerage = await api.createAccount({ name: 'Brokerage', offbudget: true }, 5000000);
  acct['Old account'] = await api.createAccount({ name: 'Old account' }, 12345);
  acct['Gone account'] = await api.createAccount({ name: 'Gone account' }, 0);

  const payees = await api.getPayees();
  const transferPayee = (account) => payees.find((p) => p.transfer_acct === account).id;

  const months = recentMonths();
  for (const [i, month] of months.entries()) {
    const txns = [
      { date: `${month}-01`, amount: 400000, payee_name: 'Employer', category: cat.Income, notes: 'salary' },
      { date: `${month}-03`, amount: -150000, payee_name: 'Landlord', category: cat.Rent, cleared: true },
      { date: `${month}-05`, amount: -(4000 + i * 313), payee_name: 'Corner shop', category: cat.Groceries, notes: '#food weekly' },
      { date: `${month}-12`, amount: -(2500 + i * 17), payee_name: 'Bistro', category: cat.Restaurants, notes: '#food #fun' },
      {
        date: `${month}-15`,
        amount: -12000,
        payee_name: 'Supermarket',
        notes: 'split',
        subtransactions: [
          { amount: -8000, category: cat.Groceries, notes: 'food part' },
          { amount: -4000, category: cat.Hobbies },
        ],
      },
      { date: `${month}-20`, amount: -50000, payee: transferPayee(acct.Savings), notes: 'to savings' },
      { date: `${month}-21`, amount: -20000, payee: transferPayee(acct.Brokerage), category: cat.Vacation, notes: 'to brokerage' },
      { date: `${month}-25`, amount: -999, payee_name: 'Unknown shop', notes: null, cleared: false },
    ];
    if (i % 3 === 0) txns.push({ date: `${month}-10`, amount: 25000, payee_name: 'Client', category: cat['Side gig'] });
    await api.addTransactions(acct.Checking, txns, { runTransfers: true });
    await api.addTransactions(acct['Credit card'], [
      { date: `${month}-08`, amount: -(8000 + i * 137), payee_name: 'Power Co', category: cat.Power },
      { date: `${month}-18`, amount: -(6000 + i * 11), payee_name: 'Net Ltd', category: cat.Internet, imported_payee: 'NET LTD 123' },
      { date: `${month}-28`, amount: 30000, payee: transferPayee(acct.Checking), notes: 'card payment' },
    ], { runTransfers: true });
  }
  // Recent days, for "the last twelve weeks" (common payees) and the current month.
  const recent = [];
  for (let d = 0; d < 40; d++) {
    recent.push({ date: dayOffset(-d * 2), amount: -(100 + d * 7), payee_name: `Cafe ${d % 4}`, category: cat.Restaurants });
  }
  await api.addTransactions(acct['Credit card'], recent);
  await api.addTransactions(acct.Brokerage, [{ date: `${months[2]}-09`, amount: 123456, payee_name: 'Dividends' }]);
  await api.addTransactions(acct['Old account'], [{ date: `${months[1]}-09`, amount: -345, payee_name: 'Bank fee' }]);
  await api.addTransactions(acct['Gone account'], [{ date: `${months[1]}-11`, amount: -10, payee_name: 'Gone payee' }]);

  for (const [i, month] of months.entries()) {
    await api.setBudgetAmount(month, cat.Rent, 150000);
    await api.setBudgetAmount(month, cat.Power, 9000);
    await api.setBudgetAmount(month, cat.Internet, 6000 + i);
    await api.setBudgetAmount(month, cat.Groceries, i % 2 ? 12000 : 15000);
    await api.setBudgetAmount(month, cat.Restaurants, 2000);
    await api.setBudgetAmount(month, cat.Hobbies, 3000);
    if (budgetType === 'tracking') await api.setBudgetAmount(month, cat.Income, 400000);
  }
  await api.setBudgetAmount(monthOffset(1), cat.Rent, 160000);
  await api.setBudgetCarryover(months[4], cat.Groceries, true);
  await api.setBudgetCarryover(months[6], cat.Restaurants, true);

  if (withRules) await addRulesAndSchedules(api, { cat, acct });

  await api.updateNote(cat.Groceries, 'Weekly shop, #food');
  await api.updateNote(acct.Checking, 'Main account');
  await api.createTag({ tag: 'food', color: '#ff8800', description: 'Anything eaten' });
  await api.createTag({ tag: 'fun' });
  await api.createTag({ tag: 'Tag10' });
  await api.createTag({ tag: 'tag9', description: 'numeric order' });

  await api.deleteCategory(cat['Old category'], cat.Power);
  await api.deleteCategoryGroup(removed, cat.Hobbies);
  await api.closeAccount(acct['Old account'], acct.Checking);
  await api.deleteAccount(acct['Gone account']);
  const someTxns = await api.getTransactions(acct.Checking, `${months[0]}-01`, `${months[0]}-31`);
  await api.deleteTransaction(someTxns.find((t) => t.notes === 'salary').id);
  await settle();
}

/** The fixture's rules and schedules. */
async function addRulesAndSchedules(api, { cat, acct }) {
  const months = recentMonths();
  await api.createRule({
    stage: 'pre',
    conditionsOp: 'and',
    conditions: [{ field: 'imported_payee', op: 'contains', value: 'NET LTD' }],
    actions: [{ op: 'set', field: 'notes', value: 'internet bill' }],
  });
  await api.createRule({
    stage: null,
    conditionsOp: 'or',
    conditions: [
      { field: 'payee', op: 'is', value: (await api.getPayees()).find((p) => p.name === 'Bistro').id },
      { field: 'amount', op: 'lt', value: -100000 },
    ],
    actions: [{ op: 'set', field: 'category', value: cat.Restaurants }],
  });
  await api.createRule({
    stage: 'post',
    conditionsOp: 'and',
    conditions: [{ field: 'notes', op: 'matches', value: '^#food' }],
    actions: [{ op: 'set', field: 'cleared', value: true }],
  });
  await api.createSchedule({
    name: 'Rent schedule',
    payee: (await api.getPayees()).find((p) => p.name === 'Landlord').id,
    account: acct.Checking,
    amount: -150000,
    amountOp: 'is',
    date: { frequency: 'monthly', start: `${months[0]}-03`, interval: 1, endMode: 'never', patterns: [], skipWeekend: false, weekendSolveMode: 'after' },
  });
  await api.createSchedule({
    name: 'Power estimate',
    account: acct['Credit card'],
    amount: { num1: -9000, num2: -7000 },
    amountOp: 'isbetween',
    date: `${monthOffset(1)}-08`,
  });
}

/** Changes made after the upload, with a normal (syncing) session. */
async function changeAfterUpload(api, { budgetType = 'envelope' } = {}) {
  const cats = await categoryIds(api);
  const accounts = await api.getAccounts();
  const checking = accounts.find((a) => a.name === 'Checking').id;
  const months = recentMonths();
  await api.addTransactions(checking, [
    { date: dayOffset(0), amount: -4242, payee_name: 'After upload', category: cats.Groceries, notes: 'new after upload' },
    { date: dayOffset(-1), amount: 1000, payee_name: 'Employer', category: cats.Income },
  ]);
  const txns = await api.getTransactions(checking, `${months[5]}-01`, `${months[5]}-31`);
  await api.updateTransaction(txns.find((t) => t.notes === '#food weekly').id, { amount: -7777, notes: 'edited after upload' });
  await api.deleteTransaction(txns.find((t) => t.notes === 'to savings').id);
  await settle();
  await api.setBudgetAmount(months[9], cats.Groceries, 22222);
  await api.setBudgetAmount(months[11], cats.Vacation, 5000);
  await api.createPayee({ name: 'Added payee' });
  if (budgetType === 'envelope') {
    await api.holdBudgetForNextMonth(months[8], 50000);
    await api.holdBudgetForNextMonth(months[11], 1000);
  }
  await api.updateAccount(accounts.find((a) => a.name === 'Savings').id, { name: 'Savings (renamed)' });
}

module.exports = { populate, changeAfterUpload, recentMonths, monthOffset, dayOffset };
