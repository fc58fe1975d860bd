// ESM imports as the README shows them, checked by `tsc --strict`.
import api, { init, downloadBudget, shutdown, AuthError, TokenScopeError } from 'actual-api-native';
import type { DownloadedBudget, InitConfig } from 'actual-api-native';

const config: InitConfig = { serverURL: 'http://localhost:5006', password: 'pw' };
await init(config);
const budget: DownloadedBudget = await downloadBudget('sync-id', { password: 'enc' });
console.log(budget.id, budget.syncId, budget.path, api.getBudgets === undefined);
try {
  await shutdown();
} catch (e) {
  if (e instanceof TokenScopeError || e instanceof AuthError) console.log(e.code);
}

// The everyday API, typed by index.d.ts itself.
import { getAccounts, importTransactions } from 'actual-api-native';
const accounts = await getAccounts();
await importTransactions(accounts[0].id, [{ account: accounts[0].id, date: '2026-01-01', amount: -100 }]);
