//! `getIDByName` (`server/api.ts`): the first live row of that name, in the order AQL
//! lists the table by default (`server/aql/schema/index.ts` customizeQuery).

use serde_json::Value;

use crate::foundation::budget::Budget;
use crate::foundation::error::{BudgetError, Result};

/// The query AQL compiles `q(type).filter({ name }).select('*')` to, per allowed type.
fn query(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "payees" => {
            "SELECT id FROM v_payees WHERE name = ? AND tombstone = 0
               ORDER BY (transfer_acct IS NULL) DESC, name COLLATE NOCASE"
        }
        "categories" => {
            "SELECT id FROM v_categories WHERE name = ? AND tombstone = 0 ORDER BY sort_order, id"
        }
        "schedules" => {
            "SELECT id FROM v_schedules WHERE name = ? AND tombstone = 0
               ORDER BY (completed = 1), next_date"
        }
        "accounts" => {
            "SELECT id FROM accounts WHERE name = ? AND tombstone = 0 ORDER BY sort_order, name"
        }
        _ => return None,
    })
}

fn js_string(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) => "null".into(),
        Some(other) => other.to_string(),
    }
}

/// `getIDByName(type, name)`.
pub fn get_id_by_name(b: &Budget, args: &Value) -> Result<Value> {
    let kind = args.get("type").and_then(Value::as_str).unwrap_or("");
    let Some(sql) = query(kind) else {
        return Err(BudgetError::api("Provide a valid type"));
    };
    let name = args.get("name");
    let id: Option<Value> = match name {
        Some(Value::String(n)) => {
            let mut stmt = b.conn.prepare_cached(sql)?;
            let mut rows = stmt.query([n])?;
            match rows.next()? {
                Some(r) => Some(crate::foundation::js::sqlite::plain(r.get_ref(0)?)),
                None => None,
            }
        }
        // AQL compiles `{ name: null }` to `name IS NULL`; no live row of these tables
        // has no name in practice, and other types are not names.
        Some(Value::Null) | None => None,
        Some(other) => {
            return Err(BudgetError::invalid(
                "invalid-argument",
                format!("name must be a string, not {other}"),
            ))
        }
    };
    id.ok_or_else(|| BudgetError::api(format!("Not found: {kind} with name {}", js_string(name))))
}
