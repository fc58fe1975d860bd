'use strict';
// ActualQL queries real programs send (Actual's CLI `query` command and REST wrappers,
// scripts from the docs, upstream's own compiler and executor tests), for the
// realistic budget (realistic-budget.js). corpus(q, today) -> [[label, query], ...],
// built with whichever `q` the caller has (ours or @actual-app/api's).


// Upstream's schema (server/aql/schema/index.ts), table by table: `name:type` or
// `name:type>table` for a reference. The generated queries below walk all of it.
const SCHEMA = {
  transactions:
    'id:id is_parent:boolean is_child:boolean parent_id:id account:id>accounts category:id>categories amount:integer payee:id>payees notes:string date:date imported_id:string error:json imported_payee:string starting_balance_flag:boolean transfer_id:id sort_order:float cleared:boolean reconciled:boolean tombstone:boolean schedule:id>schedules raw_synced_data:string',
  payees: 'id:id name:string transfer_acct:id>accounts tombstone:boolean favorite:boolean learn_categories:boolean',
  accounts:
    'id:id name:string offbudget:boolean closed:boolean sort_order:float tombstone:boolean account_id:string official_name:string account_sync_source:string last_reconciled:string last_sync:string bank_sync_status:string account_group_id:id>account_groups',
  account_groups: 'id:id name:string sort_order:float tombstone:boolean',
  categories: 'id:id name:string is_income:boolean hidden:boolean group:id>category_groups goal_def:string cleanup_def:string template_settings:json sort_order:float tombstone:boolean',
  category_groups: 'id:id name:string is_income:boolean hidden:boolean sort_order:float tombstone:boolean',
  cleanup_groups: 'id:id name:string tombstone:boolean',
  schedules:
    'id:id name:string rule:id>rules next_date:date completed:boolean posts_transaction:boolean custom_upcoming_length:string tombstone:boolean sort_order:float _payee:id>payees _account:id>accounts _amount:json/fallback _amountOp:string _date:json/fallback _conditions:json _actions:json _has_splits:boolean',
  rules: 'id:id stage:string conditions_op:string conditions:json actions:json tombstone:boolean',
  notes: 'id:id note:string',
  preferences: 'id:id value:string',
  transaction_filters: 'id:id name:string conditions_op:string conditions:json tombstone:boolean',
  custom_reports:
    'id:id name:string start_date:string end_date:string date_static:integer date_range:string mode:string group_by:string sort_by:string balance_type:string show_empty:integer show_offbudget:integer show_hidden:integer show_uncategorized:integer trim_intervals:integer show_trend_lines:integer include_current:integer graph_type:string conditions:json conditions_op:string metadata:json interval:string color_scheme:json tombstone:boolean',
  reflect_budgets: 'id:id month:integer category:string amount:integer carryover:integer goal:integer long_goal:integer',
  zero_budgets: 'id:id month:integer category:string>categories amount:integer carryover:integer goal:integer long_goal:integer',
  dashboard_pages: 'id:id name:string tombstone:boolean',
  dashboard: 'id:id dashboard_page_id:id>dashboard_pages type:string width:integer height:integer x:integer y:integer meta:json tombstone:boolean',
  payee_locations: 'id:id payee_id:id>payees latitude:float longitude:float created_at:integer tombstone:boolean',
};

function fields(table) {
  return SCHEMA[table].split(' ').map((spec) => {
    const [name, rest] = spec.split(':');
    const [type, ref] = rest.split('>');
    return { name, type, ref };
  });
}

// Two filters for a field of each type: what scripts write for it.
const typedFilters = (YEAR) => ({
  id: [{ $ne: null }, null],
  string: [{ $like: '%e%' }, { $gt: 'M' }],
  date: [{ $gte: '2000-01-01' }, { $transform: '$year', $eq: YEAR }],
  integer: [{ $gte: 0 }, { $lt: -1000 }],
  float: [{ $gt: 0 }, { $lte: 1.5 }],
  boolean: [true, { $ne: true }],
  json: [{ $ne: null }, null],
  'json/fallback': [{ $ne: null }, null],
});

// Every table: whole, fields in another order, dead rows counted, grouped and counted;
// every field ordered by and filtered by twice; every reference joined, one and two
// levels deep.
function perTable(q, { YEAR }) {
  const out = [];
  for (const table of Object.keys(SCHEMA)) {
    const fs = fields(table);
    const names = fs.map((f) => f.name);
    out.push([`${table}: select *`, q(table).select('*')]);
    out.push([`${table}: fields reversed`, q(table).select([...names].reverse())]);
    out.push([`${table}: count`, q(table).calculate({ $count: '$id' })]);
    out.push([`${table}: withDead count`, q(table).withDead().calculate({ $count: '$id' })]);
    const groupField = fs.find((f) => f.type !== 'id' && !f.type.startsWith('json')) || fs[0];
    out.push([
      `${table}: groupBy ${groupField.name} with count`,
      q(table).groupBy(groupField.name).select([groupField.name, { n: { $count: '$id' } }]).orderBy(groupField.name),
    ]);
    out.push([`${table}: limit 2 offset 1`, q(table).select('*').limit(2).offset(1)]);
    for (const f of fs) {
      out.push([`${table}.${f.name} (${f.type}): ordered desc`, q(table).select([f.name]).orderBy({ [f.name]: 'desc' })]);
      typedFilters(YEAR)[f.type].forEach((filter, i) => {
        out.push([`${table}.${f.name} (${f.type}): filter ${i + 1}`, q(table).filter({ [f.name]: filter }).select(['id', f.name])]);
      });
      if (f.ref) {
        out.push([`${table}.${f.name}: joined *`, q(table).select(['id', `${f.name}.*`])]);
        for (const g of fields(f.ref).filter((g) => g.ref)) {
          out.push([`${table}.${f.name}.${g.name}: two levels`, q(table).select([`${f.name}.${g.name}.id`, { deep: `${f.name}.${g.name}.name` }]).filter({ [`${f.name}.${g.name}`]: { $ne: null } })]);
        }
      }
    }
  }
  return out;
}

// A field of each type of transactions, and a literal of that type.
const TYPED_TXN_FIELDS = [
  ['string', 'notes', '#food weekly'],
  ['id', 'payee', 'no-such-id'],
  ['date', 'date', '2000-01-01'],
  ['integer', 'amount', -150000],
  ['float', 'sort_order', 1.5],
  ['boolean', 'cleared', true],
  ['json', 'error', '[]'],
];

const FUNCTIONS = {
  $sum: (f) => ({ $sum: f }),
  $count: (f) => ({ $count: f }),
  $sumOver: (f) => ({ $sumOver: f }),
  $substr: (f) => ({ $substr: [f, 2, 3] }),
  $lower: (f) => ({ $lower: f }),
  $neg: (f) => ({ $neg: f }),
  $abs: (f) => ({ $abs: f }),
  $idiv: (f) => ({ $idiv: [f, 3] }),
  $id: (f) => ({ $id: f }),
  $day: (f) => ({ $day: f }),
  $month: (f) => ({ $month: f }),
  $year: (f) => ({ $year: f }),
  $nocase: (f) => ({ $nocase: f }),
  $literal: (f) => ({ $literal: f }),
};

// Every operator and every function on a field of every type.
function operators(q, { YEAR }) {
  const t = () => q('transactions');
  const out = [];
  for (const [type, field, literal] of TYPED_TXN_FIELDS) {
    for (const op of ['$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$like', '$notlike', '$regexp']) {
      out.push([`${op} on ${type}`, t().filter({ [field]: { [op]: literal } }).select(['id', field])]);
    }
    out.push([`$oneof on ${type}`, t().filter({ [field]: { $oneof: [literal, literal] } }).select(['id', field])]);
    out.push([`$oneof empty on ${type}`, t().filter({ [field]: { $oneof: [] } }).select(['id', field])]);
    out.push([`null on ${type}`, t().filter({ [field]: null }).calculate({ $count: '$id' })]);
    out.push([`field against itself on ${type}`, t().filter({ [field]: { $eq: `$${field}` } }).calculate({ $count: '$id' })]);
    for (const [name, call] of Object.entries(FUNCTIONS)) {
      out.push([`${name} of ${type}`, t().select([{ v: call(`$${field}`) }]).orderBy('id').limit(5)]);
    }
    out.push([`$condition on ${type}`, t().select([{ v: { $condition: { [field]: literal } } }]).orderBy('id').limit(5)]);
  }
  for (const [name, call] of Object.entries(FUNCTIONS)) {
    out.push([`${name} of a literal`, q('accounts').select(['name', { v: call(7) }])]);
  }
  out.push(
    // LIKE patterns: % and _, escapes, case and accents, characters LIKE treats specially.
    ['$like %', t().filter({ notes: { $like: '%' } }).calculate({ $count: '$id' })],
    ['$like _', t().filter({ notes: { $like: '_plit' } }).select(['id', 'notes'])],
    ['$like _ and %', t().filter({ notes: { $like: '#f_od%' } }).select(['id', 'notes'])],
    ['$like escaped %', t().filter({ notes: { $like: '%\\%%' } }).select(['id', 'notes'])],
    ['$like escaped _', t().filter({ notes: { $like: '%\\_%' } }).select(['id', 'notes'])],
    ['$like uppercase', t().filter({ notes: { $like: 'SPLIT' } }).select(['id', 'notes'])],
    ['$like accented', t().filter({ 'payee.name': { $like: 'bístro' } }).select(['id', 'payee.name'])],
    ['$like regexp characters', t().filter({ notes: { $like: '.*(split)[x]?' } }).select(['id', 'notes'])],
    ['$like with quote', t().filter({ notes: { $like: "%'%" } }).select(['id', 'notes'])],
    ['$notlike _', t().filter({ notes: { $notlike: '_plit' } }).calculate({ $count: '$id' })],
    ['$like on a path', q('categories').filter({ 'group.name': { $like: '%ill%' } }).select(['name', 'group.name'])],
    // Regular expressions.
    ['$regexp anchored end', t().filter({ notes: { $regexp: 'savings$' } }).select(['id', 'notes'])],
    ['$regexp class', t().filter({ notes: { $regexp: '[ck]ard' } }).select(['id', 'notes'])],
    ['$regexp case', t().filter({ notes: { $regexp: 'SALARY' } }).select(['id', 'notes'])],
    ['$regexp alternation', t().filter({ 'payee.name': { $regexp: '^(Bistro|Landlord)$' } }).select(['id', 'payee.name'])],
    ['$regexp digits', t().filter({ imported_payee: { $regexp: '\\d+' } }).select(['id', 'imported_payee'])],
    ['$regexp invalid', t().filter({ notes: { $regexp: '[' } }).select(['id'])],
    ['$regexp dot star', q('payees').filter({ name: { $regexp: '.*' } }).select(['name'])],
    // $nocase.
    ['$nocase filter', q('payees').filter({ name: { $transform: '$nocase', $eq: 'BISTRO' } }).select(['name'])],
    ['$nocase order desc', q('payees').select(['name']).orderBy({ $nocase: '$name', $dir: 'desc' })],
    ['$nocase group', q('payees').groupBy({ $nocase: '$name' }).select([{ n: { $count: '$id' } }])],
    // Dates as months and years.
    ['date $month $eq month', t().filter({ date: { $transform: '$month', $eq: `${YEAR}-01` } }).select(['id', 'date'])],
    ['date $month $gte full date', t().filter({ date: { $transform: '$month', $gte: `${YEAR}-01-15` } }).calculate({ $count: '$id' })],
    ['date $year $eq year', t().filter({ date: { $transform: '$year', $eq: YEAR } }).calculate({ $count: '$id' })],
    ['date $year $lt month', t().filter({ date: { $transform: '$year', $lt: `${YEAR}-06` } }).calculate({ $count: '$id' })],
    ['date $year $eq full date', t().filter({ date: { $transform: '$year', $eq: `${YEAR}-06-30` } }).calculate({ $count: '$id' })],
    ['date $month bad format', t().filter({ date: { $transform: '$month', $eq: '2024' } }).select('id')],
    ['date $year bad format', t().filter({ date: { $transform: '$year', $eq: '24' } }).select('id')],
    ['date given a month', t().filter({ date: `${YEAR}-01` }).select('id')],
    ['date given a year', t().filter({ date: { $gte: YEAR } }).select('id')],
    ['date bad month number', t().filter({ date: { $gte: '2024-13-01' } }).calculate({ $count: '$id' })],
    ['date with time', t().filter({ date: { $gte: '2024-01-01T00:00:00' } }).select('id')],
    ['date number', t().filter({ date: { $gte: 20240101 } }).select('id')],
    ['date Date end of year', t().filter({ date: { $lte: new Date(Number(YEAR), 11, 31) } }).calculate({ $count: '$id' })],
    ['date $day transform', t().filter({ date: { $transform: '$day', $eq: `${YEAR}-01-05` } }).select(['id', 'date'])],
    ['$month select grouped', t().groupBy({ $month: '$date' }).select([{ m: { $month: '$date' } }, { total: { $sum: '$amount' } }]).orderBy({ $month: '$date' })],
    ['$year select grouped', t().groupBy({ $year: '$date' }).select([{ y: { $year: '$date' } }, { n: { $count: '$id' } }])],
    ['$month of next_date', q('schedules').select(['name', { m: { $month: '$next_date' } }, { y: { $year: '$next_date' } }])],
    ['$month on a string field', t().select([{ m: { $month: '$notes' } }]).limit(1)],
    ['$month $lt $month', t().filter({ date: { $transform: '$month', $lt: { $month: '$date' } } }).calculate({ $count: '$id' })],
  );
  return out;
}

// Every split mode with filters on parent fields, child fields, both, the account and
// date (the grouped executor's fast path), dead rows, limits and aggregates.
function splitModes(q, { YEAR }) {
  const out = [];
  const filters = {
    'no filter': null,
    'parent notes': { notes: 'split' },
    'child notes': { notes: 'food part' },
    'child category name': { 'category.name': 'Hobbies' },
    'parent payee name': { 'payee.name': 'Supermarket' },
    'account name': { 'account.name': 'Checking' },
    'account and date': { account: { $ne: null }, date: { $gte: `${YEAR}-01-01` } },
    'amount of a child': { amount: -8000 },
    'parent or child': { $or: [{ notes: 'split' }, { amount: -4000 }] },
    'and of account and date': { $and: [{ 'account.offbudget': false }, { date: { $lte: '2099-01-01' } }] },
    'is_parent': { is_parent: true },
    'is_child': { is_child: true },
    'parent_id set': { parent_id: { $ne: null } },
  };
  for (const mode of [undefined, 'inline', 'grouped', 'all', 'none']) {
    for (const [name, filter] of Object.entries(filters)) {
      let query = q('transactions');
      if (filter) query = query.filter(filter);
      query = query.select(['id', 'amount', 'notes', 'parent_id', 'is_parent', 'is_child', 'category.name']);
      if (mode) query = query.options({ splits: mode });
      out.push([`splits ${mode || 'default'}: ${name}`, query]);
    }
    const base = () => (mode ? q('transactions').options({ splits: mode }) : q('transactions'));
    out.push([`splits ${mode || 'default'}: withDead`, base().withDead().filter({ tombstone: true }).select(['id', 'amount', 'tombstone'])]);
    out.push([`splits ${mode || 'default'}: limit offset`, base().select(['id', 'amount']).limit(4).offset(2)]);
    out.push([`splits ${mode || 'default'}: sum`, base().calculate({ $sum: '$amount' })]);
    out.push([`splits ${mode || 'default'}: grouped by category`, base().groupBy('category').select(['category', { total: { $sum: '$amount' } }])]);
    out.push([`splits ${mode || 'default'}: ordered by amount`, base().filter({ notes: { $like: '%part%' } }).select(['id', 'amount']).orderBy([{ amount: 'desc' }])]);
    out.push([`splits ${mode || 'default'}: select *`, base().filter({ 'payee.name': 'Supermarket' }).select('*')]);
  }
  out.push(['splits grouped: raw', q('transactions').raw().options({ splits: 'grouped' }).filter({ notes: 'food part' }).select(['id', 'amount'])]);
  out.push(['splits grouped: no select', q('transactions').options({ splits: 'grouped' }).filter({ notes: 'split' })]);
  out.push(['splits grouped: selects subtransactions', q('transactions').options({ splits: 'grouped' }).filter({ notes: 'split' }).select(['id', { subtransactions: '$amount' }])]);
  out.push(['splits grouped: withDead limited', q('transactions').withDead().options({ splits: 'grouped' }).filter({ amount: { $lt: 0 } }).select(['id', 'amount']).limit(3)]);
  out.push(['splits numeric option', q('transactions').options({ splits: 0 }).select('id').limit(2)]);
  return out;
}

// What programs send: @actual-app/cli 26.9.0's `query run` (flags and --file),
// actual-http-api's run-query endpoint and account balance, Actual's own reports.
function programs(q, { YEAR }) {
  const t = () => q('transactions');
  const LAST = ['date', 'account.name', 'payee.name', 'category.name', 'amount', 'notes'];
  const monthStart = `${YEAR}-01-01`;
  return [
    ['cli --last 5', t().select(LAST).orderBy([{ date: 'desc' }]).limit(5)],
    ['cli --select --order-by --limit', t().select(['date', 'amount', 'payee.name']).orderBy([{ date: 'desc' }]).limit(10)],
    ['cli --filter amount<0 --limit 5', t().filter({ amount: { $lt: 0 } }).limit(5)],
    ['cli --count', t().calculate({ $count: '*' })],
    ['cli --count with filter', t().calculate({ $count: '*' }).filter({ amount: { $lt: 0 } })],
    ['cli --file groupBy category.name', t().select(['category.name', { amount: { $sum: '$amount' } }]).groupBy(['category.name'])],
    ['cli --order-by --offset', t().orderBy([{ date: 'desc' }]).limit(10).offset(20)],
    ['cli --where payee.name', t().filter({ 'payee.name': 'Landlord' }).limit(5)],
    ['cli --file limit only', t().limit(5)],
    ['cli --table accounts', q('accounts')],
    ['cli --table payees --select', q('payees').select(['name', 'transfer_acct'])],
    ['cli --table categories --order-by name:desc', q('categories').orderBy([{ name: 'desc' }])],
    ['cli --table category_groups', q('category_groups')],
    ['cli --table rules', q('rules')],
    ['cli --table schedules --count', q('schedules').calculate({ $count: '*' })],
    ['cli --group-by payee.name with select', t().select(['payee.name', { n: { $count: '$id' } }]).groupBy(['payee.name'])],
    ['cli --last 3 --count', t().calculate({ $count: '*' }).limit(3)],
    ['cli --offset without --limit', t().offset(5)],
    ['cli --offset without --limit grouped', t().options({ splits: 'grouped' }).select(['id']).offset(5)],
    ['cli --offset without --limit on categories', q('category_groups').offset(1)],
    ['cli --order-by bad field', t().orderBy(['nope']).limit(1)],
    ['http-api account balance', t().filter({ 'account.name': 'Checking' }).options({ splits: 'none' }).calculate({ $sum: '$amount' })],
    ['http-api run-query all methods', t().filter({ amount: { $lt: 0 } }).filter({ 'account.offbudget': false }).groupBy('category').orderBy({ $sum: '$amount' }).select(['category', { s: { $sum: '$amount' } }]).options({ splits: 'inline' }).limit(3).offset(0).unfilter(['amount'])],
    ['http-api run-query raw withDead', t().select(['id', 'tombstone']).raw().withDead().withoutValidatedRefs().orderBy('id').limit(10)],
    ['report starting balance', t().filter({ 'account.name': 'Savings', date: { $lt: monthStart } }).calculate({ $sum: '$amount' })],
    [
      'report balance history by month',
      t()
        .filter({ 'account.name': 'Checking' })
        .filter({ $and: [{ date: { $gte: `${Number(YEAR) - 1}-01-01` } }, { date: { $lte: `${YEAR}-12-31` } }] })
        .groupBy({ $month: '$date' })
        .select([{ date: { $month: '$date' } }, { amount: { $sum: '$amount' } }]),
    ],
    [
      'report balance history by year',
      t().filter({ 'account.offbudget': false }).groupBy({ $year: '$date' }).select([{ date: { $year: '$date' } }, { amount: { $sum: '$amount' } }]),
    ],
    ['report selected balance', t().filter({ id: { $oneof: [] } }).options({ splits: 'all' }).calculate({ $sum: '$amount' })],
    ['report cleared/uncleared', t().filter({ cleared: false }).calculate({ $sum: '$amount' })],
    ['report net worth by account', t().groupBy(['account.name']).select(['account.name', { total: { $sum: '$amount' } }]).orderBy('account.name')],
    ['report category spending with conditions', t().filter({ $and: [{ 'category.is_income': false }, { 'payee.transfer_acct': null }] }).groupBy(['category.group.name', 'category.name']).select(['category.group.name', 'category.name', { total: { $sum: '$amount' } }])],
    ['report uncategorized count', t().filter({ category: null, 'account.offbudget': false, is_parent: false }).calculate({ $count: '$id' })],
    ['report schedules upcoming', q('schedules').filter({ completed: false, '_account.closed': false }).select(['id', 'name', 'next_date', '_amount', '_amountOp', '_date'])],
    ['report preferences budgetType', q('preferences').filter({ id: 'budgetType' }).select('value')],
  ];
}

// Upstream's own compiler tests (compiler.test.ts), on the real schema.
function upstreamTests(q, { YEAR }) {
  const t = () => q('transactions');
  return [
    ['ut select renamed paths', q('payees').select(['transfer_acct', 'transfer_acct.id', { acctId: 'transfer_acct.id' }]).withoutValidatedRefs()],
    ['ut select two-level path', t().select(['category.group.name']).withoutValidatedRefs().limit(3)],
    ['ut renamed two-level path', t().select([{ groupName: 'category.group.name' }]).limit(3)],
    ['ut validated refs', t().select(['payee', 'category']).limit(5)],
    ['ut star and joined star', t().select(['*', 'payee.*']).limit(3)],
    ['ut tombstone join', q('payees').select(['transfer_acct.name', 'transfer_acct.offbudget'])],
    ['ut select name always with id', q('payees').select('name')],
    ['ut select name and id once', q('payees').select(['name', 'id'])],
    ['ut groupBy without id', q('payees').select('name').groupBy('transfer_acct')],
    ['ut filter by joined name', t().filter({ 'payee.name': 'Landlord' }).select(['amount'])],
    ['ut select joined name', t().filter({ amount: -150000 }).select(['payee.name'])],
    ['ut deep join filter', t().filter({ 'payee.transfer_acct.offbudget': true }).select(['amount', 'payee.name'])],
    ['ut deep joins reused', t().filter({ 'category.group.name': 'Bills', 'category.group.hidden': false, 'category.name': { $ne: 'Rent' } }).select(['category.group.id'])],
    ['ut groupBy joined name', t().groupBy('payee.name').select([{ n: { $count: '$id' } }])],
    ['ut groupBy $substr', t().groupBy({ $substr: ['$payee.name', 0, 4] }).select([{ p: { $substr: ['$payee.name', 0, 4] } }, { n: { $count: '$id' } }])],
    ['ut orderBy joined name', t().orderBy('payee.name').select('id')],
    ['ut orderBy complex', t().orderBy(['payee.id', { 'payee.name': 'desc' }, { $substr: ['$payee.name', 0, 4] }, { $substr: ['$payee.name', 0, 4], $dir: 'desc' }]).select('id')],
    ['ut select $substr', t().select(['id', { payeeName: { $substr: ['$payee.name', 0, 4] } }]).limit(5)],
    ['ut select nested $substr', t().select(['id', { name: { $substr: [{ $substr: ['$payee.name', 1, 5] }, 3, 4] } }]).limit(5)],
    ['ut select $idiv $neg', t().select([{ num: { $idiv: [{ $neg: '$amount' }, 2] } }]).limit(5)],
    ['ut filter date array and $or', t().filter({ date: [{ $lt: '2099-01-01' }], $or: [{ 'payee.name': 'Bistro' }, { 'payee.name': 'Landlord' }] }).select(['id'])],
    ['ut $or with $and inside', t().filter({ $or: [{ 'payee.name': 'Bistro' }, { 'payee.name': 'Landlord' }, { $and: [{ date: [{ $gt: '2019-12-31' }] }, { date: [{ $lt: '2020-01-01' }] }] }] }).select(['id'])],
    ['ut date array of two', t().filter({ date: [{ $lt: '2099-01-01' }, { $gt: `${YEAR}-01-01` }] }).calculate({ $count: '$id' })],
    ['ut field compared with field', t().filter({ amount: { $lt: '$sort_order' } }).select(['id']).limit(3)],
    ['ut $and object form', t().filter({ $and: { 'payee.name': 'Bistro', amount: { $lt: 0 } } }).select(['id']).withoutValidatedRefs()],
    ['ut $or object form', t().filter({ $or: { 'payee.name': 'Bistro', amount: -150000 } }).select(['id'])],
    ['ut empty $or', t().filter({ $or: [] }).select(['id']).limit(3)],
    ['ut null $or', t().filter({ $or: null }).select(['id']).limit(3)],
    ['ut empty $and', t().filter({ $and: [] }).calculate({ $count: '$id' })],
    ['ut $transform $substr', t().filter({ 'payee.name': { $transform: { $substr: ['$', 0, 4] }, $lt: 'Em' } }).select(['id', 'payee.name'])],
    ['ut nested $substr compare', t().filter({ 'payee.name': { $lt: { $substr: [{ $substr: ['$payee.name', 1, 5] }, 3, 4] } } }).select(['id'])],
    ['ut limit', t().select(['id']).limit(10)],
    ['ut offset', t().select(['id']).offset(11)],
    ['ut limit offset', t().select(['id']).limit(10).offset(11)],
    ['ut named parameter in $neg', t().filter({ amount: { $lt: { $neg: ':amount' } } }).select(['id'])],
    ['ut named parameter month', t().filter({ date: { $transform: '$month', $eq: { $month: ':month' } } }).select()],
    ['ut error in select stack', t().select({ month: { $month: '$payee.name2' } })],
    ['ut error in filter stack', t().filter({ date: { $transform: '$month', $eq: 10 } }).select(['id'])],
    ['ut error in groupBy stack', t().groupBy({ $month: '$date2' }).select({ amount: { $sum: '$amount' } })],
    ['ut error in orderBy stack', t().orderBy({ $month: '$date2' }).select({ amount: { $sum: '$amount' } })],
    ['ut $oneof ids', t().filter({ id: { $oneof: ['one', 'two', 'three'] } }).select(['amount'])],
    ['ut date literal', t().filter({ date: `${YEAR}-01-05` }).select(['id'])],
    ['ut string to id', t().filter({ id: 'foo' }).select(['id'])],
    ['ut field to id', q('payees').filter({ id: '$transfer_acct.id' }).select(['id'])],
    ['ut number to id', t().filter({ id: 5 }).select(['id'])],
    ['ut integer to float', t().filter({ sort_order: 45 }).select(['id'])],
    ['ut float to integer', t().filter({ amount: 45.5 }).select(['id'])],
    ['ut null ref validated', t().filter({ payee: null }).select()],
    ['ut null ref unvalidated', t().filter({ payee: null }).select().withoutValidatedRefs()],
    ['ut not null ref', t().filter({ payee: { $ne: null } }).select().limit(3)],
    ['ut multiple operators in one object', t().filter({ date: { $gte: '2000-03-01', $lt: '2099-04-01' } }).select(['id'])],
    ['ut array form of operators', t().filter({ date: [{ $gte: '2000-03-01' }, { $lt: '2099-04-01' }] }).calculate({ $count: '$id' })],
    ['ut $transform with one operator', t().filter({ date: { $transform: '$month', $eq: '2025-03' } }).select(['id'])],
    // Upstream's executors.test.ts.
    ['et inline returns non-parents', t().filter({ amount: { $lt: 0 } }).select('*').options({ splits: 'inline' })],
    ['et none returns parents', t().filter({ amount: { $lt: 0 } }).select('*').options({ splits: 'none' })],
    ['et grouped aggregate', t().filter({ $or: [{ amount: { $lt: -5 } }, { amount: { $gt: -2 } }], 'payee.name': { $gt: '' } }).options({ splits: 'grouped' }).calculate({ $sum: '$amount' })],
    ...[0, 7, 14, 21].map((offset) => [
      `et happy path page at ${offset}`,
      t().filter({ date: { $gt: '2017-01-01' } }).options({ splits: 'grouped' }).select(['*', 'payee.name']).orderBy(['payee.name', 'amount', 'id']).limit(7).offset(offset),
    ]),
    ['et happy path default order', t().filter({ date: { $gt: '2017-01-01' } }).options({ splits: 'grouped' }).select(['*', 'payee.name'])],
    ...[0, 7, 14].map((offset) => [
      `et unhappy path page at ${offset}`,
      t()
        .filter({ payee: { $gt: '' }, $or: [{ amount: { $lt: -4000 } }, { amount: { $gt: -1 } }] })
        .options({ splits: 'grouped' })
        .select(['*', 'payee.name'])
        .withoutValidatedRefs()
        .orderBy(['payee.name', 'amount', 'id'])
        .limit(7)
        .offset(offset),
    ]),
    ['et unhappy path default order', t().filter({ payee: { $gt: '' }, $or: [{ amount: { $lt: -4000 } }, { amount: { $gt: -1 } }] }).options({ splits: 'grouped' }).select(['*', 'payee.name']).withoutValidatedRefs()],
  ];
}

// Bad inputs: each must fail with upstream's error.
function rejected(q) {
  const t = () => q('transactions');
  return [
    ['bad: unknown table in a join', t().select(['payee.transfer_acct.nope.name'])],
    ['bad: unknown field of a joined table', t().filter({ 'category.nope': 1 }).select('id')],
    ['bad: unknown field in groupBy', t().groupBy('nope').select([{ n: { $count: '$id' } }])],
    ['bad: unknown field in orderBy', q('accounts').orderBy('nope').select('name')],
    ['bad: unknown function in filter', t().filter({ amount: { $lt: { $nope: 1 } } }).select('id')],
    ['bad: unknown function in groupBy', t().groupBy({ $nope: '$amount' }).select([{ n: { $count: '$id' } }])],
    ['bad: unknown function in orderBy', t().orderBy({ $nope: '$amount' }).select('id')],
    ['bad: too few arguments', t().select([{ x: { $substr: ['$notes'] } }])],
    ['bad: $substr too many', t().select([{ x: { $substr: ['$notes', 1, 2, 3] } }])],
    ['bad: empty field reference', t().select([{ x: { $lower: '$' } }])],
    ['bad: star of unknown path', t().select(['nope.*'])],
    ['bad: star of a non-reference', t().select(['amount.*'])],
    ['bad: boolean compared with a string', t().filter({ cleared: 'yes' }).select('id')],
    ['bad: string compared with a number', t().filter({ notes: 5 }).select('id')],
    ['bad: date compared with a boolean', t().filter({ date: true }).select('id')],
    ['bad: json compared with a number', t().filter({ error: 1 }).select('id')],
    ['bad: bad date in $transform $month', t().filter({ date: { $transform: '$month', $eq: '24-01' } }).select('id')],
    ['bad: bad date short', t().filter({ date: '2024-01-1' }).select('id')],
    ['bad: bad date words', t().filter({ date: 'yesterday' }).select('id')],
    ['bad: $oneof not a list', t().filter({ amount: { $oneof: 5 } }).select('id')],
    ['bad: $like on a number', t().filter({ amount: { $like: '%1%' } }).select('id')],
    ['bad: $regexp on a date', t().filter({ date: { $regexp: '2024' } }).select('id')],
    ['bad: order direction number', t().select('id').orderBy({ amount: 1 })],
    ['bad: categories option', q('category_groups').options({ categories: 'some' }).select('*')],
    ['bad: $transform unknown', t().filter({ date: { $transform: '$nope', $eq: 1 } }).select('id')],
    ['bad: nested aggregate', t().select([{ x: { $sum: { $count: '$id' } } }])],
    ['bad: window inside aggregate', t().select([{ x: { $sum: { $sumOver: '$amount' } } }])],
    ['bad: aggregate in a filter', t().filter({ amount: { $gt: { $sum: '$amount' } } }).select('id')],
    ['bad: aggregate in groupBy', t().groupBy({ $sum: '$amount' }).select([{ n: { $count: '$id' } }])],
    ['bad: unknown table calculate', q('nothing').calculate({ $count: '$id' })],
    ['bad: unknown table filter', q('nothing').filter({ id: 1 })],
    // Errors whose expression stack prints values of every kind.
    ['stack: Date value', t().filter({ notes: new Date(2024, 0, 15, 10, 30) }).select('id')],
    ['stack: Date in a function', t().filter({ amount: { $lt: { $neg: new Date(2024, 0, 15) } } }).select('id')],
    ['stack: nested arrays', t().filter({ amount: { $lt: [[1, 2], [3]] } }).select('id')],
    ['stack: big and small numbers', t().filter({ notes: { $eq: 1e21 } }).select('id')],
    ['stack: negative zero', t().filter({ notes: -0 }).select('id')],
    ['stack: float', t().filter({ notes: 0.1 }).select('id')],
    ['stack: unicode', t().filter({ amount: 'Ünïcødé 😀' }).select('id')],
    ['stack: quotes and backslashes', t().filter({ amount: 'a"b\\c' }).select('id')],
    ['stack: newline', t().filter({ amount: 'a\nb' }).select('id')],
    ['stack: null in a function', t().select([{ x: { $substr: [null, 1, 2] } }])],
    ['stack: boolean in a function', t().select([{ x: { $lower: true } }])],
    ['stack: object value', t().filter({ amount: { $eq: { a: 1 } } }).select('id')],
    ['stack: deep $and', t().filter({ $and: [{ $or: [{ $and: [{ amount: 'x' }] }] }] }).select('id')],
    ['stack: in orderBy with dir', t().orderBy([{ $lower: '$amount', $dir: 'desc' }]).select('id')],
    ['stack: in groupBy array', t().groupBy(['account', { $year: '$notes' }]).select([{ n: { $count: '$id' } }])],
    ['stack: $transform object', t().filter({ date: { $transform: { $substr: ['$', 1, 4] }, $eq: 2024 } }).select('id')],
    ['stack: select renamed path error', t().select([{ x: 'payee.nope.name' }])],
    ['stack: calculate error', t().calculate({ $sum: '$nope' })],
    ['stack: unknown operator with date', t().filter({ date: { $between: ['2024-01-01', '2024-02-01'] } }).select('id')],
    ['stack: $oneof of strings against a number', t().filter({ amount: { $oneof: 'abc' } }).select('id')],
    ['stack: $like with a number pattern', t().filter({ notes: { $like: 5 } }).select('id')],
    ['stack: $regexp with null', t().filter({ notes: { $regexp: null } }).select('id')],
    ['stack: param inside select', t().select([{ x: { $neg: ':n' } }])],
    ['stack: param twice with types', t().filter({ amount: ':p', notes: ':p' }).select('id')],
    ['stack: param in $oneof', t().filter({ id: { $oneof: ':ids' } }).select('id')],
    ['params: in a $condition, then another', t().select([{ x: { $condition: { amount: ':a', notes: ':b' } } }])],
    ['params: $ne in a $condition, then a filter', t().select([{ x: { $condition: { notes: { $ne: ':a' } } } }]).filter({ amount: ':b' })],
    ['params: $lt in a $condition, then another', t().select([{ x: { $condition: { amount: { $lt: ':a' }, notes: ':b' } } }])],
    ['params: in a $transform', t().filter({ notes: { $transform: { $substr: ['$', ':from', 2] }, $eq: 'x' } }).select('id')],
    ['params: in a $transform $condition', t().filter({ notes: { $transform: { $condition: { amount: ':a', cleared: ':b' } }, $eq: true } }).select('id')],
    ['params: filter before select', t().filter({ amount: { $gt: ':low' } }).select([{ x: { $neg: ':n' } }])],
    ['params: type clash in a copy', t().select([{ x: { $condition: { amount: ':a', notes: ':a' } } }])],
    ['params: $sumOver with a param', t().select([{ x: { $sumOver: ':a' } }])],
  ];
}


// Where two engines drift apart: text (case, accents, quotes), numbers (floats,
// division, big values), aliases (numeric, dotted, repeated, keywords), literals of
// every kind, local dates, and the order of ties.
function edges(q, { YEAR, today }) {
  const t = () => q('transactions');
  return [
    ['$lower of accented', q('payees').select([{ l: { $lower: '$name' } }, { u: { $lower: 'ÄÖÜ Straße' } }])],
    ['$lower of an accented literal', q('accounts').select([{ l: { $lower: 'ÉCOLE' } }]).limit(1)],
    ['$nocase accented order', q('categories').select(['name']).orderBy([{ $nocase: '$name' }])],
    ['$like accented literal', q('payees').filter({ name: { $like: '%ÉMPLOYER%' } }).select(['name'])],
    ['$like empty', q('payees').filter({ name: { $like: '' } }).select(['name'])],
    ['$substr negative', q('payees').select([{ s: { $substr: ['$name', -3, 2] } }])],
    ['$substr zero length', q('payees').select([{ s: { $substr: ['$name', 1, 0] } }])],
    ['$substr two arguments', q('payees').select([{ s: { $substr: ['$name', 2] } }])],
    ['$idiv negative', t().select([{ d: { $idiv: ['$amount', 7] } }, 'amount']).orderBy('id').limit(8)],
    ['$idiv by zero', t().select([{ d: { $idiv: ['$amount', 0] } }]).limit(2)],
    ['$idiv of a float', q('accounts').select([{ d: { $idiv: ['$sort_order', 3] } }])],
    ['float literal math', q('accounts').select([{ x: { $neg: 0.1 } }, { y: { $abs: -2.5 } }, { z: { $literal: 1e21 } }])],
    ['big integer literal', q('accounts').select([{ x: { $literal: 9007199254740993 } }, { y: { $neg: 123456789012 } }])],
    ['sum of floats', q('accounts').calculate({ $sum: '$sort_order' })],
    ['sumOver with order', t().filter({ 'account.name': 'Savings' }).select(['date', { running: { $sumOver: '$amount' } }]).orderBy(['date'])],
    ['sumOver grouped', t().options({ splits: 'grouped' }).filter({ 'account.name': 'Savings' }).select(['id', { running: { $sumOver: '$amount' } }])],
    ['alias numeric', q('accounts').select([{ 1: 'name' }, { 0: 'id' }, 'offbudget'])],
    ['alias numeric grouped splits', t().options({ splits: 'grouped' }).filter({ notes: 'split' }).select([{ 2: 'amount' }, 'id'])],
    ['alias with dot', q('accounts').select([{ 'a.b': 'name' }])],
    ['alias group', q('categories').select([{ group: 'name' }])],
    ['alias repeated', q('accounts').select([{ x: 'name' }, { x: 'offbudget' }])],
    ['alias shadows id', q('accounts').select([{ id: 'name' }])],
    ['field selected twice', q('accounts').select(['name', 'name', 'closed'])],
    ['alias with quote', q('accounts').select([{ "it's": 'name' }])],
    ['alias with space', q('accounts').select([{ 'a b': 'name' }])],
    ['alias uppercase', q('accounts').select([{ Name: 'name' }, { NAME: 'closed' }])],
    ['alias __proto__-like', q('accounts').select([{ _proto: 'name' }])],
    ['literal string with quotes', q('accounts').select([{ s: { $literal: "O'Brien" } }])],
    ['literal true', q('accounts').select([{ s: { $literal: true } }])],
    ['literal null', q('accounts').select([{ s: { $literal: null } }])],
    ['literal date string', q('accounts').select([{ s: { $literal: '2024-01-01' } }])],
    ['literal escaped dollar', q('accounts').select([{ s: { $literal: '\\$5' } }])],
    ['filter string with quote', q('payees').filter({ name: "O'Brien" }).select('name')],
    ['filter string with percent', t().filter({ notes: '100%' }).select('id')],
    ['filter id with quote', t().filter({ payee: "x'y" }).select('id')],
    ['filter $oneof with quotes', q('payees').filter({ name: { $oneof: ["O'Brien", 'Bistro'] } }).select('name')],
    ['filter $oneof with nulls', q('payees').filter({ transfer_acct: { $oneof: [null] } }).select('name')],
    ['filter $oneof numbers', t().filter({ amount: { $oneof: [-150000, -999, 400000] } }).calculate({ $count: '$id' })],
    ['filter $oneof on month', t().filter({ date: { $transform: '$month', $oneof: [`${YEAR}-01`, `${YEAR}-02`] } }).calculate({ $count: '$id' })],
    ['filter $ne null boolean', q('accounts').filter({ closed: { $ne: null } }).select('name')],
    ['filter boolean false', q('accounts').filter({ offbudget: false, closed: false }).select('name')],
    ['filter boolean as number', q('accounts').filter({ offbudget: 1 }).select('name')],
    ['filter float field with integer', q('accounts').filter({ sort_order: { $gt: 0 } }).select(['name', 'sort_order'])],
    ['filter negative zero', t().filter({ amount: -0 }).calculate({ $count: '$id' })],
    ['filter large number', t().filter({ amount: { $lt: 1e15 } }).calculate({ $count: '$id' })],
    ['filter $condition in select with $or', q('accounts').select(['name', { c: { $condition: { $or: [{ offbudget: true }, { closed: true }] } } }])],
    ['filter $and of $or', t().filter({ $and: [{ $or: [{ amount: { $lt: -100000 } }, { amount: { $gt: 100000 } }] }, { cleared: true }] }).calculate({ $count: '$id' })],
    ['filter nested arrays', t().filter([{ amount: { $lt: 0 } }, { cleared: true }]).calculate({ $count: '$id' })],
    ['filter two calls', t().filter({ amount: { $lt: 0 } }).filter({ amount: { $gt: -5000 } }).select(['id', 'amount'])],
    ['filter by Date local day', t().filter({ date: { $gte: new Date(Number(YEAR), 0, 1, 23, 30) } }).calculate({ $count: '$id' })],
    ['filter by Date at UTC midnight', t().filter({ date: { $lt: new Date(Date.UTC(Number(YEAR), 0, 1)) } }).calculate({ $count: '$id' })],
    ['filter by Date $month', t().filter({ date: { $transform: '$month', $eq: new Date(Number(YEAR), 0, 15) } }).calculate({ $count: '$id' })],
    ['date today and later', t().filter({ date: { $gte: today } }).select(['id', 'date'])],
    ['orderBy ties without id', q('payees').select(['name', 'favorite']).orderBy(['favorite'])],
    ['orderBy nulls', t().select(['id', 'notes']).orderBy(['notes']).limit(20)],
    ['orderBy path desc', t().select(['id', 'category.name']).orderBy([{ 'category.name': 'desc' }, 'date']).limit(20)],
    ['orderBy null direction', q('accounts').select('name').orderBy({ name: null })],
    ['orderBy asc explicit', q('accounts').select('name').orderBy({ name: 'asc' })],
    ['orderBy $condition', q('accounts').select('name').orderBy([{ $condition: { offbudget: true }, $dir: 'desc' }])],
    ['groupBy two with having-like filter', t().filter({ amount: { $lt: 0 } }).groupBy(['account', 'cleared']).select(['account', 'cleared', { n: { $count: '$id' } }, { s: { $sum: '$amount' } }])],
    ['groupBy boolean', q('categories').groupBy('hidden').select(['hidden', { n: { $count: '$id' } }])],
    ['groupBy date', t().groupBy('date').select(['date', { n: { $count: '$id' } }]).orderBy({ date: 'desc' }).limit(5)],
    ['calculate count of a path', t().calculate({ $count: '$payee.name' })],
    ['calculate $sum of $abs', t().calculate({ $sum: { $abs: '$amount' } })],
    ['calculate with groupBy', t().groupBy('account').calculate({ $sum: '$amount' })],
    ['calculate with select after', q('accounts').calculate({ $count: '$id' }).select(['name'])],
    ['calculate string', q('payees').filter({ name: 'Bistro' }).calculate('name')],
    ['calculate boolean false', q('accounts').filter({ name: 'Checking' }).calculate('offbudget')],
    ['calculate date', t().orderBy('date').calculate('date')],
    ['calculate json', q('rules').calculate('conditions')],
    ['limit 0', q('accounts').select('name').limit(0)],
    ['limit negative', q('accounts').select('name').limit(-1)],
    ['limit float', q('accounts').select('name').limit(1.5)],
    ['limit with offset beyond', q('accounts').select('name').limit(5).offset(1000)],
    ['offset 0 with limit', q('accounts').select('name').limit(2).offset(0)],
    ['raw on categories', q('categories').raw().select(['name', 'group'])],
    ['withDead categories', q('categories').withDead().select(['name', 'tombstone'])],
    ['withDead payees', q('payees').withDead().select(['name', 'tombstone'])],
    ['withDead join stays alive', q('categories').withDead().select(['name', 'group.name', 'group.tombstone'])],
    ['withoutValidatedRefs dead category', t().withoutValidatedRefs().filter({ category: { $ne: null } }).select(['category', 'category.name']).limit(30)],
    ['category_groups withDead', q('category_groups').withDead().select(['name', 'tombstone'])],
    ['category_groups aggregate', q('category_groups').calculate({ $count: '$id' })],
    ['category_groups grouped by is_income', q('category_groups').groupBy('is_income').select(['is_income', { n: { $count: '$id' } }])],
    ['category_groups filtered by name', q('category_groups').filter({ name: { $like: '%o%' } }).select(['name'])],
    ['category_groups no id selected', q('category_groups').select(['name']).options({ categories: 'all' })],
    ['category_groups categories false', q('category_groups').select(['id']).options({ categories: false })],
    ['schedules json fields', q('schedules').select(['name', '_amount', '_amountOp', '_date', '_conditions', '_actions'])],
    ['schedules filtered by _amount', q('schedules').filter({ _amount: { $lt: 0 } }).select(['name', '_amount'])],
    ['schedules by account name', q('schedules').filter({ '_account.name': 'Checking' }).select(['name', '_payee.name'])],
    ['schedules completed order', q('schedules').select(['name', 'completed', 'next_date']).orderBy([{ completed: 'desc' }, 'next_date'])],
    ['transactions of a schedule', t().filter({ schedule: { $ne: null } }).select(['id', 'schedule', 'schedule.name', 'date'])],
    ['rules by stage', q('rules').filter({ stage: null }).select(['conditions_op', 'conditions', 'actions'])],
    ['notes of categories', q('notes').filter({ note: { $ne: '' } }).select(['id', 'note']).orderBy('id')],
    ['preferences ordered', q('preferences').select(['id', 'value']).orderBy('id')],
    ['zero_budgets sum by month', q('zero_budgets').groupBy('month').select(['month', { s: { $sum: '$amount' } }, { c: { $sum: '$carryover' } }])],
    ['reflect_budgets sum by month', q('reflect_budgets').groupBy('month').select(['month', { s: { $sum: '$amount' } }])],
    ['zero_budgets category group', q('zero_budgets').select(['month', 'category.group.name', 'amount']).orderBy(['month', 'category.group.name']).limit(20)],
    ['payees transfer and favorite', q('payees').filter({ transfer_acct: null }).select(['name', 'favorite', 'learn_categories'])],
    ['accounts with group', q('accounts').select(['name', 'account_group_id', 'account_group_id.name'])],
    ...texts(q),
    ...mixed(q, YEAR),
  ];
}

// Options, flags and selections combined as scripts combine them.
function mixed(q, YEAR) {
  const t = () => q('transactions');
  const jan = new Date(Number(YEAR), 0, 31, 23, 59);
  return [
    ['mixed: $month of a Date', q('accounts').select(['name', { m: { $month: jan } }, { y: { $year: jan } }, { d: { $day: jan } }])],
    ['mixed: Date in $oneof', t().filter({ date: { $oneof: [jan] } }).select('id')],
    ['mixed: Date against a month transform', t().filter({ date: { $transform: '$year', $lte: jan } }).calculate({ $count: '$id' })],
    ['mixed: Date literal selected', q('accounts').select([{ d: { $literal: jan } }])],
    ['mixed: Date compared with a string field', q('payees').filter({ name: { $lt: jan } }).select('name')],
    ['mixed: star twice', q('accounts').select(['*', '*'])],
    ['mixed: star and renamed field', q('accounts').select(['*', { label: 'name' }])],
    ['mixed: star and a path star', t().select(['*', 'account.*', 'category.group.*']).limit(3)],
    ['mixed: star without validated refs', t().withoutValidatedRefs().select('*').limit(10)],
    ['mixed: star raw', t().raw().select('*').limit(10)],
    ['mixed: raw none', t().raw().options({ splits: 'none' }).select(['id', 'amount']).limit(10)],
    ['mixed: raw all withDead', t().raw().withDead().options({ splits: 'all' }).select(['id', 'tombstone']).orderBy('id').limit(20)],
    ['mixed: options on accounts', q('accounts').options({ splits: 'grouped' }).select('name')],
    ['mixed: categories option on categories', q('categories').options({ categories: 'none' }).select('name')],
    ['mixed: category_groups calculate', q('category_groups').calculate({ $count: '$id' }).options({ categories: 'all' })],
    ['mixed: category_groups grouped select', q('category_groups').groupBy('hidden').select(['hidden', { n: { $count: '$id' } }]).options({ categories: 'all' })],
    ['mixed: category_groups with path', q('category_groups').select(['id', 'name']).filter({ hidden: false })],
    ['mixed: category_groups limit', q('category_groups').select('*').limit(1).offset(1)],
    ['mixed: category_groups withDead categories', q('category_groups').withDead().select(['id', 'name', 'tombstone'])],
    ['mixed: orderBy json', q('rules').select(['id', 'conditions']).orderBy(['conditions'])],
    ['mixed: groupBy json', q('rules').groupBy('conditions_op').select(['conditions_op', { n: { $count: '$id' } }])],
    ['mixed: schedules _date equal', q('schedules').filter({ _date: { $ne: null } }).select(['name', '_date', 'next_date'])],
    ['mixed: schedules _amount between', q('schedules').filter({ _amountOp: 'isbetween' }).select(['name', '_amount'])],
    ['mixed: schedules posts', q('schedules').filter({ posts_transaction: true }).select(['name', 'next_date', 'completed'])],
    ['mixed: schedules withDead', q('schedules').withDead().select(['name', 'tombstone', 'completed'])],
    ['mixed: schedules rule path', q('schedules').select(['name', 'rule.stage', 'rule.conditions_op'])],
    ['mixed: payees with dead accounts', q('payees').withDead().select(['name', 'transfer_acct', 'transfer_acct.name', 'tombstone'])],
    ['mixed: payees category learning', q('payees').filter({ learn_categories: false }).select('name')],
    ['mixed: accounts closed', q('accounts').filter({ closed: true }).select(['name', 'offbudget'])],
    ['mixed: accounts withDead', q('accounts').withDead().select(['name', 'tombstone', 'closed']).orderBy('name')],
    ['mixed: transactions of dead accounts', t().withoutValidatedRefs().filter({ 'account.tombstone': true }).select(['id', 'account'])],
    ['mixed: transactions of closed accounts', t().filter({ 'account.closed': true }).select(['id', 'amount', 'account.name'])],
    ['mixed: transactions with dead payee', t().withoutValidatedRefs().filter({ payee: { $ne: null }, 'payee.id': null }).select(['id', 'payee'])],
    ['mixed: transactions with dead category', t().withoutValidatedRefs().filter({ category: { $ne: null }, 'category.id': null }).select(['id', 'category'])],
    ['mixed: reconciled', t().filter({ reconciled: true }).calculate({ $count: '$id' })],
    ['mixed: imported ids', t().filter({ imported_id: { $ne: null } }).select(['id', 'imported_id'])],
    ['mixed: sort_order desc with ties', t().select(['id', 'sort_order', 'date']).orderBy([{ sort_order: 'desc' }]).limit(15)],
    ['mixed: transfer pairs', t().filter({ transfer_id: { $ne: null } }).select(['id', 'transfer_id', 'account.name', 'payee.transfer_acct.name', 'amount']).orderBy(['date', 'amount'])],
    ['mixed: child of a transfer parent', t().options({ splits: 'all' }).filter({ parent_id: { $ne: null } }).select(['id', 'parent_id', 'amount', 'account.name'])],
    ['mixed: grouped, children ordered', t().options({ splits: 'grouped' }).filter({ is_parent: true }).select(['id', 'amount']).orderBy([{ amount: 'asc' }])],
    ['mixed: grouped, path in filter', t().options({ splits: 'grouped' }).filter({ 'category.group.name': 'Fun' }).select(['id', 'amount', 'category.name'])],
    ['mixed: grouped, $oneof of notes', t().options({ splits: 'grouped' }).filter({ notes: { $oneof: ['split', 'food part'] } }).select(['id', 'notes'])],
    ['mixed: grouped withDead unhappy', t().withDead().options({ splits: 'grouped' }).filter({ notes: { $like: '%part%' } }).select(['id', 'tombstone'])],
    ['mixed: grouped $sumOver', t().options({ splits: 'grouped' }).filter({ 'account.name': 'Checking' }).select(['id', { b: { $sumOver: '$amount' } }]).limit(5)],
    ['mixed: sumOver with limit', t().select(['id', { b: { $sumOver: '$amount' } }]).orderBy(['date', 'id']).limit(5).offset(3)],
    ['mixed: sumOver with filter and order', t().filter({ 'account.name': 'Credit card' }).select(['date', 'amount', { b: { $sumOver: '$amount' } }]).orderBy([{ date: 'desc' }, { amount: 'asc' }])],
    ['mixed: count of a boolean', q('accounts').select([{ n: { $count: '$closed' } }])],
    ['mixed: sum of a boolean', q('accounts').select([{ n: { $sum: '$closed' } }])],
    ['mixed: sum of a date', t().select([{ n: { $sum: '$date' } }])],
    ['mixed: sum of a string', q('payees').select([{ n: { $sum: '$name' } }])],
    ['mixed: neg of a date', t().select([{ n: { $neg: '$date' } }]).limit(2)],
    ['mixed: lower of an id', t().select([{ n: { $lower: '$id' } }]).limit(2)],
    ['mixed: id of a path', t().select([{ n: { $id: '$payee.name' } }]).limit(2)],
    ['mixed: condition of a date', t().select([{ n: { $condition: { date: { $gte: `${YEAR}-06-01` } } } }, 'date']).limit(4)],
    ['mixed: condition with $and', q('accounts').select([{ n: { $condition: { $and: [{ offbudget: false }, { closed: false }] } } }, 'name'])],
    ['mixed: condition in groupBy', q('accounts').groupBy({ $condition: { offbudget: true } }).select([{ off: { $condition: { offbudget: true } } }, { n: { $count: '$id' } }])],
    ['mixed: transform with $condition', q('accounts').filter({ name: { $transform: { $condition: { offbudget: true } }, $eq: true } }).select('name')],
    ['mixed: literal in $oneof', t().filter({ amount: { $oneof: [{ $literal: 1 }] } }).select('id')],
    ['mixed: function in $oneof', t().filter({ amount: { $oneof: { $neg: 999 } } }).select('id')],
    ['mixed: field in $oneof', t().filter({ amount: { $oneof: ['$amount'] } }).select('id').limit(2)],
  ];
}

// Text the budget does not hold, through a literal where the field would be: case
// mapping, accents, characters outside the BMP (two UTF-16 units to JavaScript), and
// LIKE and RegExp over them.
function texts(q) {
  const one = () => q('accounts').filter({ name: 'Checking' });
  const out = [];
  const samples = ['Straße', 'İstanbul', 'ΣΊΣΥΦΟΣ', 'Crème Brûlée', 'e\u0301', 'ﬁne', '😀 party', 'a😀b', 'ǅemal', 'ÅNGSTRÖM', 'Ⅻ', 'ǈ'];
  samples.forEach((text, i) => {
    out.push([`text ${i}: $lower`, one().select([{ v: { $lower: text } }])]);
    out.push([`text ${i}: $substr`, one().select([{ v: { $substr: [text, 2, 2] } }])]);
    out.push([`text ${i}: $like itself upper`, one().filter({ name: { $transform: { $lower: text }, $like: text.toUpperCase() } }).select('name')]);
    out.push([`text ${i}: $like with _`, one().filter({ name: { $transform: { $lower: text }, $like: `${Array.from(text)[0]}_%` } }).select('name')]);
    out.push([`text ${i}: $regexp`, one().filter({ name: { $transform: { $lower: text }, $regexp: '^.{2}' } }).select('name')]);
    out.push([`text ${i}: $nocase`, one().filter({ name: { $transform: '$nocase', $eq: text } }).select('name')]);
  });
  out.push(
    ['text: a lone surrogate', one().filter({ name: { $transform: { $lower: '😀' }, $like: `${'😀'.slice(0, 1)}%` } }).select('name')],
    ['text: _ against a surrogate pair', one().filter({ name: { $transform: { $lower: 'a😀b' }, $like: 'a__b' } }).select('name')],
    ['text: _ once against a surrogate pair', one().filter({ name: { $transform: { $lower: 'a😀b' }, $like: 'a_b' } }).select('name')],
    ['text: $regexp dot against a surrogate pair', one().filter({ name: { $transform: { $lower: 'a😀b' }, $regexp: '^a.b$' } }).select('name')],
    ['text: $regexp unicode escape', one().filter({ name: { $transform: { $lower: 'crème' }, $regexp: 'cr\\u00e8me' } }).select('name')],
    ['text: $regexp backreference', one().filter({ name: { $transform: { $lower: 'abab' }, $regexp: '(ab)\\1' } }).select('name')],
    ['text: $regexp lookbehind', one().filter({ name: { $transform: { $lower: 'xab' }, $regexp: '(?<=x)a' } }).select('name')],
    ['text: $regexp named group', one().filter({ name: { $transform: { $lower: 'ab' }, $regexp: '(?<n>a)b' } }).select('name')],
    ['text: $regexp word boundary', one().filter({ name: { $transform: { $lower: 'to savings' }, $regexp: '\\bsav' } }).select('name')],
    ['text: $like star and question', one().filter({ name: { $transform: { $lower: 'a*b?c' }, $like: 'a*b?c' } }).select('name')],
    ['text: $like backslash', one().filter({ name: { $transform: { $lower: 'a\\b' }, $like: 'a\\b' } }).select('name')],
    ['text: $like brackets', one().filter({ name: { $transform: { $lower: '[x]' }, $like: '[x]' } }).select('name')],
    ['text: $like newline', one().filter({ name: { $transform: { $lower: 'a\nb' }, $like: 'a_b' } }).select('name')],
    ['text: $like % across newline', one().filter({ name: { $transform: { $lower: 'a\nb' }, $like: 'a%' } }).select('name')],
    ['text: $notlike accented', one().filter({ name: { $transform: { $lower: 'Crème' }, $notlike: 'creme' } }).select('name')],
    ['number: sum of floats', q('accounts').calculate({ $sum: 0.1 })],
    ['number: float literal forms', one().select([{ a: { $literal: 0.1 } }, { b: { $literal: 1e-7 } }, { c: { $literal: 123456789.125 } }, { d: { $literal: -0 } }])],
    ['number: idiv floats', one().select([{ a: { $idiv: [7.5, 2] } }, { b: { $idiv: [-7, 2] } }])],
    ['number: abs and neg of floats', one().select([{ a: { $abs: -0.5 } }, { b: { $neg: 2.25 } }])],
    ['number: large sums', q('transactions').select([{ s: { $sum: { $idiv: ['$amount', 1] } } }])],
    ['number: count distinct-like', q('transactions').groupBy('payee').select([{ n: { $count: '$payee' } }]).orderBy({ $count: '$payee' })],
  );
  return out;
}


// `today` (the local day, YYYY-MM-DD) is given by the caller so that both engines' runs
// build the same queries even when one starts after midnight.
function corpus(q, today) {
  const when = { YEAR: today.slice(0, 4), today };
  const t = () => q('transactions');
  const list = [
    // Tables, whole.
    ['accounts *', q('accounts').select('*')],
    ['accounts dead too', q('accounts').withDead().select('*')],
    ['account_groups *', q('account_groups').select('*')],
    ['categories *', q('categories').select('*')],
    ['category_groups * (with categories)', q('category_groups').select('*')],
    ['category_groups categories none', q('category_groups').select('*').options({ categories: 'none' })],
    ['category_groups hidden', q('category_groups').filter({ hidden: true }).select(['id', 'name'])],
    ['payees *', q('payees').select('*')],
    ['payees with transfer account name', q('payees').select(['name', 'transfer_acct.name', 'transfer_acct.offbudget'])],
    ['schedules *', q('schedules').select('*')],
    ['schedules next date', q('schedules').filter({ completed: false }).select(['name', 'next_date', '_payee.name', '_account.name'])],
    ['rules *', q('rules').select('*')],
    ['notes *', q('notes').select('*')],
    ['preferences *', q('preferences').select('*')],
    ['tags table (not in schema)', q('tags').select('*')],
    ['dashboard *', q('dashboard').select('*')],
    ['custom_reports *', q('custom_reports').select('*')],
    ['transaction_filters *', q('transaction_filters').select('*')],
    ['zero_budgets *', q('zero_budgets').select('*').orderBy(['month', 'category'])],
    ['reflect_budgets count', q('reflect_budgets').calculate({ $count: '$id' })],
    ['zero_budgets category name', q('zero_budgets').filter({ 'category.name': 'Groceries' }).select(['month', 'amount', 'category.name'])],

    // Transactions in every split mode.
    ['transactions default', t().select('*')],
    ['transactions inline', t().select('*').options({ splits: 'inline' })],
    ['transactions grouped', t().select('*').options({ splits: 'grouped' })],
    ['transactions all', t().select('*').options({ splits: 'all' })],
    ['transactions none', t().select('*').options({ splits: 'none' })],
    ['transactions withDead all', t().withDead().select('*').options({ splits: 'all' })],
    ['transactions withDead grouped', t().withDead().select(['id', 'amount', 'tombstone']).options({ splits: 'grouped' })],
    ['transactions withoutValidatedRefs', t().withoutValidatedRefs().select(['id', 'account', 'category', 'payee']).orderBy('id')],
    ['transactions raw', t().raw().select(['id', 'amount']).orderBy('id').limit(5)],
    ['grouped filtered by notes (unmatched children)', t().filter({ notes: 'food part' }).select('*').options({ splits: 'grouped' })],
    ['grouped filtered by account name (happy)', t().filter({ 'account.name': 'Checking' }).select(['id', 'date', 'amount']).options({ splits: 'grouped' })],
    ['grouped filtered by date, limited', t().filter({ date: { $gte: '2000-01-01' } }).select(['id', 'amount']).options({ splits: 'grouped' }).limit(3)],
    ['grouped $or of amounts', t().filter({ $or: [{ amount: -8000 }, { amount: { $lt: -100000 } }] }).select(['id', 'amount', 'notes']).options({ splits: 'grouped' })],
    ['grouped aggregate', t().options({ splits: 'grouped' }).calculate({ $sum: '$amount' })],
    ['grouped count', t().options({ splits: 'grouped' }).calculate({ $count: '$id' })],
    ['bad splits option', t().select('id').options({ splits: 'nope' })],

    // What the CLI and REST wrappers send.
    [
      'spending by category and month',
      t()
        .filter({ date: { $gte: '2000-01-01' }, amount: { $lt: 0 }, 'account.offbudget': false, category: { $ne: null } })
        .groupBy(['category.name', { $month: '$date' }])
        .select(['category.name', { month: { $month: '$date' } }, { total: { $sum: '$amount' } }, { n: { $count: '$id' } }])
        .orderBy(['category.name', { $month: '$date' }]),
    ],
    [
      'spending by group and year',
      t()
        .filter({ amount: { $lt: 0 } })
        .groupBy(['category.group.name', { $year: '$date' }])
        .select([{ group: 'category.group.name' }, { year: { $year: '$date' } }, { total: { $sum: '$amount' } }]),
    ],
    ['balances by account', t().groupBy('account').select(['account', 'account.name', { balance: { $sum: '$amount' } }]).orderBy('account.name')],
    ['balance of one account', t().filter({ 'account.name': 'Checking' }).calculate({ $sum: '$amount' })],
    ['cleared balance', t().filter({ 'account.name': 'Checking', cleared: true }).calculate({ $sum: '$amount' })],
    ['off-budget total', t().filter({ 'account.offbudget': true }).calculate({ $sum: '$amount' })],
    ['payee totals', t().groupBy('payee.name').select([{ payee: 'payee.name' }, { total: { $sum: '$amount' } }, { count: { $count: '$id' } }]).orderBy([{ $sum: '$amount' }])],
    ['payee totals desc limited', t().groupBy('payee').select(['payee', { total: { $sum: '$amount' } }]).orderBy({ $sum: '$amount', $dir: 'desc' }).limit(5).offset(1)],
    ['order by an alias (not a field)', t().groupBy('payee').select(['payee', { total: { $sum: '$amount' } }]).orderBy({ total: 'desc' })],
    ['uncategorized', t().filter({ category: null, is_parent: false, 'payee.transfer_acct': null }).select(['id', 'date', 'amount', 'payee.name'])],
    ['search notes $like', t().filter({ notes: { $like: '%food%' } }).select(['id', 'notes', 'amount'])],
    ['search notes $notlike', t().filter({ notes: { $notlike: '%food%' } }).select(['id', 'notes'])],
    ['search notes case and accents', t().filter({ notes: { $like: '%SALÄRY%' } }).select(['id', 'notes'])],
    ['search notes $regexp', t().filter({ notes: { $regexp: '^#food' } }).select(['id', 'notes'])],
    ['search payee name $like', t().filter({ 'payee.name': { $like: 'bi?tro' } }).select(['id', 'payee.name'])],
    ['imported payee', t().filter({ imported_payee: { $ne: null } }).select(['id', 'imported_payee'])],
    ['transfers', t().filter({ transfer_id: { $ne: null } }).select(['id', 'amount', 'transfer_id', 'payee.transfer_acct.name'])],
    ['starting balances', t().filter({ starting_balance_flag: true }).select(['account.name', 'amount', 'date'])],
    ['splits parents', t().filter({ is_parent: true }).select(['id', 'amount']).options({ splits: 'all' })],
    ['splits children', t().filter({ is_child: true }).select(['id', 'parent_id', 'amount', 'category.name'])],
    ['date range with $and', t().filter({ $and: [{ date: { $gte: '2000-01-01' } }, { date: { $lte: '2099-12-31' } }] }).calculate({ $count: '$id' })],
    ['date as Date object', t().filter({ date: { $gte: new Date(2000, 0, 1) } }).calculate({ $count: '$id' })],
    ['$month filter', t().filter({ date: { $transform: '$month', $eq: '2000-01' } }).select('id')],
    ['$year filter', t().filter({ date: { $transform: '$year', $gte: '2000' } }).calculate({ $count: '$id' })],
    ['$oneof', t().filter({ 'payee.name': { $oneof: ['Bistro', 'Landlord', 'Bistro'] } }).select(['id', 'payee.name', 'amount'])],
    ['$abs and $neg', t().filter({ amount: { $lt: 0 } }).groupBy('account').select(['account', { spent: { $sum: { $abs: '$amount' } } }, { neg: { $neg: { $sum: '$amount' } } }])],
    ['$idiv', t().select([{ cents: { $idiv: ['$amount', 100] } }]).orderBy('id').limit(4)],
    ['$lower $substr', q('payees').select([{ lower: { $lower: '$name' } }, { first: { $substr: ['$name', 1, 3] } }])],
    ['$nocase order', q('payees').select(['name']).orderBy({ $nocase: '$name' })],
    ['$condition select', q('accounts').select(['name', { onbudget: { $condition: { offbudget: false } } }])],
    ['$literal', q('accounts').select(['name', { one: { $literal: 1 } }])],
    ['$sumOver running balance', t().filter({ 'account.name': 'Checking' }).select(['date', 'amount', { balance: { $sumOver: '$amount' } }])],
    ['$id', q('accounts').select([{ ident: { $id: '$id' } }])],
    ['$day', t().filter({ date: { $transform: '$day', $gte: '2000-01-01' } }).calculate({ $count: '$id' })],
    ['escaped $ string', t().filter({ notes: '\\$notes' }).select('id')],
    ['field compared with field', t().filter({ sort_order: { $gt: '$amount' } }).calculate({ $count: '$id' })],
    ['integer field against a float field', t().filter({ amount: { $lt: '$sort_order' } }).calculate({ $count: '$id' })],
    ['orderBy several', t().select(['id', 'date', 'amount']).orderBy([{ date: 'desc' }, { amount: 'asc' }]).limit(10)],
    ['select one field', q('accounts').select('name')],
    ['select nothing (id only)', q('accounts').select()],
    ['no select', q('categories')],
    ['nested path star', q('categories').select(['name', 'group.*'])],
    ['calculate on empty', t().filter({ amount: 123456789 }).calculate({ $sum: '$amount' })],
    ['calculate a field', q('schedules').filter({ name: 'Rent schedule' }).calculate('rule')],
    ['group name is a keyword', q('categories').select(['name', 'group']).orderBy('group')],
    ['unfilter', t().filter({ amount: 1 }).filter({ notes: 'x' }).unfilter(['amount']).select('id').limit(2)],
    ['boolean null', q('accounts').filter({ closed: null }).select('name')],

    // What upstream rejects.
    ['unknown table', q('nonexistent').select('*')],
    ['unknown table with fields', q('nonexistent').select(['id', 'name'])],
    ['unknown field', t().select(['id', 'nope'])],
    ['unknown field in filter', t().filter({ nope: 1 }).select('id')],
    ['unknown path', t().select(['payee.nope'])],
    ['not joinable', t().select(['amount.name'])],
    ['unknown function', t().select([{ x: { $nope: '$amount' } }])],
    ['unknown operator', t().filter({ amount: { $nope: 1 } }).select('id')],
    ['unnamed function', t().select([{ $sum: '$amount' }])],
    ['bad date', t().filter({ date: { $gte: '2024-1-1' } }).select('id')],
    ['cannot convert', t().filter({ amount: 'lots' }).select('id')],
    ['too many args', t().select([{ x: { $sum: ['$amount', '$amount'] } }])],
    ['bad order direction', t().select('id').orderBy({ amount: 'up' })],
    ['missing parameter', t().filter({ amount: ':amount' }).select('id')],
    ['undefined value', t().filter({ notes: { $eq: undefined } }).select('id')],
    ['property without $', t().select([{ x: { sum: '$amount' } }])],
    ['literal not literal', q('accounts').select([{ x: { $literal: '$name' } }])],
  ];
  return [...list, ...[perTable, operators, splitModes, programs, upstreamTests, edges].flatMap((make) => make(q, when)), ...rejected(q)];
}

module.exports = { corpus };
