//! `runBankSync({ accountId })` (`server/api.ts` `api/bank-sync`,
//! `server/accounts/app.ts` `accounts-bank-sync` and `simplefin-batch-sync`,
//! `server/accounts/sync.ts` `syncAccount`, `simpleFinBatchSync` and
//! `processBankSyncDownload`): which accounts upstream downloads for, the requests to
//! the server's bank routes, and what their answers make of each account
//! (a starting balance on the first download, then the transactions reconciled as
//! `importTransactions` reconciles them, the balance, `last_sync` and
//! `bank_sync_status`), with upstream's errors per account.
//!
//! SimpleFIN and Pluggy.ai accounts are native; an account of another provider
//! (GoCardless, Akahu, Enable Banking: the server calls them at fixed addresses, so
//! nothing can be tested against them), with custom field mappings, or a budget with
//! a rule the engine does not run is refused before anything is downloaded or written.

use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::{json, Value};

use crate::accounts::DB_GET_ACCOUNTS;
use crate::changes::Fields;
use crate::crud_write::accounts::insert_starting_balance;
use crate::dates::day_string;
use crate::js::{self, Obj};
use crate::rows::{col, truthy};
use crate::transactions_write::bank_normalize::account_flag;
use crate::transactions_write::reconcile::{self, Normalization, ReconcileOptions};
use crate::{Budget, BudgetError, Result, Writer};

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

/// `account_sync_source` of the providers downloaded natively.
pub const SIMPLEFIN: &str = "simpleFin";
pub const PLUGGY: &str = "pluggyai";

/// What one request to the server's bank routes came back with: the envelope's
/// `data`, or how it failed (upstream's `PostError` reason; `None` when the reason
/// upstream would give is not known here).
pub type Download = std::result::Result<Value, Option<String>>;

/// An account a bank sync downloads for.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: String,
    pub name: String,
    /// The provider's id of the account (`account_id`), as stored.
    pub account_id: Value,
    pub offbudget: bool,
    /// `account_sync_source`.
    pub source: Option<String>,
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
        if !matches!(t.source.as_deref(), Some(SIMPLEFIN | PLUGGY)) {
            return Err(BudgetError::Unsupported(format!(
                "runBankSync of an account linked to {} (\"{}\"): only SimpleFIN and Pluggy.ai are native",
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
        account_id: crate::rows::plain(col(r, "account_id")?),
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

// ---- Requests ------------------------------------------------------------------

/// `monthUtils.currentDay()`.
fn today(b: &Budget) -> chrono::NaiveDate {
    b.now.date()
}

/// `getAccountOldestTransaction(id)`: the date of the account's earliest transaction
/// up to today, as upstream's query finds it.
fn oldest_transaction_date(b: &Budget, id: &str) -> Result<Option<String>> {
    let query = json!({
        "tableOptions": {},
        "filterExpressions": [{ "account": id, "date": { "$lte": day_string(today(b)) } }],
        "selectExpressions": ["date"],
        "groupExpressions": [],
        "orderExpressions": ["date"],
        "calculation": false,
        "rawMode": false,
        "withDead": false,
        "validateRefs": true,
        "limit": 1,
        "offset": null,
        "table": "transactions",
    });
    let rows = crate::aql_query::rows(b, &query)?;
    Ok(rows
        .first()
        .and_then(|r| r.get("date"))
        .and_then(Value::as_str)
        .map(str::to_string))
}

/// `getAccountSyncStartDate(id)`: 89 days ago, or the oldest transaction if later.
fn sync_start_date(b: &Budget, id: &str) -> Result<String> {
    let earliest = day_string(today(b) - chrono::Duration::days(89));
    Ok(match oldest_transaction_date(b, id)? {
        Some(oldest) if oldest > earliest => {
            crate::dates::parse_date_like(&Value::String(oldest.clone())).map_or(oldest, day_string)
        }
        _ => earliest,
    })
}

/// The body of `simplefin-batch-sync`'s `POST /simplefin/transactions`.
pub fn batch_request(b: &Budget, targets: &[Target]) -> Result<Value> {
    let mut ids = Vec::new();
    let mut dates = Vec::new();
    for t in targets {
        dates.push(Value::String(sync_start_date(b, &t.id)?));
        ids.push(if js::truthy(Some(&t.account_id)) {
            t.account_id.clone()
        } else {
            Value::Null
        });
    }
    Ok(json!({ "accountId": ids, "startDate": dates }))
}

/// The body of one account's `POST /<provider>/transactions` (`syncAccount`).
pub fn single_request(b: &Budget, target: &Target) -> Result<Value> {
    Ok(json!({
        "accountId": target.account_id,
        "startDate": sync_start_date(b, &target.id)?,
    }))
}

// ---- Answers -------------------------------------------------------------------

/// Why one account failed, as upstream's handlers see it.
#[derive(Clone)]
enum Failure {
    /// A `BankSyncError`: the provider's category and code.
    Bank { category: Value, code: Value },
    /// A `PostError` (a failed request upstream does not catch): its reason.
    Post(String),
    /// Any other error: upstream reports an internal error.
    Internal,
}

impl Failure {
    fn bank(category: &str, code: &str) -> Self {
        Failure::Bank {
            category: Value::from(category),
            code: Value::from(code),
        }
    }

    /// `getBankSyncStatusFromError`.
    fn status(&self) -> &'static str {
        let Failure::Bank { category, code } = self else {
            return "failed";
        };
        let (category, code) = (js::to_string(Some(category)), js::to_string(Some(code)));
        match (category.as_str(), code.as_str()) {
            ("ITEM_ERROR", "ITEM_LOGIN_REQUIRED")
            | ("INVALID_INPUT", "INVALID_ACCESS_TOKEN")
            | ("INVALID_ACCESS_TOKEN", _) => "reauth-required",
            ("ACCOUNT_NEEDS_ATTENTION", _) => "attention-required",
            ("RATE_LIMIT_EXCEEDED", _) => "rate-limit-exceeded",
            ("TIMED_OUT", _) => "timed-out",
            ("ACCOUNT_MISSING", _) => "account-missing",
            _ => "failed",
        }
    }
}

/// One account's error as `api/bank-sync` reports it (`handleSyncError`): the
/// message it throws with, and the code (none for an internal error).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountError {
    pub message: String,
    pub code: Option<String>,
}

/// `persistBankSyncError` and `handleSyncError`.
fn fail(w: &mut Writer, target: &Target, failure: Failure) -> Result<AccountError> {
    update_account(
        w,
        &target.id,
        vec![("bank_sync_status", cell(failure.status()))],
    )?;
    Ok(match failure {
        Failure::Bank { category, code } => AccountError {
            message: if js::to_string(Some(&category)) == "RATE_LIMIT_EXCEEDED" {
                format!(
                    "Failed syncing account {}. Rate limit exceeded. Please try again later.",
                    target.name
                )
            } else {
                format!("Failed syncing account \"{}.\"", target.name)
            },
            code: (!code.is_null()).then(|| js::to_string(Some(&code))),
        },
        Failure::Post(reason) => AccountError {
            message: if reason.is_empty() {
                format!(
                    "Account \"{}\" is not linked properly. Please link it again.",
                    target.name
                )
            } else {
                reason
            },
            code: None,
        },
        Failure::Internal => AccountError {
            message: "There was an internal error. Please get in touch https://actualbudget.org/contact for support.".into(),
            code: None,
        },
    })
}

fn cell(s: &str) -> actual_sync::Value {
    actual_sync::Value::String(s.to_string())
}

fn update_account(w: &mut Writer, id: &str, fields: Fields) -> Result<()> {
    w.changes.update("accounts", id, fields)
}

/// `handleSyncResponse`: the account's `last_sync` and status after a download.
fn succeeded(w: &mut Writer, target: &Target) -> Result<()> {
    let now = actual_sync::timestamp::now_millis().to_string();
    update_account(
        w,
        &target.id,
        vec![
            ("last_sync", actual_sync::Value::String(now)),
            ("bank_sync_status", cell("ok")),
        ],
    )
}

/// An error upstream's handlers catch (a JavaScript error thrown while processing
/// the download), as opposed to one that fails the whole call here.
fn caught(e: &BudgetError) -> bool {
    matches!(
        e,
        BudgetError::Api(_)
            | BudgetError::ApiWithMeta { .. }
            | BudgetError::InvalidArgument { .. }
            | BudgetError::Thrown { .. }
            | BudgetError::TypeError(_)
    )
}

/// `Object.keys(res).length === 0` for a reply's data.
fn is_empty_reply(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => true,
    }
}

/// The provider's error in a reply or a download (`error_type`, `error_code`).
fn provider_error(v: &Value) -> Option<Failure> {
    let code = v.get("error_code").filter(|c| js::truthy(Some(c)))?;
    Some(Failure::Bank {
        category: v.get("error_type").cloned().unwrap_or(Value::Null),
        code: code.clone(),
    })
}

/// `simplefin-batch-sync` with the server's answer (`None`: the request failed):
/// each account's download processed, its errors.
pub fn apply_batch(
    w: &mut Writer,
    targets: &[Target],
    reply: &Download,
) -> Result<Vec<AccountError>> {
    let reply = reply.as_ref().ok();
    // `downloadSimpleFinTransactions`: a failure for every account.
    let whole = match reply {
        None => Some(Failure::bank("TIMED_OUT", "TIMED_OUT")),
        Some(res) if is_empty_reply(res) => Some(Failure::bank("NO_DATA", "NO_DATA")),
        Some(res) => provider_error(res),
    };
    let mut errors = Vec::new();
    if let Some(failure) = whole {
        for t in targets {
            errors.push(fail(w, t, failure.clone())?);
        }
        return Ok(errors);
    }
    let res = reply.expect("a reply when nothing failed");
    for t in targets {
        let key = js::to_string(Some(&t.account_id));
        let data = res.get(&key).filter(|_| key != "errors");
        let error = res
            .get("errors")
            .and_then(|e| e.get(&key))
            .and_then(|list| list.get(0))
            .filter(|e| js::truthy(Some(e)));
        let download = match (data, error) {
            (None, None) => None,
            (data, error) => {
                let mut d = Obj::new();
                let transactions = data
                    .and_then(|d| d.get("transactions"))
                    .and_then(|t| t.get("all"))
                    .cloned();
                let transactions = if data.is_none() {
                    Some(json!([]))
                } else {
                    transactions
                };
                crate::transactions_write::split::set(&mut d, "transactions", transactions);
                let starting = match data {
                    None => Some(json!(0)),
                    Some(d) => d.get("startingBalance").cloned(),
                };
                crate::transactions_write::split::set(&mut d, "startingBalance", starting);
                if let Some(e) = error {
                    d.insert(
                        "error_type".into(),
                        e.get("error_type").cloned().unwrap_or(Value::Null),
                    );
                    d.insert(
                        "error_code".into(),
                        e.get("error_code").cloned().unwrap_or(Value::Null),
                    );
                }
                Some(Value::Object(d))
            }
        };
        let failure = match &download {
            None => Some(Failure::bank("ACCOUNT_MISSING", "ACCOUNT_MISSING")),
            Some(d) if is_empty_reply(d) => {
                Some(Failure::bank("ACCOUNT_MISSING", "ACCOUNT_MISSING"))
            }
            Some(d) => provider_error(d).or_else(|| {
                (!js::truthy(d.get("transactions")))
                    .then(|| Failure::bank("ACCOUNT_MISSING", "ACCOUNT_MISSING"))
            }),
        };
        if let Some(failure) = failure {
            errors.push(fail(w, t, failure)?);
            continue;
        }
        let download = download.expect("checked above");
        let new_account = oldest_transaction_date(&w.budget, &t.id)?.is_none();
        match process_download(w, t, &download, new_account) {
            Ok(()) => succeeded(w, t)?,
            // `.catch(err => ({ error_type: err?.category || 'INTERNAL_ERROR', ... }))`
            Err(e) if caught(&e) => errors.push(fail(
                w,
                t,
                Failure::bank("INTERNAL_ERROR", "INTERNAL_ERROR"),
            )?),
            Err(e) => return Err(e),
        }
    }
    Ok(errors)
}

/// `accounts-bank-sync` for one account with the server's answer to its request
/// (`None`: the request failed).
pub fn apply_single(
    w: &mut Writer,
    target: &Target,
    reply: &Download,
) -> Result<Vec<AccountError>> {
    let new_account = oldest_transaction_date(&w.budget, &target.id)?.is_none();
    let pluggy = target.source.as_deref() == Some(PLUGGY);
    let download = match reply {
        // `downloadSimpleFinTransactions` turns every failed request into TIMED_OUT;
        // Pluggy's lets the PostError through.
        Err(_) if !pluggy => Err(Failure::bank("TIMED_OUT", "TIMED_OUT")),
        Err(Some(reason)) if reason == "internal" => Err(Failure::Internal),
        Err(Some(reason)) => Err(Failure::Post(reason.clone())),
        Err(None) => {
            return Err(BudgetError::Unsupported(
                "a failed Pluggy.ai request whose reason upstream reads from the answer's text"
                    .into(),
            ))
        }
        Ok(res) if !pluggy && is_empty_reply(res) => Err(Failure::bank("NO_DATA", "NO_DATA")),
        Ok(res) => match provider_error(res).or_else(|| {
            // Pluggy's `'error' in res`: BankSyncError('Connection', res.error).
            (pluggy && res.get("error").is_some()).then(|| Failure::Bank {
                category: Value::from("Connection"),
                code: res.get("error").cloned().unwrap_or(Value::Null),
            })
        }) {
            Some(f) => Err(f),
            None => match res.get("transactions") {
                // `res.transactions.all` of undefined: a TypeError.
                None | Some(Value::Null) => Err(Failure::Internal),
                Some(t) => {
                    let mut d = Obj::new();
                    crate::transactions_write::split::set(
                        &mut d,
                        "transactions",
                        t.get("all").cloned(),
                    );
                    crate::transactions_write::split::set(
                        &mut d,
                        "startingBalance",
                        res.get("startingBalance").cloned(),
                    );
                    Ok(Value::Object(d))
                }
            },
        },
    };
    let outcome = match download {
        Err(failure) => Err(failure),
        Ok(download) => match process_download(w, target, &download, new_account) {
            Ok(()) => Ok(()),
            Err(e) if caught(&e) => Err(Failure::Internal),
            Err(e) => return Err(e),
        },
    };
    match outcome {
        Ok(()) => {
            succeeded(w, target)?;
            Ok(Vec::new())
        }
        Err(failure) => Ok(vec![fail(w, target, failure)?]),
    }
}

/// `processBankSyncDownload(download, id, acctRow, initialSync)` for SimpleFIN and
/// Pluggy.ai.
fn process_download(
    w: &mut Writer,
    target: &Target,
    download: &Value,
    initial_sync: bool,
) -> Result<()> {
    let id = target.id.as_str();
    let import = account_flag(w, "sync-import-transactions", id, true)?;
    let update_dates = account_flag(w, "sync-update-dates", id, false)?;
    let current_balance = download.get("startingBalance").filter(|v| !v.is_null());
    let transactions = match download.get("transactions") {
        Some(Value::Array(list)) => list.clone(),
        // `transactions.reduce` / `.map` of something else: a TypeError.
        _ => return Err(js::type_error("transactions.map is not a function")),
    };
    let options = ReconcileOptions {
        bank_sync: true,
        // Accounts with a sync source never check ids strictly.
        strict_id_checking: false,
        update_dates,
        ..ReconcileOptions::import(false, Value::Bool(true), None, Normalization::TitleCase)
    };
    if initial_sync {
        // The balance before the downloaded transactions: the current balance less
        // each amount, read as upstream reads it for the provider.
        let mut balance = current_balance.map_or(f64::NAN, |v| js::to_number(Some(v)));
        for t in &transactions {
            let amount = js::property(js::property(Some(t), "transactionAmount")?, "amount")?;
            if target.source.as_deref() == Some(PLUGGY) {
                balance -= js::to_number(amount) * 100.0;
                continue;
            }
            // SimpleFIN: `parseInt(amount.replace('.', ''))`.
            let Some(Value::String(amount)) = amount else {
                return Err(js::type_error("amount.replace is not a function"));
            };
            balance -= parse_int(&amount.replacen('.', "", 1));
        }
        if target.source.as_deref() == Some(PLUGGY) {
            balance = js::math_round(balance);
        }
        if !balance.is_finite() {
            return Err(BudgetError::Unsupported(
                "a bank download whose balances are not numbers".into(),
            ));
        }
        let date = match transactions.last() {
            Some(oldest) => js::to_string(oldest.get("date")),
            None => day_string(today(&w.budget)),
        };
        insert_starting_balance(w, id, balance as i64, target.offbudget, &date)?;
        reconcile::reconcile(w, id, &transactions, options)?;
        return Ok(());
    }
    // `{ ...trans, account: id }`.
    let transactions: Vec<Value> = if import {
        transactions
            .into_iter()
            .map(|t| {
                let mut t = t.as_object().cloned().unwrap_or_default();
                t.insert("account".into(), Value::String(id.to_string()));
                Value::Object(t)
            })
            .collect()
    } else {
        Vec::new()
    };
    reconcile::reconcile(w, id, &transactions, options)?;
    if let Some(balance) = current_balance {
        let balance = match balance {
            Value::Number(n) => actual_sync::Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => actual_sync::Value::String(s.clone()),
            _ => {
                return Err(BudgetError::Unsupported(
                    "a SimpleFIN balance that is not a number".into(),
                ))
            }
        };
        update_account(w, id, vec![("balance_current", balance)])?;
    }
    Ok(())
}

/// JavaScript's `parseInt(s)` (base 10): leading whitespace, a sign, digits.
fn parse_int(s: &str) -> f64 {
    let t = s.trim_start();
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return f64::NAN;
    }
    sign * digits.parse::<f64>().unwrap_or(f64::NAN)
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
    fn other_providers_and_custom_mappings_are_refused_before_anything() {
        let conn = budget();
        conn.execute_batch(
            "INSERT INTO accounts (id, name, sort_order, account_id, bank, account_sync_source)
               VALUES ('gc', 'GoCardless', 3, 'ext-1', 'b1', 'goCardless'),
                      ('sf', 'SimpleFIN', 4, 'ext-3', 'b1', 'simpleFin');",
        )
        .unwrap();
        let refused = job_of(&conn, json!({})).unwrap_err();
        assert_eq!(refused.code(), "unsupported-feature");
        assert!(
            refused.to_string().contains("goCardless (\"GoCardless\")"),
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

    #[test]
    fn parse_int_reads_as_javascript() {
        assert_eq!(parse_int("-1234"), -1234.0);
        assert_eq!(parse_int(" 75abc"), 75.0);
        assert!(parse_int("abc").is_nan());
    }
}
