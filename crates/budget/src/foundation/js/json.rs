//! JavaScript's `JSON.parse`, `JSON.stringify` and value semantics on `serde_json`
//! values: the key order a parsed object has in JavaScript, where `JSON.parse` and serde
//! disagree on what parses, truthiness, strict equality, the relational operators (`<`
//! on strings compares UTF-16 code units, otherwise both sides become numbers),
//! `Number(x)`, `String(x)`, `Math.round` and the `\s` of regular expressions.

use std::cmp::Ordering;

use actual_sync::value::js_number_to_string;

use serde_json::{Map, Number, Value};

/// What `JSON.parse(text)` gives.
pub enum Parsed {
    Value(Value),
    /// JavaScript throws a `SyntaxError` too.
    SyntaxError,
    /// JavaScript parses it but serde cannot give the same value (lone surrogates, numbers
    /// beyond `f64`, nesting deeper than serde's limit).
    Unrepresentable,
}

/// `JSON.parse(text)`, with the object key order JavaScript gives (see [`js_key_order`]).
pub fn parse(text: &[u8]) -> Parsed {
    match serde_json::from_slice::<Value>(text) {
        Ok(mut v) => {
            js_key_order(&mut v);
            Parsed::Value(v)
        }
        Err(e) => {
            let message = e.to_string();
            if [
                "surrogate",
                "end of hex escape",
                "number out of range",
                "recursion limit",
            ]
            .iter()
            .any(|m| message.contains(m))
            {
                Parsed::Unrepresentable
            } else {
                Parsed::SyntaxError
            }
        }
    }
}

/// `JSON.parse`, or `None` for anything it does not parse to the same value.
pub fn parse_lossy(text: &[u8]) -> Option<Value> {
    match parse(text) {
        Parsed::Value(v) => Some(v),
        _ => None,
    }
}

/// Whether `key` is an array index, which JavaScript objects list first, in numeric
/// order, before their other keys (in insertion order).
pub(crate) fn is_array_index(key: &str) -> bool {
    let b = key.as_bytes();
    match b.first() {
        Some(b'0') => b.len() == 1,
        Some(b'1'..=b'9') => {
            b.iter().all(u8::is_ascii_digit)
                && b.len() <= 10
                && key.parse::<u64>().is_ok_and(|n| n < u32::MAX as u64)
        }
        _ => false,
    }
}

/// Reorders every object in `v` as a JavaScript object built in the same order lists
/// its keys (integer-like keys first, ascending).
pub fn js_key_order(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(js_key_order),
        Value::Object(map) => {
            map.values_mut().for_each(js_key_order);
            if map.keys().any(|k| is_array_index(k)) {
                let old = std::mem::take(map);
                let (mut indices, others): (Vec<_>, Vec<_>) =
                    old.into_iter().partition(|(k, _)| is_array_index(k));
                indices.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(0));
                *map = indices.into_iter().chain(others).collect::<Map<_, _>>();
            }
        }
        _ => {}
    }
}

/// JavaScript `===` between two values that came from different places (so two objects
/// are never the same object); `None` is `undefined`.
pub fn strict_equals(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Value::Null), Some(Value::Null)) => true,
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x == y,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(Value::String(x)), Some(Value::String(y))) => x == y,
        _ => false,
    }
}

/// [`strict_equals`] of two values that are both defined.
pub fn strict_eq(a: &Value, b: &Value) -> bool {
    strict_equals(Some(a), Some(b))
}

/// JavaScript `<` between two strings: UTF-16 code unit order.
pub fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `Number(s)` (StringToNumber): surrounding white space ignored, `""` is 0,
/// `Infinity`, `0x`/`0o`/`0b` integers, else a decimal literal or NaN.
fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
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

/// `ToNumber(v)`: an array goes through its `String`, a `Date` (as the client sends it)
/// is its time, any other object NaN.
pub fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        Value::Array(_) => string_to_number(&to_string(v)),
        Value::Object(o) => date_millis(o).map_or(f64::NAN, |ms| ms.unwrap_or(f64::NAN)),
    }
}

/// The abstract relational comparison `a < b`, `a > b`, ... : `None` when it is
/// undefined (a NaN side), which makes every operator false.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Value::String(x), Value::String(y)) = (a, b) {
        return Some(utf16_cmp(x, y));
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

/// A JavaScript number as JSON: integral values as integers (JSON cannot tell them
/// apart, and this keeps comparisons of two answers exact), others as floats.
pub fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        Value::from(f as i64)
    } else {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// `String(v)` for the primitives; objects are `[object Object]`, arrays their joined
/// elements.
pub fn to_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number_to_string(n.as_f64().unwrap_or(f64::NAN)),
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

/// `Some(ms)` when the object is a `Date` as the client sends it.
pub fn date_millis(o: &Map<String, Value>) -> Option<Option<f64>> {
    match (o.len(), o.get("$date")) {
        (1, Some(Value::Null)) => Some(None),
        (1, Some(Value::Number(n))) => Some(n.as_f64()),
        _ => None,
    }
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

/// `JSON.stringify(value)`, or `JSON.stringify(value, null, 2)` when `pretty`: keys in
/// the order given, JavaScript's number formatting and string escapes; `Date`s (as the
/// client sends them) print as their `toJSON`.
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

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn integer_keys_come_first_in_numeric_order() {
        let Parsed::Value(v) =
            parse(br#"{"b":1,"10":2,"a":{"2":0,"x":1,"1":2},"2":3,"01":4,"-1":5}"#)
        else {
            panic!("parses")
        };
        assert_eq!(keys(&v), ["2", "10", "b", "a", "01", "-1"]);
        assert_eq!(keys(&v["a"]), ["1", "2", "x"]);
    }

    #[test]
    fn failures_are_told_apart() {
        assert!(matches!(parse(b"[1,]"), Parsed::SyntaxError));
        assert!(matches!(parse(br#"["\ud800"]"#), Parsed::Unrepresentable));
        assert!(matches!(parse(br#"["\udc00"]"#), Parsed::Unrepresentable));
        assert!(matches!(parse(b"1e400"), Parsed::Unrepresentable));
        assert!(matches!(parse(b" [1] "), Parsed::Value(_)));
    }

    #[test]
    fn equality_and_truthiness_follow_javascript() {
        assert!(strict_equals(Some(&json!(1)), Some(&json!(1.0))));
        assert!(!strict_equals(Some(&json!([])), Some(&json!([]))));
        assert!(!strict_equals(None, Some(&Value::Null)));
        use crate::foundation::js::is_truthy;
        assert!(!is_truthy(&json!("")) && !is_truthy(&json!(0)) && is_truthy(&json!({})));
        assert_eq!(
            utf16_cmp("\u{ffff}", "\u{10000}"),
            std::cmp::Ordering::Greater
        );
    }

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
    fn stringify_matches_json_stringify() {
        let v = json!({"b": 1, "a": [1.5, null, "x\"\\\n\u{1}é"], "c": 1e21, "d": true});
        assert_eq!(
            stringify(&v, false),
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
