//! The parts of upstream's AQL compiler (`server/aql/compiler.ts`) that a method's
//! filter on plain JavaScript values goes through: JavaScript truthiness (the
//! handlers build filters with `x && { field: x }`), how a value is typed
//! (`compileLiteral`), and the message of a `CompileError` with its "Expression stack"
//! (`getCompileError`, `prettyValue`), which prints values with `JSON.stringify`.

use serde_json::{Map, Value};

use crate::BudgetError;
use actual_sync::value::js_number_to_string;

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

/// `Some(ms)` when the object is a `Date` as the client sends it.
fn date_millis(o: &Map<String, Value>) -> Option<Option<f64>> {
    match (o.len(), o.get("$date")) {
        (1, Some(Value::Null)) => Some(None),
        (1, Some(Value::Number(n))) => Some(n.as_f64()),
        _ => None,
    }
}

/// JavaScript truthiness of an argument; an absent one is `undefined`.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// `compileLiteral` lets a script escape `$` in a string value as `\$`.
pub fn unescape_string(s: &str) -> String {
    s.replace("\\$", "$")
}

/// `Date.prototype.toJSON`: the ISO string in UTC, or null for an Invalid Date. Dates
/// reach ±275,760 years, beyond chrono's range, so the calendar is computed here.
pub fn date_to_json(ms: Option<f64>) -> Value {
    let Some(ms) = ms.filter(|ms| ms.is_finite() && ms.abs() <= 8.64e15) else {
        return Value::Null;
    };
    let ms = ms.trunc() as i64;
    let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let year = if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else {
        format!("{}{:06}", if year < 0 { '-' } else { '+' }, year.abs())
    };
    Value::String(format!(
        "{year}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    ))
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `JSON.stringify(value)`, or `JSON.stringify(value, null, 2)` when `pretty`; `Date`s
/// print as their `toJSON`.
pub fn stringify(value: &Value, pretty: bool) -> String {
    let mut out = String::new();
    write_json(value, pretty.then_some(0), &mut out);
    out
}

fn write_json(value: &Value, indent: Option<usize>, out: &mut String) {
    let newline = |out: &mut String, level: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(level));
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&js_number_to_string(n.as_f64().unwrap_or(f64::NAN))),
        Value::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        Value::Object(o) if date_millis(o).is_some() => {
            write_json(&date_to_json(date_millis(o).flatten()), indent, out)
        }
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(o) if o.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                write_json(item, indent.map(|l| l + 1), out);
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (key, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(level) = indent {
                    newline(out, level + 1);
                }
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(item, indent.map(|l| l + 1), out);
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push('}');
        }
    }
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
    let mut text = format!("{message}\n\nExpression stack:");
    for entry in inner {
        text.push_str("\n  ");
        text.push_str(entry);
    }
    text.push_str(&format!("\n  filter({})", pretty_value(Some(filter))));
    BudgetError::thrown(COMPILE_ERROR_NAME, "invalid-query", text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truthiness_follows_javascript() {
        assert!(!truthy(None));
        assert!(!truthy(Some(&json!(null))));
        assert!(!truthy(Some(&json!(""))));
        assert!(!truthy(Some(&json!(0))));
        assert!(!truthy(Some(&json!(false))));
        assert!(truthy(Some(&json!([]))));
        assert!(truthy(Some(&json!({}))));
        assert!(truthy(Some(&json!({ "$date": null }))));
        assert!(truthy(Some(&json!("0"))));
    }

    #[test]
    fn dates_print_as_iso_strings_in_utc() {
        assert_eq!(date_to_json(Some(0.0)), json!("1970-01-01T00:00:00.000Z"));
        assert_eq!(date_to_json(Some(-1.0)), json!("1969-12-31T23:59:59.999Z"));
        assert_eq!(
            date_to_json(Some(8.64e15)),
            json!("+275760-09-13T00:00:00.000Z")
        );
        assert_eq!(
            date_to_json(Some(-62_198_755_200_000.0)),
            json!("-000001-01-01T00:00:00.000Z")
        );
        assert_eq!(date_to_json(None), json!(null));
    }

    #[test]
    fn stringify_matches_json_stringify_layouts() {
        let v = json!({ "$and": [{ "a": 1.5 }, { "b": [] }, { "c": {} }], "d": 1e21 });
        assert_eq!(
            stringify(&v, false),
            r#"{"$and":[{"a":1.5},{"b":[]},{"c":{}}],"d":1e+21}"#
        );
        assert_eq!(
            stringify(&json!({ "a": [1, { "b": "x\n" }] }), true),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x\\n\"\n    }\n  ]\n}"
        );
        assert_eq!(
            stringify(&json!({ "d": { "$date": 0 } }), false),
            r#"{"d":"1970-01-01T00:00:00.000Z"}"#
        );
    }

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
