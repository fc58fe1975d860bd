'use strict';
// The token page in a real headless Chromium (Debian's chromium, driven by
// playwright-core): sign in, create a token, use it with our client, revoke it on the
// page, and see it refused. Also: the cookie's flags, no token in any URL or left in
// the page, and a phone-sized layout.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const h = require('./helpers/harness.js');
const api = require('../index.js');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

let server;
let budget;
let gw;
let context;
let page;
const urls = [];

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  server = await h.startServer();
  budget = await h.createBudget(server, { name: 'Browser Budget', accounts: [{ name: 'A', transactions: 3 }] });
  await h.createBudget(server, { name: 'Another Budget', accounts: [{ name: 'B', transactions: 1 }] });
  gw = await h.startGateway({ upstream: server.url, db: path.join(h.tempDir('actual-gateway-browser-'), 'gateway.sqlite'), extra: ['--max-failed-checks', '1000'] });
  const { chromium } = require('playwright-core');
  context = await chromium.launchPersistentContext(h.tempDir('actual-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.url });
  page = context.pages()[0] || (await context.newPage());
  page.on('request', (r) => urls.push(r.url()));
});

after(async () => {
  await api.shutdown();
  if (context) await context.close();
  if (gw) await gw.stop();
  if (server) await server.stop();
});

test('sign in, create, copy, use, revoke, refused', { timeout: 120000 }, async () => {
  await page.goto(`${gw.url}/gateway/tokens`);
  await page.locator('#sign-in').waitFor();
  assert.equal(await page.locator('#signed-in').isVisible(), false, 'nothing but the sign-in before sign-in');
  assert.equal(await page.locator('#tokens tbody tr').count(), 0);

  await page.fill('input[name=password]', 'wrong password');
  await page.click('#sign-in button[type=submit]');
  await page.locator('#error', { hasText: 'The password is wrong.' }).waitFor();

  await page.fill('input[name=password]', server.password);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#signed-in').waitFor();
  const cookies = await context.cookies(`${gw.url}/gateway/tokens`);
  const cookie = cookies.find((c) => c.name === 'actual_gateway_session');
  assert.ok(cookie, JSON.stringify(cookies));
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'the script cannot read the session cookie');

  await page.fill('#create input[name=name]', 'browser token');
  await page.getByLabel('Browser Budget').check();
  await page.selectOption('#create select[name=expires]', '7');
  await page.click('#create button[type=submit]');
  await page.locator('#new-token').waitFor();
  const token = (await page.textContent('#new-token-value')).trim();
  assert.match(token, /^act_[A-Za-z0-9]{32}$/);

  const row = page.locator('#tokens tbody tr', { hasText: 'browser token' });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[1], token.slice(0, 12), 'prefix');
  assert.equal(cells[2], 'Browser Budget', 'budgets by name');
  assert.equal(cells[4], 'never', 'last used');
  assert.notEqual(cells[5], 'never', 'an expiry');
  assert.equal(cells[6], 'enabled');

  await page.click('#copy');
  await page.locator('#copy', { hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  await page.click('#done');
  assert.ok(!(await page.content()).includes(token), 'the token is gone from the page after Done');
  await page.reload();
  await page.locator('#signed-in').waitFor();
  assert.ok(!(await page.content()).includes(token), 'and is not shown again');

  // The token works with our client, and the page sees its use.
  await api.init({ dataDir: h.tempDir('gw-browser-client-'), serverURL: gw.url, token });
  const got = await api.downloadBudget(budget.syncId);
  assert.ok(fs.existsSync(path.join(got.path, 'db.sqlite')));
  await api.shutdown();
  await page.reload();
  await page.locator('#tokens tbody tr', { hasText: 'browser token' }).waitFor();
  assert.notEqual((await page.locator('#tokens tbody tr', { hasText: 'browser token' }).locator('td').allTextContents())[4], 'never');

  // Disable and enable, then revoke on the page.
  await row.getByRole('button', { name: 'Disable' }).click();
  await row.locator('td', { hasText: 'disabled' }).waitFor();
  await row.getByRole('button', { name: 'Enable' }).click();
  await row.locator('td', { hasText: /^enabled$/ }).waitFor();
  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.waitFor({ state: 'detached' });

  await assert.rejects(api.init({ dataDir: h.tempDir('gw-browser-client-'), serverURL: gw.url, token }), (e) => e instanceof api.InvalidTokenError);

  for (const u of urls) {
    assert.ok(!u.includes(token) && !u.includes(encodeURIComponent(server.password)) && !u.includes('password'), `a secret in ${u}`);
  }
  for (const s of [token, server.password, cookie.value]) assert.ok(!gw.logs().includes(s), 'a secret in the gateway log');
});

test('usable on a phone: one column, no sideways scrolling', async () => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto(`${gw.url}/gateway/tokens`);
  await page.locator('#signed-in').waitFor();
  await page.fill('#create input[name=name]', 'phone token');
  await page.getByLabel('Another Budget').check();
  await page.click('#create button[type=submit]');
  await page.locator('#new-token').waitFor();
  await page.click('#done');
  const row = page.locator('#tokens tbody tr', { hasText: 'phone token' });
  await row.waitFor();
  assert.equal(await row.evaluate((tr) => getComputedStyle(tr).display), 'block', 'rows become cards');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.screenshot({ path: path.join(h.tempDir('actual-gateway-shot-'), 'phone.png') });

  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor();
  assert.equal(await page.locator('#tokens tbody tr').count(), 0, 'signed out: nothing shown');
});
