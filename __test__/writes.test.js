'use strict';
// Native writes against the oracle: one bank-import script run through
// @actual-app/api on one twin budget and through this package on the other (the same
// snapshot uploaded twice); then the real client downloads both and reads everything.
// With generated ids mapped to names, the two must read the same, and the script's
// own answers must be the same.
const test = require('node:test');
const assert = require('node:assert/strict');

const h = require('./helpers/harness.js');
const twins = require('./helpers/twins.js');
const { twinBudget, differences, report } = twins;

const KEY_PASSWORD = 'writes-test-key-password';

let server;
const bases = {};

test.before(async () => {
  server = await h.startServer();
  // Rules the native engine runs; a rule it does not (a formula beyond its subset) is
  // tested below.
  const runnable = { withUnrunnableRules: false };
  bases.envelope = await h.createRealisticBudget(server, { name: 'Write base', ...runnable });
  bases.tracking = await h.createRealisticBudget(server, { name: 'Write base tracking', budgetType: 'tracking', ...runnable });
  bases.encrypted = await h.createRealisticBudget(server, { name: 'Write base encrypted', encryptPassword: KEY_PASSWORD, ...runnable });
  // No rules or schedules: imports and adds then run natively without a rules engine.
  bases['no-rules'] = await h.createRealisticBudget(server, { name: 'Write base no rules', withRules: false });
});

test.after(async () => {
  await server?.stop();
});

const readBack = (budget, encryptPassword) => twins.readBack(server, budget, encryptPassword);

for (const kind of ['envelope', 'tracking', 'encrypted', 'no-rules']) {
  test(`${kind} twins: the bank-import script writes what @actual-app/api writes, and answers the same`, async () => {
    const encryptPassword = kind === 'encrypted' ? KEY_PASSWORD : undefined;
    const [theirTwin, ourTwin] = [await twinBudget(server, bases[kind], `${kind} twin upstream`), await twinBudget(server, bases[kind], `${kind} twin ours`)];
    const common = { serverURL: server.url, password: server.password, encryptPassword };
    const [theirScript, ourScript] = await Promise.all([
      h.runWorker({ op: 'script', dataDir: h.tempDir(), syncId: theirTwin.syncId, ...common }),
      h.runNative('native-run.js', { task: 'script', syncId: ourTwin.syncId, ...common }),
    ]);
    assert.deepEqual(ourScript.answers, theirScript, 'the script got the same answers');

    const [theirs, ours] = await Promise.all([readBack(theirTwin, encryptPassword), readBack(ourTwin, encryptPassword)]);
    assert.ok(Object.keys(theirs).length > 100, 'the oracle answered');
    const diffs = differences(theirs, ours);
    assert.deepEqual(diffs, [], report(diffs, theirs, ours));
    assert.deepEqual(ourScript.loaded, [], 'the script loaded no @actual-app module');
  });
}

test('a rule with a formula beyond the native subset: the import is refused and nothing is written', async () => {
  const base = await h.createRealisticBudget(server, { name: 'Write base templates' });
  const api = require('../index.js');
  const file = [{ date: '2026-03-03', amount: -4200, payee_name: 'Template shop', imported_payee: 'templ shop', imported_id: 'tmpl-1' }];

  const client = await api.createClient({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  await client.downloadBudget(base.syncId);
  const checking = await client.getIDByName('accounts', 'Checking');
  const before = await client.getTransactions(checking, '1995-01-01', '2199-12-31');
  const err = await client.importTransactions(checking, file).then(() => assert.fail('expected a refusal'), (e) => e);
  assert.ok(err instanceof api.UnsupportedError, `${err.name}: ${err.message}`);
  assert.equal(err.code, 'unsupported-feature');
  assert.match(err.message, /formula with the function TEXT/);
  assert.deepEqual(await client.getTransactions(checking, '1995-01-01', '2199-12-31'), before, 'nothing was written');
  await client.shutdown();
});
