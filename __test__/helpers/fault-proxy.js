'use strict';
// A fault-injecting HTTP proxy in front of the real server, for faults the real server
// cannot be made to produce. Everything not targeted by a fault passes through.
const http = require('node:http');

/**
 * faults: { '/sync/download-user-file': 'reset' | 'stall' | 'html-502' | 'html-500' | 'truncate' | 'flip' | 'garbage' | 'huge-json' }
 * `counts[path]` counts requests per path; `set(path, fault, times)` injects a fault for
 * the next `times` requests (default: all).
 */
async function startFaultProxy(upstreamUrl) {
  const target = new URL(upstreamUrl);
  const faults = new Map();
  const counts = {};
  const sockets = new Set();

  const server = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    counts[path] = (counts[path] || 0) + 1;
    const fault = faults.get(path);
    let kind = null;
    if (fault && fault.times !== 0) {
      kind = fault.kind;
      if (fault.times > 0) fault.times -= 1;
    }
    if (kind === 'stall') return; // accept, read, never answer
    if (kind === 'huge-json') {
      // A well-formed envelope far larger than any listing (40 MB), streamed.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"ok","data":[');
      const item = JSON.stringify({ deleted: 0, fileId: 'x', groupId: 'y', name: 'z'.repeat(1000) });
      let sent = 0;
      const more = () => {
        while (sent < 40000) {
          sent++;
          if (!res.write((sent > 1 ? ',' : '') + item)) return res.once('drain', more);
        }
        res.end(']}');
      };
      more();
      return;
    }
    if (kind === 'html-502' || kind === 'html-500') {
      const status = kind === 'html-502' ? 502 : 500;
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<html><body><h1>${status} Bad Gateway</h1><p>nginx</p></body></html>`);
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (!kind) {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
          return;
        }
        const chunks = [];
        up.on('data', (c) => chunks.push(c));
        up.on('end', () => {
          let body = Buffer.concat(chunks);
          const headers = { ...up.headers };
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          if (kind === 'reset') {
            // Promise the whole body, send half, cut the connection.
            res.writeHead(up.statusCode, { ...headers, 'content-length': body.length });
            res.write(body.subarray(0, body.length >> 1), () => res.socket.destroy());
            return;
          }
          if (kind === 'truncate') body = body.subarray(0, body.length >> 1);
          if (kind === 'flip') {
            body = Buffer.from(body);
            body[body.length >> 1] ^= 0xff;
          }
          if (kind === 'garbage') body = Buffer.from('\xff\xfe this is not protobuf \x00\x01\x02\x03', 'latin1');
          res.writeHead(up.statusCode, { ...headers, 'content-length': body.length });
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    set(path, kind, times = -1) {
      faults.set(path, { kind, times });
    },
    clear() {
      faults.clear();
      for (const k of Object.keys(counts)) delete counts[k];
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

module.exports = { startFaultProxy };
