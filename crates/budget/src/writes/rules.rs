//! `createRule`, `updateRule`, `deleteRule` (`server/api.ts` 'api/rule-create' etc.,
//! `server/rules/app.ts` rule-add / rule-update / rule-delete,
//! `server/transactions/transaction-rules.ts` insertRule / updateRule / deleteRule).
//!
//! A rule is checked as upstream's validateRule does (each condition and action built;
//! the RuleError types reported as `meta` of the APIError), then ruleModel.validate
//! (stage, conditionsOp), then stored as ruleModel.fromJS makes the row: the other
//! keys of the rule in their order, `conditions_op`, then `conditions` and `actions`
//! as JSON text with stored field names.

use serde_json::{Map, Value};

use crate::foundation::budget::Writer;
use crate::foundation::changes::uuid_v4;
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::args;
use crate::foundation::js::json;
use crate::rules::action::Action;
use crate::rules::error::RuleError;
use crate::rules::rule::{condition_of, prop};
use crate::rules::stored::serialize_list;
use actual_sync::Value as Cell;

/// The columns of `rules` a rule's own keys may write.
const COLUMNS: [&str; 5] = [
    "stage",
    "conditions",
    "actions",
    "tombstone",
    "conditions_op",
];

fn type_error(message: String) -> BudgetError {
    BudgetError::invalid("type-error", message)
}

/// `ruleModel.fromExternal(rule)` (`server/api-models.ts`): `{ ...rule, stage }` with
/// the API's `'default'` stage as null. `None` means the stage is undefined.
fn from_external(rule: Option<&Value>) -> Result<Map<String, Value>> {
    match rule {
        Some(Value::Object(o)) => {
            let mut out = o.clone();
            if out.get("stage").and_then(Value::as_str) == Some("default") {
                out.insert("stage".into(), Value::Null);
            }
            Ok(out)
        }
        None | Some(Value::Null) => Err(type_error(format!(
            "Cannot read properties of {} (reading 'stage')",
            json::describe_nullish(rule)
        ))),
        Some(_) => Err(BudgetError::Unsupported(
            "a rule that is not an object".into(),
        )),
    }
}

/// runValidation's `array.map(...)`.
fn items<'a>(rule: &'a Map<String, Value>, key: &str) -> Result<&'a [Value]> {
    match rule.get(key) {
        Some(Value::Array(items)) => Ok(items),
        v @ (None | Some(Value::Null)) => Err(type_error(format!(
            "Cannot read properties of {} (reading 'map')",
            json::describe_nullish(v)
        ))),
        Some(_) => Err(type_error("array.map is not a function".into())),
    }
}

/// One item's error type, or null; a thrown error other than RuleError stops all.
fn check(result: std::result::Result<(), RuleError>) -> Result<Value> {
    match result {
        Ok(()) => Ok(Value::Null),
        Err(RuleError::Rule(kind)) => Ok(Value::String(kind.into())),
        Err(other) => Err(other.into()),
    }
}

/// validateRule(rule): `None` when every condition and action builds, else upstream's
/// `{ conditionErrors, actionErrors }` (each null or one entry per item).
fn validate_rule(rule: &Map<String, Value>) -> Result<Option<Value>> {
    let mut condition_errors = Vec::new();
    for c in items(rule, "conditions")? {
        condition_errors.push(check(condition_of(c).map(|_| ()))?);
    }
    let mut action_errors = Vec::new();
    let null = Value::Null;
    for a in items(rule, "actions")? {
        let op = prop(a, "op")?;
        // The ops without a field of their own are built as `new Action(op, null, ...)`.
        let (field, value, options) = match op.and_then(Value::as_str) {
            Some("delete-transaction") => (Some(&null), Some(&null), None),
            Some("set-split-amount") => (Some(&null), prop(a, "value")?, prop(a, "options")?),
            Some("link-schedule" | "prepend-notes" | "append-notes") => {
                (Some(&null), prop(a, "value")?, None)
            }
            _ => (prop(a, "field")?, prop(a, "value")?, prop(a, "options")?),
        };
        action_errors.push(check(Action::new(op, field, value, options).map(|_| ()))?);
    }
    let report = |errors: Vec<Value>| {
        if errors.iter().any(Value::is_string) {
            Value::Array(errors)
        } else {
            Value::Null
        }
    };
    let (conditions, actions) = (report(condition_errors), report(action_errors));
    if conditions.is_null() && actions.is_null() {
        return Ok(None);
    }
    let mut meta = Map::new();
    meta.insert("conditionErrors".into(), conditions);
    meta.insert("actionErrors".into(), actions);
    Ok(Some(Value::Object(meta)))
}

/// ruleModel.validate(rule, { update }).
fn model_validate(rule: &Map<String, Value>, update: bool) -> Result<()> {
    // fromExternal always gives the rule a `stage` key, so an update checks it too.
    let stage = rule.get("stage");
    if !matches!(stage, Some(Value::Null))
        && !matches!(stage.and_then(Value::as_str), Some("pre" | "post"))
    {
        return Err(BudgetError::invalid(
            "invalid-rule",
            format!(
                "Invalid rule stage: {}",
                stage.map_or("undefined".into(), json::to_string)
            ),
        ));
    }
    let op = rule.get("conditionsOp");
    if (!update || op.is_some()) && !matches!(op.and_then(Value::as_str), Some("and" | "or")) {
        return Err(BudgetError::invalid(
            "invalid-rule",
            format!(
                "Invalid rule conditionsOp: {}",
                op.map_or("undefined".into(), json::to_string)
            ),
        ));
    }
    Ok(())
}

/// ruleModel.fromJS(rule) as the fields of one row, in upstream's order (`id` left out).
pub(crate) fn row_fields(rule: &Map<String, Value>) -> Result<Vec<(&'static str, Cell)>> {
    let mut row: Map<String, Value> = Map::new();
    for (k, v) in rule {
        if !matches!(k.as_str(), "conditions" | "conditionsOp" | "actions") {
            row.insert(k.clone(), v.clone());
        }
    }
    if let Some(op) = rule.get("conditionsOp").filter(|o| js::is_truthy(o)) {
        row.insert("conditions_op".into(), op.clone());
    }
    for key in ["conditions", "actions"] {
        if let Some(Value::Array(list)) = rule.get(key) {
            row.insert(key.into(), Value::String(serialize_list(list)));
        }
    }
    let mut fields = Vec::new();
    for (k, v) in row {
        if k == "id" {
            continue;
        }
        let Some(column) = COLUMNS.iter().copied().find(|c| *c == k) else {
            return Err(BudgetError::Unsupported(format!(
                "a rule with a field the rules table has no column for ({k})"
            )));
        };
        let cell = match v {
            Value::Null => Cell::Null,
            Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => Cell::String(s),
            other => {
                return Err(BudgetError::Unsupported(format!(
                    "a rule whose {k} is {other}, which upstream cannot store"
                )))
            }
        };
        fields.push((column, cell));
    }
    Ok(fields)
}

fn checked(rule: &Map<String, Value>, failure: &str, update: bool) -> Result<()> {
    if let Some(meta) = validate_rule(rule)? {
        return Err(BudgetError::api_with_meta(failure, meta));
    }
    model_validate(rule, update)
}

fn string_id(v: &Value) -> Result<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| BudgetError::Unsupported(format!("a rule id that is not a string ({v})")))
}

/// `createRule(rule)`: resolves to `{ id, ...rule }`.
pub fn create_rule(w: &mut Writer, args: &Value) -> Result<Value> {
    let rule = from_external(args.get("rule"))?;
    checked(&rule, "Failed creating a new rule", false)?;
    let fields = row_fields(&rule)?;
    // insertWithUUID: a falsy id gets a new one.
    let id = match rule.get("id") {
        Some(v) if js::is_truthy(v) => string_id(v)?,
        _ => uuid_v4(),
    };
    w.changes.insert("rules", &id, fields)?;
    let mut out = Map::new();
    out.insert("id".into(), Value::String(id));
    for (k, v) in rule {
        out.insert(k, v);
    }
    Ok(Value::Object(out))
}

/// `updateRule(rule)`: resolves to the rule given (its stage as stored).
pub fn update_rule(w: &mut Writer, args: &Value) -> Result<Value> {
    let rule = from_external(args.get("rule"))?;
    if !rule.contains_key("stage") {
        // fromExternal's `stage: rule.stage` adds the key, undefined.
        return match validate_rule(&rule)? {
            Some(meta) => Err(BudgetError::api_with_meta("Failed updating the rule", meta)),
            None => Err(BudgetError::invalid(
                "invalid-rule",
                "Invalid rule stage: undefined",
            )),
        };
    }
    checked(&rule, "Failed updating the rule", true)?;
    let fields = row_fields(&rule)?;
    let id = match rule.get("id") {
        None | Some(Value::Null) => {
            return Err(BudgetError::invalid(
                "invalid-argument",
                "update: id is required",
            ))
        }
        Some(v) => string_id(v)?,
    };
    w.changes.update("rules", &id, fields)?;
    Ok(Value::Object(rule))
}

/// `deleteRule(id)`: false when a schedule (even a deleted one) uses the rule; else the
/// rule's tombstone, and true (for any id, known or not).
pub fn delete_rule(w: &mut Writer, args: &Value) -> Result<Value> {
    let id = match args::get(args, "id") {
        Some(v) => string_id(v)?,
        None => return Err(BudgetError::Unsupported("deleteRule without an id".into())),
    };
    let used: bool = w
        .budget
        .conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM schedules WHERE rule = ?)")?
        .query_row([&id], |r| r.get(0))?;
    if used {
        return Ok(Value::Bool(false));
    }
    w.changes.delete("rules", &id)?;
    Ok(Value::Bool(true))
}
