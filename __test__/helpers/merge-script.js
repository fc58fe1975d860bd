'use strict';
// mergeTransactions and setPreference (@actual-app/api 26.10) on a realistic budget.
// `addCandidates` is run by the real @actual-app/api on both twins; `mergeAndSet` then
// runs once through this package and once through 26.9's engine with the body of
// 26.10's handlers (see `upstreamCalls`), and answers the same JSON either way.
const { monthOffset } = require('./realistic-budget.js');

const MONTH = monthOffset(-2);
const day = (d) => `${MONTH}-${String(d).padStart(2, '0')}`;

// What 26.10's api/transactions-merge and setPreference send, on 26.9's engine, whose
// `transactions-merge` and `preferences/save` handlers are the ones 26.10 calls.
function upstreamCalls(api) {
  return {
    mergeTransactions: (ids) => api.internal.send('transactions-merge', ids.map((id) => ({ id }))),
    setPreference: (id, value) => api.internal.send('preferences/save', { id, value }),
  };
}

/** Transactions to merge, in the budget's Checking account (transfers to Savings and Brokerage). */
async function addCandidates(api) {
  const accounts = Object.fromEntries((await api.getAccounts()).map((a) => [a.name, a.id]));
  const cats = Object.fromEntries((await api.getCategories()).map((c) => [c.name, c.id]));
  const payees = await api.getPayees();
  const transferTo = (name) => payees.find((p) => p.transfer_acct === accounts[name]).id;
  // A payee no rule of the budget names.
  const plainPayee = await api.createPayee({ name: 'Merge plain payee' });
  await api.addTransactions(
    accounts.Checking,
    [
      // A manual entry and its bank import.
      { date: day(10), amount: -3101, payee_name: 'Merge shop', category: cats.Groceries, cleared: false },
      { date: day(12), amount: -3101, payee_name: 'MERGE SHOP 123', imported_id: 'merge-bank-1', imported_payee: 'MERGE SHOP 123', notes: 'from bank', cleared: true },
      // Two manual entries: the earlier one is kept. (A payee_name would be an
      // imported_payee too, which decides before the date.)
      { date: day(20), amount: -3202, payee: plainPayee, notes: 'later one', cleared: false },
      { date: day(18), amount: -3202, cleared: false },
      // Two on one day.
      { date: day(8), amount: -3303, notes: 'first', category: cats.Hobbies },
      { date: day(8), amount: -3303, notes: 'second' },
      // An imported transaction and a split.
      { date: day(5), amount: -9000, payee_name: 'Split bank', imported_id: 'merge-bank-2', category: cats.Groceries },
      {
        date: day(5),
        amount: -9000,
        payee_name: 'Split shop',
        notes: 'split to merge',
        subtransactions: [
          { amount: -6000, category: cats.Groceries, notes: 'part one' },
          { amount: -3000, category: cats.Hobbies },
        ],
      },
      // A transfer to an on-budget account and its bank import.
      { date: day(22), amount: -7000, payee: transferTo('Savings'), notes: 'to savings merge' },
      { date: day(23), amount: -7000, payee_name: 'Savings bank', imported_id: 'merge-bank-3', category: cats.Groceries },
      // A transfer to an off-budget account and an entry of it with an imported payee.
      { date: day(24), amount: -8000, payee: transferTo('Brokerage'), category: cats.Vacation, notes: 'to brokerage merge' },
      { date: day(24), amount: -8000, payee_name: 'Broker manual', category: cats.Groceries },
      // One transfer entered twice.
      { date: day(26), amount: -6500, payee: transferTo('Savings'), notes: 'transfer one' },
      { date: day(27), amount: -6500, payee: transferTo('Savings'), notes: 'transfer two' },
      // What cannot be merged.
      { date: day(14), amount: -4404, notes: 'account one' },
      { date: day(14), amount: -4405, notes: 'other amount' },
      { date: day(15), amount: -5505, payee: transferTo('Savings'), notes: 'to savings refused' },
      { date: day(15), amount: -5505, payee: transferTo('Credit card'), notes: 'to card refused' },
      { date: day(16), amount: -4606, notes: 'merged with itself' },
    ],
    { runTransfers: true },
  );
  await api.addTransactions(accounts['Credit card'], [{ date: day(14), amount: -4404, notes: 'account two' }]);
  await api.internal.send('preferences/save', { id: 'dateFormat', value: 'MM/dd/yyyy' });
}

/** The candidates' ids by a name, found by what addCandidates gave each. */
async function candidates(api) {
  const byName = {};
  for (const account of await api.getAccounts()) {
    for (const t of await api.getTransactions(account.id, day(1), day(28))) {
      const name = t.notes || t.imported_id || `${t.amount}@${t.date}`;
      byName[`${account.name}: ${name}`] = t.id;
    }
  }
  return byName;
}

function outcome(err) {
  return { error: { name: err && err.name, message: err && err.message } };
}

async function record(out, key, fn) {
  try {
    out[key] = { value: await fn() };
  } catch (err) {
    out[key] = outcome(err);
  }
}

async function snapshot(api) {
  return JSON.stringify({ transactions: await api.getTransactions(), preferences: await api.getPreferences() });
}

/** The calls; answers with ids as candidate names (the twins' ids differ). */
async function mergeAndSet(calls, api) {
  const ids = await candidates(api);
  const c = (name) => {
    if (!ids[`Checking: ${name}`]) throw new Error(`no candidate ${name}`);
    return ids[`Checking: ${name}`];
  };
  const names = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
  const out = {};
  const merge = (key, list) => record(out, key, async () => {
    const kept = await calls.mergeTransactions(list);
    return names.get(kept) ?? kept;
  });

  // Refused: nothing may change.
  const before = await snapshot(api);
  await merge('one id', [c('account one')]);
  await merge('three ids', [c('account one'), c('other amount'), c('merged with itself')]);
  await merge('an empty id does not count', [c('account one'), '']);
  await merge('unknown id', [c('account one'), 'no-such-transaction']);
  await merge('different accounts', [c('account one'), ids['Credit card: account two']]);
  await merge('different amounts', [c('account one'), c('other amount')]);
  await merge('transfers to different accounts', [c('to savings refused'), c('to card refused')]);
  await merge('not an array', 'ab');
  await merge('no ids', undefined);
  await record(out, 'setPreference without a value', () => calls.setPreference('numberFormat', undefined));
  out['refusals changed nothing'] = before === (await snapshot(api));

  // Merged.
  await merge('manual and imported', [c('-3101@' + day(10)), c('from bank')]);
  await merge('the earlier is kept', [c('later one'), c('-3202@' + day(18))]);
  await merge('same day', [c('first'), c('second')]);
  await merge('a split into an imported one', [c('split to merge'), c('merge-bank-2')]);
  await merge('a transfer and its import', [c('to savings merge'), c('merge-bank-3')]);
  await merge('a transfer off budget and a manual entry', [c('to brokerage merge'), c('-8000@' + day(24))]);
  await merge('two transfers', [c('transfer two'), c('transfer one')]);
  await merge('one id twice', [c('merged with itself'), c('merged with itself'), null]);

  await record(out, 'setPreference over a value', () => calls.setPreference('dateFormat', 'dd.MM.yyyy'));
  await record(out, 'setPreference new', () => calls.setPreference('numberFormat', 'space-comma'));
  await record(out, 'setPreference number', () => calls.setPreference('firstDayOfWeekIdx', 1));
  await record(out, 'setPreference null', () => calls.setPreference('merge-test-null', null));
  await record(out, 'setPreference empty id', () => calls.setPreference('', 'ignored'));
  await record(out, 'setPreference null id', () => calls.setPreference(null, 'ignored'));
  out['getPreferences()'] = await api.getPreferences();
  // Messages that quote ids quote them by name.
  for (const answer of Object.values(out)) {
    if (answer && answer.error && typeof answer.error.message === 'string') {
      for (const [id, name] of names) answer.error.message = answer.error.message.split(id).join(name);
    }
  }
  return out;
}

module.exports = { addCandidates, mergeAndSet, upstreamCalls, MONTH, day };
