'use strict';
// runBankSync of accounts linked to GoCardless, Enable Banking and Akahu, natively,
// against @actual-app/api on twin budgets: the real sync-server downloads from fake
// provider APIs on 127.0.0.1 (fake-banks.js: the server's code unchanged, its
// connections to the providers' fixed HTTPS hosts sent to the fakes), accounts are
// linked by the real client as the app links them (each provider's link handler makes
// the first download; some accounts are attached unsynced, so that runBankSync makes
// their first download, with its starting balance), then three rounds run through
// @actual-app/api and through this package (with @actual-app/api unresolvable): the
// first download, a second with new, booked and changed transactions and other
// balances, and one where an account of each provider fails. Each round compares the
// answers and errors, the accounts' bank-sync fields, and what the real client reads
// back from each twin.
const test = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers/harness.js');
const { linkedTwins, canonical, differences, report } = require('./helpers/twins.js');
const { startFakeBanks, configureBanks, REQUISITION, GOCARDLESS, ENABLE_BANKING, AKAHU } = require('./helpers/fake-banks.js');
const { rawNamed } = require('./helpers/bank-sync-script.js');

let server;
let banks;

test.before(async () => {
  banks = await startFakeBanks();
  server = await h.startServer({ env: banks.env, preload: banks.preload });
  await configureBanks(server);
});

test.after(async () => {
  await server?.stop();
  await banks?.stop();
});

const common = () => ({ serverURL: server.url, password: server.password });

// Linked by the provider's handler (its first download made there), or attached to a
// new account (`create`: runBankSync makes its first download) with preferences:
// dates updated, pending transactions left out, notes left out.
const LINKS = [
  { source: 'goCardless', external: 'gc-main' },
  { source: 'goCardless', external: 'gc-limited' },
  { source: 'goCardless', external: 'gc-savings', create: 'GC savings', prefs: { 'sync-update-dates': 'true' } },
  { source: 'enableBanking', external: 'eb-1' },
  { source: 'enableBanking', external: 'eb-2', create: 'EB card', prefs: { 'sync-import-pending': 'false' } },
  { source: 'akahu', external: 'acc_ak1' },
  { source: 'akahu', external: 'acc_ak2', create: 'Akahu card', prefs: { 'sync-import-notes': 'false' } },
];

// The answers both clients give, but for what only ours has: upstream's error without
// a code is ours with `bank-sync-failure` (README, errors).
function comparable(answers) {
  const { download: _download, shutdown: _shutdown, ...rest } = answers;
  return Object.fromEntries(
    Object.entries(rest).map(([label, a]) => {
      if (a.error?.code !== 'bank-sync-failure') return [label, a];
      const { code: _code, ...error } = a.error;
      return [label, { error }];
    }),
  );
}

const transactionRequests = () => ({
  goCardless: banks.asked(GOCARDLESS).filter((r) => r.path.endsWith('/transactions/')).length,
  enableBanking: banks.asked(ENABLE_BANKING).filter((r) => r.path.endsWith('/transactions')).length,
  akahu: banks.asked(AKAHU).filter((r) => /\/transactions$/.test(r.path)).length,
});

const statuses = (answers) => Object.fromEntries(answers.accounts.ok.filter((a) => a.account_sync_source).map((a) => [a.name, [a.account_sync_source, a.bank_sync_status, a.synced]]));

test('GoCardless, Enable Banking and Akahu accounts: runBankSync downloads through the real server and reconciles as @actual-app/api does', async () => {
  const { twins, ids, run, readRaw } = await linkedTwins(server, { name: 'Providers linked', link: 'linkBanks', linkArgs: { links: LINKS, requisitionId: REQUISITION } });
  const download = (twin) => ({ label: 'download', call: 'downloadBudget', args: [twin.syncId] });
  const readBoth = async () => {
    const [theirs, ours] = await Promise.all([readRaw(twins[0]), readRaw(twins[1])]);
    const [t, o] = [canonical(rawNamed(theirs)), canonical(rawNamed(ours))];
    const diffs = differences(t, o);
    assert.deepEqual(diffs, [], report(diffs, t, o));
    return ours;
  };

  // Round 1: every account; three of them downloaded for the first time.
  const asked1 = transactionRequests();
  const [theirs1, ours1] = await run((twin) => [download(twin), { label: 'every account', call: 'runBankSync' }, { label: 'accounts', call: 'bankAccountStates' }]);
  assert.deepEqual(ours1.loaded, [], 'nothing was handed to @actual-app/api');
  const asked = transactionRequests();
  // Each client: GoCardless three accounts, Enable Banking two (one in two pages), Akahu two.
  assert.deepEqual(
    { goCardless: asked.goCardless - asked1.goCardless, enableBanking: asked.enableBanking - asked1.enableBanking, akahu: asked.akahu - asked1.akahu },
    { goCardless: 6, enableBanking: 6, akahu: 6 },
  );
  assert.deepEqual(theirs1['every account'], { ok: null });
  assert.deepEqual(statuses(theirs1), {
    'Akahu card': ['akahu', 'ok', true],
    'EB card': ['enableBanking', 'ok', true],
    'Everyday account': ['enableBanking', 'ok', true],
    Everyday: ['akahu', 'ok', true],
    'GC savings': ['goCardless', 'ok', true],
    'Girokonto (XXX 3000) EUR': ['goCardless', 'ok', true],
    'Card account (XXX 9890) EUR': ['goCardless', 'ok', true],
  });
  assert.deepEqual(comparable(ours1.answers), comparable(theirs1));
  const read1 = await readBoth();
  const of = (name) => read1['getTransactions()'].filter((t) => t.account === ids[1][name]);
  const starting = (name) => of(name).find((t) => t.starting_balance_flag)?.amount;
  // The first downloads' starting balances, as each provider's is worked out:
  // GoCardless's from the server (5012.40 less 512.40), Enable Banking's without the
  // pending transaction it leaves out (-79.90 + 60.00), Akahu's rounded (-250.75 + 22.99).
  assert.deepEqual([starting('GC savings'), starting('EB card'), starting('Akahu card')], [450000, -1990, -22776]);
  assert.equal(of('EB card').some((t) => t.imported_id === 'e2-2'), false, 'a pending one left out');
  assert.ok(of('Akahu card').every((t) => t.notes === null), 'notes left out');

  // Round 2: one account of each provider, then all; new transactions, pending ones
  // booked with other amounts, remittance info changed, other balances; Akahu's
  // accounts due for a refresh.
  banks.nextRound();
  banks.staleAkahu();
  const refreshes = banks.asked(AKAHU).filter((r) => r.path === '/v1/refresh').length;
  const [theirs2, ours2] = await run((twin, id) => [
    download(twin),
    { label: 'one GoCardless account', call: 'runBankSync', args: [{ accountId: id['Girokonto (XXX 3000) EUR'] }] },
    { label: 'one Enable Banking account', call: 'runBankSync', args: [{ accountId: id['Everyday account'] }] },
    { label: 'one Akahu account', call: 'runBankSync', args: [{ accountId: id.Everyday }] },
    { label: 'every account', call: 'runBankSync' },
    { label: 'accounts', call: 'bankAccountStates' },
  ]);
  assert.deepEqual(ours2.loaded, []);
  assert.ok(banks.asked(AKAHU).filter((r) => r.path === '/v1/refresh').length > refreshes, 'the server refreshed Akahu first');
  for (const label of ['one GoCardless account', 'one Enable Banking account', 'one Akahu account', 'every account']) assert.deepEqual(theirs2[label], { ok: null }, label);
  assert.deepEqual(comparable(ours2.answers), comparable(theirs2));
  const read2 = await readBoth();
  const imported = (name) => read2['getTransactions()'].filter((t) => t.account === ids[1][name]).map((t) => t.imported_id);
  assert.ok(imported('Girokonto (XXX 3000) EUR').includes('gc-t6'), 'GoCardless: a new transaction');
  assert.ok(imported('Everyday account').includes('eb-r5'), 'Enable Banking: a new transaction');
  assert.ok(imported('Everyday').includes('trans_4'), 'Akahu: a new transaction');

  // Round 3: one account of each provider fails (GoCardless: the bank's rate limit,
  // Enable Banking: an expired session, Akahu: the account is gone), the others sync.
  banks.fail(['gc-limited', 'eb-1', 'acc_ak1']);
  try {
    const [theirs3, ours3] = await run((twin, id) => [
      download(twin),
      { label: 'every account', call: 'runBankSync' },
      { label: 'one GoCardless account', call: 'runBankSync', args: [{ accountId: id['Card account (XXX 9890) EUR'] }] },
      { label: 'one Enable Banking account', call: 'runBankSync', args: [{ accountId: id['Everyday account'] }] },
      { label: 'one Akahu account', call: 'runBankSync', args: [{ accountId: id.Everyday }] },
      { label: 'accounts', call: 'bankAccountStates' },
    ]);
    assert.deepEqual(ours3.loaded, []);
    assert.deepEqual(theirs3['one GoCardless account'].error, {
      name: 'Error',
      code: 'NORDIGEN_ERROR',
      message: 'Failed syncing account Card account (XXX 9890) EUR. Rate limit exceeded. Please try again later.',
    });
    assert.deepEqual(theirs3['one Enable Banking account'].error, { name: 'Error', code: 'ITEM_LOGIN_REQUIRED', message: 'Failed syncing account "Everyday account."' });
    // The server's `{ status: 'error' }`: upstream's post fails with `unknown`.
    assert.deepEqual(theirs3['one Akahu account'].error, { name: 'Error', message: 'unknown' });
    assert.equal(ours3.answers['one Akahu account'].error.code, 'bank-sync-failure');
    assert.ok(theirs3['every account'].error, 'every account: the first failed account is the error');
    const states = Object.fromEntries(Object.entries(statuses(theirs3)).map(([name, [, status]]) => [name, status]));
    assert.deepEqual(states, {
      'Akahu card': 'ok',
      'EB card': 'ok',
      'Everyday account': 'reauth-required',
      Everyday: 'failed',
      'GC savings': 'ok',
      'Girokonto (XXX 3000) EUR': 'ok',
      'Card account (XXX 9890) EUR': 'rate-limit-exceeded',
    });
    assert.deepEqual(comparable(ours3.answers), comparable(theirs3));
    await readBoth();
  } finally {
    banks.fail([]);
  }
});
