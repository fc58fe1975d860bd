'use strict';
// The typed errors, in one table: scripts/gen-tables.js writes from it the classes and
// the kind -> class map in errors.js, the errors section of index.d.ts and (through
// index.js's exports) index.mjs's export list; __test__/tables.test.js fails when those
// files drift from it or when a native error kind has no class here.
//
// Each class:
//   name      the class (exported under that name)
//   extends   its parent: another class of this table, or Error / TypeError
//   kind      the native ErrorKind (crates/session/src/error.rs) whose errors it is
//   doc       what it is, for both the JavaScript and the .d.ts
//   fields    what its constructor copies from the fields it is given, beside its
//             parent's: name -> { type (TypeScript), doc, required }; an optional one is
//             undefined when absent or null
//   code      the code it has when none is given
//   constants fields with a fixed value: name -> value
//   jsName    its `name` when not the class name
module.exports = [
  {
    name: 'ActualError',
    extends: 'Error',
    kind: 'state',
    doc: 'The parent of every error of this package but ArgumentTypeError; itself, a call before init() or a database failure.',
    fields: {
      code: { type: 'string', required: true, doc: "Stable code; upstream's where upstream has one (e.g. 'invalid-password', 'network-failure')." },
      status: { type: 'number', doc: 'HTTP status of the reply, when there was one.' },
      reason: { type: 'string', doc: "The server's `reason`, when it sent one." },
      details: { type: 'string', doc: "The server's `details`, when it sent one." },
    },
  },
  { name: 'ConfigError', extends: 'ActualError', kind: 'config', doc: "A bad config or argument (what upstream throws as a plain Error keeps upstream's `name`)." },
  { name: 'AuthError', extends: 'ActualError', kind: 'auth', doc: 'The credential was refused, or not exactly one was given.' },
  { name: 'TokenExpiredError', extends: 'AuthError', kind: 'token-expired', doc: 'The API token or session token has expired.' },
  { name: 'InvalidTokenError', extends: 'AuthError', kind: 'invalid-token', doc: 'The API token is malformed, unknown, disabled or revoked.' },
  { name: 'TokenScopeError', extends: 'AuthError', kind: 'token-scope', doc: "The API token's scope does not allow the call (another budget, read-only)." },
  {
    name: 'RateLimitError',
    extends: 'AuthError',
    kind: 'rate-limit',
    doc: 'Too many attempts: the server asks to wait.',
    fields: { retryAfter: { type: 'number', doc: 'Seconds to wait, from the Retry-After header.' } },
  },
  { name: 'NetworkError', extends: 'ActualError', kind: 'network', doc: 'The server could not be reached.' },
  { name: 'BudgetNotFoundError', extends: 'ActualError', kind: 'budget-not-found', doc: 'No budget with that sync id.' },
  { name: 'EncryptionError', extends: 'ActualError', kind: 'encryption', doc: 'An encrypted budget without its password, or with a wrong one.' },
  { name: 'DownloadError', extends: 'ActualError', kind: 'download', doc: 'The budget file could not be downloaded or unpacked.' },
  { name: 'SyncError', extends: 'ActualError', kind: 'sync', doc: 'Syncing failed, or the budget is of a version this engine does not read.' },
  { name: 'FileSystemError', extends: 'ActualError', kind: 'filesystem', doc: 'Reading or writing the data directory failed.' },
  {
    name: 'APIError',
    extends: 'ConfigError',
    kind: 'api',
    doc: "What upstream rejects with `{ type: 'APIError', message }`: the same message and type.",
    code: 'api-error',
    constants: { type: 'APIError' },
    fields: { meta: { type: 'unknown', doc: "upstream's `meta` (createRule, updateRule: `{ conditionErrors, actionErrors }`)." } },
  },
  {
    name: 'ArgumentTypeError',
    extends: 'TypeError',
    kind: 'type',
    doc: "What upstream throws as a TypeError for an argument of a type it does not check (V8's message; its name is 'TypeError').",
    jsName: 'TypeError',
    fields: { code: { type: 'string', required: true, doc: "Stable code ('type-error')." } },
  },
  { name: 'UnsupportedError', extends: 'ActualError', kind: 'unsupported', doc: 'A case the native engine does not take (named), refused before anything is written.' },
];
