'use strict';
// Loaded into the real sync-server's process (NODE_OPTIONS=--require, see
// fake-banks.js): the server's code stays as it is, only its network changes. A TLS
// connection to one of the providers' fixed hosts (GoCardless, Enable Banking, Akahu)
// goes to the fake banks on 127.0.0.1:FAKE_BANKS_PORT instead, still naming the
// provider's host (SNI), so that the certificate is checked against that name (the
// test CA is trusted through NODE_EXTRA_CA_CERTS). Every other connection is left
// alone. Both ways the server reaches them go through tls.connect: undici's global
// fetch (GoCardless, Enable Banking) and node's https agent (Akahu's axios client).
const tls = require('node:tls');

const HOSTS = new Set(['bankaccountdata.gocardless.com', 'api.enablebanking.com', 'api.akahu.io']);
const port = Number(process.env.FAKE_BANKS_PORT);

const connect = tls.connect;
tls.connect = function connectToFakeBanks(...args) {
  // tls.connect(options[, cb]) or tls.connect(port[, host][, options][, cb]).
  const at = args.findIndex((a) => a !== null && typeof a === 'object');
  const options = at === -1 ? {} : args[at];
  const host = options.host ?? (typeof args[1] === 'string' ? args[1] : undefined);
  if (!HOSTS.has(host)) return connect.apply(this, args);
  const cb = args.find((a) => typeof a === 'function');
  const redirected = { ...options, host: '127.0.0.1', port, servername: options.servername || host };
  return cb ? connect.call(this, redirected, cb) : connect.call(this, redirected);
};
