//! Rules as the `rules` table stores them (`server/transactions/transaction-rules.ts`
//! ruleModel, parseConditionsOrActions, serializeConditionsOrActions): `conditions`
//! and `actions` are JSON text with the transactions table's own field names
//! (`description` for payee, `acct` for account, ...), `conditions_op` is the
//! operator, `stage` is `pre`, `post` or null.

use rusqlite::types::ValueRef;
use serde_json::{Map, Value};

use super::error::RuleError;
use super::fields::{to_internal, to_public};
use super::rule::Rule;
use crate::foundation::budget::Budget;
use crate::foundation::error::Result;
use crate::foundation::js;
use crate::foundation::js::json;
use crate::foundation::js::sqlite::{all_columns, plain};

/// One row of `rules` (every column, as the driver gives them).
pub type StoredRule = Map<String, Value>;

/// upstream's loadRules query.
pub fn live_rows(b: &Budget) -> Result<Vec<StoredRule>> {
    let mut stmt = b.conn.prepare_cached(
        "SELECT * FROM rules
           WHERE conditions IS NOT NULL AND actions IS NOT NULL AND tombstone = 0",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut rule = all_columns(row)?;
        for column in ["conditions", "actions"] {
            rule.insert(column.into(), list_column(row.get_ref(column)?));
        }
        out.push(rule);
    }
    Ok(out)
}

/// A `conditions` or `actions` column as [`parse_list`] takes it: the driver's value,
/// except that a blob, which JavaScript gets as a Buffer (not a string, not an array),
/// is given as `true` (not a string, not an array either).
pub fn list_column(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Blob(_) => Value::Bool(true),
        other => plain(other),
    }
}

/// `parseConditionsOrActions(str)` (`parseArray`): empty is `[]`; text that is not a
/// JSON array is a `RuleError`; each item's field gets its public name
/// (`fromInternalField`). Objects keep the key order JavaScript gives them.
pub fn parse_list(stored: Option<&Value>) -> Result<Vec<Value>, RuleError> {
    let value = match stored {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(s)) if s.is_empty() => return Ok(Vec::new()),
        Some(Value::String(s)) => match json::parse(s.as_bytes()) {
            json::Parsed::Value(v) => v,
            json::Parsed::SyntaxError => return Err(RuleError::Rule("internal")),
            json::Parsed::Unrepresentable => {
                return Err(RuleError::Unsupported(
                    "a rule whose stored JSON this engine cannot read".into(),
                ))
            }
        },
        Some(other) if js::is_truthy(other) => other.clone(),
        Some(_) => return Ok(Vec::new()),
    };
    let Value::Array(items) = value else {
        return Err(RuleError::Rule("internal"));
    };
    items.into_iter().map(from_internal_field).collect()
}

/// `fromInternalField(obj)`: `{ ...obj, field: publicFields[obj.field] || obj.field }`
/// (`null.field` throws, and no rule loads then).
fn from_internal_field(item: Value) -> Result<Value, RuleError> {
    let mut obj = match item {
        Value::Object(o) => o,
        Value::Null => {
            return Err(RuleError::type_error(
                "Cannot read properties of null (reading 'field')",
            ))
        }
        // Spreading a primitive gives no keys.
        _ => Map::new(),
    };
    let field = match obj.get("field") {
        Some(Value::String(f)) => Some(Value::String(to_public(f).to_string())),
        other => other.cloned(),
    };
    match field {
        Some(f) => {
            obj.insert("field".into(), f);
        }
        None => {
            obj.shift_remove("field");
        }
    }
    Ok(Value::Object(obj))
}

/// `serializeConditionsOrActions(arr)`: each item with its field's stored name
/// (`toInternalField`), as `JSON.stringify` writes it.
pub fn serialize_list(items: &[Value]) -> String {
    let internal: Vec<Value> = items
        .iter()
        .map(|item| {
            let mut obj = match item {
                Value::Object(o) => o.clone(),
                _ => Map::new(),
            };
            match obj.get("field").cloned() {
                Some(Value::String(f)) => {
                    obj.insert("field".into(), Value::String(to_internal(&f).to_string()));
                }
                // `internalFields[x] || x` keeps any other value.
                Some(_) => {}
                None => {}
            }
            Value::Object(obj)
        })
        .collect();
    json::stringify(&Value::Array(internal), false)
}

/// `makeRule(row)` of a stored row (old stages `cleanup` and `modify` read as `pre`):
/// `Ok(None)` when upstream's RuleError would skip the rule.
pub fn make_rule(row: &StoredRule) -> Result<Option<Rule>, RuleError> {
    let stage = match row.get("stage") {
        Some(Value::String(s)) if s == "cleanup" || s == "modify" => Value::String("pre".into()),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let built = parse_list(row.get("conditions")).and_then(|conditions| {
        let actions = parse_list(row.get("actions"))?;
        Rule::new(
            row.get("id").cloned().unwrap_or(Value::Null),
            stage,
            row.get("conditions_op").cloned().unwrap_or(Value::Null),
            &conditions,
            &actions,
        )
    });
    match built {
        Ok(rule) => Ok(Some(rule)),
        Err(RuleError::Rule(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_names_map_both_ways() {
        let text = serialize_list(&[
            json!({"op": "is", "field": "payee", "value": "p"}),
            json!({"op": "delete-transaction"}),
            json!({"field": "account", "op": "is", "value": "a", "options": {"x": 1}}),
        ]);
        assert_eq!(
            text,
            r#"[{"op":"is","field":"description","value":"p"},{"op":"delete-transaction"},{"field":"acct","op":"is","value":"a","options":{"x":1}}]"#
        );
        let back = parse_list(Some(&Value::String(text))).unwrap();
        assert_eq!(back[0]["field"], "payee");
        assert_eq!(back[2]["field"], "account");
        assert!(back[1].get("field").is_none());
        assert_eq!(
            parse_list(Some(&json!("{}"))),
            Err(RuleError::Rule("internal"))
        );
        assert_eq!(
            parse_list(Some(&json!("[oops"))),
            Err(RuleError::Rule("internal"))
        );
        assert_eq!(parse_list(Some(&json!(""))), Ok(vec![]));
    }

    fn row(conditions: Value, actions: Value) -> StoredRule {
        let mut row = Map::new();
        row.insert("id".into(), json!("r"));
        row.insert("stage".into(), json!("cleanup"));
        row.insert("conditions_op".into(), json!("and"));
        row.insert("conditions".into(), Value::String(conditions.to_string()));
        row.insert("actions".into(), Value::String(actions.to_string()));
        row
    }

    fn skipped(conditions: Value, actions: Value) -> bool {
        matches!(make_rule(&row(conditions, actions)), Ok(None))
    }

    #[test]
    fn stored_rules_build_as_upstream_loads_them() {
        let rule = make_rule(&row(
            json!([{ "op": "oneOf", "field": "imported_description", "value": ["AbC"], "extra": 1 }]),
            json!([{ "op": "set", "field": "description", "value": "p" }, { "op": "delete-transaction" }]),
        ))
        .unwrap()
        .unwrap();
        let s = rule.serialize();
        assert_eq!(s["stage"], json!("pre"));
        assert_eq!(
            s["conditions"],
            json!([{ "op": "oneOf", "field": "imported_payee", "value": ["AbC"], "type": "string" }])
        );
        assert_eq!(
            s["actions"],
            json!([{ "op": "set", "field": "payee", "value": "p", "type": "id" }, { "op": "delete-transaction" }])
        );
        // Rule errors leave the rule out.
        assert!(skipped(json!([5]), json!([])));
        assert!(skipped(
            json!([{ "op": "oneOf", "field": "notes", "value": ["a"] }]),
            json!([])
        ));
        assert!(skipped(
            json!([]),
            json!([{ "op": "set", "field": "account", "value": "" }])
        ));
        assert!(skipped(
            json!([{ "op": "is", "field": "toString", "value": 1 }]),
            json!([])
        ));
        // Other errors stop the load.
        assert!(matches!(
            make_rule(&row(json!([null]), json!([]))),
            Err(RuleError::Thrown { .. })
        ));
        assert!(matches!(
            make_rule(&row(
                json!([{ "op": "oneOf", "field": "imported_payee", "value": ["a", 5] }]),
                json!([])
            )),
            Err(RuleError::Thrown { .. })
        ));
        // A template that passes upstream's check loads and runs; one naming a helper
        // that is not registered fails the check (left out); one this engine does not
        // render is refused.
        let templated = make_rule(&row(
            json!([]),
            json!([{ "op": "set", "field": "notes", "value": "", "options": { "template": "{{notes}}!" } }]),
        ))
        .unwrap()
        .unwrap();
        assert!(templated.unsupported().is_none());
        assert!(matches!(
            make_rule(&row(
                json!([]),
                json!([{ "op": "set", "field": "notes", "options": { "template": "{{nope notes}}" } }])
            )),
            Ok(None)
        ));
        assert!(matches!(
            make_rule(&row(
                json!([]),
                json!([{ "op": "set", "field": "notes", "options": { "template": "{{#if x}}" } }])
            )),
            Err(RuleError::Unsupported(_))
        ));
        // JavaScript's key order for parsed objects.
        let keyed = make_rule(&row(
            json!([{ "op": "is", "field": "amount", "value": 5, "options": { "b": 1, "2": 0 } }]),
            json!([]),
        ))
        .unwrap()
        .unwrap();
        let options = keyed.serialize()["conditions"][0]["options"].clone();
        assert_eq!(
            options.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["2", "b"]
        );
    }

    #[test]
    fn ids_migrate_through_the_mappings() {
        let mut rule = make_rule(&row(
            json!([
                { "op": "is", "field": "description", "value": "old" },
                { "op": "oneOf", "field": "category", "value": ["c1", "c2", "c1"] },
                { "op": "contains", "field": "description", "value": "old" }
            ]),
            json!([{ "op": "set", "field": "category", "value": "c1" }, { "op": "link-schedule", "value": "old" }]),
        ))
        .unwrap()
        .unwrap();
        rule.migrate_ids(&mut |id| match id {
            "old" => Some("new".into()),
            "c1" | "c2" => Some("c2".into()),
            _ => None,
        });
        let s = rule.serialize();
        assert_eq!(s["conditions"][0]["value"], json!("new"));
        assert_eq!(s["conditions"][1]["value"], json!(["c2"]));
        assert_eq!(s["conditions"][2]["value"], json!("old"));
        assert_eq!(s["actions"][0]["value"], json!("c2"));
        assert_eq!(s["actions"][1]["value"], json!("old"));
    }
}
