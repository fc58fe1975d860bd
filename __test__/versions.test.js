'use strict';
// Budgets made by older Actual releases, with the real releases (package.json installs
// them under npm aliases): each release makes a realistic budget on a real server
// (old-release-budget.js: import mode, uploaded, then changed by a second session of the
// same release, so sync messages sit on top of the old file). Then the real 26.9.0
// client downloads it (and migrates it as it loads it) and this package downloads it
// in its own process with @actual-app/api unresolvable (native-steps.js): the two
// db.sqlite files must be the same table by table, every read the same, and a write of
// ours must reach the real client. Also: one budget through the older sync-server
// releases (25.6.0, 26.8.1), and a 26.8.1 budget whose messages 26.9.0 wrote (account
// groups, which 26.8.1 has no columns for).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');

const h = require('./helpers/harness.js');
const { dayOffset } = require('./helpers/realistic-budget.js');

const KEY_PASSWORD = 'versions-test-key-password';
// Migrations each release applies (26.9.0 has 59), measured with these releases.
const RELEASES = [
  { alias: 'api-24-10', version: '24.10.1', migrations: 36, budgetType: 'envelope' },
  { alias: 'api-25-3', version: '25.3.1', migrations: 41, budgetType: 'tracking' },
  { alias: 'api-25-9', version: '25.9.0', migrations: 46, budgetType: 'envelope', encrypted: true },
  { alias: 'api-26-1', version: '26.1.0', migrations: 49, budgetType: 'tracking' },
  { alias: 'api-26-5', version: '26.5.2', migrations: 52, budgetType: 'envelope' },
  { alias: 'api-26-8', version: '26.8.1', migrations: 57, budgetType: 'tracking' },
];
const SERVER_RELEASES = [
  { alias: 'sync-server-25-6', version: '25.6.0' },
  { alias: 'sync-server-26-8', version: '26.8.1' },
];
const CURRENT_MIGRATIONS = fs.readdirSync(path.join(h.ROOT, 'node_modules/@actual-app/core/migrations')).filter((f) => /^\d+_.*\.(sql|js)$/.test(f)).length;

let server; // sync-server 26.9.0
const olderServers = {};
const budgets = {}; // by release alias, on `server`
const onOlderServers = {}; // 24.10.1's budget, by server alias
let groupsBudget; // made by 26.8.1, then changed by 26.9.0

// At most `limit` at once (2 cores; several clients logging in to one server at the
// same moment can make logins fail and trip the server's limit on failed logins).
async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

test.before(async () => {
  // allSettled: the servers that did start are stopped by test.after even if one did not.
  const started = await Promise.allSettled([h.startServer(), ...SERVER_RELEASES.map((s) => h.startServer({ bin: h.serverRelease(s.alias) }))]);
  [server, olderServers['sync-server-25-6'], olderServers['sync-server-26-8']] = started.map((s) => s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const jobs = [
    ...RELEASES.map((r) => async () => {
      budgets[r.alias] = await h.createOldReleaseBudget(server, { release: r.alias, name: `Made by ${r.version}`, budgetType: r.budgetType, encryptPassword: r.encrypted ? KEY_PASSWORD : undefined });
    }),
    ...SERVER_RELEASES.map((s) => async () => {
      onOlderServers[s.alias] = await h.createOldReleaseBudget(olderServers[s.alias], { release: 'api-24-10', name: `On server ${s.version}` });
    }),
    async () => {
      groupsBudget = await h.createOldReleaseBudget(server, { release: 'api-26-8', name: 'Grouped by 26.9.0', budgetType: 'envelope' });
      await h.runWorker({ op: 'addAccountGroup', dataDir: h.tempDir('actual-upstream-'), serverURL: server.url, password: server.password, syncId: groupsBudget.syncId, groupName: 'Everyday', account: 'Checking' });
    },
  ];
  await pool(jobs, 2, (job) => job());
});

test.after(async () => {
  await Promise.all([server?.stop(), ...Object.values(olderServers).map((s) => s?.stop())]);
});

// ---- Comparing two db.sqlite files ------------------------------------------------

/**
 * dumpBudgetDb (which already leaves out the kvcache tables, messages_crdt's local row
 * id and the clock's timestamp: local state) with what a migration generates at random:
 * 1765518577215_multiple_dashboards.js creates the 'Main' dashboard page under a fresh
 * uuid v4 (a local row, never synced) and points every existing widget at it, so the
 * page is compared without its id and a widget's dashboard_page_id by the page's name.
 * Two downloads by 26.9.0 itself differ in exactly these (the first test checks it).
 */
function comparableDump(dbPath) {
  const dump = h.dumpBudgetDb(dbPath);
  if (!dump.dashboard_pages) return dump;
  const pages = new Map(dump.dashboard_pages.map((r) => JSON.parse(r)).map((p) => [p.id, p.name]));
  const sortedJson = (rows) => rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  dump.dashboard_pages = sortedJson(dump.dashboard_pages.map((r) => JSON.parse(r)).map(({ id, ...page }) => page));
  dump.dashboard = sortedJson(
    dump.dashboard.map((r) => JSON.parse(r)).map((w) => ({ ...w, dashboard_page_id: w.dashboard_page_id == null ? null : `page:${pages.get(w.dashboard_page_id) ?? w.dashboard_page_id}` })),
  );
  return dump;
}

function assertSameDbs(oursPath, theirsPath) {
  const ours = comparableDump(oursPath);
  const theirs = comparableDump(theirsPath);
  assert.deepEqual(Object.keys(ours), Object.keys(theirs), 'the same tables');
  for (const table of Object.keys(theirs)) {
    assert.deepEqual(columns(oursPath, table), columns(theirsPath, table), `the same columns in ${table}`);
    assert.deepEqual(ours[table], theirs[table], `table ${table} differs`);
  }
  return theirs;
}

function columns(dbPath, table) {
  const Database = require('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(`PRAGMA table_info("${table}")`).all().map((c) => `${c.name} ${c.type} ${c.notnull} ${c.dflt_value} ${c.pk}`);
  } finally {
    db.close();
  }
}

// Key order matters to scripts that print or hash answers: compared too.
function keyOrder(value) {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
  return value;
}

function readDifferences(theirs, ours) {
  const keys = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])];
  const diffs = keys.filter((key) => !isDeepStrictEqual(keyOrder(theirs[key]), keyOrder(ours[key])));
  const report = diffs
    .slice(0, 6)
    .map((key) => `${key}\n  upstream: ${JSON.stringify(theirs[key])?.slice(0, 1200)}\n  ours:     ${JSON.stringify(ours[key])?.slice(0, 1200)}`)
    .join('\n');
  return { diffs, report };
}

// ---- The two downloads ------------------------------------------------------------

/**
 * 26.9.0 downloads `budget` and runs every read (actual-worker.js readAll); this package
 * downloads it in its own process with @actual-app/api unresolvable and runs the same
 * reads (native-steps.js). Both at once; each side's dataDir is kept for the dumps.
 */
async function downloadBoth(srv, budget, { encryptPassword, reads = true } = {}) {
  const theirsDir = h.tempDir('actual-upstream-');
  const oursDir = h.tempDir('actual-versions-ours-');
  const common = { serverURL: srv.url, password: srv.password };
  const steps = [{ label: 'download', call: 'downloadBudget', args: [budget.syncId, { password: encryptPassword }] }];
  if (reads) steps.push({ label: 'reads', call: 'readEverything' });
  const [theirs, ours] = await Promise.allSettled([
    h.runWorker({ op: reads ? 'readAll' : 'download', dataDir: theirsDir, syncId: budget.syncId, encryptPassword, ...common }),
    h.runNative('native-steps.js', { dataDir: oursDir, ...common, steps }),
  ]);
  if (theirs.status === 'rejected') throw theirs.reason;
  return {
    theirs: { answers: theirs.value, dir: path.join(theirsDir, budget.id) },
    ours: ours.status === 'fulfilled' ? { ...ours.value, dir: path.join(oursDir, budget.id), dataDir: oursDir } : { failed: ours.reason },
  };
}

// One pair of downloads per budget, shared by the tests below.
const downloads = new Map();
function both(key, srv, budget, options) {
  if (!downloads.has(key)) downloads.set(key, downloadBoth(srv, budget, options));
  return downloads.get(key);
}

/** Our download's outcome, or a failed assertion that says why it did not happen. */
function oursDownloaded(run) {
  assert.ok(!run.ours.failed, `our process failed: ${run.ours.failed?.message}`);
  const download = run.ours.answers.download;
  assert.ok(download.ok, `our download failed: ${JSON.stringify(download.error)}`);
  assert.deepEqual(run.ours.loaded, [], 'no @actual-app module was loaded');
  return download.ok;
}

async function fileOwner(srv, budget) {
  const res = await fetch(`${srv.url}/sync/list-user-files`, { headers: { 'x-actual-token': srv.sessionToken } });
  return (await res.json()).data.find((f) => f.fileId === budget.cloudFileId).owner;
}

function migrationIds(dbPath) {
  const Database = require('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT id FROM __migrations__ ORDER BY id').all().map((r) => r.id);
  } finally {
    db.close();
  }
}

// ---- Tests --------------------------------------------------------------------------

test('the comparison: two downloads by 26.9.0 of a 24.10.1 budget differ only in what comparableDump leaves out', async () => {
  const budget = budgets['api-24-10'];
  const run = await both('api-24-10', server, budget);
  const again = h.tempDir('actual-upstream-');
  await h.runWorker({ op: 'download', dataDir: again, serverURL: server.url, password: server.password, syncId: budget.syncId });
  const first = path.join(run.theirs.dir, 'db.sqlite');
  const second = path.join(again, budget.id, 'db.sqlite');
  assert.deepEqual(comparableDump(first), comparableDump(second));
  // ...and what it leaves out does differ (else it would not need leaving out).
  const raw = [h.dumpBudgetDb(first), h.dumpBudgetDb(second)];
  assert.notDeepEqual(raw[0].dashboard_pages, raw[1].dashboard_pages, 'the Main page has a fresh id on each load');
});

for (const release of RELEASES) {
  const pw = release.encrypted ? KEY_PASSWORD : undefined;
  const run = () => both(release.alias, server, budgets[release.alias], { encryptPassword: pw });
  const label = `${release.version} (${release.budgetType}${release.encrypted ? ', encrypted' : ''})`;

  test(`${label}: made with ${release.migrations} of 26.9.0's migrations; 26.9.0 downloads and migrates it`, async () => {
    const budget = budgets[release.alias];
    assert.equal(budget.migrations.length, release.migrations, `${release.version} applied ${budget.migrations.length} migrations`);
    const { theirs } = await run();
    const ids = migrationIds(path.join(theirs.dir, 'db.sqlite'));
    assert.equal(ids.length, CURRENT_MIGRATIONS, '26.9.0 applied every migration');
    assert.deepEqual(budget.migrations, ids.slice(0, release.migrations), "the release's migrations are a prefix of 26.9.0's");
    const dump = comparableDump(path.join(theirs.dir, 'db.sqlite'));
    assert.ok(dump.account_groups && dump.dashboard_pages, "26.9.0's tables are there");
    assert.ok(dump.messages_crdt.length > 20, 'the messages after the upload were applied');
    const accounts = theirs.answers['getAccounts()'];
    assert.ok(accounts.some((a) => a.name === 'Savings (renamed)'), 'a change after the upload arrived');
    assert.ok(accounts.some((a) => a.name === 'Old account' && a.closed), 'the closed account');
  });

  test(`${label}: ours downloads it into the same db.sqlite as 26.9.0, table by table`, async () => {
    const r = await run();
    const result = oursDownloaded(r);
    assert.equal(result.id, budgets[release.alias].id);
    assertSameDbs(path.join(r.ours.dir, 'db.sqlite'), path.join(r.theirs.dir, 'db.sqlite'));
  });

  test(`${label}: metadata.json after our download has 26.9.0's fields and values`, async () => {
    const r = await run();
    oursDownloaded(r);
    const ours = JSON.parse(fs.readFileSync(path.join(r.ours.dir, 'metadata.json'), 'utf8'));
    const theirs = JSON.parse(fs.readFileSync(path.join(r.theirs.dir, 'metadata.json'), 'utf8'));
    // lastScheduleRun is the day the schedule service last ran after a sync: ours runs
    // it before the download resolves and records it; upstream records it without
    // waiting, after its run in the background, so it may not be in theirs yet.
    const keys = (meta) => Object.keys(meta).filter((k) => k !== 'lastScheduleRun').sort();
    assert.deepEqual(keys(ours), keys(theirs));
    assert.match(ours.lastScheduleRun, /^\d{4}-\d{2}-\d{2}$/);
    if ('lastScheduleRun' in theirs) assert.equal(ours.lastScheduleRun, theirs.lastScheduleRun);
    for (const key of keys(theirs)) {
      // The last sync's timestamp: the wall clock and node of each download.
      if (key === 'lastSyncedTimestamp') assert.match(ours[key], /^\d{4}-\d{2}-\d{2}T.*Z-[0-9A-F]{4}-[0-9a-f]{16}$/);
      // userId: upstream keeps the uploaded snapshot's (the maker's session token, which
      // the release stored there when the budget had none); ours writes the file's
      // owner id, never a token (deliberate, as core.test.js checks).
      else if (key === 'userId') assert.equal(ours.userId, await fileOwner(server, budgets[release.alias]));
      else assert.deepEqual(ours[key], theirs[key], `metadata.json ${key}`);
    }
  });

  test(`${label}: every read answered by ours equals 26.9.0's`, async () => {
    const r = await run();
    oursDownloaded(r);
    const ours = r.ours.answers.reads;
    assert.ok(ours.ok, `our reads failed: ${JSON.stringify(ours.error)}`);
    assert.ok(Object.keys(r.theirs.answers).length > 80, 'the oracle answered');
    const { diffs, report } = readDifferences(r.theirs.answers, ours.ok);
    assert.deepEqual(diffs, [], report);
  });

  test(`${label}: a write by ours reaches 26.9.0`, async () => {
    const r = await run();
    oursDownloaded(r);
    const common = { dataDir: r.ours.dataDir, serverURL: server.url, password: server.password };
    const download = { label: 'download', call: 'downloadBudget', args: [budgets[release.alias].syncId, { password: pw }] };
    const accounts = r.ours.answers.reads.ok['getAccounts()'];
    const checking = accounts.find((a) => a.name === 'Checking').id;
    const edited = r.ours.answers.reads.ok['getTransactions(all accounts)'].find((t) => t.notes === 'salary' && !t.is_child);
    const made = await h.runNative('native-steps.js', { ...common, steps: [download, { label: 'payee', call: 'createPayee', args: [{ name: 'Written by ours' }] }] });
    const payee = made.answers.payee.ok;
    assert.ok(payee, `createPayee: ${JSON.stringify(made.answers.payee.error)}`);
    const wrote = await h.runNative('native-steps.js', {
      ...common,
      steps: [
        download,
        { label: 'add', call: 'addTransactions', args: [checking, [{ date: dayOffset(-1), amount: -3131, payee, notes: 'written by ours' }]] },
        { label: 'update', call: 'updateTransaction', args: [edited.id, { notes: 'salary, edited by ours', amount: 400001 }] },
        { label: 'sync', call: 'sync' },
      ],
    });
    for (const step of ['add', 'update', 'sync']) assert.ok(!wrote.answers[step].error, `${step}: ${JSON.stringify(wrote.answers[step].error)}`);
    const view = await h.runWorker({ op: 'download', dataDir: h.tempDir('actual-upstream-'), serverURL: server.url, password: server.password, syncId: budgets[release.alias].syncId, encryptPassword: pw });
    const added = view.transactions.filter((t) => t.notes === 'written by ours');
    assert.deepEqual(added.map((t) => ({ account: t.account, amount: t.amount, payee: t.payee })), [{ account: checking, amount: -3131, payee }]);
    const after = view.transactions.find((t) => t.id === edited.id);
    assert.deepEqual({ notes: after.notes, amount: after.amount }, { notes: 'salary, edited by ours', amount: 400001 });
  });
}

for (const srv of [...SERVER_RELEASES, { alias: 'sync-server-26-9', version: '26.9.0' }]) {
  test(`sync-server ${srv.version}: a 24.10.1 budget downloads through ours into 26.9.0's db.sqlite`, async () => {
    const [s, budget] = srv.alias === 'sync-server-26-9' ? [server, budgets['api-24-10']] : [olderServers[srv.alias], onOlderServers[srv.alias]];
    const r = await both(`${srv.alias}:api-24-10`, s, budget, { reads: srv.alias === 'sync-server-26-9' });
    oursDownloaded(r);
    const tables = assertSameDbs(path.join(r.ours.dir, 'db.sqlite'), path.join(r.theirs.dir, 'db.sqlite'));
    assert.ok(tables.messages_crdt.length > 20, 'the messages after the upload were applied');
  });
}

test('a 26.8.1 budget whose later messages 26.9.0 wrote (an account group): ours migrates, then applies them', async () => {
  const r = await both('groups', server, groupsBudget, { reads: false });
  oursDownloaded(r);
  const theirs = assertSameDbs(path.join(r.ours.dir, 'db.sqlite'), path.join(r.theirs.dir, 'db.sqlite'));
  const groups = theirs.account_groups.map((g) => JSON.parse(g));
  assert.deepEqual(groups.map((g) => g.name), ['Everyday']);
  const checking = theirs.accounts.map((a) => JSON.parse(a)).find((a) => a.name === 'Checking');
  assert.equal(checking.account_group_id, groups[0].id, "the account's group (a column 26.8.1 does not have) arrived");
  const asked = await h.runNative('native-steps.js', {
    dataDir: h.tempDir('actual-versions-ours-'),
    serverURL: server.url,
    password: server.password,
    steps: [
      { label: 'download', call: 'downloadBudget', args: [groupsBudget.syncId] },
      { label: 'groups', call: 'getAccountGroups' },
    ],
  });
  assert.deepEqual(asked.answers.groups, { ok: [{ id: groups[0].id, name: 'Everyday' }] });
});
