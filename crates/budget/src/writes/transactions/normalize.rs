//! Transactions as `importTransactions` and bank sync hand them to reconciling, made
//! into rows (`normalizeTransactions` in `server/accounts/sync.ts`; bank sync's own in
//! `bank_normalize`), with their payees resolved by name ([`Payees`]).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::Value;

use crate::foundation::budget::Writer;
use crate::foundation::changes::uuid_v4;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::{self, set, Obj};

use super::batch_state::Pending;
use super::title;

/// The code of upstream's `TransactionError`, which `importTransactions` answers
/// with `{ errors: [{ message }] }` instead of throwing.
pub const TRANSACTION_ERROR: &str = "transaction-error";

pub(super) fn transaction_error(message: String) -> BudgetError {
    BudgetError::thrown("Error", TRANSACTION_ERROR, message)
}

pub(super) fn type_error(message: impl Into<String>) -> BudgetError {
    BudgetError::thrown("TypeError", "invalid-argument", message)
}

/// `payeeNameNormalization`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Normalization {
    Original,
    TitleCase,
}

/// Payees by name: the budget's live ones (`getPayeeByName`, `UNICODE_LOWER(name)`,
/// the first row of the table) and the ones this call will create.
pub(super) struct Payees {
    known: HashMap<String, String>,
    /// `payeesToCreate`: lower-cased name -> (id, name), in creation order.
    to_create: IndexMap<String, (String, String)>,
}

impl Payees {
    pub(super) fn load(w: &Writer) -> Result<Payees> {
        let mut known = HashMap::new();
        let mut stmt = w
            .budget
            .conn
            .prepare("SELECT id, name FROM payees WHERE tombstone = 0 ORDER BY rowid")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if let (Some(id), Some(name)) = (
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
            ) {
                known.entry(name.to_lowercase()).or_insert(id);
            }
        }
        Ok(Payees {
            known,
            to_create: IndexMap::new(),
        })
    }

    /// `resolvePayee`.
    pub(super) fn resolve(&mut self, trans: &Obj, payee_name: Option<&str>) -> Option<Value> {
        match (trans.get("payee"), payee_name) {
            (None | Some(Value::Null), Some(name)) if !name.is_empty() => {
                let key = name.to_lowercase();
                if let Some((id, _)) = self.to_create.get(&key) {
                    return Some(Value::from(id.as_str()));
                }
                if let Some(id) = self.known.get(&key) {
                    return Some(Value::from(id.as_str()));
                }
                let id = uuid_v4();
                self.to_create.insert(key, (id.clone(), name.to_string()));
                Some(Value::from(id))
            }
            (payee, _) => payee.cloned(),
        }
    }

    /// `createNewPayees`: the new payees some transaction ended up using.
    pub(super) fn create_used(&self, pending: &mut Pending, used: &[&Obj]) {
        let used: HashSet<String> = used
            .iter()
            .filter_map(|t| t.get("payee").and_then(Value::as_str).map(str::to_string))
            .collect();
        for (id, name) in self.to_create.values() {
            if used.contains(id) {
                pending.insert_payee(id, name);
            }
        }
    }
}

/// One normalized transaction.
pub(super) struct Normalized {
    pub(super) trans: Obj,
    pub(super) subtransactions: Option<Vec<Value>>,
}

/// `normalizeTransactions(transactions, acctId, { payeeNameNormalization })`.
pub(super) fn normalize(
    transactions: &[Value],
    acct_id: Option<&Value>,
    normalization: Normalization,
    payees: &mut Payees,
) -> Result<Vec<Normalized>> {
    let mut out = Vec::with_capacity(transactions.len());
    for input in transactions {
        let input = match input {
            Value::Object(o) => o,
            Value::Null => {
                return Err(type_error(
                    "Cannot read properties of null (reading 'date')",
                ))
            }
            _ => {
                return Err(BudgetError::plain(
                    "`date` is required when adding a transaction",
                ))
            }
        };
        if input.get("date").is_none_or(Value::is_null) {
            return Err(BudgetError::plain(
                "`date` is required when adding a transaction",
            ));
        }
        let mut trans = input.clone();
        let payee_name = trans.shift_remove("payee_name");
        let subtransactions = trans.shift_remove("subtransactions");

        if let Some(amount) = trans.get("amount").filter(|a| !a.is_null()) {
            if !js::is_integer(amount) {
                return Err(transaction_error(format!(
                    "Amount is invalid, must be an integer: {}",
                    js::to_string(Some(amount))
                )));
            }
        }
        let subtransactions = match subtransactions {
            Some(Value::Array(subs)) => {
                for sub in &subs {
                    let amount = match sub {
                        Value::Object(o) => o.get("amount"),
                        _ => {
                            return Err(BudgetError::Unsupported(
                                "a subtransaction that is not an object".into(),
                            ))
                        }
                    };
                    if let Some(amount) = amount.filter(|a| !a.is_null()) {
                        if !js::is_integer(amount) {
                            return Err(transaction_error(format!(
                                "Subtransaction amount is invalid, must be an integer: {}",
                                js::to_string(Some(amount))
                            )));
                        }
                    }
                }
                Some(subs)
            }
            Some(other) if js::truthy(Some(&other)) => {
                return Err(BudgetError::Unsupported(
                    "subtransactions that are not an array".into(),
                ))
            }
            _ => None,
        };

        let payee_name: Option<Value> = match payee_name {
            Some(Value::String(s)) if !s.is_empty() => {
                let trimmed = js::trim(&s);
                Some(if trimmed.is_empty() {
                    Value::Null
                } else {
                    Value::String(match normalization {
                        Normalization::Original => trimmed.to_string(),
                        Normalization::TitleCase => title::title(trimmed),
                    })
                })
            }
            Some(other) if js::truthy(Some(&other)) => {
                return Err(type_error("payee_name.trim is not a function"))
            }
            other => other,
        };

        let imported_payee = js::or(trans.get("imported_payee"), payee_name.as_ref()).cloned();
        let imported_payee = match imported_payee {
            Some(Value::String(s)) if !s.is_empty() => {
                Some(Value::String(js::trim(&s).to_string()))
            }
            Some(other) if js::truthy(Some(&other)) => {
                return Err(type_error("trans.imported_payee.trim is not a function"))
            }
            other => other,
        };
        set(&mut trans, "imported_payee", imported_payee);
        set(&mut trans, "account", acct_id.cloned());
        let payee = payees.resolve(&trans, payee_name.as_ref().and_then(Value::as_str));
        set(&mut trans, "payee", payee);
        let category = js::nullish(trans.get("category"), None)
            .cloned()
            .unwrap_or(Value::Null);
        trans.insert("category".into(), category);

        let subtransactions = subtransactions.map(|subs| {
            subs.into_iter()
                .map(|sub| {
                    let mut sub = sub.as_object().cloned().unwrap_or_default();
                    set(&mut sub, "account", acct_id.cloned());
                    Value::Object(sub)
                })
                .collect()
        });
        out.push(Normalized {
            trans,
            subtransactions,
        });
    }
    Ok(out)
}
