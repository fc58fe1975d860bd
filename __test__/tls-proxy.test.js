'use strict';
// https servers with a private CA given through NODE_EXTRA_CA_CERTS, and the proxy
// variables HTTP_PROXY / HTTPS_PROXY / NO_PROXY. A loopback TLS terminator (with a CA
// made here by openssl) and a loopback forward proxy sit in front of the real server.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');

const h = require('./helpers/harness.js');

let server;
let budget;
let certs;
let tlsFront;
let proxy;

function makeCerts() {
  const dir = h.tempDir('actual-tls-');
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=actual-native test CA', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.pem');
  return { dir, ca: path.join(dir, 'ca.pem'), key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.pem')) };
}

/** TLS in front of the plain real server. */
async function startTlsFront(port) {
  const srv = tls.createServer({ key: certs.key, cert: certs.cert }, (socket) => {
    const up = net.connect(port, '127.0.0.1');
    socket.pipe(up).pipe(socket);
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}

/** A forward proxy: absolute-URI requests and CONNECT tunnels, counted. */
async function startForwardProxy() {
  const counts = { forward: 0, connect: 0 };
  const srv = http.createServer((req, res) => {
    counts.forward++;
    const url = new URL(req.url);
    const up = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  srv.on('connect', (req, socket, head) => {
    counts.connect++;
    const [host, port] = req.url.split(':');
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      socket.pipe(up).pipe(socket);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { srv, counts, url: `http://127.0.0.1:${srv.address().port}` };
}

test.before(async () => {
  server = await h.startServer();
  budget = await h.createBudget(server, { name: 'TLS Budget', accounts: [{ name: 'A', transactions: 10 }] });
  certs = makeCerts();
  tlsFront = await startTlsFront(server.port);
  proxy = await startForwardProxy();
});

test.after(async () => {
  tlsFront?.close();
  proxy?.srv.close();
  await server?.stop();
});

// Asynchronous: the TLS front and the proxy live in this process and must keep serving.
async function run(url, env = {}) {
  const clean = { ...process.env };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy', 'NODE_EXTRA_CA_CERTS']) delete clean[k];
  return h.downloadInChild({ ...clean, DIR: h.tempDir(), URL: url, PW: server.password, SYNC_ID: budget.syncId, ...env });
}

test('https with a private CA: refused without it, works with NODE_EXTRA_CA_CERTS', async () => {
  const url = `https://127.0.0.1:${tlsFront.address().port}`;
  const refused = await run(url);
  assert.equal(refused.code, 'network-failure');
  assert.deepEqual(await run(url, { NODE_EXTRA_CA_CERTS: certs.ca }), { ok: budget.id });
  assert.equal((await run(url, { NODE_EXTRA_CA_CERTS: path.join(certs.dir, 'missing.pem') })).code, 'filesystem-error');
});

test('HTTP_PROXY is honoured, and NO_PROXY bypasses it', async () => {
  proxy.counts.forward = 0;
  assert.deepEqual(await run(server.url, { HTTP_PROXY: proxy.url }), { ok: budget.id });
  assert.ok(proxy.counts.forward >= 4, `requests went through the proxy (${proxy.counts.forward})`);
  proxy.counts.forward = 0;
  assert.deepEqual(await run(server.url, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }), { ok: budget.id });
  assert.equal(proxy.counts.forward, 0);
});

test('HTTPS_PROXY tunnels https with CONNECT', async () => {
  proxy.counts.connect = 0;
  const url = `https://127.0.0.1:${tlsFront.address().port}`;
  assert.deepEqual(await run(url, { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.ca }), { ok: budget.id });
  assert.ok(proxy.counts.connect >= 1);
});
