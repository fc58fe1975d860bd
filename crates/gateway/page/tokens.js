// The token page: sign in, list, create, disable/enable and revoke API tokens.
// Every call is same-origin JSON; calls that change something carry the session's
// CSRF token in X-CSRF-Token. The session cookie is HttpOnly: this script never sees
// it, and a new token lives only in the "new token" box until Done or a reload.
'use strict';

const $ = (id) => document.getElementById(id);
let csrf = null;
let budgetNames = new Map();

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || json.status !== 'ok') {
    const err = new Error(describe(res.status, json));
    err.status = res.status;
    throw err;
  }
  return json.data;
}

function describe(status, json) {
  const why = json.details || json.reason || `HTTP ${status}`;
  const words = {
    'invalid-password': 'The password is wrong.',
    'token-expired': 'That session token is unknown or has expired.',
    'too-many-requests': 'Too many failed attempts; wait a minute.',
    'not-signed-in': 'Please sign in again.',
    'name-required': 'Give the token a name.',
    'budget-ids-required': 'Pick at least one budget.',
  };
  return words[why] || `Failed: ${why}`;
}

function showError(e) {
  $('error').textContent = e ? e.message : '';
  $('error').hidden = !e;
  if (e && e.status === 401 && csrf) showSignIn();
}

function showSignIn() {
  csrf = null;
  $('signed-in').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in').reset();
  hideNewToken();
  $('tokens').tBodies[0].replaceChildren();
}

function showSession(data) {
  csrf = data.csrf;
  budgetNames = new Map(data.budgets.map((b) => [b.id, b.name]));
  $('user').textContent = data.user;
  $('budgets').replaceChildren(...data.budgets.map((b) => {
    const label = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'budget', value: b.id });
    label.append(box, b.name || b.id);
    return label;
  }));
  $('sign-in').hidden = true;
  $('signed-in').hidden = false;
  return refresh();
}

const day = (secs) => (secs ? new Date(secs * 1000).toLocaleString() : '—');

function cell(label, text) {
  const td = document.createElement('td');
  td.dataset.label = label;
  td.textContent = text;
  return td;
}

function button(text, onClick) {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
  b.addEventListener('click', () => onClick().catch(showError));
  return b;
}

async function refresh() {
  const tokens = await call('GET', '/gateway/api/tokens');
  const now = Date.now() / 1000;
  const rows = tokens.map((t) => {
    const tr = document.createElement('tr');
    tr.dataset.id = t.id;
    const state = t.expiresAt && t.expiresAt <= now ? 'expired' : t.enabled ? 'enabled' : 'disabled';
    const budgets = t.budgetIds.map((id) => budgetNames.get(id) || id).join(', ');
    tr.append(cell('Name', t.name), cell('Prefix', t.prefix), cell('Budgets', budgets + (t.readOnly ? ' (read-only)' : '')),
      cell('Created', day(t.createdAt)), cell('Last used', t.lastUsedAt ? day(t.lastUsedAt) : 'never'),
      cell('Expires', t.expiresAt ? day(t.expiresAt) : 'never'), cell('State', state));
    const actions = document.createElement('td');
    actions.append(
      button(t.enabled ? 'Disable' : 'Enable', () => call('PATCH', `/gateway/api/tokens/${t.id}`, { enabled: !t.enabled }).then(refresh)),
      button('Revoke', async () => {
        if (!confirm(`Revoke "${t.name}" for good? Scripts using it stop working.`)) return;
        await call('DELETE', `/gateway/api/tokens/${t.id}`);
        await refresh();
      }),
    );
    tr.append(actions);
    return tr;
  });
  $('tokens').tBodies[0].replaceChildren(...rows);
  $('empty').hidden = rows.length > 0;
  $('tokens').hidden = rows.length === 0;
}

function hideNewToken() {
  $('new-token-value').textContent = '';
  $('new-token').hidden = true;
}

$('sign-in').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const sessionToken = form.sessionToken.value.trim();
  const body = sessionToken ? { sessionToken } : { password: form.password.value };
  form.reset();
  try {
    showError(null);
    await showSession(await call('POST', '/gateway/session', body));
  } catch (e) {
    showError(e);
  }
});

$('sign-out').addEventListener('click', () => call('DELETE', '/gateway/session').then(showSignIn, showError));

$('create').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const days = Number(form.expires.value);
  const body = {
    name: form.name.value,
    budgetIds: [...form.querySelectorAll('input[name=budget]:checked')].map((b) => b.value),
    expiresAt: days ? Math.floor(Date.now() / 1000) + days * 86400 : null,
    readOnly: form.readOnly.checked,
  };
  try {
    showError(null);
    const made = await call('POST', '/gateway/api/tokens', body);
    form.reset();
    $('new-token-value').textContent = made.token;
    $('new-token').hidden = false;
    await refresh();
  } catch (e) {
    showError(e);
  }
});

$('copy').addEventListener('click', async () => {
  const text = $('new-token-value').textContent;
  try {
    await navigator.clipboard.writeText(text);
    $('copy').textContent = 'Copied';
  } catch {
    getSelection().selectAllChildren($('new-token-value'));
  }
});

$('done').addEventListener('click', () => {
  hideNewToken();
  $('copy').textContent = 'Copy';
});

call('GET', '/gateway/session').then(showSession, (e) => (e.status === 401 ? showSignIn() : showError(e)));
