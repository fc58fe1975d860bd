//! Accounts (`server/api.ts` account handlers, `server/accounts/app.ts` createAccount,
//! closeAccount, reopenAccount, unlinkAccount, `server/accounts/payees.ts`,
//! `server/db/index.ts` insertAccount, updateAccount, deleteAccount).

use actual_sync::timestamp::now_millis;
use actual_sync::Value as Cell;
use rusqlite::OptionalExtension;
use serde_json::Value;

use super::payees::new_payee_rows;
use super::{
    flag, has_key, missing_field, new_id, query_param, raw_fields, raw_update, row_id, sort,
    spread, sql_value,
};
use crate::foundation::budget::{Budget, Writer};
use crate::foundation::changes::Fields;
use crate::foundation::dates::day_string;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::sqlite::plain;
use crate::foundation::js::{self, Obj};
use crate::schema::fields::{raw_cell, TRANSACTIONS};
use crate::writes::transactions::batch::{batch_update, BatchUpdate};
use crate::writes::transactions::batch_state::LazyRules;

/// `createAccount(account, initialBalance)`: the account after the others of its
/// kind (on or off budget), its transfer payee, and for a non-zero balance a cleared
/// starting-balance transaction today (payee "Starting Balance", category the income
/// category "Starting Balances" or else the first income one; none off budget).
/// The balance goes through upstream's `integerToAmount` and back (`amountToInteger`
/// rounds, so 123.456 is 123). Resolves to the new id.
pub fn create_account(w: &mut Writer, args: &Value) -> Result<Value> {
    let account = args.get("account");
    let name = js::property(account, "name")?;
    let offbudget = js::property(account, "offbudget")?;
    let closed = js::property(account, "closed")?;
    // `initialBalance != null ? integerToAmount(initialBalance) : null`.
    let balance = match args.get("initialBalance") {
        None | Some(Value::Null) => None,
        some => Some(js::to_number(some) / 100.0),
    };
    let starting = match balance.filter(|b| *b != 0.0) {
        None => None,
        Some(b) => {
            let amount = js::math_round(b * 100.0);
            if !amount.is_finite() {
                // `convertInputType` of NaN or Infinity, after the account was made.
                return Err(BudgetError::plain("Can't convert to integer: null"));
            }
            Some(amount as i64)
        }
    };
    let last: Option<Option<f64>> = w
        .budget
        .conn
        .prepare_cached(
            "SELECT sort_order FROM accounts WHERE offbudget = ? ORDER BY sort_order, name",
        )?
        .query_map([i64::from(js::truthy(offbudget))], |r| r.get(0))?
        .last()
        .transpose()?;
    let Some(name) = name.filter(|n| !n.is_null()) else {
        return Err(missing_field("account", "name"));
    };
    let account_fields = vec![
        ("name", raw_cell(name)?),
        ("offbudget", flag(offbudget)),
        ("closed", flag(closed)),
        ("sort_order", Cell::Number(sort::after_last(last.flatten()))),
    ];
    let id = new_id();
    let payee = new_id();
    let starting = match starting {
        Some(amount) => Some(starting_balance(
            &w.budget,
            &id,
            amount,
            js::truthy(offbudget),
            &day_string(w.budget.now.date()),
        )?),
        None => None,
    };

    w.changes.insert("accounts", &id, account_fields)?;
    w.changes.send_rows(new_payee_rows(
        &payee,
        vec![
            ("name", Cell::String(String::new())),
            ("transfer_acct", Cell::String(id.clone())),
        ],
    ))?;
    if let Some(s) = starting {
        s.insert(w)?;
    }
    Ok(Value::String(id))
}

/// Inserts a cleared starting-balance transaction of `amount` on `date` into
/// `account` (as a bank sync's first download does); resolves to its id.
pub(crate) fn insert_starting_balance(
    w: &mut Writer,
    account: &str,
    amount: i64,
    offbudget: bool,
    date: &str,
) -> Result<String> {
    starting_balance(&w.budget, account, amount, offbudget, date)?.insert(w)
}

/// The payee of starting balances (`getStartingBalancePayee`).
const STARTING_BALANCE: &str = "Starting Balance";

/// A starting-balance transaction: its columns, and the payee to create first when
/// there is none of that name.
struct StartingBalance {
    new_payee: Option<String>,
    columns: Vec<(&'static str, Cell)>,
}

impl StartingBalance {
    /// The payee (when new), then the transaction; its id.
    fn insert(self, w: &mut Writer) -> Result<String> {
        if let Some(new_payee) = &self.new_payee {
            let fields = vec![("name", Cell::String(STARTING_BALANCE.into()))];
            w.changes.send_rows(new_payee_rows(new_payee, fields))?;
        }
        let id = new_id();
        w.changes.insert("transactions", &id, self.columns)?;
        Ok(id)
    }
}

fn starting_balance(
    b: &Budget,
    account: &str,
    amount: i64,
    offbudget: bool,
    date: &str,
) -> Result<StartingBalance> {
    let first_id = |sql: &str| -> Result<Option<String>> {
        Ok(b.conn.query_row(sql, [], |r| r.get(0)).optional()?)
    };
    let category = match first_id(
        "SELECT id FROM categories
           WHERE is_income = 1 AND
           LOWER(name) = 'starting balances' AND
           tombstone = 0",
    )? {
        Some(c) => Some(c),
        None => first_id("SELECT id FROM categories WHERE is_income = 1 AND tombstone = 0")?,
    };
    // `createPayee`: an existing payee of that name, whatever its case.
    let existing: Option<String> = b
        .conn
        .query_row(
            "SELECT id FROM payees WHERE UNICODE_LOWER(name) = ? AND tombstone = 0",
            [STARTING_BALANCE.to_lowercase()],
            |r| r.get(0),
        )
        .optional()?;
    let (payee, new_payee) = match existing {
        Some(p) => (p, None),
        None => {
            let p = new_id();
            (p.clone(), Some(p))
        }
    };
    let mut t = Obj::new();
    t.insert("account".into(), Value::String(account.into()));
    t.insert("amount".into(), Value::from(amount));
    t.insert(
        "category".into(),
        match (offbudget, category) {
            (false, Some(c)) => Value::String(c),
            _ => Value::Null,
        },
    );
    t.insert("payee".into(), Value::String(payee));
    t.insert("date".into(), Value::String(date.to_string()));
    t.insert("cleared".into(), Value::Bool(true));
    t.insert("starting_balance_flag".into(), Value::Bool(true));
    t.insert("id".into(), Value::String(String::new()));
    Ok(StartingBalance {
        new_payee,
        columns: TRANSACTIONS.convert_for_insert(&t, now_millis() as f64)?,
    })
}

/// `updateAccount(id, fields)`: the fields as they are (no schema: any column of the
/// table, `offbudget` and `closed` as 1/0); the name cannot be null; resolves to
/// undefined.
pub fn update_account(w: &mut Writer, args: &Value) -> Result<Value> {
    let fields = args.get("fields");
    // `accountModel.fromExternal`.
    let mut external = spread(fields);
    for key in ["offbudget", "closed"] {
        if has_key(fields, key)? {
            let v = i64::from(js::truthy(external.get(key)));
            external.insert(key.into(), Value::from(v));
        }
    }
    let mut obj = Obj::new();
    if let Some(id) = args.get("id") {
        obj.insert("id".into(), id.clone());
    }
    obj.extend(external);
    if obj.get("name").is_some_and(Value::is_null) {
        return Err(missing_field("account", "name"));
    }
    let id = row_id(obj.get("id"))?;
    raw_update(w, "accounts", &id, raw_fields(&obj)?)?;
    Ok(Value::Null)
}

/// `closeAccount(id, transferAccountId, transferCategoryId)`: resolves to undefined.
pub fn close_account(w: &mut Writer, args: &Value) -> Result<Value> {
    close(
        w,
        args.get("id"),
        args.get("transferAccountId"),
        args.get("transferCategoryId"),
        false,
    )
}

/// `deleteAccount(id)`: `account-close` forced; resolves to undefined.
pub fn delete_account(w: &mut Writer, args: &Value) -> Result<Value> {
    close(w, args.get("id"), None, None, true)
}

/// `reopenAccount(id)`: resolves to undefined.
pub fn reopen_account(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = row_id(args.get("id"))?;
    w.changes
        .update("accounts", &id, vec![("closed", Cell::Number(0.0))])?;
    Ok(Value::Null)
}

/// upstream `closeAccount({ id, transferAccountId, categoryId, forced })`.
///
/// Nothing happens to an account that is deleted or already closed (not even a forced
/// delete). One without transactions is deleted (its transfer payee stays). Forced,
/// its transactions are deleted, their transfer counterparts lose their payee and
/// link, and the account and its transfer payee are deleted. Otherwise it is closed,
/// and a non-zero balance must go to a transfer account: a transaction today (notes
/// "Closing account", category `transferCategoryId`) moves it there.
fn close(
    w: &mut Writer,
    id: Option<&Value>,
    transfer: Option<&Value>,
    category: Option<&Value>,
    forced: bool,
) -> Result<Value> {
    let b = &w.budget;
    let sql = "SELECT * FROM accounts WHERE id = ?";
    let id_param = sql_value(query_param(id, sql)?);
    // unlinkAccount: any account, deleted ones too.
    let row: Option<(Value, Value)> = b
        .conn
        .query_row(
            "SELECT bank, account_sync_source FROM accounts WHERE id = ?",
            [&id_param],
            |r| Ok((plain(r.get_ref(0)?), plain(r.get_ref(1)?))),
        )
        .optional()?;
    let Some((bank, source)) = row else {
        return Err(BudgetError::plain(format!(
            "Account with ID {} not found.",
            js::to_string(id)
        )));
    };
    let unlink = js::truthy(Some(&bank));
    if unlink && source == Value::String("goCardless".into()) {
        return Err(BudgetError::Unsupported(
            "closing a GoCardless-linked account (unlinking asks the bank-sync server)".into(),
        ));
    }
    let id = row_id(id)?;
    let live: Option<Value> = b
        .conn
        .query_row(
            "SELECT closed FROM accounts WHERE id = ? AND tombstone = 0",
            [&id],
            |r| Ok(plain(r.get_ref(0)?)),
        )
        .optional()?;
    let mut rows: Vec<(&str, String, Fields)> = Vec::new();
    if unlink {
        let cleared = [
            "account_id",
            "bank",
            "balance_current",
            "balance_available",
            "balance_limit",
            "account_sync_source",
            "bank_sync_status",
        ];
        rows.push((
            "accounts",
            id.clone(),
            cleared.iter().map(|c| (*c, Cell::Null)).collect(),
        ));
    }
    if live.is_none_or(|closed| js::strict_eq(Some(&closed), Some(&Value::from(1)))) {
        w.changes.send_rows(rows)?;
        return Ok(Value::Null);
    }
    let (balance, count): (Option<i64>, i64) = b.conn.query_row(
        "SELECT
           (SELECT sum(amount) FROM transactions WHERE acct = ?1 AND isParent = 0 AND tombstone = 0),
           (SELECT count(id) FROM transactions WHERE acct = ?1 AND tombstone = 0)",
        [&id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let balance = balance.unwrap_or(0);
    let tombstone = || vec![("tombstone", Cell::Number(1.0))];

    if count == 0 {
        w.changes.send_rows(rows)?;
        w.changes.delete("accounts", &id)?;
        return Ok(Value::Null);
    }
    if forced {
        let transfer_payee = transfer_payee_of(b, &Value::String(id.clone()))?;
        let mut deletions: Vec<(&str, String, Fields)> = Vec::new();
        let txns: Vec<(String, Option<String>)> = b
            .conn
            .prepare_cached("SELECT id, transfer_id FROM v_transactions WHERE account = ?")?
            .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (txn, transfer_id) in txns {
            if let Some(other) = transfer_id.filter(|t| !t.is_empty()) {
                let mut unlinked = Obj::new();
                unlinked.insert("payee".into(), Value::Null);
                unlinked.insert("transfer_id".into(), Value::Null);
                deletions.push((
                    "transactions",
                    other,
                    TRANSACTIONS.convert_for_update(&unlinked)?,
                ));
            }
            deletions.push(("transactions", txn, tombstone()));
        }
        deletions.push(("accounts", id, tombstone()));
        deletions.push(("payees", transfer_payee, tombstone()));
        w.changes.send_rows(rows)?;
        w.changes.send_rows(deletions)?;
        return Ok(Value::Null);
    }

    if balance != 0 && matches!(transfer, None | Some(Value::Null)) {
        return Err(BudgetError::api(
            "balance is non-zero: transferAccountId is required",
        ));
    }
    if js::strict_eq(Some(&Value::String(id.clone())), transfer) {
        return Err(BudgetError::api(
            "transfer account can not be the account being closed",
        ));
    }
    w.changes.send_rows(rows)?;
    w.changes
        .update("accounts", &id, vec![("closed", Cell::Number(1.0))])?;
    if let Some(t) = transfer.filter(|t| balance != 0 && js::truthy(Some(t))) {
        // `transaction-add`: batchUpdateTransactions with transfers, so the balance
        // arrives in the transfer account as the other side of a transfer.
        let payee = transfer_payee_of(&w.budget, t)?;
        let mut closing = Obj::new();
        closing.insert("id".into(), Value::String(new_id()));
        closing.insert("payee".into(), Value::String(payee));
        closing.insert("amount".into(), Value::from(-balance));
        closing.insert("account".into(), Value::String(id));
        closing.insert(
            "date".into(),
            Value::String(day_string(w.budget.now.date())),
        );
        closing.insert("notes".into(), Value::String("Closing account".into()));
        if let Some(c) = category {
            closing.insert("category".into(), c.clone());
        }
        let batch = BatchUpdate {
            added: vec![closing],
            run_transfers: true,
            ..Default::default()
        };
        batch_update(w, &mut LazyRules::new(None), batch)?;
    }
    Ok(Value::Null)
}

/// The transfer payee of an account (deleted ones count).
fn transfer_payee_of(b: &Budget, account: &Value) -> Result<String> {
    let sql = "SELECT id FROM payees WHERE transfer_acct = ?";
    let found: Option<String> = b
        .conn
        .query_row(sql, [sql_value(query_param(Some(account), sql)?)], |r| {
            r.get(0)
        })
        .optional()?;
    found.ok_or_else(|| {
        BudgetError::plain(format!(
            "Transfer payee with account ID {} not found.",
            js::to_string(Some(account))
        ))
    })
}
