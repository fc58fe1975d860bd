'use strict';
// Drop-in layer: the @actual-app/api exports we do not answer natively are handed to
// the official engine (an optional peer dependency), on the budget our default client
// downloaded or loaded. The engine gets our credential as its session token (an API
// token works as one through actual-token-gateway). It is a process-wide singleton,
// so only the module-level (default) client delegates.

const fs = require('node:fs');
const path = require('node:path');
const EXPORTS = require('./upstream-exports.json');

// Installed under the name @actual-app/api (an npm alias), requiring that name finds
// this package; the official engine is then looked for under this second name.
const OFFICIAL_ALIAS = '@actual-app/api-official';
const OWN_DIR = __dirname;

/** The official engine's module, or null when it is not installed (never ourselves). */
function findOfficial() {
  for (const name of ['@actual-app/api', OFFICIAL_ALIAS]) {
    let resolved;
    try {
      resolved = require.resolve(name);
    } catch (err) {
      if (err && err.code === 'MODULE_NOT_FOUND') continue;
      throw err;
    }
    if (path.dirname(resolved) === OWN_DIR) continue;
    return resolved;
  }
  return null;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A successful sync has upstream save `lastScheduleRun` to metadata.json without
// awaiting the write (schedules/app.ts), so it can still be under way after shutdown:
// let it run, then wait until the file reads whole again before the budget is reopened.
async function metadataWritten(file) {
  await pause(20);
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      JSON.parse(fs.readFileSync(file, 'utf8'));
      return;
    } catch (err) {
      if (err && err.code === 'ENOENT') return;
      await pause(10);
    }
  }
}

function createUpstreamLayer({ context, nativeMethods, MissingPeerError }) {
  let engine = null; // { api, client, loaded }
  let official; // the resolved path (null: not installed), looked up once

  function available() {
    if (official === undefined) official = findOfficial();
    return official !== null;
  }

  /** Throws unless the official engine is installed and has the function `name`. */
  function ensureAvailable(name) {
    const api = peer();
    if (name && typeof api[name] !== 'function') {
      throw new MissingPeerError(`the installed @actual-app/api has no ${name} (it is older than the release that added it)`, {
        code: 'missing-peer-dependency',
      });
    }
  }

  function peer() {
    if (!available()) {
      throw new MissingPeerError(
        'this function is delegated to the official engine: install @actual-app/api next to actual-api-native ' +
          `(or, with this package installed as @actual-app/api, install the official one as ${OFFICIAL_ALIAS})`,
        { code: 'missing-peer-dependency' },
      );
    }
    return require(official);
  }

  // Starts the official engine for the current client and loads its budget.
  async function ready() {
    const { client, budgetId } = context();
    const api = peer();
    if (engine && engine.client !== client) await close();
    if (!engine) {
      await api.init(client.engineContext());
      engine = { api, client, loaded: null };
    }
    if (budgetId && engine.loaded !== budgetId) {
      await api.loadBudget(budgetId);
      engine.loaded = budgetId;
    }
    return api;
  }

  // Syncs and closes the engine's budget (upstream's shutdown). Run before we change
  // the budget it has open, and on our shutdown.
  async function close() {
    const open = engine;
    engine = null;
    if (!open) return;
    // Upstream's shutdown ignores a failed sync, and after a long idle spell the first
    // request on its pooled connection can fail (network-failure): sync first, once
    // more on such a failure, so that what it wrote is sent.
    await open.api.sync().catch((err) => (err && err.code === 'network-failure' ? open.api.sync() : undefined)).catch(() => {});
    await open.api.shutdown();
    if (open.loaded) await metadataWritten(path.join(open.client.getDataDir(), open.loaded, 'metadata.json'));
  }

  async function call(name, args) {
    return (await ready())[name](...args);
  }

  const exportsOut = {};
  for (const name of EXPORTS.functions) {
    if (nativeMethods.has(name)) continue;
    const fn = name === 'q' ? (...args) => peer()[name](...args) : async (...args) => context().client.delegate(name, args);
    exportsOut[name] = Object.assign(fn, { delegated: true });
  }
  Object.defineProperty(exportsOut, 'internal', { enumerable: true, get: () => (engine ? engine.api.internal : null) });
  return { exports: exportsOut, engine: { available, ensureAvailable, call, close } };
}

module.exports = { createUpstreamLayer, OFFICIAL_ALIAS };
