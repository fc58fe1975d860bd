//! Upstream's schedule service (`advanceSchedulesService(true)` in
//! `server/schedules/app.ts`, with `getStatus`, `getHasTransactionsQuery` and
//! `getNextDate` from `shared/schedules.ts`), run as one write. Upstream starts it
//! after a successful sync, once a day; the caller decides when (see
//! `actual_session`). For each schedule that is not completed and has a live, open
//! account, in `q('schedules')` order:
//!
//! - auto-posting, and due, missed, or paid and recurring: while it stays so, a paid
//!   one moves on from its next date (unless that is today), a due or missed one gets
//!   its transaction posted (`postTransactionForSchedule`: `addTransactions` with
//!   transfers, so the rules run and a transfer payee makes the other side), a missed
//!   recurring one then moves on to its next occurrence and is looked at again;
//! - otherwise, paid and recurring: its next date becomes the first occurrence from
//!   today; paid, one-off and in the past: it is completed.
//!
//! Next dates move through `local_next_date` (with the row's `base_next_date_ts`), as
//! `setNextDate` without `reset` does; one that stays the same writes nothing. What
//! upstream's service does that is not decided here (a recurrence whose occurrences
//! have ended, one the rules engine does not follow, odd rows) is refused, and the
//! caller rolls the whole run back.

use std::collections::HashSet;

use actual_sync::Value as Cell;
use chrono::{Duration, NaiveDate};
use rusqlite::types::ValueRef;
use serde_json::{json, Value};

use crate::foundation::budget::{Budget, Writer};
use crate::foundation::dates::{day_string, parse_date_like, to_date_repr};
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js::is_truthy;
use crate::rules::condition::Parsed;
use crate::rules::load_rules;
use crate::rules::recurrence::NoDate;
use crate::rules::rule::{condition_of, Rule};
use crate::schedules::{scheduled_amount, schedules, Schedule};
use crate::writes::transactions::add_transactions;

/// More rounds than this for one schedule means a loop upstream would not leave.
const MAX_ROUNDS: usize = 10_000;

fn unsupported(what: impl Into<String>) -> BudgetError {
    BudgetError::Unsupported(what.into())
}

/// `isRecurringSchedule`: the date value is an object with a `frequency` key.
fn is_recurring(s: &Schedule) -> bool {
    s.date
        .as_object()
        .is_some_and(|o| o.contains_key("frequency"))
}

/// `getScheduleOccurrenceMatchStartDate(schedule, next_date)`: a transaction of the
/// schedule from this day on makes it paid.
fn match_start(s: &Schedule, next_date: &str) -> Option<String> {
    let date_op = s
        .conditions
        .as_array()
        .and_then(|c| c.iter().find(|c| c.get("field") == Some(&json!("date"))))
        .and_then(|c| c.get("op"));
    if date_op == Some(&json!("is")) || s.posts_transaction {
        return Some(next_date.to_string());
    }
    let day = parse_date_like(&Value::from(next_date))?;
    Some(day_string(day - Duration::days(2)))
}

/// The schedules in `list` that have a transaction from their match start on (dead
/// transactions count too: the query reads `v_transactions_internal`).
fn paid(b: &Budget, list: &[&Schedule]) -> Result<HashSet<String>> {
    let mut starts = Vec::new();
    for s in list {
        let Some(next) = &s.next_date else {
            return Err(unsupported(format!("schedule {} has no next date", s.id)));
        };
        let start = match_start(s, next)
            .and_then(|d| to_date_repr(&d))
            .ok_or_else(|| unsupported(format!("the next date {next}")))?;
        starts.push(json!([s.id, start]));
    }
    let mut stmt = b.conn.prepare_cached(
        "WITH s(id, start) AS (
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1)
         )
         SELECT DISTINCT t.schedule FROM v_transactions_internal t
           JOIN s ON t.schedule = s.id AND t.date >= s.start",
    )?;
    let found = stmt
        .query_map([Value::Array(starts).to_string()], |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(found)
}

/// `getStatus`, for the statuses the service acts on.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Status {
    Paid,
    Due,
    Missed,
    /// Upcoming or scheduled.
    Later,
}

fn status(s: &Schedule, has_trans: bool, today: &str) -> Status {
    match s.next_date.as_deref() {
        _ if has_trans => Status::Paid,
        Some(next) if next == today => Status::Due,
        Some(next) if next < today => Status::Missed,
        _ => Status::Later,
    }
}

/// Where `setNextDate` starts looking for the next occurrence.
#[derive(Clone, Copy)]
enum From {
    /// `new Date()`.
    Today,
    /// `start: nextDate => addDays(parseDate(nextDate), 1)`.
    DayAfterNextDate,
}

/// One run of the service over a budget.
struct Service<'w, 'a> {
    w: &'w mut Writer<'a>,
    today: NaiveDate,
    /// The rules upstream holds in memory (`getRules()`), loaded when first needed.
    rules: Option<Vec<Rule>>,
    posted: usize,
}

impl Service<'_, '_> {
    fn budget(&self) -> &Budget<'_> {
        &self.w.budget
    }

    /// `getSchedule(id)`: `q('schedules').filter({ id }).select('*')`.
    fn schedule(&self, id: &str) -> Result<Option<Schedule>> {
        Ok(schedules(self.budget())?.into_iter().find(|s| s.id == id))
    }

    fn status_now(&self, s: &Schedule) -> Result<Status> {
        let has_trans = paid(self.budget(), &[s])?.contains(&s.id);
        Ok(status(s, has_trans, &day_string(self.today)))
    }

    /// `setNextDate({ id, start })` without `reset`: `local_next_date` moves to the next
    /// occurrence of the rule's date condition. What upstream throws (a rule it does not
    /// hold, a date it cannot parse) its callers catch: nothing is written then.
    fn set_next_date(&mut self, id: &str, from: From) -> Result<()> {
        let Some(s) = self.schedule(id)? else {
            return Ok(());
        };
        if self.rules.is_none() {
            self.rules = Some(load_rules(self.budget())?);
        }
        let rules = self.rules.as_deref().unwrap_or_default();
        let Some(rule) = s
            .rule
            .as_deref()
            .and_then(|r| rules.iter().find(|x| x.id.as_str() == Some(r)))
        else {
            return Ok(());
        };
        let serialized = rule.serialize();
        let conditions = serialized["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let Some(cond) = super::update::date_condition(&conditions) else {
            return Ok(());
        };
        let start = match from {
            From::Today => self.today,
            From::DayAfterNextDate => {
                match s
                    .next_date
                    .as_deref()
                    .map(Value::from)
                    .as_ref()
                    .and_then(parse_date_like)
                {
                    Some(day) => day + Duration::days(1),
                    None => return Err(unsupported(format!("the next date of schedule {id}"))),
                }
            }
        };
        let date_cond =
            json!({ "op": cond.get("op"), "field": "date", "value": cond.get("value") });
        let Ok(condition) = condition_of(&date_cond) else {
            return Ok(());
        };
        let next = match condition.value {
            Parsed::Day(day) => day,
            Parsed::Recur(recurrence) => match recurrence.next_date(start) {
                Ok(Some(date)) => day_string(date),
                Err(NoDate::Throws) => return Ok(()),
                Ok(None) | Err(NoDate::Unknown) => {
                    return Err(unsupported(format!(
                        "the next occurrence of schedule {id} (its recurrence has ended, or is not followed here)"
                    )))
                }
            },
            Parsed::Month(_) | Parsed::Year(_) => return Ok(()),
            _ => return Err(unsupported(format!("the date condition of schedule {id}"))),
        };
        if s.next_date.as_deref() == Some(next.as_str()) {
            return Ok(());
        }
        let repr = to_date_repr(&next).ok_or_else(|| unsupported(format!("the date {next}")))?;
        let row = {
            let mut stmt = self.budget().conn.prepare_cached(
                "SELECT id, base_next_date_ts FROM schedules_next_date WHERE schedule_id = ?",
            )?;
            let mut rows = stmt.query([id])?;
            let mut found = Vec::new();
            while let Some(r) = rows.next()? {
                let ts = match r.get_ref(1)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(i) => Cell::Number(i as f64),
                    ValueRef::Real(f) => Cell::Number(f),
                    _ => return Err(unsupported("a next-date timestamp that is not a number")),
                };
                found.push((r.get::<_, String>(0)?, ts));
            }
            match <[_; 1]>::try_from(found) {
                Ok([row]) => row,
                Err(found) => {
                    return Err(unsupported(format!(
                        "schedule {id} has {} next-date rows",
                        found.len()
                    )))
                }
            }
        };
        self.w.changes.update(
            "schedules_next_date",
            &row.0,
            vec![
                ("local_next_date", Cell::Number(repr as f64)),
                ("local_next_date_ts", row.1),
            ],
        )
    }

    /// `advanceRecurringScheduleFromNextDate`: the schedule moved on from its next
    /// date, or `None` when it is not recurring or did not move.
    fn advance(&mut self, s: &Schedule) -> Result<Option<Schedule>> {
        if !is_recurring(s) {
            return Ok(None);
        }
        self.set_next_date(&s.id, From::DayAfterNextDate)?;
        Ok(self
            .schedule(&s.id)?
            .filter(|updated| updated.next_date != s.next_date))
    }

    /// `postTransactionForSchedule({ id })`.
    fn post(&mut self, id: &str) -> Result<()> {
        let Some(s) = self.schedule(id)? else {
            return Ok(());
        };
        let account = &s.api["account"];
        if !is_truthy(account) {
            return Ok(());
        }
        let transaction = json!({
            "payee": s.api["payee"],
            "account": account,
            "amount": scheduled_amount(s.api.get("amount"))?,
            "date": s.api["next_date"],
            "schedule": s.id,
            "cleared": false,
        });
        add_transactions(
            self.w,
            &json!({
                "accountId": account,
                "transactions": [transaction],
                "runTransfers": true,
                "learnCategories": false,
            }),
        )?;
        self.posted += 1;
        Ok(())
    }

    /// The auto-posting loop for one schedule.
    fn post_due(&mut self, schedule: Schedule, first: Status) -> Result<()> {
        let today = day_string(self.today);
        let (mut current, mut status) = (schedule, first);
        for _ in 0..MAX_ROUNDS {
            let acts = matches!(status, Status::Paid | Status::Due | Status::Missed);
            if !(current.posts_transaction && is_truthy(&current.account) && acts) {
                return Ok(());
            }
            if status != Status::Paid {
                self.post(&current.id)?;
                // A schedule due today is not moved on; a one-off is done.
                if status == Status::Due || !is_recurring(&current) {
                    return Ok(());
                }
            } else if current.next_date.as_deref() == Some(today.as_str()) {
                return Ok(());
            }
            let Some(updated) = self.advance(&current)? else {
                return Ok(());
            };
            status = self.status_now(&updated)?;
            current = updated;
        }
        Err(unsupported(format!(
            "schedule {} moves on more than {MAX_ROUNDS} times",
            current.id
        )))
    }

    fn run(&mut self) -> Result<()> {
        let today = day_string(self.today);
        let list: Vec<Schedule> = schedules(self.budget())?
            .into_iter()
            .filter(|s| s.serviced)
            .collect();
        if list.is_empty() {
            return Ok(());
        }
        let has_trans = paid(self.budget(), &list.iter().collect::<Vec<_>>())?;
        for s in list {
            let status = status(&s, has_trans.contains(&s.id), &today);
            let acts = matches!(status, Status::Paid | Status::Due | Status::Missed);
            if s.posts_transaction
                && is_truthy(&s.account)
                && (status != Status::Paid || is_recurring(&s))
                && acts
            {
                self.post_due(s, status)?;
            } else if status == Status::Paid && is_truthy(&s.date) {
                if is_recurring(&s) {
                    self.set_next_date(&s.id, From::Today)?;
                } else {
                    match s.date.as_str() {
                        Some(date) if date < today.as_str() => self.complete(&s.id)?,
                        Some(_) => {}
                        None => {
                            return Err(unsupported(format!(
                                "the date of schedule {}, neither a day nor a recurrence",
                                s.id
                            )))
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// `updateSchedule({ schedule: { id, completed: true } })`.
    fn complete(&mut self, id: &str) -> Result<()> {
        self.w
            .changes
            .update("schedules", id, vec![("completed", Cell::Number(1.0))])
    }
}

/// What one run of the service did.
#[derive(Debug, Default, PartialEq)]
pub struct ServiceRun {
    /// Transactions posted for schedules (each with its transfer and splits, if any).
    pub posted: usize,
    /// Messages made: posts, next dates, completions.
    pub messages: usize,
}

/// Runs upstream's schedule service on the budget `w` writes to, as of its `now`.
pub fn run(w: &mut Writer) -> Result<ServiceRun> {
    let today = w.budget.now.date();
    let before = w.changes.made;
    let mut service = Service {
        w,
        today,
        rules: None,
        posted: 0,
    };
    service.run()?;
    let posted = service.posted;
    Ok(ServiceRun {
        posted,
        messages: w.changes.made - before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(next: Option<&str>) -> Schedule {
        Schedule {
            api: Value::Null,
            id: "s".into(),
            rule: Some("r".into()),
            next_date: next.map(str::to_string),
            posts_transaction: false,
            account: json!("a"),
            conditions: json!([{ "field": "date", "op": "isapprox", "value": "2024-05-01" }]),
            date: json!("2024-05-01"),
            serviced: true,
        }
    }

    #[test]
    fn statuses_as_get_status() {
        let today = "2024-05-15";
        assert_eq!(
            status(&schedule(Some("2024-05-01")), true, today),
            Status::Paid
        );
        assert_eq!(status(&schedule(Some(today)), false, today), Status::Due);
        assert_eq!(
            status(&schedule(Some("2024-05-14")), false, today),
            Status::Missed
        );
        assert_eq!(
            status(&schedule(Some("2024-05-16")), false, today),
            Status::Later
        );
        assert_eq!(status(&schedule(None), false, today), Status::Later);
    }

    #[test]
    fn match_start_two_days_early_for_approximate_dates() {
        let s = schedule(Some("2024-05-10"));
        assert_eq!(match_start(&s, "2024-05-10").as_deref(), Some("2024-05-08"));
        let posting = Schedule {
            posts_transaction: true,
            ..schedule(Some("2024-05-10"))
        };
        assert_eq!(
            match_start(&posting, "2024-05-10").as_deref(),
            Some("2024-05-10")
        );
    }
}
