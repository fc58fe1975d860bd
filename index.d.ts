// Hand-written types for index.js. They stand alone: nothing here needs @actual-app/api
// installed. Shapes follow @actual-app/api 26.9.0's answers.

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

export interface LocalBudget {
  state: 'local';
  id: string;
  name: string;
  cloudFileId?: string;
  groupId?: string;
  syncId?: string;
  encryptKeyId?: string;
  owner?: string;
}

export interface RemoteBudget {
  state: 'remote';
  cloudFileId: string;
  groupId: string | null;
  syncId: string | null;
  name: string;
  encryptKeyId: string | null;
  hasKey: boolean;
  owner: string | null;
  usersWithAccess: unknown;
}

// ---- What the reads answer ----------------------------------------------------------

export interface APIAccountEntity {
  id: string;
  name: string;
  offbudget?: boolean;
  closed?: boolean;
  balance_current?: number | null;
  account_group_id?: string | null;
}

export interface APIAccountGroupEntity {
  id: string;
  name: string;
}

export interface APICategoryEntity {
  id: string;
  name: string;
  is_income?: boolean;
  hidden?: boolean;
  group_id: string;
}

export interface APICategoryGroupEntity {
  id: string;
  name: string;
  is_income?: boolean;
  hidden?: boolean;
  categories?: APICategoryEntity[];
}

export interface APIPayeeEntity {
  id: string;
  name: string;
  transfer_acct?: string | null;
}

export interface APITagEntity {
  id: string;
  tag: string;
  color?: string | null;
  description?: string | null;
}

export interface NoteEntity {
  id: string;
  note: string | null;
}

export interface TransactionEntity {
  id: string;
  is_parent?: boolean;
  is_child?: boolean;
  parent_id?: string | null;
  account: string;
  category?: string | null;
  /** Integer minor units (cents). */
  amount: number;
  payee?: string | null;
  notes?: string | null;
  /** `YYYY-MM-DD`. */
  date: string;
  imported_id?: string | null;
  imported_payee?: string | null;
  starting_balance_flag?: boolean;
  transfer_id?: string | null;
  sort_order?: number | null;
  cleared?: boolean;
  reconciled?: boolean;
  tombstone?: boolean;
  schedule?: string | null;
  subtransactions?: TransactionEntity[];
  error?: { type: 'SplitTransactionError'; version: 1; difference: number } | null;
  raw_synced_data?: string | null;
}

export interface RecurConfig {
  frequency: 'daily' | 'weekly' | 'monthly' | 'yearly';
  interval?: number;
  patterns?: Array<{ value: number; type: 'SU' | 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'day' }>;
  skipWeekend?: boolean;
  start: string;
  endMode?: 'never' | 'after_n_occurrences' | 'on_date';
  endOccurrences?: number;
  endDate?: string;
  weekendSolveMode?: 'before' | 'after';
}

export interface RuleConditionEntity {
  field: string;
  op: string;
  value: unknown;
  options?: { inflow?: boolean; outflow?: boolean; month?: boolean; year?: boolean };
  type?: 'id' | 'boolean' | 'date' | 'number' | 'string';
}

export interface RuleActionEntity {
  op: string;
  field?: string;
  value?: unknown;
  options?: Record<string, unknown>;
  type?: string;
}

export interface RuleEntity {
  id: string;
  stage: 'pre' | null | 'post';
  conditionsOp: 'and' | 'or';
  conditions: RuleConditionEntity[];
  actions: RuleActionEntity[];
  tombstone?: boolean;
}

export interface APIScheduleEntity {
  id: string;
  name?: string | null;
  rule?: string;
  next_date?: string | null;
  completed?: boolean;
  posts_transaction?: boolean;
  payee?: string | null;
  account?: string | null;
  amount?: number | { num1: number; num2: number };
  amountOp: 'is' | 'isapprox' | 'isbetween';
  date: RecurConfig | string;
}

export interface BudgetMonthCategory extends APICategoryEntity {
  budgeted?: number;
  spent?: number;
  received?: number;
  balance?: number;
  carryover?: boolean | number;
}

export interface BudgetMonthGroup extends Omit<APICategoryGroupEntity, 'categories'> {
  budgeted?: number;
  spent?: number;
  received?: number;
  balance?: number;
  categories: BudgetMonthCategory[];
}

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

/** The budget's synced preferences (`budgetType`, number and date formats, ...). */
export type Preferences = Partial<Record<string, string>>;

/** A transaction to add or import (its account is the call's first argument). */
export interface ImportTransactionEntity {
  account?: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /** Integer minor units (cents). */
  amount?: number;
  /** An existing payee id; wins over payee_name. */
  payee?: string | null;
  /** A payee is found by this name (case-insensitively) or created. */
  payee_name?: string;
  imported_payee?: string;
  category?: string;
  notes?: string;
  /** The bank's id for the transaction: a second import of it updates instead of adding. */
  imported_id?: string;
  transfer_id?: string;
  cleared?: boolean;
  subtransactions?: Array<{ amount: number; category?: string; notes?: string }>;
}

export interface ImportTransactionsOpts {
  defaultCleared?: boolean;
  dryRun?: boolean;
  reimportDeleted?: boolean;
  payeeNameNormalization?: unknown;
}

export interface ImportTransactionsResult {
  errors?: Array<{ message: string }>;
  added: string[];
  updated: string[];
  updatedPreview: Array<{ transaction: TransactionEntity; existing?: TransactionEntity; ignored?: boolean; tombstone?: boolean }>;
}

export interface NewRuleEntity {
  stage: 'pre' | null | 'post' | 'default';
  conditionsOp: 'and' | 'or';
  conditions: RuleConditionEntity[];
  actions: RuleActionEntity[];
}

export type ServerVersion = { error: 'no-server' } | { error: 'network-failure' } | { version: string };

// ---- ActualQL -------------------------------------------------------------------------

/** An ActualQL expression: field names, operators (`$eq`, `$oneof`, ...) and functions (`$sum`, `$month`, ...). */
export type ObjectExpression = { [key: string]: ObjectExpression | unknown };

/** What `Query.serialize()` returns (upstream's `QueryState`), keys in this order. */
export interface QueryState {
  readonly tableOptions: Readonly<Record<string, unknown>>;
  readonly filterExpressions: ReadonlyArray<ObjectExpression>;
  readonly selectExpressions: ReadonlyArray<ObjectExpression | string | '*'>;
  readonly groupExpressions: ReadonlyArray<ObjectExpression | string>;
  readonly orderExpressions: ReadonlyArray<ObjectExpression | string>;
  readonly calculation: boolean;
  readonly rawMode: boolean;
  readonly withDead: boolean;
  readonly validateRefs: boolean;
  readonly limit: number | null;
  readonly offset: number | null;
  readonly table: string;
}

/** upstream's query builder: every method returns a new Query. */
export declare class Query {
  state: QueryState;
  constructor(state: Partial<QueryState> & { table: string });
  filter(expr: ObjectExpression): Query;
  /** Removes the filters whose first key is one of `exprs` (none without an argument, as upstream). */
  unfilter(exprs?: string[]): Query;
  select(exprs?: Array<ObjectExpression | string> | ObjectExpression | string | '*' | ['*']): Query;
  calculate(expr: ObjectExpression | string): Query;
  groupBy(exprs: ObjectExpression | string | Array<ObjectExpression | string>): Query;
  orderBy(exprs: ObjectExpression | string | Array<ObjectExpression | string>): Query;
  limit(num: number): Query;
  offset(num: number): Query;
  raw(): Query;
  withDead(): Query;
  withoutValidatedRefs(): Query;
  options(opts: Record<string, unknown>): Query;
  serialize(): QueryState;
  reset(): Query;
  serializeAsString(): string;
}

/** Starts a query on `table` (`transactions`, `accounts`, `categories`, `payees`, ...). */
export function q(table: QueryState['table']): Query;

/** What `aqlQuery` resolves to: the rows (or the calculated value) and the tables read. */
export interface AqlResult {
  data: any;
  dependencies: string[];
}

// ---- The client ---------------------------------------------------------------------

/** What init() and createClient() give: one server, credential, dataDir and open budget. */
export interface BudgetClient {
  getDataDir(): string;
  downloadBudget(syncId: string, options?: { password?: string }): Promise<DownloadedBudget>;
  /** Opens a local copy by its id (the folder name), without the network. */
  loadBudget(budgetId: string): Promise<void>;
  getBudgets(): Promise<Array<LocalBudget | RemoteBudget>>;
  sync(): Promise<void>;
  getServerVersion(): Promise<ServerVersion>;
  getAccounts(): Promise<APIAccountEntity[]>;
  /** Balance up to the end of `cutoff`'s local day (default: today). */
  getAccountBalance(id: string, cutoff?: Date | string): Promise<number>;
  getAccountGroups(): Promise<APIAccountGroupEntity[]>;
  getTransactions(accountId: string | undefined, startDate?: string | Date, endDate?: string | Date): Promise<TransactionEntity[]>;
  getCategoryGroups(options?: { hidden?: boolean }): Promise<APICategoryGroupEntity[]>;
  getCategories(options?: { hidden?: boolean }): Promise<APICategoryEntity[]>;
  getPayees(): Promise<APIPayeeEntity[]>;
  getCommonPayees(): Promise<APIPayeeEntity[]>;
  getRules(): Promise<RuleEntity[]>;
  getPayeeRules(payeeId: string): Promise<RuleEntity[]>;
  getSchedules(): Promise<APIScheduleEntity[]>;
  getBudgetMonths(): Promise<string[]>;
  getBudgetMonth(month: string): Promise<BudgetMonth>;
  getIDByName(type: 'accounts' | 'schedules' | 'categories' | 'payees', name: string): Promise<string>;
  getNote(id: string): Promise<NoteEntity | null>;
  getTags(): Promise<APITagEntity[]>;
  getPreferences(): Promise<Preferences>;
  /** Runs an ActualQL query built with `q(table)`. */
  aqlQuery(query: Query): Promise<AqlResult>;
  /** @deprecated upstream's older name of `aqlQuery`. */
  runQuery(query: Query): Promise<AqlResult>;
  addTransactions(
    accountId: string,
    transactions: ImportTransactionEntity[],
    options?: { learnCategories?: boolean; runTransfers?: boolean },
  ): Promise<'ok'>;
  importTransactions(accountId: string, transactions: ImportTransactionEntity[], options?: ImportTransactionsOpts): Promise<ImportTransactionsResult>;
  /** Resolves to undefined, as upstream's does. */
  updateTransaction(id: string, fields: Partial<TransactionEntity>): Promise<unknown>;
  /** Resolves to undefined, as upstream's does. */
  deleteTransaction(id: string): Promise<unknown>;
  /**
   * `@actual-app/api` 26.10's: merges two transactions of one account and one amount
   * into one (the imported one, else the earlier one, is kept) and resolves to its id.
   */
  mergeTransactions(ids: [string, string]): Promise<string>;
  createAccount(account: Omit<APIAccountEntity, 'id'>, initialBalance?: number): Promise<string>;
  updateAccount(id: string, fields: Partial<APIAccountEntity>): Promise<void>;
  closeAccount(id: string, transferAccountId?: string, transferCategoryId?: string): Promise<void>;
  reopenAccount(id: string): Promise<void>;
  deleteAccount(id: string): Promise<void>;
  createAccountGroup(group: Omit<APIAccountGroupEntity, 'id'>): Promise<string>;
  updateAccountGroup(id: string, fields: Partial<Omit<APIAccountGroupEntity, 'id'>>): Promise<void>;
  deleteAccountGroup(id: string): Promise<void>;
  createCategoryGroup(group: Omit<APICategoryGroupEntity, 'id'>): Promise<string>;
  updateCategoryGroup(id: string, fields: Partial<APICategoryGroupEntity>): Promise<void>;
  deleteCategoryGroup(id: string, transferCategoryId?: string): Promise<void>;
  createCategory(category: Omit<APICategoryEntity, 'id'>): Promise<string>;
  updateCategory(id: string, fields: Partial<APICategoryEntity>): Promise<void>;
  deleteCategory(id: string, transferCategoryId?: string): Promise<void>;
  updateNote(id: string, note: string): Promise<void>;
  /** `@actual-app/api` 26.10's: sets one synced preference (as getPreferences reads them). */
  setPreference(id: string, value: string | undefined): Promise<void>;
  createPayee(payee: Omit<APIPayeeEntity, 'id'>): Promise<string>;
  updatePayee(id: string, fields: Partial<APIPayeeEntity>): Promise<void>;
  deletePayee(id: string): Promise<void>;
  mergePayees(targetId: string, mergeIds: string[]): Promise<void>;
  createTag(tag: Omit<APITagEntity, 'id'>): Promise<string>;
  updateTag(id: string, fields: Partial<Omit<APITagEntity, 'id'>>): Promise<void>;
  deleteTag(id: string): Promise<void>;
  createRule(rule: NewRuleEntity): Promise<RuleEntity>;
  updateRule(rule: RuleEntity): Promise<RuleEntity>;
  deleteRule(id: string): Promise<boolean>;
  createSchedule(schedule: Omit<APIScheduleEntity, 'id'>): Promise<string>;
  deleteSchedule(id: string): Promise<void>;
  setBudgetAmount(month: string, categoryId: string, value: number): Promise<void>;
  setBudgetCarryover(month: string, categoryId: string, flag: boolean): Promise<void>;
  holdBudgetForNextMonth(month: string, amount: number): Promise<boolean>;
  resetBudgetHold(month: string): Promise<void>;
  /** Every write inside `func` is one transaction, sent once when it ends. */
  batchBudgetUpdates(func: () => Promise<void>): Promise<void>;
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

/** The object init() resolves to (upstream's shape). */
export interface Api {
  getDataDir(): string;
  downloadBudget: typeof downloadBudget;
  loadBudget: typeof loadBudget;
  getBudgets: typeof getBudgets;
  sync: typeof sync;
  shutdown: typeof shutdown;
}

/** Signs in (or, without serverURL, opens dataDir for local copies) as the module's default client. */
export function init(config?: InitConfig): Promise<Api>;
/** A client of its own, beside the default one: several budgets, servers and credentials at once. */
export function createClient(config?: InitConfig): Promise<BudgetClient>;
export function shutdown(): Promise<void>;

export const downloadBudget: BudgetClient['downloadBudget'];
export const loadBudget: BudgetClient['loadBudget'];
export const getBudgets: BudgetClient['getBudgets'];
export const sync: BudgetClient['sync'];
export const getServerVersion: BudgetClient['getServerVersion'];
export const getAccounts: BudgetClient['getAccounts'];
export const getAccountBalance: BudgetClient['getAccountBalance'];
export const getAccountGroups: BudgetClient['getAccountGroups'];
export const getTransactions: BudgetClient['getTransactions'];
export const getCategoryGroups: BudgetClient['getCategoryGroups'];
export const getCategories: BudgetClient['getCategories'];
export const getPayees: BudgetClient['getPayees'];
export const getCommonPayees: BudgetClient['getCommonPayees'];
export const getRules: BudgetClient['getRules'];
export const getPayeeRules: BudgetClient['getPayeeRules'];
export const getSchedules: BudgetClient['getSchedules'];
export const getBudgetMonths: BudgetClient['getBudgetMonths'];
export const getBudgetMonth: BudgetClient['getBudgetMonth'];
export const getIDByName: BudgetClient['getIDByName'];
export const getNote: BudgetClient['getNote'];
export const getTags: BudgetClient['getTags'];
export const getPreferences: BudgetClient['getPreferences'];
export const aqlQuery: BudgetClient['aqlQuery'];
/** @deprecated Please use `aqlQuery` instead. */
export const runQuery: BudgetClient['runQuery'];
export const addTransactions: BudgetClient['addTransactions'];
export const importTransactions: BudgetClient['importTransactions'];
export const updateTransaction: BudgetClient['updateTransaction'];
export const deleteTransaction: BudgetClient['deleteTransaction'];
export const mergeTransactions: BudgetClient['mergeTransactions'];
export const createAccount: BudgetClient['createAccount'];
export const updateAccount: BudgetClient['updateAccount'];
export const closeAccount: BudgetClient['closeAccount'];
export const reopenAccount: BudgetClient['reopenAccount'];
export const deleteAccount: BudgetClient['deleteAccount'];
export const createAccountGroup: BudgetClient['createAccountGroup'];
export const updateAccountGroup: BudgetClient['updateAccountGroup'];
export const deleteAccountGroup: BudgetClient['deleteAccountGroup'];
export const createCategoryGroup: BudgetClient['createCategoryGroup'];
export const updateCategoryGroup: BudgetClient['updateCategoryGroup'];
export const deleteCategoryGroup: BudgetClient['deleteCategoryGroup'];
export const createCategory: BudgetClient['createCategory'];
export const updateCategory: BudgetClient['updateCategory'];
export const deleteCategory: BudgetClient['deleteCategory'];
export const updateNote: BudgetClient['updateNote'];
export const setPreference: BudgetClient['setPreference'];
export const createPayee: BudgetClient['createPayee'];
export const updatePayee: BudgetClient['updatePayee'];
export const deletePayee: BudgetClient['deletePayee'];
export const mergePayees: BudgetClient['mergePayees'];
export const createTag: BudgetClient['createTag'];
export const updateTag: BudgetClient['updateTag'];
export const deleteTag: BudgetClient['deleteTag'];
export const createRule: BudgetClient['createRule'];
export const updateRule: BudgetClient['updateRule'];
export const deleteRule: BudgetClient['deleteRule'];
export const createSchedule: BudgetClient['createSchedule'];
export const deleteSchedule: BudgetClient['deleteSchedule'];
export const setBudgetAmount: BudgetClient['setBudgetAmount'];
export const setBudgetCarryover: BudgetClient['setBudgetCarryover'];
export const holdBudgetForNextMonth: BudgetClient['holdBudgetForNextMonth'];
export const resetBudgetHold: BudgetClient['resetBudgetHold'];
export const batchBudgetUpdates: BudgetClient['batchBudgetUpdates'];
export const runBankSync: BudgetClient['runBankSync'];

export const utils: {
  /** `amount * 10^decimalPlaces`, rounded as Math.round does. */
  amountToInteger(amount: number, decimalPlaces?: number): number;
  integerToAmount(integerAmount: number, decimalPlaces?: number): number;
};

export * from './upstream';

export class ActualError extends Error {
  /** Stable code; upstream's where upstream has one (e.g. 'invalid-password', 'network-failure'). */
  code: string;
  /** HTTP status of the reply, when there was one. */
  status?: number;
  /** The server's `reason`, when it sent one. */
  reason?: string;
  /** The server's `details`, when it sent one. */
  details?: string;
}
export class ConfigError extends ActualError {}
export class AuthError extends ActualError {}
export class TokenExpiredError extends AuthError {}
export class InvalidTokenError extends AuthError {}
export class TokenScopeError extends AuthError {}
export class RateLimitError extends AuthError {
  /** Seconds to wait, from the Retry-After header. */
  retryAfter?: number;
}
export class NetworkError extends ActualError {}
export class BudgetNotFoundError extends ActualError {}
export class EncryptionError extends ActualError {}
export class DownloadError extends ActualError {}
export class SyncError extends ActualError {}
export class FileSystemError extends ActualError {}
/** A delegated function was called but @actual-app/api is not installed. */
export class MissingPeerError extends ConfigError {}
/** What upstream rejects with `{ type: 'APIError', message }`: the same message and type. */
export class APIError extends ConfigError {
  type: 'APIError';
}
/** What upstream throws as a TypeError for an argument of a type it does not check (its name is 'TypeError'). */
export class ArgumentTypeError extends TypeError {
  code: string;
}
/** A case the native engine does not take, with no official engine installed to hand it to. */
export class UnsupportedError extends ActualError {}
