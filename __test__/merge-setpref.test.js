'use strict';
// mergeTransactions(ids) and setPreference(id, value), the two methods
// @actual-app/api 26.10 added. No 26.10 client can be installed here, but its
// handlers are thin: api/transactions-merge hands `ids.map(id => ({ id }))` to the
// engine's `transactions-merge` handler, and setPreference sends `preferences/save`;
// 26.9.0's engine has both handlers. So one twin runs merge-script.js through this
// package, the other through those handlers of the real 26.9.0 engine, and the real
// client reads both back. Beside that comparison, the effects 26.10's source implies
// are asserted on what the real client reads from our twin.
const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');

const h = require('./helpers/harness.js');
const { twinBudget, canonical } = require('./helpers/twins.js');
const { day } = require('./helpers/merge-script.js');

let server;
let base;

test.before(async () => {
  server = await h.startServer();
  base = await h.createRealisticBudget(server, { name: 'Merge base' });
});

test.after(async () => {
  await server?.stop();
});

function readAll(twin) {
  return h.runWorker({ op: 'readAll', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: twin.syncId });
}

test('mergeTransactions and setPreference: answers, refusals and writes as 26.10, read back by @actual-app/api', async () => {
  const twins = [await twinBudget(server, base, 'merge twin upstream'), await twinBudget(server, base, 'merge twin ours')];
  const common = { serverURL: server.url, password: server.password };
  // The same candidates on both, written by the real client.
  await Promise.all(twins.map((t) => h.runWorker({ op: 'mergeCandidates', dataDir: h.tempDir(), syncId: t.syncId, ...common })));
  const [theirs, ours] = await Promise.all([
    h.runWorker({ op: 'mergeAndSet', dataDir: h.tempDir(), syncId: twins[0].syncId, ...common }),
    h.runNative('native-run.js', { task: 'merge', syncId: twins[1].syncId, ...common }),
  ]);
  assert.deepEqual(ours.loaded, [], 'no @actual-app module was loaded');
  const a = ours.answers;

  // Refusals: upstream's errors, word for word, and nothing written.
  const error = (name, message) => ({ error: { name, message } });
  const onlyTwo = (found) => error('Error', `Merging is only possible with 2 transactions, but found ${JSON.stringify(found)}`);
  assert.deepEqual(a['one id'], onlyTwo([{ id: 'Checking: account one' }]));
  assert.deepEqual(a['three ids'], onlyTwo(['account one', 'other amount', 'merged with itself'].map((n) => ({ id: `Checking: ${n}` }))));
  assert.deepEqual(a['an empty id does not count'], onlyTwo([{ id: 'Checking: account one' }, { id: '' }]));
  assert.deepEqual(a['unknown id'], error('Error', 'One of the provided transactions does not exist'));
  assert.deepEqual(a['different accounts'], error('Error', 'Cannot merge transactions from different accounts'));
  assert.deepEqual(a['different amounts'], error('Error', 'Cannot merge transactions with different amounts'));
  assert.deepEqual(a['transfers to different accounts'], error('Error', 'Cannot merge transfers to different accounts'));
  assert.deepEqual(a['not an array'], error('TypeError', 'ids.map is not a function'));
  assert.deepEqual(a['no ids'], error('TypeError', "Cannot read properties of undefined (reading 'map')"));
  assert.ok(a['setPreference without a value'].error, 'an undefined value is refused');
  assert.equal(a['refusals changed nothing'], true);

  // The kept transaction's id: the imported one, else the earlier one, else the second.
  assert.deepEqual(
    Object.fromEntries(Object.entries(a).filter(([, v]) => v && typeof v.value === 'string').map(([k, v]) => [k, v.value])),
    {
      'manual and imported': 'Checking: from bank',
      'the earlier is kept': `Checking: -3202@${day(18)}`,
      'same day': 'Checking: second',
      'a split into an imported one': 'Checking: merge-bank-2',
      'a transfer and its import': 'Checking: merge-bank-3',
      'a transfer off budget and a manual entry': `Checking: -8000@${day(24)}`,
      'two transfers': 'Checking: transfer one',
      'one id twice': 'Checking: merged with itself',
    },
  );
  for (const key of ['over a value', 'new', 'number', 'null', 'empty id', 'null id']) {
    assert.deepEqual(a[`setPreference ${key}`], {}, `setPreference ${key} resolves to undefined`);
  }
  const prefs = a['getPreferences()'];
  assert.equal(prefs.dateFormat, 'dd.MM.yyyy');
  assert.equal(prefs.numberFormat, 'space-comma');
  // JavaScript numbers are bound as reals, which the text column keeps as '1.0'.
  assert.equal(prefs.firstDayOfWeekIdx, '1.0');
  assert.equal(prefs['merge-test-null'], null);
  assert.ok(!('' in prefs) && !('null' in prefs), 'a falsy id writes nothing');

  // The oracle answered the same.
  assert.deepEqual(a, theirs);

  // What the real client reads back: the same on both twins...
  const [readTheirs, readOurs] = await Promise.all(twins.map(readAll));
  const [t, o] = [canonical(readTheirs), canonical(readOurs)];
  const diffs = [...new Set([...Object.keys(t), ...Object.keys(o)])].filter((k) => !isDeepStrictEqual(t[k], o[k]));
  assert.deepEqual(diffs, [], diffs.slice(0, 3).map((k) => `${k}\n  upstream: ${JSON.stringify(t[k])?.slice(0, 1500)}\n  ours:     ${JSON.stringify(o[k])?.slice(0, 1500)}`).join('\n'));

  // ...and what 26.10's merge.ts implies.
  const accounts = Object.fromEntries(readOurs['getAccounts()'].map((x) => [x.name, x.id]));
  const categories = Object.fromEntries(readOurs['getCategories()'].map((x) => [x.name, x.id]));
  const payees = readOurs['getPayees()'];
  const payeeNamed = (re) => payees.find((p) => !p.transfer_acct && re.test(p.name))?.id;
  const transferPayee = (name) => payees.find((p) => p.transfer_acct === accounts[name]).id;
  const all = readOurs['getTransactions()'];
  const live = (account, amount) => all.filter((x) => x.account === accounts[account] && x.amount === amount && x.date.startsWith(day(1).slice(0, 7)));
  const only = (account, amount) => {
    const found = live(account, amount);
    assert.equal(found.length, 1, `one ${account} transaction of ${amount} left`);
    return found[0];
  };
  const byId = (id) => all.find((x) => x.id === id);

  const imported = only('Checking', -3101);
  assert.deepEqual(
    [imported.date, imported.imported_id, imported.payee, imported.category, imported.notes, imported.cleared],
    [day(12), 'merge-bank-1', payeeNamed(/^merge shop 123$/i), categories.Groceries, 'from bank', true],
    'the import is kept and takes the manual entry category',
  );
  const earlier = only('Checking', -3202);
  assert.deepEqual([earlier.date, earlier.payee, earlier.notes], [day(18), payeeNamed(/^merge plain payee$/i), 'later one'], 'the earlier one takes the payee and notes');
  const sameDay = only('Checking', -3303);
  assert.deepEqual([sameDay.notes, sameDay.category], ['second', categories.Hobbies], 'the second is kept, the first one category taken');

  const split = only('Checking', -9000);
  assert.deepEqual(
    [split.imported_id, split.is_parent, split.category, split.notes, split.payee],
    ['merge-bank-2', true, null, 'split to merge', payeeNamed(/^split bank$/i)],
    'the import became the parent',
  );
  assert.deepEqual(split.subtransactions.map((s) => [s.amount, s.parent_id, s.notes]).sort(), [[-3000, split.id, null], [-6000, split.id, 'part one']]);

  const viaImport = only('Checking', -7000);
  const savingsSide = byId(viaImport.transfer_id);
  assert.deepEqual(
    [viaImport.imported_id, viaImport.payee, viaImport.category, viaImport.notes],
    ['merge-bank-3', transferPayee('Savings'), null, 'to savings merge'],
    'the import is now the transfer; an on-budget transfer has no category',
  );
  assert.deepEqual([savingsSide.account, savingsSide.amount, savingsSide.transfer_id], [accounts.Savings, 7000, viaImport.id]);

  const offBudget = only('Checking', -8000);
  const brokerageSide = byId(offBudget.transfer_id);
  assert.deepEqual(
    [offBudget.date, offBudget.payee, offBudget.category, offBudget.notes],
    [day(24), transferPayee('Brokerage'), categories.Groceries, 'to brokerage merge'],
    'a transfer off budget keeps the kept one category',
  );
  assert.deepEqual([brokerageSide.account, brokerageSide.amount, brokerageSide.transfer_id], [accounts.Brokerage, 8000, offBudget.id]);

  const transfer = only('Checking', -6500);
  const counterpart = only('Savings', 6500);
  assert.deepEqual([transfer.date, transfer.payee, transfer.transfer_id], [day(26), transferPayee('Savings'), counterpart.id]);
  assert.deepEqual([counterpart.date, counterpart.transfer_id], [day(26), transfer.id], 'the counterparts were merged too');

  assert.deepEqual(live('Checking', -4606), [], 'a transaction merged with itself is deleted');
  assert.equal(live('Checking', -4404).length, 1, 'refused merges left their transactions');
  assert.deepEqual(readOurs['getPreferences()'], prefs);
});
