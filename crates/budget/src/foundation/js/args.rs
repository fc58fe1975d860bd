//! Reading the argument object a method receives (upstream's handler arguments).

use serde_json::Value;

use crate::foundation::error::{BudgetError, Result};

/// The argument `name`; absent (JavaScript `undefined`) and `null` are both `None`.
pub fn get<'a>(args: &'a Value, name: &str) -> Option<&'a Value> {
    args.get(name).filter(|v| !v.is_null())
}

/// Whether the argument was given at all (`null` counts as given, as in JavaScript).
pub fn given(args: &Value, name: &str) -> bool {
    args.get(name).is_some()
}

/// A string argument, or `None` when absent or null.
pub fn opt_str<'a>(args: &'a Value, name: &str) -> Result<Option<&'a str>> {
    match get(args, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(BudgetError::invalid(
            "invalid-argument",
            format!("{name} must be a string, not {other}"),
        )),
    }
}

/// A string argument that must be there.
pub fn req_str<'a>(args: &'a Value, name: &str) -> Result<&'a str> {
    opt_str(args, name)?
        .ok_or_else(|| BudgetError::invalid("invalid-argument", format!("{name} is required")))
}
