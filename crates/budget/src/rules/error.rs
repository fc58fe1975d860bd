//! How building or running a rule fails.

use crate::foundation::error::BudgetError;

/// A failure while building or running rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// Upstream's `RuleError` with its `type` (`'no-null'`, `'internal'`, ...): a rule
    /// that fails so is reported by `createRule`/`updateRule` and skipped on load.
    Rule(&'static str),
    /// Another error upstream throws on the way (a `TypeError`, a `RangeError`), with
    /// the message JavaScript gives it.
    Thrown { name: &'static str, message: String },
    /// A rule feature this engine does not run exactly like upstream (named).
    Unsupported(String),
}

impl RuleError {
    pub fn type_error(message: impl Into<String>) -> Self {
        RuleError::Thrown {
            name: "TypeError",
            message: message.into(),
        }
    }
}

impl From<RuleError> for BudgetError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::Rule(kind) => {
                BudgetError::invalid("rule-error", format!("RuleError: invalid rule ({kind})"))
            }
            RuleError::Thrown { name, message } => BudgetError::invalid(
                match name {
                    "RangeError" => "range-error",
                    "TypeError" => "type-error",
                    _ => "error",
                },
                message,
            ),
            RuleError::Unsupported(what) => BudgetError::Unsupported(what),
        }
    }
}
