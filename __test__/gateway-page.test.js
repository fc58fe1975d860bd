'use strict';
// The token page's HTTP side, without a browser: nothing before sign-in, cookie flags,
// CSRF and Origin checks, rate-limited sign-ins, the same rules as /api-tokens, and no
// secret in the gateway's log. (gateway-page-browser.test.js drives the page itself.)
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const h = require('./helpers/harness.js');

let server;
let budget;
let gw;
let dir;
const gateways = [];
const secrets = [];

async function startGateway(extra = ['--max-failed-checks', '1000']) {
  const g = await h.startGateway({ upstream: server.url, db: path.join(dir, 'gateway.sqlite'), extra });
  gateways.push(g);
  return g;
}

/** Signs in on the page; returns { cookie, csrf, setCookie, data }. */
async function signIn(body, base = gw.url, headers = {}) {
  const res = await fetch(`${base}/gateway/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  const setCookie = res.headers.get('set-cookie');
  const cookie = setCookie.split(';')[0];
  secrets.push(cookie.split('=')[1], json.data.csrf);
  return { cookie, csrf: json.data.csrf, setCookie, data: json.data };
}

function pageApi(method, pathname, { cookie, csrf, body, origin } = {}) {
  const headers = { accept: 'application/json' };
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  if (origin) headers.origin = origin;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${gw.url}${pathname}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

before(async () => {
  server = await h.startServer();
  secrets.push(server.password, server.sessionToken);
  budget = await h.createBudget(server, { name: 'Page HTTP Budget', accounts: [{ name: 'A', transactions: 2 }] });
  dir = h.tempDir('actual-gateway-page-');
  gw = await startGateway();
});

after(async () => {
  for (const g of gateways) await g.stop();
  if (server) await server.stop();
});

test('health, and nothing about tokens before sign-in', async () => {
  const health = await fetch(`${gw.url}/gateway/health`);
  assert.deepEqual(await health.json(), { status: 'UP' });
  // The container's HEALTHCHECK command.
  assert.equal((await h.gatewayCli(['health', '--listen', gw.url.slice('http://'.length)])).code, 0);
  assert.equal((await h.gatewayCli(['health', '--listen', `127.0.0.1:${await h.freePort()}`])).code, 1);
  const made = await h.gatewayCli(['token', 'create', '--name', 'cli-made-secret-name', '--budget', budget.syncId, '--upstream', server.url, '--db', gw.db], { env: { ACTUAL_PASSWORD: server.password } });
  assert.equal(made.code, 0, made.stderr);
  secrets.push(made.last);

  const page = await fetch(`${gw.url}/gateway/tokens`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<meta name="viewport"/);
  assert.ok(!html.includes('cli-made-secret-name') && !html.includes(made.last.slice(0, 12)));
  assert.match(page.headers.get('content-security-policy'), /default-src 'none'/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  for (const p of ['/gateway/session', '/gateway/api/tokens']) {
    const res = await fetch(`${gw.url}${p}`);
    assert.equal(res.status, 401, p);
    assert.equal((await res.json()).details, 'not-signed-in');
  }
  // A forged cookie is no session.
  assert.equal((await pageApi('GET', '/gateway/api/tokens', { cookie: 'actual_gateway_session=forged' })).status, 401);
});

test('sign-in: cookie HttpOnly, SameSite=Strict, Path=/gateway; the listing is the owner\'s, as /api-tokens has it', async () => {
  const s = await signIn({ password: server.password });
  assert.match(s.setCookie, /HttpOnly/);
  assert.match(s.setCookie, /SameSite=Strict/);
  assert.match(s.setCookie, /Path=\/gateway/);
  assert.doesNotMatch(s.setCookie, /Secure/, 'plain http: no Secure flag');
  assert.deepEqual(s.data.budgets.map((b) => b.id), [budget.syncId]);
  assert.equal(s.data.budgets[0].name, 'Page HTTP Budget');
  const list = await (await pageApi('GET', '/gateway/api/tokens', s)).json();
  const viaApi = await (await fetch(`${gw.url}/api-tokens`, { headers: { 'x-actual-token': server.sessionToken } })).json();
  assert.deepEqual(list.data, viaApi.data);
  assert.equal(list.data[0].name, 'cli-made-secret-name');
  assert.ok(list.data.every((t) => t.token === undefined), 'no token in a listing');
});

test('CSRF: changes need the session\'s token and a same-origin Origin', async () => {
  const s = await signIn({ password: server.password });
  const body = { name: 'csrf', budgetIds: [budget.syncId], expiresAt: null };
  assert.equal((await pageApi('POST', '/gateway/api/tokens', { cookie: s.cookie, body })).status, 403, 'no CSRF token');
  assert.equal((await pageApi('POST', '/gateway/api/tokens', { cookie: s.cookie, csrf: 'wrong', body })).status, 403, 'wrong CSRF token');
  const foreign = await pageApi('POST', '/gateway/api/tokens', { ...s, body, origin: 'http://evil.example' });
  assert.equal(foreign.status, 403);
  assert.equal((await foreign.json()).details, 'cross-origin-request');
  // A cross-site form cannot post JSON: a form sign-in is refused.
  const form = await fetch(`${gw.url}/gateway/session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `password=${encodeURIComponent(server.password)}` });
  assert.equal(form.status, 415);

  const made = await pageApi('POST', '/gateway/api/tokens', { ...s, body, origin: gw.url });
  assert.equal(made.status, 200);
  const token = (await made.json()).data;
  secrets.push(token.token);
  assert.equal(token.readOnly, false);
  // Same rules as /api-tokens and the CLI: no budget, an unknown one, a past expiry.
  for (const [bad, details] of [
    [{ name: 'x', budgetIds: [] }, 'budget-ids-required'],
    [{ name: '', budgetIds: [budget.syncId] }, 'name-required'],
    [{ name: 'x', budgetIds: [budget.syncId], expiresAt: 1 }, 'expires-at-in-past'],
  ]) {
    const res = await pageApi('POST', '/gateway/api/tokens', { ...s, body: bad });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).details, details);
  }
  // Disable, enable, revoke; another owner's or an unknown id is not found.
  assert.equal((await (await pageApi('PATCH', `/gateway/api/tokens/${token.id}`, { ...s, body: { enabled: false } })).json()).data.enabled, false);
  assert.equal((await fetch(`${gw.url}/account/validate`, { headers: { 'x-actual-token': token.token } })).status, 401);
  assert.equal((await pageApi('PATCH', `/gateway/api/tokens/${token.id}`, { cookie: s.cookie, body: { enabled: true } })).status, 403, 'PATCH without CSRF');
  assert.equal((await pageApi('DELETE', `/gateway/api/tokens/${token.id}`, s)).status, 200);
  assert.equal((await pageApi('DELETE', `/gateway/api/tokens/${token.id}`, s)).status, 404);

  // Sign-out ends the page session (and needs the CSRF token too).
  assert.equal((await pageApi('DELETE', '/gateway/session', { cookie: s.cookie })).status, 403);
  assert.equal((await pageApi('DELETE', '/gateway/session', s)).status, 200);
  assert.equal((await pageApi('GET', '/gateway/api/tokens', s)).status, 401);
});

test("an OpenID user's session signs in; an API token does not", async () => {
  const s = await signIn({ sessionToken: server.sessionToken });
  assert.equal((await pageApi('GET', '/gateway/api/tokens', s)).status, 200);
  const res = await fetch(`${gw.url}/gateway/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionToken: secrets.find((t) => /^act_/.test(t)) }) });
  assert.equal(res.status, 401);
});

test('behind https (--trust-proxy and X-Forwarded-Proto) the cookie is Secure', async () => {
  const g = await startGateway(['--trust-proxy']);
  const s = await signIn({ password: server.password }, g.url, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
  assert.match(s.setCookie, /; Secure/);
  // Without --trust-proxy the header is not believed.
  const plain = await signIn({ password: server.password }, gw.url, { 'x-forwarded-proto': 'https' });
  assert.doesNotMatch(plain.setCookie, /Secure/);
  await g.stop();
});

test('failed sign-ins are rate-limited per address like token checks', async () => {
  const g = await startGateway(['--max-failed-checks', '3']);
  const attempt = () => fetch(`${g.url}/gateway/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionToken: 'not-a-session' }) });
  for (let i = 0; i < 3; i++) assert.equal((await attempt()).status, 401);
  const blocked = await attempt();
  assert.equal(blocked.status, 429);
  assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  // Even the right password waits out the block.
  const right = await fetch(`${g.url}/gateway/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: server.password }) });
  assert.equal(right.status, 429);
  await g.stop();
});

test('no password, session, cookie, CSRF token or API token in any gateway log', () => {
  for (const g of gateways) {
    for (const s of secrets) assert.ok(!g.logs().includes(s), 'a secret in the gateway log');
  }
  assert.match(gw.logs(), /POST \/gateway\/session -> 200/);
});
