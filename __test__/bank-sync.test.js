'use strict';
// runBankSync natively, against @actual-app/api on twin budgets (the same calls
// through it and through this package with @actual-app/api unresolvable): on budgets
// with no account linked to a bank (where three real programs call it; upstream
// contacts no bank and resolves), and with SimpleFIN accounts, downloaded through the
// real sync-server from a fake SimpleFIN bridge on 127.0.0.1 (the one peer a test
// cannot run; its access key is a server secret), linked by the real client as the app
// links them, and with Pluggy.ai accounts, from a fake Pluggy.ai API the server is
// pointed at (PLUGGY_API_URL). A provider upstream does not know is refused before
// anything is written. GoCardless, Enable Banking and Akahu: bank-sync-providers.test.js.
const test = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers/harness.js');
const { twinBudget, linkedTwins, canonical, readBack, differences, report } = require('./helpers/twins.js');
const { startFakeSimpleFin, configureServer } = require('./helpers/fake-simplefin.js');
const { startFakePluggy, configurePluggy } = require('./helpers/fake-pluggy.js');
const { rawNamed } = require('./helpers/bank-sync-script.js');

let server;
let bridge;
let pluggy;
let base;

test.before(async () => {
  bridge = await startFakeSimpleFin();
  pluggy = await startFakePluggy();
  server = await h.startServer({ env: { PLUGGY_API_URL: pluggy.url } });
  await configureServer(server, bridge.accessKey);
  await configurePluggy(server);
  // Rules the engine runs: a bank sync runs them (one it does not run refuses it).
  base = await h.createRealisticBudget(server, { name: 'Bank sync base', withUnrunnableRules: false });
});

test.after(async () => {
  await server?.stop();
  await bridge?.stop();
  await pluggy?.stop();
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

// Accounts linked as the app links them: one through the server's SimpleFIN link
// (its first download done by the real client), one new and empty account whose first
// download runBankSync makes (a starting balance), an off-budget one with
// transactions, one the bridge does not have (an error); and two Pluggy.ai accounts,
// a new checking account and a credit card on an account with transactions. Two have
// bank-sync preferences: dates updated and notes left out; pending ones left out.
const LINKS = [
  { external: 'sf-card' },
  { external: 'sf-checking', create: 'Bank checking', prefs: { 'sync-update-dates': 'true', 'sync-import-notes': 'false' } },
  { external: 'sf-savings', account: 'Brokerage' },
  { external: 'sf-missing', account: 'Credit card' },
  { external: 'pg-1', create: 'Pluggy checking', source: 'pluggyai', prefs: { 'sync-import-pending': 'false' } },
  { external: 'pg-card', account: 'Checking', source: 'pluggyai' },
];

test('SimpleFIN and Pluggy.ai accounts: runBankSync downloads through the server and reconciles as @actual-app/api does', async () => {
  // The links are made once and uploaded, so both twins hold the same accounts.
  const { twins, ids, run } = await linkedTwins(server, { name: 'Bank sync linked', link: 'linkSimpleFin', linkArgs: { links: LINKS } });
  const download = (twin) => ({ label: 'download', call: 'downloadBudget', args: [twin.syncId] });
  const comparable = (answers) => {
    const { download: _download, shutdown: _shutdown, ...rest } = answers;
    return rest;
  };

  // The first download: every account, SimpleFIN's in one batch, Pluggy's one by one.
  const requestsBefore = bridge.requests.length;
  const pluggyBefore = pluggy.requests.filter((r) => r.path === '/v2/transactions').length;
  const [theirs1, ours1] = await run((twin) => [
    download(twin),
    { label: 'every account', call: 'runBankSync' },
    { label: 'accounts', call: 'bankAccountStates' },
  ]);
  assert.deepEqual(ours1.loaded, [], 'nothing was handed to @actual-app/api');
  assert.equal(bridge.requests.length - requestsBefore, 2, 'each client asked the bridge once');
  const pluggyAsked = pluggy.requests.filter((r) => r.path === '/v2/transactions').length - pluggyBefore;
  assert.equal(pluggyAsked, 4, 'each client asked Pluggy.ai once per account');
  // The oracle: the missing account's error, after the others were synced.
  assert.deepEqual(theirs1['every account'].error, { name: 'Error', code: 'ACCOUNT_MISSING', message: 'Failed syncing account "Credit card."' });
  const status = (answers) => Object.fromEntries(answers.accounts.ok.filter((a) => a.account_sync_source).map((a) => [a.name, [a.bank_sync_status, a.synced]]));
  assert.deepEqual(status(theirs1), {
    'Bank checking': ['ok', true],
    'Credit card': ['account-missing', false],
    'Fake Card': ['ok', true],
    Brokerage: ['ok', true],
    Checking: ['ok', true],
    'Pluggy checking': ['ok', true],
  });
  assert.deepEqual(comparable(ours1.answers), comparable(theirs1));

  // The second download: some transactions new, some changed; one account, then all.
  bridge.nextRound();
  pluggy.nextRound();
  const [theirs2, ours2] = await run((twin, id) => [
    download(twin),
    { label: 'one account', call: 'runBankSync', args: [{ accountId: id['Bank checking'] }] },
    { label: 'one Pluggy.ai account', call: 'runBankSync', args: [{ accountId: id['Pluggy checking'] }] },
    { label: 'every account', call: 'runBankSync' },
    { label: 'accounts', call: 'bankAccountStates' },
  ]);
  assert.deepEqual(ours2.loaded, []);
  assert.deepEqual(theirs2['one account'], { ok: null });
  assert.deepEqual(theirs2['one Pluggy.ai account'], { ok: null });
  assert.deepEqual(comparable(ours2.answers), comparable(theirs2));

  // What the real client reads back from both twins.
  const [readTheirs, readOurs] = await Promise.all([readRaw(twins[0]), readRaw(twins[1])]);
  const bankChecking = readOurs['getTransactions()'].filter((t) => t.account === ids[1]['Bank checking']);
  assert.ok(bankChecking.some((t) => t.starting_balance_flag), 'the first download made a starting balance');
  assert.ok(bankChecking.some((t) => t.imported_id === 'sf-6'), 'the second download added new transactions');
  const pluggyChecking = readOurs['getTransactions()'].filter((t) => t.account === ids[1]['Pluggy checking']);
  assert.deepEqual(
    [pluggyChecking.some((t) => t.starting_balance_flag), pluggyChecking.some((t) => t.imported_id === 'pg-t3'), pluggyChecking.some((t) => t.imported_id === 'pg-t4')],
    [true, true, false],
    'Pluggy.ai: a starting balance, then the posted transaction; a pending one left out',
  );
  assert.ok(bankChecking.every((t) => t.notes === null), 'notes left out');
  const [t, o] = [canonical(rawNamed(readTheirs)), canonical(rawNamed(readOurs))];
  const diffs = differences(t, o);
  assert.deepEqual(diffs, [], report(diffs, t, o));

  // Errors: the bridge refuses the access key, Pluggy.ai fails.
  bridge.fail();
  pluggy.fail();
  try {
    const [theirs3, ours3] = await run((twin, id) => [
      download(twin),
      { label: 'every account', call: 'runBankSync' },
      { label: 'one Pluggy.ai account', call: 'runBankSync', args: [{ accountId: id['Pluggy checking'] }] },
      { label: 'accounts', call: 'bankAccountStates' },
    ]);
    assert.equal(theirs3['every account'].error.code, 'INVALID_ACCESS_TOKEN');
    assert.deepEqual(theirs3['one Pluggy.ai account'].error, { name: 'Error', code: 'Pluggy is down', message: 'Failed syncing account "Pluggy checking."' });
    assert.deepEqual(Object.fromEntries(theirs3.accounts.ok.filter((a) => a.account_sync_source).map((a) => [a.name, a.bank_sync_status])), {
      'Bank checking': 'reauth-required',
      Brokerage: 'reauth-required',
      Checking: 'failed',
      'Credit card': 'reauth-required',
      'Fake Card': 'reauth-required',
      'Pluggy checking': 'failed',
    });
    assert.deepEqual(comparable(ours3.answers), comparable(theirs3));
    const [after3Theirs, after3Ours] = await Promise.all([readRaw(twins[0]), readRaw(twins[1])]);
    const [t3, o3] = [canonical(rawNamed(after3Theirs)), canonical(rawNamed(after3Ours))];
    const diffs3 = differences(t3, o3);
    assert.deepEqual(diffs3, [], report(diffs3, t3, o3));
  } finally {
    bridge.fail(false);
    pluggy.fail(false);
  }
});

test('every account linked to SimpleFIN: each downloaded in the batch and again one by one, as upstream does', async () => {
  // accounts-bank-sync gets no ids when SimpleFIN's batch took every account, and so
  // takes them all again.
  const only = await h.createBudget(server, { name: 'Bank sync all SimpleFIN', accounts: [{ name: 'Only', transactions: 3 }] });
  await h.runWorker({
    op: 'linkSimpleFin',
    dataDir: h.tempDir(),
    syncId: only.syncId,
    links: [{ external: 'sf-card' }, { external: 'sf-checking', account: 'Only' }],
    upload: true,
    ...common(),
  });
  const twins = [await twinBudget(server, only, 'all simplefin twin upstream'), await twinBudget(server, only, 'all simplefin twin ours')];
  const steps = (twin) => [
    { label: 'download', call: 'downloadBudget', args: [twin.syncId] },
    { label: 'every account', call: 'runBankSync' },
    { label: 'accounts', call: 'bankAccountStates' },
  ];
  const requestsBefore = bridge.requests.length;
  const [theirs, ours] = await Promise.all([
    h.runWorker({ op: 'steps', dataDir: h.tempDir(), ...common(), steps: steps(twins[0]) }),
    h.runNative('native-steps.js', { ...common(), steps: steps(twins[1]) }),
  ]);
  assert.deepEqual(ours.loaded, []);
  // Each client: the batch, then each of the two accounts again.
  assert.equal(bridge.requests.length - requestsBefore, 6);
  const { download: _a, shutdown: _b, ...oursAnswers } = ours.answers;
  const { download: _c, ...theirAnswers } = theirs;
  assert.deepEqual(oursAnswers, theirAnswers);
  const [readTheirs, readOurs] = await Promise.all([readRaw(twins[0]), readRaw(twins[1])]);
  const [t, o] = [canonical(rawNamed(readTheirs)), canonical(rawNamed(readOurs))];
  const diffs = differences(t, o);
  assert.deepEqual(diffs, [], report(diffs, t, o));
});

test('an account linked to a provider upstream does not know: refused naming it, before anything is downloaded or written', async () => {
  const twin = await twinBudget(server, base, 'bank twin other provider');
  await h.runWorker({
    op: 'linkSimpleFin',
    dataDir: h.tempDir(),
    syncId: twin.syncId,
    links: [{ external: 'sf-card' }, { external: 'pl-1', account: 'Savings', source: 'plaid' }],
    ...common(),
  });
  const raw = await readRaw(twin);
  const before = canonical(raw);
  const id = (name) => raw['getAccounts()'].find((a) => a.name === name).id;
  const requestsBefore = bridge.requests.length;
  const ours = await h.runNative('native-steps.js', {
    ...common(),
    steps: [
      { label: 'download', call: 'downloadBudget', args: [twin.syncId] },
      { label: 'every account', call: 'runBankSync' },
      { label: 'that account', call: 'runBankSync', args: [{ accountId: id('Savings') }] },
      { label: 'an unlinked account', call: 'runBankSync', args: [{ accountId: id('Checking') }] },
    ],
  });
  assert.deepEqual(ours.loaded, []);
  for (const label of ['every account', 'that account']) {
    const refused = ours.answers[label].error;
    assert.equal(refused.name, 'UnsupportedError', label);
    assert.equal(refused.code, 'unsupported-feature', label);
    assert.match(refused.message, /runBankSync of an account linked to plaid \("Savings"\), a provider upstream does not know/, label);
  }
  assert.deepEqual(ours.answers['an unlinked account'], { ok: null });
  assert.equal(bridge.requests.length, requestsBefore, 'nothing was downloaded');
  const after = await readBack(server, twin);
  const changed = differences(before, after);
  assert.deepEqual(changed, [], report(changed, before, after));
});
