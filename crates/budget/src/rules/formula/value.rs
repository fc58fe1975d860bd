//! HyperFormula's values and coercions (`interpreter/ArithmeticHelper`,
//! `CellContentParser`, `DateTimeHelper`) as `action.ts` configures it: `dateFormats`
//! `DD/MM/YYYY`, `YYYY-MM-DD`, `YYYY/MM/DD`, the defaults otherwise (`$` currency,
//! `.` decimals, no thousands separator, null date 1899-12-30, epsilon 1e-13).

use super::super::error::RuleError;

/// A scalar value; an error keeps HyperFormula's message (`''` when it has none).
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Num(f64),
    Str(String),
    Bool(bool),
    Err(String),
}

pub const EPSILON: f64 = 1e-13;

pub fn err(message: &str) -> V {
    V::Err(message.to_string())
}

pub const NUMBER_COERCION: &str = "Value cannot be coerced to number.";
pub const WRONG_TYPE: &str = "Wrong type of argument.";
pub const WRONG_ARG_NUMBER: &str = "Wrong number of arguments.";
pub const NAN: &str = "NaN or infinite value encountered.";

fn unsupported(what: impl std::fmt::Display) -> RuleError {
    RuleError::Unsupported(format!("a formula with {what}"))
}

/// `Math.pow(10, k)` as V8 computes it for a whole `k`: exact up to 22, correctly
/// rounded above, and V8's own values below 0 (some are not correctly rounded, e.g.
/// 10^-5); `None` beyond what is known here.
pub fn js_pow10(k: f64) -> Option<f64> {
    const NEGATIVE: [u64; 22] = [
        0x3fb999999999999a,
        0x3f847ae147ae147b,
        0x3f50624dd2f1a9fc,
        0x3f1a36e2eb1c432c,
        0x3ee4f8b588e368f0,
        0x3eb0c6f7a0b5ed8d,
        0x3e7ad7f29abcaf48,
        0x3e45798ee2308c3a,
        0x3e112e0be826d695,
        0x3ddb7cdfd9d7bdbb,
        0x3da5fd7fe1796495,
        0x3d719799812dea11,
        0x3d3c25c268497682,
        0x3d06849b86a12b9b,
        0x3cd203af9ee75616,
        0x3c9cd2b297d889bc,
        0x3c670ef54646d496,
        0x3c32725dd1d243ac,
        0x3bfd83c94fb6d2ac,
        0x3bc79ca10c924224,
        0x3b92e3b40a0e9b50,
        0x3b5e392010175ee6,
    ];
    if k.fract() != 0.0 || !(-22.0..=300.0).contains(&k) {
        return None;
    }
    if k < 0.0 {
        return Some(f64::from_bits(NEGATIVE[(-k) as usize - 1]));
    }
    format!("1e{}", k as i64).parse().ok()
}

/// `Math.pow(x, y)` where every implementation agrees: whole numbers with an exact
/// whole result, or a power of ten; `None` otherwise.
pub fn js_pow_exact(x: f64, y: f64) -> Option<f64> {
    if x == 10.0 {
        return js_pow10(y);
    }
    if x.fract() != 0.0 || y.fract() != 0.0 || !(0.0..=64.0).contains(&y) {
        return None;
    }
    let r = x.powi(y as i32);
    (r.abs() < 9007199254740992.0).then_some(r)
}

/// JavaScript's `String.prototype.trim`.
pub fn js_trim(s: &str) -> &str {
    s.trim_matches(crate::foundation::js::json::is_js_space)
}

/// `NumberLiteralHelper.numericStringToMaybeNumber`:
/// `^[+-]?((\.\d+)|(\d+(\.\d*)?))([eE][+-]?\d+)?$`, then `Number(...)`.
pub fn numeric_string(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let ints = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if ints == 0 && i == f {
            return None;
        }
    } else if ints == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let d = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == d {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let text = s.strip_prefix('+').unwrap_or(s);
    let text = if text.starts_with('.') || text.starts_with("-.") {
        text.replacen('.', "0.", 1)
    } else {
        text.to_string()
    };
    text.parse::<f64>().ok()
}

/// Days from year zero (`dateToNumberFromZero`, no 1900 leap year).
fn days_from_zero(year: i64, month: i64, day: i64) -> i64 {
    const PREF: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leaps = |y: i64| y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400);
    let leap_count = if month <= 2 {
        leaps(year - 1)
    } else {
        leaps(year)
    };
    365 * year + PREF[(month - 1) as usize] + day - 1 + leap_count
}

fn null_date() -> i64 {
    days_from_zero(1899, 12, 30)
}

pub fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: i64) -> i64 {
    const DAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if m == 2 && is_leap_year(y) {
        29
    } else {
        DAYS[(m - 1) as usize]
    }
}

/// `isValidDate` (the Gregorian calendar from 1582).
pub fn is_valid_date(y: i64, m: i64, d: i64) -> bool {
    y >= 1582 && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

/// `dateToNumber`: the date's serial number.
pub fn date_to_number(y: i64, m: i64, d: i64) -> i64 {
    days_from_zero(y, m, d) - null_date()
}

/// The serial number of 9999-12-31, the last date HyperFormula knows.
pub fn max_date() -> i64 {
    date_to_number(9999, 12, 31)
}

/// `numberToSimpleDate`.
pub fn number_to_date(n: f64) -> (i64, i64, i64) {
    const PREF: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let day_number = n.floor() as i64 + null_date();
    let mut year = (day_number as f64 / 365.2425).floor() as i64;
    if days_from_zero(year + 1, 1, 1) <= day_number {
        year += 1;
    } else if days_from_zero(year - 1, 1, 1) > day_number {
        year -= 1;
    }
    let day_of_year = day_number - days_from_zero(year, 1, 1);
    let leap = is_leap_year(year);
    let adjusted = day_of_year - i64::from(leap && day_of_year >= 59);
    let mut month = 0;
    if PREF[month + 6] <= adjusted {
        month += 6;
    }
    if PREF[month + 3] <= adjusted {
        month += 3;
    }
    if PREF[month + 2] <= adjusted {
        month += 2;
    } else if PREF[month + 1] <= adjusted {
        month += 1;
    }
    let day = day_of_year - PREF[month] - i64::from(leap && month > 1);
    (year, month as i64 + 1, day + 1)
}

/// `Number(item)` for a date item (digits only, or empty: 0).
fn item_number(item: &str) -> Option<i64> {
    if item.is_empty() {
        return Some(0);
    }
    if item.len() > 15 {
        return None;
    }
    item.parse().ok()
}

/// `dateStringToDateNumber` for dates: `Ok(None)` when the text is not a date in one
/// of the configured formats; a time of day (which HyperFormula also reads) is refused.
pub fn date_string(text: &str) -> Result<Option<f64>, RuleError> {
    // `text.replace(/\s+/, ' ').trim().toLowerCase()`: only the first run collapses.
    let collapsed = match text.find(|c: char| c.is_whitespace()) {
        Some(start) => {
            let end = text[start..]
                .find(|c: char| !c.is_whitespace())
                .map_or(text.len(), |e| start + e);
            format!("{} {}", &text[..start], &text[end..])
        }
        None => text.to_string(),
    };
    let s = js_trim(&collapsed).to_lowercase();
    // QUICK_CHECK_REGEXP: ^[0-9/.\-: ]+[ap]?m?$
    let body = s.trim_end_matches('m');
    let body = body.strip_suffix(['a', 'p']).unwrap_or(body);
    let quick = s.len() - body.len() <= 2
        && !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '/' | '.' | '-' | ':' | ' '));
    if !quick {
        return Ok(None);
    }
    if s.contains(':') || body.len() != s.len() {
        return Err(unsupported(format!("the time-like text {text:?}")));
    }
    if s.chars().any(char::is_whitespace) && s.contains(|c: char| c != ' ' && c.is_whitespace()) {
        return Err(unsupported(format!("the date-like text {text:?}")));
    }
    let items: Vec<&str> = s.split(['/', '.', '-', ' ']).collect();
    if items.len() != 3 {
        return Ok(None);
    }
    // DD/MM/YYYY, then YYYY-MM-DD (YYYY/MM/DD reads the same items).
    for (d, m, y) in [(0, 1, 2), (2, 1, 0)] {
        let (Some(day), Some(month)) = (item_number(items[d]), item_number(items[m])) else {
            return Err(unsupported(format!("the date-like text {text:?}")));
        };
        let Some(mut year) = item_number(items[y]) else {
            return Err(unsupported(format!("the date-like text {text:?}")));
        };
        if !items[y].is_empty() && !(1000..=9999).contains(&year) {
            continue;
        }
        if (0..100).contains(&year) {
            year += if year < 30 { 2000 } else { 1900 };
        }
        if is_valid_date(year, month, day) {
            return Ok(Some(date_to_number(year, month, day) as f64));
        }
    }
    Ok(None)
}

/// `coerceToMaybeNumber`: `Ok(None)` when the value is no number.
pub fn to_number(v: &V) -> Result<Option<f64>, RuleError> {
    Ok(match v {
        V::Num(n) => Some(*n),
        V::Bool(b) => Some(f64::from(u8::from(*b))),
        V::Err(_) => None,
        V::Str(s) => {
            if s.is_empty() {
                return Ok(Some(0.0));
            }
            let t = js_trim(s);
            if let Some(p) = t.strip_suffix('%') {
                if let Some(n) = numeric_string(js_trim(p)) {
                    return Ok(Some(n / 100.0));
                }
            }
            let currency = t
                .strip_prefix('$')
                .or_else(|| t.strip_suffix('$'))
                .and_then(|rest| numeric_string(js_trim(rest)));
            if currency.is_some() {
                return Ok(currency);
            }
            match numeric_string(t) {
                Some(n) => Some(n),
                None => date_string(s)?,
            }
        }
    })
}

/// `coerceScalarToNumberOrError`.
pub fn number_or_error(v: &V) -> Result<Result<f64, V>, RuleError> {
    if let V::Err(_) = v {
        return Ok(Err(v.clone()));
    }
    Ok(to_number(v)?.ok_or_else(|| err(NUMBER_COERCION)))
}

/// `coerceScalarToString`.
pub fn to_text(v: &V) -> Result<String, V> {
    match v {
        V::Err(_) => Err(v.clone()),
        V::Str(s) => Ok(s.clone()),
        V::Num(n) => Ok(actual_sync::value::js_number_to_string(*n)),
        V::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.into()),
    }
}

/// `coerceScalarToBoolean`, with the function argument's `WrongType` error.
pub fn to_bool(v: &V) -> Result<bool, V> {
    match v {
        V::Err(_) => Err(v.clone()),
        V::Bool(b) => Ok(*b),
        V::Num(n) => Ok(*n != 0.0),
        V::Str(s) => match s.to_uppercase().as_str() {
            "TRUE" => Ok(true),
            "FALSE" | "" => Ok(false),
            _ => Err(err(WRONG_TYPE)),
        },
    }
}

/// What a field's value reads as, as `addNamedExpression` parses cell content
/// (`CellContentParser.parse`): `None` is the empty string of null, undefined or an
/// object.
pub fn cell_content(raw: &serde_json::Value) -> Result<V, RuleError> {
    use serde_json::Value;
    Ok(match raw {
        Value::Null | Value::Array(_) | Value::Object(_) => V::Str(String::new()),
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() => V::Num(if f == 0.0 { 0.0 } else { f }),
            _ => return Err(unsupported("a field holding a number out of range")),
        },
        Value::String(s) => {
            let lower = s.to_lowercase();
            if lower == "true" || lower == "false" {
                return Ok(V::Bool(lower == "true"));
            }
            if s.starts_with('=') {
                return Err(unsupported("a field holding text that starts with '='"));
            }
            if s.contains('#') {
                let upper = s.to_uppercase();
                const ERRORS: [&str; 11] = [
                    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#CYCLE!",
                    "#ERROR!", "#LIC!", "#SPILL!",
                ];
                if ERRORS.contains(&upper.as_str()) {
                    return Err(unsupported("a field holding text like an error"));
                }
            }
            let trimmed = js_trim(s);
            let (body, percent) = if let Some(p) = trimmed.strip_suffix('%') {
                (p, true)
            } else if let Some(c) = trimmed.strip_prefix('$') {
                (c, false)
            } else if let Some(c) = trimmed.strip_suffix('$') {
                (c, false)
            } else {
                (trimmed, false)
            };
            if let Some(n) = numeric_string(body) {
                if !n.is_finite() {
                    return Err(unsupported("a field holding a number out of range"));
                }
                let n = if percent { n / 100.0 } else { n };
                return Ok(V::Num(if n == 0.0 { 0.0 } else { n }));
            }
            match date_string(body)? {
                Some(d) => V::Num(d),
                None => V::Str(s.strip_prefix('\'').unwrap_or(s).to_string()),
            }
        }
    })
}

/// `addWithEpsilonRaw`.
pub fn add(left: f64, right: f64) -> f64 {
    let ret = left + right;
    if ret.abs() < EPSILON * left.abs() {
        0.0
    } else {
        ret
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_match_hyperformula() {
        assert_eq!(date_to_number(2024, 1, 5), 45296);
        assert_eq!(number_to_date(45296.0), (2024, 1, 5));
        assert_eq!(number_to_date(45351.0), (2024, 2, 29));
        assert_eq!(date_string("2024-01-05").unwrap(), Some(45296.0));
        assert_eq!(date_string("05/01/2024").unwrap(), Some(45296.0));
        assert_eq!(date_string("hello").unwrap(), None);
    }

    #[test]
    fn numeric_strings() {
        assert_eq!(numeric_string("12"), Some(12.0));
        assert_eq!(numeric_string("-.5"), Some(-0.5));
        assert_eq!(numeric_string("5."), Some(5.0));
        assert_eq!(numeric_string("1e3"), Some(1000.0));
        assert_eq!(numeric_string("1,000"), None);
        assert_eq!(numeric_string(""), None);
    }
}
