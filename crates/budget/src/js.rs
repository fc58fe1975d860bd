//! JavaScript value semantics the writes need, on JSON values as the client sends
//! them (`undefined` is an absent key, a `Date` is `{ "$date": ms }`): truthiness,
//! `||`, strict equality, `String(x)` and `JSON.stringify`.

use actual_sync::value::js_number_to_string;
use serde_json::{Map, Value};

/// A plain JavaScript object, keys in insertion order.
pub type Obj = Map<String, Value>;

/// `Some(ms)` when the value is a `Date` as the client sends it (`ms` null for an
/// Invalid Date).
pub fn date_millis(v: &Value) -> Option<Option<f64>> {
    match v {
        Value::Object(o) if o.len() == 1 => match o.get("$date") {
            Some(Value::Null) => Some(None),
            Some(Value::Number(n)) => Some(n.as_f64()),
            _ => None,
        },
        _ => None,
    }
}

/// JavaScript's `\s` (its WhiteSpace and LineTerminator characters).
pub use actual_sync::value::is_js_whitespace as is_space;

/// `String.prototype.trim`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `Boolean(v)`; `None` is `undefined`.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Object(_) | Value::Array(_)) => true,
    }
}

/// `a || b`: `a` when truthy, else `b`.
pub fn or<'a>(a: Option<&'a Value>, b: Option<&'a Value>) -> Option<&'a Value> {
    if truthy(a) {
        a
    } else {
        b
    }
}

/// `a ?? b`.
pub fn nullish<'a>(a: Option<&'a Value>, b: Option<&'a Value>) -> Option<&'a Value> {
    match a {
        None | Some(Value::Null) => b,
        some => some,
    }
}

/// `a === b` for values read from the database or sent by the client. Objects and
/// arrays are distinct objects in every place these writes compare them, so they are
/// never equal.
pub fn strict_eq(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Value::Null), Some(Value::Null)) => true,
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x == y,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(Value::String(x)), Some(Value::String(y))) => x == y,
        _ => false,
    }
}

/// `Number.isInteger(v)`.
pub fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// A number as a JSON value the way JavaScript holds it (integral values as
/// integers, so that comparisons of two answers are exact).
pub fn number(f: f64) -> Value {
    crate::rows::number(f)
}

/// `String(v)` (template literals, `+` with a string).
pub fn to_string(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => js_number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Null => String::new(),
                other => to_string(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(v @ Value::Object(_)) => match date_millis(v) {
            Some(_) => "[a Date]".into(),
            None => "[object Object]".into(),
        },
    }
}

/// `JSON.stringify(v)`, or with `pretty` `JSON.stringify(v, null, 2)`.
pub fn stringify(v: &Value, pretty: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, v, pretty, 0);
    out
}

fn write_json(out: &mut String, v: &Value, pretty: bool, depth: usize) {
    let newline = |out: &mut String, depth: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(depth));
        }
    };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.is_finite() {
                out.push_str(&js_number_to_string(f));
            } else {
                out.push_str("null");
            }
        }
        Value::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_json(out, item, pretty, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(o) => {
            if let Some(ms) = date_millis(v) {
                // A Date stringifies through toJSON (an ISO string, or null).
                match ms.and_then(|ms| chrono::DateTime::from_timestamp_millis(ms as i64)) {
                    Some(t) => out.push_str(&format!("\"{}\"", t.format("%Y-%m-%dT%H:%M:%S%.3fZ"))),
                    None => out.push_str("null"),
                }
                return;
            }
            if o.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(out, item, pretty, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

/// `Number(v)` (ToNumber) of a value as the client sends it.
pub fn to_number(v: Option<&Value>) -> f64 {
    match v {
        None => f64::NAN,
        Some(Value::Null) => 0.0,
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(s)) => string_to_number(s),
        Some(other) => match date_millis(other) {
            Some(ms) => ms.unwrap_or(f64::NAN),
            None => string_to_number(&to_string(Some(other))),
        },
    }
}

/// ToNumber of a string: surrounding white space ignored, empty is 0, `Infinity`,
/// `0x`/`0o`/`0b` integers, else a decimal literal or NaN.
fn string_to_number(s: &str) -> f64 {
    let t = trim(s);
    if t.is_empty() {
        return 0.0;
    }
    let radix = |prefix: &[&str], radix: u32| {
        prefix.iter().find_map(|p| t.strip_prefix(p)).map(|digits| {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                f64::NAN
            } else {
                digits.chars().fold(0.0, |acc, c| {
                    acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
                })
            }
        })
    };
    if let Some(n) = radix(&["0x", "0X"], 16)
        .or_else(|| radix(&["0o", "0O"], 8))
        .or_else(|| radix(&["0b", "0B"], 2))
    {
        return n;
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let negative = t.starts_with('-');
    if unsigned == "Infinity" {
        return if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    if !is_decimal_literal(unsigned) {
        return f64::NAN;
    }
    t.parse().unwrap_or(f64::NAN)
}

/// StrUnsignedDecimalLiteral: digits with an optional fraction and exponent, or a
/// fraction alone (Rust's float parser also takes `inf` and `nan`, JavaScript does not).
fn is_decimal_literal(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// `Math.round`: the nearest integer, halves toward +Infinity.
pub fn math_round(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let floor = x.floor();
    if x - floor >= 0.5 {
        floor + 1.0
    } else {
        floor
    }
}

/// A property read `v.prop` (`None` is `undefined`): V8's TypeError on `undefined` and
/// `null`; primitives have none of the properties these writes read.
pub fn property<'a>(v: Option<&'a Value>, prop: &str) -> crate::Result<Option<&'a Value>> {
    match v {
        None | Some(Value::Null) => Err(type_error(format!(
            "Cannot read properties of {} (reading '{prop}')",
            to_string(v)
        ))),
        Some(obj @ Value::Object(o)) if date_millis(obj).is_none() => Ok(o.get(prop)),
        Some(_) => Ok(None),
    }
}

/// A method call `expr.method()` on a string: V8's TypeError when the value is not one.
pub fn string_method<'a>(v: Option<&'a Value>, expr: &str, method: &str) -> crate::Result<&'a str> {
    match v {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(type_error(format!(
            "Cannot read properties of {} (reading '{method}')",
            to_string(v)
        ))),
        Some(_) => Err(type_error(format!("{expr}.{method} is not a function"))),
    }
}

/// What V8 throws as a `TypeError`, word for word.
pub fn type_error(message: impl Into<String>) -> crate::BudgetError {
    crate::BudgetError::TypeError(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stringify_follows_javascript() {
        let v = json!({"a": 1.5, "b": [1, null, "x"], "c": {}, "d": 1e21});
        assert_eq!(
            stringify(&v, false),
            r#"{"a":1.5,"b":[1,null,"x"],"c":{},"d":1e+21}"#
        );
        assert_eq!(
            stringify(&json!({"a": [1]}), true),
            "{\n  \"a\": [\n    1\n  ]\n}"
        );
    }

    #[test]
    fn javascript_operators() {
        assert!(strict_eq(Some(&json!(1)), Some(&json!(1.0))));
        assert!(!strict_eq(Some(&json!({})), Some(&json!({}))));
        assert!(!strict_eq(None, Some(&Value::Null)));
        assert_eq!(or(Some(&json!("")), Some(&json!("b"))), Some(&json!("b")));
        assert_eq!(to_string(Some(&json!([1, null, "a"]))), "1,,a");
        assert_eq!(to_string(Some(&json!(1.5))), "1.5");
        assert!(is_integer(&json!(3.0)) && !is_integer(&json!(3.5)) && !is_integer(&json!("3")));
    }

    #[test]
    fn numbers_and_strings_as_javascript_converts_them() {
        let n = |v: Value| to_number(Some(&v));
        assert_eq!(n(json!(" 12.5 ")), 12.5);
        assert_eq!(n(json!("")), 0.0);
        assert_eq!(n(json!("0x1f")), 31.0);
        assert_eq!(n(json!("-Infinity")), f64::NEG_INFINITY);
        assert_eq!(n(json!(".5e1")), 5.0);
        assert!(n(json!("inf")).is_nan() && n(json!("1_0")).is_nan() && n(json!("abc")).is_nan());
        assert_eq!(n(json!([7])), 7.0);
        assert!(n(json!({})).is_nan());
        assert_eq!(math_round(2.5), 3.0);
        assert_eq!(math_round(-2.5), -2.0);
        assert_eq!(math_round(0.49999999999999994), 0.0);
        assert_eq!(trim("\u{feff} a\u{a0}"), "a");
        assert_eq!(trim("\u{85}a"), "\u{85}a");
    }
}
