'use strict';
// Budgets touched by a newer Actual (26.10+), which this engine (at 26.9.0's schema)
// must tolerate, as upstream's cross-version contract says (see
// shared/reference/NATIVE-ENGINE.md, "Versions"):
// - unknown applied migrations after ADDITIVE_ONLY_CUTOFF are tolerated when every
//   migration we know is applied; anything else is `out-of-sync-migrations`;
// - a remote message for a table or column the local db lacks, or with a value format we
//   do not know, is recorded (messages_crdt, merkle) and parked in messages_pending (the
//   newest per cell), and the rest of the sync applies;
// - reads answer what we know, writes work and are sent, a local write naming an unknown
//   field fails as upstream's does.
// The budgets are built by the real @actual-app/api 26.9.0 on a real sync-server; their
// stored files are then changed on the server to look as 26.10 left them, and a fake
// "26.10 device" posts messages to /sync/sync encoded with @actual-app/crdt. Ours runs in
// child processes where @actual-app/api cannot be resolved.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const AdmZip = require('adm-zip');
const Database = require('better-sqlite3');

const h = require('./helpers/harness.js');
const { twinBudget } = require('./helpers/twins.js');

const ADDITIVE_ONLY_CUTOFF = 1780606215001;
const MESSAGES_PENDING_MIGRATION = 1788468782000; // 26.10's 1788468782000_add_messages_pending
const FUTURE_ADDITIVE_MIGRATION = 1799000000000; // fictional: gadgets table, transactions.future_col
const BELOW_CUTOFF_MIGRATION = 1600000000000; // unknown and before the cutoff
const DATA_MIGRATION = 1790886768820; // a future 1790886768820_rule_formula_amount_units
const LAST_KNOWN_MIGRATION = 1787013118115; // 26.9.0's last: add_account_groups
const EPOCH = '1970-01-01T00:00:00.000Z-0000-0000000000000000';
const MESSAGES_PENDING_SQL = `CREATE TABLE IF NOT EXISTS messages_pending
  (dataset TEXT NOT NULL, row TEXT NOT NULL, column TEXT NOT NULL, timestamp TEXT NOT NULL, value TEXT NOT NULL,
   PRIMARY KEY (dataset, row, column))`;

let crdt; // @actual-app/crdt (an ES module)
let server;
let base; // the realistic budget as built and synced by 26.9.0, before any change
let before; // every read of @actual-app/api 26.9.0 on it, before the 26.10 changes
let ids; // rows the messages below name
// newer (26.10-shaped: the base itself), future, belowCutoff, knownMissing, dataMigration;
// plain (26.9-shaped, no messages_pending) and oracle (ordinary messages only) are left as built.
const budgets = {};
const sent = {}; // the 26.10 device's messages, by role
let oracle; // @actual-app/api 26.9.0's reads of a twin that got only the ordinary messages
const runs = {}; // ours: the outcome of each run, by name

// ---- the wire -------------------------------------------------------------------------

function envelope({ timestamp, dataset, row, column, value }) {
  const content = crdt.toBinary(crdt.MessageSchema, crdt.create(crdt.MessageSchema, { dataset, row, column, value }));
  return crdt.create(crdt.MessageEnvelopeSchema, { timestamp, isEncrypted: false, content });
}

/** POST /sync/sync for `budget`: sends `messages`, answers { merkle, messages } (decoded). */
async function postSync(budget, { messages = [], since = EPOCH } = {}) {
  const request = crdt.create(crdt.SyncRequestSchema, {
    messages: messages.map(envelope),
    fileId: budget.cloudFileId,
    groupId: budget.syncId,
    since,
  });
  const res = await fetch(`${server.url}/sync/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/actual-sync', 'x-actual-token': server.sessionToken },
    body: crdt.toBinary(crdt.SyncRequestSchema, request),
  });
  if (res.status !== 200) throw new Error(`/sync/sync: ${res.status} ${await res.text()}`);
  const reply = crdt.fromBinary(crdt.SyncResponseSchema, new Uint8Array(await res.arrayBuffer()));
  return {
    merkle: JSON.parse(reply.merkle),
    messages: reply.messages.map((env) => {
      assert.equal(env.isEncrypted, false);
      const m = crdt.fromBinary(crdt.MessageSchema, env.content);
      return { timestamp: env.timestamp, dataset: m.dataset, row: m.row, column: m.column, value: m.value };
    }),
  };
}

/** Every message the server holds for `budget` (asked as a client with an empty merkle would). */
async function serverMessages(budget) {
  return (await postSync(budget)).messages;
}

/** The server's merkle trie for `budget`, sending nothing and asking for nothing old. */
async function serverMerkle(budget) {
  return (await postSync(budget, { since: `${new Date(Date.now() + 60000).toISOString()}-0000-0000000000000000` })).merkle;
}

// ---- the stored file ----------------------------------------------------------------------

/** Rewrites the db.sqlite inside `budget`'s stored file on the server with `edit(db)`. */
function editStoredDb(budget, edit) {
  const file = h.listFiles(server.dataDir).find((f) => path.basename(f) === `file-${budget.cloudFileId}.blob`);
  assert.ok(file, `the server stores ${budget.cloudFileId}`);
  const zip = new AdmZip(fs.readFileSync(file));
  const entries = zip.getEntries();
  const dbEntry = entries.find((e) => path.basename(e.entryName) === 'db.sqlite');
  assert.ok(dbEntry && entries.some((e) => path.basename(e.entryName) === 'metadata.json'), 'a plain (unencrypted) budget zip');
  const dbPath = path.join(h.tempDir('actual-newer-edit-'), 'db.sqlite');
  fs.writeFileSync(dbPath, dbEntry.getData());
  const db = new Database(dbPath);
  try {
    db.transaction(() => edit(db))();
  } finally {
    db.close();
  }
  const out = new AdmZip();
  for (const e of entries) {
    if (e.isDirectory) continue;
    out.addFile(e.entryName, e === dbEntry ? fs.readFileSync(dbPath) : e.getData());
  }
  fs.writeFileSync(file, out.toBuffer());
}

function applyMigration(db, id) {
  db.prepare('INSERT INTO __migrations__ (id) VALUES (?)').run(id);
}

// As 26.10 leaves a budget: its migration applied, its table made.
function as2610(db) {
  const known = db.prepare('SELECT id FROM __migrations__').all().map((r) => r.id);
  assert.equal(known.length, 59, "the snapshot has 26.9.0's 59 migrations");
  assert.ok(known.includes(LAST_KNOWN_MIGRATION));
  db.exec(MESSAGES_PENDING_SQL);
  applyMigration(db, MESSAGES_PENDING_MIGRATION);
}

// A later additive migration on top: a new synced table and a nullable column.
function withFutureMigration(db) {
  as2610(db);
  db.exec('CREATE TABLE gadgets (id TEXT PRIMARY KEY, name TEXT)');
  db.exec('ALTER TABLE transactions ADD COLUMN future_col TEXT');
  applyMigration(db, FUTURE_ADDITIVE_MIGRATION);
}

// ---- the local copies ----------------------------------------------------------------------

function openDb(dbPath) {
  return new Database(dbPath, { readonly: true, fileMustExist: true });
}

function query(dbPath, sql, ...params) {
  const db = openDb(dbPath);
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

function crdtRows(dbPath) {
  return query(dbPath, 'SELECT timestamp, dataset, row, column, value FROM messages_crdt ORDER BY timestamp');
}

function pendingRows(dbPath) {
  return query(dbPath, 'SELECT dataset, row, column, timestamp, value FROM messages_pending ORDER BY dataset, row, column');
}

function columnsOf(dbPath, table) {
  return query(dbPath, `SELECT name FROM pragma_table_info('${table}')`).map((r) => r.name);
}

function tableExists(dbPath, table) {
  return query(dbPath, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", table).length === 1;
}

function clockOf(dbPath) {
  return JSON.parse(query(dbPath, 'SELECT clock FROM messages_clock')[0].clock);
}

function compareCells(a, b) {
  for (const k of ['dataset', 'row', 'column']) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

const key = (m) => JSON.stringify([m.timestamp, m.dataset, m.row, m.column, m.value]);

// ---- ours ------------------------------------------------------------------------------------

/** Runs `steps` with this package in a child process (no @actual-app/api), in `dataDir`. */
async function ours(name, budget, steps, { dataDir = h.tempDir('actual-newer-ours-') } = {}) {
  const out = await h.runNative('native-steps.js', {
    dataDir,
    serverURL: server.url,
    password: server.password,
    steps: [{ label: 'download', call: 'downloadBudget', args: [budget.syncId] }, ...steps],
  });
  assert.deepEqual(out.loaded, [], 'a native-only script loads no @actual-app module');
  const run = { dataDir, answers: out.answers };
  const download = out.answers.download;
  if (download.ok) run.dbPath = path.join(download.ok.path ?? path.join(dataDir, download.ok.id), 'db.sqlite');
  runs[name] = run;
  return run;
}

function okOf(run, label) {
  const answer = run.answers[label];
  assert.ok(answer && 'ok' in answer, `${label}: ${JSON.stringify(answer?.error ?? answer)}`);
  return answer.ok;
}

function assertDownloaded(run) {
  const download = run.answers.download;
  assert.ok(download.ok, `downloadBudget failed: ${JSON.stringify(download.error)}`);
}

// Key order matters to scripts that print or hash answers: compare it too (as reads.test.js).
function keyOrder(value) {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
  return value;
}

function assertSameReads(theirs, mine) {
  const keys = [...new Set([...Object.keys(theirs), ...Object.keys(mine)])];
  const diffs = keys.filter((k) => !isDeepStrictEqual(keyOrder(theirs[k]), keyOrder(mine[k])));
  assert.ok(Object.keys(theirs).length > 100, 'the oracle answered');
  assert.deepEqual(
    diffs,
    [],
    diffs
      .slice(0, 5)
      .map((k) => `${k}\n  upstream: ${JSON.stringify(theirs[k])?.slice(0, 1200)}\n  ours:     ${JSON.stringify(mine[k])?.slice(0, 1200)}`)
      .join('\n'),
  );
}

function localDay(offset = 0) {
  const d = new Date();
  d.setHours(12, 0, 0, 0);
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// ---- fixtures ----------------------------------------------------------------------------------

test.before(async () => {
  crdt = await import('@actual-app/crdt');
  server = await h.startServer();
  // No formula rules: with @actual-app/api out of reach ours would refuse adds.
  base = await h.createRealisticBudget(server, { name: 'Newer Versions', withUnrunnableRules: false });
  before = await h.runWorker({ op: 'readAll', dataDir: h.tempDir('actual-upstream-'), serverURL: server.url, password: server.password, syncId: base.syncId });

  // Rows the 26.10 device's messages name, as 26.9.0 reads them.
  const accounts = before['getAccounts()'];
  const checkingIndex = accounts.findIndex((a) => a.name === 'Checking');
  const checking = accounts[checkingIndex];
  const plain = before[`getTransactions(#${checkingIndex}, all)`].filter((t) => !t.is_parent && !t.is_child && !t.transfer_id && t.notes);
  assert.ok(plain.length >= 3, 'Checking has plain transactions with notes');
  const payee = before['getPayees()'].find((p) => !p.transfer_acct && p.name === 'Employer') ?? before['getPayees()'].find((p) => !p.transfer_acct);
  ids = {
    checking: checking.id,
    payee: payee.id,
    payeeName: payee.name,
    txnFuture: plain[0].id, // gets a future_col value
    txnBool: plain[1].id, // gets notes = B:true
    txnBoolNotes: plain[1].notes,
    txnWrite: plain[2].id, // ours edits its notes
    newTxn: crypto.randomUUID(), // made by the 26.10 device
    gadget: crypto.randomUUID(),
  };

  // Twins of the pristine snapshot, each given the messages the base got after its upload.
  const baseMessages = await serverMessages(base);
  assert.ok(baseMessages.length > 20, 'the base budget was changed after its upload');
  for (const [name, label] of [
    ['oracle', 'Newer Oracle'],
    ['plain', 'Newer Plain 26.9'],
    ['future', 'Newer Future'],
    ['belowCutoff', 'Newer Below Cutoff'],
    ['knownMissing', 'Newer Known Missing'],
    ['dataMigration', 'Newer Data Migration'],
  ]) {
    budgets[name] = await twinBudget(server, base, label);
    await postSync(budgets[name], { messages: baseMessages });
  }
  budgets.newer = base;

  // Stored files as a newer Actual leaves them.
  editStoredDb(budgets.newer, as2610);
  editStoredDb(budgets.future, withFutureMigration);
  editStoredDb(budgets.belowCutoff, (db) => {
    as2610(db);
    applyMigration(db, BELOW_CUTOFF_MIGRATION);
  });
  editStoredDb(budgets.knownMissing, (db) => {
    as2610(db);
    db.prepare('DELETE FROM __migrations__ WHERE id = ?').run(LAST_KNOWN_MIGRATION);
  });
  editStoredDb(budgets.dataMigration, (db) => {
    as2610(db);
    applyMigration(db, DATA_MIGRATION);
  });

  // The 26.10 device: its own clock, so its timestamps are proper HLC timestamps.
  const device = crypto.randomBytes(8).toString('hex');
  crdt.setClock(crdt.makeClock(new crdt.Timestamp(0, 0, device)));
  const msg = (dataset, row, column, value) => ({ timestamp: crdt.Timestamp.send().toString(), dataset, row, column, value });
  const date = Number(localDay(-2).replaceAll('-', ''));
  sent.gadgetFirst = msg('gadgets', ids.gadget, 'name', 'S:first draft');
  sent.rename = msg('payees', ids.payee, 'name', 'S:Renamed on 26.10');
  sent.future = msg('transactions', ids.txnFuture, 'future_col', 'S:from 26.10');
  sent.newTxn = [
    msg('transactions', ids.newTxn, 'acct', `S:${ids.checking}`),
    msg('transactions', ids.newTxn, 'date', `N:${date}`),
    msg('transactions', ids.newTxn, 'amount', 'N:-12345'),
    msg('transactions', ids.newTxn, 'description', `S:${ids.payee}`),
    msg('transactions', ids.newTxn, 'notes', 'S:added on 26.10'),
    msg('transactions', ids.newTxn, 'cleared', 'N:1'),
    msg('transactions', ids.newTxn, 'sort_order', `N:${Date.now()}`),
  ];
  sent.bool = msg('transactions', ids.txnBool, 'notes', 'B:true');
  sent.gadget = msg('gadgets', ids.gadget, 'name', 'S:flux capacitor');
  sent.newTxnFuture = msg('transactions', ids.newTxn, 'future_col', 'S:seven');
  sent.ordinary = [sent.rename, ...sent.newTxn];
  sent.deferred = [sent.gadgetFirst, sent.future, sent.bool, sent.gadget, sent.newTxnFuture];
  sent.all = [sent.gadgetFirst, sent.rename, sent.future, ...sent.newTxn, sent.bool, sent.gadget, sent.newTxnFuture];
  await postSync(budgets.newer, { messages: sent.all });
  await postSync(budgets.future, { messages: sent.all });
  await postSync(budgets.plain, { messages: sent.all });
  await postSync(budgets.oracle, { messages: sent.ordinary });

  oracle = await h.runWorker({ op: 'readAll', dataDir: h.tempDir('actual-upstream-'), serverURL: server.url, password: server.password, syncId: budgets.oracle.syncId });
});

test.after(async () => {
  await server?.stop();
});

// The cells a 26.9 engine must park for budgets.newer: the newest message per cell.
function expectedPending() {
  return [sent.gadget, sent.future, sent.newTxnFuture, sent.bool]
    .map(({ dataset, row, column, timestamp, value }) => ({ dataset, row, column, timestamp, value }))
    .sort((a, b) => compareCells(a, b));
}

// ---- the fixtures are what they claim --------------------------------------------------------------

test('fixtures: the stored files carry the newer migrations and the server holds the 26.10 messages', async () => {
  const held = new Set((await serverMessages(budgets.newer)).map(key));
  for (const m of sent.all) assert.ok(held.has(key(m)), `the server holds ${key(m)}`);
  const oracleHeld = new Set((await serverMessages(budgets.oracle)).map(key));
  for (const m of sent.deferred) assert.ok(!oracleHeld.has(key(m)), 'the oracle twin got only the ordinary messages');
  for (const m of sent.ordinary) assert.ok(oracleHeld.has(key(m)));
  // Older and newer messages for one cell come from one HLC: strictly increasing.
  const stamps = sent.all.map((m) => m.timestamp);
  assert.deepEqual([...stamps].sort(), stamps);
  assert.ok(MESSAGES_PENDING_MIGRATION > ADDITIVE_ONLY_CUTOFF && FUTURE_ADDITIVE_MIGRATION > ADDITIVE_ONLY_CUTOFF && DATA_MIGRATION > ADDITIVE_ONLY_CUTOFF);
  assert.ok(BELOW_CUTOFF_MIGRATION <= ADDITIVE_ONLY_CUTOFF);
  // What 26.9.0 read before the changes and after the ordinary ones differ only as sent.
  assert.equal(oracle['getPayees()'].find((p) => p.id === ids.payee).name, 'Renamed on 26.10');
  assert.equal(before['getPayees()'].find((p) => p.id === ids.payee).name, ids.payeeName);
  const added = oracle['getTransactions(all accounts)'].find((t) => t.id === ids.newTxn);
  assert.equal(added.amount, -12345);
  assert.equal(added.payee, ids.payee);
  assert.equal(added.notes, 'added on 26.10');
});

// A control on the same machinery, which today's engine already handles: the oracle twin
// (26.9-shaped, ordinary messages only) read, synced again and downloaded afresh by ours.
test('control: on the twin with only the ordinary messages, ours reads what 26.9.0 reads and agrees with the server', async () => {
  const run = await ours('control', budgets.oracle, [
    { label: 'reads', call: 'readEverything' },
    { label: 'update notes', call: 'updateTransaction', args: [ids.txnWrite, { notes: 'written by ours (control)' }] },
    { label: 'update unknown field', call: 'updateTransaction', args: [ids.txnWrite, { future_col: 'x' }] },
    { label: 'sync', call: 'sync' },
  ]);
  assertDownloaded(run);
  assertSameReads(oracle, okOf(run, 'reads'));
  assert.match(run.answers['update unknown field'].error?.message ?? '', /^Field "future_col" does not exist on table transactions: /);
  assert.equal(okOf(run, 'sync'), null);
  assert.equal(clockOf(run.dbPath).merkle.hash, (await serverMerkle(budgets.oracle)).hash, 'the merkle tries agree');
  const dump = h.dumpBudgetDb(run.dbPath);
  assertDownloaded(await ours('control again', budgets.oracle, [], { dataDir: run.dataDir }));
  assert.deepEqual(h.dumpBudgetDb(run.dbPath), dump, 'a second sync changes nothing');
  const fresh = await ours('control fresh', budgets.oracle, []);
  assertDownloaded(fresh);
  assert.deepEqual(h.dumpBudgetDb(fresh.dbPath), dump, 'a fresh download makes the same db');
  const all = await serverMessages(budgets.oracle);
  assert.deepEqual(all.map(key).sort(), crdtRows(run.dbPath).map(key).sort());
});

// ---- a 26.10-shaped budget ----------------------------------------------------------------------------

test('26.10 budget: downloads; ordinary messages apply, unknown table, column and value format are parked', async () => {
  const run = await ours('newer', budgets.newer, [
    { label: 'reads', call: 'readEverything' },
    { label: 'update notes', call: 'updateTransaction', args: [ids.txnWrite, { notes: 'written by ours' }] },
    { label: 'add', call: 'addTransactions', args: [ids.checking, [{ date: localDay(-1), amount: -999, payee_name: 'Ours payee', notes: 'added by ours' }]] },
    { label: 'update unknown field', call: 'updateTransaction', args: [ids.txnWrite, { future_col: 'x' }] },
    { label: 'update account unknown field', call: 'updateAccount', args: [ids.checking, { future_col: 'x' }] },
    { label: 'sync', call: 'sync' },
  ]);
  assertDownloaded(run);

  // Reads answer what we know: what 26.9.0 answers on a twin that got only the ordinary messages.
  assertSameReads(oracle, okOf(run, 'reads'));
  const reads = okOf(run, 'reads');
  assert.equal(reads['getPayees()'].find((p) => p.id === ids.payee).name, 'Renamed on 26.10');
  const added = reads['getTransactions(all accounts)'].find((t) => t.id === ids.newTxn);
  assert.equal(added.amount, -12345);
  assert.equal(added.notes, 'added on 26.10');
  assert.equal(reads['getTransactions(all accounts)'].find((t) => t.id === ids.txnBool).notes, ids.txnBoolNotes, 'B:true was not applied');
  for (const t of reads['getTransactions(all accounts)']) assert.ok(!('future_col' in t));

  // The db: every message recorded, the deferred cells parked (newest per cell), the schema untouched.
  const local = crdtRows(run.dbPath);
  const localKeys = new Set(local.map(key));
  for (const m of sent.all) assert.ok(localKeys.has(key(m)), `messages_crdt holds ${key(m)}`);
  assert.deepEqual(pendingRows(run.dbPath), expectedPending());
  assert.ok(!tableExists(run.dbPath, 'gadgets'));
  assert.ok(!columnsOf(run.dbPath, 'transactions').includes('future_col'));
  const migrations = query(run.dbPath, 'SELECT id FROM __migrations__').map((r) => r.id);
  assert.equal(migrations.length, 60);
  assert.ok(migrations.includes(MESSAGES_PENDING_MIGRATION));
  assert.deepEqual(query(run.dbPath, 'SELECT name FROM payees WHERE id = ?', ids.payee), [{ name: 'Renamed on 26.10' }]);
  assert.deepEqual(query(run.dbPath, 'SELECT notes FROM transactions WHERE id = ?', ids.txnBool), [{ notes: ids.txnBoolNotes }]);
  const newRow = query(run.dbPath, 'SELECT acct, amount, description, notes, tombstone FROM transactions WHERE id = ?', ids.newTxn)[0];
  assert.deepEqual(newRow, { acct: ids.checking, amount: -12345, description: ids.payee, notes: 'added on 26.10', tombstone: 0 });

  // Writes work and are sent; a write naming an unknown field fails as upstream's does.
  assert.equal(okOf(run, 'update notes'), null);
  assert.equal(okOf(run, 'add'), 'ok');
  const bad = run.answers['update unknown field'].error;
  assert.ok(bad, 'updateTransaction with an unknown field rejects');
  // @actual-app/api 26.9.0: 'Field "future_col" does not exist on table transactions: {...}' (a plain
  // Error, raised by its schema before any message is made).
  assert.match(bad.message, /^Field "future_col" does not exist on table transactions: /);
  const badAccount = run.answers['update account unknown field'].error;
  assert.ok(badAccount, 'updateAccount with an unknown field rejects');
  // @actual-app/api 26.9.0: 'SyncError: invalid-schema' (reason invalid-schema): the message does not apply.
  assert.match(`${badAccount.code} ${badAccount.message}`, /invalid-schema/);
  assert.equal(okOf(run, 'sync'), null);
  assert.equal(okOf(run, 'shutdown'), null);
  assert.deepEqual(query(run.dbPath, 'SELECT notes FROM transactions WHERE id = ?', ids.txnWrite), [{ notes: 'written by ours' }]);
  assert.ok(!columnsOf(run.dbPath, 'accounts').includes('future_col'));

  // Our writes reached the server.
  const held = new Set((await serverMessages(budgets.newer)).map(key));
  const ownWrites = crdtRows(run.dbPath).filter((m) => !sent.all.some((s) => s.timestamp === m.timestamp) && m.timestamp > sent.all.at(-1).timestamp);
  assert.ok(ownWrites.some((m) => m.row === ids.txnWrite && m.column === 'notes' && m.value === 'S:written by ours'));
  assert.ok(ownWrites.some((m) => m.dataset === 'transactions' && m.column === 'notes' && m.value === 'S:added by ours'));
  assert.ok(!ownWrites.some((m) => m.column === 'future_col'), 'the refused writes made no message');
  for (const m of ownWrites) assert.ok(held.has(key(m)), `the server holds our ${key(m)}`);
});

test('26.10 budget: the clock agrees with the server; a second sync fetches nothing; a fresh download makes the same db', async () => {
  const first = runs.newer;
  assert.ok(first?.dbPath, 'the first download succeeded');
  const dump = h.dumpBudgetDb(first.dbPath);
  const node = clockOf(first.dbPath).timestamp.slice(-16);
  assert.equal(clockOf(first.dbPath).merkle.hash, (await serverMerkle(budgets.newer)).hash, 'the merkle tries agree');

  const again = await ours('newer again', budgets.newer, [], { dataDir: first.dataDir });
  assertDownloaded(again);
  assert.equal(again.dbPath, first.dbPath);
  assert.equal(clockOf(first.dbPath).timestamp.slice(-16), node, 'synced in place, not downloaded afresh');
  assert.deepEqual(h.dumpBudgetDb(first.dbPath), dump, 'nothing was fetched or changed');

  const fresh = await ours('newer fresh', budgets.newer, []);
  assertDownloaded(fresh);
  const freshDump = h.dumpBudgetDb(fresh.dbPath);
  for (const table of Object.keys(dump)) assert.deepEqual(freshDump[table], dump[table], `table ${table} differs`);
  assert.deepEqual(Object.keys(freshDump), Object.keys(dump));
});

test('26.10 budget: a message older than the parked one is recorded and replaces nothing', async () => {
  const first = runs.newer;
  assert.ok(first?.dbPath, 'the first download succeeded');
  const pendingBefore = pendingRows(first.dbPath);
  // Another 26.10 device, whose clock was behind: its messages for the parked cells (and a
  // known cell whose newest message is parked) are older than what the budget has.
  const other = crypto.randomBytes(8).toString('hex');
  // Each its own counter: parked cells sent within one millisecond must not share a timestamp.
  const older = (m, value, counter) => {
    const t = crdt.Timestamp.parse(m.timestamp);
    return { timestamp: new crdt.Timestamp(t.millis() - 1, counter, other).toString(), dataset: m.dataset, row: m.row, column: m.column, value };
  };
  sent.older = [older(sent.gadget, 'S:stale gadget', 0), older(sent.future, 'S:stale future', 1), older(sent.bool, 'S:stale note', 2)];
  for (const m of sent.older) assert.ok(m.timestamp < sent.all.find((s) => s.row === m.row && s.column === m.column && s.value !== 'S:first draft').timestamp);
  await postSync(budgets.newer, { messages: sent.older });

  const run = await ours('newer older', budgets.newer, [], { dataDir: first.dataDir });
  assertDownloaded(run);
  const localKeys = new Set(crdtRows(first.dbPath).map(key));
  for (const m of sent.older) assert.ok(localKeys.has(key(m)), `messages_crdt holds ${key(m)}`);
  assert.deepEqual(pendingRows(first.dbPath), pendingBefore, 'the newer parked values stay');
  assert.deepEqual(pendingRows(first.dbPath), expectedPending());
  assert.deepEqual(query(first.dbPath, 'SELECT notes FROM transactions WHERE id = ?', ids.txnBool), [{ notes: ids.txnBoolNotes }]);
  assert.equal(clockOf(first.dbPath).merkle.hash, (await serverMerkle(budgets.newer)).hash, 'the merkle tries agree');
});

test("26.10 budget: a later client's view: the server holds every message exactly once", async () => {
  const first = runs.newer;
  assert.ok(first?.dbPath, 'the first download succeeded');
  const all = await serverMessages(budgets.newer);
  const timestamps = all.map((m) => m.timestamp);
  assert.equal(new Set(timestamps).size, timestamps.length, 'no timestamp twice');
  // Ours sent nothing twice (each of its writes is one message per cell and time).
  const cells = all.filter((m) => m.timestamp.endsWith(clockOf(first.dbPath).timestamp.slice(-16))).map((m) => JSON.stringify([m.dataset, m.row, m.column, m.value]));
  assert.ok(cells.length > 0, 'ours wrote');
  assert.equal(new Set(cells).size, cells.length, 'none of our writes was sent twice');
  // The server and our copy hold the same messages: the deferred cells a 26.10 client
  // applies, and our writes.
  const local = crdtRows(first.dbPath);
  assert.deepEqual(all.map(key).sort(), local.map(key).sort());
  const held = new Set(all.map(key));
  for (const m of [...sent.all, ...(sent.older || [])]) assert.ok(held.has(key(m)), `the server holds ${key(m)}`);
  assert.ok(all.some((m) => m.row === ids.txnWrite && m.value === 'S:written by ours'));
});

// ---- a later additive migration applied ---------------------------------------------------------------------

test('with a later additive migration applied: its table and column take their messages, B:true is parked', async () => {
  const run = await ours('future', budgets.future, [
    { label: 'reads', call: 'readEverything' },
    { label: 'update unknown field', call: 'updateTransaction', args: [ids.txnWrite, { future_col: 'x' }] },
    { label: 'update notes', call: 'updateTransaction', args: [ids.txnWrite, { notes: 'written by ours (future)' }] },
    { label: 'sync', call: 'sync' },
  ]);
  assertDownloaded(run);
  assertSameReads(oracle, okOf(run, 'reads'));
  const localKeys = new Set(crdtRows(run.dbPath).map(key));
  for (const m of sent.all) assert.ok(localKeys.has(key(m)), `messages_crdt holds ${key(m)}`);
  // The local db has gadgets and transactions.future_col: those messages apply there.
  assert.deepEqual(query(run.dbPath, 'SELECT id, name FROM gadgets'), [{ id: ids.gadget, name: 'flux capacitor' }]);
  assert.deepEqual(query(run.dbPath, 'SELECT future_col FROM transactions WHERE id = ?', ids.txnFuture), [{ future_col: 'from 26.10' }]);
  assert.deepEqual(query(run.dbPath, 'SELECT future_col FROM transactions WHERE id = ?', ids.newTxn), [{ future_col: 'seven' }]);
  const { dataset, row, column, timestamp, value } = sent.bool;
  assert.deepEqual(pendingRows(run.dbPath), [{ dataset, row, column, timestamp, value }]);
  assert.ok(query(run.dbPath, 'SELECT id FROM __migrations__').some((r) => r.id === FUTURE_ADDITIVE_MIGRATION));
  // A local write naming the column fails as upstream's does, though the db has it.
  const bad = run.answers['update unknown field'].error;
  assert.ok(bad, 'updateTransaction with an unknown field rejects');
  assert.match(bad.message, /^Field "future_col" does not exist on table transactions: /);
  assert.equal(okOf(run, 'update notes'), null);
  assert.equal(okOf(run, 'sync'), null);
  const held = new Set((await serverMessages(budgets.future)).map(key));
  const mine = crdtRows(run.dbPath).filter((m) => m.row === ids.txnWrite && m.value === 'S:written by ours (future)');
  assert.equal(mine.length, 1);
  assert.ok(held.has(key(mine[0])), 'the write reached the server');
  assert.equal(clockOf(run.dbPath).merkle.hash, (await serverMerkle(budgets.future)).hash, 'the merkle tries agree');
});

// ---- a 26.9-shaped budget gets 26.10's messages -------------------------------------------------------

test('a budget without messages_pending: the table is made as the first message is parked, no migration recorded', async () => {
  const run = await ours('plain', budgets.plain, [{ label: 'getPayees', call: 'getPayees' }]);
  assertDownloaded(run);
  assert.equal(okOf(run, 'getPayees').find((p) => p.id === ids.payee).name, 'Renamed on 26.10');
  assert.deepEqual(pendingRows(run.dbPath), expectedPending());
  assert.deepEqual(
    query(run.dbPath, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('messages_pending') ORDER BY cid"),
    ['dataset', 'row', 'column', 'timestamp', 'value'].map((name, i) => ({ name, type: 'TEXT', notnull: 1, pk: i < 3 ? i + 1 : 0 })),
  );
  const migrations = query(run.dbPath, 'SELECT id FROM __migrations__').map((r) => r.id);
  assert.equal(migrations.length, 59, 'no migration is recorded for the table');
  const localKeys = new Set(crdtRows(run.dbPath).map(key));
  for (const m of sent.all) assert.ok(localKeys.has(key(m)), `messages_crdt holds ${key(m)}`);
  assert.equal(clockOf(run.dbPath).merkle.hash, (await serverMerkle(budgets.plain)).hash, 'the merkle tries agree');
});

// ---- refused ---------------------------------------------------------------------------------------------------

// Refused as the budget is opened: by downloadBudget (as upstream), or at the latest by the
// first call that reads it; nothing after answers.
async function assertRefused(name, budget) {
  const run = await ours(name, budget, [
    { label: 'getAccounts', call: 'getAccounts' },
    { label: 'getTransactions', call: 'getTransactions', args: [ids.checking, '1995-01-01', '2199-12-31'] },
  ]);
  const { download, getAccounts, getTransactions } = run.answers;
  const refusal = download.error ?? getAccounts.error;
  assert.equal(refusal?.code, 'out-of-sync-migrations', JSON.stringify(run.answers));
  assert.equal(getAccounts.error?.code ?? 'answered', download.error ? getAccounts.error?.code : 'out-of-sync-migrations', JSON.stringify(getAccounts));
  assert.ok(getTransactions.error, JSON.stringify(getTransactions).slice(0, 300));
  return run;
}

test('an unknown migration before the cutoff: out-of-sync-migrations', async () => {
  await assertRefused('below cutoff', budgets.belowCutoff);
});

test('26.10 applied but a known 26.9 migration missing: out-of-sync-migrations', async () => {
  await assertRefused('known missing', budgets.knownMissing);
});

test('upstream 26.9.0 refuses these budgets (they are newer than it)', async () => {
  for (const name of ['newer', 'belowCutoff', 'dataMigration']) {
    const err = await h
      .runWorker({ op: 'download', dataDir: h.tempDir('actual-upstream-'), serverURL: server.url, password: server.password, syncId: budgets[name].syncId })
      .then(() => null, (e) => e);
    assert.ok(err, `26.9.0 downloaded ${name}`);
  }
});

// ---- a data migration that changes meaning -------------------------------------------------------------------

test(`a data migration (${DATA_MIGRATION}) applied: rules are answered right or refused naming it`, async (t) => {
  const run = await ours('data migration', budgets.dataMigration, [
    { label: 'getRules', call: 'getRules' },
    { label: 'getPayeeRules', call: 'getPayeeRules', args: [ids.payee] },
    { label: 'add', call: 'addTransactions', args: [ids.checking, [{ date: localDay(-1), amount: -4321, payee_name: 'Rules payee', notes: 'rules run' }], { runTransfers: true }] },
    { label: 'import', call: 'importTransactions', args: [ids.checking, [{ date: localDay(-1), amount: -2468, payee_name: 'Imported payee', imported_id: 'newer-versions-1' }]] },
  ]);
  assertDownloaded(run);
  const names = (answer) => answer.error && `${answer.error.code} ${answer.error.message}`.includes(String(DATA_MIGRATION));
  const rules = run.answers.getRules;
  assert.ok(names(rules) || isDeepStrictEqual(keyOrder(rules.ok), keyOrder(before['getRules()'])), `getRules: ${JSON.stringify(rules).slice(0, 800)}`);
  for (const label of ['add', 'import']) {
    const answer = run.answers[label];
    assert.ok(names(answer) || 'ok' in answer, `${label}: ${JSON.stringify(answer)}`);
  }
  assert.ok(names(run.answers.add) || run.answers.add.ok === 'ok');
  // Report what this engine does with it (in the test output).
  t.diagnostic(`data migration: getRules ${rules.error ? `refused (${rules.error.code}: ${rules.error.message})` : 'answered'}, add ${run.answers.add.error ? 'refused' : 'done'}, import ${run.answers.import.error ? 'refused' : 'done'}`);
});
