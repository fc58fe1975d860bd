//! JavaScript's `JSON.parse` and value semantics on `serde_json` values: the key order a
//! parsed object has in JavaScript, where `JSON.parse` and serde disagree on what
//! parses, truthiness and strict equality.

use serde_json::{Map, Value};

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
fn is_array_index(key: &str) -> bool {
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

/// JavaScript truthiness of a JSON value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
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

/// JavaScript `<` between two strings: UTF-16 code unit order.
pub fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
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
        assert!(!truthy(&json!("")) && !truthy(&json!(0)) && truthy(&json!({})));
        assert_eq!(
            utf16_cmp("\u{ffff}", "\u{10000}"),
            std::cmp::Ordering::Greater
        );
    }
}
