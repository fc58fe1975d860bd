'use strict';
// Fake GoCardless, Enable Banking and Akahu APIs on 127.0.0.1, for the real
// sync-server, whose code calls them at fixed HTTPS hosts
// (https://bankaccountdata.gocardless.com/api/v2 and https://api.enablebanking.com
// through the global fetch, https://api.akahu.io through the `akahu` client's axios).
// The route: the server's code stays unchanged and only its network is pointed here.
// startFakeBanks() makes, with `openssl`, a test CA and a certificate for those three
// host names, serves them over HTTPS on a free port, and gives the environment the
// server is started with (harness.startServer's `env` and `preload`):
// NODE_EXTRA_CA_CERTS (the test CA, trusted besides the usual ones), FAKE_BANKS_PORT,
// and fake-banks-preload.js, which sends only TLS connections to those three hosts
// here (SNI still naming the host, so the certificate is checked against it).
//
// One HTTPS server answers the three, by the Host header, with what the server's
// routes ask: GoCardless (token, requisition, institution, account metadata, details,
// balances, transactions), Enable Banking (sessions, balances, transactions in pages),
// Akahu (accounts, refresh, transactions with a cursor, pending transactions).
// Deterministic data: booked and pending transactions, creditor / debtor / remittance
// / merchant payee variety, currencies; nextRound() moves to the second answers (new
// transactions, pending ones booked with other amounts, changed remittance info,
// other balances); fail(ids) makes those accounts fail (GoCardless: 429, Enable
// Banking: 401, Akahu: 404), fail([]) undoes it.
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');

const { tempDir } = require('./harness.js');

const GOCARDLESS = 'bankaccountdata.gocardless.com';
const ENABLE_BANKING = 'api.enablebanking.com';
const AKAHU = 'api.akahu.io';
const DAY = 86400000;

// Local noon `daysAgo` days before today.
function noon(daysAgo) {
  const d = new Date();
  d.setHours(12, 0, 0, 0);
  return new Date(d.getTime() - daysAgo * DAY);
}
// Its local date, YYYY-MM-DD.
function day(daysAgo) {
  const d = noon(daysAgo);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
const iso = (daysAgo) => noon(daysAgo).toISOString();

/** A test CA and a certificate for the three hosts, made with openssl in `dir`. */
function makeCertificates(dir) {
  const file = (name) => path.join(dir, name);
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=actual-api-native test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', ...ec, '-keyout', file('banks.key'), '-out', file('banks.csr'), '-subj', '/CN=fake banks');
  fs.writeFileSync(file('banks.ext'), `subjectAltName=DNS:${GOCARDLESS},DNS:${ENABLE_BANKING},DNS:${AKAHU}\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', file('banks.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('banks.crt'), '-days', '2', '-extfile', file('banks.ext'));
  return { ca: file('ca.crt'), key: fs.readFileSync(file('banks.key')), cert: fs.readFileSync(file('banks.crt')) };
}

// --- GoCardless: one requisition of three accounts at a bank the server treats generically.
const REQUISITION = 'req-fake-1';
const INSTITUTION = 'FAKEBANK_FAKEDEFF';

function goCardlessAccount(id) {
  return {
    'gc-main': { iban: 'DE89370400440532013000', name: 'Girokonto', product: 'Current account', balance: ['2310.55', '2154.95'] },
    'gc-savings': { iban: 'DE02120300000000202051', name: 'Tagesgeld', product: 'Savings', balance: ['5012.40', '5012.40'] },
    'gc-limited': { iban: 'DE12500105170648489890', name: null, product: 'Card account', balance: ['-80.00', '-80.00'] },
  }[id];
}

function goCardlessTransactions(id, round) {
  const eur = (amount) => ({ amount, currency: 'EUR' });
  if (id === 'gc-savings') {
    return {
      booked: [
        { transactionId: 'gs-1', bookingDate: day(30), valueDate: day(30), transactionAmount: eur('500.00'), debtorName: 'JANE DOE', remittanceInformationUnstructured: 'Monthly saving #11' },
        { transactionId: 'gs-2', bookingDate: day(2), valueDate: day(2), transactionAmount: eur('12.40'), remittanceInformationUnstructuredArray: ['Interest', 'Q4'] },
      ],
      pending: [],
    };
  }
  if (id === 'gc-limited') {
    return { booked: [{ transactionId: 'gl-1', bookingDate: day(4), transactionAmount: eur('-80.00'), creditorName: 'Airline Ltd', creditorAccount: { iban: 'GB33BUKB20201555555555' } }], pending: [] };
  }
  const booked = [
    { transactionId: 'gc-t1', bookingDate: day(20), valueDate: day(20), transactionAmount: eur('-42.10'), creditorName: 'SUPERMARKT NORD', remittanceInformationUnstructured: round === 1 ? 'Card payment #4411' : 'Card payment #4411 refund pending' },
    { transactionId: 'gc-t2', bookingDate: day(15), transactionAmount: eur('1850.00'), debtorName: 'ACME GMBH', debtorAccount: { iban: 'DE75512108001245126199' }, remittanceInformationUnstructuredArray: ['Salary', 'November'] },
    // No transactionId: the client makes its imported_id from internalTransactionId.
    { internalTransactionId: 'int-77', bookingDate: day(9), transactionAmount: eur('-9.99'), remittanceInformationUnstructured: 'STREAMING SERVICE' },
    { transactionId: 'gc-t4', bookingDate: day(5), valueDate: day(6), transactionAmount: eur('-120.00'), creditorName: 'Landlord', additionalInformation: 'Rent share' },
  ];
  if (round === 1) {
    return { booked, pending: [{ valueDate: day(1), transactionAmount: eur('-15.00'), creditorName: 'Cafe Central', remittanceInformationUnstructured: 'coffee and cake' }] };
  }
  return {
    booked: [
      ...booked,
      // The pending one, booked with the tip.
      { transactionId: 'gc-t5', bookingDate: day(1), valueDate: day(1), transactionAmount: eur('-15.50'), creditorName: 'Cafe Central', remittanceInformationUnstructured: 'coffee and cake' },
      { transactionId: 'gc-t6', bookingDate: day(0), transactionAmount: eur('-3.20'), creditorName: 'PARKHAUS MITTE' },
    ],
    pending: [{ valueDate: day(0), transactionAmount: eur('-64.00'), creditorName: 'Tankstelle', remittanceInformationUnstructured: 'fuel' }],
  };
}

function goCardless(req, url, round, failing, reply) {
  const p = url.pathname.replace(/^\/api\/v2/, '');
  const account = p.match(/^\/accounts\/([^/]+)\/(details\/|balances\/|transactions\/)?$/);
  if (req.method === 'POST' && p === '/token/new/') {
    const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const access = `${part({ alg: 'HS256' })}.${part({ exp: Math.floor(Date.now() / 1000) + 3600 })}.c2ln`;
    return reply(200, { access, access_expires: 3600, refresh: 'refresh-token', refresh_expires: 86400 });
  }
  if (req.headers.authorization !== undefined && !req.headers.authorization.startsWith('Bearer ')) return reply(401, { summary: 'Invalid token' });
  if (req.method === 'GET' && p === `/requisitions/${REQUISITION}/`) {
    return reply(200, { id: REQUISITION, status: 'LN', institution_id: INSTITUTION, agreement: 'agreement-1', reference: 'ref-1', accounts: ['gc-main', 'gc-savings', 'gc-limited'], link: 'https://example.invalid/link' });
  }
  if (req.method === 'GET' && p === `/institutions/${INSTITUTION}/`) {
    return reply(200, { id: INSTITUTION, name: 'Fake Bank AG', bic: 'FAKEDEFF', transaction_total_days: '90', countries: ['DE'], logo: 'https://example.invalid/logo.png', supported_features: [] });
  }
  const a = account && goCardlessAccount(account[1]);
  if (req.method !== 'GET' || !a) return reply(404, { summary: 'Not found', detail: p });
  const [, id, what] = account;
  if (failing.has(id)) return reply(429, { summary: 'Rate limit exceeded', status_code: 429 }, { 'x-ratelimit-account-success-remaining': '0' });
  if (!what) return reply(200, { id, institution_id: INSTITUTION, iban: a.iban, status: 'READY', owner_name: 'Jane Doe', created: iso(60) });
  if (what === 'details/') return reply(200, { account: { resourceId: id, iban: a.iban, currency: 'EUR', ownerName: 'Jane Doe', ...(a.name ? { name: a.name } : {}), product: a.product, cashAccountType: 'CACC' } });
  if (what === 'balances/') {
    const amount = a.balance[round - 1];
    return reply(200, { balances: [{ balanceAmount: { amount, currency: 'EUR' }, balanceType: 'interimAvailable', referenceDate: day(0) }, { balanceAmount: { amount: '0.00', currency: 'EUR' }, balanceType: 'interimBooked', referenceDate: day(0) }] });
  }
  return reply(200, { transactions: goCardlessTransactions(id, round) });
}

// --- Enable Banking: one session of two accounts; transactions in two pages.
function enableBankingSession() {
  return {
    session_id: 'session-fake-1',
    aspsp: { name: 'Fake Nordic Bank', country: 'FI' },
    accounts: [
      { uid: 'eb-1', account_id: { iban: 'FI2112345600000785' }, name: 'Everyday account', currency: 'EUR' },
      { uid: 'eb-2', account_id: { iban: 'FI5542345670000081' }, currency: 'EUR', account_servicer: { name: 'Nordea' } },
    ],
  };
}

function enableBankingTransactions(uid, round) {
  const eur = (amount) => ({ amount, currency: 'EUR' });
  if (uid === 'eb-2') {
    return [
      { entry_reference: 'e2-1', booking_date: day(11), transaction_amount: eur('60.00'), credit_debit_indicator: 'DBIT', status: 'BOOK', creditor: { name: 'Helsingin Energia' }, remittance_information: ['RF18539007547034'] },
      { transaction_id: 'e2-2', transaction_date: day(0), transaction_amount: eur('19.90'), credit_debit_indicator: 'DBIT', status: 'PDNG', creditor: { name: 'Verkkokauppa' } },
    ];
  }
  const first = [
    { entry_reference: 'eb-r1', booking_date: day(12), value_date: day(12), transaction_amount: eur('25.40'), credit_debit_indicator: 'DBIT', status: 'BOOK', creditor: { name: 'K-Market' }, remittance_information: round === 1 ? ['EREF+123456', 'SVWZ+Groceries week 48'] : ['EREF+123456', 'SVWZ+Groceries week 48 #2'] },
    { transaction_id: 'eb-x2', booking_date: day(10), transaction_amount: eur('+300.00'), credit_debit_indicator: 'CRDT', status: 'BOOK', debtor: { name: 'Mikko Virtanen' }, creditor: { name: 'Jane Doe' }, remittance_information: ['Rent share'] },
  ];
  const second = [
    // No names: the payee is the first remittance line left after SEPA prefixes.
    { entry_reference: 'eb-r3', value_date: day(3), transaction_amount: eur(' 7.90 '), credit_debit_indicator: 'DBIT', status: 'BOOK', remittance_information: ['KREF+', 'Bus ticket 2h'] },
    { entry_reference: 'eb-p4', transaction_date: day(1), transaction_amount: eur(round === 1 ? '12.00' : '12.50'), credit_debit_indicator: 'DBIT', status: round === 1 ? 'PDNG' : 'BOOK', creditor: { name: 'Pizza Place' } },
    // Not importable (the server leaves it out).
    { entry_reference: 'eb-bad', booking_date: 'yesterday', transaction_amount: eur('1.00'), credit_debit_indicator: 'DBIT', status: 'BOOK' },
    ...(round === 1 ? [] : [{ entry_reference: 'eb-r5', booking_date: day(0), transaction_amount: eur('1000.00'), credit_debit_indicator: 'CRDT', status: 'BOOK', debtor: { name: 'Kela' }, remittance_information: ['SVWZ+Benefit 12/2026'] }]),
  ];
  return [first, second];
}

function enableBanking(req, url, round, failing, reply) {
  if (!/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(req.headers.authorization || '')) return reply(401, { message: 'Invalid JWT', error: 'UNAUTHORIZED' });
  if (req.method === 'POST' && url.pathname === '/sessions') return reply(200, enableBankingSession());
  const account = url.pathname.match(/^\/accounts\/([^/]+)\/(balances|transactions)$/);
  if (req.method !== 'GET' || !account || !['eb-1', 'eb-2'].includes(account[1])) return reply(404, { message: 'Not found', error: 'NOT_FOUND' });
  const [, uid, what] = account;
  if (failing.has(uid) && what === 'transactions') return reply(401, { message: 'Session expired', error: 'EXPIRED_SESSION' });
  if (what === 'balances') {
    const available = { 'eb-1': ['1520.35', '2482.45'], 'eb-2': ['-79.90', '-79.90'] }[uid][round - 1];
    return reply(200, { balances: [{ balance_amount: { amount: '9999.99', currency: 'EUR' }, balance_type: 'CLBD', reference_date: day(1) }, { balance_amount: { amount: available, currency: 'EUR' }, balance_type: 'CLAV', reference_date: day(0) }] });
  }
  const pages = uid === 'eb-1' ? enableBankingTransactions(uid, round) : [enableBankingTransactions(uid, round)];
  const page = url.searchParams.get('continuation_key') === 'page-2' ? 1 : 0;
  return reply(200, { transactions: pages[page], ...(page + 1 < pages.length ? { continuation_key: 'page-2' } : {}) });
}

// --- Akahu: two accounts, transactions in two pages, pending ones apart.
function akahuAccounts(refreshedAt) {
  const connection = { _id: 'conn_fake', name: 'Fake Kiwibank', logo: 'https://example.invalid/kiwi.png' };
  return [
    { _id: 'acc_ak1', _authorisation: 'auth_1', name: 'Everyday', status: 'ACTIVE', type: 'CHECKING', connection, formatted_account: '38-9000-0000001-00', balance: { currency: 'NZD', current: 1234.56, available: 1200.1, overdrawn: false }, refreshed: { balance: refreshedAt, meta: refreshedAt, transactions: refreshedAt } },
    { _id: 'acc_ak2', _authorisation: 'auth_1', name: 'Credit Card', status: 'ACTIVE', type: 'CREDITCARD', connection, balance: { currency: 'NZD', current: -250.75 }, refreshed: { balance: refreshedAt, meta: refreshedAt, transactions: refreshedAt } },
  ];
}

function akahuTransactions(id, round) {
  const base = { _account: id, _connection: 'conn_fake', _user: 'user_fake', created_at: iso(0), updated_at: iso(0) };
  if (id === 'acc_ak2') {
    return { pages: [[{ ...base, _id: 'trans_c1', date: iso(7), description: 'NETFLIX.COM', amount: -22.99, type: 'CREDIT CARD', merchant: { _id: 'merchant_n', name: 'Netflix' } }]], pending: [] };
  }
  const posted = [
    { ...base, _id: 'trans_1', date: iso(8), description: 'COUNTDOWN AUCKLAND', amount: -54.3, type: 'EFTPOS', merchant: { _id: 'merchant_c', name: 'Countdown' }, category: { _id: 'cat_g', name: 'Supermarkets and grocery stores', groups: {} } },
    { ...base, _id: 'trans_2', date: iso(6), description: 'SALARY ACME LTD', amount: 2100, type: 'CREDIT', meta: { other_account: '12-3456-7890123-00', particulars: 'salary', reference: 'NOV' } },
  ];
  const later = [{ ...base, _id: 'trans_3', date: iso(2), description: 'Coffee Cart #2', amount: -5.5, type: 'EFTPOS' }];
  if (round === 1) return { pages: [posted, later], pending: [{ ...base, date: iso(0), description: 'PENDING Z ENERGY', amount: -80.254, type: 'EFTPOS' }] };
  return {
    pages: [posted, [...later, { ...base, _id: 'trans_4', date: iso(0), description: 'Z ENERGY', amount: -80.25, type: 'EFTPOS', merchant: { _id: 'merchant_z', name: 'Z Energy' } }]],
    pending: [{ ...base, date: iso(0), description: 'UBER TRIP', amount: -17.4, type: 'EFTPOS', meta: { other_account: 'Uber BV' } }],
  };
}

function akahu(req, url, round, failing, reply, state) {
  if (req.headers.authorization !== 'Bearer user_token_fake' || !String(req.headers['x-akahu-id']).startsWith('app_token_')) {
    return reply(401, { success: false, message: 'Unauthorized' });
  }
  const accounts = akahuAccounts(state.akahuRefreshedAt);
  if (req.method === 'POST' && url.pathname === '/v1/refresh') {
    state.akahuRefreshedAt = new Date().toISOString();
    return reply(200, { success: true });
  }
  if (req.method === 'GET' && url.pathname === '/v1/accounts') return reply(200, { success: true, items: accounts });
  const m = url.pathname.match(/^\/v1\/accounts\/([^/]+)(\/transactions(\/pending)?)?$/);
  const account = m && accounts.find((a) => a._id === m[1]);
  if (req.method !== 'GET' || !account || failing.has(account._id)) return reply(404, { success: false, message: 'Account not found' });
  if (!m[2]) return reply(200, { success: true, item: account });
  const { pages, pending } = akahuTransactions(account._id, round);
  if (m[3]) return reply(200, { success: true, items: pending });
  const page = url.searchParams.get('cursor') === 'next-page' ? 1 : 0;
  return reply(200, { success: true, items: pages[page] ?? [], cursor: { next: page + 1 < pages.length ? 'next-page' : null } });
}

/**
 * Starts the fake banks; resolves to { env, preload, requests, nextRound(),
 * fail(ids), staleAkahu(), stop() }, `env` and `preload` for harness.startServer.
 */
async function startFakeBanks() {
  const { ca, key, cert } = makeCertificates(tempDir('actual-fake-banks-'));
  const state = { round: 1, failing: new Set(), akahuRefreshedAt: new Date().toISOString() };
  const requests = [];
  const server = https.createServer({ key, cert }, (req, res) => {
    const host = String(req.headers.host || '').replace(/:\d+$/, '');
    const url = new URL(req.url, `https://${host}`);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ host, method: req.method, path: url.pathname, query: [...url.searchParams], body: Buffer.concat(chunks).toString() });
      const reply = (status, body, headers = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      const provider = { [GOCARDLESS]: goCardless, [ENABLE_BANKING]: enableBanking, [AKAHU]: akahu }[host];
      if (!provider) return reply(421, { message: `not a fake bank: ${host}` });
      return provider(req, url, state.round, state.failing, reply, state);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    env: { NODE_EXTRA_CA_CERTS: ca, FAKE_BANKS_PORT: String(port) },
    preload: path.join(__dirname, 'fake-banks-preload.js'),
    requests,
    /** The requests one provider's host received. */
    asked: (host) => requests.filter((r) => r.host === host),
    nextRound: () => {
      state.round = 2;
    },
    fail: (ids) => {
      state.failing = new Set(ids);
    },
    // Akahu's accounts last refreshed two hours ago: the server asks for a refresh.
    staleAkahu: () => {
      state.akahuRefreshedAt = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Stores the three providers' credentials as the server's secrets (as the app's
 * setup does): Enable Banking's secret key is an RSA key made now, which the server
 * signs its JWTs with.
 */
async function configureBanks(server) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const secrets = [
    ['gocardless_secretId', 'fake-secret-id'],
    ['gocardless_secretKey', 'fake-secret-key'],
    ['enablebanking_applicationId', 'fake-application-id'],
    ['enablebanking_secretKey', privateKey.export({ type: 'pkcs8', format: 'pem' })],
    ['akahu_userToken', 'user_token_fake'],
    ['akahu_appToken', 'app_token_fake'],
  ];
  for (const [name, value] of secrets) {
    const res = await fetch(`${server.url}/secret`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-actual-token': server.sessionToken },
      body: JSON.stringify({ name, value }),
    });
    if (!res.ok) throw new Error(`setting ${name} failed: ${res.status} ${await res.text()}`);
  }
}

module.exports = { startFakeBanks, configureBanks, REQUISITION, GOCARDLESS, ENABLE_BANKING, AKAHU };
