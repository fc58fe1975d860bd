'use strict';
// A client: one server, one credential, one dataDir and at most one open budget, with
// the module's methods. `createClient(config)` resolves to one; the module-level
// functions (upstream's API) use a default one made by `init`.

const native = require('./binding.js');
const {
  callNative,
  classes: { ActualError, ConfigError },
} = require('./errors.js');

// How each native read's arguments become the object upstream's wrapper sends to its
// handler (@actual-app/api dist/index.js, `methods`).
const READ_ARGS = {
  getAccounts: () => ({}),
  getAccountBalance: (id, cutoff) => ({ id, cutoff }),
  getAccountGroups: () => ({}),
  getCategoryGroups: (options = {}) => options,
  getCategories: (options = {}) => options,
  getPayees: () => ({}),
  getCommonPayees: () => ({}),
  getIDByName: (type, name) => ({ type, name }),
  getNote: (id) => ({ id }),
  getTags: () => ({}),
  getPreferences: () => ({}),
  getTransactions: (accountId, startDate, endDate) => ({ accountId, startDate, endDate }),
  getRules: () => ({}),
  getPayeeRules: (id) => ({ id }),
  getSchedules: () => ({}),
  getBudgetMonths: () => ({}),
  getBudgetMonth: (month) => ({ month }),
};

// The native side lists what it answers; only those become native methods.
const NATIVE_READS = native.nativeReads();

// Answers with these codes mean "not natively, for this budget or this case": the call
// goes to the official engine when there is one.
const DELEGATE_CODES = new Set(['budget-needs-migration', 'out-of-sync-migrations', 'unsupported-feature']);

// Dates cross as `{ $date: ms }`: upstream tells a Date from a string.
function withDates(key, value) {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.getTime() } : value;
}

function isGiven(value) {
  return value !== undefined && value !== null;
}

class Client {
  #native;
  #dataDir;
  #serverURL;
  #engine; // the official engine, for the default client only (see upstream.js)

  constructor(nativeClient, { dataDir, serverURL, engine = null }) {
    this.#native = nativeClient;
    this.#dataDir = dataDir;
    this.#serverURL = serverURL;
    this.#engine = engine;
  }

  getDataDir() {
    return this.#dataDir;
  }

  /** What the official engine needs to open our budget (drop-in mode). */
  engineContext() {
    return { dataDir: this.#dataDir, serverURL: this.#serverURL, sessionToken: this.#native.sessionToken() };
  }

  async downloadBudget(syncId, options = {}) {
    if (typeof syncId !== 'string' || syncId === '') {
      throw new ConfigError('downloadBudget needs the sync id of a budget', { code: 'invalid-sync-id' });
    }
    const password = options && isGiven(options.password) ? String(options.password) : undefined;
    await this.#engine?.close(); // it must not hold the budget we are about to change
    return callNative(() => this.#native.downloadBudget(syncId, password));
  }

  async loadBudget(id) {
    await this.#engine?.close();
    await callNative(() => this.#native.loadBudget(String(id)));
  }

  async sync() {
    await this.#engine?.close();
    await callNative(() => this.#native.sync());
  }

  async getBudgets() {
    return callNative(() => this.#native.getBudgets());
  }

  async getServerVersion() {
    return callNative(() => this.#native.serverVersion());
  }

  /** Closes the open budget and the official engine; the client stays usable. */
  async closeBudget() {
    try {
      await this.#engine?.close();
    } finally {
      await callNative(() => this.#native.closeBudget());
    }
  }

  /** Closes everything and forgets the credential. Idempotent. */
  async shutdown() {
    try {
      await this.#engine?.close();
    } finally {
      this.#native.close();
    }
  }

  async #read(name, args) {
    const json = JSON.stringify(READ_ARGS[name](...args), withDates);
    try {
      return JSON.parse(await callNative(() => this.#native.read(name, json)));
    } catch (err) {
      if (DELEGATE_CODES.has(err.code) && this.#engine?.available()) {
        return this.#engine.call(name, args);
      }
      throw err;
    }
  }

  static {
    for (const name of NATIVE_READS) {
      if (!READ_ARGS[name]) throw new Error(`no argument mapping for native read ${name}`);
      Object.defineProperty(Client.prototype, name, {
        value: function (...args) {
          return this.#read(name, args);
        },
        writable: true,
        configurable: true,
      });
    }
  }
}

const CREDENTIAL_KEYS = ['password', 'sessionToken', 'token'];

// Config keys win over the environment; ACTUAL_API_TOKEN is read only when no
// credential key was given at all. Without a server the client opens local copies only.
function resolveOptions(config) {
  const env = process.env;
  const serverURL = isGiven(config.serverURL) ? config.serverURL : env.ACTUAL_SERVER_URL;
  const noCredential = CREDENTIAL_KEYS.every((key) => !isGiven(config[key]));
  const options = {
    serverUrl: isGiven(serverURL) && serverURL !== '' ? String(serverURL) : undefined,
    dataDir: String(config.dataDir ?? env.ACTUAL_DATA_DIR ?? process.cwd()),
    password: config.password ?? undefined,
    sessionToken: config.sessionToken ?? undefined,
    token: noCredential ? env.ACTUAL_API_TOKEN : config.token ?? undefined,
    verbose: Boolean(config.verbose),
    connectTimeoutMs: config.connectTimeout ?? undefined,
    readTimeoutMs: config.timeout ?? undefined,
  };
  for (const key of CREDENTIAL_KEYS) {
    if (isGiven(options[key]) && typeof options[key] !== 'string') {
      throw new ConfigError(`${key} must be a string`, { code: 'invalid-config' });
    }
  }
  if (!options.serverUrl && CREDENTIAL_KEYS.some((key) => isGiven(options[key]))) {
    throw new ConfigError('serverURL is required with a credential (or set ACTUAL_SERVER_URL)', {
      code: 'invalid-server-url',
    });
  }
  return options;
}

/** Signs in (or, without serverURL, opens dataDir for local copies) and makes a client. */
async function connect(config, { engine } = {}) {
  if (config === null || typeof config !== 'object') {
    throw new ConfigError('the config must be an object', { code: 'invalid-config' });
  }
  const options = resolveOptions(config);
  const nativeClient = options.serverUrl
    ? await callNative(() => native.connect(options))
    : await callNative(async () => native.connectOffline({ dataDir: options.dataDir, verbose: options.verbose }));
  return new Client(nativeClient, { dataDir: nativeClient.dataDir(), serverURL: options.serverUrl, engine });
}

/** createClient(config): a client of its own, beside the module's default one. */
function createClient(config = {}) {
  return connect(config);
}

module.exports = { Client, connect, createClient, NATIVE_READS, READ_ARGS, ActualError };
