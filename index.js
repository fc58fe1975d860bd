'use strict';
// The package's entry: upstream's module-level API over one default client (made by
// `init`), `createClient` for more, and the typed errors.

const { Client, connect, createClient } = require('./client.js');
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

// upstream's `utils`: pure amount conversions (shared/util.ts).
const utils = Object.freeze({
  amountToInteger: (amount, decimalPlaces = 2) => Math.round(amount * Math.pow(10, decimalPlaces)),
  integerToAmount: (integerAmount, decimalPlaces = 2) => integerAmount / Math.pow(10, decimalPlaces),
});

// Every method of a client is a module-level function on the default client, but these
// (init's answer has getDataDir; upstream has no closeBudget).
const CLIENT_ONLY = new Set(['constructor', 'getDataDir', 'closeBudget']);

const moduleLevel = { init };
for (const name of Object.getOwnPropertyNames(Client.prototype)) {
  if (!CLIENT_ONLY.has(name)) moduleLevel[name] = async (...args) => requireClient()[name](...args);
}
// shutdown also forgets the default client; upstream's runImport resolves to undefined.
moduleLevel.shutdown = shutdown;
moduleLevel.runImport = async (budgetName, func) => {
  await requireClient().runImport(budgetName, func);
};
const { downloadBudget, loadBudget, getBudgets, sync } = moduleLevel;

// upstream's deprecated `internal` (its engine's internals): there is no such engine
// here, so it stays what upstream's is before init.
module.exports = { ...moduleLevel, createClient, Client, utils, q, internal: null, ...classes };
