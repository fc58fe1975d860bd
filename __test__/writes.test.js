'use strict';
// Native writes against the oracle: one bank-import script run through
// @actual-app/api on one twin budget and through this package on the other (the same
// snapshot uploaded twice); then the real client downloads both and reads everything.
// With generated ids mapped to names, the two must read the same, and the script's
// own answers must be the same.
const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');

const h = require('./helpers/harness.js');
const { twinBudget, canonical } = require('./helpers/twins.js');

const KEY_PASSWORD = 'writes-test-key-password';

let server;
const bases = {};

test.before(async () => {
  server = await h.startServer();
  bases.envelope = await h.createRealisticBudget(server, { name: 'Write base' });
  bases.tracking = await h.createRealisticBudget(server, { name: 'Write base tracking', budgetType: 'tracking' });
  bases.encrypted = await h.createRealisticBudget(server, { name: 'Write base encrypted', encryptPassword: KEY_PASSWORD });
  // No rules or schedules: imports and adds then run natively without a rules engine.
  bases['no-rules'] = await h.createRealisticBudget(server, { name: 'Write base no rules', withRules: false });
});

test.after(async () => {
  await server?.stop();
});

function differences(theirs, ours) {
  const keys = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])];
  return keys.filter((key) => !isDeepStrictEqual(theirs[key], ours[key]));
}

function report(diffs, theirs, ours) {
  return diffs
    .slice(0, 6)
    .map((key) => `${key}\n  upstream: ${JSON.stringify(theirs[key])?.slice(0, 2000)}\n  ours:     ${JSON.stringify(ours[key])?.slice(0, 2000)}`)
    .join('\n');
}

/** The real client's reads of `budget`, ids mapped to names. */
async function readBack(budget, encryptPassword) {
  const answers = await h.runWorker({ op: 'readAll', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId, encryptPassword });
  return canonical(answers);
}

for (const kind of ['envelope', 'tracking', 'encrypted', 'no-rules']) {
  test(`${kind} twins: the bank-import script writes what @actual-app/api writes, and answers the same`, async () => {
    const encryptPassword = kind === 'encrypted' ? KEY_PASSWORD : undefined;
    const [theirTwin, ourTwin] = [await twinBudget(server, bases[kind], `${kind} twin upstream`), await twinBudget(server, bases[kind], `${kind} twin ours`)];
    const common = { serverURL: server.url, password: server.password, encryptPassword };
    const [theirScript, ourScript] = await Promise.all([
      h.runWorker({ op: 'script', dataDir: h.tempDir(), syncId: theirTwin.syncId, ...common }),
      h.runNative('native-script.js', { syncId: ourTwin.syncId, ...common }),
    ]);
    assert.deepEqual(ourScript.answers, theirScript, 'the script got the same answers');

    const [theirs, ours] = await Promise.all([readBack(theirTwin, encryptPassword), readBack(ourTwin, encryptPassword)]);
    assert.ok(Object.keys(theirs).length > 100, 'the oracle answered');
    const diffs = differences(theirs, ours);
    assert.deepEqual(diffs, [], report(diffs, theirs, ours));
    assert.deepEqual(ourScript.loaded, [], 'the script loaded no @actual-app module');
  });
}
