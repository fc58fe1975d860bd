//! Budget cells: `setBudgetAmount`, `setBudgetCarryover`, `holdBudgetForNextMonth`,
//! `resetBudgetHold` (`server/api.ts` and `server/budget/actions.ts`), on the months
//! and the envelope to-budget of [`crate::reads::budget_months`].
//!
//! The table is `zero_budgets` for envelope budgets and `reflect_budgets` for tracking
//! ones (the synced preference `budgetType`). Upstream reads and writes these rows
//! directly, not through its spreadsheet, so the rows are the whole effect.

use actual_sync::Value as Cell;
use chrono::{Datelike, NaiveDate};
use rusqlite::OptionalExtension;
use serde_json::Value;

use super::{query_param, sql_value};
use crate::foundation::budget::{Budget, Writer};
use crate::foundation::dates::{month_string, parse_int};
use crate::foundation::error::{BudgetError, Result};
use crate::foundation::js;
use crate::foundation::js::args;
use crate::reads::budget_months::range::budget_range;
use crate::reads::budget_months::sheet::is_tracking;
use crate::reads::budget_months::{month_argument, to_budget};
use crate::schema::fields::raw_cell;

/// `getBudgetTable()` (`isTrackingBudget()`).
pub fn budget_table(b: &Budget) -> Result<&'static str> {
    Ok(if is_tracking(b)? {
        "reflect_budgets"
    } else {
        "zero_budgets"
    })
}

/// `dbMonth(month)`: `parseInt` of the month without its first dash; `None` is NaN.
pub fn db_month(month: &str) -> Option<i64> {
    parse_int(&month.replacen('-', "", 1))
}

/// The months of the budget's sheet, first to last inclusive (the meta's
/// `createdMonths`). Upstream's set only grows during a session, and is computed again
/// on `getBudgetMonths` and month checks; it is computed here on every call, which
/// differs only after a write dated before the earliest transaction and before the
/// next month check.
pub fn sheet_months(b: &Budget) -> Result<Vec<NaiveDate>> {
    Ok(budget_range(b)?.months)
}

/// `validateMonth(month)` (`server/api.ts`): a `YYYY-MM` string among the months the
/// API lists.
pub fn validate_month<'a>(b: &Budget, args: &'a Value) -> Result<&'a str> {
    let month = month_argument(args)?;
    if budget_range(b)?.api_index(month).is_none() {
        return Err(BudgetError::api(format!(
            "No budget exists for month: {month}"
        )));
    }
    Ok(month)
}

/// `validateExpenseCategory(debug, id)`.
fn validate_expense_category<'a>(
    b: &Budget,
    debug: &str,
    id: Option<&'a Value>,
) -> Result<&'a Value> {
    let Some(id) = id.filter(|v| !v.is_null()) else {
        return Err(BudgetError::api(format!(
            "{debug}: category id is required"
        )));
    };
    let sql = "SELECT is_income FROM categories WHERE id = ?";
    let param = sql_value(query_param(Some(id), sql)?);
    let row: Option<Option<i64>> = b.conn.query_row(sql, [param], |r| r.get(0)).optional()?;
    let shown = js::to_string(Some(id));
    match row {
        None => Err(BudgetError::api(format!(
            "{debug}: category \"{shown}\" does not exist"
        ))),
        Some(Some(0)) => Ok(id),
        Some(_) => Err(BudgetError::api(format!(
            "{debug}: category \"{shown}\" is not an expense category"
        ))),
    }
}

/// The id of `table`'s row for (`month`, `category`), if there is one.
fn existing(b: &Budget, table: &str, month: Cell, category: &Value) -> Result<Option<String>> {
    let month = match month {
        Cell::Number(n) => rusqlite::types::Value::Integer(n as i64),
        Cell::String(s) | Cell::Unknown(s) => rusqlite::types::Value::Text(s),
        Cell::Null => rusqlite::types::Value::Null,
    };
    let sql = format!("SELECT id FROM {table} WHERE month = ? AND category = ?");
    Ok(b.conn
        .prepare_cached(&sql)?
        .query_row([month, sql_value(category)], |r| r.get(0))
        .optional()?)
}

/// `setBudget({ category, month, amount })`'s row: an update of the amount, or a new
/// row `<month>-<category>`. Its fields are returned for the caller to send.
pub fn budget_row(
    b: &Budget,
    table: &str,
    month: i64,
    category: &Value,
    amount: i64,
) -> Result<(String, Vec<(&'static str, Cell)>)> {
    let amount = Cell::Number(amount as f64);
    let month_cell = Cell::Number(month as f64);
    Ok(match existing(b, table, month_cell.clone(), category)? {
        Some(id) => (id, vec![("amount", amount)]),
        None => (
            format!("{month}-{}", js::to_string(Some(category))),
            vec![
                ("month", month_cell),
                ("category", raw_cell(category)?),
                ("amount", amount),
            ],
        ),
    })
}

/// `safeNumber(typeof amount === 'number' ? amount : 0)`.
fn safe_amount(amount: Option<&Value>) -> Result<i64> {
    let Some(Value::Number(n)) = amount else {
        return Ok(0);
    };
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() != 0.0 || !f.is_finite() {
        return Err(BudgetError::plain(format!(
            "safeNumber: number is not an integer: {}",
            js::stringify(&Value::Number(n.clone()), false)
        )));
    }
    const MAX: f64 = 2_251_799_813_685_247.0; // 2 ** 51 - 1
    if f.abs() > MAX {
        return Err(BudgetError::plain(format!(
            "safeNumber: can't safely perform arithmetic with number: {}",
            js::to_string(amount)
        )));
    }
    Ok(f as i64)
}

/// `setBudgetAmount(month, categoryId, amount)`: `budget/budget-amount` without any
/// check of the month or the category (upstream writes a row for whatever it is
/// given); resolves to undefined.
pub fn set_budget_amount(w: &mut Writer, args: &Value) -> Result<Value> {
    let amount = safe_amount(args::get(args, "amount"))?;
    let table = budget_table(&w.budget)?;
    let month = js::string_method(args.get("month"), "month", "replace")?;
    let sql = format!("SELECT id FROM {table} WHERE month = ? AND category = ?");
    let category = query_param(args.get("categoryId"), &sql)?;
    let Some(month) = db_month(month) else {
        // A NaN month: upstream writes a row its spreadsheet then fails on.
        return Err(BudgetError::Unsupported(format!(
            "setBudgetAmount for a month that is not a number ({month})"
        )));
    };
    let (id, fields) = budget_row(&w.budget, table, month, category, amount)?;
    w.changes.update(table, &id, fields)?;
    Ok(Value::Null)
}

/// `setBudgetCarryover(month, categoryId, flag)`: the flag for that month and every
/// later month of the sheet (`setCategoryCarryover`); resolves to undefined.
pub fn set_budget_carryover(w: &mut Writer, args: &Value) -> Result<Value> {
    let start = validate_month(&w.budget, args)?;
    let category =
        validate_expense_category(&w.budget, "budget-set-carryover", args.get("categoryId"))?;
    let table = budget_table(&w.budget)?;
    let carryover = super::flag(args.get("flag"));
    let months = sheet_months(&w.budget)?;
    let mut rows = Vec::new();
    for month in months
        .iter()
        .filter(|m| month_string(**m).as_str() >= start)
    {
        // `setCarryover` is given the month as a string (`dbMonth(month).toString()`).
        let month = format!("{}{:02}", month.year(), month.month());
        rows.push(
            match existing(&w.budget, table, Cell::String(month.clone()), category)? {
                Some(id) => (table, id, vec![("carryover", carryover.clone())]),
                None => (
                    table,
                    format!("{month}-{}", js::to_string(Some(category))),
                    vec![
                        ("month", Cell::String(month)),
                        ("category", raw_cell(category)?),
                        ("carryover", carryover.clone()),
                    ],
                ),
            },
        );
    }
    w.changes.send_rows(rows)?;
    Ok(Value::Null)
}

/// `holdBudgetForNextMonth(month, amount)` (envelope budgets): when the month's
/// to-budget is positive, the month's `buffered` becomes its hold plus `amount`, kept
/// between taking back all of the hold and adding all of the to-budget
/// (`calcBufferedAmount`); resolves to whether it held. A tracking budget has no
/// to-budget, so nothing is held there.
pub fn hold_budget_for_next_month(w: &mut Writer, args: &Value) -> Result<Value> {
    let month = validate_month(&w.budget, args)?;
    // `amount <= 0`: undefined and non-numeric strings are NaN, which compares false.
    let amount = js::to_number(args.get("amount"));
    if amount <= 0.0 {
        return Err(BudgetError::api(
            "Amount to hold needs to be greater than 0",
        ));
    }
    let buffered: Option<Value> = w
        .budget
        .conn
        .query_row(
            "SELECT buffered FROM zero_budget_months WHERE id = ?",
            [month],
            |r| Ok(crate::foundation::js::sqlite::plain(r.get_ref(0)?)),
        )
        .optional()?;
    let to_budget = to_budget(&w.budget, month)?.unwrap_or(0) as f64;
    if to_budget <= 0.0 {
        return Ok(Value::Bool(false));
    }
    // `(row && row.buffered) || 0`
    let held = match buffered.as_ref().map(|b| js::to_number(Some(b))) {
        Some(h) if h != 0.0 && !h.is_nan() => h,
        _ => 0.0,
    };
    // Math.min(Math.max(amount, -buffered), Math.max(toBudget, 0)) + buffered
    let change = js_min(js_max(amount, -held), to_budget.max(0.0));
    let new = held + change;
    if !new.is_finite() {
        return Err(BudgetError::Unsupported(
            "holdBudgetForNextMonth of an amount that is not a number".into(),
        ));
    }
    set_buffer(w, month, new)?;
    Ok(Value::Bool(true))
}

/// `Math.max` of two numbers (NaN wins).
fn js_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// `Math.min` of two numbers (NaN wins).
fn js_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// `setBuffer(month, amount)`: the month's row of `zero_budget_months`, made if needed.
fn set_buffer(w: &mut Writer, month: &str, amount: f64) -> Result<()> {
    let exists: Option<String> = w
        .budget
        .conn
        .query_row(
            "SELECT id FROM zero_budget_months WHERE id = ?",
            [month],
            |r| r.get(0),
        )
        .optional()?;
    w.changes.update(
        "zero_budget_months",
        exists.as_deref().unwrap_or(month),
        vec![("buffered", Cell::Number(amount))],
    )
}

/// `resetBudgetHold(month)`: the month's `buffered` back to 0 (`setBuffer`), whatever
/// the budget type; resolves to undefined.
pub fn reset_budget_hold(w: &mut Writer, args: &Value) -> Result<Value> {
    let month = validate_month(&w.budget, args)?;
    set_buffer(w, month, 0.0)?;
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_months_drop_the_first_dash_only() {
        assert_eq!(db_month("2026-01"), Some(202601));
        assert_eq!(db_month("2026-1"), Some(20261));
        assert_eq!(db_month("2026-01-15"), Some(202601));
        assert_eq!(db_month("bad"), None);
    }

    #[test]
    fn amounts_must_be_safe_integers() {
        assert_eq!(safe_amount(Some(&Value::from(5))).unwrap(), 5);
        assert_eq!(safe_amount(Some(&Value::from("100"))).unwrap(), 0);
        assert_eq!(
            safe_amount(Some(&serde_json::json!(1.5)))
                .unwrap_err()
                .to_string(),
            "safeNumber: number is not an integer: 1.5"
        );
        assert_eq!(
            safe_amount(Some(&serde_json::json!(4503599627370496.0)))
                .unwrap_err()
                .to_string(),
            "safeNumber: can't safely perform arithmetic with number: 4503599627370496"
        );
    }
}
