//! Akahu (`downloadAkahuTransactions`): the server's reply as it is, its `error` a
//! connection error; a first download's starting balance is the current balance
//! less every downloaded amount, rounded.

use serde_json::Value;

use super::provider::{
    amount_to_integer, coded_error, connection_error, transactions_and_balance, Failure,
};
use crate::foundation::error::Result;
use crate::foundation::js;

/// What the reply makes of the download.
pub(super) fn download(res: &Value) -> std::result::Result<Value, Failure> {
    if let Some(failure) = coded_error(res).or_else(|| connection_error(res)) {
        return Err(failure);
    }
    transactions_and_balance(res, true)
}

/// The first download's starting balance.
pub(super) fn starting_balance(current: Option<&Value>, transactions: &[Value]) -> Result<f64> {
    let mut balance = current.map_or(f64::NAN, |v| js::to_number(Some(v)));
    for t in transactions {
        balance -= amount_to_integer(t)?;
    }
    Ok(js::math_round(balance))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_starting_balance_is_the_balance_less_each_amount_rounded() {
        let t = |amount: Value| json!({ "transactionAmount": { "amount": amount } });
        // Math.round(-25075 - (-2299) - (-1)) and amounts rounded to cents first.
        let balance = starting_balance(
            Some(&json!(-25075)),
            &[t(json!(-22.99)), t(json!("-0.005"))],
        );
        assert_eq!(balance.unwrap(), -22776.0);
        assert!(starting_balance(None, &[]).unwrap().is_nan());
        // `trans.transactionAmount.amount` of a transaction without one: a TypeError.
        assert!(starting_balance(Some(&json!(0)), &[json!({})]).is_err());
    }

    #[test]
    fn errors_are_the_providers_then_the_connections() {
        assert!(matches!(
            download(&json!({ "error": "Account not found" })),
            Err(Failure::Bank { category, code }) if category == "Connection" && code.as_deref() == Some("Account not found")
        ));
        assert!(matches!(
            download(&json!({ "error_code": "X", "error_type": "Y", "error": "Z" })),
            Err(Failure::Bank { category, .. }) if category == "Y"
        ));
        assert!(matches!(download(&json!({})), Err(Failure::Internal)));
        let d = download(&json!({ "transactions": { "all": [] }, "startingBalance": 5 }))
            .ok()
            .unwrap();
        assert_eq!(d, json!({ "transactions": [], "startingBalance": 5 }));
    }
}
