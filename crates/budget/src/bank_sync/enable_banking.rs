//! Enable Banking (`downloadEnableBankingTransactions`): the server's reply as it is;
//! a first download's starting balance is the current balance less the amounts of
//! the transactions it imports (pending ones only when the account imports them).

use serde_json::Value;

use super::provider::{amount_to_integer, coded_error, transactions_and_balance, Failure};
use crate::foundation::budget::Writer;
use crate::foundation::error::Result;
use crate::foundation::js;
use crate::writes::transactions::bank_normalize::account_flag;

/// What the reply makes of the download.
pub(super) fn download(res: &Value) -> std::result::Result<Value, Failure> {
    if let Some(failure) = coded_error(res) {
        return Err(failure);
    }
    transactions_and_balance(res, true)
}

/// The first download's starting balance.
pub(super) fn starting_balance(
    w: &Writer,
    acct_id: &str,
    current: Option<&Value>,
    transactions: &[Value],
) -> Result<f64> {
    let import_pending = account_flag(w, "sync-import-pending", acct_id, true)?;
    let mut balance = current.map_or(f64::NAN, |v| js::to_number(Some(v)));
    for t in transactions {
        if import_pending || js::truthy(js::property(Some(t), "booked")?) {
            balance -= amount_to_integer(t)?;
        }
    }
    Ok(balance)
}
