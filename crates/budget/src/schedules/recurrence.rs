//! The next date of a recurring schedule (`shared/schedules.ts` getNextDate over
//! recurConfigToRSchedule and `@rschedule/core`): the first occurrence on or after a
//! day, else the last occurrence there is, moved off a weekend when asked.
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

use crate::dates::{js_date, parse_date_like};
use crate::json::truthy;

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
#[derive(Debug)]
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

impl Recurrence {
    /// `recurConfigToRSchedule(config)` for a config the rule checks accepted
    /// (`date_values::parse_recur`); `None` for one not handled here.
    pub fn from_config(config: &Map<String, Value>) -> Option<Recurrence> {
        let frequency = match config.get("frequency")?.as_str()? {
            "daily" => Frequency::Daily,
            "weekly" => Frequency::Weekly,
            "monthly" => Frequency::Monthly,
            "yearly" => Frequency::Yearly,
            _ => return None,
        };
        let start = parse_date_like(config.get("start")?)?;
        let interval = match config.get("interval").filter(|v| truthy(v)) {
            None => 1,
            Some(v) => whole(v).filter(|n| *n >= 1)?,
        };
        let (mut count, mut end) = (None, None);
        match config.get("endMode").and_then(Value::as_str) {
            Some("after_n_occurrences") => {
                if let Some(n) = config.get("endOccurrences") {
                    count = Some(u64::try_from(whole(n)?).ok()?);
                }
            }
            Some("on_date") => end = Some(parse_date_like(config.get("endDate")?)?),
            _ => {}
        }
        let mut picks = vec![Pick::Start];
        if frequency == Frequency::Monthly {
            if let Some(Value::Array(patterns)) = config.get("patterns") {
                if !patterns.is_empty() {
                    let (mut days, mut names) = (Vec::new(), Vec::new());
                    for p in patterns {
                        let kind = p.get("type")?.as_str()?;
                        let n = whole(p.get("value")?)?;
                        if kind == "day" {
                            days.push(n);
                        } else {
                            let abbrev: String = kind.chars().take(2).collect();
                            names.push((weekday(&abbrev.to_uppercase())?, n));
                        }
                    }
                    picks = [
                        (!days.is_empty()).then_some(Pick::DaysOfMonth(days)),
                        (!names.is_empty()).then_some(Pick::WeekdaysOfMonth(names)),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                }
            } else if config.get("patterns").is_some_and(truthy) {
                return None;
            }
        }
        Some(Recurrence {
            start,
            frequency,
            interval,
            count,
            end,
            picks,
            skip_weekend: config.get("skipWeekend").is_some_and(truthy),
            weekend_solve: config
                .get("weekendSolveMode")
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
        let r = Recurrence::from_config(config.as_object().unwrap()).expect("handled");
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
        let r = Recurrence::from_config(odd.as_object().unwrap()).unwrap();
        assert_eq!(
            r.next_date(NaiveDate::from_ymd_opt(2024, 1, 7).unwrap()),
            Err(NoDate::Throws)
        );
    }
}
