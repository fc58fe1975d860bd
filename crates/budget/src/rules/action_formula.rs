//! What a formula action does with its result (`Action.exec` in `action.ts`): the
//! conversion by the field's type, and the errors it records in the transaction's
//! `_ruleErrors` instead of failing.

use chrono::Datelike;
use serde_json::Value;

use super::action::Action;
use super::error::RuleError;
use super::fields::FieldType;
use super::split::Row;
use super::template::parse_float;
use crate::foundation::dates;
use crate::foundation::js::json;

/// `if (!object._ruleErrors) object._ruleErrors = []`.
fn ensure_errors(object: &mut Row) {
    if !object
        .get("_ruleErrors")
        .is_some_and(crate::foundation::js::is_truthy)
    {
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

/// Whether `new Date(y, m - 1, d)` of the text's parts might be a valid JavaScript date
/// (years up to ±275760) that the calendar here cannot hold: all parts numbers and
/// the year they make within JavaScript's reach.
fn maybe_valid_far_date(text: &str) -> bool {
    let mut parts = text.split('-');
    let Some(y) = parts.next().and_then(dates::parse_int) else {
        return false;
    };
    let part = |p: Option<&str>| match p {
        None => Some(1),
        Some(p) => dates::parse_int(p),
    };
    let (Some(m), Some(d)) = (part(parts.next()), part(parts.next())) else {
        return false;
    };
    let years = i128::from(y) + (i128::from(m) - 1) / 12 + (i128::from(d) - 1) / 365;
    years.abs() <= 280_000
}

fn today() -> String {
    dates::day_string(chrono::Local::now().date_naive())
}

impl Action {
    /// A `set` action with a formula; `false` when the formula threw (upstream then
    /// leaves the action before it marks a new payee).
    pub(super) fn exec_formula(&self, object: &mut Row) -> Result<bool, RuleError> {
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
                    None if maybe_valid_far_date(&json::to_string(&result)) => {
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

#[cfg(test)]
mod tests {
    use super::maybe_valid_far_date;

    #[test]
    fn far_dates_javascript_might_hold() {
        assert!(maybe_valid_far_date("262200"));
        assert!(maybe_valid_far_date("2024-999999-01"));
        assert!(!maybe_valid_far_date("4529600"));
        assert!(!maybe_valid_far_date("-77700"));
        assert!(!maybe_valid_far_date("true"));
        assert!(!maybe_valid_far_date("no date"));
    }
}
