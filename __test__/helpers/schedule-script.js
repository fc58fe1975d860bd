'use strict';
// Schedule writes run unchanged through @actual-app/api (actual-worker.js op
// 'schedules') and through this package (native-run.js task 'schedules') on twin
// budgets: createSchedule of several shapes, upstream's refusals with their messages,
// deleteSchedule. Answers hold no generated ids (those are compared through what the
// real client reads back).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function scheduleWrites(api) {
  const out = {};
  const ids = {};
  const attempt = async (label, fn) => {
    try {
      const value = await fn();
      out[label] = { ok: typeof value === 'string' && UUID.test(value) ? 'a new id' : value === undefined ? null : value };
      return value;
    } catch (err) {
      out[label] = { error: { name: err && err.name, message: err && err.message } };
      return undefined;
    }
  };
  const checking = await api.getIDByName('accounts', 'Checking');
  const landlord = await api.getIDByName('payees', 'Landlord');
  const power = await api.getIDByName('payees', 'Power Co');

  ids.rent = await attempt('monthly', () =>
    api.createSchedule({
      name: 'Rent 2027',
      payee: landlord,
      account: checking,
      amount: -150000,
      amountOp: 'isapprox',
      date: { start: '2026-01-05', frequency: 'monthly', interval: 1, endMode: 'never', skipWeekend: false, weekendSolveMode: 'after' },
    }),
  );
  ids.oneOff = await attempt('one-off, padded name, posts', () =>
    api.createSchedule({ name: '  Insurance  ', payee: power, account: checking, amount: -9900, amountOp: 'is', date: '2027-03-15', posts_transaction: true }),
  );
  ids.weekly = await attempt('weekly between, no payee or account, skipping weekends', () =>
    api.createSchedule({
      name: 'Weekly range',
      amount: { num1: -2000, num2: -1000 },
      amountOp: 'isbetween',
      date: { start: '2026-11-07', frequency: 'weekly', interval: 2, endMode: 'after_n_occurrences', endOccurrences: 30, skipWeekend: true, weekendSolveMode: 'before' },
    }),
  );
  ids.bare = await attempt('no name, no op, no amount', () => api.createSchedule({ date: '2027-02-01' }));
  await attempt('empty name', () => api.createSchedule({ name: '   ', account: checking, amount: 5, amountOp: 'is', date: '2027-06-30', posts_transaction: false }));
  await attempt('no date', () => api.createSchedule({ name: 'Dateless', amount: 1, amountOp: 'is' }));
  await attempt('null date', () => api.createSchedule({ name: 'Null date', date: null, amountOp: 'is' }));
  await attempt('same name', () => api.createSchedule({ name: 'Rent 2027', amount: 1, amountOp: 'is', date: '2027-01-01' }));
  await attempt('same name once trimmed', () => api.createSchedule({ name: ' Insurance', amount: 1, amountOp: 'is', date: '2027-01-01' }));

  await attempt('delete', () => api.deleteSchedule(ids.bare));
  await attempt('delete another', () => api.deleteSchedule(ids.weekly));
  // A deleted schedule's name is free again.
  await attempt('the name of a deleted schedule', () =>
    api.createSchedule({ name: 'Weekly range', payee: landlord, amount: -1, amountOp: 'is', date: '2027-04-04' }),
  );
  return out;
}

module.exports = { scheduleWrites };
