'use strict';
// Preloaded (`node -r`) into our cold runs: makes @actual-app/api impossible to load, as
// in a project that never installed it. A run that needed it would fail, not fall back.
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@actual-app/api' || request.startsWith('@actual-app/')) {
    throw Object.assign(new Error(`${request} is not installed (benchmark)`), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
