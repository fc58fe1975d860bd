'use strict';
// A client: one server, one credential, one dataDir and at most one open budget, with
// the module's methods. `createClient(config)` resolves to one; the module-level
// functions (upstream's API) use a default one made by `init`.

const fs = require('node:fs');
const native = require('./addon.js');
const {
  callNative,
  classes: { ActualError, ConfigError, UnsupportedError },
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
  // As upstream's wrapper: `query.serialize()` is what its handler gets.
  aqlQuery: (query) => ({ query: crossable(query.serialize(), 'an ActualQL query') }),
  runQuery: (query) => ({ query: crossable(query.serialize(), 'an ActualQL query') }),
};

// Arguments cross to the engine as JSON; one JSON would change (undefined, NaN, a
// class instance, a hole in an array, a lone surrogate) where upstream reads it as it
// is is refused instead. `what` names the argument.
function crossable(value, what) {
  const why = unlike(value, new Set());
  if (why) throw new UnsupportedError(`not answered natively: ${what} with ${why}`, { code: 'unsupported-feature' });
  return value;
}

// upstream's api/bank-sync reads only `args?.accountId` (absent or null: every account).
function bankSyncArgs(args) {
  const accountId = args?.accountId;
  if (accountId == null) return {};
  if (ownText(accountId)) {
    throw new UnsupportedError('not answered natively: runBankSync with an accountId whose text is its own', { code: 'unsupported-feature' });
  }
  return { accountId: crossable(accountId, 'runBankSync') };
}

// Whether `"" + value` (upstream's message for an id it cannot bind) would not be the
// plain text of a JSON value: an object without Object.prototype's conversions, or with
// its own.
function ownText(value) {
  if (Array.isArray(value)) return value.some(ownText);
  if (value === null || typeof value !== 'object' || value instanceof Date) return false;
  return Object.getPrototypeOf(value) === null || Object.hasOwn(value, 'toString') || Object.hasOwn(value, 'valueOf');
}

// A lone UTF-16 surrogate: JSON.stringify escapes it, and no UTF-8 text can hold it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unlike(value, seen) {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? 'a string with a lone surrogate' : null;
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `the number ${value}`;
  if (value instanceof Date) return null;
  if (typeof value !== 'object') return `a value of type ${typeof value}`;
  if (seen.has(value)) return 'an object that contains itself';
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return 'a hole in an array';
      const why = unlike(value[i], seen);
      if (why) return why;
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'an object that is not a plain object';
    if ('toJSON' in value || Object.getOwnPropertySymbols(value).length > 0) return 'an object JSON would change';
    for (const key of Object.keys(value)) {
      const why = unlike(key, seen) || unlike(value[key], seen);
      if (why) return why;
    }
  }
  seen.delete(value);
  return null;
}

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
  mergeTransactions: (ids) => ({ ids }), // @actual-app/api 26.10
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
  setPreference: (id, value) => ({ id, value }), // @actual-app/api 26.10
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
  createSchedule: (schedule) => ({ schedule }),
  updateSchedule: (id, fields, resetNextDate) => ({
    id,
    fields: fields === undefined ? undefined : crossable(fields, 'updateSchedule fields'),
    resetNextDate,
  }),
  deleteSchedule: (id) => ({ id }),
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
  #syncTimer = null;
  #hasWritten = false;
  #importing = false; // inside runImport's function

  constructor(nativeSession, { dataDir }) {
    this.#native = nativeSession;
    this.#dataDir = dataDir;
  }

  getDataDir() {
    return this.#dataDir;
  }

  async downloadBudget(syncId, options = {}) {
    if (typeof syncId !== 'string' || syncId === '') {
      throw new ConfigError('downloadBudget needs the sync id of a budget', { code: 'invalid-sync-id' });
    }
    const password = options && isGiven(options.password) ? String(options.password) : undefined;
    const budget = await callNative(() => this.#native.downloadBudget(syncId, password));
    this.#afterSync();
    return budget;
  }

  async loadBudget(id) {
    await callNative(() => this.#native.loadBudget(String(id)));
  }

  /** upstream's exportBudget: the open budget as a zip (db.sqlite and metadata.json). */
  async exportBudget() {
    const zip = await callNative(() => this.#native.exportBudget());
    return new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength);
  }

  /**
   * upstream's importBudget for Actual's own zip export (a path or the bytes): a new
   * local budget, opened and uploaded. YNAB exports are not imported natively.
   */
  async importBudget(input, { type = 'actual' } = {}) {
    if (type === 'ynab4' || type === 'ynab5') {
      throw new UnsupportedError(`importBudget of a ${type} export is not native`, { code: 'unsupported-feature' });
    }
    // Upstream looks the type up among its importers: any other has none.
    if (type !== 'actual') throw new Error(`Error importing budget: not-${type}`);
    let zip;
    if (typeof input === 'string') {
      zip = await fs.promises.readFile(input).catch(() => {
        throw new Error('Error importing budget: internal-error');
      });
    } else if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
      zip = ArrayBuffer.isView(input) ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : Buffer.from(input);
    } else {
      throw new Error('Error importing budget: internal-error');
    }
    this.#cancelScheduledSync();
    return { id: await callNative(() => this.#native.importBudget(zip)) };
  }

  /**
   * upstream's runImport(budgetName, func): a new local budget named `budgetName`,
   * built by `func` in import mode (its writes change the budget and record nothing to
   * send), then opened again and uploaded as a new server file. If `func` throws, the
   * budget is deleted and its error thrown. Resolves to `{ id }` (upstream's resolves
   * to undefined; the module-level one does too).
   */
  async runImport(budgetName, func) {
    if (typeof budgetName !== 'string' || budgetName === '') {
      throw new UnsupportedError('runImport without a budget name (upstream makes one up) is not native', { code: 'unsupported-feature' });
    }
    // Upstream closes the open budget without sending what waits to be sent; we send it
    // first (a failure is ignored: it stays on disk for that budget's next sync).
    const pending = this.#syncTimer !== null;
    this.#cancelScheduledSync();
    if (pending) await this.#native.sync().catch(() => {});
    const id = await callNative(() => this.#native.startImport(budgetName));
    this.#importing = true;
    try {
      await func();
    } catch (err) {
      this.#importing = false;
      await callNative(() => this.#native.abortImport());
      throw err;
    }
    this.#importing = false;
    await callNative(() => this.#native.finishImport());
    return { id };
  }

  async sync() {
    this.#cancelScheduledSync();
    await callNative(() => this.#native.sync());
    this.#afterSync();
  }

  /**
   * upstream's runBankSync: the accounts of every provider (SimpleFIN, Pluggy.ai,
   * GoCardless, Enable Banking, Akahu) downloaded through the server and reconciled
   * natively, in one write (sent like any other); no linked account: it resolves,
   * writing nothing. Like upstream, an account's error rejects the call
   * after the others' changes (and the error's status) are written.
   */
  async runBankSync(args) {
    const outcome = JSON.parse(await callNative(() => this.#native.bankSync(JSON.stringify(bankSyncArgs(args), withDates))));
    if (outcome.wrote) {
      this.#hasWritten = true;
      this.#scheduleSync();
    }
    if (outcome.error) {
      // upstream's `withErrorCode(new Error(message), code)`: a plain Error's name.
      const err = new ActualError(outcome.error.message, { code: outcome.error.code ?? 'bank-sync-failure' });
      err.name = 'Error';
      throw err;
    }
  }

  async getBudgets() {
    return callNative(() => this.#native.getBudgets());
  }

  async getServerVersion() {
    return callNative(() => this.#native.serverVersion());
  }

  #cancelScheduledSync() {
    if (this.#syncTimer) clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
  }

  // Like upstream, a failed background sync is not reported: the changes stay on disk
  // and the next sync sends them. One that fires inside a batch is refused natively
  // (`batch-in-progress`, before any request): the batch schedules its own as it ends.
  #scheduleSync() {
    if (this.#importing) return;
    this.#cancelScheduledSync();
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null;
      this.#native.sync().then(
        () => this.#afterSync(),
        () => {},
      );
    }, SYNC_DELAY_MS);
  }

  // Upstream's schedule service runs as a sync ends (once a day): what it wrote is on
  // disk, and is sent as a write's changes are.
  #afterSync() {
    let wrote = false;
    try {
      wrote = this.#native.takeScheduleServiceWrites();
    } catch {
      return; // closed meanwhile (shutdown): it sent what there was
    }
    if (wrote) {
      this.#hasWritten = true;
      this.#scheduleSync();
    }
  }

  /** upstream's batchBudgetUpdates: every write inside `func` is one transaction, sent once. */
  async batchBudgetUpdates(func) {
    await callNative(() => this.#native.beginBatch());
    try {
      await func();
    } finally {
      await callNative(() => this.#native.endBatch());
      this.#scheduleSync();
    }
  }

  /** Closes the open budget; the client stays usable. */
  async closeBudget() {
    this.#cancelScheduledSync();
    await callNative(() => this.#native.closeBudget());
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
      if (pending || this.#hasWritten) {
        await this.#native.sync().catch(() => {});
        // The schedule service, if that sync ran it, wrote after the exchange.
        if (this.#native.takeScheduleServiceWrites()) await this.#native.sync().catch(() => {});
      }
    } finally {
      this.#native.close();
    }
  }

  async #read(name, args) {
    const json = JSON.stringify(READ_ARGS[name](...args), withDates);
    return JSON.parse(await callNative(() => this.#native.read(name, json)));
  }

  async #write(name, args) {
    const json = JSON.stringify(WRITE_ARGS[name](...args), withDates);
    const result = JSON.parse(await callNative(() => this.#native.write(name, json)));
    this.#hasWritten ||= !this.#importing; // an import is uploaded whole, nothing to send
    this.#scheduleSync();
    return result ?? undefined;
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
async function connect(config) {
  if (config === null || typeof config !== 'object') {
    throw new ConfigError('the config must be an object', { code: 'invalid-config' });
  }
  const options = resolveOptions(config);
  const nativeSession = options.serverUrl
    ? await callNative(() => native.connect(options))
    : await callNative(async () => native.connectOffline({ dataDir: options.dataDir, verbose: options.verbose }));
  return new Client(nativeSession, { dataDir: nativeSession.dataDir() });
}

/** createClient(config): a client of its own, beside the module's default one. */
function createClient(config = {}) {
  return connect(config);
}

module.exports = { Client, connect, createClient, READ_ARGS, WRITE_ARGS };
