'use strict';
// Schedules upstream's schedule service acts on (`advanceSchedulesService`, which
// @actual-app/api runs in the background after the sync that ends downloadBudget),
// made and read with the real @actual-app/api:
//   node schedule-service.js '<json args>'  (op 'setup' or 'settle') -> JSON in args.resultFile
const fs = require('node:fs');

const args = JSON.parse(process.argv[2]);
for (const method of ['log', 'info', 'warn', 'error', 'debug']) console[method] = () => {};
const api = require('@actual-app/api');
const { dayOffset: day } = require('./realistic-budget.js');
const { recur } = require('./fixture-rules.js');

// In a session whose own service run is over (so it leaves these alone): a paid
// one-off in the past (the service completes it), an auto-posting schedule due today
// (it posts), and a weekly one paid the day before its next date, in two days (it
// stays as it is).
async function setup() {
  await api.downloadBudget(args.syncId);
  await api.internal.send('schedule/force-run-service');
  const account = (await api.getAccounts())[0].id;
  const payee = await api.createPayee({ name: 'Service payee' });
  const oneOff = await api.createSchedule({ name: 'Paid one-off', payee, account, amount: -300, amountOp: 'is', date: day(-5) });
  await api.createSchedule({ name: 'Due auto-post', posts_transaction: true, payee, account, amount: -400, amountOp: 'is', date: day(0) });
  const early = await api.createSchedule({
    name: 'Paid early',
    payee,
    account,
    amount: -100,
    amountOp: 'isapprox',
    date: recur({ frequency: 'weekly', start: day(2 - 42) }),
  });
  await api.addTransactions(account, [
    { date: day(-5), amount: -300, payee, schedule: oneOff },
    { date: day(1), amount: -100, payee, schedule: early },
  ]);
  await api.sync();
}

// A session of its own: the service runs after its download; let it finish and send
// what it wrote.
async function settle() {
  await api.downloadBudget(args.syncId);
  await api.internal.send('schedule/force-run-service');
  await api.sync();
  return api.getSchedules();
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
