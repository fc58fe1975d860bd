// Types for index.js. They stand alone: nothing here needs @actual-app/api installed.
// Upstream's API, every export of @actual-app/api 26.9.0 with the types upstream declares
// for it, is api-types.d.ts (generated from upstream's declarations by
// scripts/gen-types.js); '@actual-app/api/models' is models.d.ts. This file adds what is
// ours: init's options (token, timeouts), createClient and BudgetClient, the typed errors,
// and a few functions that accept more than upstream's (each still takes every call
// written for upstream's).

import type * as upstream from './api-types';

export * from './api-types';

interface BaseConfig {
  /** Where budgets are stored; created if missing. Default: ACTUAL_DATA_DIR, else the current directory. */
  dataDir?: string;
  /** The Actual server (or token gateway), http or https. Default: ACTUAL_SERVER_URL. Without one, only local copies open. */
  serverURL?: string;
  /** Log each request (never a secret) to stderr. */
  verbose?: boolean;
  /** Milliseconds to wait for a connection (default 10000). */
  connectTimeout?: number;
  /** Milliseconds to wait for any single read from the server (default 60000). */
  timeout?: number;
}

/**
 * Exactly one credential; with none, ACTUAL_API_TOKEN is used. A credential may be
 * `undefined` (e.g. straight from process.env) and then counts as absent.
 */
export type InitConfig =
  | (BaseConfig & { password: string | undefined; sessionToken?: never; token?: never })
  | (BaseConfig & { sessionToken: string | undefined; password?: never; token?: never })
  | (BaseConfig & { token: string | undefined; password?: never; sessionToken?: never })
  | (BaseConfig & { password?: never; sessionToken?: never; token?: never });

export interface DownloadedBudget {
  /** The local folder name under dataDir. */
  id: string;
  name: string;
  /** The sync id (the server's groupId). */
  syncId: string;
  cloudFileId: string;
  /** Absolute or dataDir-relative path of the budget folder. */
  path: string;
}

/** A local copy, as upstream lists it: no `state` (only the server's files have one). */
export interface LocalBudget {
  id: string;
  cloudFileId?: string;
  encryptKeyId?: string;
  /** The sync id. */
  groupId?: string;
  owner?: string;
  name: string;
  state?: never;
}

export interface RemoteBudget {
  cloudFileId: string;
  state: 'remote';
  /** The sync id. */
  groupId: string | null;
  name: string;
  encryptKeyId: string | null;
  hasKey: boolean;
  owner: string | null;
  usersWithAccess: unknown;
}

// ---- Where ours accepts or answers more than upstream declares ------------------------

/** Transactions of `accountId` (every account: undefined) between two dates (inclusive; open-ended when left out). */
export declare function getTransactions(
  accountId: upstream.APIAccountEntity['id'] | undefined,
  startDate?: string | Date,
  endDate?: string | Date,
): Promise<upstream.TransactionEntity[]>;
/** Balance up to the end of `cutoff`'s local day (default: today). */
export declare function getAccountBalance(id: upstream.APIAccountEntity['id'], cutoff?: Date | string): Promise<number>;
/**
 * `@actual-app/api` 26.10's: merges two transactions of one account and one amount
 * into one (the imported one, else the earlier one, is kept) and resolves to its id.
 */
export declare function mergeTransactions(ids: [string, string]): Promise<string>;
/** `@actual-app/api` 26.10's: sets one synced preference (as getPreferences reads them). */
export declare function setPreference(id: string, value: string | undefined): Promise<void>;

/** The budget's synced preferences (upstream's `Preferences` in '@actual-app/api/models'). */
export type Preferences = upstream.SyncedPrefs;
export type ImportTransactionsResult = Awaited<ReturnType<typeof upstream.importTransactions>>;
export type ServerVersion = Awaited<ReturnType<typeof upstream.getServerVersion>>;

// ---- What a BudgetClient answers beyond upstream's types ------------------------------

export interface BudgetMonthCategory extends upstream.APICategoryEntity {
  budgeted?: number;
  spent?: number;
  received?: number;
  balance?: number;
  carryover?: boolean | number;
}

export interface BudgetMonthGroup extends Omit<upstream.APICategoryGroupEntity, 'categories'> {
  budgeted?: number;
  spent?: number;
  received?: number;
  balance?: number;
  categories: BudgetMonthCategory[];
}

/** What getBudgetMonth answers (upstream declares its groups as records of unknown). */
export interface BudgetMonth {
  month: string;
  incomeAvailable: number;
  lastMonthOverspent: number;
  forNextMonth: number;
  totalBudgeted: number;
  toBudget: number;
  fromLastMonth: number;
  totalIncome: number;
  totalSpent: number;
  totalBalance: number;
  categoryGroups: BudgetMonthGroup[];
}

/** What `aqlQuery` resolves to (upstream declares `unknown`): the rows (or the calculated value) and the tables read. */
export interface AqlResult {
  data: any;
  dependencies: string[];
}

// ---- The client ---------------------------------------------------------------------

/**
 * What createClient() gives: one server, credential, dataDir and open budget. Its
 * methods are upstream's functions, with more precise answers where noted.
 */
export interface BudgetClient {
  getDataDir(): string;
  /** Downloads (or refreshes) and opens a budget; answers where it is (upstream's answers nothing). */
  downloadBudget(syncId: string, options?: { password?: string }): Promise<DownloadedBudget>;
  /** Opens a local copy by its id (the folder name), without the network. */
  loadBudget: typeof upstream.loadBudget;
  getBudgets(): Promise<Array<LocalBudget | RemoteBudget>>;
  sync: typeof upstream.sync;
  getServerVersion: typeof upstream.getServerVersion;
  getAccounts: typeof upstream.getAccounts;
  getAccountBalance: typeof getAccountBalance;
  getAccountGroups: typeof upstream.getAccountGroups;
  getTransactions: typeof getTransactions;
  getCategoryGroups: typeof upstream.getCategoryGroups;
  getCategories: typeof upstream.getCategories;
  getPayees: typeof upstream.getPayees;
  getCommonPayees: typeof upstream.getCommonPayees;
  getRules: typeof upstream.getRules;
  getPayeeRules: typeof upstream.getPayeeRules;
  getSchedules: typeof upstream.getSchedules;
  getBudgetMonths: typeof upstream.getBudgetMonths;
  getBudgetMonth(month: string): Promise<BudgetMonth>;
  getIDByName: typeof upstream.getIDByName;
  getNote: typeof upstream.getNote;
  getTags: typeof upstream.getTags;
  getPreferences: typeof upstream.getPreferences;
  /** Runs an ActualQL query built with `q(table)`. */
  aqlQuery(query: upstream.Query): Promise<AqlResult>;
  /** @deprecated upstream's older name of `aqlQuery`. */
  runQuery(query: upstream.Query): Promise<AqlResult>;
  addTransactions: typeof upstream.addTransactions;
  importTransactions: typeof upstream.importTransactions;
  /** Resolves to undefined, as upstream's does (whatever its declaration says). */
  updateTransaction(id: string, fields: Partial<upstream.TransactionEntity>): Promise<unknown>;
  /** Resolves to undefined, as upstream's does (whatever its declaration says). */
  deleteTransaction(id: string): Promise<unknown>;
  mergeTransactions: typeof mergeTransactions;
  createAccount: typeof upstream.createAccount;
  updateAccount: typeof upstream.updateAccount;
  closeAccount: typeof upstream.closeAccount;
  reopenAccount: typeof upstream.reopenAccount;
  deleteAccount: typeof upstream.deleteAccount;
  createAccountGroup: typeof upstream.createAccountGroup;
  updateAccountGroup: typeof upstream.updateAccountGroup;
  deleteAccountGroup: typeof upstream.deleteAccountGroup;
  createCategoryGroup: typeof upstream.createCategoryGroup;
  updateCategoryGroup: typeof upstream.updateCategoryGroup;
  deleteCategoryGroup: typeof upstream.deleteCategoryGroup;
  createCategory: typeof upstream.createCategory;
  updateCategory: typeof upstream.updateCategory;
  deleteCategory: typeof upstream.deleteCategory;
  updateNote: typeof upstream.updateNote;
  setPreference: typeof setPreference;
  createPayee: typeof upstream.createPayee;
  updatePayee: typeof upstream.updatePayee;
  deletePayee: typeof upstream.deletePayee;
  mergePayees: typeof upstream.mergePayees;
  createTag: typeof upstream.createTag;
  updateTag: typeof upstream.updateTag;
  deleteTag: typeof upstream.deleteTag;
  createRule: typeof upstream.createRule;
  updateRule: typeof upstream.updateRule;
  deleteRule: typeof upstream.deleteRule;
  createSchedule: typeof upstream.createSchedule;
  updateSchedule: typeof upstream.updateSchedule;
  deleteSchedule: typeof upstream.deleteSchedule;
  setBudgetAmount: typeof upstream.setBudgetAmount;
  setBudgetCarryover: typeof upstream.setBudgetCarryover;
  holdBudgetForNextMonth: typeof upstream.holdBudgetForNextMonth;
  resetBudgetHold: typeof upstream.resetBudgetHold;
  /** Every write inside `func` is one transaction, sent once when it ends. */
  batchBudgetUpdates: typeof upstream.batchBudgetUpdates;
  exportBudget: typeof upstream.exportBudget;
  importBudget: typeof upstream.importBudget;
  /**
   * A new budget built by `func` and uploaded as a new server file (upstream's
   * runImport); resolves to its id, where upstream's resolves to undefined.
   */
  runImport(budgetName: string, func: () => Promise<void>): Promise<{ id: string }>;
  /**
   * upstream's bank sync, for every account or one: SimpleFIN and Pluggy.ai accounts natively (other
   * providers go to the official engine); no linked account: it resolves. An account's
   * error rejects after the others' changes are written, with upstream's message and code.
   */
  runBankSync(args?: { accountId?: string }): Promise<void>;
  /** Closes the open budget; the client stays signed in. */
  closeBudget(): Promise<void>;
  /** Closes the budget and forgets the credential. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * The object init() resolves to. Not upstream's: upstream's hands out its engine's
 * internals (send, db, ...), which a native client does not have.
 */
export interface Api {
  getDataDir(): string;
  downloadBudget: typeof upstream.downloadBudget;
  loadBudget: typeof upstream.loadBudget;
  getBudgets: typeof upstream.getBudgets;
  sync: typeof upstream.sync;
  shutdown: typeof upstream.shutdown;
}

/** Signs in (or, without serverURL, opens dataDir for local copies) as the module's default client. */
export declare function init(config?: InitConfig): Promise<Api>;
/** A client of its own, beside the default one: several budgets, servers and credentials at once. */
export declare function createClient(config?: InitConfig): Promise<BudgetClient>;
/** The class of the clients createClient() makes (for `instanceof`; not made with `new`). */
export declare const Client: abstract new (...args: never[]) => BudgetClient;

// ---- The typed errors --------------------------------------------------------------

// ---- generated by scripts/gen-tables.js from scripts/error-table.js; do not edit ----
/**
 * The parent of every error of this package but ArgumentTypeError; itself, a call before
 * init() or a database failure.
 */
export class ActualError extends Error {
  /**
   * Stable code; upstream's where upstream has one (e.g. 'invalid-password',
   * 'network-failure').
   */
  code: string;
  /** HTTP status of the reply, when there was one. */
  status?: number;
  /** The server's `reason`, when it sent one. */
  reason?: string;
  /** The server's `details`, when it sent one. */
  details?: string;
}
/**
 * A bad config or argument (what upstream throws as a plain Error keeps upstream's
 * `name`).
 */
export class ConfigError extends ActualError {}
/** The credential was refused, or not exactly one was given. */
export class AuthError extends ActualError {}
/** The API token or session token has expired. */
export class TokenExpiredError extends AuthError {}
/** The API token is malformed, unknown, disabled or revoked. */
export class InvalidTokenError extends AuthError {}
/** The API token's scope does not allow the call (another budget, read-only). */
export class TokenScopeError extends AuthError {}
/** Too many attempts: the server asks to wait. */
export class RateLimitError extends AuthError {
  /** Seconds to wait, from the Retry-After header. */
  retryAfter?: number;
}
/** The server could not be reached. */
export class NetworkError extends ActualError {}
/** No budget with that sync id. */
export class BudgetNotFoundError extends ActualError {}
/** An encrypted budget without its password, or with a wrong one. */
export class EncryptionError extends ActualError {}
/** The budget file could not be downloaded or unpacked. */
export class DownloadError extends ActualError {}
/** Syncing failed, or the budget is of a version this engine does not read. */
export class SyncError extends ActualError {}
/** Reading or writing the data directory failed. */
export class FileSystemError extends ActualError {}
/**
 * What upstream rejects with `{ type: 'APIError', message }`: the same message and type.
 */
export class APIError extends ConfigError {
  type: 'APIError';
  /** upstream's `meta` (createRule, updateRule: `{ conditionErrors, actionErrors }`). */
  meta?: unknown;
}
/**
 * What upstream throws as a TypeError for an argument of a type it does not check (V8's
 * message; its name is 'TypeError').
 */
export class ArgumentTypeError extends TypeError {
  /** Stable code ('type-error'). */
  code: string;
}
/** A case the native engine does not take (named), refused before anything is written. */
export class UnsupportedError extends ActualError {}
// ---- end of the generated section ----
