'use strict';
// The package's entry: upstream's module-level API over one default client (made by
// `init`), `createClient` for more, the typed errors, and the drop-in layer for what is
// not native yet.

const { Client, connect, createClient, NATIVE_READS, NATIVE_WRITES } = require('./client.js');
const { classes } = require('./errors.js');
const { createUpstreamLayer } = require('./upstream.js');
const { q } = require('./query.js');

const { ActualError, MissingPeerError } = classes;

let current = null; // the default client

function requireClient() {
  if (!current) {
    throw new ActualError('not initialised: call init() first', { code: 'not-initialized' });
  }
  return current;
}

// The default client's budget id, for the official engine to load.
let openBudgetId = null;

const NATIVE_CALLS = ['sync', 'getBudgets', 'getServerVersion', 'batchBudgetUpdates', 'runBankSync', ...NATIVE_READS, ...NATIVE_WRITES];
const NATIVE = new Set(['init', 'shutdown', 'downloadBudget', 'loadBudget', ...NATIVE_CALLS]);
const upstream = createUpstreamLayer({
  context: () => ({ client: requireClient(), budgetId: openBudgetId }),
  nativeMethods: new Set([...NATIVE, 'utils', 'q']),
  MissingPeerError,
});

async function init(config = {}) {
  await shutdown();
  current = await connect(config, { engine: upstream.engine });
  return Object.freeze({
    getDataDir: () => requireClient().getDataDir(),
    downloadBudget,
    loadBudget,
    getBudgets,
    sync,
    shutdown,
  });
}

async function shutdown() {
  const client = current;
  current = null;
  openBudgetId = null;
  if (client) await client.shutdown();
}

async function downloadBudget(syncId, options) {
  const budget = await requireClient().downloadBudget(syncId, options);
  openBudgetId = budget.id;
  return budget;
}

async function loadBudget(id) {
  await requireClient().loadBudget(id);
  openBudgetId = id;
}

// upstream's `utils`: pure amount conversions (shared/util.ts).
const utils = Object.freeze({
  amountToInteger: (amount, decimalPlaces = 2) => Math.round(amount * Math.pow(10, decimalPlaces)),
  integerToAmount: (integerAmount, decimalPlaces = 2) => integerAmount / Math.pow(10, decimalPlaces),
});

const moduleLevel = { init, shutdown, downloadBudget, loadBudget };
for (const name of NATIVE_CALLS) {
  moduleLevel[name] = async (...args) => requireClient()[name](...args);
}
const { sync, getBudgets } = moduleLevel;

module.exports = { ...moduleLevel, createClient, Client, utils, q, ...classes };
// Delegated exports, copied as property descriptors so the `internal` getter stays
// lazy (requiring the official engine is slow; only do it when used).
Object.defineProperties(module.exports, Object.getOwnPropertyDescriptors(upstream.exports));
