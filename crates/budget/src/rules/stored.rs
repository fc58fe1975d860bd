//! Rules as the `rules` table stores them (`server/transactions/transaction-rules.ts`
//! ruleModel, parseConditionsOrActions, serializeConditionsOrActions): `conditions`
//! and `actions` are JSON text with the transactions table's own field names
//! (`description` for payee, `acct` for account, ...), `conditions_op` is the
//! operator, `stage` is `pre`, `post` or null.

use serde_json::{Map, Value};

use super::error::RuleError;
use super::fields::{to_internal, to_public};
use super::js;
use super::rule::Rule;
use crate::rows::all_columns;
use crate::{Budget, Result};

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
        out.push(all_columns(row)?);
    }
    Ok(out)
}

/// What `JSON.parse` does with stored text: a value, a SyntaxError (`None`), or a
/// text JavaScript reads but serde cannot (lone surrogates, huge numbers, deep nesting).
fn json_parse(text: &str) -> Result<Option<Value>, RuleError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            let m = e.to_string();
            if ["surrogate", "number out of range", "recursion limit"]
                .iter()
                .any(|s| m.contains(s))
            {
                Err(RuleError::Unsupported(
                    "a rule whose stored JSON this engine cannot read".into(),
                ))
            } else {
                Ok(None)
            }
        }
    }
}

/// `parseConditionsOrActions(str)`: empty is `[]`; text that is not a JSON array is a
/// `RuleError`; each item's field gets its public name (`fromInternalField`).
pub fn parse_list(stored: Option<&Value>) -> Result<Vec<Value>, RuleError> {
    let value = match stored {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(s)) if s.is_empty() => return Ok(Vec::new()),
        Some(Value::String(s)) => json_parse(s)?.ok_or(RuleError::Rule("internal"))?,
        Some(other) if js::truthy(other) => other.clone(),
        Some(_) => return Ok(Vec::new()),
    };
    let Value::Array(items) = value else {
        return Err(RuleError::Rule("internal"));
    };
    Ok(items.into_iter().map(from_internal_field).collect())
}

/// `fromInternalField(obj)`: `{ ...obj, field: publicFields[obj.field] || obj.field }`.
fn from_internal_field(item: Value) -> Value {
    let mut obj = match item {
        Value::Object(o) => o,
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
    Value::Object(obj)
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
    js::stringify(&Value::Array(internal))
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
}
