//! Message values: `0:` is null, `N:<number>` a number, `S:<text>` a string, exactly as
//! upstream `serializeValue` / `deserializeValue` (JavaScript `parseFloat` and
//! `Number.prototype.toString` semantics included).

use rusqlite::types::{ToSql, ToSqlOutput, Value as SqlValue};

use crate::{Result, SyncError};

/// A decoded message value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Number(f64),
    String(String),
    /// A value in a format this version does not know (a newer release's), kept as
    /// sent: it is recorded and deferred, never written to a table.
    Unknown(String),
}

impl Value {
    /// `deserializeValue`: looks at the first character only and drops the first two.
    pub fn deserialize(s: &str) -> Result<Value> {
        let (kind, rest) = split_kind(s);
        match kind {
            Some('0') => Ok(Value::Null),
            Some('N') => Ok(Value::Number(js_parse_float(&s[rest..]))),
            Some('S') => Ok(Value::String(s[rest..].to_string())),
            _ => Err(SyncError::InvalidValue(s.to_string())),
        }
    }

    /// A value received from another device, decoded as 26.10 does (`deserializeValueSafe`:
    /// the kind must be followed by `:`): a format this version does not know is
    /// [`Value::Unknown`] rather than an error, so the rest of the sync still applies. A
    /// string value reuses its buffer.
    pub fn deserialize_received(mut s: String) -> Value {
        let known = matches!(s.as_bytes(), [b'0' | b'N' | b'S', b':', ..]);
        if !known {
            return Value::Unknown(s);
        }
        match s.as_bytes()[0] {
            b'S' => {
                s.replace_range(..2, "");
                Value::String(s)
            }
            b'N' => Value::Number(js_parse_float(&s[2..])),
            _ => Value::Null,
        }
    }

    /// `serializeValue`.
    pub fn serialize(&self) -> String {
        match self {
            Value::Null => "0:".to_string(),
            Value::Number(n) => "N:".to_string() + &js_number_to_string(*n),
            Value::String(s) => "S:".to_string() + s,
            Value::Unknown(raw) => raw.clone(),
        }
    }
}

impl ToSql for Value {
    /// Binds like better-sqlite3: numbers as REAL (doubles), strings as TEXT.
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(SqlValue::Null),
            Value::Number(n) => ToSqlOutput::Owned(SqlValue::Real(*n)),
            Value::String(s) => {
                ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes()))
            }
            Value::Unknown(raw) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    format!("a value in an unknown format: {raw:?}").into(),
                ))
            }
        })
    }
}

/// The kind character and the byte offset of the text after the first two characters.
fn split_kind(s: &str) -> (Option<char>, usize) {
    let mut chars = s.char_indices();
    let kind = chars.next().map(|(_, c)| c);
    chars.next();
    (kind, chars.next().map_or(s.len(), |(i, _)| i))
}

/// JavaScript's white space and line terminators (`\s`, what `trim` removes).
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// JavaScript `parseFloat`: the longest prefix (after whitespace) that is a decimal
/// literal or `Infinity`; `NaN` when there is none.
pub fn js_parse_float(s: &str) -> f64 {
    let t = s.trim_start_matches(is_js_whitespace);
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    if t[i..].starts_with("Infinity") {
        return if b[0] == b'-' {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut ndigits = i - digits_start;
    if i < b.len() && b[i] == b'.' {
        let frac_start = i + 1;
        let mut j = frac_start;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        ndigits += j - frac_start;
        if ndigits > 0 {
            i = j;
        }
    }
    if ndigits == 0 {
        return f64::NAN;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            i = j;
        }
    }
    t[..i].parse::<f64>().unwrap_or(f64::NAN)
}

/// 2^53: every integer below it is a double exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

/// JavaScript `Number.prototype.toString()` (radix 10): shortest round-trip digits, plain
/// notation for 1e-7 < |x| < 1e21, otherwise `d.ddde+N`.
pub fn js_number_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    // Integers below 2^53 are exact and print as their digits (most values: amounts,
    // dates as numbers, flags); the general path below formats twice.
    if x.fract() == 0.0 && x.abs() < MAX_SAFE_INTEGER {
        return (x as i64).to_string();
    }
    if x < 0.0 {
        return format!("-{}", js_number_to_string(-x));
    }
    // Rust's `{:e}` prints the shortest round-trip digits: "1.2345e-7".
    let sci = format!("{x:e}");
    let (mant, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp + 1;
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let e = (n - 1).abs();
        if k == 1 {
            format!("{digits}e{sign}{e}")
        } else {
            format!("{}.{}e{sign}{e}", &digits[..1], &digits[1..])
        }
    }
}
