'use strict';
// A bank-import script in its own process, for the durability tests: it imports a file
// of `COUNT` transactions marked `MARK` and reports on stdout as it goes, so that a test
// can kill it at a chosen point. Env: DIR, URL, PW, SYNC_ID, ACCOUNT (a name), MARK,
// COUNT, MODE (import | resume-load | resume-download), BUDGET_ID (for resume-load).
const api = require('../../index.js');

const env = process.env;

function file(mark, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    out.push({ date: `2026-03-${day}`, amount: -(100 + i), payee_name: `${mark} payee ${i % 7}`, imported_id: `${mark}-${i}`, notes: `${mark} ${i}` });
  }
  return out;
}

(async () => {
  await api.init({ dataDir: env.DIR, serverURL: env.URL, password: env.PW });
  if (env.MODE === 'resume-load') {
    await api.loadBudget(env.BUDGET_ID);
    await api.sync();
    console.log('SYNCED');
    await api.shutdown();
    return;
  }
  await api.downloadBudget(env.SYNC_ID);
  if (env.MODE === 'resume-download') {
    console.log('SYNCED');
    await api.shutdown();
    return;
  }
  const account = await api.getIDByName('accounts', env.ACCOUNT);
  console.log('IMPORTING');
  const result = await api.importTransactions(account, file(env.MARK, Number(env.COUNT)));
  console.log(`RESOLVED ${result.added.length}`);
  if (env.THEN === 'shutdown') await api.shutdown();
  else setInterval(() => {}, 1 << 30); // wait to be killed
})().catch((err) => {
  console.log(`FAILED ${err.code} ${err.message}`);
  process.exitCode = 1;
});
