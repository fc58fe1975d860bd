//! Recurring dates (`shared/schedules.ts` recurConfigToRSchedule over `@rschedule/core`
//! 1.5): what a date condition's recurring config parses to (`server/rules/
//! rule-utils.ts` parseRecurDate), the days it occurs on (`occursOn`, `occursBetween`
//! in `server/rules/condition.ts`) and a schedule's next date (`getNextDate`): the
//! first occurrence on or after a day, else the last occurrence there is, moved off a
//! weekend when asked.
//!
//! Occurrences are at noon local time, so they are calendar days here. rSchedule's
//! rules as `recurConfigToRSchedule` builds them:
//! - daily and weekly: every `interval` days or weeks from the start (weekly on the
//!   start's weekday);
//! - monthly: every `interval` months from the start's month, on the start's day of
//!   the month, or on the days (`-1` is the last) and the nth weekdays the patterns
//!   name (two rules then, each with its own count); months without such a day are
//!   skipped;
//! - yearly: every `interval` years on the start's month and day;
//! - `count` occurrences from the start, or none after the end day.
//!
//! rSchedule's search for nth weekdays has a quirk that [`WeekdaySearch`] follows
//! step by step. Where rSchedule would give up (and upstream then throws), or a case
//! is not followed here, the answer is [`NoDate::Unknown`].

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{Map, Value};

use crate::foundation::dates::{js_date, parse_date_like};
use crate::foundation::js::is_truthy;

/// Why a config gives no recurrence.
#[derive(Debug, PartialEq)]
pub enum RecurError {
    /// `recurConfigToRSchedule` or rSchedule throws: upstream's `parse-recur-date`.
    Invalid,
    /// A shape whose outcome is not followed here (named).
    Unsupported(&'static str),
}

/// How many periods in a row without an occurrence are searched before the answer is
/// unknown: rSchedule gives up after 50 tries, which this stays well below.
const MAX_EMPTY_PERIODS: u32 = 5;
/// How many occurrences are walked at most.
const MAX_STEPS: u32 = 200_000;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// What one rSchedule rule picks within a period.
#[derive(Clone, Debug)]
enum Pick {
    /// The start's own day (daily, weekly, yearly; monthly without patterns).
    Start,
    DaysOfMonth(Vec<i64>),
    /// `(weekday, n)`: the nth such weekday of the month, from its end when negative.
    WeekdaysOfMonth(Vec<(Weekday, i64)>),
}

/// A recurring date config, as rSchedule rules.
#[derive(Clone, Debug)]
pub struct Recurrence {
    start: NaiveDate,
    frequency: Frequency,
    interval: i64,
    count: Option<u64>,
    end: Option<NaiveDate>,
    picks: Vec<Pick>,
    skip_weekend: bool,
    weekend_solve: Option<String>,
}

/// Why there is no next date.
#[derive(Debug, PartialEq)]
pub enum NoDate {
    /// Upstream throws (its caller catches it and changes nothing).
    Throws,
    /// Not decided here.
    Unknown,
}

fn weekday(abbrev: &str) -> Option<Weekday> {
    Some(match abbrev {
        "SU" => Weekday::Sun,
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        _ => return None,
    })
}

fn whole(v: &Value) -> Option<i64> {
    v.as_f64()
        .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
        .map(|f| f as i64)
}

/// An rSchedule option that must be a whole number (`Number.isInteger`): `None` when it
/// is not one (rSchedule throws).
fn whole_option(v: &Value, huge: &'static str) -> Result<Option<i64>, RecurError> {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() >= 1e15 => Err(RecurError::Unsupported(huge)),
        _ => Ok(whole(v)),
    }
}

/// A config date (`monthUtils.parseDate(x)`): `None` for undefined and null. Only
/// strings are followed (a number is a moment at any hour).
fn config_day(v: Option<&Value>, what: &'static str) -> Result<Option<NaiveDate>, RecurError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        // An Invalid Date: rSchedule's "StandardDateAdapter has invalid date".
        Some(s @ Value::String(_)) => parse_date_like(s).map(Some).ok_or(RecurError::Invalid),
        Some(_) => Err(RecurError::Unsupported(what)),
    }
}

/// `abbrevDay(name)`: the first two UTF-16 units, upper-cased, as a weekday.
fn weekday_of(name: &str) -> Option<Weekday> {
    let abbrev: String = char::decode_utf16(name.encode_utf16().take(2))
        .map(|c| c.unwrap_or('\u{fffd}'))
        .collect::<String>()
        .to_uppercase();
    weekday(&abbrev)
}

/// The picks of a monthly config's `patterns` (`byDayOfMonth`, `byDayOfWeek`).
fn monthly_picks(patterns: &[Value]) -> Result<Vec<Pick>, RecurError> {
    let (mut days, mut names) = (Vec::new(), Vec::new());
    // Every check that throws makes the config invalid, whatever the others say.
    let mut unsupported = None;
    for p in patterns {
        // `p.type` of null throws; any other type than a string throws in `abbrevDay`.
        let Some(kind) = p.get("type").and_then(Value::as_str) else {
            return Err(RecurError::Invalid);
        };
        let value = p.get("value");
        let n = value.and_then(whole);
        let in_range = |v: f64| v != 0.0 && (-31.0..=31.0).contains(&v);
        if kind != "day" {
            let Some(wd) = weekday_of(kind) else {
                return Err(RecurError::Invalid);
            };
            match n {
                Some(n) if in_range(n as f64) => names.push((wd, n)),
                Some(_) => return Err(RecurError::Invalid),
                None if value.and_then(Value::as_f64).is_some_and(|v| !in_range(v)) => {
                    return Err(RecurError::Invalid)
                }
                None => {
                    unsupported
                        .get_or_insert("a recurring date weekday pattern without a whole number");
                }
            }
            continue;
        }
        match (n, value.and_then(Value::as_f64)) {
            (Some(n), _) if in_range(n as f64) => days.push(n),
            (_, Some(v)) if !in_range(v) => return Err(RecurError::Invalid),
            _ => {
                unsupported.get_or_insert("a recurring date day pattern without a whole number");
            }
        }
    }
    if let Some(what) = unsupported {
        return Err(RecurError::Unsupported(what));
    }
    Ok([
        (!days.is_empty()).then_some(Pick::DaysOfMonth(days)),
        (!names.is_empty()).then_some(Pick::WeekdaysOfMonth(names)),
    ]
    .into_iter()
    .flatten()
    .collect())
}

impl Recurrence {
    /// `parseRecurDate(config)` (the caller has checked `config.frequency != null`):
    /// `recurConfigToRSchedule`, then the option checks rSchedule makes.
    pub fn parse(config: &Map<String, Value>) -> Result<Recurrence, RecurError> {
        let get = |k: &str| config.get(k);
        // `config.frequency.toUpperCase()`
        let Some(frequency) = get("frequency").and_then(Value::as_str) else {
            return Err(RecurError::Invalid);
        };
        let frequency = match frequency {
            "daily" => Frequency::Daily,
            "weekly" => Frequency::Weekly,
            "monthly" => Frequency::Monthly,
            "yearly" => Frequency::Yearly,
            _ => return Err(RecurError::Invalid),
        };
        // rSchedule: "start" must be a date, and a valid one.
        let start = config_day(get("start"), "a recurring date whose start is not a string")?
            .ok_or(RecurError::Invalid)?;
        // `if (config.interval) base.interval = config.interval`: a whole number from 1.
        let interval = match get("interval").filter(|v| is_truthy(v)) {
            None => 1,
            Some(v) => whole_option(v, "a recurring date with a huge interval")?
                .filter(|n| *n >= 1)
                .ok_or(RecurError::Invalid)?,
        };
        let (mut count, mut end) = (None, None);
        match get("endMode").and_then(Value::as_str) {
            Some("after_n_occurrences") => {
                if let Some(n) = get("endOccurrences") {
                    let n = whole_option(n, "a recurring date with a huge count")?
                        .ok_or(RecurError::Invalid)?;
                    count = Some(u64::try_from(n).map_err(|_| RecurError::Invalid)?);
                }
            }
            Some("on_date") => {
                end = config_day(
                    get("endDate"),
                    "a recurring date whose end date is not a string",
                )?
            }
            _ => {}
        }
        let mut picks = vec![Pick::Start];
        if frequency == Frequency::Monthly {
            // `config.patterns && config.patterns.length > 0`, then `patterns.filter`.
            match get("patterns") {
                Some(Value::Array(patterns)) if !patterns.is_empty() => {
                    picks = monthly_picks(patterns)?;
                }
                Some(Value::String(s)) if !s.is_empty() => return Err(RecurError::Invalid),
                Some(Value::Object(o)) if o.contains_key("length") => {
                    return Err(RecurError::Unsupported(
                        "a recurring date whose patterns are an object with a length",
                    ))
                }
                _ => {}
            }
        }
        Ok(Recurrence {
            start,
            frequency,
            interval,
            count,
            end,
            picks,
            skip_weekend: get("skipWeekend").is_some_and(is_truthy),
            weekend_solve: get("weekendSolveMode")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    /// The occurrences period `k` (the kth interval from the start) holds for `pick`,
    /// in order; `None` past the dates chrono handles.
    fn period(&self, pick: &Pick, k: i64) -> Option<Vec<NaiveDate>> {
        let s = self.start;
        let step = k.checked_mul(self.interval)?;
        let days = |n: i64| s.checked_add_signed(Duration::try_days(n)?);
        Some(match self.frequency {
            Frequency::Daily => vec![days(step)?],
            Frequency::Weekly => vec![days(step.checked_mul(7)?)?],
            Frequency::Yearly => {
                let y = i32::try_from(i64::from(s.year()).checked_add(step)?).ok()?;
                NaiveDate::from_ymd_opt(y, s.month(), s.day())
                    .into_iter()
                    .collect()
            }
            Frequency::Monthly => month_days(self.month(step)?, pick, s.day()),
        })
    }

    /// The first day of the month `offset` months after the start's.
    fn month(&self, offset: i64) -> Option<NaiveDate> {
        js_date(
            i64::from(self.start.year()),
            i64::from(self.start.month0()).checked_add(offset)?,
            1,
        )
    }

    /// Months from the start's month to `day`'s.
    fn months_to(&self, day: NaiveDate) -> i64 {
        (i64::from(day.year()) - i64::from(self.start.year())) * 12 + i64::from(day.month0())
            - i64::from(self.start.month0())
    }

    /// The last period that starts on or before `day` (or the first one).
    fn period_of(&self, day: NaiveDate) -> i64 {
        let units = match self.frequency {
            Frequency::Daily => (day - self.start).num_days(),
            Frequency::Weekly => (day - self.start).num_days().div_euclid(7),
            Frequency::Monthly => self.months_to(day),
            Frequency::Yearly => i64::from(day.year()) - i64::from(self.start.year()),
        };
        units.div_euclid(self.interval).max(0)
    }

    /// `pick`'s first occurrence on or after `day`, whatever the count and end.
    fn next_on_or_after(&self, pick: &Pick, day: NaiveDate) -> Result<NaiveDate, NoDate> {
        if let Pick::WeekdaysOfMonth(names) = pick {
            // A search of its own from `day` (midnight), or from the start (noon).
            let from = if day > self.start {
                Moment(day, 0)
            } else {
                Moment(self.start, NOON)
            };
            return WeekdaySearch::new(self, names, from)
                .next()
                .unwrap_or(Err(NoDate::Unknown));
        }
        let day = day.max(self.start);
        let first = self.period_of(day);
        for k in first..=first + 1 + i64::from(MAX_EMPTY_PERIODS) {
            let dates = self.period(pick, k).ok_or(NoDate::Unknown)?;
            if let Some(d) = dates.into_iter().find(|d| *d >= day) {
                return Ok(d);
            }
        }
        Err(NoDate::Unknown)
    }

    /// `pick`'s occurrences in order, from the start on, within count and end.
    fn occurrences<'a>(
        &'a self,
        pick: &'a Pick,
    ) -> impl Iterator<Item = Result<NaiveDate, NoDate>> + 'a {
        let mut weekdays = match pick {
            Pick::WeekdaysOfMonth(names) => {
                Some(WeekdaySearch::new(self, names, Moment(self.start, NOON)))
            }
            _ => None,
        };
        let mut from = Some(self.start);
        let mut yielded: u64 = 0;
        std::iter::from_fn(move || {
            if self.count.is_some_and(|c| yielded >= c) {
                return None;
            }
            if yielded >= u64::from(MAX_STEPS) {
                from = None;
                weekdays = None;
                return Some(Err(NoDate::Unknown));
            }
            let next = match &mut weekdays {
                Some(search) => search.next()?,
                None => self.next_on_or_after(pick, from?),
            };
            let date = match next {
                Ok(date) => date,
                Err(e) => {
                    from = None;
                    return Some(Err(e));
                }
            };
            if self.end.is_some_and(|end| date > end) {
                return None;
            }
            yielded += 1;
            from = date.succ_opt();
            Some(Ok(date))
        })
    }

    /// The first occurrence on or after `from`, else the last one there is (`None`
    /// when there are none).
    fn first_from(&self, from: NaiveDate) -> Result<Option<NaiveDate>, NoDate> {
        let mut next: Option<NaiveDate> = None;
        let mut last: Option<NaiveDate> = None;
        for pick in &self.picks {
            if self.count.is_none() {
                // Without a count, no need to walk from the start to find the next one.
                let d = self.next_on_or_after(pick, from)?;
                if self.end.is_none_or(|end| d <= end) {
                    next = Some(next.map_or(d, |n| n.min(d)));
                    continue;
                }
            }
            let mut found = false;
            for date in self.occurrences(pick) {
                let date = date?;
                if date >= from {
                    next = Some(next.map_or(date, |n| n.min(date)));
                    found = true;
                    break;
                }
                last = Some(last.map_or(date, |l| l.max(date)));
            }
            // Without a count, the last occurrence comes from rSchedule's reverse rules,
            // whose nth-weekday search differs from the forward one.
            if !found && self.count.is_none() && matches!(pick, Pick::WeekdaysOfMonth(_)) {
                return Err(NoDate::Unknown);
            }
        }
        Ok(next.or(last))
    }

    /// `pick`'s first occurrence at or after noon of `from`, within count and end: what
    /// rSchedule's `_run({ start })` yields first.
    fn first_at_noon_from(
        &self,
        pick: &Pick,
        from: NaiveDate,
    ) -> Result<Option<NaiveDate>, NoDate> {
        if self.count.is_some() {
            // A count is from the start: rSchedule walks from there.
            for date in self.occurrences(pick) {
                let date = date?;
                if date >= from {
                    return Ok(Some(date));
                }
            }
            return Ok(None);
        }
        if self.end.is_some_and(|end| from > end) {
            return Ok(None);
        }
        let date = match pick {
            // The search from noon (it ends at the end itself).
            Pick::WeekdaysOfMonth(names) => {
                let at = Moment(from.max(self.start), NOON);
                match WeekdaySearch::new(self, names, at).next() {
                    None => return Ok(None),
                    Some(date) => date?,
                }
            }
            _ => self.next_on_or_after(pick, from)?,
        };
        Ok(self.end.is_none_or(|end| date <= end).then_some(date))
    }

    /// `schedule.occursBetween(from, to)` of two noons (`occursOn({ date })` is the
    /// same day twice): whether some occurrence falls on a day from `from` to `to`.
    pub fn occurs_between(&self, from: NaiveDate, to: NaiveDate) -> Result<bool, NoDate> {
        for pick in &self.picks {
            if self
                .first_at_noon_from(pick, from)?
                .is_some_and(|d| d <= to)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `getNextDate(dateCond, from)`: the day, moved off a weekend when the config asks.
    pub fn next_date(&self, from: NaiveDate) -> Result<Option<NaiveDate>, NoDate> {
        let Some(date) = self.first_from(from)? else {
            return Ok(None);
        };
        if !self.skip_weekend || !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return Ok(Some(date));
        }
        match self.weekend_solve.as_deref() {
            // `nextMonday`, `previousFriday`
            Some("after") => Ok(Some(
                date + Duration::days(if date.weekday() == Weekday::Sat { 2 } else { 1 }),
            )),
            Some("before") => Ok(Some(
                date - Duration::days(if date.weekday() == Weekday::Sat { 1 } else { 2 }),
            )),
            _ => Err(NoDate::Throws),
        }
    }
}

/// Noon, in milliseconds of the day: rSchedule's occurrences are at noon.
const NOON: u32 = 12 * 3_600_000;
const DAY_MS: u32 = 24 * 3_600_000;

/// A day and a time of that day (milliseconds), as rSchedule's floating date-times.
#[derive(Clone, Copy, PartialEq, PartialOrd, Debug)]
struct Moment(NaiveDate, u32);

/// rSchedule's iteration of a monthly rule of nth weekdays (`RecurrenceRulesIterator`
/// over `ByDayOfWeekRule` expandMonthly and the time-of-day rules, each result
/// checked by the frequency rule): a weekday a month has no nth of is counted on into
/// the next month, and the search jumps there, past that month's earlier occurrences;
/// where the search lands depends on whether it restarts at midnight or goes on from
/// the last occurrence. Past rSchedule's 50 tries per occurrence the answer is
/// unknown here.
struct WeekdaySearch<'a> {
    rec: &'a Recurrence,
    names: &'a [(Weekday, i64)],
    /// The month (from the start's) of the frequency rule's current interval.
    interval: i64,
    at: Option<Moment>,
}

/// A rule's result: the moment is valid, or the next one to try.
enum Step {
    Valid(Moment),
    Invalid(Moment),
}

impl<'a> WeekdaySearch<'a> {
    fn new(rec: &'a Recurrence, names: &'a [(Weekday, i64)], from: Moment) -> Self {
        WeekdaySearch {
            rec,
            names,
            interval: 0,
            at: Some(from),
        }
    }

    /// `FrequencyRule.validateDate`.
    fn frequency(&mut self, step: Step) -> Option<Step> {
        let (valid, m) = match step {
            Step::Valid(m) => (true, m),
            Step::Invalid(m) => (false, m),
        };
        let offset = self.rec.months_to(m.0);
        if valid && offset == self.interval {
            return Some(Step::Valid(m));
        }
        let per = self.rec.interval;
        self.interval = (offset + per - 1).div_euclid(per) * per;
        if offset == self.interval {
            Some(Step::Invalid(m))
        } else {
            Some(Step::Invalid(Moment(self.rec.month(self.interval)?, 0)))
        }
    }

    /// `ByDayOfWeekRule.expandMonthly`.
    fn by_weekday(&self, m: Moment) -> Option<Step> {
        let entries = |day: NaiveDate| -> Option<NaiveDate> {
            let first = day.with_day(1)?;
            self.names
                .iter()
                .filter_map(|(wd, n)| nth_weekday(first, *wd, *n))
                .filter(|e| *e >= day)
                .min()
        };
        let mut next = entries(m.0).map(|d| Moment(d, m.1));
        let mut base = m.0;
        for _ in 0..50 {
            if next.is_some() {
                break;
            }
            base = js_date(i64::from(base.year()), i64::from(base.month0()) + 1, 1)?;
            next = entries(base).map(|d| Moment(d, 0));
        }
        let next = next?;
        Some(if next == m {
            Step::Valid(m)
        } else {
            Step::Invalid(Moment(next.0, 0))
        })
    }

    /// `ByTimeOfUnitRule` for one unit of the time of day, whose only allowed value
    /// is `value`: `(unit, base unit)` in milliseconds.
    fn by_time(m: Moment, unit: u32, base: u32, value: u32) -> Option<Step> {
        let current = (m.1 % base) / unit;
        if current == value {
            return Some(Step::Valid(m));
        }
        let start_of_base = m.1 - m.1 % base;
        let ms = if current < value {
            start_of_base + value * unit
        } else {
            start_of_base + base + value * unit
        };
        Some(Step::Invalid(if ms >= DAY_MS {
            Moment(m.0.succ_opt()?, ms - DAY_MS)
        } else {
            Moment(m.0, ms)
        }))
    }

    /// One pass of the rules (`runRules`).
    fn pass(&mut self, m: Moment) -> Option<Step> {
        let mut step = self.frequency(self.by_weekday(m)?)?;
        for (unit, base, value) in [
            (3_600_000, DAY_MS, 12),
            (60_000, 3_600_000, 0),
            (1_000, 60_000, 0),
            (1, 1_000, 0),
        ] {
            let Step::Valid(m) = step else {
                return Some(step);
            };
            step = self.frequency(Self::by_time(m, unit, base, value)?)?;
        }
        Some(step)
    }

    /// `nextDate(from)`.
    fn next_date(&mut self, from: Moment) -> Result<Option<Moment>, NoDate> {
        let mut m = from;
        for _ in 0..=50 {
            if self
                .rec
                .end
                .is_some_and(|end| m.0 > end || (m.0 == end && m.1 > NOON))
            {
                return Ok(None);
            }
            match self.pass(m).ok_or(NoDate::Unknown)? {
                Step::Valid(found) => return Ok(Some(found)),
                Step::Invalid(next) => m = next,
            }
        }
        Err(NoDate::Unknown)
    }
}

impl Iterator for WeekdaySearch<'_> {
    type Item = Result<NaiveDate, NoDate>;

    fn next(&mut self) -> Option<Self::Item> {
        let from = self.at.take()?;
        match self.next_date(from) {
            Ok(Some(found)) => {
                // On from a millisecond after it, as `iterate()` goes on.
                self.at = Some(if found.1 + 1 >= DAY_MS {
                    Moment(found.0.succ_opt()?, 0)
                } else {
                    Moment(found.0, found.1 + 1)
                });
                Some(Ok(found.0))
            }
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// The days of `month` (its first day) that `pick` names, in order; `start_day` is the
/// start's day of the month for [`Pick::Start`].
fn month_days(month: NaiveDate, pick: &Pick, start_day: u32) -> Vec<NaiveDate> {
    let len = days_in_month(month);
    let day = |d: i64| -> Option<NaiveDate> {
        let d = if d < 0 { len + 1 + d } else { d };
        (1..=len)
            .contains(&d)
            .then(|| month + Duration::days(d - 1))
    };
    let mut out: Vec<NaiveDate> = match pick {
        Pick::Start => day(i64::from(start_day)).into_iter().collect(),
        Pick::DaysOfMonth(days) => days.iter().filter_map(|d| day(*d)).collect(),
        // Searched by `WeekdaySearch`, not by months.
        Pick::WeekdaysOfMonth(_) => Vec::new(),
    };
    out.sort();
    out.dedup();
    out
}

/// `getNthWeekdayOfMonth(first, weekday, n)`: counted from the month's first such
/// weekday, or back from the next month's; it can land in another month.
fn nth_weekday(first: NaiveDate, weekday: Weekday, n: i64) -> Option<NaiveDate> {
    let base = if n < 0 {
        js_date(i64::from(first.year()), i64::from(first.month0()) + 1, 1)?
    } else {
        first
    };
    let ahead = (i64::from(weekday.num_days_from_monday())
        - i64::from(base.weekday().num_days_from_monday()))
    .rem_euclid(7);
    let weeks = if n < 0 { n } else { n - 1 };
    base.checked_add_signed(Duration::try_days(ahead + 7 * weeks)?)
}

fn days_in_month(first: NaiveDate) -> i64 {
    let next = js_date(i64::from(first.year()), i64::from(first.month0()) + 1, 1).unwrap_or(first);
    (next - first).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn next(config: Value, from: &str) -> Option<String> {
        let r = Recurrence::parse(config.as_object().unwrap()).expect("handled");
        let from = NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap();
        r.next_date(from).unwrap().map(|d| d.to_string())
    }

    #[test]
    fn simple_frequencies() {
        let weekly = json!({ "frequency": "weekly", "start": "2024-01-06", "interval": 2 });
        assert_eq!(
            next(weekly.clone(), "2024-01-06").as_deref(),
            Some("2024-01-06")
        );
        assert_eq!(next(weekly, "2024-01-07").as_deref(), Some("2024-01-20"));
        let daily = json!({ "frequency": "daily", "start": "2024-02-27", "interval": 3 });
        assert_eq!(
            next(daily.clone(), "2024-03-01").as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(next(daily, "2024-03-02").as_deref(), Some("2024-03-04"));
        let leap = json!({ "frequency": "yearly", "start": "2024-02-29" });
        assert_eq!(next(leap, "2024-03-01").as_deref(), Some("2028-02-29"));
    }

    #[test]
    fn months_without_the_day_are_skipped() {
        let m = json!({ "frequency": "monthly", "start": "2024-01-31" });
        assert_eq!(next(m, "2024-02-01").as_deref(), Some("2024-03-31"));
        let rolled = json!({ "frequency": "monthly", "start": "2024-02-30" }); // March 1st
        assert_eq!(next(rolled, "2024-03-02").as_deref(), Some("2024-04-01"));
    }

    #[test]
    fn patterns_count_and_end() {
        let p = json!({ "frequency": "monthly", "start": "2024-01-01",
            "patterns": [{ "type": "day", "value": 15 }, { "type": "day", "value": -1 }, { "type": "friday", "value": -1 }] });
        assert_eq!(next(p.clone(), "2024-01-16").as_deref(), Some("2024-01-26"));
        assert_eq!(next(p, "2024-01-27").as_deref(), Some("2024-01-31"));
        // Two rules, each with three occurrences: the 1st and the 2nd Monday.
        let counted = json!({ "frequency": "monthly", "start": "2024-01-01", "endMode": "after_n_occurrences", "endOccurrences": 3,
            "patterns": [{ "type": "day", "value": 1 }, { "type": "monday", "value": 2 }] });
        assert_eq!(
            next(counted.clone(), "2024-03-02").as_deref(),
            Some("2024-03-11")
        );
        assert_eq!(next(counted, "2024-03-12").as_deref(), Some("2024-03-11"));
        let ended = json!({ "frequency": "weekly", "start": "2024-01-01", "endMode": "on_date", "endDate": "2024-01-15" });
        assert_eq!(
            next(ended.clone(), "2024-01-15").as_deref(),
            Some("2024-01-15")
        );
        assert_eq!(next(ended, "2024-02-01").as_deref(), Some("2024-01-15"));
        let none = json!({ "frequency": "daily", "start": "2024-01-01", "endMode": "after_n_occurrences", "endOccurrences": 0 });
        assert_eq!(next(none, "2024-01-01"), None);
    }

    #[test]
    fn weekends() {
        let sat = json!({ "frequency": "weekly", "start": "2024-01-06", "skipWeekend": true, "weekendSolveMode": "before" });
        assert_eq!(next(sat, "2024-01-06").as_deref(), Some("2024-01-05"));
        let sun = json!({ "frequency": "weekly", "start": "2024-01-07", "skipWeekend": true, "weekendSolveMode": "after" });
        assert_eq!(next(sun, "2024-01-07").as_deref(), Some("2024-01-08"));
        let odd = json!({ "frequency": "weekly", "start": "2024-01-07", "skipWeekend": true, "weekendSolveMode": "x" });
        let r = Recurrence::parse(odd.as_object().unwrap()).unwrap();
        assert_eq!(
            r.next_date(NaiveDate::from_ymd_opt(2024, 1, 7).unwrap()),
            Err(NoDate::Throws)
        );
    }

    fn parsed(config: Value) -> Result<Recurrence, RecurError> {
        Recurrence::parse(config.as_object().unwrap())
    }

    fn days(config: Value, from: &str, to: &str) -> Vec<String> {
        let r = parsed(config).expect("handled");
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut out = Vec::new();
        let mut d = day(from);
        while d <= day(to) {
            if r.occurs_between(d, d).unwrap() {
                out.push(d.to_string());
            }
            d = d.succ_opt().unwrap();
        }
        out
    }

    #[test]
    fn configs_upstream_refuses() {
        for bad in [
            json!({ "frequency": "hourly", "start": "2024-01-01" }),
            json!({ "frequency": "Monthly", "start": "2024-01-01" }),
            json!({ "frequency": 5, "start": "2024-01-01" }),
            json!({ "frequency": "daily" }),
            json!({ "frequency": "daily", "start": "junk" }),
            json!({ "frequency": "daily", "start": "2024-01-01", "interval": 1.5 }),
            json!({ "frequency": "daily", "start": "2024-01-01", "interval": "2" }),
            json!({ "frequency": "daily", "start": "2024-01-01", "interval": -1 }),
            json!({ "frequency": "daily", "start": "2024-01-01", "endMode": "after_n_occurrences", "endOccurrences": null }),
            json!({ "frequency": "daily", "start": "2024-01-01", "endMode": "after_n_occurrences", "endOccurrences": -1 }),
            json!({ "frequency": "daily", "start": "2024-01-01", "endMode": "on_date", "endDate": "junk" }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [{ "type": "day", "value": 0 }] }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [{ "type": "day", "value": 31.5 }] }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [{ "type": "xx", "value": 1 }] }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [{ "type": "fr", "value": 40 }] }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [null] }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [5] }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": "ab" }),
        ] {
            assert_eq!(
                parsed(bad.clone()).err(),
                Some(RecurError::Invalid),
                "{bad}"
            );
        }
        for odd in [
            json!({ "frequency": "daily", "start": 5 }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [{ "type": "day", "value": 1.5 }] }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [{ "type": "friday" }] }),
        ] {
            assert!(
                matches!(parsed(odd.clone()), Err(RecurError::Unsupported(_))),
                "{odd}"
            );
        }
        for fine in [
            json!({ "frequency": "daily", "start": "2024-01-01x" }),
            json!({ "frequency": "daily", "start": "2024-01-01", "endMode": "on_date" }),
            json!({ "frequency": "daily", "start": "2024-01-01", "endMode": "after_n_occurrences" }),
            json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": 5 }),
            json!({ "frequency": "weekly", "start": "2024-01-01", "patterns": "ab" }),
        ] {
            assert!(parsed(fine.clone()).is_ok(), "{fine}");
        }
    }

    #[test]
    fn occurrences_on_days() {
        // Months without the day are skipped.
        assert_eq!(
            days(
                json!({ "frequency": "monthly", "start": "2024-01-31" }),
                "2024-01-01",
                "2024-05-31"
            ),
            ["2024-01-31", "2024-03-31", "2024-05-31"]
        );
        assert_eq!(
            days(
                json!({ "frequency": "weekly", "start": "2024-01-06", "interval": 2 }),
                "2024-01-01",
                "2024-02-10"
            ),
            ["2024-01-06", "2024-01-20", "2024-02-03"]
        );
        // Two rules, each with its own count.
        let counted = json!({ "frequency": "monthly", "start": "2024-01-01", "endMode": "after_n_occurrences", "endOccurrences": 2,
            "patterns": [{ "type": "day", "value": -1 }, { "type": "friday", "value": -1 }, { "type": "day", "value": 15 }] });
        assert_eq!(
            days(counted, "2024-01-01", "2024-03-31"),
            ["2024-01-15", "2024-01-26", "2024-01-31", "2024-02-23"]
        );
        let leap = json!({ "frequency": "yearly", "start": "2024-02-29", "endMode": "on_date", "endDate": "2032-03-01" });
        assert_eq!(
            days(leap, "2024-01-01", "2033-12-31"),
            ["2024-02-29", "2028-02-29", "2032-02-29"]
        );
        // A fifth Monday counted into the next month is no occurrence of either.
        let fifth = json!({ "frequency": "monthly", "start": "2024-01-01", "patterns": [{ "type": "monday", "value": 5 }] });
        assert_eq!(
            days(fifth, "2024-01-01", "2024-04-30"),
            ["2024-01-29", "2024-04-29"]
        );
        let ended = json!({ "frequency": "monthly", "start": "2024-01-01", "endMode": "on_date", "endDate": "2024-02-01",
            "patterns": [{ "type": "monday", "value": 1 }] });
        assert_eq!(days(ended, "2024-01-01", "2024-06-30"), ["2024-01-01"]);
        let r = parsed(json!({ "frequency": "weekly", "start": "2024-02-27" })).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            r.occurs_between(day("2024-03-01"), day("2024-03-05")),
            Ok(true)
        );
        assert_eq!(
            r.occurs_between(day("2024-03-01"), day("2024-03-04")),
            Ok(false)
        );
    }
}
