//! JavaScript value semantics the writes need, on JSON values as the client sends
//! them (`undefined` is an absent key, a `Date` is `{ "$date": ms }`): truthiness,
//! `||`, `??`, property reads and the TypeErrors they throw; over [`crate::foundation::js::json`]'s
//! semantics for single values.

pub mod args;
pub mod json;
pub mod regexp;
pub mod sqlite;

use serde_json::{Map, Value};

/// A plain JavaScript object, keys in insertion order.
pub type Obj = Map<String, Value>;

/// `Some(ms)` when the value is a `Date` as the client sends it (`ms` null for an
/// Invalid Date).
pub fn date_millis(v: &Value) -> Option<Option<f64>> {
    match v {
        Value::Object(o) => json::date_millis(o),
        _ => None,
    }
}

/// JavaScript's `\s` (its WhiteSpace and LineTerminator characters).
pub use actual_sync::value::is_js_whitespace as is_space;

/// `String.prototype.trim`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `Boolean(v)`: this crate's JavaScript truthiness; `None` is `undefined`.
pub fn truthy(v: Option<&Value>) -> bool {
    v.is_some_and(is_truthy)
}

/// [`truthy`] of a value that is there.
pub fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
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

/// `a === b` for values read from the database or sent by the client.
pub use json::strict_equals as strict_eq;

/// `Number.isInteger(v)`.
pub fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

pub use json::{math_round, number, stringify};

/// `String(v)` (template literals, `+` with a string); `None` is `undefined`.
pub fn to_string(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::Object(o)) if json::date_millis(o).is_some() => "[a Date]".into(),
        Some(v) => json::to_string(v),
    }
}

/// `Number(v)` (ToNumber) of a value as the client sends it; `None` is `undefined`.
pub fn to_number(v: Option<&Value>) -> f64 {
    v.map_or(f64::NAN, json::to_number)
}

/// A property read `v.prop` (`None` is `undefined`): V8's TypeError on `undefined` and
/// `null`; primitives have none of the properties these writes read.
pub fn property<'a>(
    v: Option<&'a Value>,
    prop: &str,
) -> crate::foundation::error::Result<Option<&'a Value>> {
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
pub fn string_method<'a>(
    v: Option<&'a Value>,
    expr: &str,
    method: &str,
) -> crate::foundation::error::Result<&'a str> {
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
pub fn type_error(message: impl Into<String>) -> crate::foundation::error::BudgetError {
    crate::foundation::error::BudgetError::TypeError(message.into())
}

/// `obj[key] = value`, `None` being `undefined`.
pub fn set(obj: &mut Obj, key: &str, value: Option<Value>) {
    match value {
        Some(v) => {
            obj.insert(key.to_string(), v);
        }
        None => {
            obj.shift_remove(key);
        }
    }
}

/// `{ ...a, ...b }`.
pub fn spread(a: &Obj, b: &Obj) -> Obj {
    let mut out = a.clone();
    for (k, v) in b {
        out.insert(k.clone(), v.clone());
    }
    out
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
