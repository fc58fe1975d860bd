'use strict';
// The rules part of the bank-import script (write-script.js): createRule of several
// shapes, updateRule, deleteRule, rules upstream refuses (with its errors and their
// meta), and an import of our own that the new rules act on. Every condition of these
// rules names an imported payee starting with "RULES ", which no other step imports,
// so the rules change nothing the other steps do.

const { dayOffset } = require('./realistic-budget.js');

// What a rule call answered, without the generated id.
function shown(value) {
  if (!value || typeof value !== 'object') return value ?? null;
  const { id, ...rest } = value;
  return { id: typeof id, ...rest };
}

async function attemptRule(fn) {
  try {
    return { ok: shown(await fn()) };
  } catch (err) {
    return { error: { type: (err && err.type) ?? null, message: err && err.message, meta: (err && err.meta) ?? null } };
  }
}

function set(field, value, options) {
  return { op: 'set', field, value, ...(options ? { options } : {}) };
}

/** Before the imports: the rules and the refused ones. Resolves to what they answered. */
async function createRules(api) {
  const out = {};
  const groceries = await api.getIDByName('categories', 'Groceries');
  const power = await api.getIDByName('categories', 'Power');
  const corner = (await api.getPayees()).find((p) => p.name === 'Corner shop').id;
  const checking = await api.getIDByName('accounts', 'Checking');
  const gate = (text) => ({ field: 'imported_payee', op: 'contains', value: `RULES ${text}` });

  out.renameRule = await attemptRule(() =>
    api.createRule({ stage: 'pre', conditionsOp: 'and', conditions: [gate('RENAME')], actions: [set('payee_name', 'Rules payee'), set('notes', 'renamed by rule')] }),
  );
  const categoryRule = await api.createRule({
    stage: 'default',
    conditionsOp: 'and',
    conditions: [gate('SHOP'), { field: 'payee', op: 'is', value: corner }],
    actions: [set('category', groceries), { op: 'append-notes', value: ' [shop rule]' }],
  });
  out.categoryRule = shown(categoryRule);
  out.postRule = await attemptRule(() =>
    api.createRule({
      stage: 'post',
      conditionsOp: 'or',
      conditions: [
        { ...gate('BIG'), op: 'matches', value: '^rules big [0-9]+$' },
        { field: 'imported_payee', op: 'oneOf', value: ['RULES ONE', 'rules two'] },
      ],
      actions: [set('cleared', false), { op: 'prepend-notes', value: '[post] ' }],
    }),
  );
  out.splitRule = await attemptRule(() =>
    api.createRule({
      stage: null,
      conditionsOp: 'and',
      conditions: [gate('SPLIT'), { field: 'amount', op: 'lt', value: 0 }],
      actions: [
        { op: 'set-split-amount', value: 50, options: { splitIndex: 1, method: 'fixed-percent' } },
        set('category', groceries, { splitIndex: 1 }),
        { op: 'set-split-amount', value: null, options: { splitIndex: 2, method: 'remainder' } },
        set('category', power, { splitIndex: 2 }),
      ],
    }),
  );
  out.dateRule = await attemptRule(() =>
    api.createRule({
      stage: null,
      conditionsOp: 'and',
      conditions: [
        gate('DATED'),
        { field: 'date', op: 'isapprox', value: { frequency: 'weekly', start: dayOffset(-28), interval: 1, endMode: 'never', patterns: [], skipWeekend: false, weekendSolveMode: 'after' } },
        { field: 'amount', op: 'isbetween', value: { num1: 100, num2: 5000 }, options: { outflow: true } },
        { field: 'account', op: 'is', value: checking },
      ],
      actions: [set('notes', 'weekly dated'), set('reconciled', true)],
    }),
  );
  out.givenId = await attemptRule(() =>
    api.createRule({ id: 'rule-with-given-id', stage: 'pre', conditionsOp: 'and', conditions: [gate('GIVEN')], actions: [{ op: 'delete-transaction' }] }),
  );
  // Template actions (Handlebars): text, numbers, dates and booleans from the
  // transaction, through upstream's helpers and the conversion by field type.
  out.templateRule = await attemptRule(() =>
    api.createRule({
      stage: null,
      conditionsOp: 'and',
      conditions: [gate('TEMPLATE')],
      actions: [
        set('notes', '', { template: '{{imported_payee}}: {{fixed (div amount 100) 2}} on {{format date "dd/MM/yyyy"}} ({{{notes}}}) {{regex imported_payee "/RULES (\\w+)/" "$1"}} {{_account_name}} {{setDay (addDays date 3) 1}}' }),
        set('amount', 0, { template: '{{round (mul amount 1.1)}}' }),
        set('date', '', { template: '{{subMonths date 1}}' }),
        set('cleared', false, { template: '{{regex notes "/.*/" "true"}}' }),
      ],
    }),
  );
  // Formula actions (HyperFormula): text, amount (a number result is in cents times
  // 100, as upstream has it), date and boolean fields, the running balance and
  // BALANCE_OF, a split amount by formula, and formulas whose errors are recorded.
  out.formulaRule = await attemptRule(() =>
    api.createRule({
      stage: null,
      conditionsOp: 'and',
      conditions: [gate('FORMULA')],
      actions: [
        set('notes', '', { formula: '=LEFT(imported_payee,13)&": "&FIXED(amount/100,2)&" on "&DAY(date)&"/"&MONTH(date)&" in "&account_name&" bal "&balance&" chk "&BALANCE_OF("Checking")&" "&UPPER(payee_name)' }),
        set('amount', 0, { formula: '=IF(amount<-1000,ROUND(amount*1.1/100,0),amount/100-0.5)' }),
        set('date', '', { formula: '=IF(amount<-1000,"2026-01-15",IF(amount>0,"2026-2-15","no date"))' }),
        set('cleared', false, { formula: '=AND(amount<0,LEN(notes)>5)' }),
      ],
    }),
  );
  out.formulaSplitRule = await attemptRule(() =>
    api.createRule({
      stage: null,
      conditionsOp: 'and',
      conditions: [gate('FSPLIT')],
      actions: [
        { op: 'set-split-amount', value: null, options: { splitIndex: 1, method: 'formula', formula: '=ROUND(parent_amount/300,2)' } },
        set('notes', '', { splitIndex: 1, formula: '="third of "&parent_amount' }),
        { op: 'set-split-amount', value: null, options: { splitIndex: 2, method: 'remainder' } },
        { op: 'set-split-amount', value: null, options: { splitIndex: 3, method: 'formula', formula: '=1/0' } },
      ],
    }),
  );
  out.formulaErrorRule = await attemptRule(() =>
    api.createRule({
      stage: null,
      conditionsOp: 'and',
      conditions: [gate('FERROR')],
      actions: [set('amount', 0, { formula: '="not a number"' }), set('notes', '', { formula: '=nope&"x"' }), set('date', '', { formula: '=amount' })],
    }),
  );
  // A helper upstream does not register: the template fails its check.
  out.missingHelperRule = await attemptRule(() =>
    api.createRule({ stage: null, conditionsOp: 'and', conditions: [gate('BAD')], actions: [set('notes', '', { template: '{{nothelper notes}}' })] }),
  );
  const unused = await api.createRule({ stage: null, conditionsOp: 'and', conditions: [], actions: [set('notes', 'never runs')] });

  out.updateRule = await attemptRule(() =>
    api.updateRule({
      ...categoryRule,
      stage: 'post',
      conditions: [...categoryRule.conditions, { field: 'notes', op: 'isNot', value: 'skip me' }],
      actions: [set('category', groceries), { op: 'append-notes', value: ' [shop rule, edited]' }],
    }),
  );
  out.deleteRule = await attemptRule(() => api.deleteRule(unused.id));
  out.deleteUnknownRule = await attemptRule(() => api.deleteRule('no-such-rule'));

  const valid = { stage: 'pre', conditionsOp: 'and', conditions: [gate('BAD')], actions: [set('notes', 'x')] };
  out.badField = await attemptRule(() => api.createRule({ ...valid, conditions: [{ field: 'nope', op: 'is', value: 1 }, gate('BAD')] }));
  out.badOp = await attemptRule(() => api.createRule({ ...valid, conditions: [{ field: 'notes', op: 'oneOf', value: ['a'] }] }));
  out.badValues = await attemptRule(() =>
    api.createRule({
      ...valid,
      conditions: [
        { field: 'amount', op: 'is', value: 'abc' },
        { field: 'amount', op: 'isbetween', value: 5 },
        { field: 'date', op: 'is', value: '2024-02-30' },
        { field: 'notes', op: 'contains', value: '' },
        { field: 'cleared', op: 'is', value: 'yes' },
        { field: 'date', op: 'is', value: { frequency: 'hourly', start: '2024-01-01' } },
      ],
      actions: [set('nope', 1), { op: 'explode' }, set('account', null), set('notes', 'fine')],
    }),
  );
  out.badStage = await attemptRule(() => api.createRule({ ...valid, stage: 'sometime' }));
  out.noStage = await attemptRule(() => api.createRule({ conditionsOp: 'and', conditions: valid.conditions, actions: valid.actions }));
  out.badConditionsOp = await attemptRule(() => api.createRule({ ...valid, conditionsOp: 'xor' }));
  out.noConditions = await attemptRule(() => api.createRule({ stage: null, conditionsOp: 'and', actions: valid.actions }));
  out.nullCondition = await attemptRule(() => api.createRule({ ...valid, conditions: [null] }));
  out.noRule = await attemptRule(() => api.createRule());
  out.badUpdate = await attemptRule(() => api.updateRule({ ...categoryRule, conditions: [{ field: 'payee', op: 'hasTags', value: '#x' }] }));
  out.updateNoStage = await attemptRule(() => api.updateRule({ id: categoryRule.id, conditions: [], actions: [] }));
  return out;
}

/** After the other steps: an import the rules act on (resolves to its result). */
async function importWithRules(api) {
  const checking = await api.getIDByName('accounts', 'Checking');
  const file = [
    { date: dayOffset(-2), amount: -1500, payee_name: 'Somebody', imported_payee: 'RULES RENAME 1', imported_id: 'rules-1' },
    { date: dayOffset(-2), amount: -1600, payee_name: 'Somebody else', imported_payee: 'RULES RENAME 2', imported_id: 'rules-2' },
    { date: dayOffset(-3), amount: -2222, payee_name: 'Corner shop', imported_payee: 'RULES SHOP', imported_id: 'rules-3' },
    { date: dayOffset(-4), amount: 60000, payee_name: 'Employer', imported_payee: 'RULES BIG 12', imported_id: 'rules-4' },
    { date: dayOffset(-4), amount: -700, payee_name: 'Bistro', imported_payee: 'rules two', imported_id: 'rules-5' },
    { date: dayOffset(-5), amount: -10001, payee_name: 'Supermarket', imported_payee: 'RULES SPLIT', imported_id: 'rules-6' },
    { date: dayOffset(-7), amount: -900, payee_name: 'Power Co', imported_payee: 'RULES DATED', imported_id: 'rules-7' },
    { date: dayOffset(-6), amount: -900, payee_name: 'Power Co', imported_payee: 'RULES GIVEN', imported_id: 'rules-8' },
  ];
  const imported = await api.importTransactions(checking, [
    ...file,
    { date: dayOffset(-8), amount: -1234, payee_name: 'Corner shop', imported_payee: 'RULES TEMPLATE 1', imported_id: 'rules-9', notes: 'a <b>note</b> & "more"' },
    { date: dayOffset(-3), amount: -4321, payee_name: 'Corner shop', imported_payee: 'RULES FORMULA 1', imported_id: 'rules-11', notes: 'formula' },
    { date: dayOffset(-3), amount: 2500, payee_name: 'Employer', imported_payee: 'RULES FORMULA 2', imported_id: 'rules-12' },
    { date: dayOffset(-3), amount: -250, payee_name: 'Bistro', imported_payee: 'RULES FORMULA 3', imported_id: 'rules-13' },
    { date: dayOffset(-4), amount: -10000, payee_name: 'Supermarket', imported_payee: 'RULES FSPLIT', imported_id: 'rules-14' },
    { date: dayOffset(-4), amount: -777, payee_name: 'Bistro', imported_payee: 'RULES FERROR', imported_id: 'rules-15' },
    { date: `${dayOffset(0).slice(0, 7)}-31`.replace(/-(02|04|06|09|11)-31$/, '-$1-28'), amount: 5, payee_name: 'Bistro', imported_payee: 'RULES TEMPLATE 2', imported_id: 'rules-10' },
  ]);
  // An add: rules run on it too.
  await api.addTransactions(checking, [
    { date: dayOffset(-9), amount: -999, payee_name: 'Power Co', imported_payee: 'RULES TEMPLATE add', notes: 'added' },
    { date: dayOffset(-9), amount: -5555, payee_name: 'Power Co', imported_payee: 'RULES FORMULA add', notes: 'added too' },
  ]);
  return imported;
}

module.exports = { createRules, importWithRules };
