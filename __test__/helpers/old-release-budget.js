'use strict';
// A realistic budget that every @actual-app/api release from 24.10.1 on can make (run
// inside actual-worker.js with `release`, see versions.test.js): category groups with
// hidden and deleted categories, on-budget, off-budget, closed and deleted accounts,
// salaries, bills, splits, transfers, rules, schedules, budget amounts (envelope or
// tracking), carryover and holds, notes, synced preferences, a custom report and a
// dashboard widget, tags where the release has them; and changes made after the upload
// (sync messages on top of the old file).
//
// Older releases lack API methods that 26.9.0 has (createSchedule before 26.1,
// createTag before 26.5, updateNote before 26.8): their work is done through the
// release's own handlers (api.internal.send), which the API methods call anyway; what a
// release has no handler for is left out and reported in `caps`.
//
// Schedules' next dates are all in the future or completed, so that no client's
// schedule service has anything to post or advance when it loads the budget (a write
// at load would make the two downloads differ for reasons unrelated to migration).

const { recentMonths, monthOffset, dayOffset, createCategories } = require('./realistic-budget.js');

function settle() {
  return new Promise((resolve) => setTimeout(resolve, 300));
}

async function has(api, handler, args) {
  try {
    return { ok: true, value: await api.internal.send(handler, args) };
  } catch (err) {
    return { ok: false, error: String(err && err.message) };
  }
}

/** What this release can do; `migrations` are the ids in its budget's __migrations__. */
async function capabilities(api) {
  const migrations = (await api.internal.db.all('SELECT id FROM __migrations__ ORDER BY id')).map((r) => r.id);
  const tables = new Set((await api.internal.db.all("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name));
  return {
    migrations,
    // 1745425408000_update_budgetType_pref renamed the budget types.
    trackingName: migrations.includes(1745425408000) ? 'tracking' : 'report',
    tags: tables.has('tags'),
    dashboardPages: tables.has('dashboard_pages'),
  };
}

async function note(api, id, text) {
  if (api.updateNote) return api.updateNote(id, text);
  return api.internal.send('notes-save', { id, note: text });
}

async function schedule(api, name, conditions, extra = {}) {
  const res = await api.internal.send('schedule/create', { schedule: { name, ...extra }, conditions });
  if (res && res.error) throw new Error(`schedule/create: ${JSON.stringify(res.error)}`);
  return res;
}

function monthly(start, fields = {}) {
  return { start, frequency: 'monthly', interval: 1, patterns: [], skipWeekend: false, weekendSolveMode: 'after', endMode: 'never', ...fields };
}

async function tag(api, caps, fields) {
  if (!caps.tags) return null;
  if (api.createTag) return api.createTag(fields);
  return api.internal.send('tags-create', fields);
}

async function widget(api, caps, fields) {
  const row = { width: 4, height: 2, ...fields };
  if (caps.dashboardPages) {
    row.dashboard_page_id = (await api.internal.db.first('SELECT id FROM dashboard_pages WHERE tombstone = 0 ORDER BY name')).id;
  }
  return api.internal.send('dashboard-add-widget', row);
}

/** Inside runImport. Returns the release's capabilities. */
async function populateOld(api, { budgetType = 'envelope' } = {}) {
  const caps = await capabilities(api);
  if (budgetType === 'tracking') await api.internal.send('preferences/save', { id: 'budgetType', value: caps.trackingName });
  await api.internal.send('preferences/save', { id: 'dateFormat', value: 'dd.MM.yyyy' });
  await api.internal.send('preferences/save', { id: 'numberFormat', value: 'dot-comma' });
  await api.internal.send('preferences/save', { id: 'firstDayOfWeekIdx', value: '1' });

  const { cat, groups } = await createCategories(api, { internet: false });

  const acct = {};
  acct.Checking = await api.createAccount({ name: 'Checking' }, 250000);
  acct.Savings = await api.createAccount({ name: 'Savings' }, 1000000);
  acct['Credit card'] = await api.createAccount({ name: 'Credit card' }, -50000);
  acct.Brokerage = await api.createAccount({ name: 'Brokerage', offbudget: true }, 5000000);
  acct['Old account'] = await api.createAccount({ name: 'Old account' }, 12345);
  acct['Gone account'] = await api.createAccount({ name: 'Gone account' }, 0);
  const payees = await api.getPayees();
  const transferPayee = (account) => payees.find((p) => p.transfer_acct === account).id;

  const months = recentMonths().slice(-6);
  for (const [i, month] of months.entries()) {
    await api.addTransactions(
      acct.Checking,
      [
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
        { date: `${month}-25`, amount: -999, payee_name: 'Unknown shop', cleared: false },
        ...(i % 2 === 0 ? [{ date: `${month}-10`, amount: 25000, payee_name: 'Client', category: cat['Side gig'] }] : []),
      ],
      { runTransfers: true },
    );
    await api.addTransactions(
      acct['Credit card'],
      [
        { date: `${month}-08`, amount: -(8000 + i * 137), payee_name: 'Power Co', category: cat.Power },
        { date: `${month}-28`, amount: 30000, payee: transferPayee(acct.Checking), notes: 'card payment' },
      ],
      { runTransfers: true },
    );
  }
  await api.addTransactions(acct['Credit card'], [{ date: dayOffset(-2), amount: -450, payee_name: 'Cafe', category: cat.Restaurants, imported_id: 'card-1' }]);
  await api.addTransactions(acct['Old account'], [{ date: `${months[1]}-09`, amount: -345, payee_name: 'Bank fee' }]);
  await api.addTransactions(acct['Gone account'], [{ date: `${months[1]}-11`, amount: -10, payee_name: 'Gone payee' }]);

  for (const [i, month] of months.entries()) {
    await api.setBudgetAmount(month, cat.Rent, 150000);
    await api.setBudgetAmount(month, cat.Power, 9000 + i);
    await api.setBudgetAmount(month, cat.Groceries, i % 2 ? 12000 : 15000);
    await api.setBudgetAmount(month, cat.Restaurants, 2000);
    await api.setBudgetAmount(month, cat.Hobbies, 3000);
    if (budgetType === 'tracking') await api.setBudgetAmount(month, cat.Income, 400000);
  }
  await api.setBudgetAmount(monthOffset(1), cat.Rent, 160000);
  await api.setBudgetCarryover(months[1], cat.Groceries, true);
  if (budgetType === 'envelope') await api.holdBudgetForNextMonth(months[2], 50000);

  await api.createRule({
    stage: 'pre',
    conditionsOp: 'and',
    conditions: [{ field: 'imported_payee', op: 'contains', value: 'NET LTD' }],
    actions: [{ op: 'set', field: 'notes', value: 'internet bill' }],
  });
  const bistro = (await api.getPayees()).find((p) => p.name === 'Bistro').id;
  await api.createRule({
    stage: null,
    conditionsOp: 'or',
    conditions: [
      { field: 'payee', op: 'is', value: bistro },
      { field: 'amount', op: 'lt', value: -100000 },
    ],
    actions: [{ op: 'set', field: 'category', value: cat.Restaurants }],
  });
  const gone = await api.createRule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'notes', op: 'is', value: 'gone' }], actions: [{ op: 'set', field: 'cleared', value: true }] });
  await api.deleteRule(gone.id ?? gone);

  const landlord = (await api.getPayees()).find((p) => p.name === 'Landlord').id;
  await schedule(api, 'Rent schedule', [
    { op: 'is', field: 'payee', value: landlord },
    { op: 'is', field: 'account', value: acct.Checking },
    { op: 'isapprox', field: 'date', value: monthly(dayOffset(20)) },
    { op: 'is', field: 'amount', value: -150000 },
  ]);
  await schedule(api, 'Power estimate', [
    { op: 'is', field: 'account', value: acct['Credit card'] },
    { op: 'is', field: 'date', value: dayOffset(45) },
    { op: 'isbetween', field: 'amount', value: { num1: -9000, num2: -7000 } },
  ]);
  const done = await schedule(api, 'Completed one-off', [
    { op: 'is', field: 'account', value: acct.Checking },
    { op: 'is', field: 'date', value: `${months[0]}-07` },
    { op: 'is', field: 'amount', value: -4000 },
  ]);
  await api.internal.send('schedule/update', { schedule: { id: done, completed: true } });

  await note(api, cat.Groceries, 'Weekly shop, #food');
  await note(api, acct.Checking, 'Main account');
  await tag(api, caps, { tag: 'food', color: '#ff8800', description: 'Anything eaten' });
  await tag(api, caps, { tag: 'fun' });
  await api.internal.send('report/create', {
    name: 'Spending by category',
    startDate: `${months[0]}-01`,
    endDate: `${months[5]}-28`,
    isDateStatic: false,
    dateRange: 'Last 6 months',
    mode: 'total',
    groupBy: 'Category',
    interval: 'Monthly',
    balanceType: 'Payment',
    showEmpty: false,
    showOffBudget: false,
    showHiddenCategories: false,
    showUncategorized: false,
    includeCurrentInterval: true,
    graphType: 'BarGraph',
    conditions: [],
    conditionsOp: 'and',
  });
  await widget(api, caps, { type: 'net-worth-card', x: 0, y: 20, meta: { name: 'Net worth, old release' } });

  await api.deleteCategory(cat['Old category'], cat.Power);
  await api.deleteCategoryGroup(groups.removed, cat.Hobbies);
  await api.closeAccount(acct['Old account'], acct.Checking);
  await api.deleteAccount(acct['Gone account']);
  const first = await api.getTransactions(acct.Checking, `${months[0]}-01`, `${months[0]}-31`);
  await api.deleteTransaction(first.find((t) => t.notes === 'salary').id);
  await settle();
  return caps;
}

/** After the upload, in a syncing session: the same kinds of change, as sync messages. */
async function changeOldAfterUpload(api, { budgetType = 'envelope' } = {}) {
  const caps = await capabilities(api);
  const accounts = await api.getAccounts();
  const checking = accounts.find((a) => a.name === 'Checking').id;
  const cats = {};
  for (const c of await api.getCategories()) cats[c.name] = c.id;
  const months = recentMonths().slice(-6);
  await api.addTransactions(checking, [
    { date: dayOffset(-1), amount: -4242, payee_name: 'After upload', category: cats.Groceries, notes: 'new after upload' },
    {
      date: dayOffset(-3),
      amount: -6600,
      payee_name: 'Split after upload',
      subtransactions: [
        { amount: -1600, category: cats.Groceries, notes: 'child after upload' },
        { amount: -5000, category: cats.Power },
      ],
    },
  ]);
  const txns = await api.getTransactions(checking, `${months[3]}-01`, `${months[3]}-31`);
  await api.updateTransaction(txns.find((t) => t.notes === '#food weekly').id, { amount: -7777, notes: 'edited after upload' });
  await settle();
  await api.deleteTransaction(txns.find((t) => t.notes === 'to brokerage').id);
  await settle();
  await api.setBudgetAmount(months[4], cats.Groceries, 22222);
  await api.setBudgetCarryover(months[3], cats.Hobbies, true);
  if (budgetType === 'envelope') await api.holdBudgetForNextMonth(months[4], 1000);
  await api.createPayee({ name: 'Added payee' });
  await api.updateAccount(accounts.find((a) => a.name === 'Savings').id, { name: 'Savings (renamed)' });
  await api.createCategory({ name: 'Added category', group_id: (await api.getCategoryGroups()).find((g) => g.name === 'Food').id });
  await api.createRule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'contains', value: 'CAFE' }], actions: [{ op: 'set', field: 'notes', value: 'coffee' }] });
  await schedule(api, 'Added after upload', [
    { op: 'is', field: 'account', value: checking },
    { op: 'isapprox', field: 'date', value: monthly(dayOffset(30), { interval: 2 }) },
    { op: 'isapprox', field: 'amount', value: -2500 },
  ]);
  await note(api, cats.Rent, 'Rent goes up next month');
  await tag(api, caps, { tag: 'after', color: '#0088ff' });
  await api.internal.send('preferences/save', { id: 'hideFraction', value: 'true' });
  await widget(api, caps, { type: 'cash-flow-card', x: 4, y: 20, meta: { name: 'Cash flow, after upload' } });
  await settle();
  return caps;
}

module.exports = { populateOld, changeOldAfterUpload, capabilities };
