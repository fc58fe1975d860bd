'use strict';
// Hostile or malformed input. Bad archives are uploaded to the real server, as any
// client could, and then downloaded: each is refused with a clear error and nothing is
// written outside <dataDir>/<id>/ (here: nothing at all). Bad arguments from the
// caller get clear errors too.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const h = require('./helpers/harness.js');
const { makeZip } = require('./helpers/zip.js');
const api = require('../index.js');

let server;
const ESCAPE = `actual-escape-${process.pid}`;

test.before(async () => {
  server = await h.startServer();
});

test.after(async () => {
  await api.shutdown();
  await server?.stop();
});

const META = (id) => JSON.stringify({ id, budgetName: 'Hostile' });

/** Uploads `zip` as a new budget file and returns its sync id (groupId). */
async function upload(zip, name = 'Hostile') {
  const res = await fetch(`${server.url}/sync/upload-user-file`, {
    method: 'POST',
    headers: {
      'content-type': 'application/encrypted-file',
      'x-actual-token': server.sessionToken,
      'x-actual-file-id': crypto.randomUUID(),
      'x-actual-name': encodeURIComponent(name),
      'x-actual-format': '2',
    },
    body: zip,
  });
  const body = await res.json();
  assert.equal(body.status, 'ok', JSON.stringify(body));
  return body.groupId;
}

async function refused(zip, ErrorClass, code) {
  const syncId = await upload(zip);
  const parent = h.tempDir();
  const dataDir = path.join(parent, 'data');
  await api.init({ dataDir, serverURL: server.url, password: server.password });
  const err = await api.downloadBudget(syncId).then(() => assert.fail(`expected ${code}`), (e) => e);
  assert.ok(err instanceof ErrorClass, `${err.name}: ${err.message}`);
  assert.equal(err.code, code, err.message);
  assert.deepEqual(fs.readdirSync(dataDir), [], 'nothing written in dataDir');
  assert.deepEqual(fs.readdirSync(parent), ['data'], 'nothing written beside dataDir');
  for (const p of [path.join(parent, ESCAPE), `/tmp/${ESCAPE}`]) assert.ok(!fs.existsSync(p), `${p} must not exist`);
  return err;
}

const db = Buffer.from('SQLite format 3\0 not a real database');

test('entries with ../ paths are refused', async () => {
  await refused(makeZip([{ name: `../${ESCAPE}/db.sqlite`, data: db }, { name: `../${ESCAPE}/metadata.json`, data: META('x') }]), api.DownloadError, 'invalid-zip-file');
});

test('entries with absolute paths are refused', async () => {
  await refused(makeZip([{ name: `/tmp/${ESCAPE}/db.sqlite`, data: db }, { name: `/tmp/${ESCAPE}/metadata.json`, data: META('x') }, { name: 'db.sqlite', data: db }, { name: 'metadata.json', data: META('ok-id') }]), api.DownloadError, 'invalid-zip-file');
});

test('symlinks are refused', async () => {
  await refused(makeZip([{ name: 'db.sqlite', symlink: '/etc/passwd' }, { name: 'metadata.json', data: META('ok-id') }]), api.DownloadError, 'invalid-zip-file');
});

test('duplicate names are refused', async () => {
  await refused(makeZip([{ name: 'db.sqlite', data: db }, { name: 'db.sqlite', data: db }, { name: 'metadata.json', data: META('ok-id') }]), api.DownloadError, 'invalid-zip-file');
});

test('an archive that inflates past 500 MB is refused', async () => {
  // 501 MB of zeros deflate to about 500 kB; the declared size tells the truth.
  const size = 501 * 1024 * 1024;
  const deflated = zlib.deflateRawSync(Buffer.alloc(size));
  await refused(makeZip([{ name: 'db.sqlite', deflated, declaredSize: size }, { name: 'metadata.json', data: META('ok-id') }]), api.DownloadError, 'zip-too-large');
});

test('metadata.json with an unsafe or missing id is refused', async () => {
  for (const meta of [META(`../../${ESCAPE}`), META('a/b'), JSON.stringify({ budgetName: 'no id' }), 'not json']) {
    await refused(makeZip([{ name: 'db.sqlite', data: db }, { name: 'metadata.json', data: meta }]), api.DownloadError, 'invalid-meta-file');
  }
});

test('a body that is not a zip is refused', async () => {
  await refused(Buffer.from('<html>definitely not a zip</html>'), api.DownloadError, 'not-zip-file');
});

test('bad arguments from the caller get clear errors', async () => {
  const file = path.join(h.tempDir(), 'a-file');
  fs.writeFileSync(file, 'x');
  let err = await api.init({ dataDir: file, serverURL: server.url, password: server.password }).catch((e) => e);
  assert.ok(err instanceof api.ConfigError);
  assert.equal(err.code, 'invalid-data-dir');
  assert.match(err.message, /is a file/);
  err = await api.init({ dataDir: '/proc/actual-native-cannot-write-here', serverURL: server.url, password: server.password }).catch((e) => e);
  assert.equal(err.code, 'invalid-data-dir');
  err = await api.init({ dataDir: h.tempDir(), serverURL: 'http://', password: 'x' }).catch((e) => e);
  assert.equal(err.code, 'invalid-server-url');
  err = await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: 42 }).catch((e) => e);
  assert.equal(err.code, 'invalid-config');
  await api.init({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  for (const bad of ['..', 'a/b', 'x\\y', 'sync id', '']) {
    err = await api.downloadBudget(bad).catch((e) => e);
    assert.equal(err.code, 'invalid-sync-id', `sync id ${JSON.stringify(bad)}`);
  }
});
