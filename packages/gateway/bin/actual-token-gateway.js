#!/usr/bin/env node
'use strict';
// actual-token-gateway: API tokens for an unmodified Actual server.
// A thin launcher: the gateway itself is Rust (crates/gateway), in this package's addon.
// SIGINT/SIGTERM ask it to stop gracefully; a second signal exits at once.

const native = require('../binding.js');

let stopping = false;
function onSignal(signal) {
  if (stopping) {
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  stopping = true;
  native.gatewayStop();
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

native.gatewayCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`actual-token-gateway: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  },
);
