'use strict';
// A fake Pluggy.ai API on 127.0.0.1: the real sync-server's /pluggyai routes call it
// through pluggy-sdk, whose base URL the server's environment sets (PLUGGY_API_URL).
// It answers what those routes ask: POST /auth (an API key), GET /accounts/:id and
// GET /v2/transactions?accountId (one page), with deterministic accounts (a checking
// and a credit account) and transactions (pending ones, merchant and payment-data
// payees, raw and plain descriptions); `nextRound()` moves to the second answer,
// `fail()` makes its transactions fail (a 500; `fail(false)` undoes it).
const http = require('node:http');

const DAY = 86400000;

// An ISO time at UTC noon `daysAgo` days before today, as Pluggy sends dates.
function at(daysAgo) {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  return new Date(d.getTime() - daysAgo * DAY).toISOString();
}

function account(id) {
  const common = { itemId: 'item-1', currencyCode: 'BRL', updatedAt: at(0), owner: 'Jane Roe', marketingName: null, number: '0001' };
  return {
    'pg-1': { id: 'pg-1', type: 'BANK', subtype: 'CHECKING_ACCOUNT', name: 'Pluggy Checking', balance: 1500.5, ...common },
    'pg-card': { id: 'pg-card', type: 'CREDIT', subtype: 'CREDIT_CARD', name: 'Pluggy Card', balance: 320.1, ...common },
  }[id];
}

function transactions(id, round) {
  const t = (fields) => ({ currencyCode: 'BRL', amountInAccountCurrency: null, accountId: id, category: 'Shopping', balance: null, ...fields });
  if (id === 'pg-card') {
    return [
      t({ id: 'pc-1', date: at(9), description: 'Padaria', descriptionRaw: 'PADARIA CENTRAL #12', amount: 23.9, status: 'POSTED', type: 'DEBIT', merchant: { name: 'Padaria Central', businessName: 'Padaria Ltda' } }),
      ...(round === 1 ? [] : [t({ id: 'pc-2', date: at(1), description: 'Farmacia', descriptionRaw: null, amount: 41.25, status: 'POSTED', type: 'DEBIT', merchant: { name: '', businessName: 'Farmacia SA' } })]),
    ];
  }
  return [
    t({ id: 'pg-t1', date: at(14), description: 'Salario', descriptionRaw: 'SALARIO ACME', amount: 3200, status: 'POSTED', type: 'CREDIT', paymentData: { payer: { name: 'Acme Ltda' } } }),
    t({ id: 'pg-t2', date: at(6), description: 'Mercado', descriptionRaw: 'MERCADO BOM PRECO', amount: -187.33, status: 'POSTED', type: 'DEBIT', merchant: { name: 'Mercado Bom Preco' } }),
    t({ id: 'pg-t3', date: at(2), description: 'Transferencia', descriptionRaw: null, amount: -50, status: round === 1 ? 'PENDING' : 'POSTED', type: 'DEBIT', paymentData: { receiver: { documentNumber: { value: '123.456.789-00' } } } }),
    ...(round === 1 ? [] : [t({ id: 'pg-t4', date: at(1), description: 'Cafe', descriptionRaw: 'CAFE DO PONTO', amount: -8.5, status: 'PENDING', type: 'DEBIT' })]),
  ];
}

// An unsigned JWT that expires in an hour: pluggy-sdk only decodes it.
function apiKey() {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ exp: Math.floor(Date.now() / 1000) + 3600 })}.c2ln`;
}

/** Starts the API; resolves to { url, requests, nextRound(), stop() }. */
async function startFakePluggy() {
  let round = 1;
  let failing = false;
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push({ method: req.method, path: url.pathname, query: [...url.searchParams] });
    const json = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const accountMatch = url.pathname.match(/^\/accounts\/([^/]+)$/);
    if (req.method === 'POST' && url.pathname === '/auth') {
      json(200, { apiKey: apiKey() });
    } else if (req.method === 'GET' && accountMatch && account(accountMatch[1])) {
      json(200, account(accountMatch[1]));
    } else if (req.method === 'GET' && url.pathname === '/v2/transactions' && failing) {
      json(500, { code: 500, message: 'Pluggy is down' });
    } else if (req.method === 'GET' && url.pathname === '/v2/transactions' && account(url.searchParams.get('accountId'))) {
      json(200, { results: transactions(url.searchParams.get('accountId'), round), next: null });
    } else {
      json(404, { code: 404, message: 'not found' });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    nextRound: () => {
      round = 2;
    },
    fail: (on = true) => {
      failing = on;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Stores Pluggy.ai credentials as the server's secrets (as the app's setup does). */
async function configurePluggy(server) {
  for (const [name, value] of [
    ['pluggyai_clientId', 'fake-client'],
    ['pluggyai_clientSecret', 'fake-secret'],
    ['pluggyai_itemIds', 'item-1'],
  ]) {
    const res = await fetch(`${server.url}/secret`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-actual-token': server.sessionToken },
      body: JSON.stringify({ name, value }),
    });
    if (!res.ok) throw new Error(`setting ${name} failed: ${res.status} ${await res.text()}`);
  }
}

module.exports = { startFakePluggy, configurePluggy };
