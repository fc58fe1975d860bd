// ESM imports as the README shows them, checked by `tsc --strict`.
import api, { init, createClient, downloadBudget, shutdown, AuthError, TokenScopeError } from 'actual-api-native';
import type { DownloadedBudget, InitConfig } from 'actual-api-native';
import type { APIAccountEntity, Preferences } from 'actual-api-native/models';

const config: InitConfig = { serverURL: 'http://localhost:5006', password: 'pw' };
await init(config);
await downloadBudget('sync-id', { password: 'enc' });
// A client of one's own answers where its budget is (upstream's downloadBudget answers nothing).
const budget: DownloadedBudget = await (await createClient(config)).downloadBudget('sync-id', { password: 'enc' });
console.log(budget.id, budget.syncId, budget.path, api.getBudgets === undefined);
try {
  await shutdown();
} catch (e) {
  if (e instanceof TokenScopeError || e instanceof AuthError) console.log(e.code);
}

// The everyday API, typed by index.d.ts itself.
import { getAccounts, importTransactions } from 'actual-api-native';
const accounts: APIAccountEntity[] = await getAccounts();
const prefs: Preferences = await api.getPreferences();
console.log(prefs.budgetType);
await importTransactions(accounts[0].id, [{ account: accounts[0].id, date: '2026-01-01', amount: -100 }]);
