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

// Made on each twin with @actual-app/api before scheduleUpdates runs (actual-worker.js
// op 'scheduleSetup'): a schedule its service has completed (a paid one-off in the past).
async function completedSchedule(api, dayOffset) {
  // The service the download started runs as a mutator: this call waits for it.
  await api.internal.send('schedule/force-run-service');
  const checking = await api.getIDByName('accounts', 'Checking');
  const power = await api.getIDByName('payees', 'Power Co');
  const id = await api.createSchedule({ name: 'Done', payee: power, account: checking, amount: -4200, amountOp: 'is', date: dayOffset(-12) });
  await api.addTransactions(checking, [{ date: dayOffset(-12), amount: -4200, payee: power, schedule: id }]);
  await api.internal.send('schedule/force-run-service');
  const done = (await api.getSchedules()).find((s) => s.id === id);
  if (!done.completed) throw new Error('the service did not complete the paid one-off');
}

// updateSchedule on schedules of several shapes (made here with createSchedule, and
// 'Done', completed), upstream's refusals with their messages. A schedule whose next
// date the service would act on is avoided: the real client's later download runs it.
async function scheduleUpdates(api) {
  const out = {};
  const attempt = async (label, id, fields, reset) => {
    try {
      const value = await api.updateSchedule(id, fields, reset);
      out[label] = { ok: value === id ? 'its id' : value === undefined ? null : value };
    } catch (err) {
      // Upstream's APIErrors are plain objects with a `type`.
      out[label] = { error: { type: err && (err.type || err.name), message: err && err.message } };
    }
  };
  const checking = await api.getIDByName('accounts', 'Checking');
  const card = await api.getIDByName('accounts', 'Credit card');
  const landlord = await api.getIDByName('payees', 'Landlord');
  const power = await api.getIDByName('payees', 'Power Co');
  const monthly = { start: '2026-01-05', frequency: 'monthly', interval: 1, endMode: 'never', skipWeekend: false, weekendSolveMode: 'after' };
  const rent = await api.createSchedule({ name: 'Rent', payee: landlord, account: checking, amount: -150000, amountOp: 'isapprox', date: monthly });
  // One-off dates well ahead of today, so that no service run acts on them.
  const { dayOffset } = require('./realistic-budget.js');
  const insurance = await api.createSchedule({ name: 'Insurance', payee: power, account: checking, amount: -9900, amountOp: 'is', date: dayOffset(100), posts_transaction: true });
  const gym = await api.createSchedule({ name: 'Gym', amount: -2500, amountOp: 'isapprox', date: dayOffset(150) });
  const done = await api.getIDByName('schedules', 'Done');

  // Rules edited beside their schedule: a condition of another field (re-encoded by the
  // next update, the schedule's own ones kept raw) and a `set amount` action (follows
  // the amount condition).
  const ruleOf = async (id) => {
    const rule = (await api.getSchedules()).find((s) => s.id === id).rule;
    return (await api.getRules()).find((r) => r.id === rule);
  };
  const rentRule = await ruleOf(rent);
  await api.updateRule({ ...rentRule, conditions: [...rentRule.conditions, { op: 'contains', field: 'notes', value: 'flat' }] });
  const gymRule = await ruleOf(gym);
  await api.updateRule({ ...gymRule, actions: [...gymRule.actions, { op: 'set', field: 'amount', value: -1 }] });

  await attempt('rename', rent, { name: 'Rent (flat)' });
  await attempt('rename, padded', rent, { name: '  Rent (flat) ' });
  await attempt('same name', gym, { name: 'Rent (flat)' });
  await attempt('same name once trimmed', gym, { name: ' Insurance' });
  await attempt('amount', insurance, { amount: -12000 });
  await attempt('amountOp and amount', gym, { amountOp: 'isbetween', amount: { num1: -3001, num2: -2000 } });
  await attempt('bad amountOp', gym, { amountOp: 'gt' });
  await attempt('date to recurring', gym, {
    date: { start: '2026-11-03', frequency: 'weekly', interval: 2, endMode: 'never', skipWeekend: false, weekendSolveMode: 'after' },
  });
  await attempt('recurring to date', rent, { date: dayOffset(240) });
  await attempt('posts_transaction off', insurance, { posts_transaction: false });
  await attempt('posts_transaction truthy', insurance, { posts_transaction: 1 });
  await attempt('payee and account', insurance, { payee: landlord, account: card });
  await attempt('payee again', insurance, { payee: power });
  await attempt('reset next date', rent, { name: 'Rent (flat)' }, true);
  await attempt('no fields', gym, {});
  await attempt('unknown id', 'no-such-schedule', { name: 'Ghost' });
  await attempt('completed schedule', done, { amount: -4300 });
  await attempt('next_date', rent, { next_date: '2027-01-01' });
  await attempt('completed', rent, { completed: false });
  await attempt('unhandled field', rent, { rule: 'r' });
  await attempt('index keys first', rent, { name: 'Renamed', 3: 'x' });
  await attempt('null date', gym, { date: null });
  await attempt('name null', gym, { name: null });
  return out;
}

module.exports.completedSchedule = completedSchedule;
module.exports.scheduleUpdates = scheduleUpdates;
