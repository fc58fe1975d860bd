'use strict';
// Drop-in types: a TypeScript program written against @actual-app/api 26.9.0 compiles
// unchanged against ours with `strict`. Upstream's own declarations (the dev dependency)
// are the oracle: from the export lists of '@actual-app/api' and '@actual-app/api/models'
// a check is generated for every export (so a new upstream export fails here) and
// compiled with tsc: types assignable both ways; functions, ours assignable to upstream's
// type (a call written for upstream compiles on ours) and their answers both ways.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const h = require('./helpers/harness.js');

const TSC = path.join(h.ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const UPSTREAM_TYPES = path.join(h.ROOT, 'node_modules', '@actual-app', 'api', '@types');
// What we ship as types (package.json `files`), for a copy to break on purpose.
const OUR_TYPES = ['index.d.ts', 'api-types.d.ts', 'models.d.ts'];

// Upstream exports not compared, each with why.
const NOT_COMPARED = {
  // init's answer: upstream's hands out its engine's internals (send, db, on, ...), which a
  // native client has not got; its argument is compared (every upstream config is taken).
  'init:answer': true,
};
// What '@actual-app/api/models' re-exports with `export type *` from core's api-models
// beside the types: the engine's converters, values a program cannot use from there.
const MODEL_CONVERTERS = [
  'accountModel',
  'accountGroupModel',
  'categoryModel',
  'categoryGroupModel',
  'payeeModel',
  'ruleModel',
  'tagModel',
  'remoteFileModel',
  'budgetModel',
  'scheduleModel',
];

/** Upstream's exports of one of its entry points: { name, kind: 'function' | 'value' | 'type' }. */
function upstreamExports(file) {
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  return checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file))).map((exp) => {
    const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    const kind = sym.flags & ts.SymbolFlags.Function ? 'function' : sym.flags & ts.SymbolFlags.Value ? 'value' : 'type';
    return { name: exp.name, kind };
  });
}

/** The checks, one function per export; a failed one names the export in tsc's output. */
function checks() {
  const lines = [
    "import type * as Up from '@actual-app/api';",
    "import type * as UpModels from '@actual-app/api/models';",
    "import type * as Ours from 'actual-api-native';",
    "import type * as OursModels from 'actual-api-native/models';",
    '',
    '// An upstream type that failed to resolve would be `any` and match anything.',
    'type IsAny<T> = 0 extends 1 & T ? true : false;',
    '',
  ];
  const root = upstreamExports(path.join(UPSTREAM_TYPES, 'index.d.ts'));
  const models = upstreamExports(path.join(UPSTREAM_TYPES, 'models.d.ts'));
  for (const { name, kind } of root) {
    const up = `typeof Up.${name}`;
    const ours = `typeof Ours.${name}`;
    if (kind === 'function') {
      lines.push(`export function root_${name}(ours: ${ours}, upArgs: Parameters<${up}>, upAnswer: ReturnType<${up}>, ourAnswer: ReturnType<${ours}>) {`);
      lines.push(`  const notAny: IsAny<${up}> = false;`);
      if (NOT_COMPARED[`${name}:answer`]) {
        lines.push(`  const args: Parameters<${ours}> = upArgs;`);
        lines.push('  return [notAny, args, upAnswer, ourAnswer];');
      } else {
        lines.push(`  const asUpstream: ${up} = ours;`);
        lines.push(`  const answer: ReturnType<${ours}> = upAnswer;`);
        lines.push(`  const back: ReturnType<${up}> = ourAnswer;`);
        lines.push('  return [notAny, asUpstream, answer, back, upArgs];');
      }
    } else if (kind === 'value') {
      lines.push(`export function root_${name}(up: ${up}, ours: ${ours}) {`);
      lines.push(`  const notAny: IsAny<${up}> = false;`);
      lines.push(`  const a: ${ours} = up;`);
      lines.push(`  const b: ${up} = ours;`);
      lines.push('  return [notAny, a, b];');
    } else {
      lines.push(`export function root_${name}(up: Up.${name}, ours: Ours.${name}) {`);
      lines.push(`  const a: Ours.${name} = up;`);
      lines.push(`  const b: Up.${name} = ours;`);
      lines.push('  return [a, b];');
    }
    lines.push('}');
  }
  for (const { name, kind } of models) {
    if (kind !== 'type' && MODEL_CONVERTERS.includes(name)) continue;
    const up = kind === 'type' ? `UpModels.${name}` : `typeof UpModels.${name}`;
    const ours = kind === 'type' ? `OursModels.${name}` : `typeof OursModels.${name}`;
    lines.push(`export function models_${name}(up: ${up}, ours: ${ours}) {`);
    lines.push(`  const notAny: IsAny<${up}> = false;`);
    lines.push(`  const a: ${ours} = up;`);
    lines.push(`  const b: ${up} = ours;`);
    lines.push('  return [notAny, a, b];');
    lines.push('}');
  }
  return { source: lines.join('\n') + '\n', root, models };
}

/**
 * Compiles `files` (name -> source) with tsc --strict in a project of its own, where
 * `modules` (name -> declaration file) are mapped; answers { status, output, files }.
 */
function compile(files, { modules, skipLibCheck, module = 'nodenext', moduleResolution = 'nodenext' }) {
  const dir = h.tempDir('actual-types-');
  fs.symlinkSync(path.join(h.ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [name, source] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), source);
  const paths = Object.fromEntries(Object.entries(modules).map(([name, file]) => [name, [file]]));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module, moduleResolution, target: 'es2022', types: [], skipLibCheck, paths },
      files: Object.keys(files),
    }),
  );
  const run = spawnSync(process.execPath, [TSC, '-p', dir, '--listFiles'], { encoding: 'utf8' });
  const output = run.stdout + run.stderr;
  return { status: run.status, output, files: output.split('\n').filter((l) => l.startsWith('/')) };
}

const ours = (dir = h.ROOT) => ({
  'actual-api-native': path.join(dir, 'index.d.ts'),
  'actual-api-native/models': path.join(dir, 'models.d.ts'),
});
const errorsOf = (output) => output.split('\n').filter((l) => /error TS/.test(l));

test('api-types.d.ts and models.d.ts are what scripts/gen-types.js makes of the installed @actual-app/api', () => {
  const run = spawnSync(process.execPath, [path.join(h.ROOT, 'scripts', 'gen-types.js'), '--check'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('every export of @actual-app/api and @actual-app/api/models: ours matches upstream\'s declaration', () => {
  const { source, root, models } = checks();
  // The list is upstream's: its functions and entity types are all there.
  for (const name of ['init', 'getTransactions', 'importTransactions', 'q', 'utils', 'internal']) assert.ok(root.some((e) => e.name === name), name);
  for (const name of ['APIAccountEntity', 'APIRuleEntity', 'Preferences', 'ImportableBudgetType']) assert.ok(models.some((e) => e.name === name && e.kind === 'type'), name);
  // Upstream's own declarations do not compile without skipLibCheck (they reach
  // @actual-app/core's internals); the IsAny checks make sure what is compared resolved.
  const run = compile({ 'checks.ts': source }, { modules: ours(), skipLibCheck: true });
  assert.equal(run.status, 0, errorsOf(run.output).join('\n') || run.output);
});

test('the checks fail on the differences users met (nullable ids, plain-string rule ops, optional errors)', () => {
  // A copy of our declarations with those mistakes put back.
  const dir = h.tempDir('actual-types-broken-');
  for (const f of OUR_TYPES) fs.copyFileSync(path.join(h.ROOT, f), path.join(dir, f));
  const file = path.join(dir, 'api-types.d.ts');
  const breaks = [
    ['    parent_id?: TransactionEntity[\'id\'];', '    parent_id?: TransactionEntity[\'id\'] | null;'],
    ['    op: Op;', '    op: string;'],
    ['Promise<ReconcileTransactionsResult & {\n    errors: Array<', 'Promise<ReconcileTransactionsResult & {\n    errors?: Array<'],
  ];
  let text = fs.readFileSync(file, 'utf8');
  for (const [from, to] of breaks) {
    assert.ok(text.includes(from), `api-types.d.ts has ${from}`);
    text = text.replace(from, to);
  }
  fs.writeFileSync(file, text);
  const { source } = checks();
  const run = compile({ 'checks.ts': source }, { modules: ours(dir), skipLibCheck: true });
  assert.notEqual(run.status, 0, 'the broken copy must not pass');
  // The check each error is in: the last `export function` above its line.
  const lines = source.split('\n');
  const names = new Set(
    errorsOf(run.output).map((l) => {
      const line = Number(/checks\.ts\((\d+),/.exec(l)?.[1]);
      return /export function (\w+)/.exec(lines.slice(0, line).reverse().find((s) => s.startsWith('export function ')) ?? '')?.[1];
    }),
  );
  for (const name of ['root_getTransactions', 'root_getRules', 'root_importTransactions', 'models_APIRuleEntity']) {
    assert.ok(names.has(name), `${name} must fail; failed: ${[...names].join(', ')}`);
  }
});

test('a realistic program written against @actual-app/api compiles on upstream\'s types and, unchanged, on ours alone', () => {
  const program = { 'budget-tools.ts': fs.readFileSync(path.join(__dirname, 'types', 'dropin', 'budget-tools.ts'), 'utf8') };
  const onUpstream = compile(program, { modules: {}, skipLibCheck: true });
  assert.equal(onUpstream.status, 0, errorsOf(onUpstream.output).join('\n') || onUpstream.output);
  assert.ok(onUpstream.files.some((f) => f.includes('/@actual-app/api/@types/')), 'compiled against upstream');

  // Ours in place of @actual-app/api, checked without skipLibCheck: nothing of
  // @actual-app/api or @actual-app/core is read. Under each module resolution real
  // projects use (actual-mcp: bundler; actual-ai: CommonJS's node10).
  const modules = { '@actual-app/api': path.join(h.ROOT, 'index.d.ts'), '@actual-app/api/models': path.join(h.ROOT, 'models.d.ts') };
  for (const [module, moduleResolution] of [['nodenext', 'nodenext'], ['esnext', 'bundler'], ['commonjs', 'node10']]) {
    const onOurs = compile(program, { modules, skipLibCheck: false, module, moduleResolution });
    assert.equal(onOurs.status, 0, `${moduleResolution}: ${errorsOf(onOurs.output).join('\n') || onOurs.output}`);
    assert.deepEqual(onOurs.files.filter((f) => f.includes('/node_modules/@actual-app/')), []);
    assert.ok(onOurs.files.includes(path.join(h.ROOT, 'api-types.d.ts')));
  }
});
