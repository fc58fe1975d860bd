//! Payees (`server/db/index.ts` getPayees and getCommonPayees, `server/api-models.ts`
//! payeeModel).

use chrono::Duration;
use serde_json::Value;

use crate::foundation::budget::Budget;
use crate::foundation::dates;
use crate::foundation::error::Result;
use crate::foundation::js::sqlite::{col, object, plain};

fn api_payees(b: &Budget, sql: &str) -> Result<Value> {
    let mut stmt = b.conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(object([
            ("id", plain(col(r, "id")?)),
            ("name", plain(col(r, "name")?)),
            ("transfer_acct", plain(col(r, "transfer_acct")?)),
        ]))
    })?;
    Ok(Value::Array(rows.collect::<rusqlite::Result<_>>()?))
}

/// `getPayees()`: live payees, transfer payees named after their (live) account, listed
/// after the others.
pub fn get_payees(b: &Budget, _args: &Value) -> Result<Value> {
    api_payees(
        b,
        "SELECT p.*, COALESCE(a.name, p.name) AS name FROM payees p
           LEFT JOIN accounts a ON (p.transfer_acct = a.id AND a.tombstone = 0)
           WHERE p.tombstone = 0 AND (p.transfer_acct IS NULL OR a.id IS NOT NULL)
           ORDER BY p.transfer_acct IS NULL DESC, p.name COLLATE NOCASE, a.offbudget, a.sort_order",
    )
}

/// `getCommonPayees()`: the ten payees used most over the last twelve weeks (local time).
pub fn get_common_payees(b: &Budget, _args: &Value) -> Result<Value> {
    let twelve_weeks_ago = dates::day_string(b.now.date() - Duration::weeks(12));
    let repr = dates::to_date_repr(&twelve_weeks_ago).unwrap_or(0);
    api_payees(
        b,
        &format!(
            "SELECT p.id as id, p.name as name, p.favorite as favorite,
               p.category as category, TRUE as common, NULL as transfer_acct,
               count(*) as c, max(t.date) as latest
             FROM payees p
             LEFT JOIN v_transactions_internal_alive t on t.payee == p.id
             WHERE LENGTH(p.name) > 0
               AND p.tombstone = 0
               AND t.date > {repr}
             GROUP BY p.id
             ORDER BY c DESC ,p.transfer_acct IS NULL DESC, p.name COLLATE NOCASE
             LIMIT 10"
        ),
    )
}
