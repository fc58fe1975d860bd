// Preloaded into the bench's sync-server only (NODE_OPTIONS=--import ...): the server
// hard-codes express-rate-limit at 500 requests/min per client IP and has no env or
// config to raise it, and every bench client (and the gateway) comes from 127.0.0.1.
// This hook hands the server a wrapper of express-rate-limit with every `max`/`limit`
// multiplied by BENCH_RATE_LIMIT_FACTOR (default 1000). Nothing else changes.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'express-rate-limit' && !(context.parentURL || '').startsWith('bench-rate-limit:')) {
    const real = await next(specifier, context);
    return { url: 'bench-rate-limit:' + real.url, shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.startsWith('bench-rate-limit:')) {
    const real = url.slice('bench-rate-limit:'.length);
    const factor = Number(process.env.BENCH_RATE_LIMIT_FACTOR || 1000);
    return {
      format: 'module',
      shortCircuit: true,
      source: 'import * as m from ' + JSON.stringify(real) + ';' +
        'const rl = m.default || m.rateLimit;' +
        'export default function rateLimit(o = {}) { o = { ...o };' +
        ' for (const k of ["max", "limit"]) if (typeof o[k] === "number") o[k] = o[k] * ' + factor + ';' +
        ' return rl(o); }' +
        'export * from ' + JSON.stringify(real) + ';',
    };
  }
  return next(url, context);
}
`));
