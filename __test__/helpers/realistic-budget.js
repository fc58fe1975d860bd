'use strict';
// A realistic budget built with the real @actual-app/api (run inside actual-worker.js):
// category groups with hidden and deleted categories, on-budget, off-budget and closed
// accounts, salaries, bills, splits, transfers, rules, schedules, notes, tags, budget
// amounts over many months, carryover, a hold, and changes made after the upload.
//
// Dates are in the current year and the months around today, so that the current month,
// "last twelve weeks" and the budget's month range all have something in them.

const { populateRulesAndSchedules, changeRulesAndSchedulesAfterUpload } = require('./fixture-rules.js');

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
 * The category groups and categories of a realistic budget (visible, hidden, in a group
 * deleted later, income), created in this order; `internet: false` leaves out one bill.
 * Returns the category ids by name (`cat`) and some groups' (`groups`: bills, food, and
 * removed, deleted later).
 */
async function createCategories(api, { internet = true } = {}) {
  const bills = await api.createCategoryGroup({ name: 'Bills' });
  const food = await api.createCategoryGroup({ name: 'Food' });
  const fun = await api.createCategoryGroup({ name: 'Fun', hidden: true });
  const removed = await api.createCategoryGroup({ name: 'Removed group' });
  const income = (await api.getCategoryGroups()).find((g) => g.is_income);
  const cat = {};
  for (const [name, group_id, extra] of [
    ['Rent', bills],
    ['Power', bills],
    ...(internet ? [['Internet', bills]] : []),
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
  return { cat, groups: { bills, food, removed } };
}

/**
 * Fills a budget opened in import mode (inside runImport). `budgetType` 'tracking'
 * switches it to a tracking budget before any amount is set. `withRules: false` leaves
 * out the rules and the schedules (whose rules also run on imports).
 */
async function populate(api, { budgetType = 'envelope', withRules = true, withUnrunnableRules = true } = {}) {
  if (budgetType === 'tracking') {
    await api.internal.send('preferences/save', { id: 'budgetType', value: 'tracking' });
  }
  const { cat, groups } = await createCategories(api);

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

  if (withRules) await addRulesAndSchedules(api, { cat, acct, groups: { bills: groups.bills, food: groups.food }, transferPayee, months, withUnrunnableRules });

  await api.updateNote(cat.Groceries, 'Weekly shop, #food');
  await api.updateNote(acct.Checking, 'Main account');
  await api.createTag({ tag: 'food', color: '#ff8800', description: 'Anything eaten' });
  await api.createTag({ tag: 'fun' });
  await api.createTag({ tag: 'Tag10' });
  await api.createTag({ tag: 'tag9', description: 'numeric order' });

  await api.deleteCategory(cat['Old category'], cat.Power);
  await api.deleteCategoryGroup(groups.removed, cat.Hobbies);
  await api.closeAccount(acct['Old account'], acct.Checking);
  await api.deleteAccount(acct['Gone account']);
  const someTxns = await api.getTransactions(acct.Checking, `${months[0]}-01`, `${months[0]}-31`);
  await api.deleteTransaction(someTxns.find((t) => t.notes === 'salary').id);
  await settle();
  // transactionCases links a transaction to a schedule: only with the rules fixture.
  if (withRules) await transactionCases(api, { cat, acct, months });
  await populateBudgetMonths(api, { budgetType });
}

/** The fixture's rules and schedules (fixture-rules.js adds the many more). */
async function addRulesAndSchedules(api, { cat, acct, groups, transferPayee, months, withUnrunnableRules }) {
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
  await populateRulesAndSchedules(api, { cat, acct, groups, transferPayee, months, withUnrunnableRules });
}

/** Changes made after the upload, with a normal (syncing) session. */
async function changeAfterUpload(api, { budgetType = 'envelope', withRules = true } = {}) {
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
  if (withRules) {
    await changeRulesAndSchedulesAfterUpload(api, { months });
    await transactionChangesAfterUpload(api);
  }
  await changeBudgetMonthsAfterUpload(api, { budgetType });
}

// ---- Budget months (getBudgetMonths / getBudgetMonth) ------------------------------
// Everything a month's cells depend on, in both budget types: overspending with and
// without carryover, carryover turned on then off, holds and their reset, budgets in
// future months and outside the range, income budgeted (tracking) and income carried
// over (envelope's automatic hold), hidden categories and a hidden group with budget and
// spending, deleted categories (with and without a transfer, and a chain of transfers),
// moved categories (also into the income group), an income category in an expense
// group, a second income group, a hidden income category, off-budget, uncategorized,
// split and future-dated transactions, a deleted split, amounts that are not multiples
// of 100, budget and carryover in the month before the range's first, and a deleted
// off-budget transaction that sets the range's start. Built in import mode (a fresh load
// computes it) and changed after the upload: upstream applies those changes to its
// loaded sheet cell by cell, so they are only changes it gets right that way (see
// crates/budget/src/reads/budget_months/mod.rs for the ones it does not).

async function budgetMonthsIds(api) {
  const accounts = {};
  for (const a of await api.getAccounts()) accounts[a.name] = a.id;
  const groups = {};
  for (const g of await api.getCategoryGroups()) groups[g.name] = g.id;
  return { accounts, groups, cats: await categoryIds(api) };
}

async function populateBudgetMonths(api, { budgetType }) {
  const { accounts, groups, cats } = await budgetMonthsIds(api);
  const lab = await api.createCategoryGroup({ name: 'Months lab' });
  const hiddenLab = await api.createCategoryGroup({ name: 'Hidden lab', hidden: true });
  const cat = {};
  for (const [name, group_id, extra] of [
    ['Overspender', lab],
    ['Rollover debt', lab],
    ['Carry toggled', lab],
    ['Future plans', lab],
    ['Hidden lab cat', lab, { hidden: true }],
    ['Mover', lab],
    ['Misfiled', lab],
    ['Doomed', lab],
    ['Doomed transfer', lab],
    ['Chain A', lab],
    ['Chain B', lab],
    ['Doomed late', lab],
    ['Late mover', lab],
    ['Hide me late', lab],
    ['Refunds', lab, { is_income: true }],
    ['In hidden group', hiddenLab],
  ]) {
    cat[name] = await api.createCategory({ name, group_id, ...extra });
  }
  cat.Bonus = await api.createCategory({ name: 'Bonus', group_id: groups.Income, is_income: true });
  cat['Hidden income'] = await api.createCategory({ name: 'Hidden income', group_id: groups.Income, is_income: true, hidden: true });
  // A second income group (the API's createCategoryGroup makes expense groups only).
  const sideIncome = await api.internal.send('category-group-create', { name: 'Side income', isIncome: true });
  cat.Royalties = await api.createCategory({ name: 'Royalties', group_id: sideIncome, is_income: true });
  cat['Blank month'] = await api.createCategory({ name: 'Blank month', group_id: lab });

  const checking = accounts.Checking;
  const card = accounts['Credit card'];
  const brokerage = accounts.Brokerage;
  for (let i = -11; i <= 0; i++) {
    const month = monthOffset(i);
    const k = i + 11;
    await api.addTransactions(checking, [
      { date: `${month}-02`, amount: -(7000 + k * 1234), payee_name: 'Lab shop', category: cat.Overspender },
      { date: `${month}-04`, amount: -(3000 + (k % 4) * 2717), payee_name: 'Lab shop', category: cat['Rollover debt'] },
      { date: `${month}-06`, amount: -(k % 3 === 0 ? 9999 : 1001), payee_name: 'Lab shop', category: cat['Carry toggled'] },
      { date: `${month}-07`, amount: -2345, payee_name: 'Lab shop', category: cat['Hidden lab cat'] },
      { date: `${month}-09`, amount: -(1500 + k * 7), payee_name: 'Lab shop', category: cat['In hidden group'] },
      { date: `${month}-11`, amount: -(k % 2 ? 4321 : 123), payee_name: 'Lab shop', category: cat.Mover },
      { date: `${month}-13`, amount: -(2222 + k), payee_name: 'Lab shop', category: cat.Misfiled },
      { date: `${month}-14`, amount: -3333, payee_name: 'Lab shop', category: cat.Doomed },
      { date: `${month}-16`, amount: -(4444 + k), payee_name: 'Lab shop', category: cat['Doomed transfer'] },
      { date: `${month}-17`, amount: -555, payee_name: 'Lab shop', category: cat['Chain A'] },
      { date: `${month}-19`, amount: -(6666 - k), payee_name: 'Lab shop', category: cat['Doomed late'] },
      { date: `${month}-22`, amount: -(1111 + k * 3), payee_name: 'Lab shop', category: cat['Late mover'] },
      { date: `${month}-23`, amount: -(777 + k), payee_name: 'Lab shop', category: cat['Hide me late'] },
      { date: `${month}-24`, amount: k % 2 ? 1999 : 0, payee_name: 'Refund desk', category: cat.Refunds },
      { date: `${month}-26`, amount: 10000 + k * 101, payee_name: 'Bonus payer', category: cat.Bonus },
      { date: `${month}-26`, amount: 3003 + k, payee_name: 'Bonus payer', category: cat['Hidden income'] },
      { date: `${month}-27`, amount: k % 2 ? 7007 : 0, payee_name: 'Publisher', category: cat.Royalties },
      { date: `${month}-28`, amount: -(606 + k), payee_name: 'Lab shop', category: cat['Blank month'] },
      { date: `${month}-27`, amount: -4567, payee_name: 'Lab nowhere', notes: 'uncategorized lab' },
      {
        date: `${month}-10`,
        amount: -9876,
        payee_name: 'Lab split shop',
        subtransactions: [
          { amount: -5432, category: cat.Overspender },
          { amount: -3210, category: cat['Hidden lab cat'] },
          { amount: -1234 },
        ],
      },
    ]);
    await api.addTransactions(card, [
      { date: `${month}-18`, amount: -(k % 5 === 0 ? 25001 : 2501), payee_name: 'Lab card', category: cat['Future plans'] },
    ]);
    // Off budget: categorized, and never counted.
    await api.addTransactions(brokerage, [
      { date: `${month}-15`, amount: -(8888 + k), payee_name: 'Lab broker', category: cat.Overspender },
      { date: `${month}-16`, amount: 3131, payee_name: 'Lab broker', category: cat.Bonus },
    ]);
  }
  // A split whose parent is then deleted: its children count nowhere.
  await api.addTransactions(checking, [
    {
      date: `${monthOffset(-2)}-12`,
      amount: -50505,
      payee_name: 'Lab dead split',
      notes: 'lab dead split',
      subtransactions: [
        { amount: -40404, category: cat.Overspender },
        { amount: -10101, category: cat['Rollover debt'] },
      ],
    },
  ]);
  // Dated ahead of today: the future months have spending too.
  await api.addTransactions(checking, [
    { date: `${monthOffset(2)}-03`, amount: -4040, payee_name: 'Lab future', category: cat['Future plans'] },
    { date: `${monthOffset(3)}-03`, amount: 5050, payee_name: 'Lab future', category: cat.Royalties },
  ]);
  // The earliest transaction is a deleted off-budget one: the range starts from it.
  await api.addTransactions(brokerage, [{ date: `${monthOffset(-15)}-20`, amount: -1, payee_name: 'Lab ancient', notes: 'lab ancient' }]);
  const dead = [
    ...(await api.getTransactions(checking, `${monthOffset(-2)}-12`, `${monthOffset(-2)}-12`)),
    ...(await api.getTransactions(brokerage, `${monthOffset(-15)}-01`, `${monthOffset(-15)}-28`)),
  ].filter((t) => t.notes === 'lab dead split' || t.notes === 'lab ancient');
  for (const t of dead) await api.deleteTransaction(t.id);
  await settle();

  for (let i = -11; i <= 0; i++) {
    const month = monthOffset(i);
    const k = i + 11;
    await api.setBudgetAmount(month, cat.Overspender, 5050 + k * 11);
    await api.setBudgetAmount(month, cat['Rollover debt'], 2999);
    await api.setBudgetAmount(month, cat['Carry toggled'], k % 3 === 0 ? 1234 : 5678);
    await api.setBudgetAmount(month, cat['Hidden lab cat'], 6001);
    await api.setBudgetAmount(month, cat['In hidden group'], 1777);
    await api.setBudgetAmount(month, cat.Mover, 2500);
    await api.setBudgetAmount(month, cat.Misfiled, 1001);
    await api.setBudgetAmount(month, cat.Doomed, 4000);
    await api.setBudgetAmount(month, cat['Doomed transfer'], 4321);
    await api.setBudgetAmount(month, cat['Chain A'], 500 + k);
    await api.setBudgetAmount(month, cat['Chain B'], 250);
    await api.setBudgetAmount(month, cat['Doomed late'], 7000);
    await api.setBudgetAmount(month, cat['Hide me late'], 800);
    if (k % 4 === 1) await api.setBudgetAmount(month, cat.Refunds, 1500);
    if (budgetType === 'tracking') {
      await api.setBudgetAmount(month, cat.Bonus, 12345 - k);
      await api.setBudgetAmount(month, cats['Side gig'], k % 3 === 0 ? 25000 : 0);
    }
  }
  // Budgets ahead of today (the last months of the range too), and outside the range.
  for (const [offset, amount] of [[1, 12345], [2, 999], [5, 30303], [11, 4242], [12, 5151], [-30, 7777]]) {
    await api.setBudgetAmount(monthOffset(offset), cat['Future plans'], amount);
  }
  await api.setBudgetAmount(monthOffset(3), cat.Overspender, -2500);
  // The month before the range's first (the blank sheet) and the first one.
  await api.setBudgetAmount(monthOffset(-19), cat['Blank month'], 1919);
  await api.setBudgetAmount(monthOffset(-18), cat['Blank month'], 1818);
  await api.setBudgetCarryover(monthOffset(-19), cat['Blank month'], true);
  if (budgetType === 'tracking') {
    await api.setBudgetAmount(monthOffset(-1), cat.Royalties, 7000);
    await api.setBudgetAmount(monthOffset(-1), cat['Hidden income'], 3000);
  }
  await api.setBudgetCarryover(monthOffset(-10), cat['Rollover debt'], true);
  await api.setBudgetCarryover(monthOffset(-8), cat['Carry toggled'], true);
  await api.setBudgetCarryover(monthOffset(-4), cat['Carry toggled'], false);
  await api.setBudgetCarryover(monthOffset(-6), cat['Hidden lab cat'], true);
  await api.setBudgetCarryover(monthOffset(-5), cat['In hidden group'], true);
  // Income carried over: envelope holds it for next month by itself; tracking carries
  // the income balance.
  await api.internal.send('budget/set-carryover', { startMonth: monthOffset(-7), category: cat.Bonus, flag: true });
  await api.internal.send('budget/set-carryover', { startMonth: monthOffset(-2), category: cat.Bonus, flag: false });

  await api.updateCategory(cat.Mover, { name: 'Mover', group_id: groups.Bills });
  await api.updateCategory(cat.Misfiled, { name: 'Misfiled', group_id: groups.Income });
  await api.deleteCategory(cat.Doomed);
  await api.deleteCategory(cat['Doomed transfer'], cat.Overspender);
  await api.deleteCategory(cat['Chain A'], cat['Chain B']);
  await api.deleteCategory(cat['Chain B'], cat.Overspender);
}

async function changeBudgetMonthsAfterUpload(api, { budgetType }) {
  const { accounts, groups, cats } = await budgetMonthsIds(api);
  await api.setBudgetAmount(monthOffset(-3), cats.Overspender, 98765);
  await api.setBudgetAmount(monthOffset(-1), cats['Hidden lab cat'], 1);
  await api.setBudgetAmount(monthOffset(4), cats['Future plans'], 4444);
  await api.setBudgetAmount(monthOffset(0), cats['In hidden group'], 0);
  await api.setBudgetCarryover(monthOffset(-2), cats.Overspender, true);
  await api.setBudgetCarryover(monthOffset(-1), cats.Overspender, false);
  await api.addTransactions(accounts.Checking, [
    { date: dayOffset(-3), amount: -12121, payee_name: 'Lab late', category: cats.Overspender },
    {
      date: `${monthOffset(-1)}-08`,
      amount: -7531,
      payee_name: 'Lab late split',
      subtransactions: [
        { amount: -7000, category: cats['Rollover debt'] },
        { amount: -531, category: cats['In hidden group'] },
      ],
    },
    { date: `${monthOffset(-4)}-21`, amount: -246, payee_name: 'Lab late', notes: 'late uncategorized' },
  ]);
  await api.addTransactions(accounts.Brokerage, [{ date: dayOffset(-1), amount: -1357, payee_name: 'Lab broker', category: cats.Overspender }]);
  await api.updateCategory(cats['Late mover'], { name: 'Late mover', group_id: groups.Food });
  if (budgetType === 'tracking') await api.updateCategory(cats['Hide me late'], { name: 'Hide me late', hidden: true });
  await api.deleteCategory(cats['Doomed late']);
  if (budgetType === 'envelope') {
    await api.holdBudgetForNextMonth(monthOffset(-7), 12345);
    await api.resetBudgetHold(monthOffset(-7));
    await api.holdBudgetForNextMonth(monthOffset(-6), 999999999);
    await api.holdBudgetForNextMonth(monthOffset(2), 777);
  }
}

// ---- getTransactions cases -------------------------------------------------------
// Transactions in every shape a report reads back: splits (a deleted child, a deleted
// parent, a parent deleted on its own so its children are orphans, a child whose date
// or account drifted from its parent's, amounts that do not add up), transfers both
// ways between on- and off-budget accounts (one from a split child), merged and
// deleted payees, deleted categories with and without a transfer category, closed and
// deleted accounts, imported ids and payees, cleared and reconciled flags, notes null
// and empty, impossible dates, the year's first and last days, sort-order ties, and
// linked (and deleted) schedules. Rows an older or partly synced client can leave
// behind are written with the engine's own db layer (api.internal.db), which sends
// them as ordinary sync messages.

/** The note (by this id) where the fixture leaves ids read-calls.js cannot find otherwise. */
const TRANSACTION_CASES_NOTE = 'reads-transactions-fixture';

async function transactionCases(api, { cat, acct, months }) {
  const year = new Date().getFullYear();
  const db = api.internal.db;
  const group = (await api.getCategories()).find((c) => c.id === cat.Rent).group_id;
  const retired = await api.createCategory({ name: 'Retired category', group_id: group });
  const dropped = await api.createCategory({ name: 'Dropped category', group_id: group });
  const vanished = await api.createAccount({ name: 'Vanished account' }, 777);
  const secondBrokerage = await api.createAccount({ name: 'Second brokerage', offbudget: true }, 0);
  const mergedAway = await api.createPayee({ name: 'Merged away' });
  const mergeTarget = await api.createPayee({ name: 'Merge target' });
  const deletedPayee = await api.createPayee({ name: 'Deleted payee' });
  const payees = await api.getPayees();
  const transferPayee = (account) => payees.find((p) => p.transfer_acct === account).id;
  const schedules = await api.getSchedules();
  const rentSchedule = schedules.find((s) => s.name === 'Rent schedule').id;
  const droppedSchedule = await api.createSchedule({
    name: 'Dropped schedule',
    account: acct.Checking,
    amount: -1234,
    amountOp: 'is',
    date: `${months[1]}-19`,
  });

  const split = (date, notes, amount, subtransactions, extra = {}) => ({ date, notes, amount, payee_name: 'Split shop', subtransactions, ...extra });
  await api.addTransactions(
    acct.Checking,
    [
      split(`${months[3]}-16`, 'split with a deleted child', -9000, [
        { amount: -3000, category: cat.Groceries, notes: 'kept child' },
        { amount: -3000, category: cat.Hobbies, notes: 'deleted child' },
        { amount: -3000, payee: transferPayee(acct.Savings), notes: 'child transfer' },
      ]),
      split(`${months[4]}-16`, 'split deleted whole', -5000, [
        { amount: -2500, category: cat.Groceries },
        { amount: -2500, category: cat.Power },
      ]),
      split(`${months[4]}-17`, 'split with a parent deleted alone', -4000, [
        { amount: -1000, category: cat.Groceries, notes: 'orphan child' },
        { amount: -3000, category: cat.Power, notes: 'orphan child' },
      ]),
      split(`${months[5]}-27`, 'split with drifted children', -6000, [
        { amount: -1000, category: cat.Groceries, notes: 'child on the parent date' },
        { amount: -2000, category: cat.Internet, notes: 'child moved to next month' },
        { amount: -3000, category: cat.Power, notes: 'child moved to savings' },
      ]),
      split(`${months[6]}-13`, 'split that does not add up', -7000, [
        { amount: -1000, category: cat.Groceries },
        { amount: -2000, category: cat.Restaurants },
      ]),
      { date: `${months[2]}-06`, amount: -1500, payee: mergedAway, category: cat.Groceries, notes: 'payee merged later' },
      { date: `${months[2]}-07`, amount: -1600, payee: deletedPayee, category: cat.Groceries, notes: 'payee deleted later' },
      { date: `${months[2]}-08`, amount: -1700, payee_name: 'Category shop', category: retired, notes: 'category deleted with a transfer' },
      { date: `${months[2]}-09`, amount: -1800, payee_name: 'Category shop', category: dropped, notes: 'category deleted without a transfer' },
      { date: `${months[2]}-10`, amount: -1900, payee: transferPayee(vanished), notes: 'transfer to an account deleted under it' },
      { date: `${months[7]}-11`, amount: -2100, payee: transferPayee(secondBrokerage), category: cat.Vacation, notes: 'on to off budget' },
      { date: `${months[7]}-12`, amount: -2200, payee_name: 'Flags', cleared: false, reconciled: false, notes: '' },
      { date: `${months[7]}-12`, amount: -2300, payee_name: 'Flags', cleared: true, reconciled: true, notes: null },
      { date: `${months[7]}-14`, amount: -2400, payee_name: 'Imported by hand', imported_id: 'bank-ref-1', imported_payee: 'IMPORTED BY HAND 42' },
      { date: `${year}-02-30`, amount: -2500, payee_name: 'Impossible date', notes: 'February 30th' },
      { date: `${year}-04-31`, amount: -2600, payee_name: 'Impossible date', notes: 'April 31st' },
      { date: `${year}-01-01`, amount: -2700, payee_name: 'Year edge', notes: 'first day of the year' },
      { date: `${year}-12-31`, amount: -2800, payee_name: 'Year edge', notes: 'last day of the year' },
      { id: 'rt-tie-b', date: `${months[8]}-04`, amount: -2900, payee_name: 'Tie', sort_order: 5, notes: 'tie b' },
      { id: 'rt-tie-a', date: `${months[8]}-04`, amount: -3000, payee_name: 'Tie', sort_order: 5, notes: 'tie a' },
      { date: `${months[1]}-03`, amount: -150000, payee_name: 'Landlord', category: cat.Rent, schedule: rentSchedule, notes: 'scheduled' },
      { date: `${months[1]}-19`, amount: -1234, payee_name: 'Dropped schedule payee', schedule: droppedSchedule, notes: 'schedule deleted later' },
      { date: `${months[9]}-02`, amount: -3100, payee_name: 'Raw data', raw_synced_data: '{"bank":"raw"}' },
    ],
    { runTransfers: true },
  );
  await api.addTransactions(acct.Brokerage, [{ date: `${months[7]}-20`, amount: -4100, payee: transferPayee(acct.Checking), notes: 'off to on budget' }], { runTransfers: true });
  await api.addTransactions(secondBrokerage, [{ date: `${months[7]}-21`, amount: 4200, payee: transferPayee(acct.Brokerage), notes: 'off to off budget' }], { runTransfers: true });
  await api.addTransactions(vanished, [{ date: `${months[2]}-11`, amount: -55, payee_name: 'Vanished shop', notes: 'in an account deleted under it' }]);
  await api.importTransactions(acct['Credit card'], [
    { date: `${months[9]}-05`, amount: -3200, payee_name: 'Imported Shop', imported_id: 'card-1', notes: 'imported' },
    { date: `${months[9]}-06`, amount: -3300, payee_name: 'imported shop', imported_id: 'card-2', cleared: false },
    {
      date: `${months[9]}-07`,
      amount: -3400,
      payee_name: 'Imported split',
      imported_id: 'card-3',
      subtransactions: [
        { amount: -1400, category: cat.Groceries },
        { amount: -2000, category: cat.Internet },
      ],
    },
  ]);

  const all = await api.getTransactions(acct.Checking, '1995-01-01', '2199-12-31');
  const byNotes = (notes) => all.find((t) => t.notes === notes);
  const child = (parent, notes) => parent.subtransactions.find((t) => t.notes === notes);
  await api.deleteTransaction(child(byNotes('split with a deleted child'), 'deleted child').id);
  await settle();
  await api.deleteTransaction(byNotes('split deleted whole').id);
  await settle();
  const drifted = byNotes('split with drifted children');
  await db.deleteTransaction({ id: byNotes('split with a parent deleted alone').id });
  await db.updateTransaction({ id: child(drifted, 'child moved to next month').id, date: `${months[6]}-02` });
  await db.updateTransaction({ id: child(drifted, 'child moved to savings').id, account: acct.Savings });
  await db.deleteAccount({ id: vanished });
  await api.mergePayees(mergeTarget, [mergedAway]);
  await api.deletePayee(deletedPayee);
  await api.deleteCategory(retired, cat.Groceries);
  await api.deleteCategory(dropped);
  await api.deleteSchedule(droppedSchedule);
  await api.updateNote(TRANSACTION_CASES_NOTE, JSON.stringify({ vanished, driftedMonth: months[5], nextMonth: months[6] }));
  await settle();
}

/** The same kinds of change after the upload, so they arrive as sync messages. */
async function transactionChangesAfterUpload(api) {
  const accounts = await api.getAccounts();
  const checking = accounts.find((a) => a.name === 'Checking').id;
  const savings = accounts.find((a) => a.name === 'Savings (renamed)').id;
  const cats = await categoryIds(api);
  const months = recentMonths();
  const payees = await api.getPayees();
  await api.addTransactions(
    checking,
    [
      {
        date: `${months[10]}-14`,
        amount: -6600,
        payee_name: 'Split after upload',
        notes: 'split after upload',
        subtransactions: [
          { amount: -1600, category: cats.Groceries, notes: 'child after upload' },
          { amount: -2000, category: cats.Power, notes: 'child deleted after upload' },
          { amount: -3000, payee: payees.find((p) => p.transfer_acct === savings).id, notes: 'child transfer after upload' },
        ],
      },
    ],
    { runTransfers: true },
  );
  const all = await api.getTransactions(checking, `${months[10]}-01`, `${months[10]}-31`);
  const parent = all.find((t) => t.notes === 'split after upload');
  await api.deleteTransaction(parent.subtransactions.find((t) => t.notes === 'child deleted after upload').id);
  await settle();
  await api.updateTransaction(parent.id, { date: `${months[10]}-15`, cleared: false });
  await settle();
  const landlord = payees.find((p) => p.name === 'Landlord').id;
  const merged = await api.createPayee({ name: 'Merged after upload' });
  await api.addTransactions(checking, [{ date: `${months[10]}-16`, amount: -700, payee: merged, notes: 'payee merged after upload' }]);
  await api.mergePayees(landlord, [merged]);
}

module.exports = { populate, createCategories, changeAfterUpload, recentMonths, monthOffset, dayOffset, TRANSACTION_CASES_NOTE };
