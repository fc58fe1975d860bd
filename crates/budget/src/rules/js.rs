//! JavaScript value semantics the rules engine relies on, on `serde_json` values: strict
//! equality, the relational operators (`<` on strings compares UTF-16 code units,
//! otherwise both sides become numbers), `Math.round`, `JSON.stringify`, `String(x)`
//! and the `\s` of regular expressions.

use std::cmp::Ordering;

use serde_json::Value;

/// `a === b` for values that are never the same object (a fresh object or array is
/// never `===` another).
pub fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}

/// `Number(s)` (StringToNumber): surrounding whitespace trimmed, `""` is 0, decimal
/// literals, `0x`/`0o`/`0b` integers and `Infinity`; anything else is NaN.
fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    let radix = |p: &str, r: u32| {
        if p.is_empty() || !p.chars().all(|c| c.is_digit(r)) {
            return f64::NAN;
        }
        p.chars()
            .fold(0.0, |n, c| n * r as f64 + c.to_digit(r).unwrap_or(0) as f64)
    };
    match t.get(..2) {
        Some("0x") | Some("0X") => return radix(&t[2..], 16),
        Some("0o") | Some("0O") => return radix(&t[2..], 8),
        Some("0b") | Some("0B") => return radix(&t[2..], 2),
        _ => {}
    }
    let (sign, body) = match t.as_bytes()[0] {
        b'-' => (-1.0, &t[1..]),
        b'+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    let decimal = body
        .bytes()
        .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.');
    match body.parse::<f64>() {
        Ok(n) if decimal => sign * n,
        _ => f64::NAN,
    }
}

/// `ToNumber(v)` for the primitives JSON has (an object or array is NaN, except the
/// cases no rule meets).
pub fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        Value::Array(a) if a.is_empty() => 0.0,
        _ => f64::NAN,
    }
}

/// Strings in JavaScript's order: by UTF-16 code units.
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The abstract relational comparison `a < b`, `a > b`, ... : `None` when it is
/// undefined (a NaN side), which makes every operator false.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Value::String(x), Value::String(y)) = (a, b) {
        return Some(cmp_utf16(x, y));
    }
    to_number(a).partial_cmp(&to_number(b))
}

pub fn lt(a: &Value, b: &Value) -> bool {
    compare(a, b) == Some(Ordering::Less)
}

pub fn gt(a: &Value, b: &Value) -> bool {
    compare(a, b) == Some(Ordering::Greater)
}

pub fn le(a: &Value, b: &Value) -> bool {
    matches!(compare(a, b), Some(Ordering::Less | Ordering::Equal))
}

pub fn ge(a: &Value, b: &Value) -> bool {
    matches!(compare(a, b), Some(Ordering::Greater | Ordering::Equal))
}

/// `Math.round`: halves go up (towards +∞).
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

/// JavaScript's truthiness of a value (`undefined` is an absent value, see callers).
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// A number as a JSON value, the way JavaScript holds it (integral values as integers).
pub fn number(f: f64) -> Value {
    crate::rows::number(f)
}

/// `String(v)` for the primitives; objects are `[object Object]`, arrays their joined
/// elements.
pub fn to_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => actual_sync::value::js_number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Null => String::new(),
                other => to_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// `JSON.stringify(v)`: JavaScript's number formatting and string escapes, keys in the
/// order given.
pub fn stringify(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.is_finite() {
                out.push_str(&actual_sync::value::js_number_to_string(f));
            } else {
                out.push_str("null");
            }
        }
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

/// `JSON.stringify` of a string: `"` and `\` escaped, the short escapes for
/// backspace, tab, newline, form feed and carriage return, other control characters
/// as lowercase `\u00xx`; everything else as it is.
fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `\s` of JavaScript regular expressions (WhiteSpace and LineTerminator).
pub use actual_sync::value::is_js_whitespace as is_js_space;

/// The name JavaScript's `typeof`-based messages give a value (`null`, `undefined`).
pub fn describe_nullish(v: Option<&Value>) -> &'static str {
    match v {
        Some(Value::Null) => "null",
        _ => "undefined",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn math_round_goes_up_on_halves() {
        assert_eq!(math_round(2.5), 3.0);
        assert_eq!(math_round(-2.5), -2.0);
        assert_eq!(math_round(-2.6), -3.0);
        assert_eq!(math_round(0.49999999999999994), 0.0);
        assert_eq!(math_round(1234.4999), 1234.0);
    }

    #[test]
    fn relational_operators_coerce_like_javascript() {
        assert!(ge(&Value::Null, &json!(-5)));
        assert!(le(&Value::Null, &json!(0)));
        assert!(!lt(&json!("a"), &json!(1)));
        assert!(!ge(&json!("a"), &json!(1)));
        assert!(lt(&json!("2024-01-09"), &json!("2024-01-10")));
        assert!(gt(&json!(" 12 "), &json!(11)));
        assert!(!lt(&json!("\u{ffff}"), &json!("\u{10000}")));
        assert_eq!(to_number(&json!("0x10")), 16.0);
        assert!(to_number(&json!("1e3x")).is_nan());
        assert_eq!(to_number(&json!("-1.5e2")), -150.0);
        assert_eq!(to_number(&json!("")), 0.0);
    }

    #[test]
    fn stringify_matches_json_stringify() {
        let v = json!({"b": 1, "a": [1.5, null, "x\"\\\n\u{1}é"], "c": 1e21, "d": true});
        assert_eq!(
            stringify(&v),
            r#"{"b":1,"a":[1.5,null,"x\"\\\n\u0001é"],"c":1e+21,"d":true}"#
        );
    }

    #[test]
    fn strings_convert_like_string_of() {
        assert_eq!(to_string(&json!(5)), "5");
        assert_eq!(to_string(&json!([1, null, "a"])), "1,,a");
        assert_eq!(to_string(&json!({})), "[object Object]");
    }
}
