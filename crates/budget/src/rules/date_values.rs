//! What a date condition's value parses as (`server/rules/rule-utils.ts`
//! parseDateString and parseRecurDate, `shared/schedules.ts` recurConfigToRSchedule,
//! and the option checks `@rschedule/core` makes when the schedule is built): only
//! whether it parses matters to a read, as the value itself is returned unparsed.
//!
//! The shapes the app writes are decided here; anything else is [`Parse::Unknown`].

use serde_json::{Map, Value};

use crate::json::truthy;

/// The kind of a parsed date value, or why there is none.
#[derive(Debug, PartialEq)]
pub enum Parse {
    Date,
    Month,
    Year,
    Recur,
    /// Upstream throws a rule error: the rule is left out.
    Invalid,
    /// Not decided here.
    Unknown,
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `dateFns.isValid(dateFns.parseISO(s))` for `YYYY-MM-DD`; `None` for other shapes.
fn iso_day_is_valid(s: &str) -> Option<bool> {
    let parts: Vec<&str> = s.split('-').collect();
    match parts[..] {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            if !(is_digits(y) && is_digits(m) && is_digits(d)) {
                return None;
            }
            let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
            Some((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m))
        }
        _ => None,
    }
}

/// `parseDateString`: a day, a month or a year by the string's length.
pub fn parse_date_string(s: &str) -> Parse {
    let valid = match s.len() {
        10 => iso_day_is_valid(s).map(|ok| (ok, Parse::Date)),
        7 => iso_day_is_valid(&format!("{s}-01")).map(|ok| (ok, Parse::Month)),
        4 => iso_day_is_valid(&format!("{s}-01-01")).map(|ok| (ok, Parse::Year)),
        _ => return Parse::Invalid,
    };
    match valid {
        Some((true, kind)) => kind,
        Some((false, _)) => Parse::Invalid,
        None => Parse::Unknown,
    }
}

/// A `YYYY-MM-DD` string of digits: `monthUtils.parseDate` makes a valid local date of
/// it (impossible days roll over).
fn is_plain_day(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        let parts: Vec<&str> = s.split('-').collect();
        matches!(parts[..], [y, m, d] if y.len() == 4 && is_digits(y) && is_digits(m) && is_digits(d) && m.len() <= 2 && d.len() <= 2)
    })
}

/// A JavaScript number that is a whole number (`Number.isInteger`).
fn is_integer(v: &Value) -> bool {
    v.as_f64()
        .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
}

/// Whether a recurring date config (`{ frequency, start, interval, endMode, ... }`)
/// builds a schedule.
pub fn parse_recur(config: &Map<String, Value>) -> Parse {
    let get = |k: &str| config.get(k);
    let frequency = match get("frequency") {
        Some(Value::String(f)) => f.as_str(),
        // `config.frequency.toUpperCase()` throws, and the error becomes a rule error.
        Some(Value::Null) | None => return Parse::Invalid,
        Some(_) => return Parse::Invalid,
    };
    if !matches!(frequency, "daily" | "weekly" | "monthly" | "yearly") {
        return Parse::Invalid;
    }
    if !get("start").is_some_and(is_plain_day) {
        return Parse::Unknown;
    }
    // `if (config.interval) base.interval = config.interval`, then rschedule wants a
    // whole number of at least 1.
    if let Some(interval) = get("interval").filter(|v| truthy(v)) {
        if !interval.is_number() {
            return Parse::Invalid;
        }
        if !is_integer(interval) || interval.as_f64().unwrap_or(0.0) < 1.0 {
            return Parse::Invalid;
        }
    }
    match get("endMode").and_then(Value::as_str) {
        Some("after_n_occurrences") => match get("endOccurrences") {
            None => {}
            Some(n) if is_integer(n) && n.as_f64().unwrap_or(-1.0) >= 0.0 => {}
            Some(_) => return Parse::Invalid,
        },
        Some("on_date") if !get("endDate").is_some_and(is_plain_day) => return Parse::Unknown,
        _ => {}
    }
    if frequency == "monthly" {
        return parse_monthly_patterns(get("patterns"));
    }
    Parse::Recur
}

/// The `patterns` of a monthly config: days of the month and (nth) weekdays.
fn parse_monthly_patterns(patterns: Option<&Value>) -> Parse {
    let items = match patterns {
        None | Some(Value::Null) => return Parse::Recur,
        Some(Value::Array(items)) => items,
        Some(other) if !truthy(other) => return Parse::Recur,
        Some(_) => return Parse::Unknown,
    };
    for p in items {
        let Some(p) = p.as_object() else {
            return Parse::Unknown;
        };
        let value = p.get("value");
        match p.get("type") {
            Some(Value::String(t)) if t == "day" => {
                let Some(n) = value.and_then(Value::as_f64) else {
                    return Parse::Unknown;
                };
                if n == 0.0 || !(-31.0..=31.0).contains(&n) {
                    return Parse::Invalid;
                }
                if n.fract() != 0.0 {
                    return Parse::Unknown;
                }
            }
            Some(Value::String(t)) => {
                let day: String = t.chars().take(2).collect::<String>().to_uppercase();
                if !["SU", "MO", "TU", "WE", "TH", "FR", "SA"].contains(&day.as_str()) {
                    return Parse::Invalid;
                }
                match value.and_then(Value::as_f64) {
                    Some(n) if n == 0.0 || !(-31.0..=31.0).contains(&n) => return Parse::Invalid,
                    Some(n) if n.fract() == 0.0 => {}
                    _ => return Parse::Unknown,
                }
            }
            _ => return Parse::Unknown,
        }
    }
    Parse::Recur
}

/// `CONDITION_TYPES.date.parse`: the value's kind, then the operator's demands.
pub fn parse_date_condition(op: &str, value: &Value) -> Parse {
    let parsed = match value {
        Value::String(s) => parse_date_string(s),
        Value::Object(config) if config.get("frequency").is_some_and(|f| !f.is_null()) => {
            parse_recur(config)
        }
        _ => Parse::Invalid,
    };
    match (&parsed, op) {
        (Parse::Invalid | Parse::Unknown, _) => parsed,
        (Parse::Date | Parse::Recur, "isapprox") => parsed,
        (_, "isapprox") => Parse::Invalid,
        (Parse::Date, "gt" | "gte" | "lt" | "lte") => parsed,
        (_, "gt" | "gte" | "lt" | "lte") => Parse::Invalid,
        _ => parsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn date_strings_by_length() {
        assert_eq!(parse_date_string("2024-02-29"), Parse::Date);
        assert_eq!(parse_date_string("2023-02-29"), Parse::Invalid);
        assert_eq!(parse_date_string("2024-13-01"), Parse::Invalid);
        assert_eq!(parse_date_string("2024-05"), Parse::Month);
        assert_eq!(parse_date_string("2024"), Parse::Year);
        assert_eq!(parse_date_string("2024-5-6"), Parse::Invalid);
        assert_eq!(parse_date_string("2024-W01-1"), Parse::Unknown);
    }

    #[test]
    fn operators_restrict_kinds() {
        let recur = json!({ "frequency": "weekly", "start": "2024-01-06" });
        assert_eq!(parse_date_condition("isapprox", &recur), Parse::Recur);
        assert_eq!(parse_date_condition("gt", &recur), Parse::Invalid);
        assert_eq!(
            parse_date_condition("isapprox", &json!("2024-01")),
            Parse::Invalid
        );
        assert_eq!(parse_date_condition("is", &json!("2024-01")), Parse::Month);
        assert_eq!(parse_date_condition("is", &json!(20240101)), Parse::Invalid);
    }

    #[test]
    fn recurring_configs() {
        let ok = json!({ "frequency": "monthly", "start": "2024-01-31", "interval": 2,
            "endMode": "after_n_occurrences", "endOccurrences": 3,
            "patterns": [{ "type": "day", "value": -1 }, { "type": "friday", "value": 2 }] });
        assert_eq!(parse_recur(ok.as_object().unwrap()), Parse::Recur);
        let bad_interval = json!({ "frequency": "daily", "start": "2024-01-01", "interval": 1.5 });
        assert_eq!(
            parse_recur(bad_interval.as_object().unwrap()),
            Parse::Invalid
        );
        let bad_freq = json!({ "frequency": "Monthly", "start": "2024-01-01" });
        assert_eq!(parse_recur(bad_freq.as_object().unwrap()), Parse::Invalid);
        let bad_day = json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [{ "type": "day", "value": 0 }] });
        assert_eq!(parse_recur(bad_day.as_object().unwrap()), Parse::Invalid);
        let odd_start = json!({ "frequency": "daily", "start": 5 });
        assert_eq!(parse_recur(odd_start.as_object().unwrap()), Parse::Unknown);
    }
}
