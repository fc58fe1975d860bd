//! The functions run natively, with HyperFormula's argument metadata (how many, of
//! which type, which errors win) and implementations (`interpreter/plugin/*`), and
//! upstream's custom `BALANCE_OF`, `INTEGER_TO_AMOUNT` and `FIXED`
//! (`shared/formulas/customFunctions.ts`). Any other function is refused when the rule
//! is built.

use super::super::error::RuleError;
use super::context::Context;
use super::value::add;
use super::value::{
    self, date_to_number, is_valid_date, max_date, number_or_error, number_to_date, to_bool,
    to_text, V, WRONG_ARG_NUMBER,
};

/// Name, fewest and most arguments (`None`: any number).
const FUNCTIONS: &[(&str, usize, Option<usize>)] = &[
    ("IF", 2, Some(3)),
    ("IFS", 2, None),
    ("AND", 1, None),
    ("OR", 1, None),
    ("NOT", 1, Some(1)),
    ("IFERROR", 2, Some(2)),
    ("TRUE", 0, Some(0)),
    ("FALSE", 0, Some(0)),
    ("ROUND", 1, Some(2)),
    ("ROUNDUP", 1, Some(2)),
    ("ROUNDDOWN", 1, Some(2)),
    ("INT", 1, Some(1)),
    ("ABS", 1, Some(1)),
    ("MOD", 2, Some(2)),
    ("POWER", 2, Some(2)),
    ("SUM", 1, None),
    ("MIN", 1, None),
    ("MAX", 1, None),
    ("CONCATENATE", 1, None),
    ("LEFT", 1, Some(2)),
    ("RIGHT", 1, Some(2)),
    ("MID", 3, Some(3)),
    ("LEN", 1, Some(1)),
    ("UPPER", 1, Some(1)),
    ("LOWER", 1, Some(1)),
    ("TRIM", 1, Some(1)),
    ("SUBSTITUTE", 3, Some(4)),
    ("FIND", 2, Some(3)),
    ("SEARCH", 2, Some(3)),
    ("VALUE", 1, Some(1)),
    ("DATE", 3, Some(3)),
    ("YEAR", 1, Some(1)),
    ("MONTH", 1, Some(1)),
    ("DAY", 1, Some(1)),
    ("TODAY", 0, Some(0)),
    ("EDATE", 2, Some(2)),
    ("EOMONTH", 2, Some(2)),
    ("BALANCE_OF", 1, Some(1)),
    ("INTEGER_TO_AMOUNT", 1, Some(2)),
    ("FIXED", 1, Some(2)),
];

/// Whether `name` (upper-cased) is run here.
pub fn is_supported(name: &str) -> bool {
    FUNCTIONS.iter().any(|(n, _, _)| *n == name)
}

fn unsupported(what: impl std::fmt::Display) -> RuleError {
    RuleError::Unsupported(format!("a formula with {what}"))
}

/// Coerces the arguments in order; the first error wins.
macro_rules! tryv {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Ok(e),
        }
    };
}

fn num(v: &V) -> Result<Result<f64, V>, RuleError> {
    number_or_error(v)
}

/// `Math.round`.
fn math_round(x: f64) -> f64 {
    crate::foundation::js::json::math_round(x)
}

/// A string as JavaScript's UTF-16 units.
fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn from_units(u: &[u16]) -> Result<String, RuleError> {
    String::from_utf16(u).map_err(|_| unsupported("text cut inside a character"))
}

/// `ToIntegerOrInfinity`, clamped to `0..=len` (`substring`'s arguments).
fn clamp_index(x: f64, len: usize) -> usize {
    if x.is_nan() || x <= 0.0 {
        0
    } else {
        (x.trunc() as usize).min(len)
    }
}

/// `String.prototype.slice(start, end)` positions (negative from the end).
fn slice_index(x: f64, len: usize) -> usize {
    let t = if x.is_nan() { 0.0 } else { x.trunc() };
    if t < 0.0 {
        (len as f64 + t).max(0.0) as usize
    } else {
        (t as usize).min(len)
    }
}

/// `Number.prototype.toFixed(digits)` for `|x| < 1e21` (halves away from zero, on the
/// exact binary value).
fn to_fixed(x: f64, digits: usize) -> String {
    let exact = format!("{:.1100}", x.abs());
    let (int_part, frac) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut digits_vec: Vec<u8> = int_part.bytes().chain(frac.bytes().take(digits)).collect();
    let round_up = frac.as_bytes().get(digits).is_some_and(|&d| d >= b'5');
    if round_up {
        let mut i = digits_vec.len();
        loop {
            if i == 0 {
                digits_vec.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits_vec[i] == b'9' {
                digits_vec[i] = b'0';
            } else {
                digits_vec[i] += 1;
                break;
            }
        }
    }
    let int_len = digits_vec.len() - digits;
    let mut out = String::from_utf8(digits_vec[..int_len].to_vec()).unwrap_or_default();
    if digits > 0 {
        out.push('.');
        out.push_str(std::str::from_utf8(&digits_vec[int_len..]).unwrap_or_default());
    }
    let is_zero = out.bytes().all(|b| b == b'0' || b == b'.');
    if x < 0.0 && !is_zero {
        out.insert(0, '-');
    } else if x < 0.0 {
        // (-0.001).toFixed(2) is "-0.00"; (-0).toFixed(2) is "0.00".
        out.insert(0, '-');
    }
    out
}

/// Runs function `name` on its evaluated arguments.
pub fn call(name: &str, args: Vec<V>, cx: &Context) -> Result<V, RuleError> {
    let Some(&(_, min, max)) = FUNCTIONS.iter().find(|(n, _, _)| *n == name) else {
        return Err(unsupported(format!("the function {name}")));
    };
    let n = args.len();
    let arity_ok = n >= min && max.is_none_or(|m| n <= m) && !(name == "IFS" && n % 2 == 1);
    if !arity_ok {
        return Ok(value::err(WRONG_ARG_NUMBER));
    }
    let arg = |i: usize| &args[i];
    Ok(match name {
        "TRUE" => V::Bool(true),
        "FALSE" => V::Bool(false),
        "IF" => {
            let cond = tryv!(to_bool(arg(0)));
            if cond {
                arg(1).clone()
            } else {
                args.get(2).cloned().unwrap_or(V::Bool(false))
            }
        }
        "IFS" => {
            let mut conds = Vec::new();
            for pair in args.chunks(2) {
                conds.push(tryv!(to_bool(&pair[0])));
            }
            match conds.iter().position(|c| *c) {
                Some(i) => args[2 * i + 1].clone(),
                None => value::err("None of the conditions were met."),
            }
        }
        "AND" | "OR" => {
            let mut all = Vec::new();
            for a in &args {
                all.push(tryv!(to_bool(a)));
            }
            V::Bool(if name == "AND" {
                all.iter().all(|b| *b)
            } else {
                all.iter().any(|b| *b)
            })
        }
        "NOT" => V::Bool(!tryv!(to_bool(arg(0)))),
        "IFERROR" => match arg(0) {
            V::Err(_) => arg(1).clone(),
            other => other.clone(),
        },
        "ROUND" | "ROUNDUP" | "ROUNDDOWN" => {
            let x = tryv!(num(arg(0))?);
            let places = match args.get(1) {
                Some(p) => tryv!(num(p)?),
                None => 0.0,
            };
            let Some(m) = value::js_pow10(places) else {
                return Err(unsupported(format!("{name} to {places} places")));
            };
            let f = |v: f64| match name {
                "ROUND" => math_round(v),
                "ROUNDUP" => v.ceil(),
                _ => v.floor(),
            };
            if x < 0.0 {
                V::Num(-f(-x * m) / m)
            } else {
                V::Num(f(x * m) / m)
            }
        }
        "INT" => {
            let x = tryv!(num(arg(0))?);
            V::Num(if x < 0.0 { -(-x).floor() } else { x.floor() })
        }
        "ABS" => V::Num(tryv!(num(arg(0))?).abs()),
        "MOD" => {
            let a = tryv!(num(arg(0))?);
            let b = tryv!(num(arg(1))?);
            if b == 0.0 {
                V::Err(String::new())
            } else {
                let r = a % b;
                V::Num(if r == 0.0 || (r < 0.0) == (b < 0.0) {
                    r
                } else {
                    r + b
                })
            }
        }
        "POWER" => {
            let a = tryv!(num(arg(0))?);
            let b = tryv!(num(arg(1))?);
            V::Num(
                value::js_pow_exact(a, b)
                    .ok_or_else(|| unsupported("a power that is not a whole number"))?,
            )
        }
        "SUM" | "MIN" | "MAX" => {
            let mut acc = match name {
                "SUM" => 0.0,
                "MIN" => f64::INFINITY,
                _ => f64::NEG_INFINITY,
            };
            for a in &args {
                let v = tryv!(num(a)?);
                acc = match name {
                    "SUM" => add(acc, v),
                    "MIN" => acc.min(v),
                    _ => acc.max(v),
                };
            }
            V::Num(if acc.is_finite() || name == "SUM" {
                acc
            } else {
                0.0
            })
        }
        "CONCATENATE" => {
            let mut out = String::new();
            for a in &args {
                out.push_str(&tryv!(to_text(a)));
            }
            V::Str(out)
        }
        "LEFT" | "RIGHT" => {
            let text = tryv!(to_text(arg(0)));
            let len = match args.get(1) {
                Some(l) => tryv!(num(l)?),
                None => 1.0,
            };
            if len < 0.0 {
                return Ok(value::err("Length cannot be negative."));
            }
            let u = units(&text);
            if name == "LEFT" {
                V::Str(from_units(&u[..slice_index(len, u.len())])?)
            } else if len == 0.0 {
                V::Str(String::new())
            } else {
                V::Str(from_units(&u[slice_index(-len, u.len())..])?)
            }
        }
        "MID" => {
            let text = tryv!(to_text(arg(0)));
            let start = tryv!(num(arg(1))?);
            let count = tryv!(num(arg(2))?);
            if start < 1.0 {
                return Ok(value::err("Argument cannot be less than 1."));
            }
            if count < 0.0 {
                return Ok(value::err("Length cannot be negative."));
            }
            let u = units(&text);
            let a = clamp_index(start - 1.0, u.len());
            let b = clamp_index(start + count - 1.0, u.len());
            V::Str(from_units(&u[a.min(b)..a.max(b)])?)
        }
        "LEN" => V::Num(units(&tryv!(to_text(arg(0)))).len() as f64),
        "UPPER" | "LOWER" => {
            let text = tryv!(to_text(arg(0)));
            if !text.is_ascii() {
                return Err(unsupported("a change of case beyond ASCII"));
            }
            V::Str(if name == "UPPER" {
                text.to_ascii_uppercase()
            } else {
                text.to_ascii_lowercase()
            })
        }
        "TRIM" => {
            let text = tryv!(to_text(arg(0)));
            let mut out = String::new();
            for word in text.split(' ').filter(|w| !w.is_empty()) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
            V::Str(out)
        }
        "SUBSTITUTE" => {
            let text = tryv!(to_text(arg(0)));
            let search = tryv!(to_text(arg(1)));
            let replacement = tryv!(to_text(arg(2)));
            let occurrence = match args.get(3) {
                Some(o) => Some(tryv!(num(o)?)),
                None => None,
            };
            if search.is_empty() || replacement.contains('$') {
                return Err(unsupported("SUBSTITUTE of empty text or with '$'"));
            }
            match occurrence {
                None => V::Str(text.replace(&search, &replacement)),
                Some(o) if o < 1.0 => value::err("Argument cannot be less than 1."),
                Some(o) => {
                    let hit = text
                        .match_indices(&search)
                        .enumerate()
                        .find(|(i, _)| (*i + 1) as f64 == o);
                    match hit {
                        Some((_, (at, _))) => V::Str(format!(
                            "{}{}{}",
                            &text[..at],
                            replacement,
                            &text[at + search.len()..]
                        )),
                        None => V::Str(text),
                    }
                }
            }
        }
        "FIND" => {
            let pattern = tryv!(to_text(arg(0)));
            let text = tryv!(to_text(arg(1)));
            let start = match args.get(2) {
                Some(s) => tryv!(num(s)?),
                None => 1.0,
            };
            let u = units(&text);
            if start < 1.0 || start > u.len() as f64 {
                return Ok(value::err("Index out of bounds."));
            }
            let shifted = &u[clamp_index(start - 1.0, u.len())..];
            let p = units(&pattern);
            let found = if p.is_empty() {
                Some(0)
            } else {
                shifted.windows(p.len()).position(|w| w == p.as_slice())
            };
            match found {
                Some(i) => V::Num(i as f64 + start),
                None => value::err("Pattern not found."),
            }
        }
        "SEARCH" => {
            let pattern = tryv!(to_text(arg(0)));
            let text = tryv!(to_text(arg(1)));
            let start = match args.get(2) {
                Some(s) => tryv!(num(s)?),
                None => 1.0,
            };
            if !pattern.is_ascii() || !text.is_ascii() || pattern.contains(['*', '?']) {
                return Err(unsupported(
                    "SEARCH with wildcards or beyond ASCII (a pattern HyperFormula matches as one)",
                ));
            }
            let len = text.len();
            if start < 1.0 || start > len as f64 {
                return Ok(value::err("Length out of bounds."));
            }
            let shifted = text[clamp_index(start - 1.0, len)..].to_ascii_lowercase();
            match shifted.find(&pattern.to_ascii_lowercase()) {
                Some(i) => V::Num(i as f64 + start),
                None => value::err("Pattern not found."),
            }
        }
        "VALUE" => match arg(0) {
            V::Err(_) | V::Num(_) => arg(0).clone(),
            V::Bool(_) => value::err(value::NUMBER_COERCION),
            V::Str(s) => {
                // `(1.5)` is -1.5; else the text as a number, a percentage, an amount
                // of dollars or a date.
                let t = value::js_trim(s);
                let parse = |x: &str| -> Result<Option<f64>, RuleError> {
                    let x = value::js_trim(x);
                    if x.is_empty() {
                        return Ok(None);
                    }
                    value::to_number(&V::Str(x.to_string()))
                };
                let inner = t
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .filter(|r| !r.is_empty() && !r.contains(['(', ')']));
                let negated = match inner {
                    Some(r) => parse(r)?.map(|n| -n),
                    None => None,
                };
                match negated {
                    Some(n) => V::Num(n),
                    None => match parse(t)? {
                        Some(n) => V::Num(n),
                        None => value::err(value::NUMBER_COERCION),
                    },
                }
            }
        },
        "DATE" => {
            let y = tryv!(num(arg(0))?);
            let m = tryv!(num(arg(1))?);
            let d = tryv!(num(arg(2))?);
            if ![y, m, d].iter().all(|v| v.abs() < 1e9) {
                return Err(unsupported("DATE of numbers out of range"));
            }
            let (d, mut m, mut y) = (d.trunc() as i64, m.trunc() as i64, y.trunc() as i64);
            if y < 1900 {
                y += 1900;
            }
            let delta = (m - 1).div_euclid(12);
            y += delta;
            m -= delta * 12;
            if is_valid_date(y, m, 1) {
                let serial = date_to_number(y, m, 1) + (d - 1);
                if (0..=max_date()).contains(&serial) {
                    V::Num(serial as f64)
                } else {
                    value::err("Date outside of bounds.")
                }
            } else {
                value::err("Invalid date.")
            }
        }
        "YEAR" | "MONTH" | "DAY" => {
            let n = tryv!(num(arg(0))?);
            if n < 0.0 {
                return Ok(value::err("Value too small."));
            }
            if n > 1e9 {
                return Err(unsupported("a date serial out of range"));
            }
            let (y, m, d) = number_to_date(n);
            V::Num(match name {
                "YEAR" => y,
                "MONTH" => m,
                _ => d,
            } as f64)
        }
        "TODAY" => V::Num(cx.today),
        "EDATE" | "EOMONTH" => {
            let n = tryv!(num(arg(0))?);
            if n < 0.0 {
                return Ok(value::err("Value too small."));
            }
            let delta = tryv!(num(arg(1))?);
            if n > 1e9 || delta.abs() > 1e9 {
                return Err(unsupported(format!("{name} out of range")));
            }
            let (y, m, d) = number_to_date(n);
            // `offsetMonth`: a fractional or negative month total makes no date
            // (NaN, then out of bounds).
            let total = (12 * y + m - 1) as f64 + delta;
            if total.fract() != 0.0 || total < 0.0 {
                return Ok(value::err("Date outside of bounds."));
            }
            let total = total as i64;
            let (y, m) = (total / 12, total % 12 + 1);
            // EDATE truncates the day to a common year's month length (29 February
            // too); EOMONTH takes the month's last day.
            const COMMON: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            let day = if name == "EDATE" {
                d.min(COMMON[(m - 1) as usize])
            } else {
                value::days_in_month(y, m)
            };
            let serial = date_to_number(y, m, day);
            if (0..=max_date()).contains(&serial) {
                V::Num(serial as f64)
            } else {
                value::err("Date outside of bounds.")
            }
        }
        "BALANCE_OF" => {
            let key = tryv!(to_text(arg(0)));
            V::Num(cx.balances.get(&key).copied().unwrap_or(0.0))
        }
        "INTEGER_TO_AMOUNT" => {
            let amount = tryv!(num(arg(0))?);
            let places = match args.get(1) {
                Some(p) => tryv!(num(p)?),
                None => 2.0,
            };
            let Some(divisor) = value::js_pow10(places) else {
                return Err(unsupported(format!("INTEGER_TO_AMOUNT to {places} places")));
            };
            V::Num(amount / divisor)
        }
        "FIXED" => {
            let x = tryv!(num(arg(0))?);
            let places = match args.get(1) {
                Some(p) => tryv!(num(p)?),
                None => 0.0,
            };
            let digits = places.trunc();
            if !(0.0..=20.0).contains(&digits) || x.abs() >= 1e21 {
                return Err(unsupported("FIXED beyond what toFixed formats plainly"));
            }
            V::Str(to_fixed(x, digits as usize))
        }
        _ => return Err(unsupported(format!("the function {name}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::to_fixed;

    #[test]
    fn to_fixed_rounds_like_javascript() {
        assert_eq!(to_fixed(2.5, 0), "3");
        assert_eq!(to_fixed(1.005, 2), "1.00");
        assert_eq!(to_fixed(-1.5, 0), "-2");
        assert_eq!(to_fixed(12.345, 1), "12.3");
        assert_eq!(to_fixed(0.0, 2), "0.00");
    }
}
