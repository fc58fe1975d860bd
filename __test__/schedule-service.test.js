'use strict';
// Upstream's schedule service runs after a successful sync, once a day: it posts the
// transactions of due and missed auto-posting schedules (rules run over them, a
// transfer payee makes the other side), moves paid schedules on and completes paid
// one-off ones. @actual-app/api starts it in the background as downloadBudget ends;
// ours runs it before downloadBudget resolves. On twin budgets with such schedules
// (schedule-service.js 'setup' on each), every read of ours right after the download
// must equal upstream's once its service is done; what ours posted must reach the
// server once, and neither a restart nor another client posts it again.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');
const { twinBudget, canonical, differences, report } = require('./helpers/twins.js');
const { dayOffset } = require('./helpers/realistic-budget.js');

const HELPER = path.join(__dirname, 'helpers', 'schedule-service.js');

let server;
let base;

function upstream(op, budget) {
  const resultFile = path.join(h.tempDir('schedule-service-'), 'result.json');
  const args = { op, resultFile, dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [HELPER, JSON.stringify(args)], { cwd: h.ROOT, timeout: 180000, maxBuffer: 1 << 30 }, () => {
      try {
        const out = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
        if (out.ok) resolve(out.result);
        else reject(new Error(out.error));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Every read of ours (no @actual-app module loaded) right after downloadBudget. */
async function ourReads(budget, dataDir = h.tempDir()) {
  const out = await h.runNative('native-run.js', { task: 'reads', dataDir, syncId: budget.syncId, serverURL: server.url, password: server.password });
  assert.deepEqual(out.loaded, [], 'no @actual-app module loaded');
  return canonical(out.answers);
}

const transactions = (answers) => Object.fromEntries(Object.entries(answers).filter(([key]) => key.startsWith('getTransactions(')));

test.before(async () => {
  server = await h.startServer();
  base = await h.createRealisticBudget(server, { name: 'Schedule service base', withRules: false });
});

test.after(async () => {
  await server?.stop();
});

test('after downloadBudget our reads equal upstream\'s once its schedule service is done; what we posted reaches the server once', async () => {
  const [theirTwin, ourTwin] = [await twinBudget(server, base, 'service twin upstream'), await twinBudget(server, base, 'service twin ours')];
  await Promise.all([upstream('setup', theirTwin), upstream('setup', ourTwin)]);

  const ourDir = h.tempDir();
  const [theirs, ours] = await Promise.all([upstream('settle', theirTwin).then(canonical), ourReads(ourTwin, ourDir)]);
  const diffs = differences(theirs, ours);
  assert.deepEqual(diffs, [], report(diffs, theirs, ours));

  // The cases did what they are meant to (so the comparison is not of two budgets
  // the service left alone).
  const schedules = Object.fromEntries(ours['getSchedules()'].map((s) => [s.name, s]));
  const byId = new Map();
  for (const list of Object.values(transactions(ours))) for (const t of Array.isArray(list) ? list : []) byId.set(t.id, t);
  const all = [...byId.values()];
  const posted = (name) => all.filter((t) => t.schedule === `schedule:${name}`);
  assert.equal(posted('Missed weekly').length, 4, 'four missed weeks posted');
  assert.equal(posted('Paid auto-post').length, 2, 'the paid one kept, the missed week after it posted');
  assert.deepEqual(posted('Missed one-off').map((t) => t.amount), [-500], 'Math.round of the mean');
  assert.equal(posted('Due gym')[0].category, 'category:Power', 'the rule set the category');
  // The transfer's other side carries the schedule too.
  assert.deepEqual(posted('Due transfer').map((t) => [t.account, t.amount]).sort(), [['account:Checking', -5000], ['account:Savings', 5000]]);
  assert.equal(schedules['Paid one-off'].completed, true);
  assert.equal(schedules['Paid weekly'].next_date, dayOffset(4), 'moved to its next occurrence');
  assert.equal(schedules['Missed weekly'].next_date, dayOffset(6));
  assert.equal(schedules['Paid early'].next_date, dayOffset(2), 'left as it was');

  // Sent once: upstream downloading our twin (its own service run finds nothing to
  // post) sees each transaction once, as do a restart of ours on the same folder and
  // a fresh client of ours.
  const [upstreamAfter, restart, fresh] = await Promise.all([upstream('settle', ourTwin).then(canonical), ourReads(ourTwin, ourDir), ourReads(ourTwin)]);
  for (const [who, answers] of [['upstream', upstreamAfter], ['a restart', restart], ['a fresh client', fresh]]) {
    const d = differences(transactions(ours), transactions(answers));
    assert.deepEqual(d, [], `${who}: ${report(d, transactions(ours), transactions(answers))}`);
  }
});

test('the service runs after sync() once a day, not on loadBudget; what it posts is sent once', async () => {
  const api = require('../index.js');
  const twin = await twinBudget(server, base, 'service on sync');
  const dataDir = h.tempDir();
  const connect = (dir = dataDir) => api.createClient({ dataDir: dir, serverURL: server.url, password: server.password });
  let client = await connect();
  const budget = await client.downloadBudget(twin.syncId);
  const checking = await client.getIDByName('accounts', 'Checking');
  const id = await client.createSchedule({ name: 'Due after download', posts_transaction: true, account: checking, amount: -123, amountOp: 'is', date: dayOffset(0) });
  const posted = async (c) => (await c.getTransactions(checking, '1995-01-01', '2199-12-31')).filter((t) => t.schedule === id).map((t) => [t.date, t.amount, t.id]);
  await client.sync();
  assert.deepEqual(await posted(client), [], 'it ran once today already, as the download ended');
  await client.shutdown();

  // Another day, as far as this copy knows.
  const metaPath = path.join(dataDir, budget.id, 'metadata.json');
  const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8'));
  assert.equal(meta.lastScheduleRun, dayOffset(0), 'the day of the run is recorded as upstream records it');
  fs.writeFileSync(metaPath, JSON.stringify({ ...meta, lastScheduleRun: dayOffset(-1) }));
  client = await connect();
  await client.loadBudget(budget.id);
  assert.deepEqual(await posted(client), [], 'loadBudget does not sync, so does not run it');
  await client.sync();
  const ours = await posted(client);
  assert.deepEqual(ours.map(([date, amount]) => [date, amount]), [[dayOffset(0), -123]], 'sync() ran it');
  await client.shutdown();

  // shutdown() sent it, once: a fresh client sees that very transaction (its own run
  // finds the schedule paid, and posts nothing).
  const other = await connect(h.tempDir());
  await other.downloadBudget(twin.syncId);
  assert.deepEqual(await posted(other), ours);
  await other.shutdown();
});
