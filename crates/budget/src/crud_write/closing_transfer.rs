//! The transaction that moves a closed account's balance: `closeAccount`'s call of
//! `transaction-add` (`server/transactions/app.ts` addTransaction ->
//! `server/transactions/index.ts` batchUpdateTransactions with transfers ->
//! `server/transactions/transfer.ts` onInsert/addTransfer/clearCategory).
//!
//! Everything is read and checked first ([`prepare`]), then written ([`write`]), so a
//! failure changes nothing.

use actual_sync::timestamp::now_millis;
use actual_sync::Value as Cell;
use rusqlite::OptionalExtension;
use serde_json::Value;

use super::new_id;
use crate::changes::Fields;
use crate::dates::day_string;
use crate::js::{self, Obj};
use crate::rows::plain;
use crate::schema_fields::TRANSACTIONS;
use crate::{Budget, BudgetError, Result, Writer};

/// The notes of the closing transaction.
const NOTES: &str = "Closing account";

/// The closing transaction and, when its payee is a live account's transfer payee,
/// the counterpart in that account.
pub struct Prepared {
    id: String,
    columns: Vec<(&'static str, Cell)>,
    counterpart: Option<Counterpart>,
}

struct Counterpart {
    id: String,
    columns: Vec<(&'static str, Cell)>,
    /// Both accounts on budget or both off budget: the closing transaction loses its
    /// category (`clearCategory`).
    clear_category: bool,
}

/// Reads and checks everything the closing transaction of `account` needs: `amount`
/// to the transfer payee `payee`, categorised `category` (the API's
/// `transferCategoryId`, as given).
pub fn prepare(
    b: &Budget,
    account: &str,
    payee: &str,
    amount: i64,
    category: Option<&Value>,
) -> Result<Prepared> {
    let today = day_string(b.now.date());
    let id = new_id();
    let mut t = Obj::new();
    t.insert("id".into(), Value::String(id.clone()));
    t.insert("payee".into(), Value::String(payee.into()));
    t.insert("amount".into(), Value::from(amount));
    t.insert("account".into(), Value::String(account.into()));
    t.insert("date".into(), Value::String(today.clone()));
    t.insert("notes".into(), Value::String(NOTES.into()));
    if let Some(c) = category {
        t.insert("category".into(), c.clone());
    }
    // Off-budget transactions have no category (batchUpdateTransactions).
    let offbudget = offbudget(b, account)?;
    if js::strict_eq(offbudget.as_ref(), Some(&Value::from(1))) {
        t.insert("category".into(), Value::Null);
    }
    let columns = TRANSACTIONS.convert_for_insert(&t, now_millis() as f64)?;

    // The payee as the transaction reads it back (through its mapping), and the
    // account it is the transfer payee of, when that account is alive (v_payees).
    let mapped: Option<Option<String>> = b
        .conn
        .query_row(
            "SELECT targetId FROM payee_mapping WHERE id = ?",
            [payee],
            |r| r.get(0),
        )
        .optional()?;
    let transfer_acct: Option<String> = match mapped.flatten() {
        Some(p) => b
            .conn
            .query_row(
                "SELECT transfer_acct FROM v_payees WHERE id = ?",
                [p],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten()
            .filter(|a| !a.is_empty()),
        None => None,
    };
    let counterpart = match transfer_acct {
        Some(to) => Some(counterpart(
            b, &id, account, &to, amount, &today, offbudget,
        )?),
        None => None,
    };
    Ok(Prepared {
        id,
        columns,
        counterpart,
    })
}

/// `addTransfer`: the same amount the other way in the transfer account, from the
/// closing account's transfer payee, not cleared.
fn counterpart(
    b: &Budget,
    from_id: &str,
    account: &str,
    to: &str,
    amount: i64,
    date: &str,
    from_offbudget: Option<Value>,
) -> Result<Counterpart> {
    let from_payee: Option<String> = b
        .conn
        .query_row(
            "SELECT id FROM payees WHERE transfer_acct = ?",
            [account],
            |r| r.get(0),
        )
        .optional()?;
    let Some(from_payee) = from_payee else {
        return Err(js::type_error(
            "Cannot destructure property 'id' of '(intermediate value)' as it is null.",
        ));
    };
    ensure_rules_keep_transfer(b)?;
    let id = new_id();
    let mut t = Obj::new();
    t.insert("account".into(), Value::String(to.into()));
    t.insert("amount".into(), Value::from(-amount));
    t.insert("payee".into(), Value::String(from_payee));
    t.insert("date".into(), Value::String(date.into()));
    t.insert("transfer_id".into(), Value::String(from_id.into()));
    t.insert("notes".into(), Value::String(NOTES.into()));
    t.insert("schedule".into(), Value::Null);
    t.insert("cleared".into(), Value::Bool(false));
    t.insert("id".into(), Value::String(id.clone()));
    let columns = TRANSACTIONS.convert_for_insert(&t, now_millis() as f64)?;
    let to_offbudget = offbudget(b, to)?;
    Ok(Counterpart {
        id,
        columns,
        clear_category: js::strict_eq(from_offbudget.as_ref(), to_offbudget.as_ref()),
    })
}

/// An account's `offbudget` as stored.
fn offbudget(b: &Budget, account: &str) -> Result<Option<Value>> {
    Ok(b.conn
        .query_row(
            "SELECT offbudget FROM accounts WHERE id = ?",
            [account],
            |r| Ok(plain(r.get_ref(0)?)),
        )
        .optional()?)
}

/// Upstream runs the rules over the counterpart and keeps its notes, cleared flag and
/// schedule (a rule may also create a payee on the way). This engine takes the call
/// only when no live rule can change any of these: every action is a plain `set` of
/// another field.
fn ensure_rules_keep_transfer(b: &Budget) -> Result<()> {
    let mut stmt = b.conn.prepare_cached(
        "SELECT actions FROM rules
           WHERE conditions IS NOT NULL AND actions IS NOT NULL AND tombstone = 0",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let actions: Option<String> = r.get(0)?;
        let harmless = actions
            .and_then(|a| serde_json::from_str::<Value>(&a).ok())
            .and_then(|a| a.as_array().cloned())
            .is_some_and(|actions| actions.iter().all(harmless_action));
        if !harmless {
            return Err(BudgetError::Unsupported(
                "closeAccount's balance transfer with rules that may change it (the rules engine)"
                    .into(),
            ));
        }
    }
    Ok(())
}

fn harmless_action(action: &Value) -> bool {
    let options = action.get("options");
    action.get("op").and_then(Value::as_str) == Some("set")
        && !matches!(
            action.get("field").and_then(Value::as_str),
            None | Some("notes" | "cleared" | "schedule" | "payee" | "payee_name")
        )
        && options.and_then(|o| o.get("template")).is_none()
        && options.and_then(|o| o.get("formula")).is_none()
}

/// Writes what [`prepare`] made: the transaction, then (one batch) its counterpart,
/// the link to it and the cleared category.
pub fn write(w: &mut Writer, p: Prepared) -> Result<()> {
    w.changes.insert("transactions", &p.id, p.columns)?;
    let Some(other) = p.counterpart else {
        return Ok(());
    };
    let mut rows: Vec<(&str, String, Fields)> = vec![
        ("transactions", other.id.clone(), other.columns),
        (
            "transactions",
            p.id.clone(),
            vec![("transferred_id", Cell::String(other.id))],
        ),
    ];
    if other.clear_category {
        rows.push(("transactions", p.id, vec![("category", Cell::Null)]));
    }
    w.changes.send_rows(rows)
}
