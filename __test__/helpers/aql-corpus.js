'use strict';
// ActualQL queries real programs send (Actual's CLI `query` command and REST wrappers,
// scripts from the docs, upstream's own compiler and executor tests), for the
// realistic budget (realistic-budget.js). corpus(q) -> [[label, query], ...], built
// with whichever `q` the caller has (ours or @actual-app/api's).

function corpus(q) {
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
  return list;
}

module.exports = { corpus };
