'use strict';
// runBankSync natively. Three real programs built on @actual-app/api call it, mostly on
// budgets with no account linked to a bank, where upstream contacts no bank and
// resolves: ours answers those natively, as upstream does (twin budgets, the same
// calls through @actual-app/api and through this package with @actual-app/api
// unresolvable). Accounts linked to a bank are not native yet: they are refused before
// anything is written. The real sync-server runs with a fake SimpleFIN bridge on
// 127.0.0.1 (its access key is a server secret), through which the real client links
// accounts as the app does.
const test = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers/harness.js');
const { twinBudget, canonical, readBack, differences, report } = require('./helpers/twins.js');
const { startFakeSimpleFin, configureServer } = require('./helpers/fake-simplefin.js');

let server;
let bridge;
let base;

test.before(async () => {
  server = await h.startServer();
  bridge = await startFakeSimpleFin();
  await configureServer(server, bridge.accessKey);
  base = await h.createRealisticBudget(server, { name: 'Bank sync base' });
});

test.after(async () => {
  await server?.stop();
  await bridge?.stop();
});

function common() {
  return { serverURL: server.url, password: server.password };
}

// What the real client reads of `twin`, as it is (ids) and ids mapped to names.
async function readRaw(twin) {
  return h.runWorker({ op: 'readAll', dataDir: h.tempDir(), syncId: twin.syncId, ...common() });
}

const nameAndMessage = (answer) => (answer.error ? { error: { name: answer.error.name, message: answer.error.message } } : answer);

test('no account linked to a bank: runBankSync answers as @actual-app/api, natively, and writes nothing', async () => {
  const twins = [await twinBudget(server, base, 'bank twin upstream'), await twinBudget(server, base, 'bank twin ours')];
  const before = await readBack(server, twins[1]);
  const steps = (twin) => [
    { label: 'no budget open', call: 'runBankSync' },
    { label: 'download', call: 'downloadBudget', args: [twin.syncId] },
    { label: 'calls', call: 'bankSyncCalls' },
  ];
  const [theirs, ours] = await Promise.all([
    h.runWorker({ op: 'steps', dataDir: h.tempDir(), ...common(), steps: steps(twins[0]) }),
    h.runNative('native-steps.js', { ...common(), steps: steps(twins[1]) }),
  ]);
  assert.deepEqual(ours.loaded, [], 'nothing was handed to @actual-app/api');

  // The oracle's answers, so that the comparison below compares something.
  const calls = theirs.calls.ok;
  assert.equal(calls['deleted accounts found'] > 0, true, 'the budget has a deleted account');
  for (const label of ['every account', 'undefined', 'null', '{}', 'closed account', 'deleted account', 'unknown account', 'a number']) {
    assert.deepEqual(calls[label], { ok: null }, `${label} resolves`);
  }
  assert.match(calls.true.error.message, /^Invalid field type true for sql \n {4}SELECT a\.\*, b\.bank_id as bankId/);
  assert.equal(theirs['no budget open'].error.name, 'TypeError');

  // Ours answered the same, errors with their name and message.
  assert.deepEqual(ours.answers.calls, theirs.calls);
  assert.deepEqual(nameAndMessage(ours.answers['no budget open']), nameAndMessage(theirs['no budget open']));
  assert.equal(ours.answers['no budget open'].error.code, 'type-error');

  // Nothing was written: the real client reads our twin as before, and as upstream's.
  const [afterOurs, afterTheirs] = await Promise.all([readBack(server, twins[1]), readBack(server, twins[0])]);
  const changed = differences(before, afterOurs);
  assert.deepEqual(changed, [], report(changed, before, afterOurs));
  const diffs = differences(afterTheirs, afterOurs);
  assert.deepEqual(diffs, [], report(diffs, afterTheirs, afterOurs));
});

test('accounts linked to SimpleFIN: not native yet, refused naming them before anything is written', async () => {
  const twin = await twinBudget(server, base, 'bank twin linked');
  // The real client links an existing account and a new one through the server, which
  // downloads their transactions from the fake bridge.
  await h.runWorker({
    op: 'linkSimpleFin',
    dataDir: h.tempDir(),
    syncId: twin.syncId,
    links: [{ external: 'sf-checking', upgrade: 'Savings' }, { external: 'sf-card' }],
    ...common(),
  });
  const raw = await readRaw(twin);
  const before = canonical(raw);
  assert.ok(
    raw['getTransactions()'].some((t) => t.imported_id === 'sf-1'),
    'linking downloaded the bridge transactions',
  );
  const id = (name) => raw['getAccounts()'].find((a) => a.name === name).id;

  const ours = await h.runNative('native-steps.js', {
    ...common(),
    steps: [
      { label: 'download', call: 'downloadBudget', args: [twin.syncId] },
      { label: 'every account', call: 'runBankSync' },
      { label: 'linked account', call: 'runBankSync', args: [{ accountId: id('Savings') }] },
      { label: 'unlinked account', call: 'runBankSync', args: [{ accountId: id('Checking') }] },
    ],
  });
  assert.deepEqual(ours.loaded, []);
  const refused = ours.answers['every account'].error;
  assert.equal(refused.name, 'UnsupportedError');
  assert.equal(refused.code, 'unsupported-feature');
  const named = refused.message.match(/runBankSync of accounts linked to a bank \((.*)\)$/);
  assert.deepEqual(named && named[1].split(', ').sort(), ['"Fake Card"', '"Savings"']);
  assert.match(ours.answers['linked account'].error.message, /runBankSync of accounts linked to a bank \("Savings"\)/);
  assert.deepEqual(ours.answers['unlinked account'], { ok: null });

  const after = await readBack(server, twin);
  const changed = differences(before, after);
  assert.deepEqual(changed, [], report(changed, before, after));
});
