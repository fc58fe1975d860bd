'use strict';
// Native reads against the oracle: the same realistic budgets (envelope, tracking,
// end-to-end encrypted; changed after their upload) read by @actual-app/api and by
// this package, under time zones on both sides of the date line. Every answer must be
// deep-equal: same values, same fields, same key order, same sorting.
const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');

const h = require('./helpers/harness.js');

// UTC+14 and UTC-8: for most of the day they are on different calendar days.
const ZONES = ['Pacific/Kiritimati', 'America/Los_Angeles'];
const KEY_PASSWORD = 'reads-test-key-password';

let server;
const budgets = {};

test.before(async () => {
  server = await h.startServer();
  budgets.envelope = await h.createRealisticBudget(server, { name: 'Envelope budget' });
  budgets.tracking = await h.createRealisticBudget(server, { name: 'Tracking budget', budgetType: 'tracking' });
  budgets.encrypted = await h.createRealisticBudget(server, { name: 'Encrypted budget', encryptPassword: KEY_PASSWORD });
});

test.after(async () => {
  await server?.stop();
});

// Key order matters to scripts that print or hash answers: compare it too.
function keyOrder(value) {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
  return value;
}

function differences(theirs, ours) {
  const keys = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])];
  return keys.filter((key) => !isDeepStrictEqual(keyOrder(theirs[key]), keyOrder(ours[key])));
}

function report(diffs, theirs, ours) {
  return diffs
    .slice(0, 6)
    .map((key) => `${key}\n  upstream: ${JSON.stringify(theirs[key])?.slice(0, 1500)}\n  ours:     ${JSON.stringify(ours[key])?.slice(0, 1500)}`)
    .join('\n');
}

for (const kind of ['envelope', 'tracking', 'encrypted']) {
  for (const zone of ZONES) {
    test(`${kind} budget, TZ=${zone}: every read equals @actual-app/api's, with no @actual-app module loaded`, async () => {
      const encryptPassword = kind === 'encrypted' ? KEY_PASSWORD : undefined;
      const { theirs, ours, loaded } = await h.readsBothWays(server, budgets[kind], { env: { TZ: zone }, encryptPassword });
      assert.ok(Object.keys(theirs).length > 100, 'the oracle answered');
      const diffs = differences(theirs, ours);
      assert.deepEqual(diffs, [], report(diffs, theirs, ours));
      assert.deepEqual(loaded, [], 'a native-only script loads no @actual-app module');
    });
  }
}
