'use strict';
// Budget months in one long-lived session: the months are computed once and reused
// while the budget does not change, so a change synced in (here: made by the official
// client) must show in the next answer, equal to what @actual-app/api then answers.
const test = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers/harness.js');
const { monthOffset } = require('./helpers/realistic-budget.js');
const api = require('../index.js');

let server;
let budget;

test.before(async () => {
  server = await h.startServer();
  budget = await h.createRealisticBudget(server, { name: 'Months session' });
});

test.after(async () => {
  await api.shutdown();
  await server?.stop();
});

// Sets a budget amount and a hold with the official client, in a child process.
const CHANGE_SCRIPT = `
  for (const m of ['log', 'info', 'warn', 'debug']) console[m] = () => {};
  const api = require('@actual-app/api');
  const { DIR, SERVER_URL, PW, SYNC_ID, MONTH, CATEGORY } = process.env;
  (async () => {
    await api.init({ dataDir: DIR, serverURL: SERVER_URL, password: PW });
    await api.downloadBudget(SYNC_ID);
    await api.setBudgetAmount(MONTH, CATEGORY, 123457);
    await api.holdBudgetForNextMonth(MONTH, 4321);
    await api.sync();
    await api.shutdown();
  })().then(() => process.exit(0), (e) => { process.stderr.write(String(e && e.stack)); process.exit(1); });`;

function changeWithUpstream(env) {
  const { execFile } = require('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CHANGE_SCRIPT], { cwd: h.ROOT, env: { ...process.env, ...env }, timeout: 120000 }, (err, _out, stderr) =>
      err ? reject(new Error(`upstream change failed: ${stderr}`)) : resolve(),
    );
  });
}

test('a month read again after a sync shows the synced change, as upstream reads it', async () => {
  await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  await api.downloadBudget(budget.syncId);
  const month = monthOffset(-1);
  const before = await api.getBudgetMonth(month);
  assert.deepEqual(await api.getBudgetMonth(month), before, 'the same answer twice');
  const groceries = (await api.getCategories()).find((c) => c.name === 'Groceries');

  await changeWithUpstream({ DIR: h.tempDir(), SERVER_URL: server.url, PW: server.password, SYNC_ID: budget.syncId, MONTH: month, CATEGORY: groceries.id });
  await api.sync();
  const after = await api.getBudgetMonth(month);
  const cell = (answer) => answer.categoryGroups.flatMap((g) => g.categories).find((c) => c.id === groceries.id);
  assert.equal(cell(after).budgeted, 123457);
  assert.equal(after.forNextMonth, 4321);
  assert.notDeepEqual(after, before);

  const { theirs, ours } = await h.readsBothWays(server, budget, { months: [month] });
  assert.deepEqual(ours[`getBudgetMonth(${month})`], theirs[`getBudgetMonth(${month})`]);
  assert.deepEqual(after, theirs[`getBudgetMonth(${month})`]);
});
