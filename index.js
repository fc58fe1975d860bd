'use strict';
// The package's entry: upstream's module-level API over one default client (made by
// `init`), `createClient` for more, and the typed errors.

const { Client, connect, createClient, NATIVE_READS, NATIVE_WRITES } = require('./client.js');
const { classes } = require('./errors.js');
const { q } = require('./query.js');

const { ActualError } = classes;

let current = null; // the default client

function requireClient() {
  if (!current) {
    throw new ActualError('not initialised: call init() first', { code: 'not-initialized' });
  }
  return current;
}

const NATIVE_CALLS = ['sync', 'getBudgets', 'getServerVersion', 'batchBudgetUpdates', 'exportBudget', 'importBudget', 'runImport', 'runBankSync', ...NATIVE_READS, ...NATIVE_WRITES];

async function init(config = {}) {
  await shutdown();
  current = await connect(config);
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
  if (client) await client.shutdown();
}

async function downloadBudget(syncId, options) {
  return requireClient().downloadBudget(syncId, options);
}

async function loadBudget(id) {
  await requireClient().loadBudget(id);
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
// upstream's runImport resolves to undefined.
moduleLevel.runImport = async (budgetName, func) => {
  await requireClient().runImport(budgetName, func);
};

// upstream's deprecated `internal` (its engine's internals): there is no such engine
// here, so it stays what upstream's is before init.
module.exports = { ...moduleLevel, createClient, Client, utils, q, internal: null, ...classes };
