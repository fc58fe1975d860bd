// ESM entry: re-exports the CommonJS module, so `import` and `require` share one client.
import api from './index.js';

export const {
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
} = api;

export * from './upstream.mjs';
export default api;
