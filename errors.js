'use strict';
// The typed errors: one class per native error kind, rebuilt from the JSON payload the
// native side puts in its error message.

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
// What upstream rejects with a plain `{ type: 'APIError', message, meta }`: the same
// message and `type`, as an Error with a code.
class APIError extends ConfigError {
  constructor(message, fields = {}) {
    super(message, { code: 'api-error', ...fields });
    this.type = 'APIError';
    // upstream's `meta` (createRule/updateRule: { conditionErrors, actionErrors }).
    this.meta = fields.meta ?? undefined;
  }
}
// What upstream's handlers throw as a JavaScript TypeError (an argument of a type they
// do not check): a TypeError with V8's message, as upstream's is.
class ArgumentTypeError extends TypeError {
  constructor(message, { code, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TypeError';
    this.code = code;
  }
}
// A case the native engine does not take, with no official engine to hand it to.
class UnsupportedError extends ActualError {}

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
  api: APIError,
  type: ArgumentTypeError,
  unsupported: UnsupportedError,
};

function fromNative(err) {
  const text = err && typeof err.message === 'string' ? err.message : '';
  if (!text.startsWith(PAYLOAD_PREFIX)) return err;
  const payload = JSON.parse(text.slice(PAYLOAD_PREFIX.length));
  const ErrorClass = CLASS_BY_KIND[payload.kind] || ActualError;
  const error = new ErrorClass(payload.message, { ...payload, cause: err });
  // Upstream's own name for an error it throws as a plain Error (`Error`, `SqliteError`).
  if (payload.name) error.name = payload.name;
  return error;
}

async function callNative(fn) {
  try {
    return await fn();
  } catch (err) {
    throw fromNative(err);
  }
}

module.exports = {
  CLASS_BY_KIND,
  callNative,
  classes: {
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
    APIError,
    ArgumentTypeError,
    UnsupportedError,
  },
};
