'use strict';
// A fake SimpleFIN bridge on 127.0.0.1, in place of the one peer a test cannot run:
// the real sync-server's /simplefin routes call `<access key's base URL>/accounts`
// (Basic auth from the access key, `start-date`, `pending=1`, `account` per id), and
// the access key is a server secret, so pointing it here is configuration only.
// `accounts` answers with deterministic accounts and transactions (pending ones, payee,
// description and memo variety); `nextRound()` moves to the second answer: some new
// transactions, some changed; `fail()` makes the bridge refuse the access key (`fail(false)`
// undoes it).
const http = require('node:http');

const DAY = 86400;

// Seconds since the epoch at local noon `daysAgo` days before today (the bridge
// reports times; the server turns them into UTC dates).
function at(daysAgo) {
  const d = new Date();
  d.setHours(12, 0, 0, 0);
  return Math.floor(d.getTime() / 1000) - daysAgo * DAY;
}

function transactions(round) {
  const txns = [
    { id: 'sf-1', posted: at(20), amount: '-12.34', description: 'COFFEE SHOP 123', payee: 'Coffee Shop', memo: 'latte' },
    { id: 'sf-2', posted: at(18), amount: '-45.00', description: 'GROCERY MART #42', payee: 'Grocery Mart', memo: '' },
    { id: 'sf-3', posted: at(15), amount: '2500.00', description: 'PAYROLL ACME', payee: 'Acme Corp' },
    { id: 'sf-4', posted: at(12), amount: '-7.5', description: 'bus ticket', payee: '' },
    { id: 'sf-5', posted: 0, transacted_at: at(2), pending: true, amount: '-19.99', description: 'ONLINE STORE', payee: 'Online Store' },
  ];
  if (round === 1) return txns;
  // Second answer: the pending one posted with another amount, a description changed,
  // two new ones.
  return [
    ...txns.filter((t) => t.id !== 'sf-5' && t.id !== 'sf-2'),
    { id: 'sf-2', posted: at(18), amount: '-45.00', description: 'GROCERY MART #42 CHANGED', payee: 'Grocery Mart', memo: 'weekly' },
    { id: 'sf-5', posted: at(1), transacted_at: at(2), amount: '-21.49', description: 'ONLINE STORE', payee: 'Online Store' },
    { id: 'sf-6', posted: at(1), amount: '-3.20', description: 'PARKING', payee: 'City Parking', memo: 'meter 7' },
    { id: 'sf-7', posted: 0, transacted_at: at(0), pending: true, amount: '-60.00', description: 'FUEL STATION', payee: 'Fuel Station' },
  ];
}

function accountsAnswer(round) {
  const org = { domain: 'fakebank.example', name: 'Fake Bank', 'sfin-url': 'https://fakebank.example/simplefin', id: 'fake-bank' };
  return {
    errors: [],
    accounts: [
      { org, id: 'sf-checking', name: 'Fake Checking', currency: 'USD', balance: round === 1 ? '2415.17' : '2391.97', 'available-balance': '2400.00', 'balance-date': at(0), transactions: transactions(round) },
      { org, id: 'sf-card', name: 'Fake Card', currency: 'USD', balance: '-120.00', 'balance-date': at(0), transactions: [] },
      {
        org,
        id: 'sf-savings',
        name: 'Fake Savings',
        currency: 'USD',
        balance: round === 1 ? '10010.00' : '10025.25',
        'balance-date': at(0),
        transactions: [
          { id: 'sv-1', posted: at(10), amount: '10.00', description: 'INTEREST #3', payee: 'Savings Interest', memo: 'monthly' },
          ...(round === 1 ? [] : [{ id: 'sv-2', posted: at(1), amount: '15.25', description: 'TRANSFER IN', payee: 'Transfer In Bank' }]),
        ],
      },
    ],
  };
}

const USER = 'fake-user';
const SECRET = 'fake-secret';

/** Starts the bridge; resolves to { accessKey, requests, nextRound(), stop() }. */
async function startFakeSimpleFin() {
  let round = 1;
  let refusing = false;
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push({ path: url.pathname, query: [...url.searchParams] });
    const auth = `Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== auth || refusing) {
      res.writeHead(403).end('Forbidden');
    } else if (req.method === 'GET' && url.pathname === '/simplefin/accounts') {
      const answer = accountsAnswer(round);
      if (url.searchParams.get('balances-only') === '1') for (const a of answer.accounts) a.transactions = [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    accessKey: `http://${USER}:${SECRET}@127.0.0.1:${port}/simplefin`,
    requests,
    nextRound: () => {
      round = 2;
    },
    fail: (on = true) => {
      refusing = on;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Stores the bridge's access key as the server's SimpleFIN secret (as the app's setup does). */
async function configureServer(server, accessKey) {
  const res = await fetch(`${server.url}/secret`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-actual-token': server.sessionToken },
    body: JSON.stringify({ name: 'simplefin_accessKey', value: accessKey }),
  });
  if (!res.ok) throw new Error(`setting the SimpleFIN secret failed: ${res.status} ${await res.text()}`);
}

module.exports = { startFakeSimpleFin, configureServer };
