//! PLACEHOLDER for the rules engine (branch `writes-rules` writes the real one with
//! this API; replace this whole module by it when merging).
//!
//! `run` is upstream's `runRules` (`server/transactions/transaction-rules.ts`) on one
//! transaction in public field shape. Without a live rule it still has effects a
//! caller sees, and those are done here as upstream does them:
//! `prepareTransactionForRules` adds `_account` (the `db.getAccounts()` row, or the
//! `accounts` row, or null), `_account_name` and, for a known category,
//! `_category_name`, and they stay on the result (`finalizeTransactionForRules`
//! removes only `payee_name`, `balance`, `category_group`, `_balanceOfPrefetched` and
//! `parent_amount`); and the running-balance query it makes
//! (`getRunningBalanceBeforeTransaction`) fails with AQL's `Bad date format` for a
//! date string that is not `YYYY-MM-DD`.
//!
//! With a live rule, `run` is `Unsupported("rules")`, so such a call goes to the
//! official engine.

use rusqlite::OptionalExtension;
use serde_json::{json, Map, Value};

use crate::js::{self, Obj};
use crate::rows::all_columns;
use crate::{schema_fields, Budget, BudgetError, Result};

/// The rules of a budget, loaded once per write call.
pub struct Rules {
    live_rules: bool,
    /// `db.getAccounts()`, by id.
    accounts: Vec<(String, Obj)>,
}

impl Rules {
    pub fn load(b: &Budget) -> Result<Rules> {
        let live_rules: bool = b.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM rules WHERE tombstone = 0)",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = b.conn.prepare_cached(
            "SELECT a.*, b.name as bankName, b.id as bankId FROM accounts a
               LEFT JOIN banks b ON a.bank = b.id
               WHERE a.tombstone = 0
               ORDER BY sort_order, name",
        )?;
        let accounts = stmt
            .query_map([], |r| {
                let row = all_columns(r)?;
                let id = js::to_string(row.get("id"));
                Ok((id, row))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Rules {
            live_rules,
            accounts,
        })
    }

    pub fn run(&self, b: &Budget, trans: Map<String, Value>) -> Result<Map<String, Value>> {
        if self.live_rules {
            return Err(BudgetError::Unsupported("rules".into()));
        }
        let mut r = trans;
        r.remove("payee_name");
        r.remove("balance");
        if js::truthy(r.get("account")) {
            let account = js::to_string(r.get("account"));
            let row = match self.accounts.iter().find(|(id, _)| *id == account) {
                Some((_, row)) => Some(row.clone()),
                None => b
                    .conn
                    .query_row(
                        "SELECT * FROM accounts WHERE id = ?",
                        [&account],
                        all_columns,
                    )
                    .optional()?,
            };
            let name = row
                .as_ref()
                .and_then(|row| row.get("name"))
                .filter(|n| js::truthy(Some(n)))
                .cloned()
                .unwrap_or_else(|| Value::from(""));
            r.insert("_account".into(), row.map_or(Value::Null, Value::Object));
            r.insert("_account_name".into(), name);
            check_balance_date(&r, &account)?;
        }
        if let Some(Value::String(category)) = r.get("category").filter(|c| js::truthy(Some(c))) {
            let name: Option<Value> = b
                .conn
                .query_row(
                    "SELECT name FROM categories WHERE id = ?",
                    [category],
                    |row| Ok(crate::rows::plain(row.get_ref(0)?)),
                )
                .optional()?;
            if let Some(name) = name {
                r.insert("_category_name".into(), name);
            }
        }
        for key in ["category_group", "_balanceOfPrefetched", "parent_amount"] {
            r.remove(key);
        }
        Ok(r)
    }
}

/// The AQL compile error `getRunningBalanceBeforeTransaction`'s query fails with when
/// the transaction's date is a string AQL does not read as a date.
fn check_balance_date(trans: &Obj, account: &str) -> Result<()> {
    let date = match trans.get("date") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(d)) if schema_fields::is_day_string(d) => return Ok(()),
        Some(Value::String(d)) => d.clone(),
        Some(_) => {
            return Err(BudgetError::Unsupported(
                "rules: a transaction date that is not a string".into(),
            ))
        }
    };
    let id = trans.get("id").filter(|v| js::truthy(Some(v)));
    let mut filters = vec![json!({ "account": account, "is_parent": false })];
    if let Some(id) = id {
        filters.push(json!({ "id": { "$ne": id } }));
    }
    let same_day = match trans.get("sort_order").filter(|v| !v.is_null()) {
        Some(so) => json!({ "$and": [{ "date": date }, { "sort_order": { "$lt": so } }] }),
        None => {
            let mut or = vec![json!({ "sort_order": { "$ne": null } })];
            if let Some(id) = id {
                or.push(json!({ "id": { "$lt": id } }));
            }
            json!({ "$and": [{ "date": date }, { "$or": or }] })
        }
    };
    filters.push(json!({ "$or": [{ "date": { "$lt": date } }, same_day] }));
    let message = format!(
        "Bad date format: {date}\n\nExpression stack:\n  {}\n  filter({})",
        pretty_value(&json!({ "date": { "$lt": date } })),
        pretty_value(&Value::Array(filters))
    );
    Err(BudgetError::thrown("Error", "invalid-query", message))
}

/// AQL's `prettyValue` (`server/aql/compiler.ts`).
fn pretty_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => {
            let s = js::stringify(other, false);
            if s.encode_utf16().count() > 70 {
                js::stringify(other, true)
                    .split('\n')
                    .collect::<Vec<_>>()
                    .join("\n  ")
            } else {
                s
            }
        }
    }
}
