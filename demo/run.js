'use strict';
// The demo, the whole story: a real Actual server on 127.0.0.1, the token gateway in
// front of it, a budget seeded with the official @actual-app/api, a scoped API token,
// then init({ token }) and downloadBudget with actual-api-native.
const fs = require('node:fs');
const path = require('node:path');

const h = require('../__test__/helpers/harness.js');
const api = require('..');

async function main() {
  const server = await h.startServer();
  const gatewayDir = h.tempDir('actual-demo-gateway-');
  let gateway;
  try {
    console.log(`1. Started a real Actual server (@actual-app/sync-server) at ${server.url}`);
    const seeded = await h.createBudget(server, {
      name: 'Demo Budget',
      accounts: [
        { name: 'Checking', transactions: 300, balance: 250000 },
        { name: 'Savings', transactions: 20, balance: 1000000 },
      ],
    });
    console.log(`2. Seeded "Demo Budget" with @actual-app/api (sync id ${seeded.syncId})`);

    const db = path.join(gatewayDir, 'gateway.sqlite');
    gateway = await h.startGateway({ upstream: server.url, db });
    console.log(`3. Started actual-token-gateway at ${gateway.url}, in front of the server`);

    const created = await h.gatewayCli(
      ['token', 'create', '--name', 'demo script', '--budget', seeded.syncId, '--expires', '1h', '--upstream', server.url, '--db', db],
      { env: { ACTUAL_PASSWORD: server.password } },
    );
    if (created.code !== 0) throw new Error(`token create failed: ${created.stderr}`);
    const token = created.last;
    console.log(`4. Created an API token scoped to that budget, valid for an hour: ${token.slice(0, 12)}… (shown once; stored only as a hash)`);

    const dataDir = path.resolve('demo-data');
    fs.rmSync(dataDir, { recursive: true, force: true });
    const started = process.hrtime.bigint();
    await api.init({ dataDir, serverURL: gateway.url, token });
    const budget = await api.downloadBudget(seeded.syncId);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    await api.shutdown();

    console.log(`5. init({ token }) + downloadBudget through the gateway took ${ms.toFixed(0)} ms:`);
    console.log(budget);
    for (const file of fs.readdirSync(budget.path)) {
      console.log(`     ${file.padEnd(14)} ${fs.statSync(path.join(budget.path, file)).size} bytes`);
    }

    const view = await h.runWorker({ op: 'openLocal', dataDir, budgetId: budget.id });
    console.log(`6. The official @actual-app/api opens that folder offline and reads:`);
    for (const account of view.accounts) {
      const count = view.transactions.filter((t) => t.account === account.id).length;
      console.log(`     ${account.name}: ${count} transactions`);
    }

    console.log(`
How to go on with your own server:
  npx actual-token-gateway serve --upstream http://your-server:5006 --listen 127.0.0.1:5007
  ACTUAL_PASSWORD=... npx actual-token-gateway token create --name my-script --budget <sync id> --expires 30d --upstream http://your-server:5006
  or manage tokens on the token page: http://127.0.0.1:5007/gateway/tokens
  then: init({ serverURL: 'http://127.0.0.1:5007', token: process.env.ACTUAL_API_TOKEN })
Revoke with: npx actual-token-gateway token revoke <id>. See README.md and docs/gateway.md.
The downloaded budget is in ${budget.path}.`);
  } finally {
    await gateway?.stop();
    await server.stop();
    fs.rmSync(gatewayDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
