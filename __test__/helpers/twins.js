'use strict';
// Twin budgets (the technique in shared/reference/NATIVE-ENGINE.md): the same snapshot
// uploaded again as a new file, so two budgets hold the same rows and ids under
// different sync ids. Run one script through @actual-app/api on one twin and through
// this package on the other, have the real client read both, and compare the answers
// with generated ids mapped to names.
const crypto = require('node:crypto');
const { isDeepStrictEqual } = require('node:util');

async function call(server, route, { headers = {}, body, json } = {}) {
  const res = await fetch(`${server.url}/sync/${route}`, {
    method: body !== undefined || json !== undefined ? 'POST' : 'GET',
    headers: { 'x-actual-token': server.sessionToken, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: json !== undefined ? JSON.stringify(json) : body,
  });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return res;
}

/** Uploads `budget`'s snapshot again as a new file named `name`; returns { syncId, cloudFileId }. */
async function twinBudget(server, budget, name) {
  const info = (await (await call(server, 'get-user-file-info', { headers: { 'x-actual-file-id': budget.cloudFileId } })).json()).data;
  const bytes = Buffer.from(await (await call(server, 'download-user-file', { headers: { 'x-actual-file-id': budget.cloudFileId } })).arrayBuffer());
  const fileId = crypto.randomUUID();
  const headers = {
    'x-actual-file-id': fileId,
    'x-actual-name': encodeURIComponent(name),
    'x-actual-format': String(info.syncVersion ?? 2),
    'content-type': 'application/encrypted-file',
  };
  if (info.encryptMeta) headers['x-actual-encrypt-meta'] = JSON.stringify(info.encryptMeta);
  await call(server, 'upload-user-file', { headers, body: bytes });
  if (info.encryptMeta) {
    const key = (await (await call(server, 'user-get-key', { json: { fileId: budget.cloudFileId } })).json()).data;
    await call(server, 'user-create-key', { json: { fileId, keyId: key.id, keySalt: key.salt, testContent: key.test } });
  }
  const files = (await (await call(server, 'list-user-files')).json()).data;
  const file = files.find((f) => f.fileId === fileId);
  return { id: budget.id, syncId: file.groupId, cloudFileId: fileId };
}

/**
 * Replaces every generated id in `answers` (readEverything's output) by a name that
 * means the same on both twins, and sorts what upstream orders by generated values
 * (transactions of one sort_order tie; rules of one rank) by that name instead.
 */
function canonical(answers) {
  const names = new Map();
  const name = (id, label) => {
    if (typeof id === 'string' && !names.has(id)) names.set(id, label);
  };
  const list = (key) => (Array.isArray(answers[key]) ? answers[key] : []);
  for (const a of list('getAccounts()')) name(a.id, `account:${a.name}`);
  for (const g of list('getAccountGroups()')) name(g.id, `accountGroup:${g.name}`);
  for (const g of list('getCategoryGroups()')) {
    name(g.id, `group:${g.name}`);
    for (const c of g.categories || []) name(c.id, `category:${c.name}`);
  }
  for (const c of list('getCategories({hidden:true})')) name(c.id, `category:${c.name}`);
  for (const p of list('getPayees()')) name(p.id, `payee:${p.transfer_acct ? 'transfer:' : ''}${p.name}`);
  for (const s of list('getSchedules()')) name(s.id, `schedule:${s.name}`);
  for (const t of list('getTags()')) name(t.id, `tag:${t.tag}`);
  const accountName = (id) => names.get(id) || id;
  const seen = new Map();
  const txnLabel = (t) => {
    const base = `txn:${accountName(t.account)}|${t.date}|${t.amount}|${names.get(t.payee) || t.payee}|${t.notes}|${t.imported_id}|${t.parent_id ? 'child' : 'top'}`;
    const n = (seen.get(base) || 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  };
  for (const [key, value] of Object.entries(answers)) {
    if (!key.startsWith('getTransactions(') || !Array.isArray(value)) continue;
    for (const t of value) {
      if (!names.has(t.id)) name(t.id, txnLabel(t));
      for (const s of t.subtransactions || []) if (!names.has(s.id)) name(s.id, txnLabel(s));
    }
  }
  const rename = (value) => {
    if (typeof value === 'string') return names.get(value) ?? value;
    if (Array.isArray(value)) return value.map(rename);
    if (value && typeof value === 'object') {
      const out = {};
      for (const [k, v] of Object.entries(value)) if (k !== 'sort_order') out[names.get(k) ?? k] = rename(v);
      return out;
    }
    return value;
  };
  // Rules have no name: a rule is what it does.
  for (const r of list('getRules()')) name(r.id, `rule:${JSON.stringify(rename({ ...r, id: undefined }))}`);
  const byJson = (a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  const out = {};
  for (const [key, value] of Object.entries(answers)) {
    let v = rename(value);
    if (Array.isArray(v) && (key.startsWith('getTransactions(') || key.startsWith('getRules') || key.startsWith('getPayeeRules'))) {
      v = v.map((t) => (t && Array.isArray(t.subtransactions) ? { ...t, subtransactions: [...t.subtransactions].sort(byJson) } : t)).sort(byJson);
    }
    out[rename(key)] = v;
  }
  return out;
}

/** The keys of two canonical answers whose values differ. */
function differences(theirs, ours) {
  const keys = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])];
  return keys.filter((key) => !isDeepStrictEqual(theirs[key], ours[key]));
}

/** The first differences, both sides shown, for an assertion message. */
function report(diffs, theirs, ours) {
  return diffs
    .slice(0, 6)
    .map((key) => `${key}\n  upstream: ${JSON.stringify(theirs[key])?.slice(0, 2000)}\n  ours:     ${JSON.stringify(ours[key])?.slice(0, 2000)}`)
    .join('\n');
}

/**
 * What the real client reads of `budget` on `server`, ids mapped to names; `dbRows`
 * ({ label: sql }) adds rows of the db.sqlite it downloaded, as `db: label`.
 */
async function readBack(server, budget, encryptPassword, dbRows) {
  const h = require('./harness.js');
  const answers = await h.runWorker({ op: 'readAll', dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId, encryptPassword, dbRows });
  return canonical(answers);
}

/**
 * A realistic budget named `name`, set up by the worker op `link` (`linkArgs`: e.g. its
 * bank accounts linked) and uploaded, then two twins of it holding the same accounts:
 * `run(steps)` runs `steps(twin, accountIdsByName)` with the real client on the first
 * twin and with ours on the second; `readRaw(twin)` is what the real client reads.
 */
async function linkedTwins(server, { name, link, linkArgs }) {
  const h = require('./harness.js');
  const assert = require('node:assert/strict');
  const common = { serverURL: server.url, password: server.password };
  const linked = await h.createRealisticBudget(server, { name, withUnrunnableRules: false });
  await h.runWorker({ op: link, dataDir: h.tempDir(), syncId: linked.syncId, upload: true, ...linkArgs, ...common });
  const twins = [await twinBudget(server, linked, `${name} twin upstream`), await twinBudget(server, linked, `${name} twin ours`)];
  const readRaw = (twin) => h.runWorker({ op: 'readAll', dataDir: h.tempDir(), syncId: twin.syncId, ...common });
  const ids = await Promise.all(twins.map(async (t) => Object.fromEntries((await readRaw(t))['getAccounts()'].map((a) => [a.name, a.id]))));
  assert.deepEqual(ids[0], ids[1], 'the twins hold the same accounts');
  const run = (steps) =>
    Promise.all([
      h.runWorker({ op: 'steps', dataDir: h.tempDir(), ...common, steps: steps(twins[0], ids[0]) }),
      h.runNative('native-steps.js', { ...common, steps: steps(twins[1], ids[1]) }),
    ]);
  return { twins, ids, run, readRaw };
}

module.exports = { twinBudget, canonical, differences, report, readBack, linkedTwins };
