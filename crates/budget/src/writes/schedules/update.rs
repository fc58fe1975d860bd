//! `updateSchedule(id, fields, resetNextDate)`: `server/api.ts` 'api/schedule-update'
//! then `server/schedules/app.ts` updateSchedule (updateConditions, updateActions,
//! setNextDate with `reset`).
//!
//! The API handler edits the schedule's rule conditions as the `rules` table stores
//! them (`_conditions`: internal field names, so `acct` and `description` are not found
//! as `account` and `payee` and a new condition is pushed instead), and always hands
//! them to updateSchedule, which merges them into the loaded rule's *serialized*
//! conditions: the schedule's own conditions come back raw, the others re-encoded
//! (with `type`). The next date is recomputed (`base_next_date`) when asked, or when
//! the account or date condition differs from the serialized one — which an `acct`
//! condition always does. What upstream does with a shape not decided here (a rule it
//! would replace, dates it cannot compute, values JavaScript would convert) is refused
//! before anything is written.

use actual_sync::timestamp::now_millis;
use actual_sync::Value as Cell;
use serde_json::{json, Map, Value};

use super::{get_next_date, normalized_name, unsupported};
use crate::foundation::budget::{Budget, Writer};
use crate::foundation::changes::Fields;
use crate::foundation::dates::to_date_repr;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::args;
use crate::foundation::js::is_truthy;
use crate::foundation::js::json::{self, is_array_index, strict_equals};
use crate::rules::load_rules;
use crate::rules::stored::serialize_list;
use crate::schedules::{linked_schedule, scheduled_amount, schedules, Schedule};
use crate::schema::fields::SCHEDULES;

/// `extractScheduleConds(conditions)`: the positions of the payee, account, amount and
/// date conditions.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ScheduleConds {
    payee: Option<usize>,
    account: Option<usize>,
    amount: Option<usize>,
    date: Option<usize>,
}

impl ScheduleConds {
    fn of(conditions: &[Value]) -> Self {
        let text = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
        let find = |ops: &[&str], field: &str| {
            conditions.iter().position(|c| {
                text(c, "op").is_some_and(|op| ops.contains(&op.as_str()))
                    && text(c, "field").as_deref() == Some(field)
            })
        };
        ScheduleConds {
            payee: find(&["is"], "payee").or_else(|| find(&["is"], "description")),
            account: find(&["is"], "account").or_else(|| find(&["is"], "acct")),
            amount: find(&["is", "isapprox", "isbetween"], "amount"),
            date: find(&["is", "isapprox"], "date"),
        }
    }

    /// `Object.values(...)`, in upstream's key order.
    fn values(self) -> [Option<usize>; 4] {
        [self.payee, self.account, self.amount, self.date]
    }
}

/// The date condition `extractScheduleConds` finds in `conditions`.
pub(super) fn date_condition(conditions: &[Value]) -> Option<&Value> {
    ScheduleConds::of(conditions).date.map(|i| &conditions[i])
}

/// `updateConditions(conditions, newConditions)`: each schedule condition of the old
/// list replaced by the new list's, the new ones the old list lacks appended.
fn update_conditions(old: &[Value], new: &[Value]) -> Vec<Value> {
    let pairs: Vec<_> = ScheduleConds::of(old)
        .values()
        .into_iter()
        .zip(ScheduleConds::of(new).values())
        .collect();
    let mut out: Vec<Value> = old
        .iter()
        .enumerate()
        .map(
            |(i, cond)| match pairs.iter().find(|(o, _)| *o == Some(i)) {
                Some((_, Some(j))) => new[*j].clone(),
                _ => cond.clone(),
            },
        )
        .collect();
    out.extend(
        pairs
            .iter()
            .filter(|(o, _)| o.is_none())
            .filter_map(|(_, n)| n.map(|j| new[j].clone())),
    );
    out
}

/// `updateActions(conditions, actions)`: plain `set amount` actions follow the amount
/// condition; `None` when nothing changes.
fn update_actions(conditions: &[Value], actions: &[Value]) -> Result<Option<Vec<Value>>> {
    let Some(i) = ScheduleConds::of(conditions).amount else {
        return Ok(None);
    };
    let mut amount = None;
    let mut changed = false;
    let mut out = Vec::with_capacity(actions.len());
    for action in actions {
        let text = |k: &str| action.get(k).and_then(Value::as_str);
        let option = |k: &str| {
            action
                .get("options")
                .and_then(|o| o.get(k))
                .is_some_and(is_truthy)
        };
        if text("op") == Some("set")
            && text("field") == Some("amount")
            && !option("template")
            && !option("formula")
        {
            let amount = match &amount {
                Some(a) => a,
                None => amount.insert(scheduled_amount(conditions[i].get("value"))?),
            };
            if !strict_equals(action.get("value"), Some(amount)) {
                changed = true;
                let mut edited = action.clone();
                edited["value"] = amount.clone();
                out.push(edited);
                continue;
            }
        }
        out.push(action.clone());
    }
    Ok(changed.then_some(out))
}

/// `areConditionValuesEqual(left, right)`: deep equality, keys in any order.
fn values_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_equal(x, y))
        }
        (Value::Array(_), _) | (_, Value::Array(_)) => false,
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| values_equal(v, w)))
        }
        (Value::Object(_), _) | (_, Value::Object(_)) => false,
        _ => json::strict_eq(left, right),
    }
}

/// `({ type, ...fields }) => fields`.
fn without_type(condition: Option<&Value>) -> Value {
    let mut fields = condition
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    fields.shift_remove("type");
    Value::Object(fields)
}

/// `areScheduleConditionsEqual(left, right)`.
fn schedule_conditions_equal(left: Option<&Value>, right: Option<&Value>) -> bool {
    match (left, right) {
        (Some(_), Some(_)) => values_equal(&without_type(left), &without_type(right)),
        _ => left.is_none() && right.is_none(),
    }
}

/// `conditions.find(c => c.field === field)`.
fn find_field<'a>(conditions: &'a [Value], field: &str) -> Option<&'a Value> {
    conditions
        .iter()
        .find(|c| c.get("field").and_then(Value::as_str) == Some(field))
}

/// The keys `for (const key in fields)` visits: array indices first, ascending, then
/// the others in insertion order (a string's or an array's are its indices; a
/// primitive or a Date has none).
fn for_in_keys(fields: Option<&Value>) -> Vec<String> {
    match fields {
        Some(Value::Object(o)) if js::date_millis(&Value::Object(o.clone())).is_none() => {
            let (mut indices, others): (Vec<&String>, Vec<&String>) =
                o.keys().partition(|k| is_array_index(k));
            indices.sort_by_key(|k| k.parse::<u64>().unwrap_or(0));
            indices.into_iter().chain(others).cloned().collect()
        }
        Some(Value::Array(items)) => (0..items.len()).map(|i| i.to_string()).collect(),
        Some(Value::String(s)) => (0..s.encode_utf16().count())
            .map(|i| i.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `v` holds a JavaScript `Date` anywhere (upstream would store or print it
/// as JavaScript converts it).
fn holds_date(v: &Value) -> bool {
    match v {
        Value::Object(o) => js::date_millis(v).is_some() || o.values().any(holds_date),
        Value::Array(items) => items.iter().any(holds_date),
        _ => false,
    }
}

/// `String(value)` of a field the handler converts, for the shapes it prints as
/// serde does.
fn string_of(v: &Value, what: &str) -> Result<String> {
    match v {
        Value::Object(_) | Value::Array(_) => Err(unsupported(format!(
            "updateSchedule with a {what} that is an object or an array"
        ))),
        other => Ok(json::to_string(other)),
    }
}

/// The live schedules named `name`, in table order.
fn schedules_named(b: &Budget, name: &str) -> Result<Vec<String>> {
    let mut stmt = b
        .conn
        .prepare_cached("SELECT id FROM schedules WHERE tombstone = 0 AND name = ?")?;
    let ids = stmt
        .query_map([name], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Whether the first live schedule named `name` is another than `id` (the API's check
/// and `checkIfScheduleExists`); which one is first among several is not decided here.
fn named_by_other(b: &Budget, name: &str, id: &str) -> Result<bool> {
    let ids = schedules_named(b, name)?;
    match ids.as_slice() {
        [] => Ok(false),
        [one] => Ok(one != id),
        many if many.iter().all(|s| s != id) => Ok(true),
        _ => Err(unsupported(format!(
            "several schedules named {name}, this one among them"
        ))),
    }
}

/// What the API handler makes of `fields`: the schedule's new name and
/// posts_transaction, its conditions as edited, and whether any field was given.
struct Edited {
    schedule: Schedule,
    name: Value,
    posts_transaction: bool,
    conditions: Vec<Value>,
    any: bool,
}

/// 'api/schedule-update' up to its call of updateSchedule.
fn edit(b: &Budget, id: &str, fields: Option<&Value>) -> Result<Option<Edited>> {
    let Some(schedule) = schedules(b)?.into_iter().find(|s| s.id == id) else {
        return Ok(None);
    };
    let Value::Array(mut conditions) = schedule.conditions.clone() else {
        return Err(unsupported(
            "updateSchedule of a schedule whose rule has no conditions",
        ));
    };
    if !conditions.iter().all(Value::is_object) {
        return Err(unsupported(
            "updateSchedule of a schedule whose rule has a condition that is not an object",
        ));
    }
    let Value::Bool(mut posts_transaction) = schedule.api["posts_transaction"] else {
        return Err(unsupported(
            "a schedule posts_transaction that is not a boolean",
        ));
    };
    let mut name = schedule.api["name"].clone();
    let index = |field: &str| find_field_index(&conditions, field);
    let (payee, account, date, amount) = (
        index("payee"),
        index("account"),
        index("date"),
        index("amount"),
    );
    let keys = for_in_keys(fields);
    if fields.is_some_and(holds_date) {
        return Err(unsupported("updateSchedule with a Date among the fields"));
    }
    let value_of = |key: &str| -> Value {
        match fields {
            Some(Value::Object(o)) => o.get(key).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }
    };
    let amount_missing = || BudgetError::api("Ammount can not be found. There is a bug here");
    for key in &keys {
        let value = value_of(key);
        match key.as_str() {
            "name" => {
                let new_name = string_of(&value, "name")?;
                if named_by_other(b, &new_name, id)? {
                    return Err(BudgetError::api(format!(
                        "There is already a schedule named: {new_name}"
                    )));
                }
                name = Value::String(new_name);
            }
            "next_date" | "completed" => {
                return Err(BudgetError::api(format!(
                    "Field {key} is system-managed and not user-editable."
                )))
            }
            "posts_transaction" => posts_transaction = is_truthy(&value),
            "payee" | "account" => match if key == "payee" { payee } else { account } {
                Some(i) => conditions[i]["value"] = value,
                None => {
                    let text = string_of(&value, key)?;
                    conditions.push(json!({ "field": key, "op": "is", "value": text }));
                }
            },
            "amountOp" => {
                let Some(i) = amount else {
                    return Err(amount_missing());
                };
                match value.as_str() {
                    Some(op @ ("is" | "isapprox" | "isbetween")) => conditions[i]["op"] = json!(op),
                    _ => {
                        return Err(BudgetError::api(format!(
                            "Invalid amount operator: {}. Expected: is, isapprox, or isbetween",
                            string_of(&value, "amountOp")?
                        )))
                    }
                }
            }
            "amount" => match amount {
                Some(i) => conditions[i]["value"] = value,
                None => return Err(amount_missing()),
            },
            "date" => match date {
                Some(i) => conditions[i]["value"] = value,
                None => {
                    return Err(BudgetError::api(
                        "Date can not be found. Schedules can not be created without a date there is a bug here",
                    ))
                }
            },
            _ => return Err(BudgetError::api(format!("Unhandled field: {key}"))),
        }
    }
    Ok(Some(Edited {
        schedule,
        name,
        posts_transaction,
        conditions,
        any: !keys.is_empty(),
    }))
}

/// `findIndex(c => c.field === field)`.
fn find_field_index(conditions: &[Value], field: &str) -> Option<usize> {
    conditions
        .iter()
        .position(|c| c.get("field").and_then(Value::as_str) == Some(field))
}

/// `updateSchedule(id, fields, resetNextDate)`: resolves to the id.
pub fn update_schedule(w: &mut Writer, args: &Value) -> Result<Value> {
    let Some(Value::String(id)) = args::get(args, "id") else {
        return Err(unsupported(
            "updateSchedule with an id that is not a string",
        ));
    };
    let id = id.clone();
    let reset = args::get(args, "resetNextDate").is_some_and(is_truthy);
    let b = &w.budget;
    let Some(edited) = edit(b, &id, args.get("fields"))? else {
        return Err(BudgetError::api(format!("Schedule {id} not found")));
    };
    if !edited.any {
        return Ok(json!(id));
    }

    // updateSchedule({ schedule: { id, posts_transaction, name }, conditions, resetNextDate })
    let name = normalized_name(Some(&edited.name))?;
    if let Some(name) = name.as_str() {
        if named_by_other(b, name, &id)? {
            return Err(BudgetError::plain(
                "Cannot update schedules with the same name",
            ));
        }
    }
    let conditions = edited.conditions;
    if let Some(i) = ScheduleConds::of(&conditions).date {
        if conditions[i].get("value").is_none_or(Value::is_null) {
            return Err(BudgetError::plain("Date is required"));
        }
    }
    let schedule = &edited.schedule;
    let rules = load_rules(b)?;
    let Some(rule) = schedule
        .rule
        .as_deref()
        .and_then(|r| rules.iter().find(|x| x.id.as_str() == Some(r)))
    else {
        return Err(unsupported(
            "updateSchedule of a schedule whose rule upstream would replace (fixRuleForSchedule)",
        ));
    };
    if rule.conditions.iter().any(|c| c.unparsed.is_none()) {
        return Err(unsupported(
            "updateSchedule of a schedule whose rule has a condition without a value",
        ));
    }
    let serialized = rule.serialize();
    let list = |k: &str| serialized[k].as_array().cloned().unwrap_or_default();
    let (old, actions) = (list("conditions"), list("actions"));
    let new = update_conditions(&old, &conditions);
    let new_actions = update_actions(&new, &actions)?;

    let mut rule_fields: Fields = vec![("conditions", Cell::String(serialize_list(&new)))];
    if let Some(actions) = &new_actions {
        rule_fields.push(("actions", Cell::String(serialize_list(actions))));
    }
    let mut rows = vec![(
        "rules",
        rule.id.as_str().unwrap_or_default().to_string(),
        rule_fields,
    )];

    let moves = reset
        || !schedule_conditions_equal(find_field(&old, "account"), find_field(&new, "account"))
        || !values_equal(
            &without_type(find_field(&old, "date")),
            &without_type(find_field(&new, "date")),
        );
    if moves {
        if let Some(row) = reset_next_date(b, &id, &new, schedule.next_date.as_deref())? {
            rows.push(row);
        }
    }

    let mut fields = Map::new();
    fields.insert("id".into(), json!(id));
    fields.insert("posts_transaction".into(), json!(edited.posts_transaction));
    fields.insert("name".into(), name);
    rows.push((
        "schedules",
        id.clone(),
        SCHEDULES.convert_for_update(&fields)?,
    ));

    w.changes.send_rows(rows)?;
    record_rule_paths(&w.budget, rule.id.as_str().unwrap_or_default())?;
    Ok(json!(id))
}

/// `setNextDate({ id, conditions, reset: true })`: the `schedules_next_date` update
/// that moves `base_next_date` to the next date from today, when that differs.
fn reset_next_date(
    b: &Budget,
    id: &str,
    conditions: &[Value],
    current: Option<&str>,
) -> Result<Option<(&'static str, String, Fields<'static>)>> {
    let Some(i) = ScheduleConds::of(conditions).date else {
        return Ok(None);
    };
    let cond = &conditions[i];
    let date_cond = json!({ "op": cond.get("op"), "field": "date", "value": cond.get("value") });
    // `getNextDate(dateCond, new Date())`: from the start of today.
    let Some(next) = get_next_date(&date_cond, b.now.date())? else {
        return Ok(None);
    };
    if Some(next.as_str()) == current {
        return Ok(None);
    }
    let mut stmt = b
        .conn
        .prepare_cached("SELECT id FROM schedules_next_date WHERE schedule_id = ?")?;
    let rows: Vec<String> = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let [row] = rows.as_slice() else {
        return Err(unsupported(format!(
            "schedule {id} has {} next-date rows",
            rows.len()
        )));
    };
    let repr = to_date_repr(&next).ok_or_else(|| unsupported(format!("the next date {next}")))?;
    Ok(Some((
        "schedules_next_date",
        row.clone(),
        vec![
            ("base_next_date", Cell::Number(repr as f64)),
            ("base_next_date_ts", Cell::Number(now_millis() as f64)),
        ],
    )))
}

/// onRuleUpdate for the rule as now stored: its schedule's JSON paths.
fn record_rule_paths(b: &Budget, rule: &str) -> Result<()> {
    let mut stmt = b
        .conn
        .prepare_cached("SELECT conditions, actions FROM rules WHERE id = ?")?;
    let mut rows = stmt.query([rule])?;
    let Some(row) = rows.next()? else {
        return Ok(());
    };
    if let Some((schedule, paths)) = linked_schedule(row.get_ref(0)?, row.get_ref(1)?)? {
        super::store_paths(b, &schedule, &paths)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_merge_as_update_conditions_does() {
        let old = vec![
            json!({ "op": "is", "field": "payee", "value": "p", "type": "id" }),
            json!({ "op": "is", "field": "account", "value": "a", "type": "id" }),
            json!({ "op": "contains", "field": "notes", "value": "x", "type": "string" }),
            json!({ "op": "isapprox", "field": "date", "value": "2027-01-01", "type": "date" }),
        ];
        let new = vec![
            json!({ "op": "is", "field": "description", "value": "p" }),
            json!({ "op": "is", "field": "acct", "value": "a" }),
            json!({ "op": "isapprox", "field": "date", "value": "2027-02-01" }),
            json!({ "op": "is", "field": "amount", "value": 5 }),
        ];
        let merged = update_conditions(&old, &new);
        assert_eq!(
            merged,
            vec![
                new[0].clone(),
                new[1].clone(),
                old[2].clone(),
                new[2].clone(),
                new[3].clone()
            ]
        );
        // The account condition is now `acct`: no `account` condition to compare with.
        assert!(!schedule_conditions_equal(
            find_field(&old, "account"),
            find_field(&merged, "account")
        ));
        assert!(!values_equal(
            &without_type(find_field(&old, "date")),
            &without_type(find_field(&merged, "date"))
        ));
        let same = json!({ "field": "date", "value": "2027-01-01", "op": "isapprox" });
        assert!(values_equal(
            &without_type(find_field(&old, "date")),
            &without_type(Some(&same))
        ));
    }

    #[test]
    fn set_amount_actions_follow_the_amount() {
        let conditions = vec![
            json!({ "op": "isbetween", "field": "amount", "value": { "num1": -3, "num2": -6 } }),
        ];
        let actions = vec![
            json!({ "op": "set", "field": "amount", "value": 1, "type": "number" }),
            json!({ "op": "set", "field": "amount", "value": 1, "type": "number", "options": { "formula": "=1" } }),
            json!({ "op": "link-schedule", "value": "s" }),
        ];
        let out = update_actions(&conditions, &actions).unwrap().unwrap();
        // Math.round(-4.5) is -4.
        assert_eq!(out[0]["value"], json!(-4));
        assert_eq!(out[1], actions[1]);
        let same = vec![json!({ "op": "set", "field": "amount", "value": -4 })];
        assert_eq!(update_actions(&conditions, &same).unwrap(), None);
        assert_eq!(update_actions(&[], &actions).unwrap(), None);
    }

    #[test]
    fn fields_are_visited_in_javascript_order() {
        let fields = json!({ "name": 1, "10": 2, "2": 3, "amount": 4 });
        assert_eq!(for_in_keys(Some(&fields)), ["2", "10", "name", "amount"]);
        assert_eq!(for_in_keys(Some(&json!("ab"))), ["0", "1"]);
        assert!(for_in_keys(Some(&json!(5))).is_empty());
        assert!(for_in_keys(Some(&json!({ "$date": 1 }))).is_empty());
    }
}
