//! What the server's answers make of each account (`processBankSyncDownload`,
//! `handleSyncResponse`) and the errors upstream reports for them
//! (`handleSyncError`, `persistBankSyncError`).

use serde_json::{json, Value};

use super::provider::{
    coded_error, connection_error, transactions_and_balance, Download, Failure, Provider, Target,
    PLUGGY,
};
use super::requests::{oldest_transaction_date, today};
use super::{akahu, enable_banking, gocardless};
use crate::foundation::budget::Writer;
use crate::foundation::changes::Fields;
use crate::foundation::dates::day_string;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, Obj};
use crate::writes::accounts::insert_starting_balance;
use crate::writes::transactions::bank_normalize::account_flag;
use crate::writes::transactions::normalize::Normalization;
use crate::writes::transactions::reconcile::{self, ReconcileOptions};

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
            message: if category == "RATE_LIMIT_EXCEEDED" {
                format!(
                    "Failed syncing account {}. Rate limit exceeded. Please try again later.",
                    target.name
                )
            } else {
                format!("Failed syncing account \"{}.\"", target.name)
            },
            code,
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
        Some(res) => coded_error(res),
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
                crate::foundation::js::set(&mut d, "transactions", transactions);
                let starting = match data {
                    None => Some(json!(0)),
                    Some(d) => d.get("startingBalance").cloned(),
                };
                crate::foundation::js::set(&mut d, "startingBalance", starting);
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
            Some(d) => coded_error(d).or_else(|| {
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
    let provider = Provider::of(target).unwrap_or(Provider::SimpleFin);
    let pluggy = provider == Provider::Pluggy;
    let download = match reply {
        // `downloadSimpleFinTransactions` turns every failed request into TIMED_OUT;
        // the other providers' let the PostError through.
        Err(_) if provider == Provider::SimpleFin => Err(Failure::bank("TIMED_OUT", "TIMED_OUT")),
        Err(Some(reason)) if reason == "internal" => Err(Failure::Internal),
        Err(Some(reason)) => Err(Failure::Post(reason.clone())),
        Err(None) => {
            return Err(BudgetError::Unsupported(format!(
                "a failed {} request whose reason upstream reads from the answer's text",
                provider.name()
            )))
        }
        Ok(res) => match provider {
            Provider::GoCardless => gocardless::download(res, new_account),
            Provider::EnableBanking => enable_banking::download(res),
            Provider::Akahu => akahu::download(res),
            _ if !pluggy && is_empty_reply(res) => Err(Failure::bank("NO_DATA", "NO_DATA")),
            _ => match coded_error(res).or_else(|| pluggy.then(|| connection_error(res)).flatten())
            {
                Some(f) => Err(f),
                None => transactions_and_balance(res, true),
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

/// `processBankSyncDownload(download, id, acctRow, initialSync)`.
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
    let provider = Provider::of(target);
    if initial_sync {
        // The balance before the downloaded transactions: the current balance less
        // each amount, read as upstream reads it for the provider.
        let balance = match provider {
            Some(Provider::GoCardless) => gocardless::starting_balance(current_balance)?,
            Some(Provider::EnableBanking) => {
                enable_banking::starting_balance(w, id, current_balance, &transactions)?
            }
            Some(Provider::Akahu) => akahu::starting_balance(current_balance, &transactions)?,
            _ => simplefin_or_pluggy_starting_balance(target, current_balance, &transactions)?,
        };
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
                    "a bank balance that is not a number".into(),
                ))
            }
        };
        update_account(w, id, vec![("balance_current", balance)])?;
    }
    Ok(())
}

/// A first SimpleFIN or Pluggy.ai download's starting balance: the current balance
/// less each amount, read as upstream reads it for the provider.
fn simplefin_or_pluggy_starting_balance(
    target: &Target,
    current_balance: Option<&Value>,
    transactions: &[Value],
) -> Result<f64> {
    let mut balance = current_balance.map_or(f64::NAN, |v| js::to_number(Some(v)));
    for t in transactions {
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
    Ok(balance)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_reads_as_javascript() {
        assert_eq!(parse_int("-1234"), -1234.0);
        assert_eq!(parse_int(" 75abc"), 75.0);
        assert!(parse_int("abc").is_nan());
    }
}
