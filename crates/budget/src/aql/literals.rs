//! The parts of upstream's AQL compiler (`server/aql/compiler.ts`) that a method's
//! filter on plain JavaScript values goes through: JavaScript truthiness (the
//! handlers build filters with `x && { field: x }`), how a value is typed
//! (`compileLiteral`), and the message of a `CompileError` with its "Expression stack"
//! (`getCompileError`, `prettyValue`), which prints values with `JSON.stringify`.

use serde_json::{Map, Value};

use crate::foundation::error::BudgetError;
use crate::foundation::js::json::{date_millis, stringify};

/// The name upstream's `CompileError` shows (it does not set one of its own).
const COMPILE_ERROR_NAME: &str = "Error";

/// What a JavaScript value is to the compiler, with `Date`s told apart (they cross
/// as `{ "$date": ms }`, `ms` null for an Invalid Date).
pub enum Js<'a> {
    Null,
    Bool(bool),
    /// A number; `integer` is `Number.isInteger`.
    Number {
        integer: bool,
    },
    String(&'a str),
    /// A `Date`: its time in milliseconds, `None` for an Invalid Date.
    Date(Option<f64>),
    Array(&'a [Value]),
    Object(&'a Map<String, Value>),
}

impl<'a> Js<'a> {
    pub fn of(v: &'a Value) -> Js<'a> {
        match v {
            Value::Null => Js::Null,
            Value::Bool(b) => Js::Bool(*b),
            Value::Number(n) => Js::Number {
                integer: n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
            },
            Value::String(s) => Js::String(s),
            Value::Array(a) => Js::Array(a),
            Value::Object(o) => match date_millis(o) {
                Some(ms) => Js::Date(ms),
                None => Js::Object(o),
            },
        }
    }

    /// The type `compileLiteral` gives the value, as its error messages name it.
    pub fn literal_type(&self) -> &'static str {
        match self {
            Js::Null => "null",
            Js::Bool(_) => "boolean",
            Js::Number { integer: true } => "integer",
            Js::Number { integer: false } => "float",
            Js::String(_) => "string",
            Js::Date(_) => "date",
            Js::Array(_) => "array",
            Js::Object(_) => "object",
        }
    }
}

/// `compileLiteral` lets a script escape `$` in a string value as `\$`.
pub fn unescape_string(s: &str) -> String {
    s.replace("\\$", "$")
}

/// `prettyValue`: a string as itself, `undefined` (`None`) by name, anything else as
/// JSON, spread over indented lines when longer than 70 UTF-16 units.
pub fn pretty_value(value: Option<&Value>) -> String {
    match value {
        None => "undefined".into(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => {
            let compact = stringify(v, false);
            if compact.encode_utf16().count() > 70 {
                stringify(v, true).replace('\n', "\n  ")
            } else {
                compact
            }
        }
    }
}

/// A `CompileError` thrown while compiling a `filter(...)`: `message`, then the
/// expression stack from the innermost entry out (already printed with
/// [`pretty_value`]), then the filter the query was given.
pub fn compile_error(message: &str, inner: &[String], filter: &Value) -> BudgetError {
    compile_error_in(message, inner, "filter", std::slice::from_ref(filter))
}

/// `getCompileError`: `message`, the expression stack from the innermost entry out,
/// then the method the compiler was in (`filter`, `select`, `groupBy`, `orderBy`)
/// with its argument list (a list of one printed as that one value).
pub fn compile_error_in(
    message: &str,
    inner: &[String],
    method: &str,
    method_args: &[Value],
) -> BudgetError {
    let mut text = format!("{message}\n\nExpression stack:");
    for entry in inner {
        text.push_str("\n  ");
        text.push_str(entry);
    }
    let shown = match method_args {
        [one] => pretty_value(Some(one)),
        many => pretty_value(Some(&Value::Array(many.to_vec()))),
    };
    text.push_str(&format!("\n  {method}({shown})"));
    BudgetError::thrown(COMPILE_ERROR_NAME, "invalid-query", text)
}

/// `parseDate`: only `^\d{4}-\d{2}-\d{2}$` is a day, read as the integer of its digits
/// (no range check: `2026-02-30` and `1994-12-31` are days here).
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    shape
        .then(|| crate::foundation::dates::to_date_repr(s))
        .flatten()
}

/// `nativeDateToInt`: the local year, month and day as digits, month and day padded,
/// concatenated as JavaScript strings (year -5 gives `-50101`).
pub fn native_date_to_int(day: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    let digits = i64::from(day.year().unsigned_abs()) * 10_000
        + i64::from(day.month()) * 100
        + i64::from(day.day());
    if day.year() < 0 {
        -digits
    } else {
        digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_value_spreads_long_values_over_lines() {
        let short = json!({ "a": "x" });
        assert_eq!(pretty_value(Some(&short)), r#"{"a":"x"}"#);
        let long = json!({ "a": "x".repeat(70) });
        assert_eq!(
            pretty_value(Some(&long)),
            format!("{{\n    \"a\": \"{}\"\n  }}", "x".repeat(70))
        );
        assert_eq!(pretty_value(None), "undefined");
        assert_eq!(pretty_value(Some(&json!("raw"))), "raw");
    }

    #[test]
    fn literal_types_are_the_compilers() {
        assert_eq!(Js::of(&json!(5)).literal_type(), "integer");
        assert_eq!(Js::of(&json!(5.0)).literal_type(), "integer");
        assert_eq!(Js::of(&json!(5.5)).literal_type(), "float");
        assert_eq!(Js::of(&json!({ "$date": 1 })).literal_type(), "date");
        assert_eq!(
            Js::of(&json!({ "$date": 1, "x": 2 })).literal_type(),
            "object"
        );
    }
}
