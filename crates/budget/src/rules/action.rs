//! Rule actions: upstream's `Action` (`server/rules/action.ts`) and `execActions` with
//! its split handling (`server/rules/rule.ts`).

use serde_json::{Map, Value};

use super::error::RuleError;
use super::fields::{field_type, FieldType};
use super::formula::{compile_formula, Formula};
use super::split::{self, Row};
use super::template::{self, Template};
use crate::foundation::dates;
use crate::foundation::js;
use crate::foundation::js::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionOp {
    Set,
    SetSplitAmount,
    LinkSchedule,
    PrependNotes,
    AppendNotes,
    DeleteTransaction,
}

impl ActionOp {
    fn parse(op: &str) -> Option<ActionOp> {
        Some(match op {
            "set" => ActionOp::Set,
            "set-split-amount" => ActionOp::SetSplitAmount,
            "link-schedule" => ActionOp::LinkSchedule,
            "prepend-notes" => ActionOp::PrependNotes,
            "append-notes" => ActionOp::AppendNotes,
            "delete-transaction" => ActionOp::DeleteTransaction,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ActionOp::Set => "set",
            ActionOp::SetSplitAmount => "set-split-amount",
            ActionOp::LinkSchedule => "link-schedule",
            ActionOp::PrependNotes => "prepend-notes",
            ActionOp::AppendNotes => "append-notes",
            ActionOp::DeleteTransaction => "delete-transaction",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Action {
    pub op: ActionOp,
    /// `this.field`: the set field, `notes` for the notes actions, null for the split
    /// amount and schedule link, undefined (`None`) for deleting.
    pub field: Option<Value>,
    pub ty: Option<FieldType>,
    /// `rawValue` (`None`: undefined).
    pub raw: Option<Value>,
    /// `value`: `rawValue`, or the mapped id for `set` of an id field.
    pub value: Option<Value>,
    pub options: Option<Value>,
    /// `options.splitIndex`: 0 for the parent (or an unsplit transaction).
    pub split_index: usize,
    /// `options.template`, compiled (a `set` action).
    pub template: Option<Template>,
    /// `options.formula`, parsed (a `set` action, or a split amount by formula).
    pub formula: Option<Formula>,
    /// Why running this action would not be exact (templates, formulas, odd values):
    /// loading the rules for a run refuses it; storing the rule does not need it.
    pub unsupported: Option<String>,
}

impl Action {
    /// `new Action(op, field, value, options)`. `None` arguments are undefined.
    pub fn new(
        op: Option<&Value>,
        field: Option<&Value>,
        value: Option<&Value>,
        options: Option<&Value>,
    ) -> Result<Action, RuleError> {
        let Some(op) = op.and_then(Value::as_str).and_then(ActionOp::parse) else {
            return Err(RuleError::Rule("internal"));
        };
        let options = options.filter(|o| !o.is_null()).cloned();
        let option = |k: &str| options.as_ref().and_then(|o| o.get(k));
        let mut unsupported = None;
        let mut compiled = None;
        let mut formula = None;
        let (this_field, ty) = match op {
            ActionOp::Set => {
                let Some(ty) = field.and_then(Value::as_str).and_then(field_type) else {
                    return Err(RuleError::Rule("internal"));
                };
                // `Handlebars.compile(template)`, run once on `{}`: a failure is a
                // RuleError.
                if let Some(t) = option("template").filter(|t| js::is_truthy(t)) {
                    match t {
                        Value::String(t) => compiled = Some(Template::compile(t)?),
                        _ => {
                            return Err(RuleError::Unsupported(
                                "a template that is not a string".into(),
                            ))
                        }
                    }
                }
                if let Some(f) = option("formula").filter(|f| js::is_truthy(f)) {
                    match compile_formula(f) {
                        Ok(f) => formula = Some(f),
                        Err(why) => unsupported = Some(why),
                    }
                } else if value.is_none() && compiled.is_none() {
                    unsupported = Some("a set action without a value".to_string());
                }
                (field.cloned(), Some(ty))
            }
            ActionOp::SetSplitAmount => {
                match option("method").and_then(Value::as_str) {
                    Some("formula") => {
                        if let Some(f) = option("formula").filter(|f| js::is_truthy(f)) {
                            match compile_formula(f) {
                                Ok(f) => formula = Some(f),
                                Err(why) => unsupported = Some(why),
                            }
                        }
                    }
                    Some("fixed-amount" | "fixed-percent")
                        if !value.is_some_and(|v| v.is_number() || v.is_null()) =>
                    {
                        unsupported = Some("a split amount that is not a number".to_string());
                    }
                    Some(_) => {}
                    _ if options.as_ref().is_none_or(|o| !o.is_object()) => {
                        unsupported = Some("a split amount action without options".to_string())
                    }
                    _ => {}
                }
                (Some(Value::Null), Some(FieldType::Number))
            }
            ActionOp::LinkSchedule => {
                if value.is_none() {
                    unsupported = Some("a schedule link without a schedule".to_string());
                }
                (Some(Value::Null), Some(FieldType::Id))
            }
            ActionOp::PrependNotes | ActionOp::AppendNotes => {
                if !value.is_some_and(Value::is_string) {
                    unsupported = Some("a notes action whose text is not a string".to_string());
                }
                (Some(Value::String("notes".into())), Some(FieldType::Id))
            }
            ActionOp::DeleteTransaction => (None, None),
        };
        if field.and_then(Value::as_str) == Some("account") && !value.is_some_and(js::is_truthy) {
            return Err(RuleError::Rule("no-null"));
        }
        let split_index = match option("splitIndex") {
            None => 0,
            Some(v) if !js::is_truthy(v) => 0,
            Some(v) => match v.as_u64() {
                Some(n) => n as usize,
                None => {
                    unsupported = Some("a split index that is not a whole number".to_string());
                    0
                }
            },
        };
        Ok(Action {
            op,
            field: this_field,
            ty,
            raw: value.cloned(),
            value: value.cloned(),
            options,
            split_index,
            template: compiled,
            formula,
            unsupported,
        })
    }

    fn field_name(&self) -> &str {
        self.field.as_ref().and_then(Value::as_str).unwrap_or("")
    }

    fn method(&self) -> Option<&str> {
        self.options
            .as_ref()
            .and_then(|o| o.get("method"))
            .and_then(Value::as_str)
    }

    /// `exec(object)`.
    pub fn exec(&self, object: &mut Row) -> Result<(), RuleError> {
        if let Some(what) = &self.unsupported {
            return Err(RuleError::Unsupported(what.clone()));
        }
        let value = self.value.clone().unwrap_or(Value::Null);
        match self.op {
            ActionOp::Set if self.formula.is_some() => {
                if !self.exec_formula(object)? {
                    return Ok(());
                }
                if self.field_name() == "payee_name" {
                    object.insert("payee".into(), Value::String("new".into()));
                }
            }
            ActionOp::Set => {
                let value = match (&self.template, self.ty) {
                    (Some(t), Some(ty)) => {
                        // `{ ...object, today: currentDay() }`.
                        let today = dates::day_string(chrono::Local::now().date_naive());
                        template::convert(t.render(object, Some(&today))?, ty)?
                    }
                    _ => value,
                };
                object.insert(self.field_name().to_string(), value);
                if self.field_name() == "payee_name" {
                    object.insert("payee".into(), Value::String("new".into()));
                }
            }
            ActionOp::SetSplitAmount => match self.method() {
                Some("fixed-amount") => {
                    object.insert("amount".into(), value);
                }
                Some("formula") => self.exec_split_formula(object)?,
                _ => {}
            },
            ActionOp::LinkSchedule => {
                object.insert("schedule".into(), value);
            }
            ActionOp::PrependNotes | ActionOp::AppendNotes => {
                let text = json::to_string(&value);
                let notes = match object.get("notes") {
                    Some(n) if js::is_truthy(n) => {
                        let n = match n {
                            Value::String(s) => s.clone(),
                            Value::Number(_) => json::to_string(n),
                            _ => {
                                return Err(RuleError::Unsupported(
                                    "a notes action on notes that are not text".into(),
                                ))
                            }
                        };
                        if self.op == ActionOp::PrependNotes {
                            text + &n
                        } else {
                            n + &text
                        }
                    }
                    _ => text,
                };
                object.insert("notes".into(), Value::String(notes));
            }
            ActionOp::DeleteTransaction => {
                object.insert("tombstone".into(), Value::from(1));
            }
        }
        Ok(())
    }

    /// `serialize()`: `{ op, field, value, type, options? }`.
    pub fn serialize(&self) -> Value {
        let mut out = Map::new();
        out.insert("op".into(), Value::String(self.op.name().into()));
        if let Some(field) = &self.field {
            out.insert("field".into(), field.clone());
        }
        if let Some(value) = &self.value {
            out.insert("value".into(), value.clone());
        }
        if let Some(ty) = self.ty {
            out.insert("type".into(), Value::String(ty.name().into()));
        }
        if let Some(options) = self.options.as_ref().filter(|o| js::is_truthy(o)) {
            out.insert("options".into(), options.clone());
        }
        Value::Object(out)
    }
}

/// `execActions(actions, transaction)`: the parent's actions, then, when an action
/// names a split (and the transaction is not a child), the split into parts.
pub fn exec_actions(actions: &[&Action], transaction: Row) -> Result<Row, RuleError> {
    let mut result = transaction;
    for a in actions.iter().filter(|a| a.split_index == 0) {
        a.exec(&mut result)?;
    }
    let splits = actions.iter().map(|a| a.split_index).max().unwrap_or(0) + 1;
    if splits == 1 || result.get("is_child").is_some_and(js::is_truthy) {
        return Ok(result);
    }
    let children: Vec<&Action> = actions
        .iter()
        .copied()
        .filter(|a| a.split_index > 0)
        .collect();
    exec_split_actions(&children, result)
}

/// `execSplitActions`: split index 0 (row 1) is a placeholder for "apply to all";
/// fixed amounts first, then percentages of what is left, then the remainder shared
/// out (the last remainder part takes the rounding), and the placeholder dropped.
fn exec_split_actions(actions: &[&Action], transaction: Row) -> Result<Row, RuleError> {
    let id = transaction.get("id").cloned();
    let mut rows = split::split_transaction(&split::ungroup(&transaction)?, id.as_ref())?;
    for a in actions {
        let idx = a.split_index + 1;
        if idx >= rows.len() {
            rows = split::add_split_transaction(&rows, id.as_ref())?;
        }
        let Some(row) = rows.get_mut(idx) else {
            return Err(RuleError::type_error(
                "Cannot set properties of undefined (setting 'parent_amount')",
            ));
        };
        // What a split's formula reads of its parent; dropped when the rules end.
        for key in ["amount", "balance", "_balanceOfPrefetched"] {
            let to = if key == "amount" {
                "parent_amount"
            } else {
                key
            };
            row.insert(
                to.into(),
                transaction.get(key).cloned().unwrap_or(Value::Null),
            );
        }
        a.exec(row)?;
    }
    let amount_actions: Vec<&&Action> = actions
        .iter()
        .filter(|a| a.op == ActionOp::SetSplitAmount)
        .collect();
    let after_fixed = split::remainder(&rows);
    for a in amount_actions
        .iter()
        .filter(|a| a.method() == Some("fixed-percent"))
    {
        let percent = json::to_number(a.value.as_ref().unwrap_or(&Value::Null)) / 100.0;
        rows[a.split_index + 1].insert(
            "amount".into(),
            json::number(json::math_round(after_fixed * percent)),
        );
    }
    let remainder_actions: Vec<&&Action> = amount_actions
        .iter()
        .filter(|a| a.method() == Some("remainder"))
        .copied()
        .collect();
    let after_percents = split::remainder(&rows);
    if !remainder_actions.is_empty() {
        let each = json::math_round(after_percents / remainder_actions.len() as f64);
        let mut last = 0;
        for a in &remainder_actions {
            rows[a.split_index + 1].insert("amount".into(), json::number(each));
            last = last.max(a.split_index + 1);
        }
        let left = split::remainder(&rows);
        let current = json::to_number(rows[last].get("amount").unwrap_or(&Value::Null));
        rows[last].insert("amount".into(), json::number(current + left));
    }
    rows.remove(1);
    Ok(split::recalculate_split(split::group(&rows)))
}
