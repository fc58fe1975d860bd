//! `runBankSync({ accountId })`: which accounts upstream's bank sync downloads for
//! (`server/api.ts` `api/bank-sync`, `server/accounts/app.ts` `accounts-bank-sync` and
//! `simplefin-batch-sync`). Upstream contacts the server's bank endpoints only for
//! those; a budget with none resolves without a change. Downloading and reconciling
//! for linked accounts is not native: such a call is refused before anything is
//! written (the caller hands it to the official engine or rejects it).

use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::Value;

use crate::accounts::DB_GET_ACCOUNTS;
use crate::rows::{col, truthy};
use crate::{js, Budget, BudgetError, Result};

/// `accounts-bank-sync`'s selection: live, open accounts, with their bank's provider
/// id, narrowed to the given ids when there are any (the placeholders go after `IN`).
fn accounts_bank_sync_sql(ids: usize) -> String {
    let filter = if ids == 0 {
        String::new()
    } else {
        format!("AND a.id IN ({})", vec!["?"; ids].join(", "))
    };
    // Upstream's text, whitespace included: its "Invalid field type" error quotes it.
    format!(
        "\n    SELECT a.*, b.bank_id as bankId\n    FROM accounts a\n    LEFT JOIN banks b ON a.bank = b.id\n    WHERE a.tombstone = 0 AND a.closed = 0\n      {filter}\n    ORDER BY a.offbudget, a.sort_order\n  "
    )
}

/// `simplefin-batch-sync`'s selection: the live, open SimpleFIN accounts among `ids`.
fn simplefin_batch_sql(ids: usize) -> String {
    format!(
        "SELECT a.* FROM accounts a
         LEFT JOIN banks b ON a.bank = b.id
         WHERE a.tombstone = 0 AND a.closed = 0 AND a.account_sync_source = 'simpleFin'
         AND a.id IN ({})
         ORDER BY a.offbudget, a.sort_order",
        vec!["?"; ids].join(", ")
    )
}

/// The accounts one `runBankSync` call downloads for, by name, in upstream's order:
/// first SimpleFIN's batch (a call without `accountId`), then one by one.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BankSyncPlan {
    pub simplefin_batch: Vec<String>,
    pub one_by_one: Vec<String>,
}

impl BankSyncPlan {
    pub fn is_empty(&self) -> bool {
        self.simplefin_batch.is_empty() && self.one_by_one.is_empty()
    }
}

/// `runBankSync(args)` where upstream contacts no bank: resolves (`null`) with nothing
/// written. With accounts to download for, refused as not native, naming them.
pub fn run_bank_sync(b: &Budget, args: &Value) -> Result<Value> {
    let plan = plan(b, args)?;
    if plan.is_empty() {
        return Ok(Value::Null);
    }
    let names: Vec<String> = plan
        .simplefin_batch
        .iter()
        .chain(&plan.one_by_one)
        .map(|name| format!("\"{name}\""))
        .collect();
    Err(BudgetError::Unsupported(format!(
        "runBankSync of accounts linked to a bank ({})",
        names.join(", ")
    )))
}

/// What `api/bank-sync` would download for, given the argument object (`accountId`:
/// absent or null for every account, a string or a finite number for one; the
/// caller keeps other JavaScript values from crossing as JSON would change them).
pub fn plan(b: &Budget, args: &Value) -> Result<BankSyncPlan> {
    match args.get("accountId").filter(|v| !v.is_null()) {
        Some(id) => Ok(BankSyncPlan {
            simplefin_batch: Vec::new(),
            one_by_one: linked_accounts(b, &[bound_id(id)?])?,
        }),
        None => batch_plan(b),
    }
}

/// A call without `accountId`: SimpleFIN accounts in one batch, then the others, each
/// through `accounts-bank-sync`.
fn batch_plan(b: &Budget) -> Result<BankSyncPlan> {
    // `accounts-get`: every live account, closed ones included.
    let mut stmt = b.conn.prepare_cached(DB_GET_ACCOUNTS)?;
    let accounts: Vec<(String, bool)> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>("id")?,
                col(r, "account_sync_source")?.as_str().ok() == Some("simpleFin"),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let (simplefin, others): (Vec<_>, Vec<_>) =
        accounts.into_iter().partition(|(_, simplefin)| *simplefin);
    let simplefin_batch = if simplefin.is_empty() {
        Vec::new()
    } else {
        // Every open SimpleFIN account is downloaded for, linked or not (its missing
        // link is an error the batch reports).
        let ids: Vec<SqlValue> = simplefin
            .into_iter()
            .map(|(id, _)| SqlValue::Text(id))
            .collect();
        let mut stmt = b.conn.prepare(&simplefin_batch_sql(ids.len()))?;
        let names = stmt
            .query_map(rusqlite::params_from_iter(&ids), |r| {
                r.get::<_, Option<String>>("name")
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        names.into_iter().map(Option::unwrap_or_default).collect()
    };
    // With no other account, `accounts-bank-sync` gets no ids and so takes them all,
    // SimpleFIN's included.
    let ids: Vec<SqlValue> = others
        .into_iter()
        .map(|(id, _)| SqlValue::Text(id))
        .collect();
    Ok(BankSyncPlan {
        simplefin_batch,
        one_by_one: linked_accounts(b, &ids)?,
    })
}

/// `accounts-bank-sync({ ids })`: the selected accounts it downloads for, those with a
/// bank (`banks.bank_id`) and an external account id.
fn linked_accounts(b: &Budget, ids: &[SqlValue]) -> Result<Vec<String>> {
    let mut stmt = b.conn.prepare(&accounts_bank_sync_sql(ids.len()))?;
    let linked = stmt
        .query_map(rusqlite::params_from_iter(ids), |r| {
            let linked = truthy(col(r, "bankId")?) && truthy(col(r, "account_id")?);
            let name = match col(r, "name")? {
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                _ => String::new(),
            };
            Ok(linked.then_some(name))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(linked.into_iter().flatten().collect())
}

/// `accountId` as upstream binds it: a string as text, a number as a real (as
/// better-sqlite3 binds every JavaScript number); anything else fails upstream's
/// parameter check, with its message.
fn bound_id(id: &Value) -> Result<SqlValue> {
    match id {
        Value::String(s) => Ok(SqlValue::Text(s.clone())),
        Value::Number(n) => Ok(SqlValue::Real(n.as_f64().unwrap_or(f64::NAN))),
        other if contains_date(other) => Err(BudgetError::Unsupported(
            "runBankSync with a Date in accountId".into(),
        )),
        other => Err(BudgetError::thrown(
            "Error",
            "invalid-argument",
            format!(
                "Invalid field type {} for sql {}",
                js::to_string(Some(other)),
                accounts_bank_sync_sql(1)
            ),
        )),
    }
}

/// Whether `String(v)` holds a `Date`'s text (`{ "$date": ms }`, itself or in an
/// array): that text is in the process's local time zone, which is not worked out
/// here. An object's own values never reach its text (`[object Object]`).
fn contains_date(v: &Value) -> bool {
    match v {
        Value::Object(o) => crate::json::date_millis(o).is_some(),
        Value::Array(a) => a.iter().any(contains_date),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn budget() -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT, offbudget INTEGER DEFAULT 0,
               closed INTEGER DEFAULT 0, sort_order REAL, tombstone INTEGER DEFAULT 0,
               account_id TEXT, bank TEXT, account_sync_source TEXT);
             CREATE TABLE banks (id TEXT PRIMARY KEY, bank_id TEXT, name TEXT, tombstone INTEGER DEFAULT 0);
             INSERT INTO banks VALUES ('b1', 'org.example', 'Example', 0);
             INSERT INTO accounts (id, name, sort_order) VALUES ('plain', 'Plain', 1);
             INSERT INTO accounts (id, name, sort_order, account_id) VALUES ('no-bank', 'No bank', 2, 'ext-0');",
        )
        .unwrap();
        conn
    }

    fn plan_of(conn: &rusqlite::Connection, args: Value) -> Result<BankSyncPlan> {
        plan(&Budget::new(conn), &args)
    }

    #[test]
    fn nothing_linked_resolves() {
        let conn = budget();
        for args in [
            json!({}),
            json!({ "accountId": "plain" }),
            json!({ "accountId": "nope" }),
            json!({ "accountId": 5 }),
        ] {
            assert!(plan_of(&conn, args.clone()).unwrap().is_empty(), "{args}");
            assert_eq!(
                run_bank_sync(&Budget::new(&conn), &args).unwrap(),
                Value::Null
            );
        }
    }

    #[test]
    fn linked_accounts_are_planned_as_upstream_selects_them() {
        let conn = budget();
        conn.execute_batch(
            "INSERT INTO accounts (id, name, sort_order, account_id, bank, account_sync_source)
               VALUES ('gc', 'GoCardless', 3, 'ext-1', 'b1', 'goCardless'),
                      ('gc-closed', 'Closed', 4, 'ext-2', 'b1', 'goCardless'),
                      ('sf', 'SimpleFIN', 5, 'ext-3', 'b1', 'simpleFin');
             UPDATE accounts SET closed = 1 WHERE id = 'gc-closed';",
        )
        .unwrap();
        assert_eq!(
            plan_of(&conn, json!({})).unwrap(),
            BankSyncPlan {
                simplefin_batch: vec!["SimpleFIN".into()],
                one_by_one: vec!["GoCardless".into()],
            }
        );
        assert_eq!(
            plan_of(&conn, json!({ "accountId": "sf" }))
                .unwrap()
                .one_by_one,
            vec!["SimpleFIN".to_string()]
        );
        assert!(plan_of(&conn, json!({ "accountId": "gc-closed" }))
            .unwrap()
            .is_empty());
        let refused = run_bank_sync(&Budget::new(&conn), &json!({})).unwrap_err();
        assert_eq!(refused.code(), "unsupported-feature");
        assert!(
            refused
                .to_string()
                .contains("\"SimpleFIN\", \"GoCardless\""),
            "{refused}"
        );
    }

    #[test]
    fn only_simplefin_accounts_are_also_taken_one_by_one() {
        // accounts-bank-sync with no ids left takes every account.
        let conn = budget();
        conn.execute_batch(
            "DELETE FROM accounts;
             INSERT INTO accounts (id, name, sort_order, account_id, bank, account_sync_source)
               VALUES ('sf', 'SimpleFIN', 1, 'ext-3', 'b1', 'simpleFin');",
        )
        .unwrap();
        let plan = plan_of(&conn, json!({})).unwrap();
        assert_eq!(plan.simplefin_batch, vec!["SimpleFIN".to_string()]);
        assert_eq!(plan.one_by_one, vec!["SimpleFIN".to_string()]);
    }

    #[test]
    fn other_account_ids_fail_as_upstream_parameter_check() {
        let conn = budget();
        let err = plan_of(&conn, json!({ "accountId": [true, null, "a"] })).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Invalid field type true,,a for sql \n    SELECT a.*"),
            "{err}"
        );
        assert_eq!(err.js_name(), Some("Error"));
        let err = plan_of(&conn, json!({ "accountId": ["a", { "$date": 0 }] })).unwrap_err();
        assert_eq!(err.code(), "unsupported-feature");
        let err = plan_of(&conn, json!({ "accountId": { "at": { "$date": 0 } } })).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Invalid field type [object Object] for sql"),
            "{err}"
        );
    }
}
