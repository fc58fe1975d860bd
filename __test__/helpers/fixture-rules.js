'use strict';
// The rules and schedules part of the realistic budget (realistic-budget.js calls these),
// built with the real @actual-app/api only: rules of every stage, condition and action
// kind, rules whose payees are merged and whose categories are deleted later (so the
// mapping tables matter), deleted rules; schedules of every recurrence shape, completed,
// one-off, auto-posting and deleted ones; changes to all of them after the upload.
//
// The schedule service of upstream's downloadBudget (`advanceSchedulesService`) advances
// paid schedules and posts due ones in the background: this fixture runs it to the end
// itself after the upload, and keeps every schedule's next date away from "today" in
// any time zone, so that a later download finds nothing left for it to do.

// The ids a read script cannot find through the API (merged and deleted payees), kept
// in a note of this id.
const FIXTURE_IDS_NOTE = 'rules-fixture-ids';

function pad(n) {
  return String(n).padStart(2, '0');
}

function localDay(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function daysFromToday(days) {
  const d = new Date();
  d.setHours(12, 0, 0, 0);
  d.setDate(d.getDate() + days);
  return d;
}

// The last Saturday at least `days` days ago.
function saturdayBefore(days) {
  const d = daysFromToday(-days);
  d.setDate(d.getDate() - ((d.getDay() + 1) % 7));
  return localDay(d);
}

function recur(fields) {
  return { interval: 1, endMode: 'never', patterns: [], skipWeekend: false, weekendSolveMode: 'after', ...fields };
}

async function payeeIds(api) {
  const ids = {};
  for (const p of await api.getPayees()) ids[p.name] = p.id;
  return ids;
}

/** Inside populate (import mode), before its own deletions. */
async function populateRulesAndSchedules(api, { cat, acct, groups, transferPayee, months, withUnrunnableRules = true }) {
  const year = Number(months[months.length - 1].slice(0, 4));
  const gym = await api.createPayee({ name: 'Gym' });
  const mergedAway = await api.createPayee({ name: 'Merged away' });
  const mergedLater = await api.createPayee({ name: 'Merged later' });
  const ruleOnly = await api.createPayee({ name: 'Rule-only payee' });
  const deletedPayee = await api.createPayee({ name: 'Deleted payee' });
  const tempCat = await api.createCategory({ name: 'Rule temp', group_id: groups.food });
  const tempCat2 = await api.createCategory({ name: 'Rule temp 2', group_id: groups.bills });
  const goneCat = await api.createCategory({ name: 'Rule gone', group_id: groups.bills });
  const p = await payeeIds(api);
  const savingsPayee = transferPayee(acct.Savings);
  const checkingPayee = transferPayee(acct.Checking);

  // Schedules first: rules link to them.
  const schedule = (fields) => api.createSchedule(fields);
  const internalSchedule = (name, conditions, extra = {}) =>
    api.internal.send('schedule/create', { schedule: { name, ...extra }, conditions });
  await schedule({
    name: 'Gym fortnightly',
    payee: gym,
    account: acct.Checking,
    amount: -2500,
    amountOp: 'isapprox',
    date: recur({ frequency: 'weekly', start: saturdayBefore(70), interval: 2, skipWeekend: true, weekendSolveMode: 'before' }),
  });
  await schedule({
    name: 'Insurance yearly',
    account: acct['Credit card'],
    amount: -60000,
    amountOp: 'is',
    date: recur({ frequency: 'yearly', start: `${months[1]}-15`, endMode: 'on_date', endDate: `${year + 5}-12-31` }),
  });
  await schedule({
    name: 'Pay days',
    payee: p.Employer,
    account: acct.Checking,
    amount: 200000,
    amountOp: 'isapprox',
    date: recur({
      frequency: 'monthly',
      start: `${months[0]}-01`,
      endMode: 'after_n_occurrences',
      endOccurrences: 60,
      patterns: [
        { type: 'day', value: 1 },
        { type: 'day', value: 15 },
        { type: 'day', value: -1 },
        { type: 'friday', value: -1 },
      ],
    }),
  });
  await schedule({
    name: 'Ended after three',
    payee: p['Net Ltd'],
    account: acct['Credit card'],
    amount: -6000,
    amountOp: 'is',
    date: recur({ frequency: 'monthly', start: `${months[0]}-20`, endMode: 'after_n_occurrences', endOccurrences: 3 }),
  });
  await schedule({
    name: 'Quarterly review',
    account: acct.Savings,
    amount: { num1: -12000, num2: -8000 },
    amountOp: 'isbetween',
    date: recur({ frequency: 'monthly', start: `${months[2]}-12`, interval: 3 }),
  });
  const completed = await schedule({
    name: 'Completed one-off',
    payee: p.Bistro,
    account: acct.Checking,
    amount: -4000,
    amountOp: 'is',
    date: `${months[6]}-07`,
  });
  await api.internal.send('schedule/update', { schedule: { id: completed, completed: true } });
  await schedule({ name: 'Missed one-off', payee: p['Corner shop'], account: acct.Checking, amount: -1500, amountOp: 'isapprox', date: `${months[3]}-22` });
  await schedule({ name: 'Future auto-post', posts_transaction: true, payee: p.Client, account: acct.Checking, amount: 5000, amountOp: 'is', date: localDay(daysFromToday(40)) });
  await schedule({ payee: mergedLater, account: acct.Checking, amount: -700, amountOp: 'is', date: recur({ frequency: 'weekly', start: saturdayBefore(3) }) });
  await internalSchedule('Exact date, no payee', [
    { op: 'is', field: 'account', value: acct.Savings },
    { op: 'is', field: 'date', value: recur({ frequency: 'daily', start: `${months[5]}-03`, interval: 10 }) },
    { op: 'isbetween', field: 'amount', value: { num1: 100, num2: -100 } },
  ]);
  await internalSchedule('Amount only later', [
    { op: 'isapprox', field: 'date', value: localDay(daysFromToday(120)) },
    { op: 'is', field: 'payee', value: mergedAway },
    { op: 'gt', field: 'amount', value: -5 },
    { op: 'is', field: 'amount', value: -321 },
  ]);
  // Paid early: a transaction of the schedule the day before its next date, ten days
  // ahead, on the nth weekday of its month. The service finds the next date unchanged.
  const ahead = daysFromToday(10);
  const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
  const paidEarly = await schedule({
    name: 'Paid early',
    payee: gym,
    account: acct.Checking,
    amount: -4500,
    amountOp: 'isapprox',
    date: recur({
      frequency: 'monthly',
      start: localDay(daysFromToday(10 - 91)),
      patterns: [{ type: weekdays[ahead.getDay()], value: Math.ceil(ahead.getDate() / 7) }],
    }),
  });
  await api.addTransactions(acct.Checking, [{ date: localDay(daysFromToday(9)), amount: -4500, payee: gym, schedule: paidEarly, notes: 'paid early' }]);
  // Equal next dates: the order is SQLite's for ties.
  for (const name of ['Same day B', 'Same day A', 'Same day C']) {
    await schedule({ name, account: acct.Savings, amount: -50, amountOp: 'is', date: localDay(daysFromToday(50)) });
  }
  const deletedSchedule = await schedule({ name: 'Deleted schedule', payee: gym, account: acct.Checking, amount: -1, amountOp: 'is', date: localDay(daysFromToday(30)) });
  await api.deleteSchedule(deletedSchedule);

  // Rules run on every transaction added later (by this fixture and by the schedule
  // service): broad conditions are combined with 'and' so that they never all hold.
  const rule = (r) => api.createRule(r);
  await rule({
    stage: 'pre',
    conditionsOp: 'and',
    conditions: [{ field: 'imported_payee', op: 'oneOf', value: ['AMZN Mktp', 'Amazon.com'] }],
    actions: [set('payee', ruleOnly)],
  });
  await rule({
    stage: 'pre',
    conditionsOp: 'and',
    conditions: [
      { field: 'imported_payee', op: 'matches', value: '^SQ \\*' },
      { field: 'imported_payee', op: 'doesNotContain', value: 'refund' },
      { field: 'imported_payee', op: 'notOneOf', value: ['SQ *ONE', 'SQ *TWO'] },
    ],
    actions: [set('payee_name', 'Square seller')],
  });
  await rule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'is', value: 'DUPLICATE' }, { field: 'imported_payee', op: 'isNot', value: 'Keep' }], actions: [{ op: 'delete-transaction' }] });
  await rule({ stage: 'default', conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: mergedAway }], actions: [set('category', tempCat)] });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [{ field: 'payee', op: 'oneOf', value: [mergedLater, p.Bistro, mergedAway, p['Corner shop']] }],
    actions: [set('notes', 'one of many payees'), set('cleared', true)],
  });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'payee', op: 'notOneOf', value: [p.Landlord, p.Employer] },
      { field: 'amount', op: 'lt', value: -50000 },
    ],
    actions: [set('category', cat.Rent)],
  });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'payee', op: 'isNot', value: p.Employer },
      { field: 'amount', op: 'isbetween', value: { num1: -5000, num2: -1000 } },
    ],
    actions: [set('category', cat.Groceries)],
  });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'amount', op: 'isapprox', value: -2500 },
      { field: 'amount', op: 'gt', value: 100000, options: { inflow: true } },
      { field: 'amount', op: 'lt', value: 50000, options: { outflow: true } },
      { field: 'amount', op: 'is', value: 12345 },
      { field: 'amount', op: 'gte', value: 1 },
      { field: 'amount', op: 'lte', value: -1 },
      { field: 'amount', op: 'isbetween', value: { num1: 500, num2: 100 }, options: { outflow: true } },
    ],
    actions: [set('cleared', false)],
  });
  await rule({
    stage: 'post',
    conditionsOp: 'and',
    conditions: [
      { field: 'date', op: 'is', value: `${months[2]}-05` },
      { field: 'date', op: 'isapprox', value: `${months[2]}-06` },
      { field: 'date', op: 'gt', value: '2020-01-01' },
      { field: 'date', op: 'lt', value: `${year + 100}-12-31` },
      { field: 'date', op: 'gte', value: `${months[0]}-01` },
      { field: 'date', op: 'lte', value: `${year + 1}-01-01` },
    ],
    actions: [set('notes', 'fixed dates')],
  });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'date', op: 'is', value: recur({ frequency: 'monthly', start: `${months[0]}-05` }) },
      { field: 'date', op: 'isapprox', value: recur({ frequency: 'weekly', start: saturdayBefore(20), interval: 2, skipWeekend: true }) },
      { field: 'date', op: 'is', value: months[3] },
      { field: 'date', op: 'is', value: String(year) },
    ],
    actions: [set('category', cat.Hobbies)],
  });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'account', op: 'is', value: acct.Checking },
      { field: 'account', op: 'oneOf', value: [acct.Savings, acct['Credit card'], acct.Savings] },
      { field: 'account', op: 'notOneOf', value: [acct.Brokerage] },
      { field: 'account', op: 'isNot', value: acct['Old account'] },
      { field: 'account', op: 'onBudget', value: null },
    ],
    actions: [set('reconciled', true)],
  });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'account', op: 'offBudget' }, { field: 'notes', op: 'is', value: 'never' }], actions: [set('notes', 'off budget')] });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'category', op: 'is', value: cat.Power },
      { field: 'category', op: 'oneOf', value: [cat.Groceries, tempCat2, tempCat] },
      { field: 'category', op: 'isNot', value: null },
      { field: 'category_group', op: 'is', value: groups.bills },
    ],
    actions: [set('category', tempCat2)],
  });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'category', op: 'is', value: null }, { field: 'imported_payee', op: 'is', value: 'UNCATEGORIZED' }], actions: [set('category', goneCat)] });
  await rule({
    stage: 'post',
    conditionsOp: 'and',
    conditions: [
      { field: 'notes', op: 'contains', value: 'Split' },
      { field: 'notes', op: 'matches', value: '(?i)^to (savings|brokerage)$' },
      { field: 'notes', op: 'is', value: 'salary' },
      { field: 'notes', op: 'isNot', value: '' },
      { field: 'notes', op: 'doesNotContain', value: 'x' },
      { field: 'notes', op: 'hasTags', value: '#food' },
      { field: 'notes', op: 'hasAnyTag', value: '#fun #food' },
    ],
    actions: [{ op: 'prepend-notes', value: '[auto] ' }, { op: 'append-notes', value: ' #auto' }],
  });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'cleared', op: 'is', value: true },
      { field: 'reconciled', op: 'is', value: false },
      { field: 'transfer', op: 'is', value: false },
      { field: 'parent', op: 'is', value: false },
      { field: 'payee_name', op: 'contains', value: 'shop' },
      { field: 'payee', op: 'contains', value: 'Cafe' },
      { field: 'payee', op: 'doesNotContain', value: 'Bar' },
      { field: 'payee', op: 'matches', value: 'caf[eé]' },
    ],
    actions: [
      set('payee', p['Cafe 0']),
      set('category', cat.Restaurants),
      set('account', acct['Credit card']),
      set('date', `${months[5]}-15`),
      set('amount', -123),
      set('cleared', false),
      set('reconciled', false),
      set('notes', 'every field'),
      set('imported_payee', 'CAFE'),
      set('category_group', groups.food),
    ],
  });
  // A formula action (beside a template) outside the subset the native engine runs
  // (TEXT is not one of its functions): such a budget's imports are refused natively
  // (see writes.test.js).
  if (withUnrunnableRules) await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [{ field: 'imported_payee', op: 'contains', value: 'templ' }],
    actions: [
      set('notes', '', { template: '{{notes}} (via {{imported_payee}})' }),
      set('amount', null, { formula: '=TEXT(amount,"0")*2' }),
      set('payee_name', 'Templated'),
    ],
  });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [{ field: 'payee', op: 'is', value: p.Supermarket }],
    actions: [
      { op: 'set-split-amount', value: 60, options: { splitIndex: 1, method: 'fixed-percent' } },
      set('category', cat.Groceries, { splitIndex: 1 }),
      { op: 'set-split-amount', value: null, options: { splitIndex: 2, method: 'remainder' } },
      set('category', tempCat, { splitIndex: 2 }),
      { op: 'set-split-amount', value: 1000, options: { splitIndex: 3, method: 'fixed-amount' } },
      set('notes', 'third part', { splitIndex: 3 }),
      set('payee', mergedAway, { splitIndex: 3 }),
    ],
  });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'notes', op: 'is', value: 'link me' }], actions: [{ op: 'link-schedule', value: deletedSchedule }] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [], actions: [set('cleared', true)] });
  const deletedRule = await rule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: gym }], actions: [set('notes', 'deleted rule')] });
  await api.deleteRule(deletedRule.id ?? deletedRule);
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: savingsPayee }], actions: [set('category', cat.Vacation)] });
  await rule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'payee', op: 'isNot', value: checkingPayee }, { field: 'payee', op: 'is', value: deletedPayee }], actions: [set('payee', ruleOnly)] });
  await rule({ stage: 'pre', conditionsOp: 'or', conditions: [{ field: 'payee', op: 'is', value: ruleOnly }, { field: 'imported_payee', op: 'is', value: 'X' }], actions: [set('payee', mergedLater)] });
  // A payee of null, and none at all (getPayeeRules(null) and getPayeeRules() find them).
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: null }, { field: 'imported_payee', op: 'is', value: 'NO PAYEE' }], actions: [set('payee', ruleOnly)] });
  // (A condition without a value is not run natively either.)
  if (withUnrunnableRules) await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'isNot' }, { field: 'imported_payee', op: 'is', value: 'NO PAYEE' }], actions: [set('notes', 'no payee')] });
  // Equal scores in one stage: ranked by id.
  for (const n of [1, 2, 3]) {
    await rule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: gym }], actions: [set('notes', `gym ${n}`)] });
  }

  await api.mergePayees(p['Corner shop'], [mergedAway]);
  await api.deletePayee(deletedPayee);
  await api.deleteCategory(goneCat);
  await api.updateNote(FIXTURE_IDS_NOTE, JSON.stringify({ payees: [mergedAway, mergedLater, deletedPayee] }));
}

/** Inside changeAfterUpload (a syncing session). */
async function changeRulesAndSchedulesAfterUpload(api, { months }) {
  const p = await payeeIds(api);
  const accounts = {};
  for (const a of await api.getAccounts()) accounts[a.name] = a.id;
  // Schedules the service acts on, made here (the service of the import's own upload
  // would race with its end): it completes the paid one-off and posts the missed
  // months of the auto-posted one. Let the run of this session's download finish, and
  // run it again until nothing is left.
  const paidOneOff = await api.createSchedule({
    name: 'Paid one-off',
    payee: p['Power Co'],
    account: accounts['Credit card'],
    amount: -9999,
    amountOp: 'is',
    date: `${months[4]}-09`,
  });
  await api.addTransactions(accounts['Credit card'], [{ date: `${months[4]}-09`, amount: -9999, payee: p['Power Co'], schedule: paidOneOff, notes: 'paid one-off' }]);
  // Auto-posting, monthly on a day about ten days ahead: every missed month is posted
  // after the upload, and what is left is well in the future in any time zone.
  const postDay = Math.min(daysFromToday(10).getDate(), 28);
  await api.createSchedule({
    name: 'Auto-posted',
    posts_transaction: true,
    payee: p.Landlord,
    account: accounts.Checking,
    amount: -1234,
    amountOp: 'is',
    date: recur({ frequency: 'monthly', start: `${months[8]}-${pad(postDay)}` }),
  });
  await api.internal.send('schedule/force-run-service');
  await api.internal.send('schedule/force-run-service');

  const cats = {};
  for (const c of await api.getCategories()) cats[c.name] = c.id;
  const schedules = {};
  for (const s of await api.getSchedules()) schedules[s.name] = s;
  const rules = await api.getRules();
  const checking = accounts.Checking;

  await api.createRule({
    stage: 'pre',
    conditionsOp: 'and',
    conditions: [{ field: 'payee', op: 'oneOf', value: [p['Merged later'], p.Gym] }],
    actions: [set('category', cats['Rule temp 2'])],
  });
  const byNotes = (text) => rules.find((r) => r.actions.some((a) => a.value === text));
  const toUpdate = rules.find((r) => r.conditions.some((c) => c.op === 'isbetween' && c.value.num1 === -5000));
  await api.updateRule({ ...toUpdate, stage: 'post', conditions: [...toUpdate.conditions, { field: 'notes', op: 'isNot', value: 'after upload' }] });
  const toDelete = rules.find((r) => r.conditions.some((c) => c.op === 'notOneOf' && c.field === 'payee'));
  await api.deleteRule(toDelete.id);
  const fixed = byNotes('fixed dates');
  await api.updateRule({ ...fixed, actions: [set('notes', 'fixed dates, edited')] });

  await api.createSchedule({
    name: 'Created after upload',
    payee: p['Merged later'],
    account: checking,
    amount: -4321,
    amountOp: 'isapprox',
    date: recur({ frequency: 'monthly', start: localDay(daysFromToday(-200)), interval: 2, skipWeekend: true, weekendSolveMode: 'after' }),
  });
  await api.updateSchedule(schedules['Gym fortnightly'].id, { amount: -2600 });
  await api.updateSchedule(schedules['Pay days'].id, { name: 'Pay days (renamed)' });
  await api.deleteSchedule(schedules['Quarterly review'].id);

  await api.mergePayees(p.Supermarket, [p['Merged later']]);
  await api.deleteCategory(cats['Rule temp 2'], cats.Groceries);
}

function set(field, value, options) {
  return { op: 'set', field, value, ...(options ? { options } : {}) };
}

module.exports = { populateRulesAndSchedules, changeRulesAndSchedulesAfterUpload, recur, FIXTURE_IDS_NOTE };
