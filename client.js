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

// The same for each write (the same `methods` part).
const WRITE_ARGS = {
  addTransactions: (accountId, transactions, { learnCategories = false, runTransfers = false } = {}) => ({
    accountId,
    transactions,
    learnCategories,
    runTransfers,
  }),
  importTransactions: (accountId, transactions, opts = { defaultCleared: true, dryRun: false }) => ({
    accountId,
    transactions,
    isPreview: opts.dryRun,
    opts,
  }),
  updateTransaction: (id, fields) => ({ id, fields }),
  deleteTransaction: (id) => ({ id }),
  createAccount: (account, initialBalance) => ({ account, initialBalance }),
  updateAccount: (id, fields) => ({ id, fields }),
  closeAccount: (id, transferAccountId, transferCategoryId) => ({ id, transferAccountId, transferCategoryId }),
  reopenAccount: (id) => ({ id }),
  deleteAccount: (id) => ({ id }),
  createAccountGroup: (group) => ({ group }),
  updateAccountGroup: (id, fields) => ({ id, fields }),
  deleteAccountGroup: (id) => ({ id }),
  createCategoryGroup: (group) => ({ group }),
  updateCategoryGroup: (id, fields) => ({ id, fields }),
  deleteCategoryGroup: (id, transferCategoryId) => ({ id, transferCategoryId }),
  createCategory: (category) => ({ category }),
  updateCategory: (id, fields) => ({ id, fields }),
  deleteCategory: (id, transferCategoryId) => ({ id, transferCategoryId }),
  updateNote: (id, note) => ({ id, note }),
  createPayee: (payee) => ({ payee }),
  updatePayee: (id, fields) => ({ id, fields }),
  deletePayee: (id) => ({ id }),
  mergePayees: (targetId, mergeIds) => ({ targetId, mergeIds }),
  createTag: (tag) => ({ tag }),
  updateTag: (id, fields) => ({ id, fields }),
  deleteTag: (id) => ({ id }),
  createRule: (rule) => ({ rule }),
  updateRule: (rule) => ({ rule }),
  deleteRule: (id) => ({ id }),
  setBudgetAmount: (month, categoryId, value) => ({ month, categoryId, amount: value }),
  setBudgetCarryover: (month, categoryId, flag) => ({ month, categoryId, flag }),
  holdBudgetForNextMonth: (month, amount) => ({ month, amount }),
  resetBudgetHold: (month) => ({ month }),
};

// Changes are sent this long after the last write, as upstream's FULL_SYNC_DELAY does
// (server/sync/index.ts); they are on disk before that, and sync() or shutdown() sends
// them at once.
const SYNC_DELAY_MS = 1000;

// The native side lists what it answers; only those become native methods.
const NATIVE_READS = native.nativeReads();
const NATIVE_WRITES = native.nativeWrites();

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
  #syncTimer = null;
  #batching = false;

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
    this.#cancelScheduledSync();
    await this.#engine?.close();
    await callNative(() => this.#native.sync());
  }

  #cancelScheduledSync() {
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
  }

  // Like upstream, a failed background sync is not reported: the changes stay on disk
  // and the next sync sends them.
  #scheduleSync() {
    if (this.#batching) return;
    this.#cancelScheduledSync();
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null;
      this.#native.sync().catch(() => {});
    }, SYNC_DELAY_MS);
  }

  /** upstream's batchBudgetUpdates: every write inside `func` is one transaction, sent once. */
  async batchBudgetUpdates(func) {
    await callNative(() => this.#native.beginBatch());
    this.#batching = true;
    try {
      await func();
    } finally {
      this.#batching = false;
      await callNative(() => this.#native.endBatch());
      this.#scheduleSync();
    }
  }

  async getBudgets() {
    return callNative(() => this.#native.getBudgets());
  }

  async getServerVersion() {
    return callNative(() => this.#native.serverVersion());
  }

  /** Closes the open budget and the official engine; the client stays usable. */
  async closeBudget() {
    this.#cancelScheduledSync();
    try {
      await this.#engine?.close();
    } finally {
      await callNative(() => this.#native.closeBudget());
    }
  }

  /**
   * Sends what is not sent yet (as upstream's shutdown syncs; a failure is ignored,
   * the changes stay on disk for the next run), closes everything and forgets the
   * credential. Idempotent.
   */
  async shutdown() {
    const pending = this.#syncTimer !== null;
    this.#cancelScheduledSync();
    try {
      await this.#engine?.close();
      if (pending || this.#hasWritten) await this.#native.sync().catch(() => {});
    } finally {
      this.#native.close();
    }
  }

  #hasWritten = false;

  async #write(name, args) {
    await this.#engine?.close(); // the official engine must not hold the budget we write
    const json = JSON.stringify(WRITE_ARGS[name](...args), withDates);
    try {
      const result = JSON.parse(await callNative(() => this.#native.write(name, json)));
      this.#hasWritten = true;
      this.#scheduleSync();
      return result ?? undefined;
    } catch (err) {
      if (DELEGATE_CODES.has(err.code) && this.#engine?.available()) {
        return this.#engine.call(name, args);
      }
      throw err;
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
    const define = (name, method) =>
      Object.defineProperty(Client.prototype, name, { value: method, writable: true, configurable: true });
    for (const name of NATIVE_READS) {
      if (!READ_ARGS[name]) throw new Error(`no argument mapping for native read ${name}`);
      define(name, function (...args) {
        return this.#read(name, args);
      });
    }
    for (const name of NATIVE_WRITES) {
      if (!WRITE_ARGS[name]) throw new Error(`no argument mapping for native write ${name}`);
      define(name, function (...args) {
        return this.#write(name, args);
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

module.exports = { Client, connect, createClient, NATIVE_READS, NATIVE_WRITES, READ_ARGS, WRITE_ARGS, ActualError };
