'use strict';
// The lists that must agree, checked without a server: the files generated from the
// error table (scripts/error-table.js) are current and every native error kind has its
// class there; the methods are the same in the engine (its READS and WRITES tables),
// client.js, index.js and index.d.ts. (That each upstream export is exported and typed
// as upstream's is dropin.test.js's and types-dropin.test.js's.)
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const ts = require('typescript');

const h = require('./helpers/harness.js');
const native = require('../addon.js');
const api = require('../index.js');
const { Client, READ_ARGS, WRITE_ARGS } = require('../client.js');
const { CLASS_BY_KIND } = require('../errors.js');
const { TABLE, stale } = require('../scripts/gen-tables.js');

const sorted = (names) => [...names].sort();

test('errors.js, index.d.ts and index.mjs are what scripts/gen-tables.js makes of the error table and index.js', () => {
  assert.deepEqual(stale(), [], 'run npm run gen');
});

test('every native error kind has one class in the error table, and every class of it a native kind', () => {
  const kinds = native.errorKinds();
  assert.ok(kinds.length >= 16, kinds.join());
  assert.deepEqual(sorted(TABLE.map((e) => e.kind)), sorted(kinds));
  for (const entry of TABLE) assert.equal(CLASS_BY_KIND[entry.kind], api[entry.name], entry.kind);
});

/** The table's entry for `name` and its parents in the table, the entry first. */
function lineage(name) {
  const chain = [];
  for (let e = TABLE.find((t) => t.name === name); e; e = TABLE.find((t) => t.name === e.extends)) chain.push(e);
  return chain;
}

test('each error class is what its table entry says: parent, name, the fields it keeps, its constants and default code', () => {
  for (const entry of TABLE) {
    const ErrorClass = api[entry.name];
    const chain = lineage(entry.name);
    const root = chain[chain.length - 1];
    assert.equal(Object.getPrototypeOf(ErrorClass), api[entry.extends] ?? globalThis[root.extends], entry.name);
    const name = chain.find((e) => e.jsName)?.jsName ?? entry.name;
    const fields = Object.assign({}, ...chain.map((e) => e.fields));
    const constants = Object.assign({}, ...chain.map((e) => e.constants));

    // Every field given (each a value of its own): each kept, the constants over them.
    const given = Object.fromEntries(Object.keys(fields).map((f, i) => [f, `${f}-${i}`]));
    const cause = new Error('cause');
    const full = new ErrorClass('the message', { ...given, cause, unknownField: 1 });
    assert.ok(full instanceof Error && full instanceof api[root.name], entry.name);
    assert.equal(full.message, 'the message');
    assert.equal(full.name, name);
    assert.equal(full.cause, cause);
    assert.equal(full.unknownField, undefined);
    for (const f of Object.keys(fields)) assert.equal(full[f], constants[f] ?? given[f], `${entry.name}.${f}`);
    for (const [c, value] of Object.entries(constants)) assert.equal(full[c], value, `${entry.name}.${c}`);

    // None given: the default code, no cause, optional fields undefined (null too).
    const bare = new ErrorClass('bare', { status: null, reason: null });
    assert.equal(bare.code, chain.find((e) => e.code)?.code, `${entry.name}'s default code`);
    assert.ok(!('cause' in bare));
    for (const [f, field] of Object.entries(fields)) if (!field.required) assert.equal(bare[f], undefined, `${entry.name}.${f}`);
  }
});

test("the engine's reads and writes are the ones client.js maps arguments for", () => {
  assert.deepEqual(sorted(Object.keys(READ_ARGS)), sorted(native.nativeReads()));
  assert.deepEqual(sorted(Object.keys(WRITE_ARGS)), sorted(native.nativeWrites()));
});

/** index.d.ts as the TypeScript checker sees it: its exports and `members(interface name)`. */
let declared;
function declarations() {
  declared ??= readDeclarations();
  return declared;
}

function readDeclarations() {
  const file = path.join(h.ROOT, 'index.d.ts');
  const program = ts.createProgram([file], { noEmit: true, strict: true, types: [] });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)));
  const members = (name) =>
    checker
      .getDeclaredTypeOfSymbol(exports.find((s) => s.name === name))
      .getProperties()
      .map((p) => p.name);
  return { exports, members };
}

test("index.d.ts's BudgetClient declares exactly a client's methods", () => {
  const methods = Object.getOwnPropertyNames(Client.prototype).filter((n) => n !== 'constructor');
  assert.ok(methods.includes('getTransactions') && methods.includes('importTransactions') && methods.includes('closeBudget'));
  assert.deepEqual(sorted(declarations().members('BudgetClient')), sorted(methods));
});

test("index.d.ts declares exactly index.js's exports as values", () => {
  const values = declarations().exports.filter((s) => s.flags & ts.SymbolFlags.Value);
  assert.deepEqual(sorted(values.map((s) => s.name)), sorted(Object.keys(api)));
  // and a function as a function (or a class as a class)
  for (const s of values) {
    if (typeof api[s.name] !== 'function') continue;
    const isClass = /^class\b/.test(Function.prototype.toString.call(api[s.name]));
    assert.ok(s.flags & (isClass ? ts.SymbolFlags.Class | ts.SymbolFlags.Variable : ts.SymbolFlags.Function), s.name);
  }
});

test("index.d.ts's Api declares exactly what init() resolves to", async () => {
  const answer = await api.init({ dataDir: h.tempDir() });
  try {
    assert.deepEqual(sorted(declarations().members('Api')), sorted(Object.keys(answer)));
  } finally {
    await api.shutdown();
  }
});
