//! `runBankSync({ accountId })` (`server/api.ts` `api/bank-sync`,
//! `server/accounts/app.ts` `accounts-bank-sync` and `simplefin-batch-sync`,
//! `server/accounts/sync.ts` `syncAccount`, `simpleFinBatchSync` and
//! `processBankSyncDownload`): which accounts upstream downloads for, the requests to
//! the server's bank routes, and what their answers make of each account
//! (a starting balance on the first download, then the transactions reconciled as
//! `importTransactions` reconciles them, the balance, `last_sync` and
//! `bank_sync_status`), with upstream's errors per account: which accounts here,
//! the requests in [`requests`], what their answers make in [`answers`].
//!
//! Every provider upstream 26.9.0 downloads from is native (SimpleFIN, Pluggy.ai,
//! GoCardless, Enable Banking, Akahu: what differs between them in [`provider`] and a
//! file each for the last three); an account with custom field mappings, or a budget
//! with a rule the engine does not run is refused before anything is downloaded or
//! written.

mod akahu;
mod answers;
mod enable_banking;
mod gocardless;
mod provider;
mod requests;

pub use answers::{apply_batch, apply_single, AccountError};
pub use provider::{Download, Provider, Target, PLUGGY, SIMPLEFIN};
pub use requests::{batch_request, single_request};

use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::Value;

use crate::foundation::budget::Budget;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::sqlite::{col, truthy};
use crate::reads::accounts::DB_GET_ACCOUNTS;

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
        "SELECT a.*, b.bank_id as bankId FROM accounts a
         LEFT JOIN banks b ON a.bank = b.id
         WHERE a.tombstone = 0 AND a.closed = 0 AND a.account_sync_source = 'simpleFin'
         AND a.id IN ({})
         ORDER BY a.offbudget, a.sort_order",
        vec!["?"; ids].join(", ")
    )
}

/// The accounts one `runBankSync` call downloads for, in upstream's order: first
/// SimpleFIN's batch (a call without `accountId`), then one by one.
#[derive(Debug, Default, PartialEq)]
pub struct BankSyncJob {
    pub simplefin_batch: Vec<Target>,
    pub one_by_one: Vec<Target>,
}

impl BankSyncJob {
    pub fn is_empty(&self) -> bool {
        self.simplefin_batch.is_empty() && self.one_by_one.is_empty()
    }
}

/// What `api/bank-sync` will download for, given its argument object (`accountId`:
/// absent or null for every account, a string or a finite number for one; the caller
/// keeps other JavaScript values from crossing as JSON would change them). What is not
/// native is refused here, before any request or write.
pub fn job(b: &Budget, args: &Value) -> Result<BankSyncJob> {
    let job = match args.get("accountId").filter(|v| !v.is_null()) {
        Some(id) => BankSyncJob {
            simplefin_batch: Vec::new(),
            one_by_one: linked_accounts(b, &[bound_id(id)?])?,
        },
        None => batch_job(b)?,
    };
    if !job.is_empty() {
        // The downloads run the budget's rules: one the engine does not run refuses
        // the call now, not after the bank was asked.
        crate::rules::Rules::load(b)?;
    }
    for t in job.simplefin_batch.iter().chain(&job.one_by_one) {
        if Provider::of(t).is_none() {
            // Upstream throws `Unrecognized bank-sync provider` for it.
            return Err(BudgetError::Unsupported(format!(
                "runBankSync of an account linked to {} (\"{}\"), a provider upstream does not know",
                t.source.as_deref().unwrap_or("no known provider"),
                t.name
            )));
        }
        let mappings = b.conn.query_row(
            "SELECT count(*) FROM preferences WHERE id = ? AND value IS NOT NULL",
            [format!("custom-sync-mappings-{}", t.id)],
            |r| r.get::<_, i64>(0),
        )?;
        if mappings > 0 {
            return Err(BudgetError::Unsupported(format!(
                "runBankSync of an account with custom bank sync field mappings (\"{}\")",
                t.name
            )));
        }
    }
    Ok(job)
}

/// A call without `accountId`: SimpleFIN accounts in one batch, then the others, each
/// through `accounts-bank-sync`.
fn batch_job(b: &Budget) -> Result<BankSyncJob> {
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
        let targets = stmt
            .query_map(rusqlite::params_from_iter(&ids), target)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        targets
    };
    // With no other account, `accounts-bank-sync` gets no ids and so takes them all,
    // SimpleFIN's included.
    let ids: Vec<SqlValue> = others
        .into_iter()
        .map(|(id, _)| SqlValue::Text(id))
        .collect();
    Ok(BankSyncJob {
        simplefin_batch,
        one_by_one: linked_accounts(b, &ids)?,
    })
}

fn target(r: &rusqlite::Row) -> rusqlite::Result<Target> {
    let text = |v: ValueRef| match v {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        _ => None,
    };
    Ok(Target {
        id: r.get("id")?,
        name: text(col(r, "name")?).unwrap_or_default(),
        account_id: crate::foundation::js::sqlite::plain(col(r, "account_id")?),
        bank_id: crate::foundation::js::sqlite::plain(col(r, "bankId")?),
        offbudget: col(r, "offbudget")?.as_i64().ok() != Some(0),
        source: text(col(r, "account_sync_source")?),
    })
}

/// `accounts-bank-sync({ ids })`: the selected accounts it downloads for, those with a
/// bank (`banks.bank_id`) and an external account id.
fn linked_accounts(b: &Budget, ids: &[SqlValue]) -> Result<Vec<Target>> {
    let mut stmt = b.conn.prepare(&accounts_bank_sync_sql(ids.len()))?;
    let linked = stmt
        .query_map(rusqlite::params_from_iter(ids), |r| {
            let linked = truthy(col(r, "bankId")?) && truthy(col(r, "account_id")?);
            Ok(if linked { Some(target(r)?) } else { None })
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
        other => Err(BudgetError::plain(format!(
            "Invalid field type {} for sql {}",
            js::to_string(Some(other)),
            accounts_bank_sync_sql(1)
        ))),
    }
}

/// Whether `String(v)` holds a `Date`'s text (`{ "$date": ms }`, itself or in an
/// array): that text is in the process's local time zone, which is not worked out
/// here. An object's own values never reach its text (`[object Object]`).
fn contains_date(v: &Value) -> bool {
    match v {
        Value::Object(o) => crate::foundation::js::json::date_millis(o).is_some(),
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
             CREATE TABLE preferences (id TEXT PRIMARY KEY, value TEXT);
             CREATE TABLE rules (id TEXT PRIMARY KEY, stage TEXT, conditions TEXT, actions TEXT,
               tombstone INTEGER DEFAULT 0, conditions_op TEXT);
             INSERT INTO banks VALUES ('b1', 'org.example', 'Example', 0);
             INSERT INTO accounts (id, name, sort_order) VALUES ('plain', 'Plain', 1);
             INSERT INTO accounts (id, name, sort_order, account_id) VALUES ('no-bank', 'No bank', 2, 'ext-0');",
        )
        .unwrap();
        conn
    }

    fn job_of(conn: &rusqlite::Connection, args: Value) -> Result<BankSyncJob> {
        job(&Budget::new(conn), &args)
    }

    fn names(targets: &[Target]) -> Vec<&str> {
        targets.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn nothing_linked_downloads_nothing() {
        let conn = budget();
        for args in [
            json!({}),
            json!({ "accountId": "plain" }),
            json!({ "accountId": "nope" }),
            json!({ "accountId": 5 }),
        ] {
            assert!(job_of(&conn, args.clone()).unwrap().is_empty(), "{args}");
        }
    }

    #[test]
    fn linked_accounts_are_selected_as_upstream_selects_them() {
        let conn = budget();
        conn.execute_batch(
            "INSERT INTO accounts (id, name, sort_order, account_id, bank, account_sync_source)
               VALUES ('sf', 'SimpleFIN', 3, 'ext-3', 'b1', 'simpleFin'),
                      ('sf-closed', 'Closed', 4, 'ext-2', 'b1', 'simpleFin'),
                      ('sf-unlinked', 'Unlinked', 5, NULL, NULL, 'simpleFin');
             UPDATE accounts SET closed = 1 WHERE id = 'sf-closed';",
        )
        .unwrap();
        let all = job_of(&conn, json!({})).unwrap();
        // The batch takes every open SimpleFIN account, linked or not.
        assert_eq!(names(&all.simplefin_batch), ["SimpleFIN", "Unlinked"]);
        assert!(all.one_by_one.is_empty());
        assert_eq!(
            names(
                &job_of(&conn, json!({ "accountId": "sf" }))
                    .unwrap()
                    .one_by_one
            ),
            ["SimpleFIN"]
        );
        assert!(job_of(&conn, json!({ "accountId": "sf-closed" }))
            .unwrap()
            .is_empty());
        assert!(job_of(&conn, json!({ "accountId": "sf-unlinked" }))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn unknown_providers_and_custom_mappings_are_refused_before_anything() {
        let conn = budget();
        conn.execute_batch(
            "INSERT INTO accounts (id, name, sort_order, account_id, bank, account_sync_source)
               VALUES ('gc', 'GoCardless', 3, 'ext-1', 'b1', 'goCardless'),
                      ('eb', 'Enable', 4, 'ext-2', 'b1', 'enableBanking'),
                      ('ak', 'Akahu', 5, 'ext-4', 'b1', 'akahu'),
                      ('sf', 'SimpleFIN', 6, 'ext-3', 'b1', 'simpleFin');",
        )
        .unwrap();
        let every = job_of(&conn, json!({})).unwrap();
        assert_eq!(names(&every.one_by_one), ["GoCardless", "Enable", "Akahu"]);
        // GoCardless is asked with its bank's requisition.
        assert_eq!(every.one_by_one[0].bank_id, json!("org.example"));
        conn.execute_batch(
            "INSERT INTO accounts (id, name, sort_order, account_id, bank, account_sync_source)
               VALUES ('pl', 'Plaid', 7, 'ext-5', 'b1', 'plaid');",
        )
        .unwrap();
        let refused = job_of(&conn, json!({})).unwrap_err();
        assert_eq!(refused.code(), "unsupported-feature");
        assert!(
            refused.to_string().contains("plaid (\"Plaid\")"),
            "{refused}"
        );
        assert!(job_of(&conn, json!({ "accountId": "sf" })).is_ok());
        conn.execute_batch("INSERT INTO preferences VALUES ('custom-sync-mappings-sf', '[]')")
            .unwrap();
        let refused = job_of(&conn, json!({ "accountId": "sf" })).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("custom bank sync field mappings"),
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
        let job = job_of(&conn, json!({})).unwrap();
        assert_eq!(names(&job.simplefin_batch), ["SimpleFIN"]);
        assert_eq!(names(&job.one_by_one), ["SimpleFIN"]);
    }

    #[test]
    fn other_account_ids_fail_as_upstream_parameter_check() {
        let conn = budget();
        let err = job_of(&conn, json!({ "accountId": [true, null, "a"] })).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Invalid field type true,,a for sql \n    SELECT a.*"),
            "{err}"
        );
        assert_eq!(err.js_name(), Some("Error"));
        let err = job_of(&conn, json!({ "accountId": ["a", { "$date": 0 }] })).unwrap_err();
        assert_eq!(err.code(), "unsupported-feature");
        let err = job_of(&conn, json!({ "accountId": { "at": { "$date": 0 } } })).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Invalid field type [object Object] for sql"),
            "{err}"
        );
    }
}
