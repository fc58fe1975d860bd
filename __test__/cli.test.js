'use strict';
// Actual's own CLI (@actual-app/cli 26.9.0, bin `actual`) run on this package: every
// command is run as a child process twice — once as installed, on the real
// @actual-app/api, and once with @actual-app/api resolved to this package and the
// official engine unresolvable (helpers/api-is-ours.js, what an npm `overrides` entry
// does) — and the two runs must print the same: stdout byte for byte (JSON parsed first,
// so key order counts; table and CSV too), nothing on stderr, the same exit code. Reads
// share one realistic budget (each side its own data dir, so the CLI's cache is exercised:
// the first command downloads, later ones load the cached copy); writes run on twin
// copies of a second one, and the real client must then read the same from both twins.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');
const { twinBudget, readBack, differences, report } = require('./helpers/twins.js');
const { monthOffset, dayOffset } = require('./helpers/realistic-budget.js');

const CLI = path.join(h.ROOT, 'node_modules/@actual-app/cli/dist/cli.js');
const AS_OURS = path.join(__dirname, 'helpers/api-is-ours.js');
const SIDES = ['upstream', 'ours'];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

let server;
let home; // HOME and working directory of every run: no config file but the tests' own
const reads = {}; // side -> session on the read budget
let writeBudget; // the budget the write twins are copied from

// The environment of a run: the parent's without any ACTUAL_* setting, HOME isolated.
function baseEnv() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ACTUAL_')));
  return { ...env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
}

/** One side's connection: its sync id and data dir, and the ids its runs created. */
function session(side, syncId) {
  return { side, syncId, dataDir: h.tempDir(`actual-cli-${side}-`), ids: {} };
}

/**
 * Runs `actual <args>` for `s.side`; resolves to { code, stdout, stderr, loaded }
 * (loaded: the @actual-app modules our side required, which must be none).
 * Connection settings come from the environment, as the CLI's README shows first.
 */
function runCli(s, args, { input, env = {}, cwd = home } = {}) {
  const ours = s.side === 'ours';
  const loadedFile = ours ? path.join(h.tempDir('actual-cli-loaded-'), 'loaded.json') : null;
  const childEnv = {
    ...baseEnv(),
    ACTUAL_SERVER_URL: server.url,
    ACTUAL_PASSWORD: server.password,
    ACTUAL_SYNC_ID: s.syncId,
    ACTUAL_DATA_DIR: s.dataDir,
    ...(ours ? { ACTUAL_TEST_LOADED_FILE: loadedFile } : {}),
    ...env,
  };
  // An undefined setting is left out (an empty one would still count).
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  const argv = [...(ours ? ['--require', AS_OURS] : []), CLI, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const loaded = loadedFile && fs.existsSync(loadedFile) ? JSON.parse(fs.readFileSync(loadedFile, 'utf8')) : [];
      resolve({ code, stdout, stderr, loaded });
    });
    child.stdin.end(input ?? '');
  });
}

/** A step's stdin for one side (a string, or a function of the side's session). */
function inputOf(step, s) {
  return typeof step.input === 'function' ? step.input(s) : step.input;
}

/** Runs one step on both sides at once; resolves to { upstream, ours }. */
async function both(sessions, step) {
  const run = (s) => runCli(s, step.args(s), { env: step.env, input: inputOf(step, s) });
  const [upstream, ours] = await Promise.all(SIDES.map((side) => run(sessions[side])));
  assert.deepEqual(ours.loaded, [], `${label(step, sessions.upstream)}: no @actual-app module loaded on our side`);
  return { upstream, ours };
}

/** A step's name in messages: its label, or its command line on upstream's side. */
function label(step, s) {
  return step.label ?? step.args(s).join(' ');
}

/**
 * Ids the command generated (in its output, not in its arguments or input) are random on
 * each side: number them in order of appearance, so the rest of the output compares.
 */
function numberNewIds(text, args, input = '') {
  const given = new Set([...args, input].join(' ').match(UUID) ?? []);
  const seen = new Map();
  return text.replace(UUID, (id) => {
    if (given.has(id)) return id;
    if (!seen.has(id)) seen.set(id, `<new id ${seen.size + 1}>`);
    return seen.get(id);
  });
}

/**
 * Succeeded on both sides with the same output. JSON (the default format) must parse;
 * step.newIds numbers generated ids first; step.normalise rewrites what the CLI itself
 * prints from the clock.
 */
function assertSameOutput(step, sessions, r) {
  const name = label(step, sessions.upstream);
  for (const side of SIDES) {
    assert.equal(r[side].code, 0, `${name}: ${side} exit code, stderr: ${r[side].stderr}`);
    assert.equal(r[side].stderr, '', `${name}: ${side} stderr`);
  }
  const shown = (side) => {
    let out = r[side].stdout;
    if (!step.format) JSON.parse(out);
    // Each twin has its sync id, and what earlier steps created an id of its own on each
    // side: name them.
    out = out.replaceAll(sessions[side].syncId, '<sync id>');
    for (const [key, id] of Object.entries(sessions[side].ids)) out = out.replaceAll(id, `<${key}>`);
    if (step.newIds) out = numberNewIds(out, step.args(sessions[side]), inputOf(step, sessions[side]));
    return step.normalise ? step.normalise(out) : out;
  };
  assert.ok(r.upstream.stdout.length > 2, `${name}: upstream printed something`);
  const [ours, theirs] = [shown('ours'), shown('upstream')];
  assert.ok(ours === theirs, `${name}: stdout differs\n${firstDifference(theirs, ours)}`);
}

/** The first differing line of two outputs, with the lines before it. */
function firstDifference(theirs, ours) {
  const [a, b] = [theirs.split('\n'), ours.split('\n')];
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const context = a.slice(Math.max(0, i - 8), i).join('\n');
  return `line ${i + 1}, after:\n${context}\n  upstream: ${a[i]}\n  ours:     ${b[i]}`;
}

/**
 * Failed on both sides, with the CLI's shape: exit code 1, nothing on stdout, and
 * `Error: <message>` on stderr. step.fails says how the message compares:
 * - 'same': byte for byte;
 * - 'api-error': upstream rejects with a plain { type: 'APIError', message } object,
 *   which the CLI prints as JSON; ours is an APIError instance (README "Errors"), which
 *   it prints by its message: the messages must be equal;
 * - 'own-message': sign-in and download errors are our typed errors, with our own
 *   messages (their `code`s are upstream's reasons): the shape only.
 */
function assertSameFailure(step, sessions, r) {
  const name = label(step, sessions.upstream);
  for (const side of SIDES) {
    assert.equal(r[side].code, 1, `${name}: ${side} exit code; stdout ${r[side].stdout}`);
    assert.equal(r[side].stdout, '', `${name}: ${side} stdout`);
    assert.match(r[side].stderr, /^Error: \S[^]*\n$/, `${name}: ${side} stderr`);
  }
  if (step.fails === 'same') assert.equal(r.ours.stderr, r.upstream.stderr, name);
  if (step.fails === 'api-error') {
    const theirs = JSON.parse(r.upstream.stderr.slice('Error: '.length));
    assert.equal(theirs.type, 'APIError', name);
    assert.equal(r.ours.stderr, `Error: ${theirs.message}\n`, name);
  }
}

async function check(sessions, step) {
  const r = await both(sessions, step);
  if (step.fails) assertSameFailure(step, sessions, r);
  else assertSameOutput(step, sessions, r);
  if (step.keep) for (const side of SIDES) step.keep(JSON.parse(r[side].stdout), sessions[side]);
  return r;
}

// `actual sync` and `sync --status` print when the cache was synced, and how long ago:
// the CLI's clock, not the budget.
function withoutSyncTimes(text) {
  return text
    .replace(/"(syncedAt|lastDownloadedAt)": "[^"]+"/g, '"$1": "<time>"')
    .replace(/"ageSeconds": \d+/, '"ageSeconds": "<age>"')
    .replace(/"stale": (true|false)/, '"stale": "<age above the TTL>"');
}

test.before(async () => {
  home = h.tempDir('actual-cli-home-');
  server = await h.startServer();
  // Reads: the fixture's every shape, its template rules included. Writes run rules, and
  // rules with templates are not native (they reject with UnsupportedError): their budget
  // leaves those out.
  const [readBudget, wb] = await Promise.all([
    h.createRealisticBudget(server, { name: 'CLI reads' }),
    h.createRealisticBudget(server, { name: 'CLI writes', withUnrunnableRules: false }),
  ]);
  writeBudget = wb;
  for (const side of SIDES) reads[side] = session(side, readBudget.syncId);
});

test.after(async () => {
  await server?.stop();
});

// What the read steps need to know of the read budget, from upstream's own answers.
async function discover(sessions) {
  const get = async (args) => {
    const r = await runCli(sessions.upstream, args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const accounts = await get(['accounts', 'list', '--include-closed']);
  const payees = await get(['payees', 'list']);
  const byName = (list, name) => list.find((x) => x.name === name).id;
  return { checking: byName(accounts, 'Checking'), card: byName(accounts, 'Credit card'), closed: accounts.find((a) => a.closed)?.id, bistro: byName(payees, 'Bistro') };
}

// The `query run` forms of the CLI's help text and documentation (ActualQL through
// flags, through a file and through stdin), on the fixture's names.
function queryRuns(dir) {
  const file = path.join(dir, 'query.json');
  fs.writeFileSync(file, JSON.stringify({ table: 'transactions', select: ['date', 'amount', 'payee.name'], filter: { amount: { $lt: 0 } }, orderBy: [{ date: 'desc' }, 'id'], limit: 7, offset: 3 }));
  const run = (...args) => ({ args: () => ['query', 'run', ...args] });
  return [
    run('--last', '5'),
    run('--last', '10', '--select', 'date,amount,notes'),
    run('--table', 'transactions', '--select', 'date,amount,payee.name', '--order-by', 'date:desc', '--limit', '10'),
    run('--table', 'transactions', '--filter', '{"amount":{"$lt":0}}', '--limit', '5'),
    run('--table', 'transactions', '--where', '{"payee.name":"Corner shop"}', '--limit', '5'),
    run('--table', 'transactions', '--count'),
    run('--table', 'transactions', '--filter', '{"category.name":"Groceries"}', '--count'),
    { ...run('--file', '-'), input: '{"table":"transactions","groupBy":["category.name"],"select":["category.name",{"amount":{"$sum":"$amount"}}]}' },
    run('--table', 'transactions', '--order-by', 'date:desc', '--limit', '10', '--offset', '20'),
    run('--table', 'transactions', '--order-by', 'date:desc,amount:asc', '--limit', '10'),
    run('--file', file),
    { ...run('--file', '-'), input: '{"table":"transactions","select":["date","amount"],"limit":5}' },
    run('--table', 'transactions', '--select', 'date,amount,payee', '--filter', '{"amount":{"$lt":0}}', '--limit', '10'),
    run('--table', 'transactions', '--select', 'date,amount,category.group.name', '--filter', '{"is_parent":false,"category":null}', '--order-by', 'date:desc', '--limit', '20'),
    run('--table', 'categories', '--select', 'name,group.name', '--group-by', 'group.name'),
    run('--table', 'schedules'),
    run('--table', 'rules', '--limit', '3'),
  ];
}

test('read commands: the same stdout, stderr and exit code on our package as on @actual-app/api', async () => {
  const month = monthOffset(0);
  // The first command downloads the budget into each side's data dir; later ones load it.
  const first = { args: () => ['accounts', 'list'] };
  await check(reads, first);
  const ids = await discover(reads);
  const year = month.slice(0, 4);
  const steps = [
    { args: () => ['accounts', 'list', '--include-closed'] },
    { args: () => ['accounts', 'balance', ids.checking] },
    { args: () => ['accounts', 'balance', ids.checking, '--cutoff', `${year}-06-15`] },
    { args: () => ['accounts', 'balance', ids.closed] },
    { args: () => ['budgets', 'list'] },
    { args: () => ['budgets', 'months'] },
    { args: () => ['budgets', 'month', month] },
    { args: () => ['budgets', 'month', monthOffset(-11)] },
    { args: () => ['categories', 'list'] },
    { args: () => ['categories', 'list', '--include-hidden'] },
    { args: () => ['category-groups', 'list'] },
    { args: () => ['category-groups', 'list', '--include-hidden'] },
    { args: () => ['transactions', 'list', '--account', ids.checking, '--start', `${monthOffset(-12)}-01`, '--end', `${monthOffset(1)}-28`] },
    { args: () => ['transactions', 'list', '--account', ids.card, '--start', `${month}-01`, '--end', `${month}-31`] },
    { args: () => ['payees', 'list'] },
    { args: () => ['payees', 'common'] },
    { args: () => ['tags', 'list'] },
    { args: () => ['rules', 'list'] },
    { args: () => ['rules', 'payee-rules', ids.bistro] },
    { args: () => ['schedules', 'list'] },
    { args: () => ['server', 'version'] },
    { args: () => ['server', 'get-id', '--type', 'accounts', '--name', 'Checking'] },
    { args: () => ['server', 'get-id', '--type', 'categories', '--name', 'Groceries'] },
    { args: () => ['server', 'get-id', '--type', 'payees', '--name', 'Landlord'] },
    { args: () => ['server', 'get-id', '--type', 'schedules', '--name', 'Rent schedule'] },
    { args: () => ['query', 'tables'] },
    { args: () => ['query', 'fields', 'transactions'] },
    { args: () => ['query', 'fields', 'schedules'] },
    ...queryRuns(home),
    // Table and CSV output (amounts as decimals), from the same answers.
    { args: () => ['--format', 'table', 'accounts', 'list'], format: 'table' },
    { args: () => ['--format', 'table', 'budgets', 'month', month], format: 'table' },
    { args: () => ['--format', 'table', 'query', 'run', '--last', '5'], format: 'table' },
    { args: () => ['--format', 'csv', 'payees', 'list'], format: 'csv' },
    { args: () => ['--format', 'csv', 'transactions', 'list', '--account', ids.checking, '--start', `${monthOffset(-2)}-01`, '--end', `${month}-31`], format: 'csv' },
    // A read that syncs first (--refresh), and the cache's own commands.
    { args: () => ['--refresh', 'categories', 'list'] },
    { args: () => ['sync', '--status'], normalise: withoutSyncTimes },
    // Failures: the CLI's own checks, the query compiler's errors, upstream's APIErrors.
    { args: () => ['query', 'run', '--table', 'nope'], fails: 'same' },
    { args: () => ['query', 'run', '--table', 'transactions', '--filter', '{"date":{"$gte":"bad"}}'], fails: 'same' },
    { args: () => ['accounts', 'balance', ids.checking, '--cutoff', 'not a date'], fails: 'same' },
    { args: () => ['server', 'get-id', '--type', 'payees', '--name', 'Nobody at all'], fails: 'api-error' },
    { args: () => ['budgets', 'month', '2026-13'], fails: 'api-error' },
  ];
  // Two steps at a time (four processes): reads take the CLI's shared lock. Every step
  // runs; the differences are reported together.
  const pending = [...steps];
  const failures = [];
  const worker = async () => {
    for (let step = pending.shift(); step; step = pending.shift()) {
      await check(reads, step).catch((err) => failures.push(err.message.slice(0, 3000)));
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(failures, []);
});

test('connection settings from flags and from a cosmiconfig file; sign-in and budget failures', async () => {
  const flags = (s) => ['--server-url', server.url, '--password', server.password, '--sync-id', s.syncId, '--data-dir', s.dataDir];
  const cleared = { ACTUAL_SERVER_URL: undefined, ACTUAL_PASSWORD: undefined, ACTUAL_SYNC_ID: undefined, ACTUAL_DATA_DIR: undefined };
  const fresh = { upstream: session('upstream', reads.upstream.syncId), ours: session('ours', reads.ours.syncId) };
  await check(fresh, { args: (s) => [...flags(s), 'budgets', 'download', s.syncId], env: cleared });
  await check(fresh, { args: (s) => [...flags(s), 'budgets', 'list'], env: cleared });
  await check(fresh, { args: (s) => [...flags(s), 'sync'], env: cleared, normalise: withoutSyncTimes });
  await check(fresh, { args: (s) => [...flags(s), 'sync', '--clear'], env: cleared });

  // .actualrc.json in the working directory (each side its own, for its data dir).
  const configured = { upstream: session('upstream', reads.upstream.syncId), ours: session('ours', reads.ours.syncId) };
  const cwds = {};
  for (const side of SIDES) {
    cwds[side] = h.tempDir(`actual-cli-rc-${side}-`);
    const s = configured[side];
    fs.writeFileSync(path.join(cwds[side], '.actualrc.json'), JSON.stringify({ serverUrl: server.url, password: server.password, syncId: s.syncId, dataDir: s.dataDir, cacheTtl: 0 }));
  }
  const fromFile = { args: () => ['tags', 'list'], env: cleared };
  const r = await Promise.all(SIDES.map((side) => runCli(configured[side], fromFile.args(), { env: cleared, cwd: cwds[side] })));
  assertSameOutput(fromFile, configured, { upstream: r[0], ours: r[1] });

  const wrongPassword = { args: () => ['accounts', 'list'], env: { ACTUAL_PASSWORD: 'not-the-password' }, fails: 'own-message' };
  await check({ upstream: session('upstream', reads.upstream.syncId), ours: session('ours', reads.ours.syncId) }, wrongPassword);
  const unknownBudget = { args: () => ['accounts', 'list'], fails: 'own-message' };
  await check({ upstream: session('upstream', '00000000-0000-4000-8000-000000000000'), ours: session('ours', '00000000-0000-4000-8000-000000000000') }, unknownBudget);
});

/** Twin copies of the write budget, one per side, each with its own data dir. */
async function writeTwins(tag) {
  const sessions = {};
  for (const side of SIDES) sessions[side] = session(side, (await twinBudget(server, writeBudget, `CLI writes ${tag} ${side}`)).syncId);
  return sessions;
}

/** Ids of the write budget (the same on both twins), from upstream's answers. */
async function writeIds(s) {
  const out = {};
  for (const [key, type, name] of [
    ['checking', 'accounts', 'Checking'],
    ['card', 'accounts', 'Credit card'],
    ['groceries', 'categories', 'Groceries'],
    ['landlord', 'payees', 'Landlord'],
    ['rentSchedule', 'schedules', 'Rent schedule'],
    ['powerSchedule', 'schedules', 'Power estimate'],
  ]) {
    const r = await runCli(s, ['server', 'get-id', '--type', type, '--name', name]);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    out[key] = JSON.parse(r.stdout).id;
  }
  const groups = JSON.parse((await runCli(s, ['category-groups', 'list'])).stdout);
  out.incomeGroup = groups.find((g) => g.is_income).id;
  const accounts = JSON.parse((await runCli(s, ['accounts', 'list'])).stdout);
  out.savings = accounts.find((a) => a.name.startsWith('Savings')).id;
  const payees = JSON.parse((await runCli(s, ['payees', 'list'])).stdout);
  out.savingsTransfer = payees.find((p) => p.transfer_acct === out.savings).id;
  return out;
}

/** What the real client reads of both twins must be the same, ids mapped to names. */
async function assertSameReadBack(sessions) {
  const [theirs, ours] = await Promise.all(SIDES.map((side) => readBack(server, { syncId: sessions[side].syncId })));
  assert.ok(Object.keys(theirs).length > 100, 'the oracle read the budget');
  const diffs = differences(theirs, ours);
  assert.deepEqual(diffs, [], report(diffs, theirs, ours));
}

test('write commands on twin budgets: the same output, and the real client reads back the same', async () => {
  const sessions = await writeTwins('a');
  const ids = await writeIds(sessions.upstream);
  const day = dayOffset(0);
  const month = monthOffset(0);
  const importData = JSON.stringify([
    { date: day, amount: -1250, payee_name: 'Corner shop', imported_id: 'cli-bank-1', notes: '#food cli import' },
    { date: dayOffset(-1), amount: -6100, payee_name: 'Net Ltd', imported_payee: 'NET LTD 555', imported_id: 'cli-bank-2' },
    { date: dayOffset(-2), amount: -999, payee_name: 'New bank payee', imported_id: 'cli-bank-3' },
  ]);
  const keepId = (key, pick = (out) => out.id) => (out, s) => (s.ids[key] = pick(out));
  const steps = [
    { args: () => ['transactions', 'add', '--account', ids.checking, '--data', JSON.stringify([{ date: day, amount: -2500, payee_name: 'Coffee Shop', notes: 'cli add' }])] },
    {
      args: () => ['transactions', 'add', '--account', ids.card, '--file', '-', '--run-transfers', '--learn-categories'],
      input: JSON.stringify([
        { date: day, amount: -3000, payee: ids.savingsTransfer, notes: 'cli transfer' },
        { date: day, amount: -1500, payee_name: 'Corner shop', category: ids.groceries, notes: 'cli learned' },
      ]),
    },
    { args: () => ['transactions', 'import', '--account', ids.checking, '--data', importData, '--dry-run'], newIds: true },
    { args: () => ['transactions', 'import', '--account', ids.checking, '--data', importData], newIds: true, keep: keepId('imported', (out) => out.added[0]) },
    { args: () => ['transactions', 'import', '--account', ids.checking, '--data', importData], newIds: true },
    {
      args: () => ['query', 'run', '--table', 'transactions', '--select', 'id,amount,notes', '--filter', '{"notes":"cli add"}'],
      newIds: true,
      keep: keepId('added', (out) => out[0].id),
    },
    { args: (s) => ['transactions', 'update', s.ids.added, '--data', '{"amount":-2600,"notes":"cli edited","cleared":true}'] },
    { args: (s) => ['transactions', 'delete', s.ids.imported] },
    { args: () => ['accounts', 'create', '--name', 'CLI account', '--balance', '12345'], newIds: true, keep: keepId('account') },
    { args: () => ['accounts', 'create', '--name', 'CLI off budget', '--offbudget'], newIds: true, keep: keepId('offbudget') },
    { args: (s) => ['accounts', 'update', s.ids.account, '--name', 'CLI account renamed'] },
    { args: (s) => ['accounts', 'close', s.ids.account, '--transfer-account', ids.checking] },
    { args: (s) => ['accounts', 'reopen', s.ids.account] },
    { args: (s) => ['accounts', 'close', s.ids.offbudget] },
    { args: (s) => ['accounts', 'delete', s.ids.offbudget] },
    { args: () => ['category-groups', 'create', '--name', 'CLI group'], newIds: true, keep: keepId('group') },
    { args: (s) => ['categories', 'create', '--name', 'CLI category', '--group-id', s.ids.group], newIds: true, keep: keepId('category') },
    { args: () => ['categories', 'create', '--name', 'CLI income', '--group-id', ids.incomeGroup, '--is-income'], newIds: true },
    { args: (s) => ['categories', 'update', s.ids.category, '--name', 'CLI category 2', '--hidden', 'true'] },
    { args: (s) => ['category-groups', 'update', s.ids.group, '--name', 'CLI group 2'] },
    { args: (s) => ['budgets', 'set-amount', '--month', month, '--category', s.ids.category, '--amount', '31415'] },
    { args: () => ['budgets', 'set-carryover', '--month', month, '--category', ids.groceries, '--flag', 'true'] },
    { args: () => ['budgets', 'hold-next-month', '--month', month, '--amount', '5000'] },
    { args: () => ['budgets', 'reset-hold', '--month', month] },
    { args: (s) => ['categories', 'delete', s.ids.category, '--transfer-to', ids.groceries] },
    { args: (s) => ['category-groups', 'delete', s.ids.group] },
    { args: () => ['payees', 'create', '--name', 'CLI payee'], newIds: true, keep: keepId('payee') },
    { args: () => ['payees', 'create', '--name', 'CLI duplicate'], newIds: true, keep: keepId('duplicate') },
    { args: (s) => ['payees', 'update', s.ids.payee, '--name', 'CLI payee 2'] },
    { args: (s) => ['payees', 'merge', '--target', s.ids.payee, '--ids', s.ids.duplicate] },
    { args: () => ['tags', 'create', '--tag', 'clitag', '--color', '#123456', '--description', 'made by the CLI'], newIds: true, keep: keepId('tag') },
    { args: (s) => ['tags', 'update', s.ids.tag, '--description', 'changed by the CLI'] },
    { args: () => ['tags', 'create', '--tag', 'clitemp'], newIds: true, keep: keepId('tempTag') },
    { args: (s) => ['tags', 'delete', s.ids.tempTag] },
    {
      args: (s) => ['rules', 'create', '--data', JSON.stringify({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: s.ids.payee }], actions: [{ op: 'set', field: 'category', value: ids.groceries }] })],
      newIds: true,
      keep: keepId('rule', (out) => out.id.id),
    },
    {
      args: () => ['rules', 'update', '--file', '-'],
      input: (s) => JSON.stringify({ id: s.ids.rule, stage: 'post', conditionsOp: 'or', conditions: [{ field: 'notes', op: 'contains', value: 'cli' }], actions: [{ op: 'set', field: 'cleared', value: true }] }),
    },
    { args: () => ['rules', 'create', '--data', JSON.stringify({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'contains', value: 'TEMP' }], actions: [{ op: 'set', field: 'notes', value: 'temp' }] })], newIds: true, keep: keepId('tempRule', (out) => out.id.id) },
    { args: (s) => ['rules', 'delete', s.ids.tempRule] },
    { args: (s) => ['payees', 'delete', s.ids.duplicate] },
    { args: () => ['transactions', 'add', '--account', ids.checking, '--data', JSON.stringify([{ date: day, amount: -700, payee_name: 'CLI payee 2', notes: 'after the rule' }])] },
    // Schedules: create (a recurrence worked out natively), delete a created and an existing one.
    {
      args: () => ['schedules', 'create', '--data', JSON.stringify({ name: 'CLI schedule', account: ids.checking, payee: ids.landlord, amount: -4200, amountOp: 'is', date: { frequency: 'monthly', start: day, interval: 1, endMode: 'never', patterns: [], skipWeekend: false, weekendSolveMode: 'after' } })],
      newIds: true,
      keep: keepId('schedule'),
    },
    { args: () => ['schedules', 'create', '--data', JSON.stringify({ name: 'CLI one-off', account: ids.card, amount: { num1: -5000, num2: -3000 }, amountOp: 'isbetween', date: `${monthOffset(2)}-11` })], newIds: true, keep: keepId('oneOff') },
    { args: (s) => ['schedules', 'delete', s.ids.oneOff] },
    { args: () => ['schedules', 'delete', ids.powerSchedule] },
    { args: () => ['sync'], normalise: withoutSyncTimes },
    // Failed writes change nothing on either side.
    { args: () => ['payees', 'merge', '--target', ids.landlord, '--ids', ' , '], fails: 'same' },
    { args: () => ['categories', 'update', ids.groceries], fails: 'same' },
    { args: () => ['schedules', 'create', '--data', '{"name":"CLI no date","amount":-1}'], fails: 'same' },
  ];
  for (const step of steps) await check(sessions, step);
  // The CLI's own reads after the writes, then the real client's, of each twin. (Not
  // `rules list`: upstream ranks rules of one score by id, and the ids the writes made
  // are random on each twin; readBack compares the rules with ids mapped to names.)
  for (const args of [['schedules', 'list'], ['tags', 'list'], ['accounts', 'list', '--include-closed'], ['payees', 'common']]) {
    await check(sessions, { args: () => args, newIds: true });
  }
  await assertSameReadBack(sessions);
});

test('schedules update: the same output, and the real client reads back the same', async () => {
  const sessions = await writeTwins('b');
  const ids = await writeIds(sessions.upstream);
  await check(sessions, { args: () => ['schedules', 'update', ids.rentSchedule, '--data', '{"name":"Rent (CLI)","amount":-155000}'] });
  await check(sessions, { args: () => ['schedules', 'update', ids.rentSchedule, '--data', `{"date":{"frequency":"monthly","start":"${dayOffset(3)}","interval":1,"endMode":"never","patterns":[],"skipWeekend":false,"weekendSolveMode":"after"}}`, '--reset-next-date'] });
  await assertSameReadBack(sessions);
});
