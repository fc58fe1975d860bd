'use strict';
// Schedules upstream's schedule service acts on (`advanceSchedulesService`, which
// @actual-app/api runs in the background after a successful sync, once a day), made and
// read with the real @actual-app/api:
//   node schedule-service.js '<json args>' -> JSON in args.resultFile
// op 'setup': the schedules, on the budget args.syncId; op 'settle': download, wait for
// the service the download started, then every read (read-calls.js), and send.
const fs = require('node:fs');

const args = JSON.parse(process.argv[2]);
for (const method of ['log', 'info', 'warn', 'error', 'debug']) console[method] = () => {};
const api = require('@actual-app/api');
const { dayOffset: day } = require('./realistic-budget.js');
const { recur } = require('./fixture-rules.js');

// `new Date()` (no argument) `days` ago while `fn` runs: a schedule made then has its
// next date computed from that day, as if made then, so that it is missed now.
// Date.now() stays true (the clock that stamps messages must not go back).
async function madeDaysAgo(days, fn) {
  const RealDate = Date;
  globalThis.Date = class extends RealDate {
    constructor(...a) {
      super(...(a.length > 0 ? a : [RealDate.now() - days * 86400000]));
    }
  };
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

// The service's download run (nothing to do yet) is over before anything is made:
// `getAccountBalance` is a mutator, and upstream runs mutators one at a time.
async function waitForService(api) {
  const [account] = await api.getAccounts();
  await api.getAccountBalance(account.id);
}

async function setup() {
  await api.downloadBudget(args.syncId);
  await waitForService(api);
  const checking = await api.getIDByName('accounts', 'Checking');
  const savings = (await api.getAccounts()).find((a) => a.name.startsWith('Savings')).id;
  const toSavings = (await api.getPayees()).find((p) => p.transfer_acct === savings).id;
  const payee = await api.createPayee({ name: 'Service payee' });
  const gym = await api.createPayee({ name: 'Gym Co' });
  const power = await api.getIDByName('categories', 'Power');
  await api.createRule({
    stage: null,
    conditionsOp: 'and',
    conditions: [{ field: 'payee', op: 'is', value: gym }],
    actions: [{ op: 'set', field: 'category', value: power }, { op: 'set', field: 'notes', value: 'from the gym rule' }],
  });
  const dates = { weeklyMissed: day(-22), paidWeekly: day(-10), postingPaid: day(-10), oneOff: day(-5), missedOneOff: day(-3) };

  // Auto-posting, due today: one-off with a transfer payee, recurring with a category rule.
  await api.createSchedule({ name: 'Due transfer', posts_transaction: true, payee: toSavings, account: checking, amount: -5000, amountOp: 'is', date: day(0) });
  await api.createSchedule({ name: 'Due gym', posts_transaction: true, payee: gym, account: checking, amount: -2500, amountOp: 'isapprox', date: recur({ frequency: 'weekly', start: day(0) }) });
  // Auto-posting, missed: a one-off three days ago, a weekly one made 22 days ago
  // (four missed occurrences), and a weekly one paid on its last date.
  await api.createSchedule({ name: 'Missed one-off', posts_transaction: true, payee, account: checking, amount: { num1: -601, num2: -400 }, amountOp: 'isbetween', date: dates.missedOneOff });
  await madeDaysAgo(22, () =>
    api.createSchedule({ name: 'Missed weekly', posts_transaction: true, payee, account: checking, amount: -700, amountOp: 'is', date: recur({ frequency: 'weekly', start: dates.weeklyMissed }) }),
  );
  const postingPaid = await madeDaysAgo(10, () =>
    api.createSchedule({ name: 'Paid auto-post', posts_transaction: true, payee, account: checking, amount: -800, amountOp: 'is', date: recur({ frequency: 'weekly', start: dates.postingPaid }) }),
  );
  // Not auto-posting: a paid one-off in the past (completed), a weekly one paid on its
  // date ten days ago (moves on), one paid the day before its next date (stays).
  const oneOff = await api.createSchedule({ name: 'Paid one-off', payee, account: checking, amount: -300, amountOp: 'is', date: dates.oneOff });
  const paidWeekly = await madeDaysAgo(10, () =>
    api.createSchedule({ name: 'Paid weekly', payee, account: checking, amount: -100, amountOp: 'isapprox', date: recur({ frequency: 'weekly', start: dates.paidWeekly }) }),
  );
  const early = await api.createSchedule({ name: 'Paid early', payee, account: checking, amount: -100, amountOp: 'isapprox', date: recur({ frequency: 'weekly', start: day(2 - 42) }) });
  await api.addTransactions(checking, [
    { date: dates.oneOff, amount: -300, payee, schedule: oneOff },
    { date: dates.paidWeekly, amount: -100, payee, schedule: paidWeekly },
    { date: dates.postingPaid, amount: -800, payee, schedule: postingPaid },
    { date: day(1), amount: -100, payee, schedule: early },
  ]);
  await api.sync();
  return null;
}

async function settle() {
  const { readEverything } = require('./read-calls.js');
  await api.downloadBudget(args.syncId);
  await waitForService(api);
  return readEverything(api, { months: args.months });
}

(async () => {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const result = await { setup, settle }[args.op]();
  await api.shutdown();
  fs.writeFileSync(args.resultFile, JSON.stringify({ ok: true, result }));
})().catch((err) => {
  fs.writeFileSync(args.resultFile, JSON.stringify({ ok: false, error: String(err && err.stack ? err.stack : err) }));
  process.exitCode = 1;
});
