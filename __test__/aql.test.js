'use strict';
// ActualQL against the oracle: the corpus (helpers/aql-corpus.js) run by
// @actual-app/api and by this package on twin copies of one realistic budget (splits,
// transfers, dead rows, schedules) on a real sync-server. Natively (with
// @actual-app/api unresolvable) every query answers exactly what upstream answers —
// data, dependencies, key order, errors — except the few this package hands over,
// which are named here and must reject with UnsupportedError; with the official engine
// installed those are handed to it and answer as upstream does. Also: `q(...)` builds
// the state upstream's builder builds, for every method.
const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');

const h = require('./helpers/harness.js');
const { corpus } = require('./helpers/aql-corpus.js');

// Queries not answered natively, and why (the hand-over decides before answering).
const HANDED_OVER = new Set([
  // `undefined` does not survive the trip to the engine as JSON.
  'undefined value',
]);

let server;
let budget;
const runs = {};

function keyOrder(value) {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
  return value;
}

// Errors compare by name and message (upstream's carry no code).
function comparable(outcome) {
  if (!outcome || !outcome.error) return outcome;
  return { error: { name: outcome.error.name, message: outcome.error.message } };
}

function run(engine) {
  const common = { serverURL: server.url, password: server.password, syncId: budget.syncId, engine };
  return h.runNative('aql-run.js', common);
}

test.before(async () => {
  server = await h.startServer();
  budget = await h.createRealisticBudget(server, { name: 'AQL budget' });
  [runs.upstream, runs.native, runs.dropIn] = await Promise.all([run('upstream'), run('native'), run('drop-in')]);
});

test.after(async () => {
  await server?.stop();
});

test('the corpus is large and upstream answers most of it', () => {
  const answers = Object.values(runs.upstream.answers);
  assert.ok(answers.length >= 100, `corpus of ${answers.length}`);
  assert.ok(answers.filter((a) => a.ok).length >= 75, 'upstream answered the queries');
  assert.ok(answers.some((a) => a.ok && Array.isArray(a.ok.data) && a.ok.data.length > 50), 'some answers are large');
});

test('natively, with @actual-app/api unreachable: every query answers as upstream, key order included', () => {
  const { answers, loaded } = runs.native;
  assert.deepEqual(loaded, [], 'no @actual-app module loaded');
  const differing = [];
  for (const [label, theirs] of Object.entries(runs.upstream.answers)) {
    const ours = answers[label];
    if (HANDED_OVER.has(label)) {
      assert.equal(ours.error?.code, 'unsupported-feature', `${label} is handed over: ${JSON.stringify(ours)}`);
      assert.equal(ours.error?.name, 'UnsupportedError');
      continue;
    }
    if (!isDeepStrictEqual(keyOrder(comparable(theirs)), keyOrder(comparable(ours)))) differing.push(label);
  }
  const report = differing
    .slice(0, 5)
    .map((l) => `${l}\n  upstream: ${JSON.stringify(runs.upstream.answers[l]).slice(0, 1200)}\n  ours:     ${JSON.stringify(answers[l]).slice(0, 1200)}`)
    .join('\n');
  assert.deepEqual(differing, [], report);
});

test('with the official engine installed, what is handed over answers as upstream too', () => {
  for (const label of HANDED_OVER) {
    assert.deepEqual(comparable(runs.dropIn.answers[label]), comparable(runs.upstream.answers[label]), label);
  }
  const differing = Object.keys(runs.upstream.answers).filter(
    (label) => !isDeepStrictEqual(keyOrder(comparable(runs.upstream.answers[label])), keyOrder(comparable(runs.dropIn.answers[label]))),
  );
  assert.deepEqual(differing, []);
});

test('q() serializes as upstream q() does, for every builder method', () => {
  const ours = require('../index.js');
  const theirs = require('@actual-app/api');
  const chains = [
    (q) => q('transactions'),
    (q) => q('transactions').filter({ amount: { $lt: 0 } }).filter({ date: { $gte: new Date(2024, 0, 1) } }),
    (q) => q('transactions').filter({ amount: 1 }).filter({ notes: 'x' }).unfilter(['amount']),
    (q) => q('transactions').filter({ amount: 1 }).unfilter(),
    (q) => q('transactions').filter({ amount: 1 }).unfilter([]),
    (q) => q('accounts').select(),
    (q) => q('accounts').select('*'),
    (q) => q('accounts').select(['name', { n: { $count: '$id' } }]),
    (q) => q('accounts').select({ total: { $sum: '$amount' } }),
    (q) => q('transactions').calculate({ $sum: '$amount' }),
    (q) => q('transactions').calculate({ $sum: '$amount' }).select('id'),
    (q) => q('transactions').groupBy('payee').groupBy(['category', { $month: '$date' }]),
    (q) => q('transactions').orderBy('date').orderBy([{ amount: 'desc' }, 'id']),
    (q) => q('transactions').limit(10).offset(20),
    (q) => q('transactions').raw().withDead().withoutValidatedRefs(),
    (q) => q('transactions').options({ splits: 'grouped' }).options({ splits: 'all' }),
    (q) => q('transactions').filter({ amount: 5 }).select('*').reset(),
  ];
  for (const chain of chains) {
    const a = chain(ours.q);
    const b = chain(theirs.q);
    assert.deepEqual(keyOrder(a.serialize()), keyOrder(b.serialize()), chain.toString());
    assert.equal(a.serializeAsString(), b.serializeAsString());
  }
  // Each method returns a new query and leaves its receiver as it was.
  const base = ours.q('accounts');
  const before = JSON.stringify(base.serialize());
  assert.notEqual(base.filter({ closed: false }), base);
  assert.equal(JSON.stringify(base.serialize()), before);
  assert.deepEqual(Object.getOwnPropertyNames(Object.getPrototypeOf(base)).sort(), Object.getOwnPropertyNames(Object.getPrototypeOf(theirs.q('x'))).sort());
});
