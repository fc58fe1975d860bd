//! The balances formulas read (`transaction-rules.ts`): a transaction's `balance`
//! (getRunningBalanceBeforeTransaction) and the `BALANCE_OF("…")` balances fetched
//! before the rules run (prefetchBalanceOfForTransaction), asked with upstream's query.

use serde_json::{json, Map, Value};

use super::formula::balance_of_literals;
use super::rule::Rule;
use super::split::Row;
use crate::foundation::budget::Budget;
use crate::foundation::error::Result;

/// The account's balance before `trans`: its live non-parent transactions (splits
/// inline) on earlier days, and on the same day those ordered before it.
pub fn running_balance(b: &Budget, trans: &Row, account: &str) -> Result<Value> {
    let day = match trans.get("date") {
        Some(d) if !d.is_null() => d.clone(),
        _ => Value::String(crate::foundation::dates::day_string(
            chrono::Local::now().date_naive(),
        )),
    };
    let id = trans.get("id").filter(|v| !v.is_null());
    let mut filters = vec![json!({ "account": account, "is_parent": false })];
    if let Some(id) = id {
        filters.push(json!({ "id": { "$ne": id } }));
    }
    let same_day = match trans.get("sort_order").filter(|v| !v.is_null()) {
        Some(order) => json!({ "$and": [{ "date": day }, { "sort_order": { "$lt": order } }] }),
        None => {
            let mut either = vec![json!({ "sort_order": { "$ne": null } })];
            if let Some(id) = id {
                either.push(json!({ "id": { "$lt": id } }));
            }
            json!({ "$and": [{ "date": day }, { "$or": either }] })
        }
    };
    filters.push(json!({ "$or": [{ "date": { "$lt": day } }, same_day] }));
    let query = json!({
        "table": "transactions",
        "tableOptions": { "splits": "inline" },
        "filterExpressions": filters,
        "selectExpressions": [{ "result": { "$sum": "$amount" } }],
        "groupExpressions": [],
        "orderExpressions": [],
        "calculation": true,
        "rawMode": false,
        "withDead": false,
        "validateRefs": true,
        "limit": null,
        "offset": null,
    });
    Ok(match crate::aql::compile(&query)?.execute(b, false)? {
        crate::aql::Data::Value(v) if !v.is_null() => v,
        _ => Value::from(0),
    })
}

/// A later release's data migration that changes what a rule formula's number means
/// (`1790886768820_rule_formula_amount_units`).
const FORMULA_UNITS_MIGRATION: i64 = 1790886768820;

/// Refuses to run formulas on a budget a newer release migrated to other formula
/// units: 26.9.0's reading of them is not what their author's client computes.
pub fn check_formula_units(b: &Budget) -> Result<()> {
    let mut stmt = b
        .conn
        .prepare_cached("SELECT count(*) FROM __migrations__ WHERE id = ?")?;
    let applied: i64 = stmt.query_row([FORMULA_UNITS_MIGRATION], |r| r.get(0))?;
    if applied > 0 {
        return Err(crate::foundation::error::BudgetError::Unsupported(format!(
            "a formula rule in a budget migrated by {FORMULA_UNITS_MIGRATION}_rule_formula_amount_units \
             (a newer release), which changes what formulas mean"
        )));
    }
    Ok(())
}

/// Whether any action of `rule` has a formula.
pub fn has_formula(rule: &Rule) -> bool {
    rule.actions
        .iter()
        .any(|a| formula_text(&a.options).is_some())
}

fn formula_text(options: &Option<Value>) -> Option<&str> {
    options
        .as_ref()
        .and_then(|o| o.get("formula"))
        .and_then(Value::as_str)
}

/// `prefetchBalanceOfForTransaction`: for each `BALANCE_OF("…")` literal in the
/// rules' formulas, the balance before `trans` of the account of that id, else of the
/// first account of that name (`accounts` in `db.getAccounts()` order), else 0.
pub fn balance_of(
    b: &Budget,
    trans: &Row,
    rules: &[&Rule],
    accounts: &[Map<String, Value>],
) -> Result<Value> {
    let mut literals = Vec::new();
    for rule in rules {
        for a in &rule.actions {
            if let Some(f) = formula_text(&a.options) {
                balance_of_literals(f, &mut literals);
            }
        }
    }
    let mut out = Map::new();
    for literal in literals {
        let id = |a: &Map<String, Value>| a.get("id").and_then(Value::as_str).map(str::to_string);
        let account = accounts
            .iter()
            .find(|a| a.get("id").and_then(Value::as_str) == Some(literal.as_str()))
            .or_else(|| {
                accounts
                    .iter()
                    .find(|a| a.get("name").and_then(Value::as_str) == Some(literal.as_str()))
            })
            .and_then(id);
        let balance = match account {
            Some(account) => running_balance(b, trans, &account)?,
            None => Value::from(0),
        };
        out.insert(literal, balance);
    }
    Ok(Value::Object(out))
}

/// `db.getAccounts()`, in its order.
pub fn accounts_in_order(b: &Budget) -> Result<Vec<Map<String, Value>>> {
    let mut stmt = b
        .conn
        .prepare_cached(crate::reads::accounts::DB_GET_ACCOUNTS)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(crate::foundation::js::sqlite::all_columns(row)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_refused_after_the_newer_units_migration() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE __migrations__ (id INT PRIMARY KEY NOT NULL);")
            .unwrap();
        let b = Budget::new(&conn);
        assert!(check_formula_units(&b).is_ok());
        conn.execute(
            "INSERT INTO __migrations__ VALUES (?)",
            [FORMULA_UNITS_MIGRATION],
        )
        .unwrap();
        let err = check_formula_units(&b).unwrap_err();
        assert!(
            matches!(&err, crate::foundation::error::BudgetError::Unsupported(m) if m.contains("1790886768820"))
        );
    }
}
