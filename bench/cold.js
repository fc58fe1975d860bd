'use strict';
// One cold run, in its own `node` process: node start, require, init({ password }),
// downloadBudget, shutdown, natural exit. Usage:
//   node bench/cold.js '<json {client, dataDir, serverURL, password, syncId, encryptPassword?, resultFile, verbose?}>'
// client: "ours" (this package), "upstream" (@actual-app/api, console silenced) or
// "floor" (raw HTTP + unzip: the bytes any client must move, with no parsing or sync).
// At exit it writes {marks, maxRSS (KiB, the process's own high-water mark)} to resultFile.
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

const started = performance.now(); // ms since the process's time origin: node's own start-up
const args = JSON.parse(process.argv[2]);
const marks = { scriptStart: started };
let failure = null;

process.on('exit', (code) => {
  const out = { client: args.client, code, marks, timeOrigin: performance.timeOrigin, maxRSS: process.resourceUsage().maxRSS, failure, exitMark: performance.now() };
  fs.writeFileSync(args.resultFile, JSON.stringify(out));
});

function mark(name) {
  marks[name] = performance.now();
}

async function ours() {
  const api = require('..');
  mark('required');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password, verbose: Boolean(args.verbose) });
  mark('init');
  const budget = await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  mark('downloaded');
  await api.shutdown();
  mark('shutdown');
  return budget.path;
}

async function upstream() {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'group', 'groupEnd', 'trace', 'time', 'timeEnd', 'table']) {
    console[method] = () => {};
  }
  const api = require('@actual-app/api');
  mark('required');
  await api.init({ dataDir: args.dataDir, serverURL: args.serverURL, password: args.password });
  mark('init');
  await api.downloadBudget(args.syncId, { password: args.encryptPassword });
  mark('downloaded');
  await api.shutdown();
  mark('shutdown');
}

// The floor: the same requests and the unzip, nothing else.
async function floor() {
  const http = require('node:http');
  const path = require('node:path');
  const zlib = require('node:zlib');
  const { syncRequest } = require('../__test__/helpers/protobuf.js');
  mark('required');
  const agent = new http.Agent({ keepAlive: true });
  const base = new URL(args.serverURL);
  const request = (method, p, headers = {}, body) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: base.hostname, port: base.port, method, path: '/' + p, headers, agent, timeout: 60000 }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          if (res.statusCode !== 200) reject(new Error(`${p} -> ${res.statusCode}: ${buf.toString().slice(0, 200)}`));
          else resolve(buf);
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${p} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  const json = async (...a) => JSON.parse((await request(...a)).toString()).data;
  const login = await json('POST', 'account/login', { 'content-type': 'application/json' }, JSON.stringify({ loginMethod: 'password', password: args.password }));
  const auth = { 'x-actual-token': login.token };
  mark('init');
  const files = await json('GET', 'sync/list-user-files', auth);
  const file = files.find((f) => !f.deleted && f.groupId === args.syncId);
  mark('listed');
  const fileHeaders = { ...auth, 'x-actual-file-id': file.fileId };
  const keyP = file.encryptKeyId
    ? json('POST', 'sync/user-get-key', { ...auth, 'content-type': 'application/json' }, JSON.stringify({ fileId: file.fileId })).then(
        (k) => new Promise((resolve, reject) => require('node:crypto').pbkdf2(args.encryptPassword, k.salt, 10000, 32, 'sha512', (e, key) => (e ? reject(e) : resolve(key)))),
      )
    : null;
  const [info, bytes, key] = await Promise.all([json('GET', 'sync/get-user-file-info', fileHeaders), request('GET', 'sync/download-user-file', fileHeaders), keyP]);
  mark('fetched');
  let zip = bytes;
  if (info.encryptMeta) {
    const m = info.encryptMeta;
    const d = require('node:crypto').createDecipheriv('aes-256-gcm', key, Buffer.from(m.iv, 'base64'));
    d.setAuthTag(Buffer.from(m.authTag, 'base64'));
    zip = Buffer.concat([d.update(bytes), d.final()]);
  }
  const entries = unzip(zip, zlib);
  mark('unzipped');
  const db = Object.keys(entries).find((n) => n.endsWith('db.sqlite'));
  const metaName = Object.keys(entries).find((n) => n.endsWith('metadata.json'));
  const meta = JSON.parse(Buffer.from(entries[metaName]).toString());
  const dir = path.join(args.dataDir, meta.id);
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, 'db.sqlite'), 'w');
  fs.writeSync(fd, entries[db]);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.writeFileSync(path.join(dir, 'metadata.json'), entries[metaName]);
  mark('downloaded');
  const since = meta.lastSyncedTimestamp || '1970-01-01T00:00:00.000Z-0000-0000000000000000';
  let body = syncRequest({ fileId: file.fileId, groupId: file.groupId, since, messages: [] });
  if (file.encryptKeyId) {
    // SyncRequest.keyId = field 5 (the helper does not write it); ids are < 128 bytes.
    const id = Buffer.from(file.encryptKeyId);
    body = Buffer.concat([body, Buffer.from([(5 << 3) | 2, id.length]), id]);
  }
  const reply = await request('POST', 'sync/sync', { ...auth, 'content-type': 'application/actual-sync' }, body);
  marks.syncReplyBytes = reply.length;
  mark('synced');
  agent.destroy();
  mark('shutdown');
  return dir;
}

/**
 * The least a zip reader can do: find the central directory, inflate each entry with
 * node's native zlib (no CRC check, no zip64, no safety checks). { name: Buffer }.
 */
function unzip(buf, zlib) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = {};
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + compressed);
    out[name] = method === 0 ? data : zlib.inflateRawSync(data);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

const clients = { ours, upstream, floor };
clients[args.client]().catch((err) => {
  failure = String(err && err.stack ? err.stack : err);
  process.exitCode = 1;
});
