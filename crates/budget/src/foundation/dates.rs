//! Upstream's date rules (`shared/months.ts`, `server/models.ts`): days and months are
//! local time, strings are split on `-` and read with `parseInt`, and a day is built
//! at noon (`new Date(y, m - 1, d, 12)`), so impossible days roll over (`2024-02-30`
//! is March 1st) and no DST shift moves it to another day.

use chrono::{Datelike, Duration, Local, NaiveDate, TimeZone};
use serde_json::Value;

use crate::foundation::error::{BudgetError, Result};

/// JavaScript's `parseInt(s)` for base 10: optional whitespace and sign, then the
/// leading digits; `None` is `NaN`.
pub fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let n: i64 = digits[..end].parse().ok()?;
    Some(if neg { -n } else { n })
}

/// `new Date(year, monthIndex, day)`'s calendar arithmetic: months and days outside
/// their range carry into the next unit; years 0–99 mean 1900–1999.
pub fn js_date(year: i64, month_index: i64, day: i64) -> Option<NaiveDate> {
    let year = if (0..=99).contains(&year) {
        year + 1900
    } else {
        year
    };
    let total_months = year.checked_mul(12)?.checked_add(month_index)?;
    let y = i32::try_from(total_months.div_euclid(12)).ok()?;
    let m = u32::try_from(total_months.rem_euclid(12)).ok()? + 1;
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    first.checked_add_signed(Duration::try_days(day.checked_sub(1)?)?)
}

/// The local calendar day of a moment given in milliseconds since the epoch.
pub fn local_day_of_millis(ms: f64) -> Option<NaiveDate> {
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        return None;
    }
    let ms = ms.trunc() as i64;
    Local
        .timestamp_millis_opt(ms)
        .earliest()
        .map(|t| t.date_naive())
}

/// Upstream `_parse` (a `DateLike` to a day): a string `Y`, `Y-M` or `Y-M-D`; a number
/// or a `Date` (sent as `{ "$date": ms }`) is a moment, taken in local time.
/// `None` is JavaScript's Invalid Date.
pub fn parse_date_like(value: &Value) -> Option<NaiveDate> {
    match value {
        Value::String(s) => {
            let mut parts = s.split('-');
            let year = parts.next().and_then(parse_int);
            let month = parts.next().map(parse_int);
            let day = parts.next().map(parse_int);
            match (year, month, day) {
                (Some(y), Some(Some(m)), Some(Some(d))) => js_date(y, m - 1, d),
                (Some(y), Some(Some(m)), None) => js_date(y, m - 1, 1),
                (Some(y), None, None) => js_date(y, 0, 1),
                _ => None,
            }
        }
        Value::Number(n) => n.as_f64().and_then(local_day_of_millis),
        Value::Object(o) => o
            .get("$date")
            .and_then(Value::as_f64)
            .and_then(local_day_of_millis),
        _ => None,
    }
}

/// `date-fns` `format` throws this for an Invalid Date.
pub fn invalid_time_value() -> BudgetError {
    BudgetError::invalid("invalid-date", "Invalid time value")
}

/// `dayFromDate`: `yyyy-MM-dd`.
pub fn day_string(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// `monthFromDate`: `yyyy-MM`.
pub fn month_string(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// `dayFromDate(value)`, failing as `format` does on an Invalid Date.
pub fn day_from_date_like(value: &Value) -> Result<String> {
    parse_date_like(value)
        .map(day_string)
        .ok_or_else(invalid_time_value)
}

/// `toDateRepr`: `2024-05-06` -> `20240506` (`parseInt` of the string without dashes).
pub fn to_date_repr(day: &str) -> Option<i64> {
    parse_int(&day.replace('-', ""))
}

/// `fromDateRepr`: `20240506` -> `2024-05-06` (slices of the number's digits).
pub fn from_date_repr(n: i64) -> String {
    let s = n.to_string();
    let cut = |from: usize, to: usize| s.get(from.min(s.len())..to.min(s.len())).unwrap_or("");
    format!("{}-{}-{}", cut(0, 4), cut(4, 6), cut(6, s.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(s: &str) -> Option<String> {
        parse_date_like(&json!(s)).map(day_string)
    }

    #[test]
    fn strings_follow_js_date_construction() {
        assert_eq!(day("2024-05-06").as_deref(), Some("2024-05-06"));
        assert_eq!(day("2024-02-30").as_deref(), Some("2024-03-01"));
        assert_eq!(day("2023-13-01").as_deref(), Some("2024-01-01"));
        assert_eq!(day("2024-00-10").as_deref(), Some("2023-12-10"));
        assert_eq!(day("2024-05").as_deref(), Some("2024-05-01"));
        assert_eq!(day("2024").as_deref(), Some("2024-01-01"));
        assert_eq!(day("2024-5-6x").as_deref(), Some("2024-05-06"));
        assert_eq!(day("99-01-01").as_deref(), Some("1999-01-01"));
        assert_eq!(day("bad"), None);
        assert_eq!(day("2024-xx-01"), None);
        assert_eq!(day(""), None);
    }

    #[test]
    fn date_reprs_round_trip_as_upstream_slices_them() {
        assert_eq!(to_date_repr("2024-05-06"), Some(20240506));
        assert_eq!(from_date_repr(20240506), "2024-05-06");
        assert_eq!(from_date_repr(202405), "2024-05-");
    }

    #[test]
    fn parse_int_reads_leading_digits() {
        assert_eq!(parse_int(" 12ab"), Some(12));
        assert_eq!(parse_int("-3"), Some(-3));
        assert_eq!(parse_int("x1"), None);
    }
}
