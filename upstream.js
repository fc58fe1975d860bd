'use strict';
// Drop-in layer: every @actual-app/api export that we do not implement natively is
// handed to the official engine (an optional peer dependency), after we have signed
// in and downloaded natively. The engine gets our credential as its session token
// (an API token works as one through actual-token-gateway).

const EXPORTS = require('./upstream-exports.json');

const NATIVE = new Set(['init', 'downloadBudget', 'getBudgets', 'shutdown']);
// Pure helpers that need no signed-in engine.
const PURE = new Set(['q']);

function createUpstreamLayer({ context, MissingPeerError }) {
  let engine = null; // { api, client, loaded }

  function peer() {
    try {
      return require('@actual-app/api');
    } catch (err) {
      if (err && err.code === 'MODULE_NOT_FOUND') {
        throw new MissingPeerError(
          'this function is delegated to the official engine: install @actual-app/api next to actual-api-native',
          { code: 'missing-peer-dependency' },
        );
      }
      throw err;
    }
  }

  // Starts the official engine for the current client and loads the budget we downloaded.
  async function ready() {
    const ctx = context();
    const api = peer();
    if (engine && engine.client !== ctx.client) await close();
    if (!engine) {
      await api.init({ dataDir: ctx.dataDir, serverURL: ctx.serverURL, sessionToken: ctx.client.sessionToken() });
      engine = { api, client: ctx.client, loaded: null };
    }
    if (ctx.budgetId && engine.loaded !== ctx.budgetId) {
      await api.loadBudget(ctx.budgetId);
      engine.loaded = ctx.budgetId;
    }
    return api;
  }

  // Syncs and closes the engine's budget (upstream's shutdown). Run before we replace
  // the folder it has open, and on our shutdown.
  async function close() {
    const open = engine;
    engine = null;
    if (open) await open.api.shutdown();
  }

  const exportsOut = {};
  for (const name of EXPORTS.functions) {
    if (NATIVE.has(name)) continue;
    exportsOut[name] = PURE.has(name)
      ? (...args) => peer()[name](...args)
      : async (...args) => (await ready())[name](...args);
  }
  Object.defineProperty(exportsOut, 'internal', { enumerable: true, get: () => (engine ? engine.api.internal : null) });
  Object.defineProperty(exportsOut, 'utils', { enumerable: true, get: () => peer().utils });
  return { exports: exportsOut, close };
}

module.exports = { createUpstreamLayer };
