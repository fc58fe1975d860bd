//! A stored rule as upstream holds it in memory: `makeRule` (`server/transactions/
//! transaction-rules.ts`) parses the row, builds `Rule`, `Condition` and `Action`
//! (`server/rules/rule.ts`, `condition.ts`, `action.ts`, whose constructors reject what
//! they cannot use), then maps ids through the mapping tables (`migrateIds` in
//! `server/rules/rule-utils.ts`); `serialize()` gives the API's shape.

use std::collections::HashMap;

use rusqlite::types::ValueRef;
use serde_json::{Map, Value};

use super::date_values::{parse_date_condition, Parse};
use super::fields::{field_type, is_valid_op, public_field};
use super::template;
use crate::json::{self, truthy};
use crate::rows::{object, plain};

/// What building one part of a rule came to.
pub enum Built<T> {
    Ok(T),
    /// A `RuleError`: upstream logs it and leaves the rule out.
    Invalid,
    /// Any other exception: upstream's `loadRules` throws, and the budget does not load.
    Fatal(String),
    /// Not decided here.
    Unknown(String),
}

macro_rules! built {
    ($e:expr) => {
        match $e {
            Built::Ok(v) => v,
            Built::Invalid => return Built::Invalid,
            Built::Fatal(why) => return Built::Fatal(why),
            Built::Unknown(why) => return Built::Unknown(why),
        }
    };
}

/// A condition as `Condition` holds it.
#[derive(Clone, Debug)]
pub struct Condition {
    pub op: String,
    pub field: &'static str,
    /// `unparsedValue`; `None` is `undefined`.
    pub value: Option<Value>,
    pub type_name: &'static str,
    pub options: Option<Value>,
}

/// An action as `Action` holds it.
#[derive(Clone, Debug)]
pub struct Action {
    pub op: String,
    /// `None` is `undefined` (delete-transaction), `Some(Null)` is `null`.
    pub field: Option<Value>,
    pub value: Option<Value>,
    pub type_name: Option<&'static str>,
    pub options: Option<Value>,
}

/// A rule as upstream holds it in memory.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub stage: Value,
    pub conditions_op: Value,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

/// The key a known field name has as a `&'static str`.
fn static_field(field: &str) -> Option<&'static str> {
    const FIELDS: &[&str] = &[
        "imported_payee",
        "payee",
        "payee_name",
        "date",
        "notes",
        "amount",
        "category",
        "category_group",
        "account",
        "cleared",
        "reconciled",
        "saved",
        "transfer",
        "parent",
    ];
    FIELDS.iter().copied().find(|f| *f == field)
}

/// `new Condition(op, field, value, options)`.
fn build_condition(item: &Map<String, Value>) -> Built<Condition> {
    let Some(field) = public_field(item.get("field")).and_then(static_field) else {
        return Built::Invalid;
    };
    let type_name = field_type(field).unwrap_or("saved");
    if type_name == "saved" {
        // CONDITION_TYPES has no `saved` type.
        return Built::Invalid;
    }
    let Some(op) = item.get("op").and_then(Value::as_str) else {
        return Built::Invalid;
    };
    if !is_valid_op(field, op) {
        return Built::Invalid;
    }
    let value = item.get("value");
    let present = value.filter(|v| !v.is_null());
    let nullable = matches!(type_name, "id" | "string");
    if !nullable && present.is_none() {
        return Built::Invalid;
    }
    match type_name {
        "date" => match parse_date_condition(op, present.unwrap_or(&Value::Null)) {
            Parse::Invalid => return Built::Invalid,
            Parse::Unknown => {
                return Built::Unknown(format!("a date condition value {}", value_text(value)))
            }
            _ => {}
        },
        "id" => {
            if matches!(op, "oneOf" | "notOneOf" | "and") && !value.is_some_and(Value::is_array) {
                return Built::Invalid;
            }
        }
        "string" => {
            if matches!(op, "oneOf" | "notOneOf") {
                let Some(Value::Array(items)) = value else {
                    return Built::Invalid;
                };
                // `value.filter(Boolean).map(val => val.toLowerCase())`
                if items.iter().any(|v| truthy(v) && !v.is_string()) {
                    return Built::Fatal(format!(
                        "a {op} condition on {field} lists a value that is not a string"
                    ));
                }
            } else {
                let Some(Value::String(s)) = value else {
                    return Built::Invalid;
                };
                let needs_text = matches!(
                    op,
                    "contains" | "matches" | "doesNotContain" | "hasTags" | "hasAnyTag"
                );
                if needs_text && s.is_empty() {
                    return Built::Invalid;
                }
            }
        }
        "number" => {
            let v = present.unwrap_or(&Value::Null);
            let between = v.get("num1").is_some_and(Value::is_number)
                && v.get("num2").is_some_and(Value::is_number);
            let ok = if op == "isbetween" {
                !v.is_number() && between
            } else {
                v.is_number()
            };
            if !ok {
                return Built::Invalid;
            }
        }
        "boolean" => {
            if !present.is_some_and(Value::is_boolean) {
                return Built::Invalid;
            }
        }
        _ => return Built::Invalid,
    }
    Built::Ok(Condition {
        op: op.to_string(),
        field,
        value: value.cloned(),
        type_name,
        options: item.get("options").cloned(),
    })
}

fn value_text(v: Option<&Value>) -> String {
    v.map_or_else(|| "undefined".to_string(), Value::to_string)
}

/// `new Action(op, field, value, options)`.
fn build_action(item: &Map<String, Value>) -> Built<Action> {
    let Some(op) = item.get("op").and_then(Value::as_str).filter(|op| {
        matches!(
            *op,
            "set"
                | "set-split-amount"
                | "link-schedule"
                | "prepend-notes"
                | "append-notes"
                | "delete-transaction"
        )
    }) else {
        return Built::Invalid;
    };
    let mapped = public_field(item.get("field"));
    let value = item.get("value");
    let options = item.get("options");
    let (field, type_name) = match op {
        "set" => {
            let Some(field) = mapped.and_then(static_field) else {
                return Built::Invalid;
            };
            if let Some(t) = options
                .and_then(|o| o.get("template"))
                .filter(|t| truthy(t))
            {
                let Value::String(t) = t else {
                    return Built::Fatal("a template that is not a string".to_string());
                };
                if template::passes(t).is_none() {
                    return Built::Unknown(format!("the template {t:?}"));
                }
            }
            (Some(Value::from(field)), field_type(field))
        }
        "set-split-amount" => (Some(Value::Null), Some("number")),
        "link-schedule" => (Some(Value::Null), Some("id")),
        "prepend-notes" | "append-notes" => (Some(Value::from("notes")), Some("id")),
        _ => (None, None),
    };
    if mapped == Some("account") && !value.is_some_and(truthy) {
        return Built::Invalid;
    }
    Built::Ok(Action {
        op: op.to_string(),
        field,
        value: value.cloned(),
        type_name,
        options: options.cloned(),
    })
}

/// `parseConditionsOrActions` on a column: its items as objects (`None` for items that
/// are not objects, which name no field or operator).
fn parse_items(column: ValueRef<'_>) -> Built<Vec<Option<Map<String, Value>>>> {
    let text = match column {
        ValueRef::Text(b"") => return Built::Ok(Vec::new()),
        ValueRef::Text(t) => t,
        ValueRef::Null => return Built::Ok(Vec::new()),
        ValueRef::Integer(0) => return Built::Ok(Vec::new()),
        ValueRef::Real(0.0) => return Built::Ok(Vec::new()),
        // Not a string, so not parsed, and not an array.
        _ => return Built::Invalid,
    };
    let items = match json::parse(text) {
        json::Parsed::Value(Value::Array(items)) => items,
        json::Parsed::Value(_) | json::Parsed::SyntaxError => return Built::Invalid,
        json::Parsed::Unrepresentable => {
            return Built::Unknown("rule JSON that serde cannot represent".to_string())
        }
    };
    if items.iter().any(Value::is_null) {
        // `fromInternalField(null)` reads `null.field`.
        return Built::Fatal("a rule lists a null condition or action".to_string());
    }
    Built::Ok(
        items
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
    )
}

/// The parsed items of a rule row's `conditions` and `actions`, before they are built.
pub struct RawRule {
    pub conditions: Vec<Option<Map<String, Value>>>,
    pub actions: Vec<Option<Map<String, Value>>>,
}

/// `ruleModel.toJS`: the two columns parsed (conditions first).
pub fn parse_row(conditions: ValueRef<'_>, actions: ValueRef<'_>) -> Built<RawRule> {
    let conditions = built!(parse_items(conditions));
    let actions = built!(parse_items(actions));
    Built::Ok(RawRule {
        conditions,
        actions,
    })
}

/// `new Rule(...)` over parsed items: every condition, then every action.
pub fn build_rule(id: String, stage: Value, conditions_op: Value, raw: &RawRule) -> Built<Rule> {
    let mut conditions = Vec::with_capacity(raw.conditions.len());
    for item in &raw.conditions {
        let Some(item) = item else {
            return Built::Invalid;
        };
        conditions.push(built!(build_condition(item)));
    }
    let mut actions = Vec::with_capacity(raw.actions.len());
    for item in &raw.actions {
        let Some(item) = item else {
            return Built::Invalid;
        };
        actions.push(built!(build_action(item)));
    }
    Built::Ok(Rule {
        id,
        stage,
        conditions_op,
        conditions,
        actions,
    })
}

/// The id mapping tables (`server/db/mappings.ts`): merged payees and deleted
/// categories point at what replaced them.
pub type Mappings = HashMap<String, Value>;

/// `mappings.get(v) || v`.
fn mapped(mappings: &Mappings, v: &Value) -> Value {
    v.as_str()
        .and_then(|s| mappings.get(s))
        .filter(|target| truthy(target))
        .unwrap_or(v)
        .clone()
}

/// `[...new Set(values)]`: primitives once each, objects and arrays always (no two
/// parsed values are the same object).
fn unique(values: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    for v in values {
        let seen = !(v.is_object() || v.is_array())
            && out
                .iter()
                .any(|o| json::strict_equals(Some(o), Some(&v)) || both_nan(o, &v));
        if !seen {
            out.push(v);
        }
    }
    out
}

fn both_nan(a: &Value, b: &Value) -> bool {
    a.as_f64().is_some_and(f64::is_nan) && b.as_f64().is_some_and(f64::is_nan)
}

/// `migrateIds(rule, mappings)`.
pub fn migrate_ids(rule: &mut Rule, mappings: &Mappings) {
    for cond in rule.conditions.iter_mut().filter(|c| c.type_name == "id") {
        match cond.op.as_str() {
            "is" | "isNot" => {
                cond.value = cond.value.as_ref().map(|v| mapped(mappings, v));
            }
            "oneOf" | "notOneOf" => {
                if let Some(Value::Array(items)) = &cond.value {
                    let items = items.iter().map(|v| mapped(mappings, v)).collect();
                    cond.value = Some(Value::Array(unique(items)));
                }
            }
            _ => {}
        }
    }
    for action in &mut rule.actions {
        if action.type_name == Some("id") && action.op == "set" {
            action.value = action.value.as_ref().map(|v| mapped(mappings, v));
        }
    }
}

/// Inserts `key` unless its value is `undefined`, as `JSON` leaves such keys out.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v.clone());
    }
}

impl Condition {
    /// `Condition.serialize()`.
    pub fn serialize(&self) -> Value {
        let mut map = Map::new();
        map.insert("op".into(), Value::from(self.op.as_str()));
        map.insert("field".into(), Value::from(self.field));
        put(&mut map, "value", self.value.as_ref());
        map.insert("type".into(), Value::from(self.type_name));
        put(
            &mut map,
            "options",
            self.options.as_ref().filter(|o| truthy(o)),
        );
        Value::Object(map)
    }
}

impl Action {
    /// `Action.serialize()`.
    pub fn serialize(&self) -> Value {
        let mut map = Map::new();
        map.insert("op".into(), Value::from(self.op.as_str()));
        put(&mut map, "field", self.field.as_ref());
        put(&mut map, "value", self.value.as_ref());
        put(&mut map, "type", self.type_name.map(Value::from).as_ref());
        put(
            &mut map,
            "options",
            self.options.as_ref().filter(|o| truthy(o)),
        );
        Value::Object(map)
    }
}

impl Rule {
    /// `Rule.serialize()`.
    pub fn serialize(&self) -> Value {
        object([
            ("id", Value::from(self.id.as_str())),
            ("stage", self.stage.clone()),
            ("conditionsOp", self.conditions_op.clone()),
            (
                "conditions",
                Value::Array(self.conditions.iter().map(Condition::serialize).collect()),
            ),
            (
                "actions",
                Value::Array(self.actions.iter().map(Action::serialize).collect()),
            ),
        ])
    }
}

/// The stage a row's `stage` column gives the rule: `loadRules` reads the old stages
/// `cleanup` and `modify` as `pre`, and `Rule` turns a missing stage into `null`.
pub fn stage_of(column: ValueRef<'_>) -> Value {
    match plain(column) {
        Value::String(s) if s == "cleanup" || s == "modify" => Value::from("pre"),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build(conditions: Value, actions: Value) -> Built<Rule> {
        let c = conditions.to_string();
        let a = actions.to_string();
        let raw = match parse_row(ValueRef::Text(c.as_bytes()), ValueRef::Text(a.as_bytes())) {
            Built::Ok(raw) => raw,
            Built::Invalid => return Built::Invalid,
            Built::Fatal(w) => return Built::Fatal(w),
            Built::Unknown(w) => return Built::Unknown(w),
        };
        build_rule("r".into(), Value::Null, json!("and"), &raw)
    }

    fn is_invalid(b: Built<Rule>) -> bool {
        matches!(b, Built::Invalid)
    }

    #[test]
    fn stored_fields_are_public_again_and_values_kept_raw() {
        let Built::Ok(rule) = build(
            json!([{ "op": "oneOf", "field": "imported_description", "value": ["AbC"], "extra": 1 }]),
            json!([{ "op": "set", "field": "description", "value": "p" }, { "op": "delete-transaction" }]),
        ) else {
            panic!("valid")
        };
        assert_eq!(
            rule.serialize()["conditions"],
            json!([{ "op": "oneOf", "field": "imported_payee", "value": ["AbC"], "type": "string" }])
        );
        assert_eq!(
            rule.serialize()["actions"],
            json!([{ "op": "set", "field": "payee", "value": "p", "type": "id" }, { "op": "delete-transaction" }])
        );
    }

    #[test]
    fn constructors_reject_what_upstream_rejects() {
        assert!(is_invalid(build(
            json!([{ "op": "is", "field": "saved", "value": "x" }]),
            json!([])
        )));
        assert!(is_invalid(build(
            json!([{ "op": "is", "field": "amount", "value": null }]),
            json!([])
        )));
        assert!(is_invalid(build(
            json!([{ "op": "isbetween", "field": "amount", "value": 5 }]),
            json!([])
        )));
        assert!(is_invalid(build(
            json!([{ "op": "is", "field": "notes", "value": null }]),
            json!([])
        )));
        assert!(is_invalid(build(
            json!([{ "op": "contains", "field": "notes", "value": "" }]),
            json!([])
        )));
        assert!(is_invalid(build(
            json!([{ "op": "gt", "field": "date", "value": "2024-05" }]),
            json!([])
        )));
        assert!(is_invalid(build(
            json!([]),
            json!([{ "op": "set", "field": "account", "value": "" }])
        )));
        assert!(is_invalid(build(
            json!([]),
            json!([{ "op": "set", "field": "nope", "value": 1 }])
        )));
        assert!(is_invalid(build(json!([5]), json!([]))));
        assert!(matches!(
            build(
                json!([{ "op": "oneOf", "field": "notes", "value": ["a"] }]),
                json!([])
            ),
            Built::Invalid
        ));
        assert!(matches!(
            build(
                json!([{ "op": "oneOf", "field": "imported_payee", "value": ["a", 5] }]),
                json!([])
            ),
            Built::Fatal(_)
        ));
        assert!(matches!(build(json!([null]), json!([])), Built::Fatal(_)));
        assert!(matches!(
            build(
                json!([{ "op": "is", "field": "category", "value": null }]),
                json!([{ "op": "link-schedule", "value": "s" }])
            ),
            Built::Ok(_)
        ));
    }

    #[test]
    fn ids_migrate_through_the_mappings() {
        let Built::Ok(mut rule) = build(
            json!([
                { "op": "is", "field": "description", "value": "old" },
                { "op": "oneOf", "field": "category", "value": ["c1", "c2", "c1"] },
                { "op": "contains", "field": "payee", "value": "old" }
            ]),
            json!([{ "op": "set", "field": "category", "value": "c1" }, { "op": "link-schedule", "value": "old" }]),
        ) else {
            panic!("valid")
        };
        let mappings: Mappings = [
            ("old".to_string(), json!("new")),
            ("c1".to_string(), json!("c2")),
            ("c2".to_string(), json!("c2")),
        ]
        .into();
        migrate_ids(&mut rule, &mappings);
        let s = rule.serialize();
        assert_eq!(s["conditions"][0]["value"], json!("new"));
        assert_eq!(s["conditions"][1]["value"], json!(["c2"]));
        assert_eq!(s["conditions"][2]["value"], json!("old"));
        assert_eq!(s["actions"][0]["value"], json!("c2"));
        assert_eq!(s["actions"][1]["value"], json!("old"));
    }
}
