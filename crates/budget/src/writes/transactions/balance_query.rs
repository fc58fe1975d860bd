//! The running-balance query `prepareTransactionForRules` makes before any rule runs
//! (`getRunningBalanceBeforeTransaction` in `server/transactions/transaction-rules.ts`):
//! it answers nothing these writes use, but AQL refuses a date string that is not
//! `YYYY-MM-DD`, so every import or add of such a date fails with its compile error,
//! rules or not.

use serde_json::{json, Value};

use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, Obj};
use crate::schema::fields;

/// The AQL compile error the query fails with for `trans` (with an account), if any.
pub fn check(trans: &Obj) -> Result<()> {
    if !js::truthy(trans.get("account")) {
        return Ok(());
    }
    let account = js::to_string(trans.get("account"));
    let date = match trans.get("date") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(d)) if fields::is_day_string(d) => return Ok(()),
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
