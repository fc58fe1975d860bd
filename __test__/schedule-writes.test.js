'use strict';
// createSchedule, updateSchedule and deleteSchedule natively against the oracle:
// schedule-script.js run through @actual-app/api on one twin budget and through this
// package (no @actual-app module loaded) on the other; the answers must be the same,
// and so must what the real client reads back from both (schedules, rules,
// transactions, and for the updates the rule and next-date rows as stored), with
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

// The rows behind a schedule as the server holds them (ids made on one twin only are
// left out: the schedule's own, in its rule's link-schedule action).
const SCHEDULE_ROWS = {
  'schedules and their rules': `SELECT s.name, s.posts_transaction, s.completed, r.stage, r.conditions_op, r.conditions,
      replace(r.actions, s.id, '<schedule>') AS actions, r.tombstone
    FROM schedules s JOIN rules r ON r.id = s.rule WHERE s.tombstone = 0 ORDER BY s.name`,
  'next dates': `SELECT s.name, nd.local_next_date, nd.base_next_date, nd.local_next_date_ts = nd.base_next_date_ts AS local_wins
    FROM schedules s JOIN schedules_next_date nd ON nd.schedule_id = s.id WHERE s.tombstone = 0 ORDER BY s.name`,
};

test('updateSchedule writes what @actual-app/api writes, and answers the same', async () => {
  const [theirTwin, ourTwin] = [await twinBudget(server, base, 'update twin upstream'), await twinBudget(server, base, 'update twin ours')];
  const common = { serverURL: server.url, password: server.password };
  // A completed schedule on each twin, made by upstream's own service.
  await Promise.all([theirTwin, ourTwin].map((twin) => h.runWorker({ op: 'scheduleSetup', dataDir: h.tempDir(), syncId: twin.syncId, ...common })));
  const [theirScript, ourScript] = await Promise.all([
    h.runWorker({ op: 'scheduleUpdates', dataDir: h.tempDir(), syncId: theirTwin.syncId, ...common }),
    h.runNative('native-run.js', { task: 'scheduleUpdates', syncId: ourTwin.syncId, ...common }),
  ]);
  assert.deepEqual(ourScript.loaded, [], 'the script loaded no @actual-app module');
  assert.deepEqual(ourScript.answers, theirScript, 'the script got the same answers');
  // The cases do what they are meant to (so the comparison is not of two failures).
  assert.deepEqual(theirScript.rename, { ok: 'its id' });
  assert.equal(theirScript['same name'].error.message, 'There is already a schedule named: Rent (flat)');
  assert.equal(theirScript['same name once trimmed'].error.message, 'Cannot update schedules with the same name');
  assert.equal(theirScript['unknown id'].error.message, 'Schedule no-such-schedule not found');
  assert.deepEqual(theirScript['completed schedule'], { ok: 'its id' });

  const [theirs, ours] = await Promise.all([readBack(server, theirTwin, undefined, SCHEDULE_ROWS), readBack(server, ourTwin, undefined, SCHEDULE_ROWS)]);
  const byName = Object.fromEntries(ours['getSchedules()'].map((s) => [s.name, s]));
  // `name: null` is String(null) upstream.
  assert.deepEqual(Object.keys(byName).sort(), ['Done', 'Insurance', 'Rent (flat)', 'null'], 'the schedules updated are read back');
  assert.equal(byName.Insurance.amount, -12000);
  assert.equal(byName.Insurance.account, 'account:Credit card'); // ids read back as names
  assert.equal(byName['Rent (flat)'].date, require('./helpers/realistic-budget.js').dayOffset(240));
  assert.deepEqual(byName.null.amount, { num1: -3001, num2: -2000 });
  assert.equal(byName.Done.completed, true);
  const diffs = differences(theirs, ours);
  assert.deepEqual(diffs, [], report(diffs, theirs, ours));
  // Upstream's mix: the rule's other conditions re-encoded (with `type`), the
  // schedule's own ones as the API handler edited them.
  const rules = Object.fromEntries(ours['db: schedules and their rules'].map((r) => [r.name, r.conditions]));
  assert.ok(rules['Rent (flat)'].includes('{"op":"contains","field":"notes","value":"flat","type":"string"}'), rules['Rent (flat)']);
  assert.ok(rules.Insurance.includes('{"field":"description","op":"is","value":'), rules.Insurance);
  assert.ok(rules.Insurance.includes('{"op":"is","field":"amount","value":-12000}'), rules.Insurance);
  // Raw rows, key order and JSON text included.
  for (const label of Object.keys(SCHEDULE_ROWS)) {
    assert.ok(ours[`db: ${label}`].length >= 4, `rows of ${label}`);
    assert.equal(JSON.stringify(ours[`db: ${label}`]), JSON.stringify(theirs[`db: ${label}`]), label);
  }
});

test('a schedule date or field not decided natively is refused before anything is written', async () => {
  const api = require('../index.js');
  const client = await api.createClient({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  await client.downloadBudget(base.syncId);
  const odd = { frequency: 'monthly', start: '2026-01-31', interval: 1, patterns: [{ type: 'day', value: 1.5 }] };
  const refused = async (call) => {
    const err = await call().then(
      () => assert.fail('expected a refusal'),
      (e) => e,
    );
    assert.ok(err instanceof api.UnsupportedError, `${err.name}: ${err.message}`);
    assert.equal(err.code, 'unsupported-feature');
  };
  const id = await client.createSchedule({ name: 'Kept', amount: 1, amountOp: 'is', date: '2027-04-01' });
  const before = { schedules: await client.getSchedules(), rules: await client.getRules() };
  for (const date of ['2027-03', odd]) {
    await refused(() => client.createSchedule({ name: 'Refused', amount: 1, amountOp: 'is', date }));
  }
  await refused(() => client.updateSchedule(id, { date: odd }));
  await refused(() => client.updateSchedule(id, { name: new Date() }));
  await refused(() => client.updateSchedule(id, { name: undefined }));
  assert.deepEqual({ schedules: await client.getSchedules(), rules: await client.getRules() }, before, 'nothing was written');
  await client.shutdown();
});
