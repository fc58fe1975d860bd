'use strict';
// Runs one step with the real @actual-app/api in its own process (the official
// client holds one global instance and logs a great deal). Usage:
//   node actual-worker.js '<json args>'   -> writes the JSON result to args.resultFile
const fs = require('node:fs');

const args = JSON.parse(process.argv[2]);
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'group', 'groupEnd', 'trace']) {
  console[method] = () => {};
}
// args.release: an older @actual-app/api installed under an npm alias (package.json
// devDependencies, e.g. 'api-24-10'); the main @actual-app/api by default. Their quirks
// on Node 20: 26.5.x reads navigator.platform as it loads; 24.x-25.x write the scratch
// file of an upload into process.env.ACTUAL_DATA_DIR.
if (args.release) {
  globalThis.navigator ??= { platform: process.platform, userAgent: `Node.js/${process.versions.node}`, language: 'en-US' };
  if (args.dataDir) process.env.ACTUAL_DATA_DIR = args.dataDir;
  // 24.10.1 leaves a copy of a failed `api/sync`'s rejection unhandled (its mutator
  // queue), which would end this process although the caller handles the failure.
  process.on('unhandledRejection', () => {});
}
const api = require(args.release || '@actual-app/api');

const ALL_DATES = ['1900-01-01', '2199-12-31'];

// The client rewrites metadata.json asynchronously, so getBudgets() can briefly miss a
// budget it just wrote: look for it for a few seconds.
async function findLocal(predicate) {
  for (let i = 0; i < 50; i++) {
    const found = (await api.getBudgets()).find((b) => b.id && predicate(b));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the budget never appeared in getBudgets()');
}

function day(i) {
  const d = new Date(Date.UTC(2025, 0, 1) + (i % 600) * 86400000);
  return d.toISOString().slice(0, 10);
}

// Rules an importer's budget has, some of which fire on bench/script-cold.js's imports.
async function addBenchRules() {
  const group = await api.createCategoryGroup({ name: 'Bench group' });
  const shopping = await api.createCategory({ name: 'Shopping', group_id: group });
  const big = await api.createCategory({ name: 'Big spend', group_id: group });
  const payees = await api.getPayees();
  await api.createRule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'contains', value: 'BENCH CARD' }], actions: [{ op: 'set', field: 'notes', value: 'card purchase' }] });
  await api.createRule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: payees.find((p) => p.name === 'Payee 7').id }], actions: [{ op: 'set', field: 'category', value: shopping }] });
  await api.createRule({ stage: null, conditionsOp: 'or', conditions: [{ field: 'amount', op: 'lt', value: -80000 }, { field: 'notes', op: 'contains', value: 'imported 9' }], actions: [{ op: 'set', field: 'category', value: big }] });
}

async function createBudget() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.runImport(args.name, async () => {
    for (const [a, spec] of args.accounts.entries()) {
      const id = await api.createAccount({ name: spec.name, offbudget: false }, spec.balance ?? 0);
      const txns = [];
      for (let i = 0; i < spec.transactions; i++) {
        txns.push({ date: day(i), amount: -((i * 37 + a * 11) % 10000) - 1, payee_name: `Payee ${i % 50}`, notes: `t${a}-${i}` });
      }
      for (let i = 0; i < txns.length; i += 5000) {
        await api.addTransactions(id, txns.slice(i, i + 5000));
      }
    }
    if (args.rules) await addBenchRules();
  });
  const lib = await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password }).catch(() => null);
  const local = await findLocal((b) => b.name === args.name);
  if (args.release) {
    // An older release closes the budget at the end of runImport without uploading it.
    await api.loadBudget(local.id);
    const upload = await api.internal.send('upload-budget');
    if (upload && upload.error) throw new Error(`upload-budget failed: ${JSON.stringify(upload.error)}`);
  }
  if (args.encryptPassword) {
    await api.loadBudget(local.id);
    const res = await lib.send('key-make', { password: args.encryptPassword });
    if (res && res.error) throw new Error(`key-make failed: ${JSON.stringify(res.error)}`);
  }
  const after = await findLocal((b) => b.id === local.id && b.groupId && (!args.encryptPassword || b.encryptKeyId));
  await api.shutdown();
  return { id: local.id, syncId: after.groupId, cloudFileId: after.cloudFileId };
}

// Changes that reach the server only as sync messages.
async function changeBudget() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const accounts = await api.getAccounts();
  const newAccount = await api.createAccount({ name: `Added ${Date.now()}`, offbudget: false }, 0);
  const txns = [];
  for (let i = 0; i < (args.newTransactions ?? 10); i++) {
    txns.push({ date: day(i + 7), amount: -(i + 1) * 101, payee_name: `New payee ${i % 7}`, notes: `added ${i}` });
  }
  await api.addTransactions(newAccount, txns);
  const existing = await api.getTransactions(accounts[0].id, ...ALL_DATES);
  const edits = Math.min(args.edits ?? 3, existing.length);
  for (let i = 0; i < edits; i++) {
    await api.updateTransaction(existing[i].id, { notes: `edited ${i}`, amount: existing[i].amount - 1 });
  }
  for (let i = edits; i < Math.min(edits + (args.deletes ?? 2), existing.length); i++) {
    await api.deleteTransaction(existing[i].id);
  }
  await api.updateAccount(accounts[0].id, { name: `${accounts[0].name} renamed` });
  await api.sync();
  await api.shutdown();
  return { ok: true };
}

// A sync the client scheduled itself (after a batch of changes) can race this one and
// make it fail (network-failure; 24.10.1 reports an unknown error); a retry sends
// whatever is still pending.
async function syncRetrying() {
  for (let attempt = 1; ; attempt++) {
    try {
      await api.sync();
      return;
    } catch (err) {
      if (attempt >= 5) {
        // The API's message hides the cause: ask the handler behind it.
        const res = await api.internal.send('sync-budget').catch((e) => ({ error: String(e) }));
        const prefs = await api.internal.send('load-prefs').catch((e) => String(e));
        throw new Error(`${err && err.message} (sync-budget: ${JSON.stringify(res && res.error)}; prefs ${JSON.stringify(prefs)})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

async function readBudget(budgetId) {
  const accounts = await api.getAccounts();
  const transactions = [];
  for (const account of accounts) {
    for (const t of await api.getTransactions(account.id, ...ALL_DATES)) {
      transactions.push({ id: t.id, account: t.account, date: t.date, amount: t.amount, notes: t.notes ?? null, payee: t.payee ?? null });
    }
  }
  transactions.sort((x, y) => (x.id < y.id ? -1 : 1));
  return {
    budgetId,
    accounts: accounts.map((a) => ({ id: a.id, name: a.name })).sort((x, y) => (x.id < y.id ? -1 : 1)),
    transactions,
  };
}

// Opens a folder offline (no server) and reads it.
async function openLocal() {
  await api.init({ dataDir: args.dataDir });
  await api.loadBudget(args.budgetId);
  const data = await readBudget(args.budgetId);
  await api.shutdown();
  return data;
}

// Downloads with the official client and reads what it got.
async function download() {
  const credential = args.sessionToken ? { sessionToken: args.sessionToken } : { password: args.password };
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, ...credential });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const local = await findLocal((b) => b.groupId === args.syncId);
  const data = await readBudget(local.id);
  await api.shutdown();
  return data;
}

// exportBudget() of a downloaded budget, into args.zipPath.
async function exportZip() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  fs.writeFileSync(args.zipPath, await api.exportBudget());
  await api.shutdown();
}

// importBudget(args.zipPath), then every read, metadata.json, and the server's files.
async function importAndRead() {
  const { importedAndRead } = require('./read-calls.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const out = await importedAndRead(api, args);
  await api.shutdown();
  return out;
}

// runImport with import-script.js's callback, and what follows it (see there).
async function runImport() {
  const { importAndInspect } = require('./import-script.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const out = await importAndInspect(api, args);
  await api.shutdown();
  return out;
}

// getBudgets() before and after downloading a plain and an encrypted budget.
async function budgetsList() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const before = await api.getBudgets();
  await api.downloadBudget(args.syncId);
  await api.downloadBudget(args.encryptedSyncId, { password: args.encryptPassword });
  for (const syncId of [args.syncId, args.encryptedSyncId]) await findLocal((b) => b.groupId === syncId);
  const after = await api.getBudgets();
  await api.shutdown();
  return { before, after };
}

// Opens a folder we wrote, syncs on from it with the official client, and reads it.
async function syncLocal() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const data = await readBudget(args.budgetId);
  await api.shutdown();
  return data;
}

// Turns on end-to-end encryption for an existing budget; that resets its sync (new
// sync id, new key). Returns the new sync id.
async function enableEncryption() {
  const lib = await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId);
  const local = await findLocal((b) => b.groupId === args.syncId);
  const res = await lib.send('key-make', { password: args.encryptPassword });
  if (res && res.error) throw new Error(`key-make failed: ${JSON.stringify(res.error)}`);
  const after = await findLocal((b) => b.id === local.id && b.encryptKeyId && b.groupId !== args.syncId);
  await api.shutdown();
  return { syncId: after.groupId };
}

// Thousands of changes at once (for the benchmark): new transactions in a new account,
// edits and deletes of existing ones, inside one batchBudgetUpdates, then synced up.
async function bulkChanges() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const accounts = await api.getAccounts();
  const existing = await api.getTransactions(accounts[0].id, ...ALL_DATES);
  const edits = Math.min(args.edits ?? 0, existing.length);
  const deletes = Math.min(args.deletes ?? 0, existing.length - edits);
  await api.batchBudgetUpdates(async () => {
    const account = await api.createAccount({ name: `Bench added ${Date.now()}`, offbudget: false }, 0);
    const txns = [];
    for (let i = 0; i < (args.newTransactions ?? 0); i++) {
      txns.push({ date: day(i + 3), amount: -(i + 1) * 7, payee_name: `Bench payee ${i % 40}`, notes: `bench ${i}` });
    }
    for (let i = 0; i < txns.length; i += 5000) {
      await api.addTransactions(account, txns.slice(i, i + 5000));
    }
    for (let i = 0; i < edits; i++) {
      await api.updateTransaction(existing[i].id, { notes: `bench edit ${i}`, amount: existing[i].amount - 1 });
    }
    for (let i = edits; i < edits + deletes; i++) {
      await api.deleteTransaction(existing[i].id);
    }
  });
  await syncRetrying();
  await api.shutdown();
  return { newTransactions: args.newTransactions ?? 0, edits, deletes };
}

// A realistic budget (see realistic-budget.js): built in import mode, uploaded,
// optionally encrypted, then changed with a syncing session.
async function buildRealistic() {
  const { populate, changeAfterUpload } = require('./realistic-budget.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.runImport(args.name, () => populate(api, { budgetType: args.budgetType, withRules: args.withRules !== false, withUnrunnableRules: args.withUnrunnableRules !== false }));
  const lib = await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const local = await findLocal((b) => b.name === args.name);
  if (args.encryptPassword) {
    await api.loadBudget(local.id);
    const res = await lib.send('key-make', { password: args.encryptPassword });
    if (res && res.error) throw new Error(`key-make failed: ${JSON.stringify(res.error)}`);
  }
  const uploaded = await findLocal((b) => b.id === local.id && b.groupId && (!args.encryptPassword || b.encryptKeyId));
  await api.shutdown();
  await api.init({ dataDir: args.changeDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(uploaded.groupId, { password: args.encryptPassword });
  await changeAfterUpload(api, { budgetType: args.budgetType, withRules: args.withRules !== false });
  await api.sync();
  await api.shutdown();
  return { id: local.id, syncId: uploaded.groupId, cloudFileId: uploaded.cloudFileId };
}

// Downloads with the official client and runs every read (read-calls.js).
async function readAll() {
  const { readEverything } = require('./read-calls.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const out = await readEverything(api, { months: args.months });
  await api.shutdown();
  // args.dbRows: { label: sql } run on the db.sqlite the download left.
  if (args.dbRows) {
    const Database = require('better-sqlite3');
    const path = require('node:path');
    const dir = fs.readdirSync(args.dataDir).find((d) => fs.existsSync(path.join(args.dataDir, d, 'db.sqlite')));
    const db = new Database(path.join(args.dataDir, dir, 'db.sqlite'), { readonly: true });
    for (const [label, sql] of Object.entries(args.dbRows)) out[`db: ${label}`] = db.prepare(sql).all();
    db.close();
  }
  return out;
}

// Downloads and runs the bank-import script (write-script.js), then syncs and closes.
async function script() {
  const { bankImport } = require('./write-script.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const out = await bankImport(api);
  // A long script leaves the pooled connection idle past the server's keep-alive, and
  // the first POST on it can fail with network-failure: sync once more if it does.
  await api.sync().catch((err) => {
    if (err && err.code === 'network-failure') return api.sync();
    throw err;
  });
  await api.shutdown();
  return out;
}

// Downloads and runs the schedule writes (schedule-script.js), then syncs and closes.
async function schedules() {
  const { scheduleWrites } = require('./schedule-script.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const out = await scheduleWrites(api);
  await api.sync();
  await api.shutdown();
  return out;
}

// Downloads, completes a paid one-off schedule (schedule-script.js), syncs and closes.
async function scheduleSetup() {
  const { completedSchedule } = require('./schedule-script.js');
  const { dayOffset } = require('./realistic-budget.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId);
  await completedSchedule(api, dayOffset);
  await api.sync();
  await api.shutdown();
  return null;
}

// Downloads and runs the schedule updates (schedule-script.js), then syncs and closes.
async function scheduleUpdates() {
  const { scheduleUpdates: run } = require('./schedule-script.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId);
  const out = await run(api);
  await api.sync();
  await api.shutdown();
  return out;
}

// Downloads and runs one AQL query (args.query: a serialised query state).
async function query() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const { data } = await api.aqlQuery({ serialize: () => args.query });
  await api.shutdown();
  return data;
}

// A budget full of rules (rules-engine.js), built in import mode and uploaded.
async function buildRulesBudget() {
  const { buildRulesBudget: populate } = require('./rules-engine.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  // With args.rules, a budget with those rules only.
  await api.runImport(args.name, async () => {
    if (!args.rules) return populate(api);
    for (const rule of args.rules) await api.createRule(rule);
  });
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const uploaded = await findLocal((b) => b.name === args.name && b.groupId);
  await api.shutdown();
  return { id: uploaded.id, syncId: uploaded.groupId, cloudFileId: uploaded.cloudFileId };
}

// Runs rules-engine.js's transactions (or args.transactions) one by one through upstream's rules engine
// (the `rules-run` handler); answers them, the results and every payee after (with args.listOnly, only the
// transactions, and nothing is written).
async function rulesRun() {
  const { ruleTransactions } = require('./rules-engine.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId);
  const transactions = args.transactions ?? (await ruleTransactions(api));
  if (args.listOnly) {
    await api.shutdown();
    return { transactions };
  }
  const payeesBefore = (await api.getPayees()).map((p) => p.id);
  const results = [];
  for (const transaction of transactions) {
    try {
      results.push({ ok: await api.internal.send('rules-run', { transaction }) });
    } catch (err) {
      results.push({ error: { message: err && err.message } });
    }
  }
  const payees = await api.getPayees();
  await api.shutdown();
  return { transactions, results, payeesBefore, payees: payees.map((p) => ({ id: p.id, name: p.name })) };
}

// Downloads, imports args.file into the account named args.account, syncs and closes.
async function importFile() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const account = await api.getIDByName('accounts', args.account);
  const result = await api.importTransactions(account, args.file);
  await api.sync();
  await api.shutdown();
  return { errors: result.errors, added: result.added.length, updated: result.updated.length };
}

// A budget made by an older release (args.release; old-release-budget.js), built in
// import mode and uploaded, optionally encrypted. Older releases close the budget at the
// end of runImport, and their upload there can fail silently: when the budget has no
// sync id a few seconds later, it is loaded again and uploaded.
async function buildOldRelease() {
  const { populateOld } = require('./old-release-budget.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  let caps;
  await api.runImport(args.name, async () => {
    caps = await populateOld(api, { budgetType: args.budgetType });
  });
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const local = await findLocal((b) => b.name === args.name);
  const synced = await findLocal((b) => b.id === local.id && b.groupId).catch(() => null);
  await api.loadBudget(local.id);
  // Uploaded once more (a second upload when runImport's went through): the snapshot's
  // metadata.json then carries the budget's sync ids, as a budget's does after its
  // first upload. A download by 24.10.1 that loads the snapshot's metadata instead of
  // its own (see changeOldRelease) stays synced then.
  const upload = await api.internal.send('upload-budget');
  if (upload && upload.error) throw new Error(`upload-budget failed (after ${synced ? 'an upload' : 'none'}): ${JSON.stringify(upload.error)}`);
  if (args.encryptPassword) {
    const res = await api.internal.send('key-make', { password: args.encryptPassword });
    if (res && res.error) throw new Error(`key-make failed: ${JSON.stringify(res.error)}`);
  }
  const uploaded = await findLocal((b) => b.id === local.id && b.groupId && (!args.encryptPassword || b.encryptKeyId));
  await api.shutdown();
  return { id: local.id, syncId: uploaded.groupId, cloudFileId: uploaded.cloudFileId, migrations: caps.migrations, caps: { ...caps, migrations: undefined } };
}

// The same release, in a syncing session of its own: changes after the upload, which
// reach the server only as sync messages (old-release-budget.js).
async function changeOldRelease() {
  const { changeOldAfterUpload } = require('./old-release-budget.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  // 24.10.1 sometimes loads the budget with the snapshot's own metadata instead of the
  // one its download wrote (no cloudFileId: every sync then fails with "invalid fileId").
  // Nothing was changed yet: say so, and the caller runs this session again.
  const prefs = await api.internal.send('load-prefs');
  if (!prefs || !prefs.cloudFileId) throw Object.assign(new Error(`the download lost its sync ids: ${JSON.stringify(prefs)}`), { code: 'lost-sync-ids' });
  await changeOldAfterUpload(api, { budgetType: args.budgetType });
  await syncRetrying();
  await api.shutdown();
  return { ok: true };
}

// Downloads, adds merge-script.js's candidates, syncs and closes.
async function mergeCandidates() {
  const { addCandidates } = require('./merge-script.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId);
  await addCandidates(api);
  await api.sync();
  await api.shutdown();
  return { ok: true };
}

// With 26.9.0: downloads (migrating an older budget as it loads), puts an account in a
// new account group (columns and a table older releases do not have), syncs.
async function addAccountGroup() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  const group = await api.createAccountGroup({ name: args.groupName });
  const account = (await api.getAccounts()).find((a) => a.name === args.account);
  await api.updateAccount(account.id, { account_group_id: group });
  await api.sync();
  await api.shutdown();
  return { group, account: account.id };
}

// Downloads and runs merge-script.js's calls with 26.10's handler bodies, then syncs.
async function mergeAndSet() {
  const { mergeAndSet: run, upstreamCalls } = require('./merge-script.js');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId);
  const out = await run(upstreamCalls(api), api);
  await api.sync();
  await api.shutdown();
  return out;
}

// Runs steps.js's steps with the real client (the same steps native-steps.js runs with
// ours), then syncs and closes.
async function steps() {
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  const answers = await require('./steps.js').runSteps(api, args.steps);
  await api.shutdown();
  return answers;
}

// Links accounts to the fake SimpleFIN bridge (fake-simplefin.js) as the app does: lists
// the bridge's accounts through the server (`simplefin-accounts`). Each of args.links
// ({ external, create, account, source }: the bridge's account id; a new account of
// that name to link; or the name of the budget's account to link; the provider,
// SimpleFIN unless given; prefs: the account's bank-sync preferences, by name without
// the account id): without `create` and
// `account`, `simplefin-accounts-link` makes a new account and downloads its
// transactions; otherwise the link (account_id, bank, account_sync_source) is set on
// the account without a download, for runBankSync to make the first. With args.upload
// the budget's file is uploaded again afterwards.
async function linkSimpleFin() {
  const lib = await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId);
  const listed = await lib.send('simplefin-accounts');
  const external = listed?.accounts ?? listed?.data?.accounts;
  if (!external) throw new Error(`simplefin-accounts answered ${JSON.stringify(listed)}`);
  for (const link of args.links) {
    const a = external.find((x) => x.id === link.external) ?? { id: link.external, name: link.external, org: external[0].org, balance: '0' };
    if (!link.create && !link.account) {
      const externalAccount = { account_id: a.id, name: a.name, institution: a.org.name, orgDomain: a.org.domain, orgId: a.org.id, balance: a.balance };
      await lib.send('simplefin-accounts-link', { externalAccount, offBudget: false });
      continue;
    }
    const bank = (await lib.send('accounts-get')).find((x) => x.bank)?.bank;
    if (!bank) throw new Error('link one account through simplefin-accounts-link first: it makes the bank');
    await attachAccount(lib, link, a.id, bank, link.source ?? 'simpleFin');
  }
  await syncAndUpload(lib);
}

// A link's provider account set on a new (`create`) or an existing (`account`) account
// of the budget, with `bank`, and the link's bank-sync preferences: linked, not yet
// downloaded (runBankSync makes its first download).
async function attachAccount(lib, link, externalId, bank, source) {
  const id = link.create ? await api.createAccount({ name: link.create }) : (await api.getAccounts()).find((x) => x.name === link.account).id;
  await api.updateAccount(id, { account_id: externalId, bank, account_sync_source: source });
  for (const [name, value] of Object.entries(link.prefs ?? {})) await lib.send('preferences/save', { id: `${name}-${id}`, value });
}

async function syncAndUpload(lib) {
  await api.sync();
  // args.upload: a new snapshot, so that twins made from the file hold the links.
  if (args.upload) {
    const upload = await lib.send('upload-budget');
    if (upload && upload.error) throw new Error(`upload-budget failed: ${JSON.stringify(upload.error)}`);
  }
  await api.shutdown();
}

// Links accounts to GoCardless, Enable Banking and Akahu (the fakes of fake-banks.js)
// as the app does: the provider's accounts listed through the server (GoCardless: the
// linked requisition's, as gocardless-poll-web-token answers once the bank's page is
// done; Enable Banking: enablebanking-complete-auth's session; Akahu: akahu-accounts),
// then linked by the provider's handler, which makes the first download. A link with
// `create` or `account` is attached instead (attachAccount) with the bank the
// handler made for that provider.
async function linkBanks() {
  const lib = await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  await api.downloadBudget(args.syncId);
  const list = {
    goCardless: async () => {
      const polled = await lib.send('gocardless-poll-web-token', { requisitionId: args.requisitionId });
      if (!polled?.data) throw new Error(`gocardless-poll-web-token answered ${JSON.stringify(polled)}`);
      return polled.data.accounts.map((account) => ({ id: account.account_id, link: { requisitionId: args.requisitionId, account } }));
    },
    enableBanking: async () => {
      const session = await lib.send('enablebanking-complete-auth', { code: 'fake-code', state: 'fake-state' });
      if (!session?.accounts) throw new Error(`enablebanking-complete-auth answered ${JSON.stringify(session)}`);
      return session.accounts.map((externalAccount) => ({ id: externalAccount.account_id, link: { externalAccount } }));
    },
    akahu: async () => {
      const listed = await lib.send('akahu-accounts');
      if (!listed?.accounts) throw new Error(`akahu-accounts answered ${JSON.stringify(listed)}`);
      return listed.accounts.map((a) => ({
        id: a._id,
        link: { externalAccount: { account_id: a._id, name: a.name, institution: a.connection?.name, orgDomain: null, orgId: a.connection?._id, balance: a.balance?.current } },
      }));
    },
  };
  const handler = { goCardless: 'gocardless-accounts-link', enableBanking: 'enablebanking-accounts-link', akahu: 'akahu-accounts-link' };
  for (const link of args.links) {
    const external = (await list[link.source]()).find((x) => x.id === link.external);
    if (!external) throw new Error(`${link.source} does not list ${link.external}`);
    if (!link.create && !link.account) {
      await lib.send(handler[link.source], { ...external.link, offBudget: false });
      continue;
    }
    const bank = (await lib.send('accounts-get')).find((x) => x.account_sync_source === link.source && x.bank)?.bank;
    if (!bank) throw new Error(`link one ${link.source} account through its handler first: it makes the bank`);
    await attachAccount(lib, link, external.id, bank, link.source);
  }
  await syncAndUpload(lib);
}

const ops = { steps, linkSimpleFin, linkBanks, runImport, exportZip, importAndRead, budgetsList, buildOldRelease, changeOldRelease, addAccountGroup, mergeCandidates, mergeAndSet, buildRulesBudget, rulesRun, buildRealistic, readAll, script, schedules, scheduleSetup, scheduleUpdates, query, importFile, createBudget, changeBudget, bulkChanges, openLocal, download, syncLocal, enableEncryption };

ops[args.op]()
  .then((result) => {
    fs.writeFileSync(args.resultFile, JSON.stringify({ ok: true, result }));
    process.exit(0);
  })
  .catch((err) => {
    fs.writeFileSync(args.resultFile, JSON.stringify({ ok: false, error: String(err && err.stack ? err.stack : err), code: err && err.code }));
    process.exit(1);
  });
