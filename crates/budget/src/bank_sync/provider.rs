//! The providers: which one an account is linked to (`account_sync_source`), the
//! linked account ([`Target`]), what a download answers and how one fails, and what
//! the client does alike for several providers: reading a reply's transactions and
//! balance, its errors, and `amountToInteger` of the amounts a first download
//! subtracts.

use serde_json::Value;

use crate::foundation::js::{self, Obj};

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
    /// Its bank's `bank_id` (GoCardless: the requisition), as stored.
    pub bank_id: Value,
    pub offbudget: bool,
    /// `account_sync_source`.
    pub source: Option<String>,
}

pub const GOCARDLESS: &str = "goCardless";
pub const ENABLE_BANKING: &str = "enableBanking";
pub const AKAHU: &str = "akahu";

/// Why one account failed, as upstream's handlers see it.
#[derive(Clone)]
pub(super) enum Failure {
    /// A `BankSyncError`: the provider's category and code, as text (`None`: a null
    /// code).
    Bank {
        category: String,
        code: Option<String>,
    },
    /// A `PostError` (a failed request upstream does not catch): its reason.
    Post(String),
    /// Any other error: upstream reports an internal error.
    Internal,
}

impl Failure {
    pub(super) fn bank(category: &str, code: &str) -> Self {
        Failure::Bank {
            category: category.to_string(),
            code: Some(code.to_string()),
        }
    }

    /// `getBankSyncStatusFromError`.
    pub(super) fn status(&self) -> &'static str {
        let Failure::Bank { category, code } = self else {
            return "failed";
        };
        match (category.as_str(), code.as_deref().unwrap_or("null")) {
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

/// The providers `syncAccount` downloads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    SimpleFin,
    Pluggy,
    GoCardless,
    EnableBanking,
    Akahu,
}

impl Provider {
    /// The provider of an account, by its `account_sync_source` (`None`: one upstream
    /// does not know either).
    pub fn of(target: &Target) -> Option<Provider> {
        Some(match target.source.as_deref()? {
            SIMPLEFIN => Provider::SimpleFin,
            PLUGGY => Provider::Pluggy,
            GOCARDLESS => Provider::GoCardless,
            ENABLE_BANKING => Provider::EnableBanking,
            AKAHU => Provider::Akahu,
            _ => return None,
        })
    }

    /// Its name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Provider::SimpleFin => "SimpleFIN",
            Provider::Pluggy => "Pluggy.ai",
            Provider::GoCardless => "GoCardless",
            Provider::EnableBanking => "Enable Banking",
            Provider::Akahu => "Akahu",
        }
    }
}

/// `{ transactions: res.transactions.all, startingBalance: res.startingBalance }`
/// (the balance left out when `with_balance` is false): what a provider's download
/// hands to `processBankSyncDownload`. No `transactions` is the TypeError upstream
/// throws reading `all` of it, an internal error.
pub(super) fn transactions_and_balance(
    res: &Value,
    with_balance: bool,
) -> std::result::Result<Value, Failure> {
    let transactions = match res.get("transactions") {
        None | Some(Value::Null) => return Err(Failure::Internal),
        Some(t) => t,
    };
    let mut d = Obj::new();
    crate::foundation::js::set(&mut d, "transactions", transactions.get("all").cloned());
    if with_balance {
        crate::foundation::js::set(
            &mut d,
            "startingBalance",
            res.get("startingBalance").cloned(),
        );
    }
    Ok(Value::Object(d))
}

/// The provider's error in a reply or a download (`error_code`, `error_type`): a
/// `BankSyncError`.
pub(super) fn coded_error(res: &Value) -> Option<Failure> {
    let code = res.get("error_code").filter(|c| js::truthy(Some(c)))?;
    Some(Failure::Bank {
        category: js::to_string(res.get("error_type")),
        code: Some(js::to_string(Some(code))),
    })
}

/// `'error' in res`: `BankSyncError('Connection', res.error)` (Pluggy.ai, Akahu).
pub(super) fn connection_error(res: &Value) -> Option<Failure> {
    res.get("error").map(|e| Failure::Bank {
        category: "Connection".into(),
        code: (!e.is_null()).then(|| js::to_string(Some(e))),
    })
}

/// `amountToInteger(trans.transactionAmount.amount)`: `Math.round(amount * 100)`.
pub(super) fn amount_to_integer(trans: &Value) -> crate::foundation::error::Result<f64> {
    let amount = js::property(js::property(Some(trans), "transactionAmount")?, "amount")?;
    Ok(js::math_round(js::to_number(amount) * 100.0))
}
