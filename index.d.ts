// Hand-written types for index.js. The delegated @actual-app/api exports are typed in
// the generated upstream.d.ts.

export * from './upstream';

interface BaseConfig {
  /** Where budgets are stored; created if missing. Default: ACTUAL_DATA_DIR, else the current directory. */
  dataDir?: string;
  /** The Actual server (or token gateway), http or https. Default: ACTUAL_SERVER_URL. */
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

export interface Api {
  getDataDir(): string;
  downloadBudget: typeof downloadBudget;
  getBudgets: typeof getBudgets;
  shutdown: typeof shutdown;
}

export function init(config?: InitConfig): Promise<Api>;
export function downloadBudget(syncId: string, options?: { password?: string }): Promise<DownloadedBudget>;
export function getBudgets(): Promise<Array<LocalBudget | RemoteBudget>>;
export function shutdown(): Promise<void>;

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
