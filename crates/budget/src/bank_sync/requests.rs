//! The requests to the server's bank routes: each account's start date and the
//! bodies of `POST /<provider>/transactions`.

use serde_json::{json, Value};

use super::gocardless;
use super::provider::{Provider, Target};
use crate::foundation::budget::Budget;
use crate::foundation::dates::day_string;
use crate::foundation::error::Result;
use crate::foundation::js;

/// `monthUtils.currentDay()`.
pub(super) fn today(b: &Budget) -> chrono::NaiveDate {
    b.now.date()
}

/// `getAccountOldestTransaction(id)`: the date of the account's earliest transaction
/// up to today, as upstream's query finds it.
pub(super) fn oldest_transaction_date(b: &Budget, id: &str) -> Result<Option<String>> {
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
    let rows = crate::query::rows(b, &query)?;
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
            crate::foundation::dates::parse_date_like(&Value::String(oldest.clone()))
                .map_or(oldest, day_string)
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
    let start_date = sync_start_date(b, &target.id)?;
    if Provider::of(target) == Some(Provider::GoCardless) {
        let new_account = oldest_transaction_date(b, &target.id)?.is_none();
        return Ok(gocardless::request(target, start_date, new_account));
    }
    Ok(json!({
        "accountId": target.account_id,
        "startDate": start_date,
    }))
}
