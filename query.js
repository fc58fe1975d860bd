'use strict';
// ActualQL's query builder, as @actual-app/api 26.9.0 exports it (its `app/query.ts`):
// every method returns a new Query; `serialize()` is the state `aqlQuery` sends, its
// keys in the constructor's order with `table` last. Unlike loot-core's own copy,
// `unfilter()` with no argument removes nothing (an empty Set of names).

class Query {
  constructor(state) {
    this.state = {
      tableOptions: state.tableOptions || {},
      filterExpressions: state.filterExpressions || [],
      selectExpressions: state.selectExpressions || [],
      groupExpressions: state.groupExpressions || [],
      orderExpressions: state.orderExpressions || [],
      calculation: false,
      rawMode: false,
      withDead: false,
      validateRefs: true,
      limit: null,
      offset: null,
      ...state,
    };
  }

  filter(expr) {
    return new Query({ ...this.state, filterExpressions: [...this.state.filterExpressions, expr] });
  }

  unfilter(exprs) {
    const exprSet = new Set(exprs);
    return new Query({
      ...this.state,
      filterExpressions: this.state.filterExpressions.filter((expr) => !exprSet.has(Object.keys(expr)[0])),
    });
  }

  select(exprs = []) {
    if (!Array.isArray(exprs)) exprs = [exprs];
    return new Query({ ...this.state, selectExpressions: exprs, calculation: false });
  }

  calculate(expr) {
    return new Query({ ...this.state, selectExpressions: [{ result: expr }], calculation: true });
  }

  groupBy(exprs) {
    if (!Array.isArray(exprs)) exprs = [exprs];
    return new Query({ ...this.state, groupExpressions: [...this.state.groupExpressions, ...exprs] });
  }

  orderBy(exprs) {
    if (!Array.isArray(exprs)) exprs = [exprs];
    return new Query({ ...this.state, orderExpressions: [...this.state.orderExpressions, ...exprs] });
  }

  limit(num) {
    return new Query({ ...this.state, limit: num });
  }

  offset(num) {
    return new Query({ ...this.state, offset: num });
  }

  raw() {
    return new Query({ ...this.state, rawMode: true });
  }

  withDead() {
    return new Query({ ...this.state, withDead: true });
  }

  withoutValidatedRefs() {
    return new Query({ ...this.state, validateRefs: false });
  }

  options(opts) {
    return new Query({ ...this.state, tableOptions: opts });
  }

  serialize() {
    return this.state;
  }

  reset() {
    return q(this.state.table);
  }

  serializeAsString() {
    return JSON.stringify(this.serialize());
  }
}

function q(table) {
  return new Query({ table });
}

module.exports = { Query, q };
