//! `normalizeBankSyncTransactions` (`server/accounts/sync.ts`): a bank-sync download's
//! transactions (as the server's bank routes answer them: `booked`, `date`,
//! `payeeName`, `notes`, `transactionAmount`, `transactionId`, ...) made into
//! transactions to reconcile, with the account's bank-sync preferences.

use std::collections::HashSet;

use serde_json::Value;

use crate::foundation::budget::Writer;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::sqlite::plain;
use crate::foundation::js::{self, Obj};

use super::normalize::{Normalized, Payees};

/// A bank-sync preference of the account (`<name>-<account id>`), as text.
pub fn account_preference(w: &Writer, name: &str, acct_id: &str) -> Result<Option<Value>> {
    use rusqlite::OptionalExtension;
    let value = w
        .budget
        .conn
        .query_row(
            "SELECT value FROM preferences WHERE id = ?",
            [format!("{name}-{acct_id}")],
            |r| Ok(plain(r.get_ref(0)?)),
        )
        .optional()?;
    Ok(value.filter(|v| !v.is_null()))
}

/// `String(value ?? default) === 'true'` of an account's preference.
pub fn account_flag(w: &Writer, name: &str, acct_id: &str, default: bool) -> Result<bool> {
    Ok(match account_preference(w, name, acct_id)? {
        None => default,
        Some(v) => js::to_string(Some(&v)) == "true",
    })
}

/// `normalizeBankSyncTransactions(transactions, acctId)` with the default field
/// mappings (custom ones are refused before the download, see `bank_sync`).
pub(super) fn normalize(
    w: &Writer,
    transactions: &[Value],
    acct_id: &str,
    payees: &mut Payees,
) -> Result<Vec<Normalized>> {
    let import_pending = account_flag(w, "sync-import-pending", acct_id, true)?;
    let import_notes = account_flag(w, "sync-import-notes", acct_id, true)?;
    let categories: HashSet<String> = {
        let mut stmt = w
            .budget
            .conn
            .prepare_cached("SELECT id FROM categories WHERE tombstone = 0")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out = Vec::with_capacity(transactions.len());
    for input in transactions {
        let Value::Object(input) = input else {
            return Err(BudgetError::Unsupported(
                "a bank-sync transaction that is not an object".into(),
            ));
        };
        // Upstream changes the download's objects in place; their JSON, with those
        // changes, is the transaction's raw_synced_data.
        let mut trans: Obj = input.clone();
        let cleared = js::truthy(trans.get("booked"));
        trans.insert("cleared".into(), Value::Bool(cleared));
        if !import_pending && !cleared {
            continue;
        }
        if !js::truthy(trans.get("amount")) {
            let amount = js::property(trans.get("transactionAmount"), "amount")?.cloned();
            crate::foundation::js::set(&mut trans, "amount", amount);
        }
        let date = js::nullish(trans.get("date"), None).cloned();
        let payee_name = js::nullish(trans.get("payeeName"), None).cloned();
        let notes = trans.get("notes").cloned();
        let Some(date) = date else {
            return Err(BudgetError::plain(
                "`date` is required when adding a transaction",
            ));
        };
        let Some(payee_name) = payee_name else {
            return Err(BudgetError::plain(
                "`payeeName` is required when adding a transaction",
            ));
        };
        let imported_payee = match js::or(trans.get("imported_payee"), Some(&payee_name)) {
            Some(Value::String(s)) => Some(Value::String(js::trim(s).to_string())),
            Some(v) if js::truthy(Some(v)) => {
                return Err(BudgetError::Unsupported(
                    "a bank-sync payee name that is not text".into(),
                ))
            }
            other => other.cloned(),
        };
        crate::foundation::js::set(&mut trans, "imported_payee", imported_payee.clone());
        let imported_id = match (
            trans.get("transactionId"),
            trans.get("internalTransactionId"),
        ) {
            (id, Some(internal)) if cleared && !js::truthy(id) => Some(Value::String(format!(
                "{}-{}",
                js::to_string(trans.get("account")),
                js::to_string(Some(internal))
            ))),
            (id, _) => id.cloned(),
        };
        trans.insert("account".into(), Value::String(acct_id.to_string()));
        let payee = payees.resolve(&trans, payee_name.as_str().filter(|s| !s.is_empty()));
        crate::foundation::js::set(&mut trans, "payee", payee.clone());

        let amount = js::math_round(js::to_number(trans.get("amount")) * 100.0);
        let notes = match notes {
            Some(Value::String(n)) if import_notes && !n.is_empty() => {
                Value::String(js::trim(&n).replace('#', "##"))
            }
            Some(n) if import_notes && js::truthy(Some(&n)) => {
                return Err(BudgetError::Unsupported(
                    "bank-sync notes that are not text".into(),
                ))
            }
            _ => Value::Null,
        };
        let category = match trans.get("category") {
            Some(Value::String(c)) if categories.contains(c) => Value::String(c.clone()),
            _ => Value::Null,
        };
        let raw = js::stringify(&Value::Object(trans.clone()), false);
        let mut t = Obj::new();
        t.insert("amount".into(), js::number(amount));
        crate::foundation::js::set(&mut t, "payee", payee);
        t.insert("account".into(), Value::String(acct_id.to_string()));
        t.insert("date".into(), date);
        t.insert("notes".into(), notes);
        t.insert("category".into(), category);
        crate::foundation::js::set(&mut t, "imported_id", imported_id);
        crate::foundation::js::set(&mut t, "imported_payee", imported_payee);
        t.insert("cleared".into(), Value::Bool(cleared));
        t.insert("raw_synced_data".into(), Value::String(raw));
        out.push(Normalized {
            trans: t,
            subtransactions: None,
        });
    }
    Ok(out)
}
