'use strict';
// Regenerates api-types.d.ts and models.d.ts from the pinned @actual-app/api's own
// declarations (node_modules/@actual-app/api/@types), so that our types are upstream's
// shapes without our package depending on @actual-app/api or @actual-app/core.
//
// It copies each declaration upstream's public surface reaches, following references into
// @actual-app/core's @types, into one standalone file: the text of the declaration as
// upstream wrote it, with `import("…").X` and imported names rewritten to local names.
// What cannot stand alone (the engine's internals, reachable only through the deprecated
// `internal`) is declared loosely instead, in OPAQUE.
//
//   node scripts/gen-types.js          write the files
//   node scripts/gen-types.js --check  exit 1 if they are not what would be written
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.join(__dirname, '..');
// (neither package exports its package.json: found from the module directory)
const apiDir = path.join(root, 'node_modules', '@actual-app', 'api');
const coreDir = path.join(root, 'node_modules', '@actual-app', 'core');
const { version } = JSON.parse(fs.readFileSync(path.join(apiDir, 'package.json'), 'utf8'));

// Declarations upstream reaches that do not stand alone: name in the file, what we declare.
const OPAQUE = {
  'core:server/main.d.ts#lib':
    "/** The official engine's internal object (its message handlers and db module are not typed here). */\n" +
    'declare const lib: {\n' +
    '    getDataDir: () => string;\n' +
    '    sendMessage: (msg: any, args: any) => void;\n' +
    '    send: any;\n' +
    '    on: (name: any, func: any) => void;\n' +
    '    q: typeof q;\n' +
    '    db: any;\n' +
    '    amountToInteger: typeof utils.amountToInteger;\n' +
    '    integerToAmount: typeof utils.integerToAmount;\n' +
    '};',
};
// Two upstream declarations of one thing: the first is written as the second.
const SAME_AS = {
  // core's Query class is the one @actual-app/api re-declares for q(); aqlQuery takes either.
  'core:shared/query.d.ts#Query': 'api:app/query.d.ts#Query',
  'core:shared/query.d.ts#q': 'api:app/query.d.ts#q',
};
// Root exports we do not generate: index.d.ts declares them (ours takes more options).
const HAND_WRITTEN = new Set(['init']);

/** `api:methods.d.ts`-style key of a declaration's file, or null outside the two packages. */
function fileKey(fileName) {
  const f = path.resolve(fileName);
  if (f.startsWith(path.join(apiDir, '@types') + path.sep)) return 'api:' + path.relative(path.join(apiDir, '@types'), f).split(path.sep).join('/');
  if (f.startsWith(path.join(coreDir, '@types', 'src') + path.sep)) return 'core:' + path.relative(path.join(coreDir, '@types', 'src'), f).split(path.sep).join('/');
  return null;
}

function generate() {
  const entry = path.join(apiDir, '@types', 'index.d.ts');
  const modelsEntry = path.join(apiDir, '@types', 'models.d.ts');
  const program = ts.createProgram([entry, modelsEntry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const moduleOf = (file) => checker.getSymbolAtLocation(program.getSourceFile(file));
  const resolve = (sym) => (sym && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym);
  const keyOf = (sym) => {
    const decl = sym.declarations && sym.declarations[0];
    const fk = decl && fileKey(decl.getSourceFile().fileName);
    return fk ? `${fk}#${sym.name}` : null;
  };

  // Every declaration we copy, by key (`core:types/models/rule.d.ts#RuleEntity`): { sym, name }.
  const copied = new Map();
  const byName = new Map();
  const queue = [];
  const publicKeys = new Set();

  /** Queues `sym` (resolved) for copying and answers the name it has in our file. */
  function want(sym, isPublic) {
    const key = keyOf(sym);
    if (!key) throw new Error(`not an @actual-app declaration: ${sym.name}`);
    if (SAME_AS[key]) return want(findDeclared(SAME_AS[key]), isPublic);
    if (isPublic) publicKeys.add(key);
    if (!copied.has(key)) {
      const name = sym.name;
      if (byName.has(name)) {
        throw new Error(`two upstream declarations named ${name}: ${byName.get(name)} and ${key} (add one to SAME_AS)`);
      }
      byName.set(name, key);
      copied.set(key, { sym, name });
      queue.push(key);
    }
    return copied.get(key).name;
  }

  /** The declaration a `pkg:file#name` key names. */
  function findDeclared(key) {
    const [file, name] = key.split('#');
    const [pkg, rel] = file.split(':');
    const abs = pkg === 'api' ? path.join(apiDir, '@types', rel) : path.join(coreDir, '@types', 'src', rel);
    const sf = program.getSourceFile(abs);
    const found = sf.symbol.exports.get(name) || sf.locals.get(name);
    if (!found) throw new Error(`${file} declares no ${name}`);
    return found;
  }

  // The roots: @actual-app/api's root exports and what @actual-app/api/models exports.
  const rootExports = checker.getExportsOfModule(moduleOf(entry));
  const rootNames = [];
  let utilsMembers = [];
  for (const exp of rootExports) {
    if (HAND_WRITTEN.has(exp.name)) continue;
    const sym = resolve(exp);
    if (sym.flags & ts.SymbolFlags.ValueModule) {
      // `export * as utils from './utils'`: a namespace of core's functions.
      utilsMembers = checker.getExportsOfModule(sym).map((m) => ({ exported: m.name, sym: resolve(m) }));
      for (const m of utilsMembers) want(m.sym, false);
      rootNames.push(exp.name);
      continue;
    }
    want(sym, true);
    rootNames.push(exp.name);
  }
  const modelExports = [];
  for (const exp of checker.getExportsOfModule(moduleOf(modelsEntry))) {
    const sym = resolve(exp);
    // `export type *` also re-exports core's converter objects (accountModel, …) as types;
    // they are the engine's internals, not the API: only types are taken.
    if (!(sym.flags & ts.SymbolFlags.Type)) continue;
    modelExports.push({ exported: exp.name, local: want(sym, true) });
  }
  // What @actual-app/api's methods import by name is public too (entity types), and so is
  // every entity type of core's types/models (what programs import from
  // '@actual-app/core/types/models' beside @actual-app/api) that upstream reaches.
  for (const sf of program.getSourceFiles()) {
    if (!['api:methods.d.ts', 'api:app/query.d.ts'].includes(fileKey(sf.fileName))) continue;
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !st.importClause?.namedBindings || !ts.isNamedImports(st.importClause.namedBindings)) continue;
      for (const el of st.importClause.namedBindings.elements) {
        const sym = resolve(checker.getSymbolAtLocation(el.name));
        if (sym && sym.flags & ts.SymbolFlags.Type) want(sym, true);
      }
    }
  }

  // Copy: each declaration's text with its references rewritten.
  const texts = new Map();
  while (queue.length) {
    const key = queue.shift();
    if (OPAQUE[key]) {
      texts.set(key, OPAQUE[key]);
      continue;
    }
    const parts = [];
    for (const decl of copied.get(key).sym.declarations) {
      const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
      const sf = node.getSourceFile();
      const start = node.getStart(sf, true);
      const edits = [];
      const visit = (n) => {
        let ref = null;
        let whole = null; // the node replaced by the reference's name
        if (ts.isTypeReferenceNode(n)) (ref = n.typeName), (whole = n.typeName);
        else if (ts.isExpressionWithTypeArguments(n)) (ref = n.expression), (whole = n.expression);
        else if (ts.isTypeQueryNode(n)) (ref = n.exprName), (whole = n.exprName);
        else if (ts.isImportTypeNode(n)) {
          ref = n.qualifier;
          whole = { pos: n.getStart(sf), end: n.qualifier.end };
        }
        if (ref) {
          const target = resolve(checker.getSymbolAtLocation(ts.isQualifiedName(ref) ? ref.right : ref));
          if (!target) throw new Error(`unresolved reference ${ref.getText(sf)} in ${key}`);
          const decl0 = target.declarations && target.declarations[0];
          if (target.flags & ts.SymbolFlags.TypeParameter) {
            /* local */
          } else if (decl0 && ts.isSourceFile(decl0)) {
            // `typeof db` (a whole module of the engine): not typed here.
            edits.push({ pos: n.getStart(sf), end: n.end, text: 'any' });
            return;
          } else if (decl0 && fileKey(decl0.getSourceFile().fileName)) {
            const inUtils = utilsMembers.find((m) => m.sym === target);
            const name = inUtils ? `utils.${inUtils.exported}` : want(target, false);
            edits.push({ pos: ts.isImportTypeNode(n) ? whole.pos : whole.getStart(sf), end: whole.end, text: name });
          } else if (!decl0 || !/[\\/]typescript[\\/]lib[\\/]/.test(decl0.getSourceFile().fileName)) {
            throw new Error(`${key} references ${target.name}, which is neither upstream's nor TypeScript's`);
          }
        }
        ts.forEachChild(n, visit);
      };
      ts.forEachChild(node, visit);
      let text = sf.text.slice(start, node.end);
      for (const e of edits.sort((a, b) => b.pos - a.pos)) {
        text = text.slice(0, e.pos - start) + e.text + text.slice(e.end - start);
      }
      parts.push(text.replace(/^((?:\/\*\*[\s\S]*?\*\/\s*)?)export /, '$1'));
    }
    texts.set(key, parts.join('\n'));
  }

  // Write: the root's functions first, then the types grouped by the file they come from.
  const header =
    `// Generated by scripts/gen-types.js from @actual-app/api ${version}'s declarations; do not edit.\n` +
    `// Upstream's types as it declares them, with the @actual-app/core types they reference\n` +
    `// copied in, so that nothing else needs to be installed.\n`;
  const isPublic = (key) =>
    publicKeys.has(key) ||
    rootNames.includes(copied.get(key).name) ||
    (key.startsWith('core:types/models/') && !(copied.get(key).sym.flags & ts.SymbolFlags.Value));
  // A class upstream does not export as a value (Query) is exported as a type only.
  const typeOnly = (key) => isPublic(key) && !rootNames.includes(copied.get(key).name) && copied.get(key).sym.flags & ts.SymbolFlags.Class;
  const exported = (key) => (isPublic(key) && !typeOnly(key) ? 'export ' : '');
  let out = header + '\n';
  const rootKeys = [...copied.keys()].filter((k) => k.startsWith('api:') && rootNames.includes(copied.get(k).name));
  out += '// ---- @actual-app/api\'s functions ---------------------------------------------------\n\n';
  for (const key of rootKeys) out += withExport(texts.get(key), exported(key)) + '\n';
  out += `\nexport declare namespace utils {\n${utilsMembers.map((m) => '  ' + texts.get(keyOf(m.sym)).replace(/^declare /, '').replace(/\n/g, '\n  ') + '\n').join('')}}\n`;
  const files = new Map();
  for (const key of copied.keys()) {
    if (rootKeys.includes(key) || utilsMembers.some((m) => keyOf(m.sym) === key)) continue;
    const file = key.split('#')[0];
    if (!files.has(file)) files.set(file, []);
    files.get(file).push(key);
  }
  for (const [file, keys] of files) {
    const [pkg, rel] = file.split(':');
    const from = pkg === 'api' ? `@actual-app/api/@types/${rel}` : `@actual-app/core/@types/src/${rel}`;
    out += `\n// ---- from ${from} ${'-'.repeat(Math.max(3, 80 - 12 - from.length))}\n\n`;
    for (const key of keys) {
      out += withExport(texts.get(key), exported(key)) + '\n';
      if (typeOnly(key)) out += `export type { ${copied.get(key).name} };\n`;
    }
  }

  // Without it, every declaration of a .d.ts module counts as exported.
  out += '\nexport {};\n';

  const models =
    `// Generated by scripts/gen-types.js from @actual-app/api ${version}'s models.d.ts; do not edit.\n` +
    `// The entry point '@actual-app/api/models': the entity types of upstream's API.\n\n` +
    `export type {\n${modelExports.map((m) => `  ${m.local === m.exported ? m.local : `${m.local} as ${m.exported}`},`).join('\n')}\n} from './api-types';\n`;
  return { 'api-types.d.ts': out, 'models.d.ts': models };
}

/** Adds `export ` to a declaration (after its JSDoc), `declare` where a value needs one. */
function withExport(text, prefix) {
  return text.replace(/^((?:\/\*\*[\s\S]*?\*\/\s*)?)/, `$1${prefix}`);
}

const files = generate();
if (process.argv.includes('--check')) {
  const stale = Object.keys(files).filter((f) => !fs.existsSync(path.join(root, f)) || fs.readFileSync(path.join(root, f), 'utf8') !== files[f]);
  if (stale.length) {
    console.error(`stale: ${stale.join(', ')} (run node scripts/gen-types.js)`);
    process.exit(1);
  }
} else {
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(root, f), text);
}
