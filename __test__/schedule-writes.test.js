'use strict';
// createSchedule and deleteSchedule natively against the oracle: schedule-script.js
// run through @actual-app/api on one twin budget and through this package (no
// @actual-app module loaded) on the other; the answers must be the same, and so must
// what the real client reads back from both (schedules, rules, transactions), with
// generated ids mapped to names. A shape decided only upstream is refused before
// anything is written.
const test = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers/harness.js');
const { twinBudget, differences, report, readBack } = require('./helpers/twins.js');

let server;
let base;

test.before(async () => {
  server = await h.startServer();
  // No schedules of its own: upstream's schedule service leaves both twins alone.
  base = await h.createRealisticBudget(server, { name: 'Schedule base', withRules: false });
});

test.after(async () => {
  await server?.stop();
});

test('createSchedule and deleteSchedule write what @actual-app/api writes, and answer the same', async () => {
  const [theirTwin, ourTwin] = [await twinBudget(server, base, 'schedules twin upstream'), await twinBudget(server, base, 'schedules twin ours')];
  const common = { serverURL: server.url, password: server.password };
  const [theirScript, ourScript] = await Promise.all([
    h.runWorker({ op: 'schedules', dataDir: h.tempDir(), syncId: theirTwin.syncId, ...common }),
    h.runNative('native-run.js', { task: 'schedules', syncId: ourTwin.syncId, ...common }),
  ]);
  assert.deepEqual(ourScript.loaded, [], 'the script loaded no @actual-app module');
  assert.deepEqual(ourScript.answers, theirScript, 'the script got the same answers');
  // The cases do what they are meant to (so the comparison is not of two failures).
  assert.equal(theirScript.monthly.ok, 'a new id');
  assert.equal(theirScript['no date'].error.message, 'Date is required');
  assert.equal(theirScript['same name once trimmed'].error.message, 'Cannot create schedules with the same name');
  assert.deepEqual(theirScript.delete, { ok: null });

  const [theirs, ours] = await Promise.all([readBack(server, theirTwin), readBack(server, ourTwin)]);
  assert.deepEqual(
    ours['getSchedules()'].map((s) => s.name).sort(),
    ['Insurance', 'Rent 2027', 'Weekly range', null],
    'the schedules written are read back',
  );
  assert.ok(ours['getRules()'].length >= 4, 'their rules are read back');
  const diffs = differences(theirs, ours);
  assert.deepEqual(diffs, [], report(diffs, theirs, ours));
});

test('a schedule date not decided natively is refused before anything is written', async () => {
  const api = require('../index.js');
  const client = await api.createClient({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  await client.downloadBudget(base.syncId);
  const before = { schedules: await client.getSchedules(), rules: await client.getRules() };
  for (const date of ['2027-03', { frequency: 'monthly', start: '2026-01-31', interval: 1, patterns: [{ type: 'day', value: 1.5 }] }]) {
    const err = await client.createSchedule({ name: 'Refused', amount: 1, amountOp: 'is', date }).then(
      () => assert.fail('expected a refusal'),
      (e) => e,
    );
    assert.ok(err instanceof api.UnsupportedError, `${err.name}: ${err.message}`);
    assert.equal(err.code, 'unsupported-feature');
  }
  assert.deepEqual({ schedules: await client.getSchedules(), rules: await client.getRules() }, before, 'nothing was written');
  await client.shutdown();
});
