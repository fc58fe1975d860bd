//! GoCardless (`downloadGoCardlessTransactions`): the request names the bank's
//! requisition and asks for the balance on an account's first download only; the
//! server has already normalised the bank's transactions and worked out the starting
//! balance, which the first download takes as it is.

use serde_json::{json, Value};

use super::provider::{coded_error, transactions_and_balance, Failure, Target};
use crate::foundation::error::{BudgetError, Result};

/// The body of `POST /gocardless/transactions` (`userId` and `key` are never set by
/// `@actual-app/api`, so JSON leaves them out).
pub(super) fn request(target: &Target, start_date: String, new_account: bool) -> Value {
    json!({
        "requisitionId": target.bank_id,
        "accountId": target.account_id,
        "startDate": start_date,
        "includeBalance": new_account,
    })
}

/// What the reply makes of the download (`includeBalance`: the first download).
pub(super) fn download(res: &Value, include_balance: bool) -> std::result::Result<Value, Failure> {
    if let Some(failure) = coded_error(res) {
        return Err(failure);
    }
    transactions_and_balance(res, include_balance)
}

/// The first download's starting balance: the server's, as it is.
pub(super) fn starting_balance(current: Option<&Value>) -> Result<f64> {
    match current {
        Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
            Ok(n.as_f64().unwrap_or(f64::NAN))
        }
        _ => Err(BudgetError::Unsupported(
            "a GoCardless starting balance that is not a whole number".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_balance_is_asked_for_on_the_first_download_only() {
        let reply = json!({ "transactions": { "all": [] }, "startingBalance": 450000 });
        assert_eq!(
            download(&reply, true).ok().unwrap(),
            json!({ "transactions": [], "startingBalance": 450000 })
        );
        assert_eq!(
            download(&reply, false).ok().unwrap(),
            json!({ "transactions": [] })
        );
        assert_eq!(starting_balance(Some(&json!(450000))).unwrap(), 450000.0);
        assert!(starting_balance(Some(&json!(1.5))).is_err());
        assert!(starting_balance(None).is_err());
    }
}
