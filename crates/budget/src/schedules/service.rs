//! Whether upstream's schedule service would write (`advanceSchedulesService` in
//! `server/schedules/app.ts`, run after a successful sync, with `getStatus` and
//! `getHasTransactionsQuery` from `shared/schedules.ts`). For each schedule that is not
//! completed and has a live, open account:
//!
//! - auto-posting and due or missed: it posts a transaction;
//! - auto-posting, recurring and paid: it moves the schedule on from its next date,
//!   unless that date is today;
//! - paid and recurring: it sets the next date to the first occurrence from today;
//! - paid, one-off and in the past: it completes the schedule.
//!
//! A move that leaves the next date as it is writes nothing.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use super::Schedule;
use crate::dates::{day_string, parse_date_like, to_date_repr};
use crate::json::truthy;
use crate::rules::condition::Parsed;
use crate::rules::load_rules;
use crate::rules::recurrence::NoDate;
use crate::rules::rule::Rule;
use crate::{Budget, BudgetError, Result};

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
            return Err(BudgetError::Unsupported(format!(
                "schedule {} has no next date",
                s.id
            )));
        };
        let start = match_start(s, next)
            .and_then(|d| to_date_repr(&d))
            .ok_or_else(|| BudgetError::Unsupported(format!("the next date {next}")))?;
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

/// `setNextDate` from the day `from`: whether the next date it computes differs from
/// the schedule's (it writes only then; when it throws, its caller catches it).
fn next_date_moves(s: &Schedule, rules: &[Rule], from: NaiveDate) -> Result<bool> {
    // `getRuleForSchedule`: the schedule's live rule, as loaded.
    let Some(rule) = s
        .rule
        .as_deref()
        .and_then(|id| rules.iter().find(|r| r.id.as_str() == Some(id)))
    else {
        return Ok(false);
    };
    let Some(cond) = rule
        .conditions
        .iter()
        .find(|c| c.field == "date" && matches!(c.op.as_str(), "is" | "isapprox"))
    else {
        return Ok(false);
    };
    let computed = match &cond.value {
        Parsed::Day(day) => Some(day.clone()),
        Parsed::Recur(recurrence) => match recurrence.next_date(from) {
            Ok(date) => date.map(day_string),
            Err(NoDate::Throws) => return Ok(false),
            Err(NoDate::Unknown) => {
                return Err(BudgetError::Unsupported(format!(
                    "the next date of schedule {}",
                    s.id
                )))
            }
        },
        _ => None,
    };
    Ok(computed.is_some_and(|d| Some(d) != s.next_date))
}

/// A change the service would make.
#[derive(Debug)]
pub struct ServiceChange {
    pub schedule: String,
    pub what: &'static str,
    /// Whether it adds (or, moving an auto-posting schedule on, may add) transactions.
    pub posts: bool,
}

impl std::fmt::Display for ServiceChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "upstream's schedule service would {} ({})",
            self.what, self.schedule
        )
    }
}

const POST: (&str, bool) = ("post a transaction for a due auto-posting schedule", true);
const MOVE_POSTING: (&str, bool) = ("move a paid auto-posting schedule on", true);
const MOVE: (&str, bool) = ("move a paid schedule to its next date", false);
const COMPLETE: (&str, bool) = ("complete a paid one-off schedule", false);

/// What the service would change in `s`, if anything.
fn change(
    s: &Schedule,
    has_trans: bool,
    today: NaiveDate,
    rules: &[Rule],
) -> Result<Option<(&'static str, bool)>> {
    let today_s = day_string(today);
    let next = s.next_date.as_deref();
    let status = if has_trans {
        "paid"
    } else if next == Some(today_s.as_str()) {
        "due"
    } else if next.is_some_and(|n| n < today_s.as_str()) {
        "missed"
    } else {
        "upcoming or scheduled"
    };
    let recurring = is_recurring(s);
    let acts = matches!(status, "paid" | "due" | "missed");
    if s.posts_transaction && truthy(&s.account) && (status != "paid" || recurring) && acts {
        if status != "paid" {
            return Ok(Some(POST));
        }
        if next == Some(today_s.as_str()) {
            return Ok(None);
        }
        let from = next
            .and_then(|n| parse_date_like(&Value::from(n)))
            .map(|d| d + Duration::days(1));
        let moves = match from {
            Some(from) => next_date_moves(s, rules, from)?,
            None => true,
        };
        return Ok(moves.then_some(MOVE_POSTING));
    }
    if status == "paid" && truthy(&s.date) {
        if recurring {
            return Ok(next_date_moves(s, rules, today)?.then_some(MOVE));
        }
        if s.date.as_str().is_some_and(|d| d < today_s.as_str()) {
            return Ok(Some(COMPLETE));
        }
    }
    Ok(None)
}

/// Every change the service would make to `list`.
pub(super) fn changes(b: &Budget, list: &[Schedule]) -> Result<Vec<ServiceChange>> {
    let serviced: Vec<&Schedule> = list.iter().filter(|s| s.serviced).collect();
    if serviced.is_empty() {
        return Ok(Vec::new());
    }
    let paid = paid(b, &serviced)?;
    let rules = if paid.is_empty() {
        Vec::new()
    } else {
        load_rules(b)?
    };
    let today = b.now.date();
    let mut out = Vec::new();
    for s in serviced {
        if let Some((what, posts)) = change(s, paid.contains(&s.id), today, &rules)? {
            out.push(ServiceChange {
                schedule: s.id.clone(),
                what,
                posts,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn schedule(next: &str, posts: bool, date: Value) -> Schedule {
        Schedule {
            api: Value::Null,
            id: "s".into(),
            rule: Some("r".into()),
            next_date: Some(next.into()),
            posts_transaction: posts,
            account: json!("a"),
            conditions: json!([{ "field": "date", "op": "isapprox", "value": date.clone() }]),
            date,
            serviced: true,
        }
    }

    fn rule(date: Value) -> Rule {
        let condition = json!({ "op": "isapprox", "field": "date", "value": date });
        Rule::new(json!("r"), Value::Null, json!("and"), &[condition], &[]).expect("valid")
    }

    #[test]
    fn what_the_service_would_do() {
        let today = day("2024-05-15");
        let monthly = json!({ "frequency": "monthly", "start": "2024-01-20" });
        let rules = [rule(monthly.clone())];
        let what = |s: &Schedule, paid: bool| change(s, paid, today, &rules).unwrap().map(|c| c.0);
        // Missed or due, auto-posting: posts.
        assert_eq!(
            what(&schedule("2024-05-10", true, monthly.clone()), false),
            Some(POST.0)
        );
        assert_eq!(
            what(&schedule("2024-05-15", true, monthly.clone()), false),
            Some(POST.0)
        );
        // Missed, not auto-posting: nothing.
        assert_eq!(
            what(&schedule("2024-04-20", false, monthly.clone()), false),
            None
        );
        // Paid early: the first occurrence from today is still the next date.
        assert_eq!(
            what(&schedule("2024-05-20", false, monthly.clone()), true),
            None
        );
        // Paid and past: moves on.
        assert_eq!(
            what(&schedule("2024-04-20", false, monthly.clone()), true),
            Some(MOVE.0)
        );
        // Auto-posting, paid today: nothing; paid earlier: moves on.
        assert_eq!(
            what(&schedule("2024-05-15", true, monthly.clone()), true),
            None
        );
        assert_eq!(
            what(&schedule("2024-04-20", true, monthly), true),
            Some(MOVE_POSTING.0)
        );
        // One-off: completed once paid and past.
        assert_eq!(
            what(&schedule("2024-05-01", false, json!("2024-05-01")), true),
            Some(COMPLETE.0)
        );
        assert_eq!(
            what(&schedule("2024-05-20", false, json!("2024-05-20")), true),
            None
        );
    }
}
