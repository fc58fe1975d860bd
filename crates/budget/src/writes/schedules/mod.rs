//! `createSchedule` and `deleteSchedule` (`server/api.ts` 'api/schedule-create' and
//! 'api/schedule-delete', `server/api-models.ts` scheduleModel.fromExternal,
//! `server/schedules/app.ts` createSchedule / deleteSchedule, `shared/schedules.ts`
//! getNextDate).
//!
//! A schedule is a rule (the schedule's payee, account, date and amount conditions and
//! a `link-schedule` action), a `schedules_next_date` row and the `schedules` row, made
//! in that order as upstream makes them. Upstream writes the rule before it converts
//! the schedule's own fields, so an input that would fail halfway there is refused
//! before anything is written (refused as unsupported), as is any date or
//! amount whose stored shape or next date is not decided here.

pub mod service;
pub mod update;

use actual_sync::timestamp::now_millis;
use actual_sync::Value as Cell;
use chrono::{NaiveDate, TimeZone};
use serde_json::{json, Map, Value};

use crate::foundation::budget::{Budget, Writer};
use crate::foundation::changes::uuid_v4;
use crate::foundation::dates::{day_string, to_date_repr};
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::args;
use crate::rules::condition::Parsed;
use crate::rules::recurrence::NoDate;
use crate::rules::rule::condition_of;
use crate::schedules::{paths_of, Paths};
use crate::schema::fields::{input_value, is_day_string, Type, SCHEDULES};
use crate::writes::rules::row_fields;
use crate::writes::spread;

pub(super) fn unsupported(what: impl Into<String>) -> BudgetError {
    BudgetError::Unsupported(what.into())
}

/// `String(v)` of a payee or account id: `undefined` and `null` become those words.
fn id_text(v: Option<&Value>, what: &str) -> Result<Value> {
    match v {
        None => Ok(json!("undefined")),
        Some(Value::Null) => Ok(json!("null")),
        Some(Value::String(s)) => Ok(json!(s)),
        Some(_) => Err(unsupported(format!(
            "a schedule {what} that is not a string"
        ))),
    }
}

/// The amount condition of scheduleModel.fromExternal (`amount ?? 0`); only the shapes
/// the amount ops read as upstream means them are taken.
fn amount_condition(schedule: &Map<String, Value>) -> Result<Value> {
    let amount = match schedule.get("amount") {
        None | Some(Value::Null) => json!(0),
        Some(v) => v.clone(),
    };
    let number = |v: &Value| v.as_f64().is_some_and(f64::is_finite);
    let op = match schedule.get("amountOp") {
        // `op: undefined` is dropped by JSON.stringify.
        None if number(&amount) => None,
        Some(Value::String(op)) if matches!(op.as_str(), "is" | "isapprox") && number(&amount) => {
            Some(op.clone())
        }
        Some(Value::String(op))
            if op == "isbetween"
                && amount.as_object().is_some_and(|o| {
                    o.len() == 2
                        && o.get("num1").is_some_and(number)
                        && o.get("num2").is_some_and(number)
                }) =>
        {
            Some(op.clone())
        }
        _ => {
            return Err(unsupported(
                "a schedule amount or amountOp of an unusual shape",
            ))
        }
    };
    let mut cond = Map::new();
    if let Some(op) = op {
        cond.insert("op".into(), json!(op));
    }
    cond.insert("field".into(), json!("amount"));
    cond.insert("value".into(), amount);
    Ok(Value::Object(cond))
}

/// `getNextDate(dateCond, start)` (`shared/schedules.ts`): the day itself, the first
/// occurrence of a recurring config from `start`, or none for a month or a year (its
/// `getValue()` is neither a date nor a recurrence); what is not decided here is refused.
pub(super) fn get_next_date(date_cond: &Value, start: NaiveDate) -> Result<Option<String>> {
    let condition =
        condition_of(date_cond).map_err(|_| unsupported("a schedule date upstream refuses"))?;
    match condition.value {
        Parsed::Day(day)
            if date_cond["value"].as_str() == Some(day.as_str()) && is_day_string(&day) =>
        {
            Ok(Some(day))
        }
        Parsed::Recur(recurrence) => match recurrence.next_date(start) {
            Ok(Some(date)) => Ok(Some(day_string(date))),
            Ok(None) | Err(NoDate::Throws | NoDate::Unknown) => Err(unsupported(
                "a recurring schedule date whose next date is not decided here",
            )),
        },
        Parsed::Month(_) | Parsed::Year(_) => Ok(None),
        _ => Err(unsupported(
            "a schedule date that is not a day or a recurring config",
        )),
    }
}

/// `getNextDate(dateCond)` from upstream's default start, `new Date(currentDay())`:
/// that day's UTC midnight, taken back to the local day it falls on.
fn next_date(b: &Budget, date_cond: &Value) -> Result<String> {
    get_next_date(date_cond, utc_midnight_local_day(b.now.date()))?
        .ok_or_else(|| unsupported("a schedule date that is not a day or a recurring config"))
}

fn utc_midnight_local_day(day: NaiveDate) -> NaiveDate {
    let midnight = chrono::Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"));
    midnight.with_timezone(&chrono::Local).date_naive()
}

/// `normalizeScheduleName(name)`: trimmed, and null when empty.
pub(super) fn normalized_name(name: Option<&Value>) -> Result<Value> {
    match name {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(Value::String(s)) => {
            let t = js::trim(s);
            Ok(if t.is_empty() { Value::Null } else { json!(t) })
        }
        Some(_) => Err(unsupported("a schedule name that is not a string")),
    }
}

/// checkIfScheduleExists(name, id) for a new schedule.
fn name_taken(b: &Budget, name: &str) -> Result<bool> {
    Ok(b.conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM schedules WHERE tombstone = 0 AND name = ?)")?
        .query_row([name], |r| r.get(0))?)
}

/// What onRuleUpdate records for the new rule (a local table, no message).
fn record_paths(b: &Budget, schedule: &str, conditions: &[Value]) -> Result<()> {
    store_paths(b, schedule, &paths_of(conditions))
}

/// One schedule's row of `schedules_json_paths`.
pub(super) fn store_paths(b: &Budget, schedule: &str, paths: &Paths) -> Result<()> {
    let Paths([payee, account, amount, date]) = paths;
    b.conn
        .prepare_cached(
            "INSERT OR REPLACE INTO schedules_json_paths (schedule_id, payee, account, amount, date) \
             VALUES (?, ?, ?, ?, ?)",
        )?
        .execute(rusqlite::params![schedule, payee, account, amount, date])?;
    Ok(())
}

/// `createSchedule(schedule)`: resolves to the new schedule's id.
pub fn create_schedule(w: &mut Writer, args: &Value) -> Result<Value> {
    let schedule = spread(args::get(args, "schedule"));
    let date = schedule.get("date").cloned();
    let conditions = vec![
        json!({ "op": "is", "field": "payee", "value": id_text(schedule.get("payee"), "payee")? }),
        json!({ "op": "is", "field": "account", "value": id_text(schedule.get("account"), "account")? }),
        json!({ "op": "isapprox", "field": "date", "value": date.clone().unwrap_or(Value::Null) }),
        amount_condition(&schedule)?,
    ];
    if date.as_ref().is_none_or(Value::is_null) {
        return Err(BudgetError::plain("Date is required"));
    }
    let next = next_date(&w.budget, &conditions[2])?;
    let name = normalized_name(schedule.get("name"))?;
    if let Some(name) = name.as_str() {
        if name_taken(&w.budget, name)? {
            return Err(BudgetError::plain(
                "Cannot create schedules with the same name",
            ));
        }
    }
    let posts = schedule
        .get("posts_transaction")
        .cloned()
        .unwrap_or(Value::Null);
    if !posts.is_null() && input_value(&posts, Type::Boolean).is_err() {
        return Err(unsupported(
            "a schedule posts_transaction that is not a boolean",
        ));
    }

    let id = uuid_v4();
    let rule_id = uuid_v4();
    let mut rule = Map::new();
    rule.insert("stage".into(), Value::Null);
    rule.insert("conditionsOp".into(), json!("and"));
    rule.insert("conditions".into(), Value::Array(conditions.clone()));
    rule.insert(
        "actions".into(),
        json!([{ "op": "link-schedule", "value": id }]),
    );
    w.changes.insert("rules", &rule_id, row_fields(&rule)?)?;
    record_paths(&w.budget, &id, &conditions)?;

    let now = Cell::Number(now_millis() as f64);
    let repr = Cell::Number(to_date_repr(&next).unwrap_or(0) as f64);
    w.changes.insert(
        "schedules_next_date",
        &uuid_v4(),
        vec![
            ("schedule_id", Cell::String(id.clone())),
            ("local_next_date", repr.clone()),
            ("local_next_date_ts", now.clone()),
            ("base_next_date", repr),
            ("base_next_date_ts", now),
        ],
    )?;

    let mut row = js::Obj::new();
    row.insert("name".into(), name);
    row.insert("posts_transaction".into(), posts);
    row.insert("id".into(), json!(id));
    row.insert("rule".into(), json!(rule_id));
    let fields = SCHEDULES.convert_for_insert(&row, 0.0)?;
    w.changes.insert("schedules", &id, fields)?;
    Ok(json!(id))
}

/// `deleteSchedule(id)`: the schedule's live rule and the schedule are tombstoned in
/// one batch; resolves to undefined.
pub fn delete_schedule(w: &mut Writer, args: &Value) -> Result<Value> {
    let Some(Value::String(id)) = args::get(args, "id") else {
        return Err(unsupported(
            "deleteSchedule with an id that is not a string",
        ));
    };
    // `q('schedules').filter({ id }).calculate('rule')`: a live schedule's live rule.
    let rule: Option<String> = w
        .budget
        .conn
        .prepare_cached(
            "SELECT r.id FROM schedules s LEFT JOIN rules r ON r.id = s.rule AND r.tombstone = 0 \
             WHERE s.id = ? AND s.tombstone = 0",
        )?
        .query_row([id], |r| r.get(0))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    // Upstream would send a tombstone for a rule row without an id.
    let Some(rule) = rule else {
        return Err(unsupported(
            "deleteSchedule of a schedule without a live rule",
        ));
    };
    let tombstone = || vec![("tombstone", Cell::Number(1.0))];
    w.changes.send_rows(vec![
        ("rules", rule, tombstone()),
        ("schedules", id.clone(), tombstone()),
    ])?;
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn amount_conditions_as_upstream_stores_them() {
        let c = amount_condition(&obj(json!({ "amount": -5, "amountOp": "is" }))).unwrap();
        assert_eq!(c.to_string(), r#"{"op":"is","field":"amount","value":-5}"#);
        // `op: undefined` is left out, `amount ?? 0`.
        let c = amount_condition(&obj(json!({}))).unwrap();
        assert_eq!(c.to_string(), r#"{"field":"amount","value":0}"#);
        let between = json!({ "amountOp": "isbetween", "amount": { "num1": 1, "num2": 2 } });
        assert!(amount_condition(&obj(between)).is_ok());
        for odd in [
            json!({ "amountOp": "isbetween", "amount": 3 }),
            json!({ "amountOp": "gt", "amount": 3 }),
            json!({ "amountOp": null }),
            json!({ "amountOp": "is", "amount": "3" }),
        ] {
            assert!(matches!(
                amount_condition(&obj(odd)),
                Err(BudgetError::Unsupported(_))
            ));
        }
    }

    #[test]
    fn names_are_trimmed_and_empty_ones_null() {
        assert_eq!(
            normalized_name(Some(&json!("\u{feff} Rent \n"))).unwrap(),
            json!("Rent")
        );
        assert_eq!(normalized_name(Some(&json!("   "))).unwrap(), Value::Null);
        assert_eq!(normalized_name(None).unwrap(), Value::Null);
        assert!(normalized_name(Some(&json!(5))).is_err());
    }

    #[test]
    fn payee_and_account_as_javascript_strings() {
        assert_eq!(id_text(None, "payee").unwrap(), json!("undefined"));
        assert_eq!(id_text(Some(&Value::Null), "payee").unwrap(), json!("null"));
        assert!(id_text(Some(&json!(1)), "payee").is_err());
    }
}
