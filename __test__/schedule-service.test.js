'use strict';
// Upstream's downloadBudget starts its schedule service in the background: it posts
// the transactions of due auto-posting schedules and moves paid schedules on, racing
// with the script's reads. getSchedules() is not answered natively while the service
// has something to do, and is once it is done, equal to upstream's answer then.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');
const api = require('../index.js');

const HELPER = path.join(__dirname, 'helpers', 'schedule-service.js');

let server;
let budget;

function upstream(op) {
  const resultFile = path.join(h.tempDir('schedule-service-'), 'result.json');
  const args = { op, resultFile, dataDir: h.tempDir(), serverURL: server.url, password: server.password, syncId: budget.syncId };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [HELPER, JSON.stringify(args)], { cwd: h.ROOT, timeout: 120000 }, () => {
      try {
        const out = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
        if (out.ok) resolve(out.result);
        else reject(new Error(out.error));
      } catch (err) {
        reject(err);
      }
    });
  });
}

async function nativeSchedules() {
  const client = await api.createClient({ dataDir: h.tempDir(), serverURL: server.url, password: server.password });
  try {
    await client.downloadBudget(budget.syncId);
    return await client.getSchedules();
  } finally {
    await client.shutdown();
  }
}

test.before(async () => {
  server = await h.startServer();
  budget = await h.createBudget(server, { name: 'Schedule service' });
  await upstream('setup');
});

test.after(async () => {
  await server?.stop();
});

test('getSchedules is not answered natively while the schedule service has work, and equals upstream once it is done', async () => {
  await assert.rejects(nativeSchedules(), (err) => {
    assert.equal(err.code, 'unsupported-feature');
    assert.match(err.message, /schedule service would (complete a paid one-off|post a transaction)/);
    return true;
  });
  const theirs = await upstream('settle');
  const byName = Object.fromEntries(theirs.map((s) => [s.name, s]));
  assert.equal(byName['Paid one-off'].completed, true, 'upstream completed the paid one-off');
  assert.deepEqual(await nativeSchedules(), theirs);
});
