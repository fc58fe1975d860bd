// Module-resolution hooks registered by api-is-ours.js (its `data`: the blocked module
// ids, and the URLs some of them resolve to instead). Node runs them for ES module
// imports only; require() goes through without-upstream.js's patch.
let blocked = [];
let redirects = {};

export function initialize(data) {
  ({ blocked, redirects } = data);
}

export async function resolve(specifier, context, nextResolve) {
  if (redirects[specifier]) return { url: redirects[specifier], shortCircuit: true };
  if (blocked.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
    throw Object.assign(new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return nextResolve(specifier, context);
}
