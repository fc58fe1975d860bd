'use strict';
// Copies @actual-app/core's SQL migrations (and init.sql) into crates/budget/migrations/ and writes the
// rows its JavaScript migration `create_dashboard_table` inserts into a budget without
// custom reports (DEFAULT_DASHBOARD_STATE), as JSON. Run after changing the
// @actual-app/core version: `node scripts/gen-migrations.js`.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.resolve(__dirname, '..');
const CORE = path.join(ROOT, 'node_modules/@actual-app/core');
const OUT = path.join(ROOT, 'crates/budget/migrations');

fs.mkdirSync(OUT, { recursive: true });
for (const name of fs.readdirSync(OUT)) if (name.endsWith('.sql')) fs.rmSync(path.join(OUT, name));
const sql = fs.readdirSync(path.join(CORE, 'migrations')).filter((n) => n.endsWith('.sql')).sort();
for (const name of sql) fs.copyFileSync(path.join(CORE, 'migrations', name), path.join(OUT, name));
// The schema a new budget starts from before its first migration (the crate's tests
// migrate it).
fs.copyFileSync(path.join(CORE, 'src/server/sql/init.sql'), path.join(OUT, 'init.sql'));

// dashboard.ts is one exported array literal: evaluate it without its types.
const source = fs
  .readFileSync(path.join(CORE, 'src/shared/dashboard.ts'), 'utf8')
  .replace(/^import type .*$/m, '')
  .replace(/export const DEFAULT_DASHBOARD_STATE: [^=]+=/, 'result =');
const sandbox = { JSON, result: null };
vm.runInNewContext(source, sandbox);
const rows = sandbox.result.map((w) => ({
  type: w.type,
  width: w.width,
  height: w.height,
  x: w.x,
  y: w.y,
  meta: w.meta !== undefined && w.meta !== null ? JSON.stringify(w.meta) : null,
}));
fs.writeFileSync(path.join(OUT, 'default-dashboard.json'), JSON.stringify(rows, null, 1) + '\n');
console.log(`${sql.length} SQL migrations, ${rows.length} default dashboard widgets`);
