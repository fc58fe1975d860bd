//! What a formula action does with its result (`Action.exec` in `action.ts`): the
//! conversion by the field's type, and the errors it records in the transaction's
//! `_ruleErrors` instead of failing.

use chrono::Datelike;
use serde_json::Value;

use super::super::action::Action;
use super::super::error::RuleError;
use super::super::fields::FieldType;
use super::super::split::Row;
use super::super::template::parse_float;
use super::Formula;
use crate::{dates, json};

/// `options.formula` compiled; the reason when it is not run here.
pub fn compile_formula(f: &Value) -> Result<Formula, String> {
    match f {
        Value::String(text) => Formula::compile(text).map_err(|e| match e {
            RuleError::Unsupported(why) => why,
            other => format!("a formula that fails to build ({other:?})"),
        }),
        _ => Err("a formula that is not text".into()),
    }
}

/// `if (!object._ruleErrors) object._ruleErrors = []`.
fn ensure_errors(object: &mut Row) {
    if !object.get("_ruleErrors").is_some_and(json::truthy) {
        object.insert("_ruleErrors".into(), Value::Array(Vec::new()));
    }
}

fn push_error(object: &mut Row, message: String) -> Result<(), RuleError> {
    match object.get_mut("_ruleErrors") {
        Some(Value::Array(errors)) => {
            errors.push(Value::String(message));
            Ok(())
        }
        _ => Err(RuleError::Unsupported(
            "a transaction whose _ruleErrors is not a list".into(),
        )),
    }
}

/// `JSON.stringify(result)` for the primitives a formula answers.
fn stringify(v: &Value) -> String {
    match v {
        Value::Number(n) => actual_sync::value::js_number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// `typeof result === 'number' ? result : parseFloat(String(result))`; `None` is NaN.
fn numeric(result: &Value) -> Option<f64> {
    match result {
        Value::Number(n) => n.as_f64(),
        other => parse_float(&json::to_string(other)),
    }
}

/// A number for an amount: a fraction or an infinity would be stored as a REAL.
fn whole(n: f64, what: &str) -> Result<Value, RuleError> {
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(RuleError::Unsupported(format!(
            "a formula setting {what} to a fraction ({n})"
        )));
    }
    Ok(json::number(n))
}

fn today() -> String {
    dates::day_string(chrono::Local::now().date_naive())
}

impl Action {
    /// A `set` action with a formula; `false` when the formula threw (upstream then
    /// leaves the action before it marks a new payee).
    pub(in super::super) fn exec_formula(&self, object: &mut Row) -> Result<bool, RuleError> {
        let Some(formula) = &self.formula else {
            return Ok(true);
        };
        let field = self
            .field
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        ensure_errors(object);
        let result = match formula.execute(object, &today())? {
            Ok(r) => r,
            Err(message) => {
                push_error(
                    object,
                    format!("Error executing formula for \"{field}\": {message}"),
                )?;
                return Ok(false);
            }
        };
        match self.ty {
            Some(FieldType::Number) => match numeric(&result) {
                Some(n) if !n.is_nan() => {
                    object.insert(field.clone(), whole(n, &field)?);
                }
                _ => push_error(
                    object,
                    format!(
                        "Formula for \"{field}\" must produce a numeric value. Got: {}",
                        stringify(&result)
                    ),
                )?,
            },
            Some(FieldType::Date) => {
                let text = Value::String(json::to_string(&result));
                match dates::parse_date_like(&text) {
                    Some(d) if (0..=9999).contains(&d.year()) => {
                        object.insert(field.clone(), Value::String(dates::day_string(d)));
                    }
                    Some(_) => {
                        return Err(RuleError::Unsupported(format!(
                            "a formula setting {field} to a date beyond year 9999"
                        )))
                    }
                    None => push_error(
                        object,
                        format!(
                            "Formula for \"{field}\" must produce a valid date. Got: {}",
                            stringify(&result)
                        ),
                    )?,
                }
            }
            Some(FieldType::Boolean) => {
                let b = match &result {
                    Value::Bool(b) => *b,
                    other => json::to_string(other).to_lowercase() == "true",
                };
                object.insert(field.clone(), Value::Bool(b));
            }
            Some(FieldType::String) => {
                object.insert(field.clone(), Value::String(json::to_string(&result)));
            }
            _ => {}
        }
        Ok(true)
    }

    /// A split's amount given by a formula.
    pub(in super::super) fn exec_split_formula(&self, object: &mut Row) -> Result<(), RuleError> {
        ensure_errors(object);
        let Some(formula) = &self.formula else {
            return push_error(
                object,
                "Formula method selected but no formula specified".into(),
            );
        };
        match formula.execute(object, &today())? {
            Err(message) => push_error(
                object,
                format!("Error executing formula for split amount: {message}"),
            ),
            Ok(result) => match numeric(&result) {
                Some(n) if !n.is_nan() => {
                    object.insert("amount".into(), whole(n, "a split amount")?);
                    Ok(())
                }
                _ => push_error(
                    object,
                    format!(
                        "Formula for split amount must produce a numeric value. Got: {}",
                        stringify(&result)
                    ),
                ),
            },
        }
    }
}
