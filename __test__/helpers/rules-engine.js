'use strict';
// A budget full of rules (every stable condition and action of 26.9.0, id mappings,
// schedules), built with the real @actual-app/api, and many transactions to run through
// upstream's rules engine (`rules-run`) and through ours (rules.test.js).

const { dayOffset, monthOffset } = require('./realistic-budget.js');

function set(field, value, options) {
  return { op: 'set', field, value, ...(options ? { options } : {}) };
}

// The templates: every helper upstream registers, raw and "escaped" output (upstream
// compiles with noEscape), missing fields, numbers, dates, text run through regular
// expressions; and templates for number, date and boolean fields (converted by type).
const NOTES_TEMPLATES = [
  '{{notes}} (via {{imported_payee}})',
  '{{{notes}}}|{{&imported_payee}}|<b>&amp;"quotes"</b> {{ notes }}',
  '{{amount}} {{add amount 100}} {{sub amount 1 2}} {{mul amount -1}} {{div amount 100}} {{mod amount 7}} {{mul amount 0.1}}',
  '{{floor (div amount 3)}} {{ceil (div amount 3)}} {{round (div amount 8)}} {{abs amount}} {{min amount 0 -5}} {{max amount 0}} {{min}} {{max amount}}',
  '{{fixed (div amount 100) 2}} {{fixed (div amount 7) 3}} {{fixed 1.005 2}} {{fixed amount}} {{fixed (div amount 1000)}} {{fixed 2.5}} {{fixed -0.5}} {{fixed 0.000001 7}}',
  '{{day date}}/{{month date}}/{{year date}} {{format date "yyyy-MM-dd"}} {{format date "d.M.yy"}} {{format date \'dd/MM/yyyy\'}} {{format date ""}} {{format "" "yyyy"}} {{day ""}}',
  '{{addDays date 10}} {{subDays date 40}} {{addMonths date 1}} {{subMonths date 13}} {{addWeeks date 2}} {{subWeeks date 1}} {{addYears date 1}} {{subYears date 4}} {{setDay date 31}} {{setDay date 1}} {{addDays date 0}} {{addMonths date}}',
  '{{regex imported_payee "[0-9]+" "#"}} {{regex imported_payee "/(\\w+) (\\w+)/" "$2 $1 $3 $$ $`"}} {{regex notes "/o/gi" "0"}} {{regex imported_payee "/^(?<first>\\S+)/" "[$<first>]"}} {{regex imported_payee "x*" "-"}} {{regex imported_payee "/x*/g" "-"}}',
  '{{replace imported_payee "t" "T"}} {{replaceAll imported_payee "m" "M"}} {{replace imported_payee "." "$&$&"}} {{replaceAll imported_payee "/[aeiou]/g" "_"}} {{replace notes "" "^"}} {{replaceAll imported_payee "" "."}} {{replace imported_payee "/P/i" "$\'"}}',
  '{{concat imported_payee "-" amount "-" cleared "-" notes}} {{concat}} {{debug notes}}{{concat (add amount 1) (fixed 2 1) null true}}',
  '{{missing}}{{notes.missing}}{{missing.deeper}}{{imported_payee.length}}{{notes.length}}{{amount.toFixed}}{{_account.constructor}}{{_account.length}}[{{payee}}] {{_account_name}}/{{_category_name}}/{{_account.name}}/{{_account.offbudget}} {{this.amount}} {{today}} {{day today}} {{today.length}}',
  '{{regex notes 1 2}}|{{regex missing "a" "b"}}|{{regex amount "4" "four"}}|{{replace cleared "t" "T"}}|{{replace notes "/^/" "> "}}',
  '{{add "5" "6"}} {{add true 1}} {{add null 1}} {{add}} {{sub "abc" 1}} {{div 1 0}} {{div -1 0}} {{div 0 0}} {{mod 5 0}} {{add " 12 " 1}} {{add "0x1f" 1}}',
  'plain text, no mustaches: { } }{ ',
  '{{regex "ünïcode 😀 text" "/./gu" "[$&]"}} {{regex "ünïcode 😀 text" "/./g" "."}} {{regex "Ünïcode" "/ü/i" "u"}} {{replaceAll "a 😀 b 😀" "😀" ":)"}} {{regex "é😀" "/(?:)/gu" "|"}} {{regex "ÉTÉ été" "/[^a-z ]+/gi" "?"}} {{regex notes "/./gu" "[$&]"}}',
  '{{regex imported_payee "/(t)(m)/" "$0|$00|$01|$10|$2$1|$<x>|$"}} {{regex imported_payee "/(?<a>t)|(?<b>z)/" "[$<a>][$<b>][$<c>]"}} {{replace imported_payee "/^/m" ">"}} {{regex imported_payee "/$/g" "<"}} {{regex imported_payee "/\\b/g" "|"}}',
  '{{add 0.1 0.2}} {{mul 1.1 1.1}} {{div 1 3}} {{sub 0.3 0.1}} {{mul 123456789 987654321}} {{div 1 100000000}} {{div 123 1000000000000000000000}} {{mul 99999999999 99999999999}} {{div amount 0.07}}',
  '{{fixed 1.45 1}} {{fixed 8.345 2}} {{fixed 0.5}} {{fixed 1.5}} {{fixed -1.5}} {{fixed 123.456 10}} {{fixed (div 1 3) 20}} {{fixed 1 "2"}} {{fixed "3.14159" 3}} {{fixed null 1}} {{fixed (div amount 3) 4}}',
  '{{addMonths "2024-01-31" 1}} {{addMonths "2023-01-31" 1}} {{subMonths "2024-03-31" 1}} {{addYears "2024-02-29" 1}} {{setDay "2024-02-10" 31}} {{setDay "2024-02-10" 0}} {{setDay "2024-02-10" -1}} {{addDays "2024-12-31" 1}} {{format "2024-1-5" "d/M/yyyy yy"}} {{day "2024-02-30"}} {{year "99-01-01"}} {{addDays date -3}} {{subWeeks date 52}}',
  '{{concat 1.50 2 -0 (div 1 3)}} {{this.imported_payee}}-{{{missing}}}-{{&missing}}-{{{ notes }}} {{abs -0}} {{round 2.5}} {{round -0.4}} {{floor "7.9"}} {{ceil null}} {{min "3" 10}} {{max true false}}',
];
const AMOUNT_TEMPLATES = ['{{fixed (mul amount 1.005) 0}}', '  +42', '.5e1', '0x10', '{{mul amount 2}}', '{{round (div amount 3)}}', 'not a number', '{{fixed (div amount 100) 0}}', ' 12.0abc', '{{abs amount}}', '{{sub amount 1}}', '{{add amount "5"}}', '1e3', '-{{amount}}'];
const DATE_TEMPLATES = ['{{addYears date 1}}', '{{format date "yyyy/MM/dd"}}', '{{date}}T12:00', '{{addDays date 3}}', '{{subMonths date 1}}', '{{setDay date 1}}', '{{today}}', '{{year date}}-{{month date}}-{{day date}}', '{{date}}', '2024-02-30', '{{format date "yyyy-M-d"}}'];
const BOOLEAN_TEMPLATES = [' true', '{{cleared}}', 'true', 'TRUE', '{{regex notes "/.*/" "true"}}', ''];
const TEMPLATE_RULES = NOTES_TEMPLATES.map((template, n) => [
  set('notes', '', { template }),
  set('amount', 0, { template: AMOUNT_TEMPLATES[n % AMOUNT_TEMPLATES.length] }),
  set('date', '', { template: DATE_TEMPLATES[n % DATE_TEMPLATES.length] }),
  set('cleared', false, { template: BOOLEAN_TEMPLATES[n % BOOLEAN_TEMPLATES.length] }),
]);

// Formula actions (HyperFormula): every field read as cell content, the running
// balance, BALANCE_OF by name, numbers in cents times 100, conversions by field type,
// errors recorded in _ruleErrors, and split amounts by formula.
const FORMULA_NOTES = [
  '=imported_payee&" "&amount&" "&balance',
  '=account_name&"/"&category_name&"/"&payee_name&"/"&notes',
  '="bal "&BALANCE_OF("Checking")&" card "&BALANCE_OF("Card")&" none "&BALANCE_OF("Nope")',
  '=IF(amount<0,"out "&FIXED(-amount/100,2),"in "&FIXED(amount/100,2))',
  '=YEAR(date)&"-"&MONTH(date)&"-"&DAY(date)&" "&(today-date)',
  '=LEFT(notes,3)&LEN(notes)&UPPER(imported_payee)',
  '=notes+1',
  '=CONCATENATE(cleared,reconciled,date)&IFERROR(1/0,"!")',
];
const FORMULA_AMOUNTS = ['=amount/100*1.1', '=ROUND(amount/300,2)', '=amount+balance/100', '=IF(amount>0,amount/100,0)', '="x"', '=INTEGER_TO_AMOUNT(amount)'];
const FORMULA_DATES = ['=DATE(YEAR(date),MONTH(date)+1,1)', '="2024-02-30"', '=IF(amount<0,"2025-06-01","15/03/2025")', '=today', '=amount/10000'];
const FORMULA_BOOLEANS = ['=amount<0', '=AND(cleared,amount<0)', '="TRUE"', '=1'];
const FORMULA_RULES = [
  ...FORMULA_NOTES.map((formula, n) => [
    set('notes', '', { formula }),
    set('amount', 0, { formula: FORMULA_AMOUNTS[n % FORMULA_AMOUNTS.length] }),
    set('date', '', { formula: FORMULA_DATES[n % FORMULA_DATES.length] }),
    set('cleared', false, { formula: FORMULA_BOOLEANS[n % FORMULA_BOOLEANS.length] }),
  ]),
  [
    { op: 'set-split-amount', value: null, options: { splitIndex: 1, method: 'formula', formula: '=parent_amount/200' } },
    set('notes', '', { splitIndex: 1, formula: '="half of "&parent_amount&" at "&balance' }),
    { op: 'set-split-amount', value: null, options: { splitIndex: 2, method: 'remainder' } },
    { op: 'set-split-amount', value: null, options: { splitIndex: 3, method: 'formula', formula: '=notes' } },
    { op: 'set-split-amount', value: null, options: { splitIndex: 4, method: 'formula' } },
  ],
];

/** Fills a budget opened in import mode (inside runImport). */
async function buildRulesBudget(api) {
  const group = await api.createCategoryGroup({ name: 'Spending' });
  const other = await api.createCategoryGroup({ name: 'Other' });
  const cat = {};
  for (const [name, g] of [['Food', group], ['Fun', group], ['Bills', other], ['Split A', group], ['Split B', other], ['Gone', other], ['Kept', other], ['Uncategorised', other]]) {
    cat[name] = await api.createCategory({ name, group_id: g });
  }
  const acct = {
    checking: await api.createAccount({ name: 'Checking' }, 10000),
    offbudget: await api.createAccount({ name: 'Investments', offbudget: true }, 0),
    card: await api.createAccount({ name: 'Card' }, 0),
  };
  const payee = {};
  for (const name of ['Amazon', 'Supermarket', 'Cafe 1', 'Landlord', 'Merged away', 'Merge target', 'Gym', 'Square seller']) {
    payee[name] = await api.createPayee({ name });
  }
  const schedule = await api.createSchedule({
    name: 'Rent',
    payee: payee.Landlord,
    account: acct.checking,
    amount: -150000,
    amountOp: 'isapprox',
    date: { frequency: 'monthly', start: `${monthOffset(-6)}-03`, interval: 1, endMode: 'never', patterns: [], skipWeekend: false, weekendSolveMode: 'after' },
  });
  const rule = (r) => api.createRule(r);
  await rule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'oneOf', value: ['AMZN Mktp', 'Amazon.com'] }], actions: [set('payee', payee.Amazon)] });
  await rule({
    stage: 'pre',
    conditionsOp: 'and',
    conditions: [
      { field: 'imported_payee', op: 'matches', value: '^SQ \\*' },
      { field: 'imported_payee', op: 'doesNotContain', value: 'refund' },
    ],
    actions: [set('payee_name', 'Square seller')],
  });
  await rule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'matches', value: 'new (shop|store)' }], actions: [set('payee_name', 'Brand New Shop')] });
  await rule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'is', value: 'DUPLICATE' }], actions: [{ op: 'delete-transaction' }] });
  await rule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'isNot', value: 'Keep me' }], actions: [set('notes', 'not kept')] });
  await rule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'notOneOf', value: ['Zed one', 'zed two'] }], actions: [{ op: 'append-notes', value: ' (not zed)' }] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: payee.Amazon }], actions: [set('category', cat.Fun)] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: payee['Merged away'] }], actions: [set('category', cat.Gone)] });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'payee', op: 'oneOf', value: [payee['Cafe 1'], payee['Merged away'], payee.Gym] },
      { field: 'amount', op: 'lt', value: -500 },
    ],
    actions: [set('cleared', true), set('notes', 'one of many')],
  });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'notOneOf', value: [payee.Landlord, payee.Amazon] }, { field: 'amount', op: 'lt', value: -90000 }], actions: [set('category', cat.Bills)] });
  await rule({ stage: null, conditionsOp: 'or', conditions: [{ field: 'amount', op: 'isapprox', value: -2500 }, { field: 'amount', op: 'isbetween', value: { num1: 100, num2: 300 }, options: { outflow: true } }], actions: [set('category', cat.Food)] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'amount', op: 'gt', value: 100000, options: { inflow: true } }], actions: [set('notes', 'big inflow')] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'amount', op: 'is', value: 4200, options: { outflow: true } }], actions: [set('amount', -4300)] });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'date', op: 'is', value: monthOffset(-1) },
      { field: 'date', op: 'gte', value: `${monthOffset(-1)}-10` },
      { field: 'date', op: 'lt', value: `${monthOffset(0)}-01` },
    ],
    actions: [{ op: 'prepend-notes', value: '[last month] ' }],
  });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'date', op: 'isapprox', value: dayOffset(-10) }], actions: [set('reconciled', true)] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'date', op: 'is', value: String(new Date().getFullYear() - 1) }], actions: [{ op: 'append-notes', value: ' #lastyear' }] });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [
      { field: 'date', op: 'isapprox', value: { frequency: 'monthly', start: `${monthOffset(-8)}-01`, interval: 1, endMode: 'never', patterns: [{ type: 'day', value: 15 }, { type: 'friday', value: -1 }], skipWeekend: false, weekendSolveMode: 'after' } },
      { field: 'imported_payee', op: 'contains', value: 'pay' },
    ],
    actions: [set('notes', 'pay day')],
  });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [{ field: 'date', op: 'is', value: { frequency: 'weekly', start: dayOffset(-63), interval: 2, endMode: 'after_n_occurrences', endOccurrences: 4, patterns: [], skipWeekend: true, weekendSolveMode: 'before' } }],
    actions: [set('notes', 'fortnightly')],
  });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'account', op: 'offBudget' }], actions: [{ op: 'append-notes', value: ' [off]' }] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'account', op: 'onBudget' }, { field: 'account', op: 'isNot', value: acct.card }, { field: 'notes', op: 'is', value: 'on budget?' }], actions: [set('notes', 'on budget!')] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'account', op: 'oneOf', value: [acct.card] }, { field: 'imported_payee', op: 'contains', value: 'move' }], actions: [set('account', acct.checking), set('date', dayOffset(-1))] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'category', op: 'is', value: cat.Food }], actions: [{ op: 'append-notes', value: ' #food' }] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'category', op: 'is', value: null }, { field: 'imported_payee', op: 'contains', value: 'uncat' }], actions: [set('category', cat.Uncategorised)] });
  await rule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'category_group', op: 'is', value: other }], actions: [{ op: 'append-notes', value: ' (other group)' }] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'category', op: 'is', value: cat.Gone }], actions: [set('imported_payee', 'WAS GONE')] });
  await rule({
    stage: 'post',
    conditionsOp: 'and',
    conditions: [
      { field: 'notes', op: 'hasTags', value: '#food' },
      { field: 'notes', op: 'doesNotContain', value: 'skip' },
    ],
    actions: [set('cleared', false)],
  });
  await rule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'notes', op: 'hasAnyTag', value: '#x #lastyear' }], actions: [{ op: 'prepend-notes', value: '>> ' }] });
  await rule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'notes', op: 'matches', value: '^NOT' }], actions: [set('reconciled', false)] });
  await rule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'cleared', op: 'is', value: true }, { field: 'reconciled', op: 'is', value: true }], actions: [{ op: 'append-notes', value: ' (cleared+rec)' }] });
  await rule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'payee_name', op: 'contains', value: 'seller' }], actions: [set('category', cat.Kept)] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'payee', op: 'contains', value: 'Cafe' }], actions: [set('notes', 'never: payee is an id')] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'transfer', op: 'is', value: false }], actions: [set('notes', 'never: no transfer field')] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [], actions: [set('notes', 'never: no conditions')] });
  await rule({
    stage: null,
    conditionsOp: 'and',
    conditions: [{ field: 'payee', op: 'is', value: payee.Supermarket }],
    actions: [
      set('notes', 'split by rule'),
      { op: 'set-split-amount', value: 60, options: { splitIndex: 1, method: 'fixed-percent' } },
      set('category', cat['Split A'], { splitIndex: 1 }),
      { op: 'set-split-amount', value: null, options: { splitIndex: 2, method: 'remainder' } },
      set('category', cat['Split B'], { splitIndex: 2 }),
      { op: 'set-split-amount', value: 1001, options: { splitIndex: 3, method: 'fixed-amount' } },
      set('notes', 'third part', { splitIndex: 3 }),
      { op: 'set-split-amount', value: null, options: { splitIndex: 4, method: 'remainder' } },
    ],
  });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'is', value: 'LINK ME' }], actions: [{ op: 'link-schedule', value: schedule }] });
  for (const n of [1, 2, 3]) {
    await rule({ stage: 'post', conditionsOp: 'and', conditions: [{ field: 'payee', op: 'is', value: payee.Gym }], actions: [set('notes', `gym ${n}`)] });
  }
  await rule({ stage: 'pre', conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'is', value: 'rename to gym' }], actions: [set('payee', payee.Gym)] });
  await rule({ stage: null, conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'contains', value: 'existing' }], actions: [set('payee_name', 'landlord')] });

  // Template actions (Handlebars with upstream's helpers), one rule per template, each
  // fired by its own imported payee (`tmpl <n>`, see templateTransactions).
  // Half of them in the pre stage, which may run before the rules that rewrite notes.
  for (const [n, actions] of TEMPLATE_RULES.entries()) {
    await rule({ stage: n % 2 ? 'pre' : null, conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'is', value: `tmpl ${n}` }], actions });
  }

  // Formula actions, one rule per set, fired by `fml <n>` (see ruleTransactions).
  for (const [n, actions] of FORMULA_RULES.entries()) {
    await rule({ stage: n % 2 ? 'pre' : null, conditionsOp: 'and', conditions: [{ field: 'imported_payee', op: 'is', value: `fml ${n}` }], actions });
  }

  // Ids the rules name that change later: a merged payee, a deleted category moved on.
  await api.mergePayees(payee['Merge target'], [payee['Merged away']]);
  await api.deleteCategory(cat.Gone, cat.Kept);
}

// A small deterministic generator, so both engines get the same transactions.
function generator(seed) {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor(s / 65536) % n;
  };
}

/** Transactions in upstream's public shape, from the ids `api` reads. */
async function ruleTransactions(api) {
  const accounts = await api.getAccounts();
  const payees = await api.getPayees();
  const categories = await api.getCategories();
  const schedules = await api.getSchedules();
  const id = (list, name) => list.find((x) => x.name === name).id;
  const pick = generator(42);
  const importedPayees = ['AMZN Mktp', 'amazon.com', 'SQ *COFFEE', 'SQ *refund 1', 'sq *lower', 'DUPLICATE', 'Keep me', 'keep out', 'Kept', 'Zed one', 'zed two', 'zed three', 'new shop 12', 'pay day corp', 'payroll', 'move it', 'uncat thing', 'LINK ME', 'rename to gym', 'existing landlord', 'Émile', '😀 emoji', '', null, undefined];
  const payeeIds = [id(payees, 'Amazon'), id(payees, 'Supermarket'), id(payees, 'Cafe 1'), id(payees, 'Landlord'), id(payees, 'Merge target'), id(payees, 'Gym'), null, undefined, 'no-such-payee'];
  // The merged-away payee is no longer listed; its id still reaches rules.
  const amounts = [-2500, -2400, -2690, -2310, -150, -300, -99, 0, 4200, -4200, -150000, -95000, 150001, 100000, 1234, null];
  const dates = [dayOffset(0), dayOffset(-1), dayOffset(-8), dayOffset(-10), dayOffset(-12), dayOffset(-13), dayOffset(-63), dayOffset(-49), dayOffset(-35), dayOffset(-21), dayOffset(-7), `${monthOffset(-1)}-09`, `${monthOffset(-1)}-10`, `${monthOffset(-1)}-28`, `${monthOffset(-3)}-15`, `${monthOffset(-2)}-13`, `${monthOffset(-2)}-16`, `${monthOffset(-4)}-03`, `${new Date().getFullYear() - 1}-06-30`, `${monthOffset(-1)}-31`];
  const notes = [null, undefined, '', 'on budget?', 'NOTES here', '#food skip', '#Food', 'x #fun', 'lunch #x', 'plain'];
  const categoryIds = [null, undefined, id(categories, 'Food'), id(categories, 'Bills'), id(categories, 'Kept')];
  const accountIds = [id(accounts, 'Checking'), id(accounts, 'Investments'), id(accounts, 'Card'), 'no-such-account'];
  const out = [];
  for (let i = 0; i < 400; i++) {
    const t = {
      account: accountIds[pick(accountIds.length)],
      date: dates[pick(dates.length)],
      amount: amounts[pick(amounts.length)],
      payee: payeeIds[pick(payeeIds.length)],
      imported_payee: importedPayees[pick(importedPayees.length)],
      notes: notes[pick(notes.length)],
      category: categoryIds[pick(categoryIds.length)],
      cleared: [true, false, undefined][pick(3)],
    };
    if (i % 37 === 0) t.reconciled = true;
    if (i % 53 === 0) t.schedule = schedules[0].id;
    if (i % 41 === 0) t.imported_id = `imp-${i}`;
    for (const k of Object.keys(t)) if (t[k] === undefined) delete t[k];
    out.push(t);
  }
  // Four transactions for each template rule.
  for (let n = 0; n < TEMPLATE_RULES.length; n++) {
    for (let k = 0; k < 4; k++) {
      const t = {
        account: accountIds[pick(accountIds.length - 1)],
        date: dates[pick(dates.length)],
        amount: [-2500, 1234, 0, null, undefined, -7, 100001][pick(7)],
        imported_payee: `tmpl ${n}`,
        notes: [null, undefined, '', 'plain', 'NOTES here', 'Foo bar 42', 'ünïcode 😀 text'][pick(7)],
        category: categoryIds[pick(categoryIds.length)],
        cleared: [true, false, undefined][pick(3)],
      };
      for (const key of Object.keys(t)) if (t[key] === undefined) delete t[key];
      out.push(t);
    }
  }
  // Four transactions for each formula rule.
  for (let n = 0; n < FORMULA_RULES.length; n++) {
    for (let k = 0; k < 4; k++) {
      const t = {
        account: accountIds[pick(accountIds.length)],
        date: dates[pick(dates.length)],
        amount: [-2500, 1234, 0, -7, 100001, -10001][pick(6)],
        imported_payee: `fml ${n}`,
        notes: [null, undefined, '', 'plain', '12', '2024-01-05', 'TRUE'][pick(7)],
        category: categoryIds[pick(categoryIds.length)],
        cleared: [true, false, undefined][pick(3)],
      };
      if (k === 3) t.sort_order = 1000 + n;
      for (const key of Object.keys(t)) if (t[key] === undefined) delete t[key];
      out.push(t);
    }
  }
  return out;
}

module.exports = { buildRulesBudget, ruleTransactions };
