'use strict';
// The native rules engine against upstream's: a budget with many rules built by
// @actual-app/api (helpers/rules-engine.js), hundreds of transactions run one by one
// through upstream's rules engine (`rules-run`) and through ours (the test-only
// binding testOnlyRunRules, which rolls back what it wrote), the results compared
// with generated ids (split parts, payees rules create) mapped to names. Template
// actions included (a corpus of Handlebars templates and every helper).
const test = require('node:test');
const assert = require('node:assert/strict');

const fs = require('node:fs');

const h = require('./helpers/harness.js');

let server;

test.before(async () => {
  server = await h.startServer();
});

test.after(async () => {
  await server?.stop();
});

/** Replaces generated ids: split parts by their place, new payees by their name. */
function canonical(result, newPayeeNames) {
  if (!result || typeof result !== 'object') return result;
  const rename = (v) => (typeof v === 'string' && newPayeeNames.has(v) ? `new payee:${newPayeeNames.get(v)}` : v);
  const out = {};
  for (const [k, v] of Object.entries(result)) {
    if (k === 'subtransactions' && Array.isArray(v)) {
      out[k] = v.map((c, i) => {
        const child = {};
        for (const [ck, cv] of Object.entries(c)) child[ck] = ck === 'id' ? `child ${i}` : rename(cv);
        return child;
      });
    } else {
      out[k] = rename(v);
    }
  }
  return out;
}

test('the native rules engine gives what upstream runRules gives', async () => {
  const budget = await h.runWorker({ op: 'buildRulesBudget', name: 'Rules engine', dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  const common = { serverURL: server.url, password: server.password, syncId: budget.syncId };
  const { transactions } = await h.runWorker({ op: 'rulesRun', listOnly: true, dataDir: h.tempDir(), ...common });
  // Ours first: upstream's run writes the payees its rules create, and syncs them.
  const ours = (await h.runNative('native-rules.js', { ...common, transactions })).answers;
  const theirs = await h.runWorker({ op: 'rulesRun', transactions, dataDir: h.tempDir(), ...common });
  assert.equal(ours.loadError, undefined, 'every rule of the fixture runs natively');

  const before = new Set(theirs.payeesBefore);
  const theirNew = new Map(theirs.payees.filter((p) => !before.has(p.id)).map((p) => [p.id, p.name]));
  const ourNew = new Map(Object.entries(ours.newPayees));

  let fired = 0;
  const diffs = [];
  theirs.transactions.forEach((t, i) => {
    const a = theirs.results[i];
    const b = ours.results[i];
    const upstream = a.ok ? { ok: canonical(a.ok, theirNew) } : { error: a.error.message };
    const native = b.ok ? { ok: canonical(b.ok, ourNew) } : { error: b.error.message };
    if (JSON.stringify(upstream) !== JSON.stringify(native)) diffs.push({ i, transaction: t, upstream, native });
    if (a.ok && JSON.stringify(Object.keys(a.ok)) !== JSON.stringify(Object.keys(t))) fired++;
  });
  assert.ok(fired > 100, `rules changed most transactions (${fired})`);
  // The template corpus (rules-engine.js) ran on both sides without an error.
  const templated = theirs.results.filter((r, i) => /^tmpl /.test(theirs.transactions[i].imported_payee ?? ''));
  assert.ok(templated.length >= 50 && templated.every((r) => r.ok), 'upstream ran every template rule');
  if (process.env.RULES_DUMP) fs.writeFileSync(process.env.RULES_DUMP, JSON.stringify(diffs, null, 1));
  assert.deepEqual(diffs.slice(0, 5), [], `${diffs.length} of ${theirs.transactions.length} differ`);
  assert.deepEqual([...ourNew.values()].sort(), [...theirNew.values()].sort(), 'rules created the same payees');
});

test('templates beyond what this engine renders are refused, naming the construct; upstream runs them', async () => {
  const cases = [
    ['{{#if notes}}yes{{else}}no{{/if}}', /\{\{#/],
    ['{{! a comment }}[{{notes}}]', /\{\{!/],
    ['{{concat notes "!" sep=", "}}', /hash arguments/],
    ['{{notes}} {{~imported_payee}}', /\{\{~/],
    ['[{{lookup this "notes"}}]', /lookup/],
    // Upstream's text would hold half of a surrogate pair.
    ['{{regex "é😀" "/(?:)/g" "|"}}', /splits a character/],
  ];
  const transactions = [{ date: '2024-01-05', amount: -100, notes: 'hello', imported_payee: 'X' }];
  for (const [n, [template, named]] of cases.entries()) {
    const rules = [{ stage: null, conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'is', value: 'X' }], actions: [{ op: 'set', field: 'notes', value: '', options: { template } }] }];
    const budget = await h.runWorker({ op: 'buildRulesBudget', name: `Refused template ${n}`, rules, dataDir: h.tempDir(), serverURL: server.url, password: server.password });
    const common = { serverURL: server.url, password: server.password, syncId: budget.syncId };
    const ours = (await h.runNative('native-rules.js', { ...common, transactions })).answers;
    assert.equal(ours.loadError?.code, 'unsupported-feature', template);
    assert.match(ours.loadError.message, named);
    const theirs = await h.runWorker({ op: 'rulesRun', transactions, dataDir: h.tempDir(), ...common });
    assert.ok(theirs.results[0].ok && theirs.results[0].ok.notes !== 'hello', `upstream runs ${template}: ${JSON.stringify(theirs.results[0])}`);
  }
});
