'use strict';
// The runBankSync calls the programs built on @actual-app/api make, on a budget with
// no account linked to a bank: every account, one account (open, closed, deleted,
// unknown), and the argument shapes upstream takes or refuses. Ids are found at run
// time, so @actual-app/api and this package run it alike on twin budgets. Each call's
// outcome: { ok } or { error: { name, message } } (upstream's errors have no code).
async function bankSyncCalls(api) {
  const out = {};
  const record = async (label, fn) => {
    try {
      const value = await fn();
      out[label] = { ok: value === undefined ? null : value };
    } catch (err) {
      out[label] = { error: { name: err && err.name, message: err && err.message } };
    }
  };
  const accounts = await api.getAccounts();
  const id = (name) => accounts.find((a) => a.name === name).id;
  const dead = await api.aqlQuery(api.q('accounts').withDead().filter({ tombstone: true }).select(['id']));

  await record('every account', () => api.runBankSync());
  await record('undefined', () => api.runBankSync(undefined));
  await record('null', () => api.runBankSync(null));
  await record('{}', () => api.runBankSync({}));
  await record('accountId null', () => api.runBankSync({ accountId: null }));
  await record('a string instead of an object', () => api.runBankSync('abc'));
  await record('open account', () => api.runBankSync({ accountId: id('Checking') }));
  await record('off-budget account', () => api.runBankSync({ accountId: id('Brokerage') }));
  await record('closed account', () => api.runBankSync({ accountId: id('Old account') }));
  await record('deleted account', () => api.runBankSync({ accountId: dead.data[0].id }));
  await record('unknown account', () => api.runBankSync({ accountId: 'no-such-account' }));
  await record('empty id', () => api.runBankSync({ accountId: '' }));
  await record('a number', () => api.runBankSync({ accountId: 5 }));
  await record('true', () => api.runBankSync({ accountId: true }));
  await record('an object', () => api.runBankSync({ accountId: { id: id('Checking') } }));
  await record('an array', () => api.runBankSync({ accountId: [id('Checking'), null, 7] }));
  out['deleted accounts found'] = dead.data.length;
  return out;
}

// What a bank sync changes on the account rows that the API's reads leave out.
async function bankAccountStates(api) {
  const query = api.q('accounts').select(['name', 'account_id', 'account_sync_source', 'bank_sync_status', 'last_sync']).orderBy('name');
  const { data } = await api.aqlQuery(query);
  return data.map(({ id: _id, last_sync, ...rest }) => ({ ...rest, synced: last_sync != null && Math.abs(Date.now() - Number(last_sync)) < 600000 }));
}

// raw_synced_data is the download's JSON with the ids of the account and of the payee
// each side made: their names instead, for the comparison. A payee id that names no
// payee is one made for a transaction that matched an existing one (which kept its
// payee), so never created: random on each side.
function rawNamed(answers) {
  const names = new Map([...(answers['getAccounts()'] || []), ...(answers['getPayees()'] || [])].map((x) => [x.id, x.name]));
  const named = (t) => {
    if (typeof t.raw_synced_data !== 'string' || !t.raw_synced_data.startsWith('{')) return t;
    const raw = JSON.parse(t.raw_synced_data);
    for (const key of ['account', 'payee']) if (names.has(raw[key])) raw[key] = names.get(raw[key]);
    if (typeof raw.payee === 'string' && !names.has(raw.payee) && /^[0-9a-f-]{36}$/.test(raw.payee)) raw.payee = '(a payee never created)';
    return { ...t, raw_synced_data: JSON.stringify(raw), subtransactions: t.subtransactions && t.subtransactions.map(named) };
  };
  return Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, k.startsWith('getTransactions(') && Array.isArray(v) ? v.map(named) : v]));
}

module.exports = { bankSyncCalls, bankAccountStates, rawNamed };
