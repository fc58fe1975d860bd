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
}
