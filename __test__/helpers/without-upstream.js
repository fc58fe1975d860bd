'use strict';
// Required first by a script that must run as on a machine without the official client:
// resolving @actual-app/api (or @actual-app/api-official, the drop-in's second name)
// fails as if it were not installed.
const Module = require('node:module');

const BLOCKED = ['@actual-app/api', '@actual-app/api-official'];
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (BLOCKED.some((name) => request === name || request.startsWith(`${name}/`))) {
    throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
