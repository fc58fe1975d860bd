'use strict';
// Hand-written wrapper around the generated binding: keeps the one signed-in client
// of this process, reads the environment, and turns native error payloads into the
// typed error classes below.

const native = require('./binding.js');
const { createUpstreamLayer } = require('./upstream.js');

const PAYLOAD_PREFIX = 'ACTUAL_NATIVE_ERROR:';

class ActualError extends Error {
  constructor(message, { code, status, reason, details, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status ?? undefined;
    this.reason = reason ?? undefined;
    this.details = details ?? undefined;
  }
}
class ConfigError extends ActualError {}
class AuthError extends ActualError {}
class TokenExpiredError extends AuthError {}
class InvalidTokenError extends AuthError {}
class TokenScopeError extends AuthError {}
class RateLimitError extends AuthError {
  constructor(message, fields = {}) {
    super(message, fields);
    this.retryAfter = fields.retryAfter ?? undefined;
  }
}
class NetworkError extends ActualError {}
class BudgetNotFoundError extends ActualError {}
class EncryptionError extends ActualError {}
class DownloadError extends ActualError {}
class SyncError extends ActualError {}
class FileSystemError extends ActualError {}
class MissingPeerError extends ConfigError {}

const CLASS_BY_KIND = {
  config: ConfigError,
  state: ActualError,
  auth: AuthError,
  'token-expired': TokenExpiredError,
  'invalid-token': InvalidTokenError,
  'token-scope': TokenScopeError,
  'rate-limit': RateLimitError,
  network: NetworkError,
  'budget-not-found': BudgetNotFoundError,
  encryption: EncryptionError,
  download: DownloadError,
  sync: SyncError,
  filesystem: FileSystemError,
};

function fromNative(err) {
  const text = err && typeof err.message === 'string' ? err.message : '';
  if (!text.startsWith(PAYLOAD_PREFIX)) return err;
  const payload = JSON.parse(text.slice(PAYLOAD_PREFIX.length));
  const ErrorClass = CLASS_BY_KIND[payload.kind] || ActualError;
  return new ErrorClass(payload.message, { ...payload, cause: err });
}

async function callNative(fn) {
  try {
    return await fn();
  } catch (err) {
    throw fromNative(err);
  }
}

let current = null; // { client, dataDir, serverURL, budgetId }

function requireSession() {
  if (!current) {
    throw new ActualError('not initialised: call init() first', { code: 'not-initialized' });
  }
  return current;
}

const upstream = createUpstreamLayer({ context: requireSession, MissingPeerError });

const CREDENTIAL_KEYS = ['password', 'sessionToken', 'token'];

function isGiven(value) {
  return value !== undefined && value !== null;
}

// Config keys win over the environment; ACTUAL_API_TOKEN is read only when no
// credential key was given at all.
function resolveOptions(config) {
  const env = process.env;
  const serverURL = isGiven(config.serverURL) ? config.serverURL : env.ACTUAL_SERVER_URL;
  if (!isGiven(serverURL) || serverURL === '') {
    throw new ConfigError('serverURL is required (or set ACTUAL_SERVER_URL)', { code: 'invalid-server-url' });
  }
  const noCredential = CREDENTIAL_KEYS.every((key) => !isGiven(config[key]));
  const options = {
    serverUrl: String(serverURL),
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
  return options;
}

async function init(config = {}) {
  const options = resolveOptions(config);
  await shutdown();
  const client = await callNative(() => native.connect(options));
  current = { client, dataDir: client.dataDir(), serverURL: options.serverUrl, budgetId: null };
  return Object.freeze({
    getDataDir: () => requireSession().dataDir,
    downloadBudget,
    getBudgets,
    shutdown,
  });
}

async function downloadBudget(syncId, options = {}) {
  const session = requireSession();
  if (typeof syncId !== 'string' || syncId === '') {
    throw new ConfigError('downloadBudget needs the sync id of a budget', { code: 'invalid-sync-id' });
  }
  const password = options && isGiven(options.password) ? String(options.password) : undefined;
  // The official engine must not hold the folder we are about to replace.
  await upstream.close();
  const budget = await callNative(() => session.client.downloadBudget(syncId, password));
  session.budgetId = budget.id;
  return budget;
}

async function getBudgets() {
  return callNative(() => requireSession().client.getBudgets());
}

async function shutdown() {
  const session = current;
  current = null;
  try {
    await upstream.close();
  } finally {
    if (session) session.client.close();
  }
}

module.exports = {
  init,
  downloadBudget,
  getBudgets,
  shutdown,
  ActualError,
  ConfigError,
  AuthError,
  TokenExpiredError,
  InvalidTokenError,
  TokenScopeError,
  RateLimitError,
  NetworkError,
  BudgetNotFoundError,
  EncryptionError,
  DownloadError,
  SyncError,
  FileSystemError,
  MissingPeerError,
};
// Delegated exports, copied as property descriptors so the `internal` and `utils`
// getters stay lazy (requiring the official engine is slow; only do it when used).
Object.defineProperties(module.exports, Object.getOwnPropertyDescriptors(upstream.exports));
