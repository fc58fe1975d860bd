//! A rule: upstream's `Rule` (`server/rules/rule.ts`) and the id mapping of loaded
//! rules (`rule-utils.ts` migrateIds).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::action::{exec_actions, Action, ActionOp};
use super::condition::{Condition, Parsed};
use super::error::RuleError;
use super::fields::FieldType;
use super::split::Row;

/// Which of the three passes a rule runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Pre,
    Default,
    Post,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: Value,
    /// The stored stage (`stage ?? null`), for `serialize`.
    pub stage_value: Value,
    pub stage: Stage,
    pub conditions_op: Value,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

/// One item of a rule's `conditions`/`actions` as `new Condition(c.op, c.field,
/// c.value, c.options)` reads it: property access on anything (`null` throws).
pub fn prop<'a>(item: &'a Value, key: &str) -> Result<Option<&'a Value>, RuleError> {
    match item {
        Value::Null => Err(RuleError::type_error(format!(
            "Cannot read properties of null (reading '{key}')"
        ))),
        Value::Object(o) => Ok(o.get(key)),
        _ => Ok(None),
    }
}

/// `new Condition(...)` of one item.
pub fn condition_of(item: &Value) -> Result<Condition, RuleError> {
    Condition::new(
        prop(item, "op")?,
        prop(item, "field")?,
        prop(item, "value")?,
        prop(item, "options")?,
    )
}

/// `new Action(...)` of one item, as the `Rule` constructor makes it.
pub fn action_of(item: &Value) -> Result<Action, RuleError> {
    Action::new(
        prop(item, "op")?,
        prop(item, "field")?,
        prop(item, "value")?,
        prop(item, "options")?,
    )
}

impl Rule {
    /// `new Rule({ id, stage, conditionsOp, conditions, actions })`.
    pub fn new(
        id: Value,
        stage: Value,
        conditions_op: Value,
        conditions: &[Value],
        actions: &[Value],
    ) -> Result<Rule, RuleError> {
        let conditions = conditions
            .iter()
            .map(condition_of)
            .collect::<Result<_, _>>()?;
        let actions = actions.iter().map(action_of).collect::<Result<_, _>>()?;
        let kind = match stage.as_str() {
            Some("pre") => Stage::Pre,
            Some("post") => Stage::Post,
            _ => Stage::Default,
        };
        Ok(Rule {
            id,
            stage_value: stage,
            stage: kind,
            conditions_op,
            conditions,
            actions,
        })
    }

    /// migrateIds: ids merged or deleted since the rule was stored read through the
    /// mapping tables (`mapping(id)` is `mappings.get(id)`, falsy meaning none).
    pub fn migrate_ids(&mut self, mapping: &mut impl FnMut(&str) -> Option<String>) {
        let mut map = |v: &Value| match v.as_str().and_then(&mut *mapping) {
            Some(target) if !target.is_empty() => Value::String(target),
            _ => v.clone(),
        };
        for c in &mut self.conditions {
            if c.ty != FieldType::Id {
                continue;
            }
            match (c.op.as_str(), c.raw.as_ref()) {
                ("is" | "isNot", Some(raw)) => {
                    let mapped = map(raw);
                    c.value = Parsed::Plain(mapped.clone());
                    c.unparsed = Some(mapped);
                }
                ("oneOf" | "notOneOf", Some(Value::Array(raw))) => {
                    let mut seen: Vec<Value> = Vec::new();
                    for v in raw.iter().map(&mut map) {
                        if !seen.iter().any(|s| same_value_zero(s, &v)) {
                            seen.push(v);
                        }
                    }
                    c.value = Parsed::List(seen.clone());
                    c.unparsed = Some(Value::Array(seen));
                }
                _ => {}
            }
        }
        for a in &mut self.actions {
            if a.ty == Some(FieldType::Id) && a.op == ActionOp::Set {
                a.value = a.raw.as_ref().map(&mut map);
            }
        }
    }

    /// `evalConditions`: no condition never matches; `or` is any, anything else all.
    pub fn eval_conditions(&self, object: &Row) -> Result<bool, RuleError> {
        if self.conditions.is_empty() {
            return Ok(false);
        }
        let any = self.conditions_op.as_str() == Some("or");
        for c in &self.conditions {
            let hit = c.eval(object)?;
            if any && hit {
                return Ok(true);
            }
            if !any && !hit {
                return Ok(false);
            }
        }
        Ok(!any)
    }

    /// `apply(object)` after a positive `evalConditions`, or the schedule's own rule
    /// run without conditions: `Object.assign({}, object, changes)`.
    pub fn exec_onto(&self, object: &mut Row) -> Result<(), RuleError> {
        let actions: Vec<&Action> = self.actions.iter().collect();
        let result = exec_actions(&actions, object.clone())?;
        for (k, v) in result {
            if object.get(&k) != Some(&v) {
                object.insert(k, v);
            }
        }
        Ok(())
    }

    /// `serialize()`.
    pub fn serialize(&self) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), self.id.clone());
        out.insert("stage".into(), self.stage_value.clone());
        out.insert("conditionsOp".into(), self.conditions_op.clone());
        out.insert(
            "conditions".into(),
            Value::Array(self.conditions.iter().map(Condition::serialize).collect()),
        );
        out.insert(
            "actions".into(),
            Value::Array(self.actions.iter().map(Action::serialize).collect()),
        );
        Value::Object(out)
    }

    /// What about running this rule is not exact, if anything.
    pub fn unsupported(&self) -> Option<&str> {
        let conditions = self.conditions.iter().map(|c| &c.unsupported);
        let actions = self.actions.iter().map(|a| &a.unsupported);
        conditions.chain(actions).find_map(Option::as_deref)
    }
}

/// `new Set(...)` membership for the JSON values ids are.
fn same_value_zero(a: &Value, b: &Value) -> bool {
    crate::foundation::js::json::strict_eq(a, b)
}

/// The mapping tables (`category_mapping`, `payee_mapping`) as upstream's
/// `getMappings()` holds them, read on demand.
pub struct Mappings<'c> {
    conn: &'c rusqlite::Connection,
    cache: HashMap<String, Option<String>>,
}

impl<'c> Mappings<'c> {
    pub fn new(conn: &'c rusqlite::Connection) -> Self {
        Mappings {
            conn,
            cache: HashMap::new(),
        }
    }

    /// `mappings.get(id)`: a payee mapping wins over a category mapping of the same id
    /// (the payees come later in upstream's map).
    pub fn get(&mut self, id: &str) -> Option<String> {
        if let Some(hit) = self.cache.get(id) {
            return hit.clone();
        }
        let look = |sql: &str| -> Option<Option<String>> {
            let mut stmt = self.conn.prepare_cached(sql).ok()?;
            let mut rows = stmt.query([id]).ok()?;
            let row = rows.next().ok()??;
            Some(row.get::<_, Option<String>>(0).ok().flatten())
        };
        let found = look("SELECT targetId FROM payee_mapping WHERE id = ?")
            .or_else(|| look("SELECT transferId FROM category_mapping WHERE id = ?"))
            .flatten();
        self.cache.insert(id.to_string(), found.clone());
        found
    }
}
