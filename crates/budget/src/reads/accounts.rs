//! Accounts, their balances and account groups (`server/db/index.ts` getAccounts and
//! getAccountGroups, `server/accounts/app.ts` getAccountBalance, `server/api-models.ts`
//! accountModel and accountGroupModel).

use serde_json::Value;

use crate::foundation::budget::Budget;
use crate::foundation::dates;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::args;
use crate::foundation::js::sqlite::{col, object, plain, truthy};

/// `db.getAccounts()` (`server/db/index.ts`): the live accounts with their bank's
/// name and id, in upstream's order.
pub const DB_GET_ACCOUNTS: &str = "SELECT a.*, b.name as bankName, b.id as bankId FROM accounts a
           LEFT JOIN banks b ON a.bank = b.id
           WHERE a.tombstone = 0
           ORDER BY sort_order, name";

/// `getAccounts()`: open and closed accounts, ordered as upstream orders them.
pub fn get_accounts(b: &Budget, _args: &Value) -> Result<Value> {
    let mut stmt = b.conn.prepare_cached(DB_GET_ACCOUNTS)?;
    let rows = stmt.query_map([], |r| {
        Ok(object([
            ("id", plain(col(r, "id")?)),
            ("name", plain(col(r, "name")?)),
            ("offbudget", Value::Bool(truthy(col(r, "offbudget")?))),
            ("closed", Value::Bool(truthy(col(r, "closed")?))),
            ("balance_current", plain(col(r, "balance_current")?)),
            ("account_group_id", plain(col(r, "account_group_id")?)),
        ]))
    })?;
    Ok(Value::Array(rows.collect::<rusqlite::Result<_>>()?))
}

/// `getAccountBalance(id, cutoff = new Date())`: the sum of the account's non-parent,
/// live transactions up to the cutoff's local day.
pub fn get_account_balance(b: &Budget, args: &Value) -> Result<Value> {
    let id = args::get(args, "id").cloned().unwrap_or(Value::Null);
    let cutoff = match args::get(args, "cutoff") {
        Some(c) => dates::day_from_date_like(c)?,
        None => dates::day_string(b.now.date()),
    };
    let repr = dates::to_date_repr(&cutoff).ok_or_else(dates::invalid_time_value)?;
    let id = match id {
        Value::String(s) => s,
        Value::Null => return Ok(Value::from(0)),
        other => {
            return Err(BudgetError::invalid(
                "invalid-argument",
                format!("the account id must be a string, not {other}"),
            ))
        }
    };
    let balance: Option<i64> = b.conn.query_row(
        "SELECT sum(amount) as balance FROM transactions
           WHERE acct = ? AND isParent = 0 AND tombstone = 0 AND date <= ?",
        rusqlite::params![id, repr],
        |r| r.get(0),
    )?;
    Ok(Value::from(balance.unwrap_or(0)))
}

/// `getAccountGroups()`.
pub fn get_account_groups(b: &Budget, _args: &Value) -> Result<Value> {
    let mut stmt = b.conn.prepare_cached(
        "SELECT * FROM account_groups WHERE tombstone = 0 ORDER BY sort_order, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(object([
            ("id", plain(col(r, "id")?)),
            ("name", plain(col(r, "name")?)),
        ]))
    })?;
    Ok(Value::Array(rows.collect::<rusqlite::Result<_>>()?))
}
