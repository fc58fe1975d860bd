//! Recurring dates in rule conditions: upstream's `recurConfigToRSchedule`
//! (`shared/schedules.ts`) turns a schedule's date config into rSchedule recurrence
//! rules (`@rschedule/core` 1.5), and conditions ask `occursOn` / `occursBetween`
//! (`server/rules/condition.ts`).
//!
//! Every occurrence is at local noon (`byHourOfDay: [12]` from a start parsed at noon)
//! and every day asked about is at local noon too, so the rules reduce to calendar days:
//! a day is an occurrence when it is on or after the start, in a period whose distance
//! from the start's period is a multiple of the interval (days; weeks from the Monday
//! of the start's week; months; years), matches the rule's day filters (the start's
//! weekday for weekly rules; the start's day of the month, or the pattern's days or
//! nth weekdays, for monthly ones; the start's month and day for yearly ones — a day
//! a month lacks is skipped, never moved), and is on or before the end date or among
//! the first `count` occurrences.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::Value;

use crate::dates::parse_date_like;
use crate::{BudgetError, Result};

/// rSchedule enumerates a rule with a `count` from its start; a larger count than
/// this is not enumerated here.
const MAX_COUNTED_OCCURRENCES: i64 = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Debug, Clone)]
enum DayFilter {
    /// Days of the month; negative ones count from the month's end.
    MonthDays(Vec<i64>),
    /// `[weekday, nth]` entries: the nth (or, negative, nth last) such weekday.
    NthWeekdays(Vec<(Weekday, i64)>),
}

/// One rSchedule recurrence rule.
#[derive(Debug, Clone)]
struct RecurrenceRule {
    start: NaiveDate,
    frequency: Frequency,
    interval: i64,
    filter: Option<DayFilter>,
    /// The last occurrence (from `end`, or the `count`th occurrence); `None` when the
    /// rule never ends, and `Some(None)`-like emptiness is `empty`.
    last: Option<NaiveDate>,
    empty: bool,
}

/// The recurring date of a condition: the union of its rules' occurrences.
#[derive(Debug, Clone)]
pub struct Recurrence {
    rules: Vec<RecurrenceRule>,
}

/// Why a config is refused: upstream's `parse-recur-date` (rSchedule or the config
/// conversion threw), or a shape whose outcome this port does not reproduce.
pub enum RecurError {
    Invalid(String),
    Unsupported(&'static str),
}

fn invalid(message: &str) -> RecurError {
    RecurError::Invalid(message.to_string())
}

/// `parseDate(x)` of a config date: only strings (numbers are moments at any hour,
/// which this port does not follow).
fn config_day(v: Option<&Value>, what: &'static str) -> Result<Option<NaiveDate>, RecurError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(s @ Value::String(_)) => parse_date_like(s)
            .map(Some)
            .ok_or_else(|| invalid("Invalid date")),
        Some(_) => Err(RecurError::Unsupported(what)),
    }
}

fn integer(v: &Value) -> Option<i64> {
    v.as_f64()
        .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
        .map(|f| f as i64)
}

fn weekday_of(name: &str) -> Option<Weekday> {
    // `abbrevDay`: the first two letters, upper-cased.
    let abbrev: String = name
        .encode_utf16()
        .take(2)
        .map(|u| char::from_u32(u as u32).unwrap_or('\u{fffd}'))
        .collect::<String>()
        .to_uppercase();
    Some(match abbrev.as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

impl Recurrence {
    /// `parseRecurDate(config)`; the caller has checked `config.frequency != null`.
    pub fn parse(config: &Value) -> Result<Recurrence, RecurError> {
        let get = |k: &str| config.get(k);
        let frequency_name = match get("frequency") {
            Some(Value::String(s)) => s.as_str(),
            _ => return Err(invalid("config.frequency.toUpperCase is not a function")),
        };
        let start = match get("start") {
            None | Some(Value::Null) => return Err(invalid("\"start\" must be either a `DateAdapter` instance or an instance of the date a DateAdapter is wrapping (e.g. `StandardDateAdapter` wraps a `Date`)")),
            v => config_day(v, "a recurring date whose start is not a string")?
                .ok_or_else(|| invalid("Invalid date"))?,
        };
        let interval = match get("interval") {
            Some(v) if crate::rules::js::truthy(v) => match integer(v) {
                Some(n) if n >= 1 => n,
                Some(_) => return Err(invalid("\"interval\" cannot be less than 1")),
                None if v.is_number() => {
                    return Err(invalid("\"interval\" expects a whole number"))
                }
                None => {
                    return Err(RecurError::Unsupported(
                        "a recurring date whose interval is not a number",
                    ))
                }
            },
            _ => 1,
        };
        let mut count = None;
        let mut end = None;
        match get("endMode").and_then(Value::as_str) {
            Some("after_n_occurrences") => match get("endOccurrences") {
                None => {}
                Some(v) => match integer(v) {
                    Some(n) if n >= 0 => count = Some(n),
                    Some(_) => return Err(invalid("\"count\" must be greater than 0")),
                    None if v.is_null() || v.is_number() => {
                        return Err(invalid("\"count\" must be a whole number"))
                    }
                    None => {
                        return Err(RecurError::Unsupported(
                            "a recurring date whose occurrence count is not a number",
                        ))
                    }
                },
            },
            Some("on_date") => {
                end = config_day(
                    get("endDate"),
                    "a recurring date whose end date is not a string",
                )?;
            }
            _ => {}
        }
        let frequency = match frequency_name {
            "daily" => Frequency::Daily,
            "weekly" => Frequency::Weekly,
            "monthly" => Frequency::Monthly,
            "yearly" => Frequency::Yearly,
            _ => return Err(invalid("Invalid recurring date config")),
        };
        let mut filters = vec![None];
        if frequency == Frequency::Monthly {
            if let Some(patterns) = get("patterns").filter(|p| crate::rules::js::truthy(p)) {
                let Value::Array(patterns) = patterns else {
                    return Err(RecurError::Unsupported(
                        "a recurring date whose patterns are not a list",
                    ));
                };
                if !patterns.is_empty() {
                    filters = monthly_filters(patterns)?.into_iter().map(Some).collect();
                }
            }
        }
        let mut rules = Vec::new();
        for filter in filters {
            let mut rule = RecurrenceRule {
                start,
                frequency,
                interval,
                filter,
                last: end,
                empty: false,
            };
            if let Some(n) = count {
                if n > MAX_COUNTED_OCCURRENCES {
                    return Err(RecurError::Unsupported(
                        "a recurring date with more than 50,000 occurrences",
                    ));
                }
                match rule.nth_occurrence(n) {
                    Some(last) => rule.last = Some(last),
                    None => rule.empty = true,
                }
            }
            rules.push(rule);
        }
        Ok(Recurrence { rules })
    }

    /// `schedule.occursOn({ date })`.
    pub fn occurs_on(&self, day: NaiveDate) -> bool {
        self.rules.iter().any(|r| r.occurs_on(day))
    }

    /// `schedule.occursBetween(from, to)`, both days included.
    pub fn occurs_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let mut d = from;
        while d <= to {
            if self.occurs_on(d) {
                return true;
            }
            d = d.succ_opt().unwrap_or(to + Duration::days(1));
        }
        false
    }
}

/// The monthly patterns as rSchedule rules: one for the `day` patterns
/// (`byDayOfMonth`), one for the weekday ones (`byDayOfWeek`), each when present.
fn monthly_filters(patterns: &[Value]) -> Result<Vec<DayFilter>, RecurError> {
    let mut days = Vec::new();
    let mut weekdays = Vec::new();
    for p in patterns {
        let Value::Object(p) = p else {
            return Err(if p.is_null() {
                invalid("Cannot read properties of null (reading 'type')")
            } else {
                RecurError::Unsupported("a recurring date pattern that is not an object")
            });
        };
        let value = p.get("value");
        let n = match value.and_then(integer) {
            Some(n) => n,
            None if value.is_some_and(Value::is_number) => {
                return Err(RecurError::Unsupported(
                    "a recurring date pattern whose value is not a whole number",
                ))
            }
            None => {
                return Err(RecurError::Unsupported(
                    "a recurring date pattern without a numeric value",
                ))
            }
        };
        if n == 0 || !(-31..=31).contains(&n) {
            return Err(invalid("pattern value out of range"));
        }
        match p.get("type") {
            Some(Value::String(t)) if t == "day" => days.push(n),
            Some(Value::String(t)) => match weekday_of(t) {
                Some(wd) => weekdays.push((wd, n)),
                None => return Err(invalid("\"byDayOfWeek\" expects weedays")),
            },
            _ => {
                return Err(RecurError::Unsupported(
                    "a recurring date pattern whose type is not a string",
                ))
            }
        }
    }
    let mut out = Vec::new();
    if !days.is_empty() {
        out.push(DayFilter::MonthDays(days));
    }
    if !weekdays.is_empty() {
        out.push(DayFilter::NthWeekdays(weekdays));
    }
    Ok(out)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(y, m, 1);
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    match (first, next) {
        (Some(a), Some(b)) => (b - a).num_days() as u32,
        _ => 31,
    }
}

/// rSchedule's `getNthWeekdayOfMonth`: from the month's first day (or, for a negative
/// nth, the next month's), the next such weekday, moved by whole weeks. It may land
/// outside the month, and then matches no day of it.
fn nth_weekday_of_month(y: i32, m: u32, weekday: Weekday, nth: i64) -> Option<NaiveDate> {
    let mut base = NaiveDate::from_ymd_opt(y, m, 1)?;
    if nth < 0 {
        base = if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)?
        };
    }
    let ahead = (7 + weekday.num_days_from_monday() as i64
        - base.weekday().num_days_from_monday() as i64)
        % 7;
    let first = base + Duration::days(ahead);
    let weeks = if nth < 0 { nth } else { nth - 1 };
    first.checked_add_signed(Duration::weeks(weeks))
}

impl RecurrenceRule {
    /// Whether `day` matches the period and day filters (ignoring the end).
    fn matches(&self, day: NaiveDate) -> bool {
        if day < self.start {
            return false;
        }
        let s = self.start;
        let months =
            (day.year() as i64 - s.year() as i64) * 12 + day.month() as i64 - s.month() as i64;
        let period = match self.frequency {
            Frequency::Daily => (day - s).num_days(),
            Frequency::Weekly => {
                let monday = s - Duration::days(s.weekday().num_days_from_monday() as i64);
                (day - monday).num_days().div_euclid(7)
            }
            Frequency::Monthly => months,
            Frequency::Yearly => months.div_euclid(12),
        };
        if period % self.interval != 0 {
            return false;
        }
        let month_day = |days: &[i64]| {
            let len = days_in_month(day.year(), day.month()) as i64;
            days.iter().any(|&d| {
                d.abs() <= len && (if d > 0 { d } else { len + d + 1 }) == day.day() as i64
            })
        };
        match self.frequency {
            Frequency::Daily => true,
            Frequency::Weekly => day.weekday() == s.weekday(),
            Frequency::Yearly => day.month() == s.month() && month_day(&[s.day() as i64]),
            Frequency::Monthly => match &self.filter {
                None => month_day(&[s.day() as i64]),
                Some(DayFilter::MonthDays(days)) => month_day(days),
                Some(DayFilter::NthWeekdays(entries)) => entries.iter().any(|&(wd, nth)| {
                    nth_weekday_of_month(day.year(), day.month(), wd, nth) == Some(day)
                }),
            },
        }
    }

    fn occurs_on(&self, day: NaiveDate) -> bool {
        !self.empty && self.last.is_none_or(|last| day <= last) && self.matches(day)
    }

    /// The `n`th occurrence from the start (`None` for none, as with a count of 0).
    fn nth_occurrence(&self, n: i64) -> Option<NaiveDate> {
        if n <= 0 {
            return None;
        }
        let mut seen = 0;
        let mut day = self.start;
        // Day by day, jumping whole periods that cannot hold an occurrence.
        let limit = NaiveDate::from_ymd_opt(9999, 12, 31)?;
        while day <= limit {
            if self.last.is_some_and(|last| day > last) {
                return self.last;
            }
            if self.matches(day) {
                seen += 1;
                if seen == n {
                    return Some(day);
                }
            }
            day = day.succ_opt()?;
        }
        None
    }
}

impl From<RecurError> for BudgetError {
    fn from(e: RecurError) -> Self {
        match e {
            RecurError::Invalid(m) => BudgetError::invalid("parse-recur-date", m),
            RecurError::Unsupported(what) => BudgetError::Unsupported(what.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> Recurrence {
        match Recurrence::parse(&v) {
            Ok(r) => r,
            Err(_) => panic!("config refused: {v}"),
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn days(r: &Recurrence, from: &str, to: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut x = d(from);
        while x <= d(to) {
            if r.occurs_on(x) {
                out.push(x.format("%Y-%m-%d").to_string());
            }
            x = x.succ_opt().unwrap();
        }
        out
    }

    #[test]
    fn monthly_on_the_31st_skips_short_months() {
        let r = rec(json!({"frequency": "monthly", "start": "2024-01-31", "interval": 1}));
        assert_eq!(
            days(&r, "2024-01-01", "2024-05-31"),
            ["2024-01-31", "2024-03-31", "2024-05-31"]
        );
    }

    #[test]
    fn weekly_with_an_interval_counts_weeks_from_the_start() {
        let r = rec(json!({"frequency": "weekly", "start": "2024-01-06", "interval": 2}));
        assert_eq!(
            days(&r, "2024-01-01", "2024-02-10"),
            ["2024-01-06", "2024-01-20", "2024-02-03"]
        );
    }

    #[test]
    fn monthly_patterns_make_two_rules_each_with_its_count() {
        let r = rec(json!({
            "frequency": "monthly", "start": "2024-01-01", "endMode": "after_n_occurrences", "endOccurrences": 2,
            "patterns": [{"type": "day", "value": -1}, {"type": "friday", "value": -1}, {"type": "day", "value": 15}]
        }));
        // days: Jan 15, Jan 31 (two); last Fridays: Jan 26, Feb 23 (two).
        assert_eq!(
            days(&r, "2024-01-01", "2024-03-31"),
            ["2024-01-15", "2024-01-26", "2024-01-31", "2024-02-23"]
        );
    }

    #[test]
    fn yearly_on_february_29th_only_in_leap_years() {
        let r = rec(
            json!({"frequency": "yearly", "start": "2024-02-29", "endMode": "on_date", "endDate": "2032-03-01"}),
        );
        assert_eq!(
            days(&r, "2024-01-01", "2033-12-31"),
            ["2024-02-29", "2028-02-29", "2032-02-29"]
        );
    }

    #[test]
    fn bad_configs_are_parse_errors() {
        for bad in [
            json!({"frequency": "hourly", "start": "2024-01-01"}),
            json!({"frequency": "daily"}),
            json!({"frequency": "daily", "start": "2024-01-01", "interval": 1.5}),
            json!({"frequency": "daily", "start": "2024-01-01", "interval": -1}),
            json!({"frequency": "daily", "start": "junk"}),
            json!({"frequency": "monthly", "start": "2024-01-01", "patterns": [{"type": "day", "value": 32}]}),
        ] {
            assert!(
                matches!(Recurrence::parse(&bad), Err(RecurError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn nth_weekdays_beyond_the_month_match_nothing() {
        let r = rec(
            json!({"frequency": "monthly", "start": "2024-01-01", "patterns": [{"type": "monday", "value": 5}]}),
        );
        // Mondays: Jan 2024 has five (29th), Feb has four, Apr has five (29th).
        assert_eq!(
            days(&r, "2024-01-01", "2024-04-30"),
            ["2024-01-29", "2024-04-29"]
        );
    }
}
