'use strict';
// Required first by a script that must run as on a machine without the official client:
// resolving @actual-app/api (or @actual-app/api-official, the drop-in's second name)
// fails as if it were not installed. `redirect` lets one of those names resolve to
// another file instead (api-is-ours.js: this package installed as @actual-app/api).
const Module = require('node:module');

const BLOCKED = ['@actual-app/api', '@actual-app/api-official'];
const redirects = new Map(); // module id -> the file it resolves to

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (BLOCKED.some((name) => request === name || request.startsWith(`${name}/`))) {
    if (redirects.has(request)) return redirects.get(request);
    throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};

module.exports = { BLOCKED, redirect: (request, file) => redirects.set(request, file) };
