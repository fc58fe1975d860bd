// A program written against @actual-app/api 26.9.0 the way MCP servers and transaction
// categorisers (actual-mcp, actual-ai) are: typed tool handlers over many of the API's
// functions, entity types from '@actual-app/api/models', ActualQL through q(). The test
// compiles it unchanged, `strict`, against upstream's declarations and against ours
// (mapped to '@actual-app/api'); it imports nothing from @actual-app/core, which a user of
// ours does not have.
import * as api from '@actual-app/api';
import type {
  AmountOPType,
  APIAccountEntity,
  APICategoryEntity,
  APICategoryGroupEntity,
  APIFileEntity,
  APIPayeeEntity,
  APIRuleEntity,
  APIScheduleEntity,
  APITagEntity,
  ImportableBudgetType,
  Preferences,
} from '@actual-app/api/models';

// The entity types the API answers, named through its functions.
type Transaction = Awaited<ReturnType<typeof api.getTransactions>>[number];
type Rule = Awaited<ReturnType<typeof api.getRules>>[number];
type Condition = Rule['conditions'][number];
type Action = Rule['actions'][number];
type NewTransaction = Parameters<typeof api.importTransactions>[1][number];
type ImportOptions = NonNullable<Parameters<typeof api.importTransactions>[2]>;

interface ToolResult {
  content: Array<{ type: 'text'; text: string }>;
  isError?: boolean;
}
const ok = (value: unknown): ToolResult => ({ content: [{ type: 'text', text: JSON.stringify(value) }] });
const fail = (message: string): ToolResult => ({ content: [{ type: 'text', text: message }], isError: true });

export interface Settings {
  dataDir: string;
  serverURL: string;
  password: string;
  syncId: string;
  budgetPassword?: string;
}

export async function connect(settings: Settings): Promise<void> {
  await api.init({ dataDir: settings.dataDir, serverURL: settings.serverURL, password: settings.password });
  await api.downloadBudget(settings.syncId, { password: settings.budgetPassword });
  const version = await api.getServerVersion();
  if ('error' in version) throw new Error(`server: ${version.error}`);
  const files: APIFileEntity[] = await api.getBudgets();
  const known = files.find((f) => f.groupId === settings.syncId);
  if (known && known.state === 'remote' && known.encryptKeyId && !known.hasKey) throw new Error(`${known.name}: key missing`);
}

// ---- Accounts --------------------------------------------------------------------------

export async function listAccounts(includeClosed = false): Promise<ToolResult> {
  const accounts: APIAccountEntity[] = await api.getAccounts();
  const rows = [];
  for (const account of accounts) {
    if (account.closed && !includeClosed) continue;
    const balance = await api.getAccountBalance(account.id, new Date());
    const group: string | null | undefined = account.account_group_id;
    rows.push({ id: account.id, name: account.name, offBudget: account.offbudget ?? false, group, balance: api.utils.integerToAmount(balance) });
  }
  const groups = await api.getAccountGroups();
  return ok({ rows, groups: groups.map((g) => g.name) });
}

export async function manageAccount(name: string, openingBalance: number): Promise<string> {
  const id = await api.createAccount({ name, offbudget: false }, api.utils.amountToInteger(openingBalance));
  await api.updateAccount(id, { name: `${name} (main)` });
  const groupId = await api.createAccountGroup({ name: 'Banks' });
  await api.updateAccount(id, { account_group_id: groupId });
  await api.updateAccountGroup(groupId, { name: 'Bank accounts' });
  await api.closeAccount(id, undefined, undefined);
  await api.reopenAccount(id);
  await api.deleteAccountGroup(groupId);
  return id;
}

// ---- Transactions ----------------------------------------------------------------------

interface TransactionRow {
  id: string;
  date: string;
  amount: number;
  payee: string | null;
  category: string | undefined;
  parent: string | undefined;
  transfer: string | undefined;
  notes: string;
  children: number;
}

function toRow(t: Transaction): TransactionRow {
  return {
    id: t.id,
    date: t.date,
    amount: api.utils.integerToAmount(t.amount),
    payee: t.payee ?? null,
    category: t.category,
    parent: t.parent_id,
    transfer: t.transfer_id,
    notes: t.notes ?? '',
    children: t.subtransactions?.length ?? 0,
  };
}

export async function transactions(accountId: string, start: string, end: string): Promise<ToolResult> {
  const list: Transaction[] = await api.getTransactions(accountId, start, end);
  const uncategorized = list.filter((t) => !t.category && !t.is_parent && !t.transfer_id);
  const splitErrors = list.filter((t) => t.error?.type === 'SplitTransactionError').map((t) => t.error?.difference ?? 0);
  return ok({ rows: list.map(toRow), uncategorized: uncategorized.length, splitErrors });
}

export async function importFromBank(accountId: string, lines: Array<{ date: string; amount: number; payee: string; ref: string }>): Promise<ToolResult> {
  const batch: NewTransaction[] = lines.map((line) => ({
    account: accountId,
    date: line.date,
    amount: api.utils.amountToInteger(line.amount),
    payee_name: line.payee,
    imported_id: line.ref,
    cleared: true,
  }));
  const options: ImportOptions = { defaultCleared: true, dryRun: false };
  const result = await api.importTransactions(accountId, batch, options);
  if (result.errors.length > 0) return fail(result.errors.map((e) => e.message).join('; '));
  const previews = result.updatedPreview.map((p) => ({ id: p.transaction.id, was: p.existing?.amount, ignored: p.ignored === true }));
  return ok({ added: result.added.length, updated: result.updated.length, previews });
}

export async function addManual(accountId: string, categoryId: string, amount: number): Promise<string> {
  const added: 'ok' = await api.addTransactions(
    accountId,
    [{ date: '2026-01-15', amount, category: categoryId, notes: 'manual', subtransactions: [{ amount, category: categoryId }] }],
    { learnCategories: true, runTransfers: false },
  );
  return added;
}

export async function recategorize(ids: string[], categoryId: string): Promise<void> {
  await api.batchBudgetUpdates(async () => {
    for (const id of ids) await api.updateTransaction(id, { category: categoryId, notes: 'recategorized' });
  });
  const removed = await api.deleteTransaction(ids[0]);
  console.log(removed.length);
}

// ---- Categories, payees, tags, notes ---------------------------------------------------

export async function categories(): Promise<ToolResult> {
  const groups: APICategoryGroupEntity[] = await api.getCategoryGroups({ hidden: false });
  const flat: APICategoryEntity[] = groups.flatMap((g) => g.categories ?? []);
  const all = await api.getCategories();
  const byGroup = new Map<string, APICategoryEntity[]>();
  for (const c of all) byGroup.set(c.group_id, [...(byGroup.get(c.group_id) ?? []), c]);
  const income = flat.filter((c) => c.is_income === true).map((c) => c.name);
  const hidden: Array<boolean | undefined> = all.map((c) => c.hidden);
  return ok({ groups: groups.length, income, hidden, byGroup: [...byGroup.keys()] });
}

export async function organize(): Promise<void> {
  const groupId = await api.createCategoryGroup({ name: 'Travel', is_income: false, hidden: false });
  const categoryId = await api.createCategory({ name: 'Flights', group_id: groupId, is_income: false, hidden: false });
  await api.updateCategory(categoryId, { name: 'Air travel' });
  await api.updateCategoryGroup(groupId, { hidden: true });
  await api.deleteCategory(categoryId, undefined);
  await api.deleteCategoryGroup(groupId);
  const payeeId = await api.createPayee({ name: 'Airline', transfer_acct: undefined });
  await api.updatePayee(payeeId, { name: 'The Airline' });
  const payees: APIPayeeEntity[] = await api.getPayees();
  const transfers = payees.filter((p) => p.transfer_acct !== undefined).map((p): string | undefined => p.transfer_acct);
  const common = await api.getCommonPayees();
  await api.mergePayees(payeeId, common.map((p) => p.id));
  await api.deletePayee(payeeId);
  const payeeRules: Rule[] = await api.getPayeeRules(payeeId);
  const found = await api.getIDByName('payees', 'The Airline');
  const tagId = await api.createTag({ tag: 'trip', color: '#ff0000', description: null });
  await api.updateTag(tagId, { description: 'Holidays' });
  const tags: APITagEntity[] = await api.getTags();
  await api.deleteTag(tags[0].id);
  const note = await api.getNote(categoryId);
  await api.updateNote(categoryId, `${note?.note ?? ''} (reviewed)`);
  console.log(transfers.length, payeeRules.length, found);
}

// ---- Rules -----------------------------------------------------------------------------

function describeCondition(condition: Condition): string {
  const value = condition.value;
  if (condition.op === 'isbetween' && typeof value === 'object' && value !== null && 'num1' in value) {
    return `${condition.field} between ${value.num1} and ${value.num2}`;
  }
  if (condition.op === 'oneOf' || condition.op === 'notOneOf') {
    return `${condition.field} ${condition.op} ${Array.isArray(value) ? value.length : 1} values`;
  }
  switch (condition.op) {
    case 'is':
    case 'isNot':
    case 'contains':
    case 'doesNotContain':
    case 'matches':
      return `${condition.field} ${condition.op} ${String(condition.value)}`;
    default:
      return `${condition.field} ${condition.op}`;
  }
}

function describeAction(action: Action): string {
  switch (action.op) {
    case 'set':
      return `set ${action.field} to ${String(action.value)}`;
    case 'set-split-amount':
      return `split ${action.options?.method ?? 'fixed-amount'} ${action.value ?? 0}`;
    case 'link-schedule':
      return `link schedule ${action.value}`;
    default:
      return action.op;
  }
}

export async function rules(): Promise<ToolResult> {
  const all: Rule[] = await api.getRules();
  return ok(all.map((r) => ({ id: r.id, stage: r.stage, when: r.conditions.map(describeCondition), then: r.actions.map(describeAction) })));
}

export async function categorizePayee(payeeId: string, categoryId: string): Promise<string> {
  const rule: Omit<APIRuleEntity, 'id'> = {
    stage: 'default',
    conditionsOp: 'and',
    conditions: [
      { field: 'payee', op: 'is', value: payeeId },
      { field: 'amount', op: 'lt', value: 0 },
    ],
    actions: [{ op: 'set', field: 'category', value: categoryId }],
  };
  const created = await api.createRule(rule);
  const updated = await api.updateRule({ ...created, stage: 'pre', conditions: [...created.conditions, { field: 'notes', op: 'contains', value: 'card' }] });
  const removed: boolean = await api.deleteRule(updated.id);
  return removed ? 'removed' : created.id;
}

// ---- Schedules -------------------------------------------------------------------------

export async function schedules(accountId: string, payeeId: string): Promise<ToolResult> {
  const list: APIScheduleEntity[] = await api.getSchedules();
  const op: AmountOPType = 'isapprox';
  const id = await api.createSchedule({
    name: 'Rent',
    posts_transaction: false,
    payee: payeeId,
    account: accountId,
    amount: -120000,
    amountOp: op,
    date: { frequency: 'monthly', start: '2026-01-01', interval: 1, patterns: [{ type: 'day', value: 1 }], endMode: 'never' },
  });
  await api.updateSchedule(id, { name: 'Rent (flat)' }, true);
  await api.deleteSchedule(id);
  return ok(
    list.map((s) => ({
      id: s.id,
      name: s.name ?? null,
      next: s.next_date,
      when: typeof s.date === 'string' ? s.date : `${s.date.frequency} from ${s.date.start}`,
      amount: typeof s.amount === 'number' ? s.amount : s.amount ? s.amount.num1 : 0,
    })),
  );
}

// ---- Budget ----------------------------------------------------------------------------

export async function budget(month: string, categoryId: string): Promise<ToolResult> {
  const months: string[] = await api.getBudgetMonths();
  const summary = await api.getBudgetMonth(months.includes(month) ? month : months[months.length - 1]);
  const groups = summary.categoryGroups.map((g) => ({ name: String(g.name), categories: g.categories?.length ?? 0 }));
  await api.setBudgetAmount(month, categoryId, 50000);
  await api.setBudgetCarryover(month, categoryId, true);
  const held: boolean = await api.holdBudgetForNextMonth(month, 1000);
  if (held) await api.resetBudgetHold(month);
  const prefs: Preferences = await api.getPreferences();
  return ok({ toBudget: summary.toBudget, spent: summary.totalSpent, groups, format: prefs.numberFormat ?? 'comma-dot' });
}

// ---- ActualQL --------------------------------------------------------------------------

export async function spendingByCategory(start: string, end: string): Promise<ToolResult> {
  const query = api
    .q('transactions')
    .filter({ $and: [{ date: { $gte: start } }, { date: { $lte: end } }], amount: { $lt: 0 } })
    .groupBy('category')
    .select(['category', { total: { $sum: '$amount' } }])
    .orderBy({ total: 'asc' });
  const { data } = (await api.aqlQuery(query)) as { data: Array<{ category: string | null; total: number }> };
  const count = (await api.aqlQuery(api.q('transactions').calculate({ $count: '*' }))) as { data: number };
  return ok({ rows: data.map((r) => ({ category: r.category ?? 'uncategorized', total: api.utils.integerToAmount(r.total) })), count: count.data });
}

// ---- Files and lifecycle ---------------------------------------------------------------

export async function backup(path: string, type: ImportableBudgetType): Promise<string> {
  const zip: Uint8Array = await api.exportBudget();
  const { id } = await api.importBudget(path, { type, filename: 'budget.zip' });
  await api.runBankSync({ accountId: id });
  await api.runImport('Imported', async () => {
    await api.createAccount({ name: 'Imported' }, 0);
  });
  await api.loadBudget(id);
  await api.sync();
  console.log(zip.byteLength, api.internal?.getDataDir());
  return id;
}

/** A service over the module, as a categoriser injects it (and fakes it in its tests). */
export class ActualService {
  constructor(private readonly client: typeof api) {}

  async uncategorized(accountId: string): Promise<Transaction[]> {
    const list = await this.client.getTransactions(accountId, '2026-01-01', '2026-12-31');
    return list.filter((t) => t.category === undefined);
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}

export const fakeClient = { getTransactions: async () => [], shutdown: async () => {} } as unknown as typeof api;
